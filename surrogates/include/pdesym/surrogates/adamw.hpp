#pragma once
// Fused AdamW: the update of torch::optim::AdamW (LibTorch 1.13; decoupled weight decay, bias correction, no
// amsgrad) in one pass over each parameter's elements instead of LibTorch's seven tensor operations:
//   p <- p (1 - lr wd);  m <- beta1 m + (1 - beta1) g;  v <- beta2 v + (1 - beta2) g^2;
//   p <- p - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps),
// t = the parameter's own step count (parameters without a gradient are skipped and keep their count). The same
// operations in the same order and precision (float scalars for float parameters), so results equal LibTorch's to
// round-off (tests/surrogates/test_adamw.cpp). Parameters: contiguous float32 or float64 leaf tensors.
#include <torch/torch.h>

#include <cstdint>
#include <string>
#include <vector>

namespace pdesym::surrogates {

struct AdamWConfig {
  double lr = 1e-3;
  double beta1 = 0.9, beta2 = 0.999;
  double eps = 1e-8;
  double weight_decay = 1e-2;
};

class AdamW {
 public:
  AdamW(std::vector<torch::Tensor> params, AdamWConfig cfg);
  /// Releases every gradient (sets it undefined), as PyTorch's zero_grad(set_to_none=True), the default since
  /// PyTorch 2.0: the next backward pass stores its gradients instead of filling zeros and adding to them (two
  /// passes over all parameters saved per step). Unlike LibTorch 1.13's zero_grad(), which zero-fills, a
  /// parameter that then gets no gradient is skipped by step() rather than decayed with a zero gradient; every
  /// parameter of pdesym's models gets a gradient in every training step (train() on several ranks fills
  /// missing ones with zeros before the exchange), so training is unchanged.
  void zero_grad();
  void step();
  const AdamWConfig& config() const { return cfg_; }
  const std::vector<int64_t>& steps() const { return step_; }
  const std::vector<torch::Tensor>& exp_avg() const { return m_; }
  const std::vector<torch::Tensor>& exp_avg_sq() const { return v_; }
  /// State archive: "format" = kFormat, "count", then per parameter i "step_i", "exp_avg_i", "exp_avg_sq_i".
  void save(torch::serialize::OutputArchive& ar) const;
  /// Reads what save() wrote, or the archive of a torch::optim::AdamW over the same parameters (checkpoints
  /// written before the fused optimizer). Throws pdesym::InputError if the archive does not fit the parameters.
  void load(torch::serialize::InputArchive& ar, const std::string& where);
  static constexpr const char* kFormat = "pdesym-adamw-1";

 private:
  std::vector<torch::Tensor> params_, m_, v_;
  std::vector<int64_t> step_;
  AdamWConfig cfg_;
};

}  // namespace pdesym::surrogates
