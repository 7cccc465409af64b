// FNO-1d and ResNet-1d surrogates (see models.hpp).
#include "pdesym/surrogates/models.hpp"
#include "pdesym/surrogates/models2d.hpp"
#include "pdesym/surrogates/promote.hpp"

#include <cmath>
#include <sstream>

#include "fno_kernels.hpp"
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
  // Real and imaginary parts uniform in [0, scale), as in the reference FNO; drawn in the order of the
  // version-1 layout [in, out, modes, 2], so a seed gives the same initial model as before.
  weight_ = register_parameter("weight",
                               (scale * torch::rand({in_, out_, modes_, 2})).permute({2, 3, 0, 1}).contiguous());
}

namespace {
void require_modes(int modes, long nx) {
  const long nk = nx / 2 + 1;
  PDESYM_REQUIRE(modes <= nk, "the FNO keeps " << modes << " Fourier modes but a grid of nx=" << nx << " has only "
                                               << nk << " (use fewer modes or a finer grid)");
}
}  // namespace

torch::Tensor SpectralConv1dImpl::forward(const torch::Tensor& x) {
  PDESYM_REQUIRE(x.dim() == 3 && x.size(1) == in_, "spectral convolution input must be [batch, " << in_ << ", nx]");
  const long B = x.size(0), nx = x.size(2);
  auto y = forward_batch_major(x.transpose(1, 2).reshape({B * nx, in_}), nx);
  return y.view({B, nx, out_}).transpose(1, 2).contiguous();
}

torch::Tensor SpectralConv1dImpl::forward_batch_major(const torch::Tensor& x, long nx) {
  require_modes(modes_, nx);
  return detail::spectral(x, nx, weight_);
}

// ---- Fno1d ---------------------------------------------------------------------------------------------------

namespace {
// Pointwise (kernel 1) layers: torch Conv1d modules hold their parameters (weight [out, in, 1], bias [out]; the
// same names, shapes and initialisation as before), but Fno1d::forward applies them as GEMMs on its batch-major
// layout (detail::pointwise / detail::fourier_layer), not through Conv1d::forward.
torch::nn::Conv1d pointwise(int in, int out) { return torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, 1)); }
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
  const auto in = with_grid_channels(u, dx, dt);  // [B, tw + 2, nx]
  const long B = in.size(0), nx = in.size(2);
  require_modes(cfg_.modes, nx);
  // Batch-major rows (point j of sample b at row b * nx + j) from here to the output.
  auto x = detail::pointwise(in.transpose(1, 2).reshape({B * nx, in.size(1)}), lift_->weight, lift_->bias);
  const std::size_t L = spectral_.size();
  for (std::size_t i = 0; i < L; ++i) {
    auto y = detail::fourier_layer(x, nx, spectral_[i]->weight(), pointwise_[i]->weight, pointwise_[i]->bias);
    x = (i + 1 < L) ? torch::gelu(y) : y;
  }
  auto h = torch::gelu(detail::pointwise(x, proj1_->weight, proj1_->bias));
  auto out = detail::pointwise(h, proj2_->weight, proj2_->bias);  // [B * nx, tw]
  return out.view({B, nx, cfg_.time_window}).transpose(1, 2).contiguous();
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
  detail::retain_freed_memory();
  if (!cfg.enforce.empty()) {
    ModelConfig plain = cfg;
    plain.enforce.clear();
    return std::make_shared<Symmetrized>(cfg, make_model(plain));
  }
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

int read_format_version(torch::serialize::InputArchive& ar) {
  c10::IValue v;
  if (!ar.try_read("format_version", v)) return 1;
  return v.isInt() ? static_cast<int>(v.toInt()) : -1;
}

void load_parameters(Surrogate& model, torch::serialize::InputArchive& sub, int version, const std::string& what) {
  PDESYM_REQUIRE(version == 1 || version == kModelFormatVersion,
                 what << " has parameter format version " << version << "; this pdesym reads versions 1 and "
                      << kModelFormatVersion);
  std::vector<std::vector<int64_t>> expected;  // shapes of the freshly built model
  for (const auto& p : model.parameters()) expected.emplace_back(p.sizes().begin(), p.sizes().end());
  model.load(sub);  // Module::load replaces each parameter by the stored tensor (shape included)
  torch::NoGradGuard ng;
  for (const auto& child : model.modules(/*include_self=*/false)) {
    auto* sc = dynamic_cast<SpectralConv1dImpl*>(child.get());
    if (sc == nullptr || version != 1) continue;
    auto w = sc->named_parameters(false)["weight"];
    PDESYM_REQUIRE(w.dim() == 4 && w.size(3) == 2,
                   what << ": a version-1 spectral weight must be [in, out, modes, 2]; got " << shape(w));
    w.set_(w.permute({2, 3, 0, 1}).contiguous());  // [in, out, modes, 2] -> [modes, 2, in, out]
  }
  const auto got = model.parameters();
  for (std::size_t i = 0; i < got.size(); ++i)
    PDESYM_REQUIRE(got[i].sizes() == c10::IntArrayRef(expected[i]),
                   what << ": parameter " << i << " has shape " << shape(got[i]) << ", the model expects "
                        << c10::IntArrayRef(expected[i]) << " (format version " << version << ")");
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
  ar.write("format_version", c10::IValue(static_cast<int64_t>(kModelFormatVersion)));
  ar.write("model_config", c10::IValue(model.config().to_json().dump()));
  model.save(m);
  ar.write("model", m);
  // Serialised in memory, then written with checked I/O: LibTorch's file writer throws from its destructor
  // when the disk is full, which would terminate the process.
  std::ostringstream bytes;
  ar.save_to(bytes);
  write_bytes_atomic(path, bytes.str());
}

std::shared_ptr<Surrogate> load_model(const std::string& path, bool best) { return load_model_file(path, best).model; }

LoadedModel load_model_file(const std::string& path, bool best) {
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
    LoadedModel out;
    out.model = make_model(ModelConfig::from_json(j));
    const int version = read_format_version(ar);
    torch::serialize::InputArchive sub;
    out.used_best = best && ar.try_read("best_model", sub);
    if (!out.used_best) ar.read("model", sub);
    load_parameters(*out.model, sub, version, "model file '" + path + "'");
    c10::IValue epoch;
    if ((out.used_best && ar.try_read("best_epoch", epoch)) || ar.try_read("epoch", epoch))
      out.epoch = static_cast<int>(epoch.toInt());
    return out;
  } catch (const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    throw InputError("'" + path + "' is not a valid pdesym model file: " +
                     msg.substr(0, std::min<std::size_t>(300, msg.find('\n'))));
  }
}

}  // namespace pdesym::surrogates
