// n-D, multi-component solvers: 2-D spectral operations, exact solutions (2-D heat modes, 1-D NLS soliton, 2-D
// NLS plane waves, wave standing waves and the k = 0 drift, Taylor–Green and Kolmogorov flows), measured
// temporal orders, 2-D KS and lambda-omega against fine-step references, blow-up errors, custom systems from
// config, initial conditions.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>

#include "pdesym/common/error.hpp"
#include "pdesym/solvers/etdrk4.hpp"
#include "pdesym/solvers/field_ic.hpp"
#include "pdesym/solvers/system_pde.hpp"
#include "box_fields.hpp"

using namespace pdesym;
using namespace pdesym::solvers;

namespace {

using pdesym_test::Fn;
using pdesym_test::rel_err;
using pdesym_test::sample;

std::vector<double> last_state(const Field& f) {
  std::vector<double> s;
  for (int c = 0; c < f.nc(); ++c) s.insert(s.end(), f.snapshot(c, f.nt() - 1), f.snapshot(c, f.nt() - 1) + f.shape.points());
  return s;
}

/// Least-squares slope of log(err) against log(h).
double fitted_order(const std::vector<double>& hs, const std::vector<double>& errs) {
  double mx = 0, my = 0;
  for (std::size_t i = 0; i < hs.size(); ++i) {
    mx += std::log(hs[i]) / hs.size();
    my += std::log(errs[i]) / hs.size();
  }
  double sxy = 0, sxx = 0;
  for (std::size_t i = 0; i < hs.size(); ++i) {
    sxy += (std::log(hs[i]) - mx) * (std::log(errs[i]) - my);
    sxx += (std::log(hs[i]) - mx) * (std::log(hs[i]) - mx);
  }
  return sxy / sxx;
}

/// Errors at T for steps hs against `ref` (the exact solution or a fine-step run), and the fitted order.
double measured_order(const FieldPde& pde, const Box& b, const std::vector<double>& u0, double T,
                      const std::vector<double>& hs, const std::vector<double>& ref, std::vector<double>& errs) {
  errs.clear();
  for (double h : hs) {
    IntegrateOptions o;
    o.dt_max = h;
    errs.push_back(rel_err(integrate(pde, b, u0, T, 2, o), 1, ref));
  }
  return fitted_order(hs, errs);
}

std::string show(const std::vector<double>& v) {
  std::ostringstream os;
  for (double x : v) os << x << " ";
  return os.str();
}

const double kTwoPi = 2 * M_PI;

}  // namespace

// ---- spectral operations on boxes ------------------------------------------------------------------------

TEST(Box2d, RoundTripDerivativesAndMasks) {
  const Box b = Box::plane(32, 24, 7.0, 5.0);
  const double kx = kTwoPi * 2 / b.Lx, ky = kTwoPi * 3 / b.Ly;
  const auto u = sample(b, {[&](double x, double y) { return std::sin(kx * x) * std::cos(ky * y) + 0.3 * std::cos(kx * x + 2 * ky * y); }});
  FftBox fft(b);
  cvec uh(b.modes());
  std::vector<double> back(b.points());
  fft.forward(u.data(), uh.data());
  fft.inverse(uh.data(), back.data());
  for (std::size_t i = 0; i < u.size(); ++i) EXPECT_NEAR(back[i], u[i], 1e-14);
  BoxDerivative D(b);
  std::vector<double> d(b.points());
  D.apply(u.data(), d.data(), 2, 1);  // u_xxy
  const auto exact = sample(b, {[&](double x, double y) {
    return kx * kx * ky * std::sin(kx * x) * std::sin(ky * y) + 0.3 * kx * kx * 2 * ky * std::sin(kx * x + 2 * ky * y);
  }});
  for (std::size_t i = 0; i < u.size(); ++i) EXPECT_NEAR(d[i], exact[i], 1e-11);
  // Wavevectors with the Nyquist convention and the 2/3 rule per direction.
  const rvec kxs = wavenumbers_x(b), kys = wavenumbers_y(b), my = dealias_mask_y(b);
  EXPECT_EQ(kxs[16], 0.0);
  EXPECT_EQ(kys[12], 0.0);
  EXPECT_NEAR(kys[23], -kTwoPi / b.Ly, 1e-15);
  EXPECT_EQ(my[8], 1.0);
  EXPECT_EQ(my[9], 0.0);
  EXPECT_EQ(my[16], 1.0);  // j' = -8
  EXPECT_EQ(my[15], 0.0);  // j' = -9
  EXPECT_THROW(Box::plane(31, 8, 1.0, 1.0).validate(), InputError);
  EXPECT_THROW(Box::plane(8, 8, 1.0, -1.0).validate(), InputError);
}

// ---- exact solutions --------------------------------------------------------------------------------------

TEST(Fields, Heat2dFourierModesAreExact) {
  const Box b = Box::plane(32, 32, kTwoPi, kTwoPi);
  const double nu = 0.3, T = 1.0;
  auto heat = make_heat2d(nu);
  const auto u0 = sample(b, {[](double x, double y) { return std::sin(2 * x) * std::cos(3 * y) + 0.5 * std::cos(x + y); }});
  const Field f = integrate(*heat, b, u0, T, 5);
  EXPECT_EQ(f.shape, (FieldShape{2, 1, 5, 32, 32}));
  const auto exact = sample(b, {[&](double x, double y) {
    return std::exp(-13 * nu * T) * std::sin(2 * x) * std::cos(3 * y) + 0.5 * std::exp(-2 * nu * T) * std::cos(x + y);
  }});
  EXPECT_LT(rel_err(f, 4, exact), 1e-14);
  EXPECT_NO_THROW(validate(f, "heat2d"));
}

namespace {
// 1-D NLS soliton psi = sqrt(2) a sech(a (x - x0 - v t)) exp(i (v x / 2 + (a^2 - v^2/4) t)).
std::vector<double> nls_soliton(const Box& b, double a, double v, double x0, double t) {
  const double L = b.Lx;
  auto wrap = [&](double s) { return s - L * std::round(s / L); };
  auto amp = [&](double x) { return std::sqrt(2.0) * a / std::cosh(a * wrap(x - x0 - v * t)); };
  auto ph = [&](double x) { return v * x / 2 + (a * a - v * v / 4) * t; };
  return sample(b, {[&](double x, double) { return amp(x) * std::cos(ph(x)); },
                    [&](double x, double) { return amp(x) * std::sin(ph(x)); }});
}
}  // namespace

TEST(Fields, NlsSolitonRelativeErrorAndOrder) {
  const Box b = Box::line(512, 50.0);
  auto nls = make_nls();
  const double a = 1.0, v = 4 * M_PI / b.Lx, x0 = 25.0, T = 5.0;  // v: the phase exp(i v x / 2) is periodic
  IntegrateOptions o;
  o.dt_max = 0.005;
  const Field f = integrate(*nls, b, nls_soliton(b, a, v, x0, 0.0), T, 11, o);
  EXPECT_EQ(f.components, (std::vector<std::string>{"u", "v"}));
  double worst = 0;
  for (int n = 0; n < f.nt(); ++n) worst = std::max(worst, rel_err(f, n, nls_soliton(b, a, v, x0, f.t[n])));
  EXPECT_LT(worst, 1e-8);
  RecordProperty("nls_soliton_rel_err", show({worst}));
  std::vector<double> errs;
  const double p = measured_order(*nls, b, nls_soliton(b, a, v, x0, 0.0), 2.0, {0.1, 0.05, 0.025, 0.0125},
                                  nls_soliton(b, a, v, x0, 2.0), errs);
  EXPECT_GT(p, 3.75) << show(errs);
  RecordProperty("nls_soliton_order", std::to_string(p));
  RecordProperty("nls_soliton_errors", show(errs));
}

TEST(Fields, Nls2dPlaneWaveErrorAndOrder) {
  const Box b = Box::plane(32, 32, kTwoPi, kTwoPi);
  auto nls = make_nls();
  const double a = 1.2, kx = 1, ky = 2, w = kx * kx + ky * ky - a * a;
  auto exact = [&](double t) {
    return sample(b, {[&](double x, double y) { return a * std::cos(kx * x + ky * y - w * t); },
                      [&](double x, double y) { return a * std::sin(kx * x + ky * y - w * t); }});
  };
  const double T = 1.0;
  IntegrateOptions o;
  o.dt_max = 0.002;
  EXPECT_LT(rel_err(integrate(*nls, b, exact(0), T, 2, o), 1, exact(T)), 1e-10);
  std::vector<double> errs;
  const double p = measured_order(*nls, b, exact(0), T, {0.2, 0.1, 0.05, 0.025}, exact(T), errs);
  EXPECT_GT(p, 3.75) << show(errs);
  RecordProperty("nls2d_plane_wave_order", std::to_string(p));
  RecordProperty("nls2d_plane_wave_errors", show(errs));
}

TEST(Fields, WaveStandingWavesAndZeroModeDriftAreExact) {
  const Box b = Box::plane(32, 32, kTwoPi, kTwoPi);
  const double c = 1.5;
  auto wave = make_wave(c);
  EXPECT_EQ(wave->component_names(), (std::vector<std::string>{"u", "u_t"}));
  const double w1 = c * std::sqrt(5.0), w2 = c * 3;
  // u = 1 + 0.3 t (k = 0: the defective block) + cos(x) cos(2y) cos(w1 t) + sin(3y) sin(w2 t) / w2.
  auto exact = [&](double t) {
    return sample(b, {[&](double x, double y) {
                        return 1 + 0.3 * t + std::cos(x) * std::cos(2 * y) * std::cos(w1 * t) + std::sin(3 * y) * std::sin(w2 * t) / w2;
                      },
                      [&](double x, double y) {
                        return 0.3 - w1 * std::cos(x) * std::cos(2 * y) * std::sin(w1 * t) + std::sin(3 * y) * std::cos(w2 * t);
                      }});
  };
  for (double h : {0.5, 0.01}) {
    IntegrateOptions o;
    o.dt_max = h;
    const Field f = integrate(*wave, b, exact(0), 4.0, 5, o);
    for (int n = 0; n < f.nt(); ++n) EXPECT_LT(rel_err(f, n, exact(f.t[n])), 1e-12) << "h = " << h << ", t = " << f.t[n];
  }
}

TEST(Fields, TaylorGreenVorticityDecays) {
  const Box b = Box::plane(32, 32, kTwoPi, kTwoPi);
  const double nu = 0.05, T = 2.0;
  auto ns = make_navier_stokes(nu);
  auto tg = [&](double t) {
    return sample(b, {[&](double x, double y) { return 2 * std::cos(x) * std::cos(y) * std::exp(-2 * nu * t); }});
  };
  IntegrateOptions o;
  o.dt_max = 0.05;
  const Field f = integrate(*ns, b, tg(0), T, 5, o);
  EXPECT_EQ(f.components, std::vector<std::string>{"omega"});
  for (int n = 0; n < f.nt(); ++n) EXPECT_LT(rel_err(f, n, tg(f.t[n])), 1e-13);
}

TEST(Fields, SingleShellVorticityDecaysOnARectangularBox) {
  // omega = cos(x) cos(2y) + 0.5 sin(x + 2y) on [0, 2 pi) x [0, pi) (48 x 24; y-modes 1 have ky = 2): every mode
  // has |k|^2 = 5, so psi = omega / 5, the advection vanishes and omega decays like exp(-5 nu t). Catches any swap
  // of x and y (nx != ny, Lx != Ly).
  const Box b = Box::plane(48, 24, kTwoPi, M_PI);
  const double nu = 0.1, T = 1.5;
  auto ns = make_navier_stokes(nu);
  auto exact = [&](double t) {
    return sample(b, {[&](double x, double y) {
      return (std::cos(x) * std::cos(2 * y) + 0.5 * std::sin(x + 2 * y)) * std::exp(-5 * nu * t);
    }});
  };
  IntegrateOptions o;
  o.dt_max = 0.05;
  const Field f = integrate(*ns, b, exact(0), T, 4, o);
  EXPECT_EQ(f.shape, (FieldShape{2, 1, 4, 24, 48}));
  EXPECT_NEAR(f.dy, M_PI / 24, 1e-15);
  for (int n = 0; n < f.nt(); ++n) EXPECT_LT(rel_err(f, n, exact(f.t[n])), 1e-12) << f.t[n];
  // Heat on the same box: mode (2, 3) decays like exp(-nu (4 + 36) t).
  auto heat = make_heat2d(nu);
  const auto h0 = sample(b, {[](double x, double y) { return std::sin(2 * x) * std::cos(6 * y); }});
  const auto h1 = sample(b, {[&](double x, double y) { return std::exp(-40 * nu * T) * std::sin(2 * x) * std::cos(6 * y); }});
  EXPECT_LT(rel_err(integrate(*heat, b, h0, T, 2), 1, h1), 1e-13);
}

TEST(Fields, KolmogorovForcingDrivesTheLaminarProfile) {
  // From rest, f = A kf cos(kf y) gives the parallel flow omega = A / (nu kf) (1 - exp(-nu kf^2 t)) cos(kf y)
  // (its advection vanishes), with linear drag mu: A kf / (nu kf^2 + mu) (1 - exp(-(nu kf^2 + mu) t)).
  const Box b = Box::plane(32, 32, kTwoPi, kTwoPi);
  const double nu = 0.05, A = 0.7, mu = 0.1, T = 3.0;
  const int mode = 4;
  auto ns = make_navier_stokes(nu, A, mode, mu);
  const double kf = mode, r = nu * kf * kf + mu;
  auto exact = [&](double t) { return sample(b, {[&](double, double y) { return A * kf / r * (1 - std::exp(-r * t)) * std::cos(kf * y); }}); };
  IntegrateOptions o;
  o.dt_max = 0.1;
  const Field f = integrate(*ns, b, std::vector<double>(b.points(), 0.0), T, 4, o);
  for (int n = 1; n < f.nt(); ++n) EXPECT_LT(rel_err(f, n, exact(f.t[n])), 1e-12);
}

TEST(Fields, NavierStokesOrderOnARandomVorticity) {
  const Box b = Box::plane(32, 32, kTwoPi, kTwoPi);
  auto ns = make_navier_stokes(0.02, 0.5, 2, 0.05);
  Config ic_cfg = Config::parse("{type: random_modes, amplitude: 1.0, k_max: 4}");
  Rng rng(3, 1, 4);
  const auto w0 = FieldIc::from_config(ic_cfg, *ns, b).sample(b, rng);
  const double T = 1.0;
  IntegrateOptions fine;
  fine.dt_max = 1.0 / 1024;
  const auto ref = last_state(integrate(*ns, b, w0, T, 2, fine));
  std::vector<double> errs;
  const double p = measured_order(*ns, b, w0, T, {0.1, 0.05, 0.025}, ref, errs);
  EXPECT_GT(p, 3.75) << show(errs);
  RecordProperty("navier_stokes_order", std::to_string(p));
  RecordProperty("navier_stokes_errors", show(errs));
}

TEST(Fields, Ks2dAndLambdaOmegaAgainstFineStepReferences) {
  struct Case {
    std::unique_ptr<FieldPde> pde;
    Box box;
    double T, amplitude;
    std::vector<double> hs;
  };
  std::vector<Case> cases;
  cases.push_back({make_ks2d(), Box::plane(32, 32, 8 * M_PI, 8 * M_PI), 2.0, 0.5, {0.1, 0.05, 0.025}});
  cases.push_back({make_lambda_omega(0.1, 1.0), Box::plane(32, 32, 20.0, 20.0), 2.0, 0.5, {0.2, 0.1, 0.05}});
  cases.push_back({make_lambda_omega(0.1, 1.0), Box::line(64, 20.0), 2.0, 0.5, {0.2, 0.1, 0.05}});
  for (const auto& c : cases) {
    Config ic_cfg = Config::parse("{amplitude: " + std::to_string(c.amplitude) + ", k_max: 3}");
    Rng rng(8, 0, 1);
    const auto u0 = FieldIc::from_config(ic_cfg, *c.pde, c.box).sample(c.box, rng);
    IntegrateOptions fine;
    fine.dt_max = c.hs.back() / 32;
    const Field ref = integrate(*c.pde, c.box, u0, c.T, 2, fine);
    std::vector<double> errs;
    const double p = measured_order(*c.pde, c.box, u0, c.T, c.hs, last_state(ref), errs);
    EXPECT_GT(p, 3.75) << c.pde->name() << " " << c.box.dim << "-D: " << show(errs);
    EXPECT_LT(errs.back(), 1e-5) << c.pde->name();
    // The solution moved: not a trivial comparison.
    EXPECT_GT(rel_err(ref, 1, u0), 1e-2) << c.pde->name();
    RecordProperty(c.pde->name() + std::to_string(c.box.dim) + "d_order", std::to_string(p));
    RecordProperty(c.pde->name() + std::to_string(c.box.dim) + "d_errors", show(errs));
  }
}

TEST(Fields, RoundOffOutsideTheResolvedRealSpectrumDoesNotGrow) {
  // lambda-omega has L = 1 - d |k|^2: +1 at k = 0 and at the Nyquist modes (k set to 0). Round-off in what c2r
  // does not see (Im of the k = 0 mode, the anti-Hermitian part of the kx = 0 column, dropped modes) would grow
  // like e^t and blow the run up near t = 40..80 unless the state is kept real and dealiased.
  auto lo = make_lambda_omega(0.1, 1.0);
  for (const Box& b : {Box::plane(16, 16, 20.0, 20.0), Box::line(32, 20.0)}) {
    Rng rng(1, 0, 0);
    const auto u0 = FieldIc::from_config(Config::parse("{amplitude: 0.3, k_max: 3}"), *lo, b).sample(b, rng);
    IntegrateOptions o;
    o.dt_max = 0.1;
    const Field f = integrate(*lo, b, u0, 150.0, 4, o);
    double m = 0;
    for (double v : f.data) m = std::max(m, std::abs(v));
    EXPECT_LT(m, 1.5) << b.dim << "-D";
  }
}

TEST(Fields, BlowUpNamesTheTrajectory) {
  Config cfg = Config::parse(R"(
equation: custom
pde:
  components: [u]
  equations:
    u: {nonlinear: [{coeff: 1.0, factors: [u, u]}]}
)");
  auto pde = make_field_pde(cfg);
  const Box b = Box::plane(8, 8, 1.0, 1.0);
  IntegrateOptions o;
  o.label = "valid/3";
  try {
    integrate(*pde, b, std::vector<double>(b.points(), 2.0), 5.0, 51, o);
    FAIL() << "expected BlowUpError";
  } catch (const BlowUpError& e) {
    const std::string msg = e.what();
    EXPECT_NE(msg.find("valid/3"), std::string::npos) << msg;
    EXPECT_NE(msg.find("blew up"), std::string::npos) << msg;
    EXPECT_NE(msg.find("t = "), std::string::npos) << msg;
  }
}

// ---- configs --------------------------------------------------------------------------------------------

TEST(FieldConfig, CustomSystemsReproduceBuiltinsToRoundOff) {
  const char* nls_yaml = R"(
equation: custom
pde:
  name: my_nls
  components: [u, v]
  equations:
    u:
      linear: {v_xx: -1.0, v_yy: -1.0}
      nonlinear: [{coeff: -1.0, factors: [u, u, v]}, {coeff: -1.0, factors: [v, v, v]}]
    v:
      linear: {u_xx: 1.0, u_yy: 1.0}
      nonlinear: [{coeff: 1.0, factors: [u, u, u]}, {coeff: 1.0, factors: [u, v, v]}]
)";
  const char* ks_yaml = R"(
equation: custom
pde:
  components: [u]
  equations:
    u:
      linear: {u_xx: -1, u_yy: -1, u_xxxx: -1, u_xxyy: -2, u_yyyy: -1}
      nonlinear: [{coeff: -0.5, factors: [u_x, u_x]}, {coeff: -0.5, factors: [u_y, u_y]}]
)";
  // KS written with an outer derivative: -(1/2) |grad u|^2 = -(1/2) (d_x (u u_x) - u u_xx + d_y (u u_y) - u u_yy).
  const char* ks_outer_yaml = R"(
equation: custom
pde:
  components: [u]
  equations:
    u:
      linear: {u_xx: -1, u_yy: -1, u_xxxx: -1, u_xxyy: -2, u_yyyy: -1}
      nonlinear:
        - {coeff: -0.5, factors: [u, u_x], dx: 1}
        - {coeff: 0.5, factors: [u, u_xx]}
        - {coeff: -0.5, factors: [u, u_y], dy: 1}
        - {coeff: 0.5, factors: [u, u_yy]}
)";
  const Box b = Box::plane(32, 32, 8 * M_PI, 8 * M_PI);
  struct Pair {
    const char* yaml;
    std::unique_ptr<FieldPde> builtin;
    double tol;
  };
  std::vector<Pair> pairs;
  pairs.push_back({nls_yaml, make_nls(), 1e-13});
  pairs.push_back({ks_yaml, make_ks2d(), 1e-13});
  pairs.push_back({ks_outer_yaml, make_ks2d(), 1e-10});
  for (const auto& p : pairs) {
    EXPECT_TRUE(is_field_config(Config::parse(p.yaml)));
    auto custom = make_field_pde(Config::parse(p.yaml, "custom.yaml"));
    ASSERT_EQ(custom->nc(), p.builtin->nc());
    Rng rng(1, 2, 3);
    const auto u0 = FieldIc::from_config(Config(), *custom, b).sample(b, rng);
    IntegrateOptions o;
    o.dt_max = 0.02;
    const Field a = integrate(*custom, b, u0, 0.5, 3, o), c = integrate(*p.builtin, b, u0, 0.5, 3, o);
    EXPECT_LT(rel_err(a, 2, last_state(c)), p.tol) << p.builtin->name();
    EXPECT_EQ(a.components, c.components);
  }
  auto my = make_field_pde(Config::parse(nls_yaml));
  EXPECT_EQ(my->name(), "my_nls");
  EXPECT_EQ(my->coefficients().at("u.v_xx"), -1.0);
  EXPECT_EQ(my->equation().substr(0, 6), "u_t = ");
}

TEST(FieldConfig, BuiltinsFromConfigAndTheOneDimensionalEquations) {
  auto ns = make_field_pde(Config::parse(
      "equation: navier_stokes\ncoefficients: {nu: 0.001, forcing_amplitude: 0.1, forcing_mode: 4, drag: 0.1}"));
  EXPECT_EQ(ns->name(), "navier_stokes");
  EXPECT_EQ(ns->coefficients().at("nu"), 0.001);
  EXPECT_EQ(ns->dims(), std::vector<int>{2});
  for (const auto& name : known_field_equations()) {
    EXPECT_TRUE(is_field_equation(name));
    auto p = make_field_pde(Config::parse("equation: " + name));
    EXPECT_EQ(p->name(), name);
    EXPECT_EQ(static_cast<int>(p->component_names().size()), p->nc());
    EXPECT_FALSE(p->equation().empty());
  }
  EXPECT_FALSE(is_field_equation("kdv"));
  EXPECT_FALSE(is_field_config(Config::parse("equation: custom\npde: {linear: {3: -1}}")));
  auto kdv = make_field_pde(Config::parse("equation: kdv\ncoefficients: {alpha: 2}"));
  EXPECT_EQ(kdv->name(), "kdv");
  EXPECT_EQ(kdv->nc(), 1);
  EXPECT_EQ(kdv->dims(), std::vector<int>{1});
  // The 1-D scalar path through the general API is the scalar path.
  const Box b = Box::line(64, 30.0);
  Rng r1(5, 0, 2), r2(5, 0, 2);
  const auto u0 = FieldIc::from_config(Config(), *kdv, b).sample(b, r1);
  EXPECT_EQ(u0, SineSumIc{}.sample(Grid(64, 30.0), r2));
  auto kdv2 = make_kdv(2.0, 1.0);
  EXPECT_EQ(integrate(*kdv, b, u0, 1.0, 3).data, integrate(*kdv2, Grid(64, 30.0), u0, 1.0, 3).data);
}

TEST(FieldConfig, BadConfigsNameFileAndKey) {
  auto expect_msg = [](const std::string& yaml, const std::string& needle) {
    try {
      make_field_pde(Config::parse(yaml, "f.yaml"));
      ADD_FAILURE() << "no error for " << yaml;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_msg("equation: nsl", "unknown equation 'nsl'");
  expect_msg("equation: nsl", "navier_stokes");
  expect_msg("equation: heat2d\ncoefficients: {nu: -1}", "f.yaml: coefficients.nu: must be positive");
  expect_msg("equation: wave\ncoefficients: {speed: 1}", "unknown key 'speed'");
  expect_msg("equation: navier_stokes\ncoefficients: {forcing_mode: 0}", "coefficients.forcing_mode");
  expect_msg("equation: custom\npde: {components: [u], equations: {u: {linear: {w_xx: 1}}}}", "unknown component 'w'");
  expect_msg("equation: custom\npde: {components: [u], equations: {u: {linear: {u_xz: 1}}}}", "letters must be x or y");
  expect_msg("equation: custom\npde: {components: [u], equations: {w: {linear: {u: 1}}}}", "unknown key 'w'");
  expect_msg("equation: custom\npde: {components: [u], equations: {u: {nonlinear: [{coeff: 1, factors: [u], dx: 7}]}}}",
             "pde.equations.u.nonlinear[0].dx");
  // A box the equation is not defined in.
  auto ns = make_navier_stokes(0.1);
  EXPECT_THROW(integrate(*ns, Box::line(16, 1.0), std::vector<double>(16, 0.0), 1.0, 2), InputError);
  EXPECT_THROW(integrate(*make_nls(), Box::line(16, 1.0), std::vector<double>(16, 0.0), 1.0, 2), InputError);
}

TEST(FieldIcTest, RandomModesAreBandLimitedReproducibleAndScaled) {
  auto ns = make_navier_stokes(0.01);
  const Box b = Box::plane(32, 32, kTwoPi, kTwoPi);
  const auto ic = FieldIc::from_config(Config::parse("{amplitude: 0.7, k_min: 2, k_max: 4}", "ic.yaml"), *ns, b);
  Rng r1(9, 1, 7), r2(9, 1, 7), r3(9, 1, 8);
  const auto a = ic.sample(b, r1), c = ic.sample(b, r3);
  EXPECT_EQ(a, ic.sample(b, r2));
  EXPECT_NE(a, c);
  double ss = 0;
  for (double v : a) ss += v * v;
  EXPECT_NEAR(std::sqrt(ss / a.size()), 0.7, 1e-12);
  FftBox fft(b);
  cvec uh(b.modes());
  fft.forward(a.data(), uh.data());
  const rvec kx = wavenumbers_x(b), ky = wavenumbers_y(b);
  for (int j = 0; j < b.ny; ++j)
    for (int m = 0; m < b.nkx(); ++m) {
      const double k = std::hypot(kx[m], ky[j]);
      if (k < 2 - 1e-9 || k > 4 + 1e-9) {
        EXPECT_LT(std::abs(uh[j * b.nkx() + m]), 1e-10) << j << " " << m;
      }
    }
  // Wave: u_t starts at zero by default; zero_components overrides.
  auto wave = make_wave(1.0);
  Rng r4(1, 0, 0);
  const auto w = FieldIc::from_config(Config(), *wave, b).sample(b, r4);
  for (std::size_t i = b.points(); i < 2 * b.points(); ++i) ASSERT_EQ(w[i], 0.0);
  Rng r5(1, 0, 0);
  const auto w2 = FieldIc::from_config(Config::parse("{zero_components: []}"), *wave, b).sample(b, r5);
  EXPECT_EQ(std::vector<double>(w.begin(), w.begin() + b.points()), std::vector<double>(w2.begin(), w2.begin() + b.points()));
  EXPECT_NE(w2[b.points() + 3], 0.0);
  auto expect_msg = [&](const std::string& yaml, const std::string& needle) {
    try {
      FieldIc::from_config(Config::parse(yaml, "ic.yaml"), *wave, b);
      ADD_FAILURE() << "no error for " << yaml;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_msg("{k_max: 16}", "k_max");
  expect_msg("{type: sine_sum}", "sine_sum");
  expect_msg("{zero_components: [w]}", "'w' is not a component");
  expect_msg("{amplitud: 1}", "unknown key 'amplitud'");
}

TEST(FieldConfig, ShippedFieldConfigsBuildTheirPdeAndInitialCondition) {
  // The solver-owned keys of every n-D/system config in configs/ (equation, coefficients, pde,
  // initial_condition); a short run on the config's box stays finite. (domain/splits/seed: datasets' tests.)
  for (const char* name : {"heat2d", "nls", "nls2d", "lambda-omega", "wave", "navier-stokes", "ks2d"}) {
    const Config cfg = Config::load(std::string(PDESYM_SOURCE_DIR) + "/configs/" + name + ".yaml");
    ASSERT_TRUE(is_field_config(cfg)) << name;
    auto pde = make_field_pde(cfg);
    const Config d = cfg["domain"];
    const Box b = d.get_or<int>("dim", 1) == 2
                      ? Box::plane(d.get<int>("nx"), d.get<int>("ny"), d.get<double>("Lx"), d.get<double>("Ly"))
                      : Box::line(d.get<int>("nx"), d.get<double>("L"));
    EXPECT_TRUE(pde->supports_dim(b.dim)) << name;
    Rng rng(42, 0, 0);
    const auto u0 = FieldIc::from_config(cfg.child_or_empty("initial_condition"), *pde, b).sample(b, rng);
    IntegrateOptions o;
    o.dt_max = cfg["solver"].get<double>("dt");
    o.label = name;
    const Field f = integrate(*pde, b, u0, 20 * o.dt_max, 3, o);
    EXPECT_NO_THROW(validate(f, name));
    EXPECT_EQ(f.components, pde->component_names());
  }
}
