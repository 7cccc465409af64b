// Fused AdamW (surrogates/adamw.hpp) against LibTorch's torch::optim::AdamW: the same parameters after several
// steps (round-off only; its zero_grad() releases the gradients, LibTorch's zero-fills them), per-parameter step
// counts when a gradient is missing, and the state archive: a save/load
// round trip continues bit-identically, and a LibTorch AdamW archive (older checkpoints) is read.
#include <gtest/gtest.h>

#include <sstream>

#include "pdesym/common/error.hpp"
#include "pdesym/surrogates/adamw.hpp"

using namespace pdesym::surrogates;

namespace {

std::vector<torch::Tensor> make_params(torch::Dtype dt) {
  torch::manual_seed(3);
  std::vector<torch::Tensor> ps;
  for (auto shape : std::vector<std::vector<int64_t>>{{7, 5}, {33}, {2, 3, 4}})
    ps.push_back(torch::randn(shape, torch::TensorOptions().dtype(dt)).requires_grad_(true));
  return ps;
}

std::vector<torch::Tensor> clone_params(const std::vector<torch::Tensor>& ps) {
  std::vector<torch::Tensor> out;
  for (const auto& p : ps) out.push_back(p.detach().clone().requires_grad_(true));
  return out;
}

// A loss with gradients of both signs and different scales; `skip` leaves parameter 1 without a gradient.
void backward(const std::vector<torch::Tensor>& ps, int k, bool skip) {
  torch::Tensor loss = torch::zeros({}, ps[0].options());
  for (std::size_t i = 0; i < ps.size(); ++i) {
    if (skip && i == 1) continue;
    loss = loss + (ps[i].sin() * (1.0 + 0.3 * k)).sum() + 1e-3 * (i + 1) * ps[i].pow(2).sum();
  }
  loss.backward();
}

// The bytes of an optimizer's state archive, and loading them into a fused AdamW.
template <class Opt>
std::string state_bytes(const Opt& o) {
  torch::serialize::OutputArchive out;
  o.save(out);
  std::ostringstream bytes;
  out.save_to(bytes);
  return bytes.str();
}
void load_state(AdamW& o, const std::string& bytes, const std::string& where) {
  torch::serialize::InputArchive in;
  std::istringstream is(bytes);
  in.load_from(is);
  o.load(in, where);
}

double max_rel(const std::vector<torch::Tensor>& a, const std::vector<torch::Tensor>& b) {
  double e = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    e = std::max(e, ((a[i] - b[i]).abs().max() / b[i].abs().max()).item<double>());
  return e;
}

}  // namespace

TEST(AdamW, EqualsLibTorchToRoundOff) {
  for (auto dt : {torch::kFloat32, torch::kFloat64}) {
    auto pa = make_params(dt);
    auto pb = clone_params(pa);
    torch::optim::AdamW ref(pa, torch::optim::AdamWOptions(3e-2).weight_decay(0.1));
    AdamW fused(pb, AdamWConfig{3e-2, 0.9, 0.999, 1e-8, 0.1});
    for (int k = 0; k < 12; ++k) {
      const bool skip = k == 4 || k == 7;  // parameter 1 without a gradient: skipped, its step count lags
      ref.zero_grad();
      fused.zero_grad();  // releases the gradients (LibTorch 1.13's zero-fills them)
      for (const auto& p : pb) EXPECT_FALSE(p.grad().defined());
      if (skip) pa[1].mutable_grad() = torch::Tensor();  // LibTorch skips only undefined gradients
      backward(pa, k, skip);
      backward(pb, k, skip);
      ref.step();
      fused.step();
    }
    const double tol = dt == torch::kFloat32 ? 2e-6 : 1e-14;
    EXPECT_LE(max_rel(pb, pa), tol) << "dtype " << dt;
    EXPECT_GT(max_rel(pb, make_params(dt)), 0.05) << "the parameters moved";
    EXPECT_EQ(fused.steps(), (std::vector<int64_t>{12, 10, 12}));
    const auto& s1 = static_cast<const torch::optim::AdamWParamState&>(
        *ref.state().at(c10::guts::to_string(pa[1].unsafeGetTensorImpl())));
    EXPECT_EQ(s1.step(), 10);
    EXPECT_LE(((fused.exp_avg_sq()[1] - s1.exp_avg_sq()).abs().max() / s1.exp_avg_sq().abs().max()).item<double>(),
              tol);
  }
}

TEST(AdamW, StateRoundTripResumesBitIdentically) {
  auto pa = make_params(torch::kFloat32);
  auto pb = clone_params(pa);
  AdamW a(pa, AdamWConfig{1e-2, 0.9, 0.999, 1e-8, 1e-2});
  for (int k = 0; k < 3; ++k) {
    a.zero_grad();
    backward(pa, k, false);
    a.step();
  }
  const std::string bytes = state_bytes(a);
  for (std::size_t i = 0; i < pa.size(); ++i) pb[i].detach().copy_(pa[i].detach());
  AdamW b(pb, AdamWConfig{1e-2, 0.9, 0.999, 1e-8, 1e-2});
  load_state(b, bytes, "test");
  for (int k = 3; k < 6; ++k) {
    a.zero_grad();
    b.zero_grad();
    backward(pa, k, false);
    backward(pb, k, false);
    a.step();
    b.step();
  }
  for (std::size_t i = 0; i < pa.size(); ++i) EXPECT_TRUE(torch::equal(pa[i], pb[i])) << "parameter " << i;
}

TEST(AdamW, ReadsLibTorchAdamWStateAndRefusesAMismatch) {
  auto pa = make_params(torch::kFloat32);
  auto pb = clone_params(pa);
  torch::optim::AdamW ref(pa, torch::optim::AdamWOptions(1e-2).weight_decay(1e-2));
  for (int k = 0; k < 3; ++k) {
    ref.zero_grad();
    backward(pa, k, false);
    ref.step();
  }
  const std::string bytes = state_bytes(ref);
  for (std::size_t i = 0; i < pa.size(); ++i) pb[i].detach().copy_(pa[i].detach());
  AdamW fused(pb, AdamWConfig{1e-2, 0.9, 0.999, 1e-8, 1e-2});
  load_state(fused, bytes, "old checkpoint");
  EXPECT_EQ(fused.steps(), (std::vector<int64_t>{3, 3, 3}));
  for (int k = 3; k < 6; ++k) {
    ref.zero_grad();
    fused.zero_grad();
    backward(pa, k, false);
    backward(pb, k, false);
    ref.step();
    fused.step();
  }
  EXPECT_LE(max_rel(pb, pa), 2e-6);
  // A fused archive for other parameters is refused with an InputError naming the source.
  const AdamW other({torch::zeros({4}, torch::requires_grad())}, AdamWConfig{});
  try {
    load_state(fused, state_bytes(other), "checkpoint 'x.pt'");
    FAIL() << "expected an InputError";
  } catch (const pdesym::InputError& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint 'x.pt'"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("1 parameters"), std::string::npos) << e.what();
  }
}
