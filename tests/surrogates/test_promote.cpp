// Promotion and enforcement (promote.hpp): the exact window action agrees with the augmenter and is a group
// action; the Lie-derivative penalty vanishes to round-off for a model that is equivariant by construction and
// not for a generic FNO or a non-symmetry; group averaging makes a model exactly equivariant.
#include <gtest/gtest.h>

#include <cmath>

#include "pdesym/augment/generators.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/surrogates/models.hpp"
#include "pdesym/surrogates/promote.hpp"
#include "tiny_data.hpp"

using namespace pdesym;
using namespace pdesym::surrogates;

namespace {

constexpr double kPi = 3.14159265358979323846;

ModelConfig tiny_fno(int tw) { return testdata::tiny_model("fno", 6, tw); }

// Band-limited random windows [B, T, nx] (no Nyquist mode, so sub-grid Fourier shifts compose exactly).
torch::Tensor smooth_windows(int B, int T, int nx, int kmax) {
  torch::Tensor x = torch::arange(nx, torch::kFloat64) * (2 * kPi / nx);
  torch::Tensor u = torch::zeros({B, T, nx}, torch::kFloat64);
  for (int k = 1; k <= kmax; ++k) {
    torch::Tensor a = torch::randn({B, T, 1}, torch::kFloat64), b = torch::randn({B, T, 1}, torch::kFloat64);
    u = u + (a * torch::cos(k * x) + b * torch::sin(k * x)) / k;
  }
  return u + 0.3;
}

// Transport by the mean of the last input level: level k of the output is the last input level shifted by
// (k + 1) dt mean(u). Exactly equivariant under x-translations, Galilean boosts t d_x + d_u and every scaling
// x d_x + (1 + q) t d_t - q u d_u (KdV: q = 2, Burgers: q = 1), and not under u d_u.
class Transport : public Surrogate {
 public:
  explicit Transport(const ModelConfig& c) : Surrogate(c) {}
  torch::Tensor forward(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) override {
    const long B = u.size(0), tw = u.size(1), nx = u.size(2);
    torch::Tensor last = u.select(1, tw - 1);                       // [B, nx]
    torch::Tensor c = last.mean(1);                                 // [B]
    torch::Tensor k = torch::fft::fftfreq(nx, 1.0, u.options()) * (2 * kPi);
    torch::Tensor lag = (torch::arange(1, tw + 1, u.options()).unsqueeze(0) * dt.unsqueeze(1) * c.unsqueeze(1)) /
                        dx.unsqueeze(1);                              // [B, tw] in grid units
    torch::Tensor ang = -lag.unsqueeze(2) * k.view({1, 1, nx});
    torch::Tensor spec = torch::fft::fft(last, c10::nullopt, 1).unsqueeze(1);
    (void)B;
    return torch::real(torch::fft::ifft(spec * torch::polar(torch::ones_like(ang), ang), c10::nullopt, 2));
  }
};

double penalty_of(Surrogate& m, const std::string& spec, const torch::Tensor& X, const torch::Tensor& dx,
                  const torch::Tensor& dt, double h = 1e-2) {
  torch::NoGradGuard ng;
  const Promoter p(augment::load_generators(spec), h);
  EXPECT_TRUE(p.active()) << spec;
  const torch::Tensor fX = m.forward(X, dx, dt);
  const double scale = fX.pow(2).mean().item<double>();
  return p.penalty(m, X, dx, dx, dt, fX, static_cast<double>(X.size(0))).item<double>() / scale;
}

}  // namespace

TEST(Promote, WindowActionIsTheAugmentersTransformationAndAGroupAction) {
  torch::manual_seed(1);
  const int nx = 64, T = 6;
  const double dx = 0.5, dt = 0.1;
  const torch::Tensor u = smooth_windows(1, T, nx, 5);
  for (const std::string label : {"d_x", "t*d_x + d_u", "x*d_x + 3*t*d_t - 2*u*d_u", "d_x + t*d_x + d_u"}) {
    const augment::GeneratorSet set = augment::load_generators("gen:" + label);
    const augment::VectorField& V = set.generators.at(0).field;
    const AffineWindowAction a(V);
    const double eps = 0.3;
    Window w{u.unsqueeze(2).unsqueeze(3), torch::full({1}, dx, torch::kFloat64), torch::zeros({1}, torch::kFloat64),
             torch::full({1}, dt, torch::kFloat64)};
    const Window tw = a.apply(w, eps, 0);
    // The augmenter on the same trajectory (x_j = j dx, t_n = n dt).
    Field f(FieldShape{1, 1, T, 1, nx}, dx, 0.0, dt);
    const torch::Tensor uc = u.contiguous();
    std::copy(uc.data_ptr<double>(), uc.data_ptr<double>() + T * nx, f.data.begin());
    const Field g = augment::Augmenter(set).apply(f, {eps});
    double err = 0, mx = 0;
    const torch::Tensor got = tw.u.reshape({T, nx}).contiguous();
    for (int k = 0; k < T * nx; ++k) {
      err = std::max(err, std::abs(got.data_ptr<double>()[k] - g.data[k]));
      mx = std::max(mx, std::abs(g.data[k]));
    }
    EXPECT_LT(err, 1e-11 * mx) << label;
    EXPECT_NEAR(tw.dx.item<double>(), g.dx, 1e-14) << label;
    EXPECT_NEAR(tw.dt.item<double>(), g.dt, 1e-14) << label;
    // exp(-eps V) exp(eps V) = identity on the window.
    const Window back = a.apply(tw, -eps, 0);
    EXPECT_LT((back.u - w.u).abs().max().item<double>(), 1e-12) << label;
    EXPECT_NEAR(back.dx.item<double>(), dx, 1e-15);
  }
}

// A randomly initialised FNO in double is not equivariant: its relative penalty along `spec` is > 1e-4, and the
// difference quotients at h = 1e-2 and 1e-3 agree to within rel_tol (the quotient converges as h shrinks).
static void expect_generic_fno_penalty(int tw, const std::string& spec, const torch::Tensor& X, const torch::Tensor& dx,
                                       const torch::Tensor& dt, double rel_tol) {
  auto fno = make_model(tiny_fno(tw));
  fno->to(torch::kFloat64);
  const double p1 = penalty_of(*fno, spec, X, dx, dt, 1e-2), p2 = penalty_of(*fno, spec, X, dx, dt, 1e-3);
  std::printf("generic FNO, %s: relative penalty %.3e (h = 1e-2), %.3e (h = 1e-3)\n", spec.c_str(), p1, p2);
  EXPECT_GT(p1, 1e-4) << spec;
  EXPECT_LT(std::abs(p1 - p2), rel_tol * p2) << spec;
}

TEST(Promote, PenaltyIsRoundOffForAnEquivariantModelAndNotForAGenericOne) {
  torch::manual_seed(2);
  const int tw = 5, nx = 64, B = 4;
  const torch::Tensor X = smooth_windows(B, tw, nx, 6);
  const torch::Tensor dx = torch::full({B}, 0.4, torch::kFloat64), dt = torch::full({B}, 0.05, torch::kFloat64);
  Transport transport(tiny_fno(tw));
  for (const std::string spec : {"known:kdv", "known:burgers"}) {
    const double p = penalty_of(transport, spec, X, dx, dt);
    std::printf("transport model, %s: relative penalty %.3e\n", spec.c_str(), p);
    EXPECT_LT(p, 1e-20) << spec;
  }
  // A non-symmetry of the transport model: u d_u changes the transport speed.
  const double pu = penalty_of(transport, "gen:u*d_u", X, dx, dt);
  std::printf("transport model, u*d_u: relative penalty %.3e\n", pu);
  EXPECT_GT(pu, 1e-5);
  // A generic (randomly initialised) FNO: its Lie derivatives along the KdV algebra do not vanish, and the
  // difference quotient converges to them (O(h)).
  expect_generic_fno_penalty(tw, "known:kdv", X, dx, dt, 0.1);
}

// Persistence: every output level is the last input level. Linear, and exactly equivariant under every field
// whose xi - a x and phi do not depend on t (each level is transformed alike), but not under t-dependent ones.
class Persist : public Surrogate {
 public:
  explicit Persist(const ModelConfig& c) : Surrogate(c) {}
  torch::Tensor forward(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) override {
    return u.select(1, u.size(1) - 1).unsqueeze(1).expand_as(u).clone();
  }
};

// The first-order characteristic is the derivative at eps = 0 of the exact transformation: of the affine window
// action, and of the augmenter's general (RK4) flow for u d_x and u^2 d_u.
TEST(Promote, FirstOrderCharacteristicIsTheDerivativeOfTheFlow) {
  torch::manual_seed(4);
  const int nx = 64, T = 6;
  const double dx = 0.5, dt = 0.1, eps = 1e-4;
  const torch::Tensor u = smooth_windows(1, T, nx, 5);
  const torch::Tensor dxt = torch::full({1}, dx, torch::kFloat64), dtt = torch::full({1}, dt, torch::kFloat64);
  for (const std::string label : {"d_x", "t*d_x + d_u", "x*d_x + 3*t*d_t - 2*u*d_u", "u*d_x", "u^2*d_u",
                                  "u*d_x + t*u*d_u + d_u"}) {
    const augment::GeneratorSet set = augment::load_generators("gen:" + label);
    const augment::VectorField& V = set.generators.at(0).field;
    const FirstOrderWindowAction a(V);
    const torch::Tensor q = a.characteristic(u, dxt, dtt, 0);
    torch::Tensor d;
    if (V.kind() == augment::FlowKind::Affine) {
      const AffineWindowAction ex(V);
      const Window w{u.unsqueeze(2).unsqueeze(3), dxt, torch::zeros({1}, torch::kFloat64), dtt};
      const Window p = ex.apply(w, eps, 0), m = ex.apply(w, -eps, 0);
      EXPECT_NEAR(p.dx.item<double>(), dx * std::exp(eps * a.x_rate()), 1e-15) << label;
      EXPECT_NEAR(p.dt.item<double>(), dt * std::exp(eps * a.t_rate()), 1e-15) << label;
      // The exact action's values at fixed grid indices: the x d_x part only rescales dx.
      d = ((p.u - m.u) / (2 * eps)).reshape({1, T, nx});
    } else {
      EXPECT_EQ(V.kind(), augment::FlowKind::PeriodicGeneral) << label;
      Field f(FieldShape{1, 1, T, 1, nx}, dx, 0.0, dt);
      const torch::Tensor uc = u.contiguous();
      std::copy(uc.data_ptr<double>(), uc.data_ptr<double>() + T * nx, f.data.begin());
      const augment::Augmenter aug(set);
      const Field gp = aug.apply(f, {eps}), gm = aug.apply(f, {-eps});
      d = torch::empty({1, T, nx}, torch::kFloat64);
      for (int k = 0; k < T * nx; ++k) d.data_ptr<double>()[k] = (gp.data[k] - gm.data[k]) / (2 * eps);
    }
    const double err = (d - q).abs().max().item<double>(), mx = q.abs().max().item<double>();
    std::printf("first-order characteristic of %s: max error %.2e (max |Q| %.2f)\n", label.c_str(), err, mx);
    EXPECT_LT(err, 1e-6 * mx) << label;
  }
  // The projective field of Burgers is not periodic (its characteristic contains x): refused.
  const augment::GeneratorSet burgers = augment::load_generators("known:burgers");
  ASSERT_EQ(burgers.skipped.size(), 1u);
  EXPECT_THROW(FirstOrderWindowAction{burgers.skipped.at(0)}, InputError);
}

// Through the first-order path, a model equivariant by construction has a penalty at round-off (the persistence
// model is linear, so the central difference is exact), a t-dependent field or a generic FNO do not, and the
// generic FNO's residual converges as h -> 0 (O(h^2)).
TEST(Promote, FirstOrderPenaltyIsRoundOffForAnEquivariantModelAndNotForAGenericOne) {
  torch::manual_seed(5);
  const int tw = 5, nx = 64, B = 3;
  const torch::Tensor X = smooth_windows(B, tw, nx, 6);
  const torch::Tensor dx = torch::full({B}, 0.4, torch::kFloat64), dt = torch::full({B}, 0.05, torch::kFloat64);
  Persist persist(tiny_fno(tw));
  for (const std::string spec : {"gen:u*d_x", "gen:u^2*d_u", "gen:u*d_x + u^2*d_u"}) {
    const Promoter pr(augment::load_generators(spec), 1e-2);
    EXPECT_NE(pr.describe().find("first order"), std::string::npos) << pr.describe();
    const double p = penalty_of(persist, spec, X, dx, dt);
    std::printf("persistence model, %s (first order): relative penalty %.3e\n", spec.c_str(), p);
    EXPECT_LT(p, 1e-20) << spec;
  }
  const double pt = penalty_of(persist, "gen:t*u*d_x", X, dx, dt);
  std::printf("persistence model, t*u*d_x (first order): relative penalty %.3e\n", pt);
  EXPECT_GT(pt, 1e-5);
  expect_generic_fno_penalty(tw, "gen:u*d_x", X, dx, dt, 0.01);  // first order: central difference, O(h^2)
}

TEST(Promote, GeneratorsThatCannotBePromotedAreNotedAndDiscreteOnesGoToEnforcement) {
  const Promoter p(augment::load_generators("known:kdv"), 1e-2);
  // d_x, t d_x + d_u, the scaling; d_t is only a relabelling of time.
  const std::string d = p.describe();
  EXPECT_NE(d.find("time translation only"), std::string::npos) << d;
  EXPECT_EQ(finite_subgroup_spec(augment::load_generators("known:kdv")), "");
  EXPECT_EQ(finite_subgroup_spec(augment::load_generators("known:burgers")), "reflect(pseudoscalar)");
  EXPECT_EQ(finite_subgroup_spec(augment::load_generators("known:navier_stokes")), "d4(pseudoscalar)");
  // nls2d: the continuous rotation (skipped by the augmenter) gives rot90, the phase generator phase4.
  const std::string nls = finite_subgroup_spec(augment::load_generators("known:nls2d"));
  EXPECT_NE(nls.find("rot90"), std::string::npos) << nls;
  EXPECT_NE(nls.find("phase4"), std::string::npos) << nls;
  EXPECT_EQ(parse_grid_group(nls, 2, 2).size(), 16u);
  EXPECT_EQ(parse_grid_group("d4;phase4", 2, 2).size(), 32u);
  EXPECT_THROW(parse_grid_group("rot90", 1, 1), InputError);
  EXPECT_THROW(parse_grid_group("phase4", 1, 1), InputError);
  EXPECT_THROW(parse_grid_group("mirror", 1, 1), InputError);
  EXPECT_THROW(parse_grid_group("reflect(scalar,scalar)", 1, 1), InputError);
}

TEST(Promote, GroupAveragedModelIsExactlyEquivariant) {
  torch::manual_seed(3);
  // 1-D: (x, u) -> (-x, -u), the Burgers reflection.
  {
    ModelConfig c = tiny_fno(4);
    c.enforce = "reflect(pseudoscalar)";
    auto m = make_model(c);
    m->to(torch::kFloat64);
    auto* s = dynamic_cast<Symmetrized*>(m.get());
    ASSERT_NE(s, nullptr);
    ASSERT_EQ(s->group().size(), 2u);
    const torch::Tensor X = smooth_windows(3, 4, 32, 5), dx = torch::full({3}, 0.5, torch::kFloat64),
                        dt = torch::full({3}, 0.1, torch::kFloat64);
    torch::NoGradGuard ng;
    const GridElement& g = s->group()[1];
    auto X5 = X.unsqueeze(2).unsqueeze(3);
    const torch::Tensor lhs = m->forward(act(g, X5).squeeze(3).squeeze(2), dx, dt);
    const torch::Tensor rhs = act(g, m->forward(X, dx, dt).unsqueeze(2).unsqueeze(3)).squeeze(3).squeeze(2);
    const double scale = rhs.abs().max().item<double>();
    EXPECT_LT((lhs - rhs).abs().max().item<double>(), 1e-13 * scale);
    // The inner model alone is not equivariant.
    Surrogate& inner = s->inner();
    const torch::Tensor l0 = inner.forward(act(g, X5).squeeze(3).squeeze(2), dx, dt);
    const torch::Tensor r0 = act(g, inner.forward(X, dx, dt).unsqueeze(2).unsqueeze(3)).squeeze(3).squeeze(2);
    EXPECT_GT((l0 - r0).abs().max().item<double>(), 1e-3 * r0.abs().max().item<double>());
  }
  // 2-D, two components: D4 x quarter phase turns (32 elements).
  {
    ModelConfig c = tiny_fno(2);
    c.dim = 2;
    c.nc = 2;
    c.modes = 3;
    c.enforce = "d4;phase4";
    auto m = make_model(c);
    m->to(torch::kFloat64);
    auto* s = dynamic_cast<Symmetrized*>(m.get());
    ASSERT_NE(s, nullptr);
    const torch::Tensor X = torch::randn({2, 2, 2, 8, 8}, torch::kFloat64), d = torch::full({2}, 0.5, torch::kFloat64),
                        dt = torch::full({2}, 0.1, torch::kFloat64);
    torch::NoGradGuard ng;
    const torch::Tensor fX = m->step(X, d, d, dt);
    for (const GridElement& g : s->group()) {
      const torch::Tensor diff = m->step(act(g, X), d, d, dt) - act(g, fX);
      EXPECT_LT(diff.abs().max().item<double>(), 1e-12 * fX.abs().max().item<double>()) << g.label;
      // act and act_inverse are inverse to each other.
      EXPECT_LT((act_inverse(g, act(g, X)) - X).abs().max().item<double>(), 1e-15) << g.label;
    }
  }
}
