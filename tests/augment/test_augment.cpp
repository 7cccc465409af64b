// Finite symmetry transformations: exact solutions of KdV and Burgers mapped by each generator of their
// algebras must still satisfy the PDE (residual at round-off / solver-accuracy level), non-symmetries must not.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <string>

#include "pdesym/augment/augment.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/solvers/etdrk4.hpp"
#include "pdesym/solvers/initial.hpp"
#include "pdesym/solvers/spectral.hpp"

using namespace pdesym;
using namespace pdesym::augment;
using pdesym::solvers::Grid;
using pdesym::solvers::rvec;
using pdesym::solvers::SpectralDerivative;

namespace {

using Fn = std::function<double(double, double)>;

Field sample(const Fn& f, double L, int nx, double t0, double dt, int nt) {
  Field F(FieldShape{1, 1, nt, 1, nx}, L / nx, 0.0, dt, t0);
  for (int n = 0; n < nt; ++n)
    for (int j = 0; j < nx; ++j) F.data[static_cast<std::size_t>(n) * nx + j] = f(F.x[j], F.t[n]);
  return F;
}

// KdV soliton u = 3c sech^2(sqrt(c)/2 (x - c t - x0)); L large enough that the periodic copies are ~1e-13.
Fn kdv_soliton(double c, double x0) {
  return [=](double x, double t) {
    const double s = 1.0 / std::cosh(0.5 * std::sqrt(c) * (x - c * t - x0));
    return 3 * c * s * s;
  };
}

// Burgers by Cole–Hopf on [0, 2 pi): psi = 2 + e^{-nu t} cos x + 0.5 e^{-4 nu t} cos(2x + 1).
Fn burgers_exact(double nu) {
  return [=](double x, double t) {
    const double e1 = std::exp(-nu * t), e4 = std::exp(-4 * nu * t);
    const double psi = 2 + e1 * std::cos(x) + 0.5 * e4 * std::cos(2 * x + 1);
    const double psix = -e1 * std::sin(x) - e4 * std::sin(2 * x + 1);
    return -2 * nu * psix / psi;
  };
}

// 9-point central differences (8th order).
const double kD1[5] = {0.0, 4.0 / 5, -1.0 / 5, 4.0 / 105, -1.0 / 280};
const double kD2[5] = {-205.0 / 72, 8.0 / 5, -1.0 / 5, 8.0 / 315, -1.0 / 560};

// Relative PDE residual max|u_t - F| / max(max|terms|) of u_t = -a u u_x + sum_k c_k d_x^k u on the gridded
// field: spectral x-derivatives, 8th-order central differences in time, interior time levels only.
double residual(const Field& F, double a, const std::map<int, double>& linear) {
  Grid g(F.nx(), F.Lx());
  SpectralDerivative D(g);
  std::vector<rvec> jets;
  double rmax = 0, scale = 0;
  for (int n = 4; n < F.nt() - 4; ++n) {
    D.jets(F.row(n), 4, jets);
    for (int j = 0; j < F.nx(); ++j) {
      double ut = 0;
      for (int k = 1; k <= 4; ++k) ut += kD1[k] * (F.row(n + k)[j] - F.row(n - k)[j]);
      ut /= F.dt;
      const double adv = a * jets[0][j] * jets[1][j];
      double lin = 0, linmax = 0;
      for (const auto& [order, c] : linear) {
        lin += c * jets[order][j];
        linmax = std::max(linmax, std::abs(c * jets[order][j]));
      }
      rmax = std::max(rmax, std::abs(ut + adv - lin));
      scale = std::max({scale, std::abs(ut), std::abs(adv), linmax});
    }
  }
  return rmax / scale;
}

double kdv_residual(const Field& F) { return residual(F, 1.0, {{3, -1.0}}); }
double burgers_residual(const Field& F, double nu) { return residual(F, 1.0, {{2, nu}}); }

symmetry::PolynomialBasis B2(2);
VectorField field(const std::string& s) { return VectorField(symmetry::parse_generator(s, B2), B2); }

}  // namespace

TEST(Augment, ClassifiesGenerators) {
  for (const char* s : {"d_x", "d_t", "t*d_x + d_u", "x*d_x + 3*t*d_t - 2*u*d_u", "d_x + t*d_x + d_u"})
    EXPECT_EQ(field(s).kind(), FlowKind::Affine) << s;
  EXPECT_TRUE(field("d_x").is_pure_x_translation());
  EXPECT_FALSE(field("d_x + d_t").is_pure_x_translation());
  EXPECT_EQ(field("t^2*d_t").kind(), FlowKind::PeriodicGeneral);
  EXPECT_EQ(field("u*d_x").kind(), FlowKind::PeriodicGeneral);
  EXPECT_EQ(field("u^2*d_u").kind(), FlowKind::PeriodicGeneral);
  const VectorField proj = field("x*t*d_x + t^2*d_t + x*d_u - t*u*d_u");
  EXPECT_EQ(proj.kind(), FlowKind::NonPeriodic);
  EXPECT_NE(proj.reason().find("x*t"), std::string::npos) << proj.reason();
  const VectorField bad = field("x*d_t");
  EXPECT_EQ(bad.kind(), FlowKind::Unsupported);
  EXPECT_NE(bad.reason().find("tau"), std::string::npos) << bad.reason();
  EXPECT_EQ(VectorField(Eigen::VectorXd::Zero(B2.size()), B2).kind(), FlowKind::Identity);
}

TEST(Augment, MatrixExponentialMatchesClosedForms) {
  Eigen::Matrix4d A = Eigen::Matrix4d::Zero();
  A(0, 0) = 1.0;  // scaling x
  A(1, 1) = 3.0;  // scaling t
  A(2, 2) = -2.0;
  A(0, 1) = 0.5;  // boost-like coupling
  const Eigen::Matrix4d M = expm(0.7 * A);
  EXPECT_NEAR(M(0, 0), std::exp(0.7), 1e-14);
  EXPECT_NEAR(M(1, 1), std::exp(2.1), 1e-13);
  EXPECT_NEAR(M(2, 2), std::exp(-1.4), 1e-14);
  // d/ds x = x + 0.5 t, t = e^{3s} t0 => x(s) = e^s x0 + 0.25 (e^{3s} - e^s) t0
  EXPECT_NEAR(M(0, 1), 0.25 * (std::exp(2.1) - std::exp(0.7)), 1e-13);
  const Eigen::Matrix4d Mi = expm(-0.7 * A);
  EXPECT_LT((M * Mi - Eigen::Matrix4d::Identity()).cwiseAbs().maxCoeff(), 1e-13);
}

TEST(Augment, KdvSolitonStaysASolutionUnderEveryGenerator) {
  const Field F = sample(kdv_soliton(1.0, 40.0), 80.0, 512, 0.0, 0.01, 161);
  const double base = kdv_residual(F);
  std::printf("KdV soliton residual: untransformed %.2e\n", base);
  EXPECT_LT(base, 1e-10);
  struct Case {
    const char* gen;
    double eps;
  };
  for (const Case& c : {Case{"d_x", 7.3}, Case{"d_t", 0.8}, Case{"t*d_x + d_u", 0.4},
                        Case{"x*d_x + 3*t*d_t - 2*u*d_u", 0.2}, Case{"x*d_x + 3*t*d_t - 2*u*d_u", -0.15},
                        Case{"d_x + t*d_x + d_u", 0.3},
                        Case{"0.3*d_x + 0.2*d_t - 0.5*t*d_x - 0.5*d_u + 0.1*x*d_x + 0.3*t*d_t - 0.2*u*d_u", 0.5}}) {
    const VectorField V = field(c.gen);
    const Field G = transform(F, V, c.eps);
    const double r = kdv_residual(G);
    std::printf("KdV soliton residual after exp(%g (%s)): %.2e\n", c.eps, c.gen, r);
    EXPECT_LT(r, 1e-9) << c.gen;
    double change = std::abs(G.dx - F.dx) + std::abs(G.t[0] - F.t[0]);
    for (std::size_t i = 0; i < F.data.size(); ++i) change = std::max(change, std::abs(G.data[i] - F.data[i]));
    EXPECT_GT(change, 1e-2) << "transformation did nothing: " << c.gen;
  }
  // Non-symmetries: u d_u and x d_x are not in the KdV algebra.
  for (const char* bad : {"u*d_u", "x*d_x"}) {
    const double r = kdv_residual(transform(F, field(bad), 0.2));
    std::printf("KdV soliton residual after exp(0.2 (%s)) [not a symmetry]: %.2e\n", bad, r);
    EXPECT_GT(r, 1e-2) << bad;
  }
}

TEST(Augment, ScalingRescalesGridAndLabelsExactly) {
  const Field F = sample(kdv_soliton(1.0, 40.0), 80.0, 512, 1.0, 0.05, 10);
  const Field G = transform(F, field("x*d_x + 3*t*d_t - 2*u*d_u"), 0.1);
  EXPECT_NEAR(G.dx, F.dx * std::exp(0.1), 1e-15);
  EXPECT_NEAR(G.dt, F.dt * std::exp(0.3), 1e-14);
  EXPECT_NEAR(G.Lx(), 80.0 * std::exp(0.1), 1e-12);
  EXPECT_NEAR(G.t[3], F.t[3] * std::exp(0.3), 1e-13);
  for (std::size_t i = 0; i < F.data.size(); i += 37) EXPECT_NEAR(G.data[i], std::exp(-0.2) * F.data[i], 1e-14);
  // Time translation only relabels; the boost shifts by eps*t and adds eps.
  const Field T = transform(F, field("d_t"), 2.5);
  EXPECT_NEAR(T.t[0], 3.5, 1e-14);
  EXPECT_EQ(T.data, F.data);
  const Field Bst = transform(F, field("t*d_x + d_u"), 0.4);
  const Fn exact = kdv_soliton(1.0, 40.0);
  for (int n : {0, 5, 9})
    for (int j : {3, 50, 77}) EXPECT_NEAR(Bst.row(n)[j], exact(F.x[j] - 0.4 * F.t[n], F.t[n]) + 0.4, 1e-12);
}

TEST(Augment, BurgersColeHopfSolutionStaysASolution) {
  const double nu = 0.1;
  const Field F = sample(burgers_exact(nu), 2 * M_PI, 128, 0.0, 0.005, 161);
  const double base = burgers_residual(F, nu);
  std::printf("Burgers residual: untransformed %.2e\n", base);
  EXPECT_LT(base, 1e-10);
  struct Case {
    const char* gen;
    double eps;
  };
  for (const Case& c : {Case{"d_x", 2.0}, Case{"d_t", 0.3}, Case{"t*d_x + d_u", 0.7},
                        Case{"x*d_x + 2*t*d_t - u*d_u", 0.25}, Case{"d_x - t*d_x - d_u + 0.2*x*d_x + 0.4*t*d_t - 0.2*u*d_u", 0.6}}) {
    const double r = burgers_residual(transform(F, field(c.gen), c.eps), nu);
    std::printf("Burgers residual after exp(%g (%s)): %.2e\n", c.eps, c.gen, r);
    EXPECT_LT(r, 1e-9) << c.gen;
  }
  for (const char* bad : {"u*d_u", "x*d_x + 3*t*d_t - 2*u*d_u"}) {
    const double r = burgers_residual(transform(F, field(bad), 0.2), nu);
    std::printf("Burgers residual after exp(0.2 (%s)) [not a symmetry]: %.2e\n", bad, r);
    EXPECT_GT(r, 1e-2) << bad;
  }
}

// The projective field of Burgers does not preserve periodicity, so it is checked pointwise: the transformed
// solution is evaluated by the general flow (RK4 + Newton + spectral interpolation + Lagrange interpolation in
// time, since tau = t^2) on small stencils and the residual is formed with 8th-order finite differences.
TEST(Augment, BurgersProjectiveFieldViaGeneralFlow) {
  const double nu = 0.1;
  const Field F = sample(burgers_exact(nu), 2 * M_PI, 128, 0.0, 0.005, 241);
  const VectorField P = field("x*t*d_x + t^2*d_t + x*d_u - t*u*d_u");
  ASSERT_EQ(P.kind(), FlowKind::NonPeriodic);
  EXPECT_THROW(transform(F, P, 0.2), InputError);

  auto residual_at = [&](const VectorField& V, double eps, double X, double T) {
    const double h = 0.02;
    std::vector<double> xs, ts;
    for (int k = -4; k <= 4; ++k) {
      xs.push_back(X + k * h);
      ts.push_back(T);
    }
    for (int k = -4; k <= 4; ++k) {
      xs.push_back(X);
      ts.push_back(T + k * h);
    }
    const std::vector<double> v = transform_points(F, V, eps, xs, ts);
    double ux = 0, uxx = kD2[0] * v[4], ut = 0;
    for (int k = 1; k <= 4; ++k) {
      ux += kD1[k] * (v[4 + k] - v[4 - k]);
      uxx += kD2[k] * (v[4 + k] + v[4 - k]);
      ut += kD1[k] * (v[13 + k] - v[13 - k]);
    }
    ux /= h;
    uxx /= h * h;
    ut /= h;
    const double u = v[4];
    const double scale = std::max({std::abs(ut), std::abs(u * ux), std::abs(nu * uxx)});
    return std::abs(ut + u * ux - nu * uxx) / scale;
  };
  double worst = 0, worst_bad = 1e300;
  for (double X : {1.0, 2.5, 4.0, 7.5})
    for (double T : {0.3, 0.55, 0.8}) {
      worst = std::max(worst, residual_at(P, 0.2, X, T));
      worst_bad = std::min(worst_bad, residual_at(field("x*t*d_x + t^2*d_t + x*d_u"), 0.2, X, T));
    }
  std::printf("Burgers projective field, pointwise residual (8th-order FD, h=0.02): %.2e; without -t*u*d_u: %.2e\n",
              worst, worst_bad);
  EXPECT_LT(worst, 1e-7);
  EXPECT_GT(worst_bad, 1e-2);

  // Also pointwise against the closed form of the projective transformation:
  // t' = t/(1 - eps t), x' = x/(1 - eps t), u' = (1 - eps t) u + eps x.
  const Fn ex = burgers_exact(nu);
  const double eps = 0.2, X = 3.0, T = 0.6;
  const double t = T / (1 + eps * T), x = X * (1 - eps * t);
  const std::vector<double> v = transform_points(F, P, eps, {X}, {T});
  EXPECT_NEAR(v[0], (1 - eps * t) * ex(x, t) + eps * x, 1e-9);
}

TEST(Augment, GeneralFlowAgreesWithExactAffinePath) {
  const Field F = sample(kdv_soliton(1.0, 40.0), 80.0, 256, 0.5, 0.02, 12);
  TransformOptions general;
  general.force_general = true;
  for (const char* s : {"t*d_x + d_u", "x*d_x + 3*t*d_t - 2*u*d_u", "0.3*d_x + 0.2*d_t - 0.5*t*d_x - 0.5*d_u + 0.1*x*d_x"}) {
    const Field A = transform(F, field(s), 0.3), G = transform(F, field(s), 0.3, general);
    double d = 0;
    for (std::size_t i = 0; i < A.data.size(); ++i) d = std::max(d, std::abs(A.data[i] - G.data[i]));
    EXPECT_LT(d, 1e-9) << s;
    EXPECT_NEAR(A.dt, G.dt, 1e-12) << s;
    EXPECT_NEAR(A.t[0], G.t[0], 1e-12) << s;
  }
}

TEST(Augment, GeneralPeriodicFieldsWithNonAffineTauAndUDependentXi) {
  const Fn ex = kdv_soliton(1.0, 40.0);
  const Field F = sample(ex, 80.0, 256, 0.0, 0.01, 101);
  // t^2 d_t: t' = t/(1 - eps t) (non-uniform), u'(x, t') = u(x, t); resampled on a uniform t' grid by
  // interpolation in time.
  const Field G = transform(F, field("t^2*d_t"), 0.3);
  EXPECT_NEAR(G.t.back(), 1.0 / (1 - 0.3), 1e-9);
  double err = 0;
  for (int n = 0; n < G.nt(); ++n) {
    const double tau = G.t[n] / (1 + 0.3 * G.t[n]);
    for (int j = 0; j < G.nx(); ++j) err = std::max(err, std::abs(G.row(n)[j] - ex(G.x[j], tau)));
  }
  std::printf("t^2 d_t resampling error: %.2e\n", err);
  EXPECT_LT(err, 1e-8);
  // u d_x: x' = x + eps u, u' = u: the pre-image x_j = X_j - eps u'_j must carry the value u'_j.
  const Field H = transform(F, field("u*d_x"), 0.2);
  double err2 = 0;
  for (int n = 0; n < H.nt(); n += 10)
    for (int j = 0; j < H.nx(); ++j) {
      const double u = H.row(n)[j];
      err2 = std::max(err2, std::abs(u - ex(H.x[j] - 0.2 * u, H.t[n])));
    }
  EXPECT_LT(err2, 1e-10);
  // Too large eps: x -> x + eps u stops being invertible (wave breaking) and the error says so.
  try {
    transform(F, field("u*d_x"), -3.0);
    ADD_FAILURE() << "no error for a multivalued image";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("multivalued"), std::string::npos) << e.what();
  }
}

TEST(Augment, CanonicalGeneratorsRecoverSparseAlgebraFromRotatedNoisySpan) {
  const Eigen::MatrixXd K = symmetry::known_algebra("kdv", B2);
  Eigen::Matrix4d Q = Eigen::Matrix4d::Random();
  Q = Eigen::HouseholderQR<Eigen::Matrix4d>(Q).householderQ();
  Eigen::MatrixXd G = K * Q;
  Rng rng(5);
  for (int i = 0; i < G.size(); ++i) G.data()[i] += 1e-7 * rng.normal();
  const Eigen::MatrixXd C = canonical_generators(G, 1e-4);
  ASSERT_EQ(C.cols(), 4);
  // Each canonical generator equals one of the known ones (scaled so the pivot is 1).
  for (int k = 0; k < 4; ++k) {
    double best = 1e300;
    for (int m = 0; m < 4; ++m) {
      const Eigen::VectorXd a = C.col(k), b = K.col(m);
      const double s = a.dot(b) / b.dot(b);
      best = std::min(best, (a - s * b).cwiseAbs().maxCoeff());
    }
    EXPECT_LT(best, 1e-5) << symmetry::label(C.col(k), B2);
  }
}

TEST(Augment, LoadsGeneratorSpecsWithClearErrors) {
  EXPECT_TRUE(load_generators("none").empty());
  const GeneratorSet kdv = load_generators("known:kdv");
  ASSERT_EQ(kdv.generators.size(), 4u);
  int full = 0;
  for (const auto& g : kdv.generators) full += g.full_period;
  EXPECT_EQ(full, 1);
  const GeneratorSet burgers = load_generators("known:burgers");
  EXPECT_EQ(burgers.generators.size(), 4u);  // the projective field is skipped with a note
  ASSERT_EQ(burgers.notes.size(), 1u);
  EXPECT_NE(burgers.notes[0].find("periodic"), std::string::npos) << burgers.notes[0];
  EXPECT_EQ(load_generators("gen:d_x; t*d_x + d_u").generators.size(), 2u);
  // The listing says which generators rescale a sample's spacings (model inputs): only KdV's scaling here.
  const std::string listing = kdv.describe();
  EXPECT_EQ(listing.find("rescales"), listing.rfind("rescales")) << listing;
  EXPECT_NE(listing.find("x*d_x + 3*t*d_t - 2*u*d_u  [affine, eps in [-0.100000, 0.100000]; rescales each sample's dx, dt]"),
            std::string::npos)
      << listing;
  EXPECT_NE(load_generators("gen:x*d_x + 2*t*d_t").describe().find("rescales each sample's dx, dt"), std::string::npos);
  EXPECT_NE(load_generators("gen:2*t*d_t + u*d_u").describe().find("rescales each sample's dt]"), std::string::npos);

  // keep_grid drops exactly the generators that rescale a spacing, with a note; none left is an error.
  AugmentOptions keep;
  keep.keep_grid = true;
  const GeneratorSet kdv_kept = load_generators("known:kdv", keep);
  ASSERT_EQ(kdv_kept.generators.size(), 3u);
  for (const auto& g : kdv_kept.generators) EXPECT_EQ(rescaled_spacings(g.field), "") << g.label();
  ASSERT_EQ(kdv_kept.notes.size(), 1u);
  EXPECT_NE(kdv_kept.notes[0].find("x*d_x + 3*t*d_t - 2*u*d_u) skipped: it rescales each sample's dx, dt (keep-grid)"),
            std::string::npos)
      << kdv_kept.notes[0];
  const GeneratorSet mixed = load_generators("gen:d_x; 2*t*d_t + u*d_u; u*d_u", keep);
  ASSERT_EQ(mixed.generators.size(), 2u);
  EXPECT_EQ(mixed.generators[1].label(), "u*d_u");
  try {
    load_generators("gen:x*d_x + 2*t*d_t", keep);
    ADD_FAILURE() << "no error for a set of scalings only";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("rescales each sample's dx, dt"), std::string::npos) << e.what();
  }

  auto expect_msg = [](const std::string& spec, const std::string& needle) {
    try {
      load_generators(spec);
      ADD_FAILURE() << "no error for " << spec;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_msg("known:navier", "navier");
  expect_msg("/nonexistent/sym.json", "no sym.json file");
  expect_msg("gen:x*d_t", "tau");

  // A sym.json with a rotated Burgers algebra: canonicalised, the projective field dropped.
  symmetry::SymmetryResult r;
  r.method = "nullspace";
  r.basis = B2;
  Eigen::MatrixXd Kb = symmetry::known_algebra("burgers", B2);
  Eigen::MatrixXd Q = Eigen::MatrixXd::Random(5, 5);
  Q = Eigen::HouseholderQR<Eigen::MatrixXd>(Q).householderQ();
  r.generators = Kb * Q;
  const std::string path = std::string(PDESYM_BINARY_DIR) + "/test_augment_sym.json";
  symmetry::write_sym_json(path, r);
  const GeneratorSet fromfile = load_generators(path);
  EXPECT_EQ(fromfile.generators.size(), 4u) << fromfile.describe();
  for (const auto& g : fromfile.generators) EXPECT_EQ(g.field.kind(), FlowKind::Affine) << g.field.label();
  std::remove(path.c_str());
}

TEST(Augment, AugmenterIsSeededAndComposesAffineGeneratorsExactly) {
  const Field F = sample(kdv_soliton(1.0, 40.0), 80.0, 512, 0.0, 0.02, 20);
  const Augmenter aug(load_generators("known:kdv"));
  Rng r1(11, 3, 4), r2(11, 3, 4), r3(12, 3, 4);
  std::vector<double> e1, e3;
  const Field A = aug(F, r1, &e1), B = aug(F, r2), C = aug(F, r3, &e3);
  EXPECT_EQ(A.data, B.data);
  EXPECT_NE(A.data, C.data);
  ASSERT_EQ(e1.size(), 4u);
  // One fused pass equals applying the generators one after the other.
  Field S = F;
  for (std::size_t k = 0; k < e1.size(); ++k) S = transform(S, aug.generators().generators[k].field, e1[k]);
  double d = 0;
  for (std::size_t i = 0; i < S.data.size(); ++i) d = std::max(d, std::abs(S.data[i] - A.data[i]));
  EXPECT_LT(d, 1e-11);
  EXPECT_NEAR(S.dx, A.dx, 1e-14);
  EXPECT_NEAR(S.t[5], A.t[5], 1e-12);
  // And the result is still a KdV solution (finer time grid for the residual).
  const Field Fine = sample(kdv_soliton(1.0, 40.0), 80.0, 512, 0.0, 0.01, 101);
  Rng r4(7);
  EXPECT_LT(kdv_residual(aug(Fine, r4)), 1e-9);
}

TEST(Augment, AugmentSplitKeepsOriginalsAndAddsCopies) {
  datasets::Split s;
  s.name = "train";
  s.resize(2, 6, 64);
  for (int i = 0; i < 2; ++i) {
    Field f = sample(kdv_soliton(1.0 + i, 40.0), 80.0, 64, 0.0, 0.1, 6);
    s.set_field(i, f);
  }
  const Augmenter aug(load_generators("known:kdv"));
  const datasets::Split out = augment_split(s, aug, 2, 42);
  EXPECT_EQ(out.n, 6);
  EXPECT_EQ(out.nt, 6);
  for (int j = 0; j < 6 * 64; ++j) EXPECT_EQ(out.traj(3)[j], s.traj(1)[j]);
  EXPECT_NE(out.dx[1], s.dx[0]);  // the scaling changes dx
  const datasets::Split again = augment_split(s, aug, 2, 42);
  EXPECT_EQ(out.u, again.u);
  EXPECT_THROW(augment_split(s, aug, -1, 1), InputError);
}

TEST(Augment, RejectsBadTrajectories) {
  Field f = sample(kdv_soliton(1.0, 40.0), 80.0, 32, 0.0, 0.1, 4);
  f.data[5] = std::nan("");
  EXPECT_THROW(transform(f, field("d_x"), 1.0), InputError);
  Field g = sample(kdv_soliton(1.0, 40.0), 80.0, 32, 0.0, 0.1, 4);
  g.dx = -1;
  EXPECT_THROW(transform(g, field("d_x"), 1.0), InputError);
  Field h = sample(kdv_soliton(1.0, 40.0), 80.0, 32, 0.0, 0.1, 4);
  h.t[2] += 0.03;  // non-uniform time levels
  EXPECT_THROW(transform(h, field("d_x"), 1.0), InputError);
  Field k = sample(kdv_soliton(1.0, 40.0), 80.0, 32, 0.0, 0.1, 4);
  k.dx *= 1.01;  // dx inconsistent with x
  EXPECT_THROW(transform(k, field("d_x"), 1.0), InputError);
  // 2-D and multi-component fields are refused with a message naming the shape.
  Field two_d(FieldShape{2, 1, 3, 8, 8}, 0.5, 0.5, 0.1);
  try {
    transform(two_d, field("d_x"), 1.0);
    ADD_FAILURE() << "2-D field accepted";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("2-D"), std::string::npos) << e.what();
  }
  Field system(FieldShape{1, 2, 3, 1, 16}, 0.5, 0.0, 0.1);
  EXPECT_THROW(transform(system, field("d_x"), 1.0), InputError);
}

// A solver trajectory (random sine-sum initial condition, as in the datasets) transformed by random elements
// of the KdV group keeps the residual at the solver's own accuracy.
TEST(Augment, SolverTrajectoryResidualStaysAtSolverAccuracy) {
  auto kdv = solvers::make_kdv();
  const Grid g(128, 64.0);
  Rng rng(3);
  solvers::SineSumIc ic;
  const rvec u0 = ic.sample(g, rng);
  solvers::IntegrateOptions io;
  io.dt_max = 0.0025;
  const Field F = solvers::integrate(*kdv, g, u0, 1.0, 101, io);
  const double base = kdv_residual(F);
  const Augmenter aug(load_generators("known:kdv"));
  double worst = 0;
  for (int k = 0; k < 4; ++k) {
    Rng r(100 + k);
    worst = std::max(worst, kdv_residual(aug(F, r)));
  }
  std::printf("KdV solver trajectory residual: original %.2e, worst of 4 random group elements %.2e\n", base, worst);
  EXPECT_LT(base, 1e-6);
  EXPECT_LT(worst, 3 * base + 1e-10);
}
