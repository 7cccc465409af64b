// The trust verdict of the nullspace method (trust.hpp) on data outside the method's reach: a small damping term
// (must be found), a fifth-order term outside the library, an under-resolved grid and 10% noise (each must be
// answered correctly or flagged), and the measurements' bookkeeping.
#include <gtest/gtest.h>

#include <cmath>
#include <memory>

#include "pdesym/solvers/pde.hpp"
#include "pdesym/symmetry/basis.hpp"
#include "pdesym/symmetry/nullspace.hpp"
#include "pdesym/symmetry/synthetic.hpp"
#include "pdesym/symmetry/trust.hpp"

using namespace pdesym;
using namespace pdesym::symmetry;

namespace {

// The test setting of test_discover.cpp: 4 trajectories x 501 steps (dt = 0.01), L = 64.
datasets::Split simulate(const solvers::Pde& pde, int nx = 256, double t_skip = 0, double amplitude = 0.3) {
  SimulateOptions o;
  o.n = 4;
  o.nx = nx;
  o.L = 64;
  o.T = 5;
  o.nt = 501;
  o.seed = 11;
  o.t_skip = t_skip;
  o.ic.amplitude = amplitude;
  return simulate_split(pde, o);
}

// u_t = sum_j linear[j] d_x^j u - u u_x (the `equation: custom` form of solvers::PolynomialPde).
std::unique_ptr<solvers::PolynomialPde> custom(const std::string& name, std::map<int, double> linear) {
  return std::make_unique<solvers::PolynomialPde>(name, std::move(linear),
                                                  std::vector<solvers::NonlinearTerm>{{-0.5, 2, 1}});
}

bool correct(const SymmetryResult& r, const Eigen::MatrixXd& K) {
  return r.generators.cols() == K.cols() && grassmann_distance(r.generators, K) < 1e-3;
}

}  // namespace

TEST(Trust, DampedKsFindsTheDampingTermAndLosesTheBoost) {
  // u_t = -u u_x - u_xx - u_xxxx - 0.001 u: the damping term is 7e-4 of the largest scaled coefficient. The
  // damping breaks the Galilean boost: the algebra in the degree-2 basis is d_x, d_t.
  const auto s = simulate(*custom("damped-ks", {{0, -0.001}, {2, -1.0}, {4, -1.0}}), 256, 40, 0.5);
  const auto r = discover_nullspace(s);
  const auto& id = r.extra["identification"];
  double damping = 0;
  for (const auto& t : id["terms"])
    if (t["term"] == "u") damping = t["coefficient"].get<double>();
  EXPECT_NEAR(damping, -0.001, 1e-6) << r.identified_equation;
  ASSERT_EQ(r.generators.cols(), 2) << r.identified_equation;
  Eigen::MatrixXd K(r.basis.size(), 2);
  K.col(0) = parse_generator("d_x", r.basis);
  K.col(1) = parse_generator("d_t", r.basis);
  EXPECT_LT(grassmann_distance(r.generators, K), 1e-6);
  EXPECT_EQ(r.trust["verdict"], "trusted") << r.trust.dump(1);
}

TEST(Trust, KawaharaOutsideTheLibraryIsNotTrusted) {
  // u_t = -u u_x - u_xxx + 0.01 u_xxxxx: the fifth derivative is outside the u_xxxx library. Its algebra in the
  // degree-2 basis is d_x, d_t, t d_x + d_u (the fifth-order term breaks the KdV scaling).
  const auto s = simulate(*custom("kawahara", {{3, -1.0}, {5, 0.01}}));
  const auto r = discover_nullspace(s);
  Eigen::MatrixXd K(r.basis.size(), 3);
  K.col(0) = parse_generator("d_x", r.basis);
  K.col(1) = parse_generator("d_t", r.basis);
  K.col(2) = parse_generator("t*d_x + d_u", r.basis);
  if (!correct(r, K)) {
    EXPECT_NE(r.trust["verdict"], "trusted") << r.trust.dump(1);
  }
  EXPECT_GT(r.trust["fit"]["residual_over_floor"].get<double>(), 100.0);
  EXPECT_FALSE(r.trust["reasons"].empty());
}

TEST(Trust, KawaharaWithAFifthOrderLibraryIsFoundAndTrusted) {
  const auto s = simulate(*custom("kawahara", {{3, -1.0}, {5, 0.01}}));
  NullspaceOptions o;
  o.identify.max_order = 5;
  o.trust.resamples = 2;
  const auto r = discover_nullspace(s, o);
  ASSERT_EQ(r.extra["identification"]["terms"].size(), 3u) << r.identified_equation;
  Eigen::MatrixXd K(r.basis.size(), 3);
  K.col(0) = parse_generator("d_x", r.basis);
  K.col(1) = parse_generator("d_t", r.basis);
  K.col(2) = parse_generator("t*d_x + d_u", r.basis);
  ASSERT_EQ(r.generators.cols(), 3) << r.identified_equation;
  EXPECT_LT(grassmann_distance(r.generators, K), 1e-6);
  EXPECT_EQ(r.trust["verdict"], "trusted") << r.trust.dump(1);
}

TEST(Trust, UnderResolvedKdvIsFlaggedOrCorrect) {
  const auto s = simulate(*solvers::make_kdv(), 64);
  const auto r = discover_nullspace(s);
  if (!correct(r, known_algebra("kdv", r.basis))) {
    EXPECT_NE(r.trust["verdict"], "trusted") << r.trust.dump(1);
  }
  EXPECT_NE(r.trust["verdict"], "trusted") << r.trust.dump(1);  // the pointwise jets are not resolved
}

TEST(Trust, TenPercentNoiseKdvIsCorrectOrFlagged) {
  auto s = simulate(*solvers::make_kdv());
  add_noise(s, 0.1, 2024);
  const auto r = discover_nullspace(s);
  if (!correct(r, known_algebra("kdv", r.basis))) {
    EXPECT_NE(r.trust["verdict"], "trusted") << r.trust.dump(1);
  }
  EXPECT_EQ(r.trust["stability"]["resamples"], 6);
}

TEST(Trust, ReportIsStoredInSymJson) {
  const auto s = simulate(*solvers::make_kdv(), 256);
  NullspaceOptions o;
  o.trust.resamples = 2;
  const auto r = discover_nullspace(s, o);
  const auto back = from_json(to_json(r));
  EXPECT_EQ(back.trust["verdict"], "trusted");
  EXPECT_EQ(back.trust["stability"]["largest_angles"].size(), 2u);
  EXPECT_LT(back.trust["stability"]["max_largest_angle"].get<double>(), 1e-8);
  EXPECT_EQ(verdict_name(Verdict::NotTrusted), "not trusted");
}

TEST(Trust, SpectralResolution) {
  double tail = 0, decay = 0;
  spectral_resolution(simulate(*solvers::make_kdv(), 256), tail, decay);
  EXPECT_LT(tail, 1e-7);  // resolved: below TrustOptions::tail_level
  // Pure white noise: flat spectrum.
  datasets::Split w = simulate(*solvers::make_kdv(), 64);
  for (double& v : w.u) v = 0;
  add_noise(w, 1.0, 3);
  w.u[0] += 1.0;  // add_noise scales to the data's spread: make it nonzero first
  add_noise(w, 1.0, 4);
  spectral_resolution(w, tail, decay);
  EXPECT_NEAR(decay, 1.0, 0.2);
}
