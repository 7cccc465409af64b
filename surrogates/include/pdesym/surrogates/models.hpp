#pragma once
// LibTorch surrogate models for 1-D periodic PDEs (reusable, e.g. by learned/ for joint discovery); the 2-D and
// multi-component models are in models2d.hpp and share the Surrogate interface (step, rollout, save/load).
//
// Every model maps a window of `time_window` states plus the grid spacing and time step to the next
// `time_window` states:
//   forward(u [B, tw, nx] float32, dx [B], dt [B]) -> [B, tw, nx]
// dx and dt enter as two extra constant input channels, so the input has tw + 2 channels. Models are
// resolution-agnostic in nx (FNO needs nx/2 + 1 >= modes).
//
//  * Fno1d (Li et al. 2021): pointwise lift (tw+2 -> width), `layers` Fourier layers
//    x <- gelu(SpectralConv1d(x) + Conv1x1(x)) (no activation after the last), projection
//    width -> proj_hidden -> tw with GELU. SpectralConv1d keeps the lowest `modes` rfft modes and multiplies
//    them by learned complex weights W[i, o, m] = Wr + i Wi, stored modes-major as one real tensor
//    [modes, 2, in, out] ([m][0] = Wr, [m][1] = Wi); it computes y = irfft(n = nx) of the kept modes of
//    sum_i rfft(x)[i, m] W[i, o, m], in real arithmetic: DFT GEMMs for the kept modes, one real GEMM per mode
//    and inverse-DFT GEMMs, on a batch-major activation layout (src/fno_kernels.hpp; docs/surrogates.md).
//  * ResNet1d: input conv, `layers` residual blocks x + conv(gelu(conv(x))) with circular padding (periodic),
//    output conv; all convolutions of size kernel_size.
#include <torch/torch.h>

#include <memory>
#include <string>

#include "pdesym/surrogates/train.hpp"

namespace pdesym::surrogates {

/// Common interface of all surrogates.
class Surrogate : public torch::nn::Module {
 public:
  explicit Surrogate(ModelConfig cfg) : cfg_(std::move(cfg)) {}
  ~Surrogate() override = default;
  /// u [B, tw, nx], dx [B], dt [B] (float32) -> next tw states [B, tw, nx].
  virtual torch::Tensor forward(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) = 0;
  /// One model call for any data shape (config().dim, config().nc): u [B, tw, nx] for 1-D scalar models (dy is
  /// ignored; this calls forward(u, dx, dt)), [B, tw, nc, ny, nx] otherwise (ny = 1 in 1-D); dx, dy, dt [B].
  virtual torch::Tensor step(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dy,
                             const torch::Tensor& dt) {
    return forward(u, dx, dt);
  }
  const ModelConfig& config() const { return cfg_; }
  /// Number of real parameters.
  long parameter_count() const;

 protected:
  /// [B, tw + 2, nx]: u with dx and dt appended as constant channels (checks shapes, throws InputError).
  torch::Tensor with_grid_channels(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) const;
  ModelConfig cfg_;
};

class SpectralConv1dImpl : public torch::nn::Module {
 public:
  SpectralConv1dImpl(int in_channels, int out_channels, int modes);
  /// x [B, in, nx] -> [B, out, nx]
  torch::Tensor forward(const torch::Tensor& x);
  /// The same on the batch-major layout: x [B * nx, in] (row b * nx + j = point j of sample b) -> [B * nx, out].
  torch::Tensor forward_batch_major(const torch::Tensor& x, long nx);
  const torch::Tensor& weight() const { return weight_; }
  int modes() const { return modes_; }

 private:
  int in_, out_, modes_;
  /// Complex weights as one real tensor [modes, 2, in, out] (real part, then imaginary part of each mode), so
  /// that optimizers, Module::to(dtype) and the MPI gradient exchange see ordinary real parameters, and the
  /// block [Wr; Wi] of mode m is one contiguous [2 in, out] matrix for its GEMM.
  torch::Tensor weight_;
};
TORCH_MODULE(SpectralConv1d);

class Fno1d : public Surrogate {
 public:
  explicit Fno1d(const ModelConfig& cfg);
  torch::Tensor forward(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) override;

 private:
  torch::nn::Conv1d lift_{nullptr}, proj1_{nullptr}, proj2_{nullptr};
  std::vector<SpectralConv1d> spectral_;
  std::vector<torch::nn::Conv1d> pointwise_;
};

class ResNet1d : public Surrogate {
 public:
  explicit ResNet1d(const ModelConfig& cfg);
  torch::Tensor forward(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) override;

 private:
  torch::nn::Conv1d in_{nullptr}, out_{nullptr};
  std::vector<torch::nn::Conv1d> conv_a_, conv_b_;
};

/// Builds the model of a config (validated; InputError for unknown kinds): Fno1d / ResNet1d for 1-D scalar
/// data, Fno2d / ResNet2d for dim 2 and Stacked1d for 1-D data with nc > 1 (models2d.hpp). Parameters are initialised from
/// torch's global generator (call torch::manual_seed first for reproducibility).
std::shared_ptr<Surrogate> make_model(const ModelConfig& cfg);

/// Autoregressive rollout: starting from u0 [B, tw, nx], calls the model ceil(steps / tw) times feeding back
/// its predictions; returns the first `steps` predicted states [B, steps, nx].
torch::Tensor rollout(Surrogate& model, const torch::Tensor& u0, const torch::Tensor& dx, const torch::Tensor& dt,
                      int steps);

/// Version of the parameter layout in model files and training checkpoints (archive key "format_version";
/// files without it are version 1). Version 1 stored SpectralConv1d weights as [in, out, modes, 2]; version 2
/// stores them as [modes, 2, in, out]. Other parameters are the same in both.
constexpr int kModelFormatVersion = 2;

/// The format version of an archive (1 when it has no "format_version").
int read_format_version(torch::serialize::InputArchive& ar);

/// model.load(sub) for parameters saved under format `version`, converting version-1 spectral weights to the
/// current layout; InputError (naming `what` and the version) for versions this build does not know.
void load_parameters(Surrogate& model, torch::serialize::InputArchive& sub, int version, const std::string& what);

/// Any data shape: u0 [B, tw, nx] (1-D scalar) or [B, tw, nc, ny, nx], dx, dy, dt [B]; calls model.step
/// ceil(steps / tw) times and returns the first `steps` predicted states, concatenated along dimension 1.
torch::Tensor rollout(Surrogate& model, const torch::Tensor& u0, const torch::Tensor& dx, const torch::Tensor& dy,
                      const torch::Tensor& dt, int steps);

/// All parameters flattened into one float32 vector (complex weights as (re, im) pairs), in module order.
torch::Tensor flatten_parameters(const torch::nn::Module& m);

/// Model-only files (config + parameters, no optimizer state), e.g. for learned/. save_model writes
/// atomically (format version kModelFormatVersion); load_model reads these and also train() checkpoints
/// (best-validation parameters if present and `best` is true), of format version 1 (converted) or 2.
/// InputError for missing or invalid files.
void save_model(const std::string& path, Surrogate& model);
std::shared_ptr<Surrogate> load_model(const std::string& path, bool best = true);

/// load_model's model with where its parameters come from.
struct LoadedModel {
  std::shared_ptr<Surrogate> model;
  bool used_best = false;  ///< the best-validation parameters of a train() checkpoint (`best` and the file has them)
  int epoch = 0;           ///< the epoch they were saved at (best_epoch or epoch); 0 where the file records none
};
LoadedModel load_model_file(const std::string& path, bool best = true);

}  // namespace pdesym::surrogates
