// Learned symmetry discovery on KdV data (u_t + u u_x + u_xxx = 0; algebra d_x, d_t, t d_x + d_u,
// x d_x + 3 t d_t - 2 u d_u). Small networks, few epochs, fixed seeds, one torch thread: the whole file runs in
// well under a minute on one core. Angles are in radians.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>

#include "pdesym/common/error.hpp"
#include "pdesym/learned/discover.hpp"
#include "pdesym/learned/validity.hpp"
#include "pdesym/solvers/pde.hpp"
#include "pdesym/symmetry/identify.hpp"
#include "pdesym/symmetry/synthetic.hpp"

using namespace pdesym;

namespace {

symmetry::IdentifiedEquation kdv_equation() {
  symmetry::IdentifiedEquation e;
  e.max_order = 3;
  e.terms = {symmetry::JetMonomial{{1, 1, 0, 0}}, symmetry::JetMonomial{{0, 0, 0, 1}}};
  e.coeffs = {-1.0, -1.0};
  return e;
}

/// Six KdV trajectories, L = 64, nx = 128, t in [0, 40] stored every time unit.
const datasets::Split& kdv_data() {
  static const datasets::Split s = [] {
    auto kdv = solvers::make_kdv();
    symmetry::SimulateOptions o;
    o.n = 6;
    o.nx = 128;
    o.L = 64.0;
    o.T = 40.0;
    o.nt = 41;
    o.dt_max = 0.01;
    o.seed = 7;
    return symmetry::simulate_split(*kdv, o);
  }();
  return s;
}

/// Six trajectories of `pde` with 41 stored levels (the bench_learned data sets).
/// mean_spread: each initial condition's mean uniform in [-mean_spread, mean_spread].
datasets::Split simulate(const solvers::Pde& pde, double L, double T, double t_skip = 0, double mean_spread = 0) {
  symmetry::SimulateOptions o;
  o.mean_spread = mean_spread;
  o.n = 6;
  o.nx = 128;
  o.L = L;
  o.T = T;
  o.nt = 41;
  o.t_skip = t_skip;
  o.dt_max = 0.005;
  o.seed = 7;
  return symmetry::simulate_split(pde, o);
}

Eigen::MatrixXd algebra(const std::vector<std::string>& gens, const symmetry::PolynomialBasis& basis) {
  Eigen::MatrixXd a(basis.size(), static_cast<Eigen::Index>(gens.size()));
  for (std::size_t g = 0; g < gens.size(); ++g) a.col(static_cast<Eigen::Index>(g)) = symmetry::parse_generator(gens[g], basis);
  return a;
}

double max_angle(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  const auto ang = symmetry::principal_angles(a, b);
  return ang.empty() ? 0.0 : *std::max_element(ang.begin(), ang.end());
}

Eigen::MatrixXd columns(const Eigen::MatrixXd& m, std::initializer_list<int> cols) {
  Eigen::MatrixXd r(m.rows(), static_cast<Eigen::Index>(cols.size()));
  int k = 0;
  for (int c : cols) r.col(k++) = m.col(c);
  return r;
}

learned::LearnedOptions small_options(const std::string& method, int generators) {
  learned::LearnedOptions o;
  o.method = method;
  o.generators = generators;
  o.samples = 2048;
  o.threads = 1;
  o.seed = 0;
  o.progress = false;
  return o;
}

}  // namespace

TEST(ValidityScore, SymmetriesScoreFarBelowNonSymmetries) {
  const symmetry::PolynomialBasis basis(2);
  const auto& d = kdv_data();
  const auto eq = kdv_equation();
  const Eigen::MatrixXd alg = symmetry::known_algebra("kdv", basis);
  const Eigen::VectorXd sym = learned::validity_scores(d, alg, basis, eq);
  double worst_sym = 0;
  // The jets' t-derivatives are polynomials in their x-derivatives (chain rule on u_t = F), so the linearised
  // residual of a point symmetry vanishes at them to rounding (with spectral D_x of F on the grid, aliasing
  // left d_x at 2e-5).
  for (int g = 0; g < alg.cols(); ++g) {
    EXPECT_LT(sym[g], 1e-12) << symmetry::label(alg.col(g), basis);
    worst_sym = std::max(worst_sym, sym[g]);
  }
  // Not symmetries: the u-scaling alone, x d_u, the u-shift, x d_x, t d_x (half of the boost).
  for (const char* s : {"u*d_u", "x*d_u", "d_u", "x*d_x", "t*d_x"}) {
    const double v = learned::validity_score(d, symmetry::parse_generator(s, basis), basis, eq);
    EXPECT_GT(v, 100 * worst_sym) << s;
    EXPECT_GT(v, 1e-2) << s;
  }
  // The data satisfy the equation (4th-order time differences at dt = 1 limit the agreement).
  EXPECT_LT(learned::equation_residual(d, eq), 0.1);
}

TEST(ValidityScore, IsScaleInvariantAndRejectsBadInput) {
  const symmetry::PolynomialBasis basis(2);
  const auto& d = kdv_data();
  const auto eq = kdv_equation();
  const Eigen::VectorXd v = symmetry::parse_generator("x*d_u", basis);
  EXPECT_NEAR(learned::validity_score(d, -7.5 * v, basis, eq) / learned::validity_score(d, v, basis, eq), 1.0, 1e-9);
  EXPECT_THROW(learned::validity_score(d, Eigen::VectorXd::Zero(basis.size()), basis, eq), InputError);
  EXPECT_THROW(learned::validity_score(d, Eigen::VectorXd::Ones(5), basis, eq), InputError);
  datasets::Split empty;
  EXPECT_THROW(learned::validity_score(empty, v, basis, eq), InputError);
  symmetry::IdentifiedEquation bad = eq;
  bad.coeffs.pop_back();
  EXPECT_THROW(learned::validity_score(d, v, basis, bad), InputError);
}

TEST(ValidityMethod, LearnsTheKdvAlgebra) {
  const symmetry::PolynomialBasis basis(2);
  const auto& d = kdv_data();
  auto o = small_options("validity", 4);
  o.equation = kdv_equation();
  const auto r = learned::discover(d, o, basis);
  ASSERT_EQ(r.generators.rows(), basis.size());
  ASSERT_EQ(r.generators.cols(), 4);
  const Eigen::MatrixXd alg = symmetry::known_algebra("kdv", basis);
  // The whole 4-dimensional span, in raw coefficients (the sym.json convention) and in normalised
  // coordinates (units-independent, stricter for the x- and t-dependent terms).
  EXPECT_LT(max_angle(r.generators, alg), 0.1);
  EXPECT_LT(max_angle(learned::normalised_generators(d, r.generators, basis),
                      learned::normalised_generators(d, alg, basis)),
            0.1);
  // Each generator is a symmetry by the validity score, well below the non-symmetries above.
  const auto scores = r.extra.at("validity_scores").get<std::vector<double>>();
  ASSERT_EQ(scores.size(), 4u);
  for (double s : scores) EXPECT_LT(s, 5e-3);  // the smallest non-symmetry above scores 0.048
  // The spectrum of the score over the degree-2 fields has a gap after the fourth direction (the fifth is the
  // best non-symmetry): the number of generators is visible in the result.
  const auto full = r.extra.at("full_batch_scores").get<std::vector<double>>();
  ASSERT_EQ(full.size(), 5u);
  EXPECT_GT(full[4], 10 * full[3]);
  EXPECT_EQ(r.extra.at("field"), "polynomial");
  EXPECT_EQ(r.method, "validity");
  EXPECT_TRUE(r.identified_equation.empty());  // the equation was given
  // The result goes through sym.json unchanged.
  const std::string path = std::string(PDESYM_BINARY_DIR) + "/test_learned_validity.sym.json";
  symmetry::write_sym_json(path, r);
  const auto back = symmetry::read_sym_json(path);
  EXPECT_LT((back.generators - r.generators).norm(), 1e-9);
  EXPECT_EQ(back.method, "validity");
  std::remove(path.c_str());
}

/// The validity method (polynomial fields, G = dim of the algebra) on `d` for seeds 0, 1, 2: the largest
/// principal angle to `alg` stays below 0.1 rad in raw coefficients and below `normalised_tol` in normalised
/// coordinates on every seed, and every returned generator scores below 5e-3. `eq` unset: identified from the data.
void expect_validity_recovers(const datasets::Split& d, const Eigen::MatrixXd& alg,
                              const std::optional<symmetry::IdentifiedEquation>& eq, const std::string& what,
                              double normalised_tol = 0.1) {
  const symmetry::PolynomialBasis basis(2);
  const Eigen::MatrixXd alg_n = learned::normalised_generators(d, alg, basis);
  for (std::uint64_t seed : {0, 1, 2}) {
    auto o = small_options("validity", static_cast<int>(alg.cols()));
    o.seed = seed;
    o.equation = eq;
    const auto r = learned::discover(d, o, basis);
    ASSERT_EQ(r.generators.cols(), alg.cols());
    EXPECT_LT(max_angle(r.generators, alg), 0.1) << what << ", seed " << seed;
    EXPECT_LT(max_angle(learned::normalised_generators(d, r.generators, basis), alg_n), normalised_tol)
        << what << ", seed " << seed;
    for (double s : r.extra.at("validity_scores").get<std::vector<double>>()) EXPECT_LT(s, 5e-3) << what;
  }
}

TEST(ValidityMethod, LearnsBurgersWithTheProjectiveFieldOnThreeSeeds) {
  // Burgers (nu = 1): five generators, the projective x t d_x + t^2 d_t + (x - t u) d_u included. Equation
  // identified from the data.
  const auto pde = solvers::make_burgers(1.0);
  const datasets::Split d = simulate(*pde, 32, 10);
  const symmetry::PolynomialBasis basis(2);
  expect_validity_recovers(d, symmetry::known_algebra("burgers", basis), std::nullopt, "burgers");
}

TEST(ValidityMethod, LearnsCombinedGeneratorsOfEquationsWithAdvection) {
  // u_t = -u u_x + u_xx - u_x is Burgers for u + 1: its scaling and projective field carry -(u + 1) d_u, a
  // combination with the u shift. Equation identified from the data.
  const symmetry::PolynomialBasis basis(2);
  const solvers::PolynomialPde burgers_adv("burgers-adv", {{1, -1.0}, {2, 1.0}}, {{-0.5, 2, 1}});
  expect_validity_recovers(simulate(burgers_adv, 32, 10),
                           algebra({"d_x", "d_t", "t*d_x + d_u", "x*d_x + 2*t*d_t - (u + 1)*d_u",
                                    "x*t*d_x + t^2*d_t + (x - t*(u + 1))*d_u"},
                                   basis),
                           std::nullopt, "burgers-adv");
  // u_t = -u u_x - u_xxx - u_x is KdV for u + 1 (scaling x d_x + 3 t d_t - 2 (u + 1) d_u); measured 1.4e-4 rad,
  // the identified equation's coefficient error.
  const solvers::PolynomialPde kdv_adv("kdv-adv", {{1, -1.0}, {3, -1.0}}, {{-0.5, 2, 1}});
  expect_validity_recovers(simulate(kdv_adv, 64, 40),
                           algebra({"d_x", "d_t", "t*d_x + d_u", "x*d_x + 3*t*d_t - 2*(u + 1)*d_u"}, basis),
                           std::nullopt, "kdv-adv");
}

TEST(ValidityMethod, LearnsTheMkdvAlgebraWithoutABoost) {
  // mKdV u_t = -u^2 u_x - u_xxx (algebra d_x, d_t, x d_x + 3 t d_t - u d_u; no Galilean boost) and mKdV for
  // u + 1 (scaling -(u + 1) d_u). The cubic term aliases on the grid: with u_xt taken as the spectral D_x of F
  // these failed (1.35 and 0.65 rad). Equation identified from the data (once); measured 1.5e-10 and 1.9e-3 rad.
  const symmetry::PolynomialBasis basis(2);
  const auto mkdv = solvers::make_mkdv();
  const solvers::PolynomialPde mkdv_shift("mkdv-shift", {{1, -1.0}, {3, -1.0}}, {{-1.0 / 3.0, 3, 1}, {-1.0, 2, 1}});
  struct Case {
    const solvers::Pde& pde;
    std::vector<std::string> algebra;
  };
  for (const Case& c : {Case{*mkdv, {"d_x", "d_t", "x*d_x + 3*t*d_t - u*d_u"}},
                        Case{mkdv_shift, {"d_x", "d_t", "x*d_x + 3*t*d_t - (u + 1)*d_u"}}}) {
    const datasets::Split d = simulate(c.pde, 64, 10);
    const Eigen::MatrixXd alg = algebra(c.algebra, basis);
    const symmetry::IdentifiedEquation eq = symmetry::identify_equation(d);  // once for all seeds
    expect_validity_recovers(d, alg, eq, c.pde.name());
    // No fourth generator: the score spectrum jumps by many orders after the third direction, and the KdV
    // boost is not a symmetry here.
    auto o = small_options("validity", 3);
    o.equation = eq;
    const auto r = learned::discover(d, o, basis);
    const auto full = r.extra.at("full_batch_scores").get<std::vector<double>>();
    ASSERT_EQ(full.size(), 4u);
    EXPECT_GT(full[3], 1e-5) << c.pde.name();
    EXPECT_GT(full[3], 1e6 * std::abs(full[2])) << c.pde.name();
    EXPECT_GT(learned::validity_score(d, symmetry::parse_generator("t*d_x + d_u", basis), basis, eq), 1e-3)
        << c.pde.name();
  }
}

TEST(ValidityMethod, MlpFieldsLearnTheTranslations) {
  // The neural field model ("mlp") with two fields: the translations, whose scores are exactly zero.
  const symmetry::PolynomialBasis basis(2);
  const auto& d = kdv_data();
  auto o = small_options("validity", 2);
  o.field = "mlp";
  o.epochs = 20;
  o.equation = kdv_equation();
  const auto r = learned::discover(d, o, basis);
  const Eigen::MatrixXd alg = symmetry::known_algebra("kdv", basis);
  EXPECT_LT(max_angle(r.generators, alg), 0.1);
  for (double p : r.extra.at("projection_residuals").get<std::vector<double>>()) EXPECT_LT(p, 0.1);
  EXPECT_EQ(r.extra.at("field"), "mlp");
  auto bad = o;
  bad.field = "spline";
  EXPECT_THROW(learned::discover(d, bad, basis), InputError);
}

TEST(LieGan, GeneratorsAreDominatedByTheTranslations) {
  // LieGAN finds symmetries of the data distribution: translations in x (random phases, periodic domain) and,
  // approximately, in t leave the distribution of patches unchanged; the boost and the scaling shift or rescale
  // u, which the discriminator sees. With the small discriminator and budget used here the result is coarse
  // and seed-dependent (docs/learned.md): for this seed the learned 2-dim span is within 0.15 rad of
  // span{d_x, d_t} in raw coefficients, but only within ~0.5 rad of d_x in normalised coordinates (a random
  // 2-dim span is ~1.3 rad away), and the generators are far from symmetries by the validity score.
  const symmetry::PolynomialBasis basis(2);
  const auto& d = kdv_data();
  auto o = small_options("liegan", 2);
  o.epochs = 60;
  const auto r = learned::discover(d, o, basis);  // equation identified from the data (for the scores)
  EXPECT_NE(r.identified_equation.find("u_xxx"), std::string::npos) << r.identified_equation;
  const Eigen::MatrixXd alg = symmetry::known_algebra("kdv", basis);
  EXPECT_LT(max_angle(r.generators, columns(alg, {0, 1})), 0.15);
  const Eigen::MatrixXd gn = learned::normalised_generators(d, r.generators, basis);
  const Eigen::MatrixXd dx = learned::normalised_generators(d, alg.col(0), basis);
  EXPECT_LT(symmetry::principal_angles(gn, dx)[0], 0.7);
  EXPECT_EQ(r.extra.at("validity_scores").size(), 2u);
  EXPECT_EQ(r.extra.at("discriminator_accuracy").size(), 2u);
}

TEST(LieGan, JetsInputIsBlindToTranslationsAndSeesStretches) {
  // The "jets" discriminator input (local jets of each patch plus its extent) is invariant under translations by
  // construction, so a discriminator trained against d_x-moved patches sees the real patches and cannot do
  // better than chance (accuracy exactly 0.5); a stretch x d_x changes every patch's extent, which on data with
  // one grid spacing gives it away. The probe holds the generators fixed and trains only the discriminator.
  const symmetry::PolynomialBasis basis(2);
  const auto& d = kdv_data();
  auto o = small_options("liegan", 2);
  o.samples = 1024;
  o.epochs = 10;
  o.liegan_input = "jets";
  o.liegan_probe = {"d_x", "x*d_x"};
  const auto r = learned::discover(d, o, basis);
  const auto acc = r.extra.at("discriminator_accuracy").get<std::vector<double>>();
  ASSERT_EQ(acc.size(), 2u);
  EXPECT_NEAR(acc[0], 0.5, 1e-12);
  EXPECT_GT(acc[1], 0.8);
  EXPECT_EQ(r.extra.at("discriminator_input"), "jets");
  auto bad = o;
  bad.liegan_input = "pixels";
  EXPECT_THROW(learned::discover(d, bad, basis), InputError);
}

TEST(Joint, RecoversTranslationAndBoostOnKdvWithSpreadMeans) {
  // KdV data whose initial means are spread over [-1, 1] (the bench's kdv-means): the judge (the surrogate
  // trained on plain windows, frozen) has seen the advection by the mean, so the Galilean boost t d_x + d_u
  // commutes with its dynamics. Two generators by the lowest relative equivariance errors: the first is d_x
  // (the FNO has no grid channel, exact under Fourier shifts), the second the boost up to the judge's error
  // (bench_learned kdv-means, the same data: 0.048 rad raw at seed 0, 0.048-0.066 over seeds 0-2; before the
  // central-difference defect and the 2 + 2 windows 0.19-0.24).
  const symmetry::PolynomialBasis basis(2);
  const auto kdv = solvers::make_kdv();
  const datasets::Split d = simulate(*kdv, 64, 40, 0, 1.0);
  auto o = small_options("joint", 2);
  o.equation = kdv_equation();
  const auto r = learned::discover(d, o, basis);
  ASSERT_EQ(r.generators.cols(), 2);
  const Eigen::MatrixXd alg = symmetry::known_algebra("kdv", basis);
  const Eigen::MatrixXd dx = alg.col(0);
  const Eigen::MatrixXd first = r.generators.col(0);
  EXPECT_LT(symmetry::principal_angles(first, dx)[0], 1e-3);
  EXPECT_LT(symmetry::principal_angles(learned::normalised_generators(d, first, basis),
                                       learned::normalised_generators(d, dx, basis))[0],
            1e-3);
  // Both generators lie in span{d_x, t d_x + d_u} (raw coefficients, the sym.json convention).
  EXPECT_LT(max_angle(r.generators, algebra({"d_x", "t*d_x + d_u"}, basis)), 0.1);
  // Relative equivariance errors: ascending generalised eigenvalues over the five-element family; the
  // translation's at float32 rounding, the boost's orders above it and well below the next direction's.
  const auto spectrum = r.extra.at("equivariance_spectrum").get<std::vector<double>>();
  ASSERT_EQ(spectrum.size(), 5u);
  EXPECT_TRUE(std::is_sorted(spectrum.begin(), spectrum.end()));
  EXPECT_LT(spectrum[0], 1e-4);
  EXPECT_GT(spectrum[1], 100 * std::max(spectrum[0], 1e-12));
  EXPECT_GT(spectrum[2], 5 * spectrum[1]);
  // The verdict trusts both.
  EXPECT_EQ(r.trust.at("verdict"), "trusted");
  EXPECT_EQ(r.trust.at("trusted_generators"), 2);
  // Augmenting with d_x leaves the surrogate's loss about where it is on plain windows.
  EXPECT_LT(r.extra.at("augmented_loss_ratio").at(0).get<double>(), 1.2);
  EXPECT_LT(r.extra.at("validity_scores").at(0).get<double>(), 1e-3);
}

TEST(Joint, VerdictWithoutABoostOnMkdv) {
  // mKdV (no Galilean boost): the second direction's equivariance error is far above the threshold relative to
  // the data's change per judge step (measured 1.1 x the change against 0.04 for the boost on KdV above), so
  // only d_x is trusted. Fewer epochs than the default: the verdict does not need a well-converged judge here.
  const symmetry::PolynomialBasis basis(2);
  const auto mkdv = solvers::make_mkdv();
  const datasets::Split d = simulate(*mkdv, 64, 10);
  auto o = small_options("joint", 2);
  o.epochs = 30;
  o.equation = symmetry::IdentifiedEquation{};
  o.equation->max_order = 3;
  o.equation->terms = {symmetry::JetMonomial{{2, 1, 0, 0}}, symmetry::JetMonomial{{0, 0, 0, 1}}};
  o.equation->coeffs = {-1.0, -1.0};
  const auto r = learned::discover(d, o, basis);
  EXPECT_LT(symmetry::principal_angles(r.generators.col(0), symmetry::parse_generator("d_x", basis))[0], 1e-3);
  EXPECT_EQ(r.trust.at("verdict"), "doubtful");
  EXPECT_EQ(r.trust.at("trusted_generators"), 1);
  const auto per = r.trust.at("per_generator");
  EXPECT_GT(per.at(1).at("error_per_change").get<double>(), 2 * r.trust.at("threshold_error_per_change").get<double>());
  EXPECT_EQ(r.trust.at("reasons").size(), 1u);
}

TEST(Discover, RejectsBadOptionsAndData) {
  const symmetry::PolynomialBasis basis(2);
  const auto& d = kdv_data();
  auto expect_msg = [&](learned::LearnedOptions o, const datasets::Split& data, const std::string& needle) {
    try {
      learned::discover(data, o, basis);
      ADD_FAILURE() << "no error, expected '" << needle << "'";
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  auto o = small_options("validity", 2);
  o.equation = kdv_equation();
  auto bad = o;
  bad.method = "nullspace2";
  expect_msg(bad, d, "unknown learned discovery method 'nullspace2'");
  bad = o;
  bad.generators = 0;
  expect_msg(bad, d, "number of generators");
  bad = o;
  bad.epochs = -1;
  expect_msg(bad, d, "epochs");
  bad = o;
  bad.samples = 10;
  expect_msg(bad, d, "samples");
  bad = o;
  bad.lr = -1;
  expect_msg(bad, d, "learning rate");
  datasets::Split empty;
  empty.name = "train";
  expect_msg(o, empty, "is empty");
  datasets::Split broken = d;
  broken.u.resize(10);
  expect_msg(o, broken, "array sizes that do not match");
  EXPECT_EQ(learned::learned_methods(), (std::vector<std::string>{"validity", "liegan", "joint"}));
}

TEST(Discover, RegistryHoldsEachMethodWithItsDefaults) {
  for (const auto& m : learned::learned_method_registry()) {
    EXPECT_FALSE(m.summary.empty()) << m.name;
    EXPECT_GT(m.epochs, 0) << m.name;
    EXPECT_GT(m.lr, 0) << m.name;
    EXPECT_GE(m.batch, 8) << m.name;
    EXPECT_TRUE(static_cast<bool>(m.run)) << m.name;
    EXPECT_EQ(&learned::learned_method(m.name), &m);
  }
  try {
    learned::learned_method("magic");
    ADD_FAILURE() << "no error for an unknown method";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("validity, liegan, joint"), std::string::npos) << e.what();
  }
  // Defaults are filled in from the registry and recorded in the result (the MLP fields are trained).
  const symmetry::PolynomialBasis basis(2);
  auto o = small_options("validity", 2);
  o.equation = kdv_equation();
  o.field = "mlp";
  o.epochs = 2;
  const auto r = learned::discover(kdv_data(), o, basis);
  EXPECT_EQ(r.extra.at("lr").get<double>(), learned::learned_method("validity").lr);
  EXPECT_EQ(r.extra.at("batch").get<int>(), learned::learned_method("validity").batch);
}
