// The 1-D scalar symmetry condition, built by the general prolongation of system.hpp from an identified equation
// u_t = F, checked against algebras known in closed form (heat equation, KdV, Burgers, KS, mKdV) without any data.
#include <gtest/gtest.h>

#include <cmath>

#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/symmetry/plot.hpp"
#include "pdesym/symmetry/nullspace.hpp"
#include "pdesym/symmetry/system.hpp"

using namespace pdesym;
using namespace pdesym::symmetry;

namespace {

IdentifiedEquation make_equation(const std::vector<std::pair<std::vector<int>, double>>& terms, int max_order = 4) {
  IdentifiedEquation eq;
  eq.max_order = max_order;
  for (const auto& [p, c] : terms) {
    JetMonomial m;
    m.powers = p;
    m.powers.resize(static_cast<std::size_t>(max_order + 1), 0);
    eq.terms.push_back(m);
    eq.coeffs.push_back(c);
  }
  return eq;
}

// Random points (x, t, u_0..u_k): the condition is a polynomial identity, any values will do.
Eigen::MatrixXd random_points(int n, int k, std::uint64_t seed) {
  Rng rng(seed);
  Eigen::MatrixXd P(n, 3 + k);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < 3 + k; ++j) P(i, j) = rng.uniform(-2, 2);
  return P;
}

}  // namespace

TEST(SymmetryCondition, IdentifiedEquationInGeneralForm) {
  // u_t = -u u_x - u_xxx as a SystemEquation over (x; u): same terms, same text, same values.
  const IdentifiedEquation eq = make_equation({{{1, 1}, -1.0}, {{0, 0, 0, 1}, -1.0}});
  const SystemEquation s = system_equation(eq);
  EXPECT_EQ(s.jets.dim(), 1);
  EXPECT_EQ(s.jets.nc(), 1);
  EXPECT_EQ(s.order(), 3);
  EXPECT_EQ(s.text(), "u_t = -1*u*u_x - 1*u_xxx");
  const double jet[5] = {0.3, -1.2, 0.7, 2.5, -0.4};
  EXPECT_DOUBLE_EQ(s.eval(0, jet), eq.eval(jet));
}

TEST(SymmetryCondition, HeatEquationAlgebraInDegreeTwo) {
  // u_t = u_xx: d_x, d_t, u d_u, x d_x + 2t d_t, 2t d_x - x u d_u, and the superposition fields h d_u for the
  // solutions h = 1, x, x^2 + 2t of degree <= 2: nullity 8 exactly.
  const IdentifiedEquation heat = make_equation({{{0, 0, 1}, 1.0}});
  NullspaceOptions o;
  const auto r = nullspace_of_equation(heat, random_points(500, 4, 1), o);
  const PolynomialBasis& b = r.basis;
  Eigen::MatrixXd K(b.size(), 8);
  const char* gens[] = {"d_x", "d_t", "u*d_u", "x*d_x + 2*t*d_t", "2*t*d_x - x*u*d_u", "d_u", "x*d_u",
                        "(x^2 + 2*t)*d_u"};
  for (int i = 0; i < 8; ++i) K.col(i) = parse_generator(gens[i], b);
  ASSERT_EQ(r.generators.cols(), 8);
  EXPECT_LT(grassmann_distance(r.generators, K), 1e-10);
}

TEST(SymmetryCondition, KnownAlgebrasSatisfyTheConditionIdentically) {
  const PolynomialBasis b(2);
  struct Case {
    std::string name;
    IdentifiedEquation eq;
  };
  const std::vector<Case> cases = {
      {"kdv", make_equation({{{1, 1}, -1.0}, {{0, 0, 0, 1}, -1.0}})},
      {"burgers", make_equation({{{1, 1}, -1.0}, {{0, 0, 1}, 0.7}})},  // any viscosity
      {"ks", make_equation({{{1, 1}, -1.0}, {{0, 0, 1}, -1.0}, {{0, 0, 0, 0, 1}, -1.0}})},
      {"mkdv", make_equation({{{2, 1}, -1.0}, {{0, 0, 0, 1}, -1.0}})},
  };
  for (const auto& c : cases) {
    const SystemCondition cond(system_equation(c.eq), b);
    const Eigen::MatrixXd K = known_algebra(c.name, b);
    for (int g = 0; g < K.cols(); ++g)
      EXPECT_LT(cond.symbolic_residual(K.col(g)), 1e-12) << c.name << " generator " << g;
    // And the nullspace of the sampled condition is exactly the known algebra.
    const auto r = nullspace_of_equation(c.eq, random_points(400, cond.free_jets().order(), 2), NullspaceOptions{});
    EXPECT_EQ(r.generators.cols(), K.cols()) << c.name;
    EXPECT_LT(grassmann_distance(r.generators, K), 1e-10) << c.name;
  }
  // A non-symmetry leaves a nonzero residual: x d_x alone for KdV.
  const SystemCondition kdv(system_equation(cases[0].eq), b);
  EXPECT_GT(kdv.symbolic_residual(parse_generator("x*d_x", b)), 0.5);
}

TEST(SymmetryCondition, ScaledKdvHasTheScaledBoost) {
  // u_t = -6 u u_x - u_xxx: the boost is t d_x + (1/6) d_u.
  const IdentifiedEquation eq = make_equation({{{1, 1}, -6.0}, {{0, 0, 0, 1}, -1.0}});
  const auto r = nullspace_of_equation(eq, random_points(400, 6, 3), NullspaceOptions{});
  ASSERT_EQ(r.generators.cols(), 4);
  const PolynomialBasis& b = r.basis;
  const Eigen::VectorXd boost = parse_generator("t*d_x + (1/6)*d_u", b);
  EXPECT_LT(principal_angles(r.generators, boost)[0], 1e-10);
  EXPECT_EQ(label(r.generators.col(2), b), "t*d_x + 0.166667*d_u");
}

TEST(Plot, DrawsEveryGeneratorAndRejectsEmptyResults) {
  SymmetryResult r;
  r.method = "nullspace";
  r.generators = known_algebra("burgers", r.basis);
  PlotDomain dom;
  dom.x = {0, 32};
  dom.t = {0, 5};
  dom.u = {-1.5, 1.5};
  const std::string path = std::string(PDESYM_BINARY_DIR) + "/test_symmetry_plot.png";
  std::remove(path.c_str());
  plot_generators(path, r, dom);
  ASSERT_TRUE(file_exists(path));
  const std::string png = read_text(path);
  EXPECT_EQ(png.substr(1, 3), "PNG");
  EXPECT_GT(png.size(), 5000u);
  std::remove(path.c_str());
  r.generators.resize(r.basis.size(), 0);
  EXPECT_THROW(plot_generators(path, r, dom), InputError);
  EXPECT_FALSE(file_exists(path));
  nlohmann::json extra = {{"domain", {{"x", {0, 64}}, {"t", {1, 2}}, {"u", {3, 3}}}}};
  const PlotDomain d = PlotDomain::from_extra(extra);
  EXPECT_EQ(d.x[1], 64);
  EXPECT_EQ(d.t[0], 1);
  EXPECT_EQ(d.u[0], -1.0);  // degenerate range ignored
}
