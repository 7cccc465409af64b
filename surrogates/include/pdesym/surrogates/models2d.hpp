#pragma once
// LibTorch surrogates for multi-component data: 2-D periodic fields with nc components (Fno2d, ResNet2d) and
// 1-D fields with nc > 1 components (Stacked1d around the unchanged Fno1d / ResNet1d).
//
// Tensor layout: u [B, tw, nc, ny, nx] float32 (time level, component, y, x; x fastest), dx, dy, dt [B].
//   Surrogate::step(u [B, tw, nc, ny, nx], dx, dy, dt) -> next tw states [B, tw, nc, ny, nx]
// Inside, the tw * nc states are channels (channel s * nc + c is level s of component c), followed by three
// constant channels dx, dy, dt: tw * nc + 3 input channels, tw * nc output channels. The 1-D forward(u, dx, dt)
// of these models throws InputError (they need dy). Models are resolution-agnostic in nx and ny (FNO: see the
// mode limits below).
//
//  * Fno2d: pointwise lift, `layers` Fourier layers x <- gelu(SpectralConv2d(x) + Conv1x1(x)) (no activation
//    after the last), projection width -> proj_hidden -> tw * nc with GELU.
//  * SpectralConv2d: rfft2 over (y, x); keeps kx = 0..modes-1 and ky = 0..modes-1 and -modes..-1 (both signs of
//    ky; the rfft already holds both signs of kx through Hermitian symmetry), multiplies each kept mode by a
//    learned complex [in, out] matrix (two real weights [in, out, modes, modes, 2], for ky >= 0 and ky < 0),
//    zeroes the rest, irfft2. Needs modes <= nx / 2 + 1 and 2 * modes <= ny. Exactly equivariant under periodic
//    shifts by whole grid cells.
//  * ResNet2d: input conv, `layers` residual blocks x + conv(gelu(conv(x))), output conv; kernel_size x
//    kernel_size convolutions with circular padding (periodic).
#include "pdesym/surrogates/models.hpp"

namespace pdesym::surrogates {

class SpectralConv2dImpl : public torch::nn::Module {
 public:
  SpectralConv2dImpl(int in_channels, int out_channels, int modes);
  /// x [B, in, ny, nx] -> [B, out, ny, nx]; InputError if the grid is too coarse for `modes`.
  torch::Tensor forward(const torch::Tensor& x);
  int modes() const { return modes_; }

 private:
  int in_, out_, modes_;
  /// Complex weights as real pairs (see SpectralConv1dImpl): [in, out, modes (ky), modes (kx), 2] for
  /// ky = 0..modes-1 (weight_pos_) and ky = -modes..-1 (weight_neg_).
  torch::Tensor weight_pos_, weight_neg_;
};
TORCH_MODULE(SpectralConv2d);

class Fno2d : public Surrogate {
 public:
  explicit Fno2d(const ModelConfig& cfg);
  /// Throws InputError: a 2-D model needs dy (use step).
  torch::Tensor forward(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) override;
  torch::Tensor step(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dy,
                     const torch::Tensor& dt) override;

 private:
  torch::nn::Conv2d lift_{nullptr}, proj1_{nullptr}, proj2_{nullptr};
  std::vector<SpectralConv2d> spectral_;
  std::vector<torch::nn::Conv2d> pointwise_;
};

class ResNet2d : public Surrogate {
 public:
  explicit ResNet2d(const ModelConfig& cfg);
  torch::Tensor forward(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) override;
  torch::Tensor step(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dy,
                     const torch::Tensor& dt) override;

 private:
  torch::nn::Conv2d in_{nullptr}, out_{nullptr};
  std::vector<torch::nn::Conv2d> conv_a_, conv_b_;
};

/// 1-D data with nc > 1 components: layout u [B, tw, nc, 1, nx] (the 2-D layout with ny = 1). Wraps the 1-D
/// model of `kind` built for tw * nc input and output channels (channel s * nc + c, plus dx and dt), so the
/// architecture and its equivariances are those of Fno1d / ResNet1d; dy is ignored.
class Stacked1d : public Surrogate {
 public:
  explicit Stacked1d(const ModelConfig& cfg);
  /// Throws InputError: use step with the [B, tw, nc, 1, nx] layout.
  torch::Tensor forward(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) override;
  torch::Tensor step(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dy,
                     const torch::Tensor& dt) override;

 private:
  std::shared_ptr<Surrogate> inner_;
};

/// The model of a config with dim == 2 or nc > 1 (make_model dispatches here).
std::shared_ptr<Surrogate> make_model_multi(const ModelConfig& cfg);

}  // namespace pdesym::surrogates
