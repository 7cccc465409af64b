// Equation identification and the Lie-derivative nullspace method on generated data:
// KdV 4-dim, Burgers 5-dim, KS 3-dim algebras to Grassmann distance < 1e-6 from clean data and < 1e-2 with 1%
// noise; mKdV without the boost.
#include <gtest/gtest.h>

#include "../support/expect_error.hpp"

#include <cmath>
#include <functional>
#include <map>
#include <memory>

#include "pdesym/common/error.hpp"
#include "pdesym/symmetry/basis.hpp"
#include "pdesym/symmetry/identify.hpp"
#include "pdesym/symmetry/nullspace.hpp"
#include "pdesym/symmetry/synthetic.hpp"

using namespace pdesym;
using namespace pdesym::symmetry;

using pdesym_test::expect_input_error;

namespace {

// Test data: 4 short trajectories with a small stored step (dt = 0.01), well resolved in x so that the 2/3
// dealiasing of the solver does not show in the pointwise residual.
datasets::Split make_data(const std::string& eq, double noise = 0.0, int n = 4) {
  SimulateOptions o;
  o.n = n;
  o.nx = 256;
  o.T = 5.0;
  o.nt = 501;
  o.seed = 11;
  std::unique_ptr<solvers::PolynomialPde> pde;
  if (eq == "kdv") {
    pde = solvers::make_kdv();
    o.L = 64;
    o.ic.amplitude = 0.3;
  } else if (eq == "mkdv") {
    pde = solvers::make_mkdv();
    o.L = 64;
    o.ic.amplitude = 0.3;
  } else if (eq == "burgers") {
    pde = solvers::make_burgers(1.0);  // u u_x and nu u_xx of comparable size, fronts resolved
    o.L = 32;
    o.ic.amplitude = 0.5;
  } else {
    pde = solvers::make_ks();
    o.L = 64;              // chaotic regime (L/2pi ~ 10 unstable modes)
    o.t_skip = 40;         // leave the transient from the small initial condition
    o.ic.amplitude = 0.5;
  }
  datasets::Split s = simulate_split(*pde, o);
  if (noise > 0) add_noise(s, noise, 2024);
  return s;
}

std::vector<std::string> labels(const SymmetryResult& r) {
  std::vector<std::string> l;
  for (int g = 0; g < r.generators.cols(); ++g) l.push_back(label(r.generators.col(g), r.basis));
  return l;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Identification
// ---------------------------------------------------------------------------------------------------------

TEST(Identify, KdvCleanRecoversCoefficients) {
  const auto s = make_data("kdv");
  const IdentifiedEquation eq = identify_equation(s);
  EXPECT_FALSE(eq.preprocessing.weak);
  EXPECT_LT(eq.preprocessing.noise_rel, 1e-10);
  ASSERT_EQ(eq.terms.size(), 2u) << eq.text();
  EXPECT_NEAR(eq.coefficient("u*u_x"), -1.0, 1e-8);
  EXPECT_NEAR(eq.coefficient("u_xxx"), -1.0, 1e-8);
  EXPECT_LT(eq.residual_rel, 1e-8);
  EXPECT_EQ(eq.library_size, 56);
  EXPECT_EQ(eq.order(), 3);
}

TEST(Identify, KsAndBurgersClean) {
  const auto ks = identify_equation(make_data("ks"));
  ASSERT_EQ(ks.terms.size(), 3u) << ks.text();
  EXPECT_NEAR(ks.coefficient("u*u_x"), -1.0, 1e-7);
  EXPECT_NEAR(ks.coefficient("u_xx"), -1.0, 1e-7);
  EXPECT_NEAR(ks.coefficient("u_xxxx"), -1.0, 1e-7);
  const auto b = identify_equation(make_data("burgers"));
  ASSERT_EQ(b.terms.size(), 2u) << b.text();
  EXPECT_NEAR(b.coefficient("u*u_x"), -1.0, 1e-8);
  EXPECT_NEAR(b.coefficient("u_xx"), 1.0, 1e-8);
}

TEST(Identify, NoisyKdvUsesWeakFormAndStaysAccurate) {
  const auto s = make_data("kdv", 0.01);
  const IdentifiedEquation eq = identify_equation(s);
  EXPECT_TRUE(eq.preprocessing.weak);
  EXPECT_NEAR(eq.preprocessing.noise_rel, 0.01, 0.002);  // the spectral noise-floor estimate
  EXPECT_GT(eq.preprocessing.cutoff_mode, 5);
  EXPECT_LT(eq.preprocessing.cutoff_mode, 128);
  ASSERT_EQ(eq.terms.size(), 2u) << eq.text();
  EXPECT_NEAR(eq.coefficient("u*u_x"), -1.0, 2e-3);
  EXPECT_NEAR(eq.coefficient("u_xxx"), -1.0, 2e-3);
}

TEST(Identify, SingleTrajectoryAndPlainStlsq) {
  // One trajectory: cross-validation over time halves.
  const auto s = make_data("kdv", 0.0, 1);
  const IdentifiedEquation eq = identify_equation(s);
  ASSERT_EQ(eq.terms.size(), 2u) << eq.text();
  EXPECT_NEAR(eq.coefficient("u*u_x"), -1.0, 1e-7);
  IdentifyOptions o;
  o.select = false;
  o.threshold = 1e-2;
  const IdentifiedEquation plain = identify_equation(s, o);
  ASSERT_EQ(plain.terms.size(), 2u) << plain.text();
  EXPECT_NEAR(plain.coefficient("u_xxx"), -1.0, 1e-7);
  EXPECT_EQ(plain.text().substr(0, 6), "u_t = ");
}

TEST(Identify, CoarseTimeStepFallsBackToWeakForm) {
  // LPSDA-like sampling (dt ~ 0.7): the 8th-order difference is poor for the fast dispersive modes, so the
  // automatic mode keeps the weak form.
  SimulateOptions o;
  o.n = 2;
  o.nx = 256;
  o.L = 128;
  o.T = 100;
  o.nt = 140;
  o.ic.amplitude = 0.5;
  o.seed = 3;
  const auto s = simulate_split(*solvers::make_kdv(), o);
  const IdentifiedEquation eq = identify_equation(s);
  EXPECT_TRUE(eq.preprocessing.weak);
  EXPECT_GT(eq.preprocessing.pointwise_residual, eq.residual_rel);
  ASSERT_EQ(eq.terms.size(), 2u) << eq.text();
  EXPECT_NEAR(eq.coefficient("u*u_x"), -1.0, 1e-3);
  EXPECT_NEAR(eq.coefficient("u_xxx"), -1.0, 1e-3);
}

TEST(Identify, LibraryAndMonomialNames) {
  const auto lib = jet_library(4, 3);
  EXPECT_EQ(lib.size(), 56u);
  EXPECT_EQ(lib[0].name(), "1");
  EXPECT_EQ(lib[1].name(), "u");
  EXPECT_EQ(lib[5].name(), "u_xxxx");
  EXPECT_EQ(lib[6].name(), "u^2");
  EXPECT_EQ(lib[7].name(), "u*u_x");
  EXPECT_EQ(lib.back().name(), "u_xxxx^3");
  EXPECT_EQ(jet_library(2, 2).size(), 10u);
  IdentifiedEquation eq;
  eq.terms = {lib[7], lib[4]};
  eq.coeffs = {-6.0, -1.0};
  EXPECT_EQ(eq.text(), "u_t = -6*u*u_x - 1*u_xxx");
  const double jet[5] = {2.0, 3.0, 0.0, 5.0, 0.0};
  EXPECT_DOUBLE_EQ(eq.eval(jet), -36.0 - 5.0);
  EXPECT_EQ(eq.order(), 3);
}

TEST(Identify, BadDataGivesClearErrors) {
  auto s = make_data("kdv", 0.0, 1);
  expect_input_error(
      [&] {
        auto b = s;
        b.t[10] += 0.003;
        identify_equation(b);
      },
      "t is not uniform");
  expect_input_error(
      [&] {
        auto b = s;
        b.u[1234] = std::nan("");
        identify_equation(b);
      },
      "non-finite value nan in component u at time level 4");
  expect_input_error(
      [&] {
        auto b = s;
        b.u.resize(10);
        identify_equation(b);
      },
      "array sizes that do not match");
  expect_input_error(
      [&] {
        datasets::Split b;
        b.name = "train";
        identify_equation(b);
      },
      "split 'train' has no trajectories");
  expect_input_error(
      [&] {
        IdentifyOptions o;
        o.max_order = 9;
        identify_equation(s, o);
      },
      "library derivative order");
  expect_input_error(
      [&] {
        auto b = s;
        for (double& v : b.u) v = 1.0;
        identify_equation(b);
      },
      "u_t vanishes identically");
}

// ---------------------------------------------------------------------------------------------------------
// Nullspace discovery
// ---------------------------------------------------------------------------------------------------------

TEST(Nullspace, KdvCleanGivesTheFourDimensionalAlgebra) {
  const auto r = discover_nullspace(make_data("kdv"));
  ASSERT_EQ(r.generators.cols(), 4) << r.identified_equation;
  EXPECT_LT(grassmann_distance(r.generators, known_algebra("kdv", r.basis)), 1e-6);
  EXPECT_EQ(labels(r), (std::vector<std::string>{"d_x", "d_t", "t*d_x + d_u", "x*d_x + 3*t*d_t - 2*u*d_u"}));
  EXPECT_EQ(r.method, "nullspace");
  EXPECT_EQ(r.singular_values.size(), 30u);
  EXPECT_GE(r.extra["nullspace"]["gap_ratio"].get<double>(), 1e6);
  EXPECT_EQ(r.extra["nullspace"]["rank"], 26);
  EXPECT_EQ(r.extra["identification"]["terms"].size(), 2u);
  EXPECT_EQ(r.trust["verdict"], "trusted") << r.trust.dump(1);
}

TEST(Nullspace, BurgersCleanGivesTheFiveDimensionalAlgebra) {
  const auto r = discover_nullspace(make_data("burgers"));
  ASSERT_EQ(r.generators.cols(), 5) << r.identified_equation;
  EXPECT_LT(grassmann_distance(r.generators, known_algebra("burgers", r.basis)), 1e-6);
  EXPECT_EQ(labels(r).back(), "x*t*d_x + t^2*d_t + (x - t*u)*d_u");
  EXPECT_EQ(r.trust["verdict"], "trusted") << r.trust.dump(1);
}

TEST(Nullspace, KsCleanGivesTheThreeDimensionalAlgebra) {
  const auto r = discover_nullspace(make_data("ks"));
  ASSERT_EQ(r.generators.cols(), 3) << r.identified_equation;
  EXPECT_LT(grassmann_distance(r.generators, known_algebra("ks", r.basis)), 1e-6);
  EXPECT_EQ(r.trust["verdict"], "trusted") << r.trust.dump(1);
}

TEST(Nullspace, MkdvHasNoBoost) {
  const auto r = discover_nullspace(make_data("mkdv"));
  ASSERT_EQ(r.generators.cols(), 3) << r.identified_equation;
  EXPECT_LT(grassmann_distance(r.generators, known_algebra("mkdv", r.basis)), 1e-6);
  EXPECT_EQ(r.trust["verdict"], "trusted") << r.trust.dump(1);
  // The Galilean boost t*d_x + c*d_u is far from the span for every c: the span's component along xi:t is zero.
  for (double c : {0.0, 0.5, 1.0, 2.0}) {
    Eigen::VectorXd boost = parse_generator("t*d_x", r.basis) + c * parse_generator("d_u", r.basis);
    const auto ang = principal_angles(r.generators, boost);
    ASSERT_EQ(ang.size(), 1u);
    EXPECT_GT(ang[0], 1.0) << "c = " << c;  // radians; pi/2 for c = 0
  }
}

TEST(Nullspace, OnePercentNoise) {
  for (const std::string eq : {"kdv", "burgers", "ks"}) {
    const auto r = discover_nullspace(make_data(eq, 0.01));
    const Eigen::MatrixXd K = known_algebra(eq, r.basis);
    ASSERT_EQ(r.generators.cols(), K.cols()) << eq << ": " << r.identified_equation;
    EXPECT_LT(grassmann_distance(r.generators, K), 1e-2) << eq;
    EXPECT_EQ(r.extra["identification"]["preprocessing"]["regime"], "weak-form (noisy data)");
  }
}

TEST(Nullspace, OnePercentNoiseMkdvStillHasNoBoost) {
  const auto r = discover_nullspace(make_data("mkdv", 0.01));
  ASSERT_EQ(r.generators.cols(), 3) << r.identified_equation;
  EXPECT_LT(grassmann_distance(r.generators, known_algebra("mkdv", r.basis)), 1e-2);
}

TEST(Nullspace, GapCriterion) {
  // Clear gap: 3 null values.
  std::vector<double> s = {2.0, 1.0, 0.3, 1e-3, 1e-15, 3e-16, 0.0};
  GapDecision g = choose_nullity(s, 1e3, 1e-6);
  EXPECT_EQ(g.nullity, 3);
  EXPECT_EQ(g.gap_index, 3);
  EXPECT_NEAR(g.gap_ratio, 5e9, 1e-3);  // (1e-3 / 2) / 1e-13: the smaller value is floored at rounding
  // No gap large enough: no symmetries.
  g = choose_nullity({1.0, 0.5, 0.1, 0.05}, 1e3, 1e-6);
  EXPECT_EQ(g.nullity, 0);
  EXPECT_EQ(g.gap_index, -1);
  // A large ratio between non-null values does not count (null_tol).
  g = choose_nullity({1.0, 1e-4, 1e-8, 1e-20}, 1e3, 1e-6);
  EXPECT_EQ(g.nullity, 1);  // the 1e4 ratios at 1e-4 and 1e-8 are above null_tol or smaller than 1e8 = 1e-8/1e-13
  // Exact zeros (translations) below approximate symmetries (identified coefficients accurate to ~1e-8): ratios
  // are measured against rounding (1e-13), so the gap at 1e-2 / 4e-9 wins over 1e-10 / 0.
  g = choose_nullity({1.0, 1e-2, 4e-9, 1e-10, 0.0, 0.0}, 1e3, 1e-6);
  EXPECT_EQ(g.nullity, 4);
  g = choose_nullity({0.0, 0.0}, 1e3, 1e-6);
  EXPECT_EQ(g.nullity, 2);
}

TEST(Nullspace, ReadableGeneratorsFromARotatedBasis) {
  PolynomialBasis b(2);
  const Eigen::MatrixXd K = known_algebra("burgers", b);
  Eigen::MatrixXd R(5, 5);
  R << 1, 2, 0, -1, 3, 0, 1, 4, 2, -2, 1, 0, 1, 5, 1, 2, -3, 0, 1, 0, 0, 1, 1, 1, 1;
  const Eigen::MatrixXd G = readable_generators(K * R, b);
  ASSERT_EQ(G.cols(), 5);
  EXPECT_LT((G - K).cwiseAbs().maxCoeff(), 1e-12);
}

TEST(Nullspace, ForcedNullityAndBadOptions) {
  const auto s = make_data("kdv", 0.0, 1);
  NullspaceOptions o;
  o.nullity = 2;
  const auto r = discover_nullspace(s, o);
  EXPECT_EQ(r.generators.cols(), 2);
  EXPECT_TRUE(r.extra["nullspace"]["forced_nullity"].get<bool>());
  NullspaceOptions bad;
  bad.gap_threshold = 0.5;
  expect_input_error([&] { discover_nullspace(s, bad); }, "gap threshold must be > 1");
  bad = NullspaceOptions{};
  bad.samples = 10;
  expect_input_error([&] { discover_nullspace(s, bad); }, "at least as many sample points");
  bad = NullspaceOptions{};
  bad.degree = -1;
  expect_input_error([&] { discover_nullspace(s, bad); }, "basis degree");
}

TEST(Nullspace, DegreeThreeBasisKeepsTheKdvAlgebra) {
  NullspaceOptions o;
  o.degree = 3;
  const auto r = discover_nullspace(make_data("kdv", 0.0, 2), o);
  ASSERT_EQ(r.generators.cols(), 4) << r.identified_equation;
  EXPECT_LT(grassmann_distance(r.generators, known_algebra("kdv", r.basis)), 1e-6);
}

TEST(Synthetic, NoiseIsSeededAndScaled) {
  auto a = make_data("kdv", 0.0, 1), b = a, c = a;
  const double sa = add_noise(b, 0.01, 5);
  add_noise(c, 0.01, 5);
  EXPECT_EQ(b.u, c.u);
  double sum = 0, sum2 = 0, d2 = 0;
  for (std::size_t k = 0; k < a.u.size(); ++k) {
    sum += a.u[k];
    sum2 += a.u[k] * a.u[k];
    d2 += (b.u[k] - a.u[k]) * (b.u[k] - a.u[k]);
  }
  const double n = static_cast<double>(a.u.size());
  const double sd = std::sqrt(sum2 / n - sum * sum / n / n);
  EXPECT_NEAR(sa, 0.01 * sd, 1e-12);
  EXPECT_NEAR(std::sqrt(d2 / n), sa, 0.01 * sa);
  expect_input_error([&] { add_noise(b, -1, 0); }, "noise level");
}
