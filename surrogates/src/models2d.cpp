// FNO-2d and ResNet-2d surrogates for multi-component 2-D fields, the 1-D multi-component wrapper (see
// models2d.hpp), and the any-shape rollout.
#include "pdesym/surrogates/models2d.hpp"

#include <sstream>

#include "pdesym/common/error.hpp"

namespace pdesym::surrogates {

namespace {

std::string shape_of(const torch::Tensor& t) {
  std::ostringstream os;
  os << t.sizes();
  return os.str();
}

// [B, tw * nc + 3, ny, nx]: the states as channels, then dx, dy, dt as constant channels (checks shapes).
torch::Tensor input_channels(const ModelConfig& cfg, const torch::Tensor& u, const torch::Tensor& dx,
                             const torch::Tensor& dy, const torch::Tensor& dt) {
  PDESYM_REQUIRE(u.dim() == 5 && u.size(1) == cfg.time_window && u.size(2) == cfg.nc,
                 "2-D model input must be [batch, " << cfg.time_window << ", " << cfg.nc << ", ny, nx]; got "
                                                    << shape_of(u));
  const long B = u.size(0), ny = u.size(3), nx = u.size(4);
  PDESYM_REQUIRE(dx.numel() == B && dy.numel() == B && dt.numel() == B,
                 "dx, dy and dt must have one entry per batch element (" << B << "); got " << dx.numel() << ", "
                                                                         << dy.numel() << " and " << dt.numel());
  auto chan = [&](const torch::Tensor& v) { return v.to(u.dtype()).reshape({B, 1, 1, 1}).expand({B, 1, ny, nx}); };
  return torch::cat({u.reshape({B, cfg.time_window * cfg.nc, ny, nx}), chan(dx), chan(dy), chan(dt)}, 1);
}

[[noreturn]] void needs_dy() {
  throw InputError("a 2-D surrogate needs dy: call step(u [B, tw, nc, ny, nx], dx, dy, dt)");
}

torch::nn::Conv2d pointwise2d(int in, int out) { return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, 1)); }

}  // namespace

// ---- SpectralConv2d ------------------------------------------------------------------------------------------

SpectralConv2dImpl::SpectralConv2dImpl(int in_channels, int out_channels, int modes)
    : in_(in_channels), out_(out_channels), modes_(modes) {
  const double scale = 1.0 / (static_cast<double>(in_channels) * out_channels);
  weight_pos_ = register_parameter("weight_pos", scale * torch::rand({in_, out_, modes_, modes_, 2}));
  weight_neg_ = register_parameter("weight_neg", scale * torch::rand({in_, out_, modes_, modes_, 2}));
}

torch::Tensor SpectralConv2dImpl::forward(const torch::Tensor& x) {
  const long B = x.size(0), ny = x.size(-2), nx = x.size(-1), nkx = nx / 2 + 1, m = modes_;
  PDESYM_REQUIRE(m <= nkx && 2 * m <= ny, "the 2-D FNO keeps " << m << " x " << m << " Fourier modes (both signs of "
                                          << "ky) but a grid of " << ny << " x " << nx << " (ny x nx) allows at most "
                                          << std::min(nkx, ny / 2) << " (use fewer modes or a finer grid)");
  auto xf = torch::fft::rfft2(x, c10::nullopt, {-2, -1});  // [B, in, ny, nkx]
  auto lo = torch::einsum("biyx,ioyx->boyx",
                          {xf.narrow(-2, 0, m).narrow(-1, 0, m), torch::view_as_complex(weight_pos_)});
  auto hi = torch::einsum("biyx,ioyx->boyx",
                          {xf.narrow(-2, ny - m, m).narrow(-1, 0, m), torch::view_as_complex(weight_neg_)});
  std::vector<torch::Tensor> rows{lo};
  if (ny > 2 * m) rows.push_back(torch::zeros({B, out_, ny - 2 * m, m}, lo.options()));
  rows.push_back(hi);
  auto y = torch::cat(rows, -2);  // [B, out, ny, m]
  if (nkx > m) y = torch::cat({y, torch::zeros({B, out_, ny, nkx - m}, y.options())}, -1);
  return torch::fft::irfft2(y, std::vector<int64_t>{ny, nx}, {-2, -1});
}

// ---- Fno2d ---------------------------------------------------------------------------------------------------

Fno2d::Fno2d(const ModelConfig& cfg) : Surrogate(cfg) {
  cfg.validate();
  PDESYM_CHECK(cfg.dim == 2, "Fno2d built for dim " << cfg.dim);
  const int ch = cfg.time_window * cfg.nc, w = cfg.width;
  lift_ = register_module("lift", pointwise2d(ch + 3, w));
  for (int i = 0; i < cfg.layers; ++i) {
    spectral_.push_back(register_module("spectral" + std::to_string(i), SpectralConv2d(w, w, cfg.modes)));
    pointwise_.push_back(register_module("pointwise" + std::to_string(i), pointwise2d(w, w)));
  }
  proj1_ = register_module("proj1", pointwise2d(w, cfg.proj_hidden));
  proj2_ = register_module("proj2", pointwise2d(cfg.proj_hidden, ch));
}

torch::Tensor Fno2d::forward(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) { needs_dy(); }

torch::Tensor Fno2d::step(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dy,
                          const torch::Tensor& dt) {
  auto x = lift_->forward(input_channels(cfg_, u, dx, dy, dt));
  const std::size_t L = spectral_.size();
  for (std::size_t i = 0; i < L; ++i) {
    auto y = spectral_[i]->forward(x) + pointwise_[i]->forward(x);
    x = (i + 1 < L) ? torch::gelu(y) : y;
  }
  return proj2_->forward(torch::gelu(proj1_->forward(x))).reshape(u.sizes());
}

// ---- ResNet2d ------------------------------------------------------------------------------------------------

ResNet2d::ResNet2d(const ModelConfig& cfg) : Surrogate(cfg) {
  cfg.validate();
  PDESYM_CHECK(cfg.dim == 2, "ResNet2d built for dim " << cfg.dim);
  const int ch = cfg.time_window * cfg.nc, w = cfg.width, k = cfg.kernel_size;
  auto conv = [&](int in, int out) {
    return torch::nn::Conv2d(torch::nn::Conv2dOptions(in, out, k).padding(k / 2).padding_mode(torch::kCircular));
  };
  in_ = register_module("input", conv(ch + 3, w));
  for (int i = 0; i < cfg.layers; ++i) {
    conv_a_.push_back(register_module("block" + std::to_string(i) + "a", conv(w, w)));
    conv_b_.push_back(register_module("block" + std::to_string(i) + "b", conv(w, w)));
  }
  out_ = register_module("output", conv(w, ch));
}

torch::Tensor ResNet2d::forward(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) { needs_dy(); }

torch::Tensor ResNet2d::step(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dy,
                             const torch::Tensor& dt) {
  auto x = torch::gelu(in_->forward(input_channels(cfg_, u, dx, dy, dt)));
  for (std::size_t i = 0; i < conv_a_.size(); ++i) x = x + conv_b_[i]->forward(torch::gelu(conv_a_[i]->forward(x)));
  return out_->forward(torch::gelu(x)).reshape(u.sizes());
}

// ---- helpers -------------------------------------------------------------------------------------------------

// ---- Stacked1d -----------------------------------------------------------------------------------------------

namespace {
ModelConfig stacked_inner(const ModelConfig& cfg) {
  ModelConfig in = cfg;
  in.time_window = cfg.time_window * cfg.nc;
  in.nc = 1;
  return in;
}
}  // namespace

Stacked1d::Stacked1d(const ModelConfig& cfg) : Surrogate(cfg) {
  cfg.validate();
  PDESYM_CHECK(cfg.dim == 1 && cfg.nc > 1, "Stacked1d built for dim " << cfg.dim << ", nc " << cfg.nc);
  inner_ = register_module("inner", make_model(stacked_inner(cfg)));
}

torch::Tensor Stacked1d::forward(const torch::Tensor&, const torch::Tensor&, const torch::Tensor&) {
  throw InputError("a multi-component 1-D surrogate takes u [B, tw, nc, 1, nx]: call step(u, dx, dy, dt)");
}

torch::Tensor Stacked1d::step(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dy,
                              const torch::Tensor& dt) {
  PDESYM_REQUIRE(u.dim() == 5 && u.size(1) == cfg_.time_window && u.size(2) == cfg_.nc && u.size(3) == 1,
                 "1-D multi-component model input must be [batch, " << cfg_.time_window << ", " << cfg_.nc
                                                                    << ", 1, nx]; got " << shape_of(u));
  const long B = u.size(0), nx = u.size(4);
  return inner_->forward(u.reshape({B, cfg_.time_window * cfg_.nc, nx}), dx, dt).reshape(u.sizes());
}

std::shared_ptr<Surrogate> make_model_multi(const ModelConfig& cfg) {
  cfg.validate();
  PDESYM_CHECK(cfg.dim == 2 || cfg.nc > 1, "make_model_multi for a 1-D scalar config");
  if (cfg.dim == 1) return std::make_shared<Stacked1d>(cfg);
  if (cfg.kind == "fno") return std::make_shared<Fno2d>(cfg);
  return std::make_shared<ResNet2d>(cfg);
}

torch::Tensor rollout(Surrogate& model, const torch::Tensor& u0, const torch::Tensor& dx, const torch::Tensor& dy,
                      const torch::Tensor& dt, int steps) {
  PDESYM_REQUIRE(steps >= 1, "rollout needs at least one step (got " << steps << ")");
  const int tw = model.config().time_window;
  std::vector<torch::Tensor> outs;
  torch::Tensor cur = u0;
  for (int done = 0; done < steps;) {
    cur = model.step(cur, dx, dy, dt);
    const int take = std::min(tw, steps - done);
    outs.push_back(take == tw ? cur : cur.narrow(1, 0, take));
    done += take;
  }
  return outs.size() == 1 ? outs[0] : torch::cat(outs, 1);
}

}  // namespace pdesym::surrogates
