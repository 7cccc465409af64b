#include "pdesym/surrogates/adamw.hpp"

#include <cmath>

#include "adamw_kernel.hpp"
#include "pdesym/common/error.hpp"

namespace pdesym::surrogates {

AdamW::AdamW(std::vector<torch::Tensor> params, AdamWConfig cfg) : params_(std::move(params)), cfg_(cfg) {
  PDESYM_REQUIRE(cfg.lr >= 0 && std::isfinite(cfg.lr), "AdamW: learning rate must be >= 0, got " << cfg.lr);
  PDESYM_REQUIRE(cfg.weight_decay >= 0 && std::isfinite(cfg.weight_decay),
                 "AdamW: weight decay must be >= 0, got " << cfg.weight_decay);
  for (const auto& p : params_) {
    PDESYM_CHECK(p.is_contiguous() && (p.scalar_type() == torch::kFloat32 || p.scalar_type() == torch::kFloat64),
                 "AdamW: parameters must be contiguous float32/float64 tensors");
    m_.push_back(torch::zeros_like(p));
    v_.push_back(torch::zeros_like(p));
  }
  step_.assign(params_.size(), 0);
}

void AdamW::zero_grad() {
  for (auto& p : params_) p.mutable_grad() = torch::Tensor();
}

namespace {
template <class T>
void fused_step(torch::Tensor& p, const torch::Tensor& g, torch::Tensor& m, torch::Tensor& v, const AdamWConfig& c,
                std::int64_t t) {
  const double bc1 = 1 - std::pow(c.beta1, static_cast<double>(t));
  const double bc2 = 1 - std::pow(c.beta2, static_cast<double>(t));
  const torch::Tensor gc = g.contiguous();
  detail::adamw_update<T>(p.data_ptr<T>(), gc.data_ptr<T>(), m.data_ptr<T>(), v.data_ptr<T>(), p.numel(),
           static_cast<T>(1 - c.lr * c.weight_decay), static_cast<T>(c.beta1), static_cast<T>(1 - c.beta1),
           static_cast<T>(c.beta2), static_cast<T>(1 - c.beta2), static_cast<T>(std::sqrt(bc2)), static_cast<T>(c.eps),
           static_cast<T>(-(c.lr / bc1)));
}
}  // namespace

void AdamW::step() {
  torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    torch::Tensor& p = params_[i];
    const torch::Tensor& g = p.grad();
    if (!g.defined()) continue;
    PDESYM_CHECK(g.scalar_type() == p.scalar_type() && g.numel() == p.numel(), "AdamW: gradient does not match its parameter");
    const std::int64_t t = ++step_[i];
    if (p.scalar_type() == torch::kFloat32) fused_step<float>(p, g, m_[i], v_[i], cfg_, t);
    else fused_step<double>(p, g, m_[i], v_[i], cfg_, t);
  }
}

void AdamW::save(torch::serialize::OutputArchive& ar) const {
  ar.write("format", c10::IValue(std::string(kFormat)));
  ar.write("count", c10::IValue(static_cast<int64_t>(params_.size())));
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const std::string k = std::to_string(i);
    ar.write("step_" + k, c10::IValue(step_[i]));
    ar.write("exp_avg_" + k, m_[i], /*is_buffer=*/true);
    ar.write("exp_avg_sq_" + k, v_[i], /*is_buffer=*/true);
  }
}

void AdamW::load(torch::serialize::InputArchive& ar, const std::string& where) {
  torch::NoGradGuard no_grad;
  c10::IValue fmt;
  if (!ar.try_read("format", fmt)) {
    // A torch::optim::AdamW archive (checkpoints before the fused optimizer): let LibTorch read it, copy its state.
    torch::optim::AdamW old(params_, torch::optim::AdamWOptions(cfg_.lr).weight_decay(cfg_.weight_decay));
    old.load(ar);
    for (std::size_t i = 0; i < params_.size(); ++i) {
      const auto it = old.state().find(c10::guts::to_string(params_[i].unsafeGetTensorImpl()));
      if (it == old.state().end()) {
        step_[i] = 0;
        m_[i].zero_();
        v_[i].zero_();
        continue;
      }
      const auto& s = static_cast<const torch::optim::AdamWParamState&>(*it->second);
      PDESYM_REQUIRE(s.exp_avg().sizes() == params_[i].sizes(), where << ": optimizer state of parameter " << i
                                                                     << " has shape " << s.exp_avg().sizes()
                                                                     << ", the model's is " << params_[i].sizes());
      step_[i] = s.step();
      m_[i].copy_(s.exp_avg());
      v_[i].copy_(s.exp_avg_sq());
    }
    return;
  }
  PDESYM_REQUIRE(fmt.isString() && fmt.toStringRef() == kFormat,
                 where << ": unknown optimizer state format '" << (fmt.isString() ? fmt.toStringRef() : "?")
                       << "' (this pdesym reads " << kFormat << ")");
  c10::IValue n;
  ar.read("count", n);
  PDESYM_REQUIRE(n.toInt() == static_cast<int64_t>(params_.size()),
                 where << ": optimizer state for " << n.toInt() << " parameters, the model has " << params_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const std::string k = std::to_string(i);
    c10::IValue s;
    ar.read("step_" + k, s);
    torch::Tensor m, v;
    ar.read("exp_avg_" + k, m, /*is_buffer=*/true);
    ar.read("exp_avg_sq_" + k, v, /*is_buffer=*/true);
    PDESYM_REQUIRE(m.sizes() == params_[i].sizes() && v.sizes() == params_[i].sizes() &&
                       m.scalar_type() == params_[i].scalar_type() && v.scalar_type() == params_[i].scalar_type(),
                   where << ": optimizer state of parameter " << i << " has shape " << m.sizes() << ", the model's is "
                         << params_[i].sizes());
    step_[i] = s.toInt();
    m_[i].copy_(m);
    v_[i].copy_(v);
  }
}

}  // namespace pdesym::surrogates
