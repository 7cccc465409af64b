// FNO-1d and ResNet-1d surrogates (see models.hpp).
#include "pdesym/surrogates/models.hpp"
#include "pdesym/surrogates/models2d.hpp"

#include <cmath>
#include <sstream>

#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"

namespace pdesym::surrogates {

namespace {
std::string shape(const torch::Tensor& t) {
  std::ostringstream os;
  os << t.sizes();
  return os.str();
}
}  // namespace

long Surrogate::parameter_count() const {
  long n = 0;
  for (const auto& p : parameters()) n += p.numel() * (p.is_complex() ? 2 : 1);
  return n;
}

torch::Tensor Surrogate::with_grid_channels(const torch::Tensor& u, const torch::Tensor& dx,
                                            const torch::Tensor& dt) const {
  PDESYM_REQUIRE(u.dim() == 3 && u.size(1) == cfg_.time_window,
                 "model input must be [batch, " << cfg_.time_window << ", nx]; got " << shape(u));
  const long B = u.size(0), nx = u.size(2);
  PDESYM_REQUIRE(dx.numel() == B && dt.numel() == B,
                 "dx and dt must have one entry per batch element (" << B << "); got " << dx.numel() << " and "
                                                                     << dt.numel());
  auto dxc = dx.to(u.dtype()).reshape({B, 1, 1}).expand({B, 1, nx});
  auto dtc = dt.to(u.dtype()).reshape({B, 1, 1}).expand({B, 1, nx});
  return torch::cat({u, dxc, dtc}, 1);
}

// ---- SpectralConv1d --------------------------------------------------------------------------------------------

SpectralConv1dImpl::SpectralConv1dImpl(int in_channels, int out_channels, int modes)
    : in_(in_channels), out_(out_channels), modes_(modes) {
  const double scale = 1.0 / (static_cast<double>(in_channels) * out_channels);
  // Real and imaginary parts uniform in [0, scale), as in the reference FNO.
  weight_ = register_parameter("weight", scale * torch::rand({in_, out_, modes_, 2}));
}

torch::Tensor SpectralConv1dImpl::forward(const torch::Tensor& x) {
  const long B = x.size(0), nx = x.size(-1), nk = nx / 2 + 1;
  PDESYM_REQUIRE(modes_ <= nk, "the FNO keeps " << modes_ << " Fourier modes but a grid of nx=" << nx << " has only "
                                                << nk << " (use fewer modes or a finer grid)");
  auto xf = torch::fft::rfft(x, c10::nullopt, -1);                      // [B, in, nk]
  auto w = torch::view_as_complex(weight_);                            // [in, out, modes]
  auto y = torch::einsum("bim,iom->bom", {xf.narrow(-1, 0, modes_), w});  // [B, out, modes]
  if (nk > modes_) y = torch::cat({y, torch::zeros({B, out_, nk - modes_}, y.options())}, -1);
  return torch::fft::irfft(y, nx, -1);
}

// ---- Fno1d ---------------------------------------------------------------------------------------------------

namespace {
// Pointwise (kernel 1) convolution. The dilation is a no-op for kernel size 1, but it keeps LibTorch on its
// oneDNN convolution: for 1x1 kernels with batch < 16 on one thread, LibTorch 1.13 switches to its THNN path,
// which calls the system BLAS sgemm (Debian's reference BLAS: about 4x slower per sample). This matters under
// MPI, where each rank sees a fraction of the batch with one thread.
torch::nn::Conv1d pointwise(int in, int out) {
  return torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, 1).dilation(2));
}
}  // namespace

Fno1d::Fno1d(const ModelConfig& cfg) : Surrogate(cfg) {
  cfg.validate();
  const int tw = cfg.time_window, w = cfg.width;
  lift_ = register_module("lift", pointwise(tw + 2, w));
  for (int i = 0; i < cfg.layers; ++i) {
    spectral_.push_back(register_module("spectral" + std::to_string(i), SpectralConv1d(w, w, cfg.modes)));
    pointwise_.push_back(register_module("pointwise" + std::to_string(i), pointwise(w, w)));
  }
  proj1_ = register_module("proj1", pointwise(w, cfg.proj_hidden));
  proj2_ = register_module("proj2", pointwise(cfg.proj_hidden, tw));
}

torch::Tensor Fno1d::forward(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) {
  auto x = lift_->forward(with_grid_channels(u, dx, dt));
  const std::size_t L = spectral_.size();
  for (std::size_t i = 0; i < L; ++i) {
    auto y = spectral_[i]->forward(x) + pointwise_[i]->forward(x);
    x = (i + 1 < L) ? torch::gelu(y) : y;
  }
  return proj2_->forward(torch::gelu(proj1_->forward(x)));
}

// ---- ResNet1d ------------------------------------------------------------------------------------------------

ResNet1d::ResNet1d(const ModelConfig& cfg) : Surrogate(cfg) {
  cfg.validate();
  const int tw = cfg.time_window, w = cfg.width, k = cfg.kernel_size;
  auto conv = [&](int in, int out) {
    return torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, k).padding(k / 2).padding_mode(torch::kCircular));
  };
  in_ = register_module("input", conv(tw + 2, w));
  for (int i = 0; i < cfg.layers; ++i) {
    conv_a_.push_back(register_module("block" + std::to_string(i) + "a", conv(w, w)));
    conv_b_.push_back(register_module("block" + std::to_string(i) + "b", conv(w, w)));
  }
  out_ = register_module("output", conv(w, tw));
}

torch::Tensor ResNet1d::forward(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) {
  auto x = torch::gelu(in_->forward(with_grid_channels(u, dx, dt)));
  for (std::size_t i = 0; i < conv_a_.size(); ++i) x = x + conv_b_[i]->forward(torch::gelu(conv_a_[i]->forward(x)));
  return out_->forward(torch::gelu(x));
}

// ---- helpers -------------------------------------------------------------------------------------------------

std::shared_ptr<Surrogate> make_model(const ModelConfig& cfg) {
  cfg.validate();
  if (cfg.dim != 1 || cfg.nc != 1) return make_model_multi(cfg);
  if (cfg.kind == "fno") return std::make_shared<Fno1d>(cfg);
  return std::make_shared<ResNet1d>(cfg);
}

torch::Tensor rollout(Surrogate& model, const torch::Tensor& u0, const torch::Tensor& dx, const torch::Tensor& dt,
                      int steps) {
  PDESYM_REQUIRE(steps >= 1, "rollout needs at least one step (got " << steps << ")");
  const int tw = model.config().time_window;
  std::vector<torch::Tensor> outs;
  torch::Tensor cur = u0;
  for (int done = 0; done < steps;) {
    cur = model.forward(cur, dx, dt);
    const int take = std::min(tw, steps - done);
    outs.push_back(take == tw ? cur : cur.narrow(1, 0, take));
    done += take;
  }
  return outs.size() == 1 ? outs[0] : torch::cat(outs, 1);
}

torch::Tensor flatten_parameters(const torch::nn::Module& m) {
  std::vector<torch::Tensor> pieces;
  for (const auto& p : m.parameters()) {
    auto d = p.detach();
    pieces.push_back((d.is_complex() ? torch::view_as_real(d) : d).reshape({-1}).to(torch::kFloat32));
  }
  if (pieces.empty()) return torch::zeros({0});
  return torch::cat(pieces);
}

void save_model(const std::string& path, Surrogate& model) {
  torch::serialize::OutputArchive ar, m;
  ar.write("format", c10::IValue(std::string("pdesym-surrogate")));
  ar.write("model_config", c10::IValue(model.config().to_json().dump()));
  model.save(m);
  ar.write("model", m);
  // Serialised in memory, then written with checked I/O: LibTorch's file writer throws from its destructor
  // when the disk is full, which would terminate the process.
  std::ostringstream bytes;
  ar.save_to(bytes);
  write_bytes_atomic(path, bytes.str());
}

std::shared_ptr<Surrogate> load_model(const std::string& path, bool best) {
  PDESYM_REQUIRE(file_exists(path), "model file '" << path << "' not found");
  try {
    torch::serialize::InputArchive ar;
    ar.load_from(path);
    c10::IValue fmt, cfg;
    PDESYM_REQUIRE(ar.try_read("format", fmt) && fmt.isString() && fmt.toStringRef() == "pdesym-surrogate",
                   "'" << path << "' is not a pdesym surrogate model (no format tag)");
    ar.read("model_config", cfg);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(cfg.toStringRef());
    } catch (const nlohmann::json::exception& e) {
      throw InputError("'" + path + "': unreadable model configuration: " + e.what());
    }
    auto model = make_model(ModelConfig::from_json(j));
    torch::serialize::InputArchive sub;
    if (!(best && ar.try_read("best_model", sub))) ar.read("model", sub);
    model->load(sub);
    return model;
  } catch (const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    throw InputError("'" + path + "' is not a valid pdesym model file: " +
                     msg.substr(0, std::min<std::size_t>(300, msg.find('\n'))));
  }
}

}  // namespace pdesym::surrogates
