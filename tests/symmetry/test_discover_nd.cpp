// The nullspace method on 2-D data, systems and the wave equation (data from the n-D solvers): identification of
// the equation and the algebra of shared/docs/science.md to Grassmann distance < 1e-6 on clean data.
#include <gtest/gtest.h>

#include "pdesym/solvers/field_pde.hpp"
#include "pdesym/symmetry/basis.hpp"
#include "pdesym/symmetry/nullspace.hpp"
#include "pdesym/symmetry/synthetic.hpp"
#include "pdesym/symmetry/system.hpp"

using namespace pdesym;
using namespace pdesym::symmetry;

namespace {

SymmetryResult discover(const datasets::Split& s, int time_order = 1) {
  NullspaceOptions o;
  o.identify.time_order = time_order;
  o.identify.max_samples = 6000;
  o.trust.resamples = 3;
  return discover_nullspace(s, o);
}

void expect_algebra(const SymmetryResult& r, const std::string& name, double tol) {
  const Eigen::MatrixXd K = known_algebra(name, r.basis);
  EXPECT_EQ(r.generators.cols(), K.cols()) << name << ": " << r.identified_equation;
  EXPECT_LT(grassmann_distance(r.generators, K), tol) << name << ": " << r.identified_equation;
}

}  // namespace

TEST(DiscoverNd, Heat2d) {
  FieldSimulateOptions o;
  const auto s = simulate_field_split(*solvers::make_heat2d(0.5), o);
  const auto r = discover(s);
  expect_algebra(r, "heat2d", 1e-6);
  EXPECT_EQ(r.trust["verdict"], "trusted") << r.trust.dump(1);
}

TEST(DiscoverNd, Nls1d) {
  FieldSimulateOptions o;
  o.box = solvers::Box::line(128, 2 * M_PI);
  o.amplitude = 0.3;  // resolved well inside the solver's 2/3 band
  o.n = 4;
  const auto s = simulate_field_split(*solvers::make_nls(), o);
  expect_algebra(discover(s), "nls", 1e-6);
}

// The cubic systems need a finer grid than the linear equations: the stored field satisfies the PDE pointwise only
// to the size of what the solver's 2/3 rule truncates.
FieldSimulateOptions cubic_2d() {
  FieldSimulateOptions o;
  o.box = solvers::Box::plane(64, 64, 2 * M_PI, 2 * M_PI);
  o.amplitude = 0.3;
  return o;
}

TEST(DiscoverNd, Nls2d) {
  const FieldSimulateOptions o = cubic_2d();
  const auto s = simulate_field_split(*solvers::make_nls(), o);
  const auto r = discover(s);
  expect_algebra(r, "nls2d", 1e-6);
  EXPECT_EQ(r.trust["verdict"], "trusted") << r.trust.dump(1);  // stored every 0.01: time resolved
}

TEST(DiscoverNd, LambdaOmega) {
  const FieldSimulateOptions o = cubic_2d();
  const auto s = simulate_field_split(*solvers::make_lambda_omega(0.1, 1.0), o);
  expect_algebra(discover(s), "lambda-omega", 1e-6);
}

TEST(DiscoverNd, Wave2d) {
  FieldSimulateOptions o;
  o.keep = {0};  // u of the system (u, u_t)
  const auto s = simulate_field_split(*solvers::make_wave(1.0), o);
  expect_algebra(discover(s, 2), "wave2d", 1e-6);
}

// 1% noise: the n-D path cuts the field off in Fourier space at the noise floor and uses the weak form in time.
TEST(DiscoverNd, Heat2dOnePercentNoise) {
  FieldSimulateOptions o;
  auto s = simulate_field_split(*solvers::make_heat2d(0.5), o);
  add_noise(s, 0.01, 2024);
  const auto r = discover(s);
  EXPECT_EQ(r.extra["identification"]["preprocessing"]["cutoff_x"], 3);
  expect_algebra(r, "heat2d", 1e-2);
}

TEST(DiscoverNd, Wave2dOnePercentNoise) {
  FieldSimulateOptions o;
  o.keep = {0};
  o.T = 1.0;  // a longer window for the second time derivative's kernel
  o.nt = 101;
  auto s = simulate_field_split(*solvers::make_wave(1.0), o);
  add_noise(s, 0.01, 2024);
  expect_algebra(discover(s, 2), "wave2d", 1e-2);
}

// The cubic systems at 1% noise: the coefficients come out ~0.6% apart, which breaks the phase rotation and the
// Galilean boost of the identified equation; the structure-preserving refit ties equal magnitudes back together.
TEST(DiscoverNd, Nls1dOnePercentNoise) {
  FieldSimulateOptions o;
  o.box = solvers::Box::line(128, 2 * M_PI);
  o.amplitude = 0.3;
  o.n = 4;
  o.T = 1.0;
  o.nt = 101;
  auto s = simulate_field_split(*solvers::make_nls(), o);
  add_noise(s, 0.01, 2024);
  NullspaceOptions no;
  no.identify.max_order = 2;
  no.identify.max_samples = 6000;
  no.trust.resamples = 3;
  const auto r = discover_nullspace(s, no);
  expect_algebra(r, "nls", 1e-2);
  EXPECT_EQ(r.extra["identification"]["tied_refit"]["free_magnitudes"], 1) << r.identified_equation;
  EXPECT_NE(r.trust["verdict"], "not trusted") << r.trust.dump(1);

  no.identify.tie_tolerance = 0;  // without the refit: the exact nullspace of an inexact equation, flagged
  no.trust.resamples = 3;
  const auto untied = discover_nullspace(s, no);
  const Eigen::MatrixXd K = known_algebra("nls", untied.basis);
  if (untied.generators.cols() != K.cols() || grassmann_distance(untied.generators, K) > 1e-2) {
    EXPECT_NE(untied.trust["verdict"], "trusted") << untied.identified_equation;
  }
}

// 2-D cubic systems at 1% noise on 32^2 (the noise, not the grid, limits the coefficients here); no resamples, to
// keep the test short: the distance is the claim.
TEST(DiscoverNd, Nls2dAndLambdaOmegaOnePercentNoise) {
  for (const std::string name : {"nls2d", "lambda-omega"}) {
    FieldSimulateOptions o;
    o.amplitude = 0.3;
    auto s = simulate_field_split(name == "nls2d" ? *solvers::make_nls() : *solvers::make_lambda_omega(0.1, 1.0), o);
    add_noise(s, 0.01, 2024);
    NullspaceOptions no;
    no.identify.max_samples = 6000;
    no.trust.resamples = 0;
    expect_algebra(discover_nullspace(s, no), name, 1e-2);
  }
}

// Coefficients that differ by less than tie_tolerance but truly differ are not tied: 2-D heat with the y axis
// stretched by 1.05 obeys u_t = 0.5 u_xx + 0.5 * 1.05^2 u_yy (9% apart).
TEST(DiscoverNd, UnequalCoefficientsAreNotTied) {
  FieldSimulateOptions o;
  auto clean = simulate_field_split(*solvers::make_heat2d(0.5), o);
  for (double& y : clean.y) y *= 1.05;
  for (double& dy : clean.dy) dy *= 1.05;
  for (double noise : {0.0, 0.01}) {
    auto s = clean;
    if (noise > 0) add_noise(s, noise, 2024);
    NullspaceOptions no;
    no.identify.max_samples = 6000;
    no.trust.resamples = 0;
    const SystemIdentification id = identify_system(s, no.identify);
    ASSERT_EQ(id.eq.rhs[0].size(), 2u) << id.eq.text();
    EXPECT_EQ(id.free_magnitudes, 2) << id.eq.text();
    double cx = 0, cy = 0;
    for (const auto& t : id.eq.rhs[0]) {
      if (t.powers[static_cast<std::size_t>(id.eq.jets.index(0, 2, 0))] == 1) cx = t.coeff;
      if (t.powers[static_cast<std::size_t>(id.eq.jets.index(0, 0, 2))] == 1) cy = t.coeff;
    }
    EXPECT_NEAR(cy / cx, 1.05 * 1.05, noise > 0 ? 1e-2 : 1e-6) << id.eq.text();
  }
}

TEST(DiscoverNd, SymJsonOfA2dResultReadsBack) {
  FieldSimulateOptions o;
  const auto r = discover(simulate_field_split(*solvers::make_heat2d(0.5), o));
  const auto back = from_json(to_json(r));
  EXPECT_EQ(back.basis.variables().dim, 2);
  EXPECT_LT(grassmann_distance(back.generators, known_algebra("heat2d", back.basis)), 1e-6);
  EXPECT_EQ(back.trust["verdict"], r.trust["verdict"]);
}

// 2-D NLS stored every 0.05 (configs/nls2d.yaml's sampling): the time differences' truncation error (estimate
// 1.4e-3) limits the fit to ~10x that estimate and perturbs the coefficients (0.99976 instead of 1; the algebra
// 1.6e-4 off, and reported incomplete in another run) under a "trusted" verdict. The coarse step must lower it.
TEST(DiscoverNd, Nls2dCoarseTimeStepIsNotTrusted) {
  FieldSimulateOptions o = cubic_2d();
  o.k_max = 4;
  o.T = 2.0;
  o.nt = 41;
  const auto s = simulate_field_split(*solvers::make_nls(), o);
  const auto r = discover(s);
  EXPECT_TRUE(r.trust["resolution"]["time_under_resolved"].get<bool>()) << r.trust.dump(1);
  EXPECT_GT(r.trust["fit"]["time_error"].get<double>(), 1e-4) << r.trust.dump(1);
  EXPECT_NE(r.trust["verdict"], "trusted") << r.trust.dump(1);
}
