// Several variables: the multi-variable basis, labels and parser, and the symmetry condition of systems and of
// the 2-D wave equation. Every generator of every known algebra (shared/docs/science.md) is checked
// symbolically to satisfy the condition of its equation, and the algebra to be the whole nullspace of the
// condition in the degree-2 basis.
#include <gtest/gtest.h>

#include <sstream>

#include "pdesym/common/error.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/symmetry/basis.hpp"
#include "pdesym/symmetry/nullspace.hpp"
#include "pdesym/symmetry/system.hpp"

using namespace pdesym;
using namespace pdesym::symmetry;

namespace {

// Builds F from text such as "0.5*u_xx + 0.5*u_yy" or "-1*v_xx - 1*u^2*v - 1*v^3" (one "coeff*factors" per term).
std::vector<SystemTerm> rhs(const SpatialJets& J, const std::string& text) {
  std::vector<SystemTerm> out;
  std::string s;
  for (char c : text) s += c == '-' ? std::string("+-") : std::string(1, c);
  std::stringstream terms(s);
  std::string term;
  while (std::getline(terms, term, '+')) {
    term.erase(std::remove(term.begin(), term.end(), ' '), term.end());
    if (term.empty()) continue;
    SystemTerm t;
    t.powers.assign(static_cast<std::size_t>(J.size()), 0);
    std::stringstream fs(term);
    std::string f;
    bool first = true;
    while (std::getline(fs, f, '*')) {
      if (first) {
        t.coeff = std::stod(f);
        first = false;
        continue;
      }
      int p = 1;
      const auto hat = f.find('^');
      if (hat != std::string::npos) {
        p = std::stoi(f.substr(hat + 1));
        f = f.substr(0, hat);
      }
      int k = -1;
      for (int q = 0; q < J.size(); ++q)
        if (J.name(q) == f) k = q;
      EXPECT_GE(k, 0) << "unknown jet " << f;
      if (k >= 0) t.powers[static_cast<std::size_t>(k)] += p;
    }
    out.push_back(t);
  }
  return out;
}

SystemEquation equation(int dim, int nc, int time_order, const std::vector<std::string>& F) {
  SystemEquation eq;
  eq.jets = SpatialJets(dim, nc, 3);
  eq.time_order = time_order;
  for (const auto& f : F) eq.rhs.push_back(rhs(eq.jets, f));
  return eq;
}

struct Case {
  std::string algebra;
  SystemEquation eq;
};

std::vector<Case> cases() {
  const std::string lo_u = "1*u_xx + 1*u_yy + 1*u - 1*u^3 - 1*u*v^2 + 0.7*u^2*v + 0.7*v^3";
  const std::string lo_v = "1*v_xx + 1*v_yy - 0.7*u^3 - 0.7*u*v^2 + 1*v - 1*u^2*v - 1*v^3";
  return {
      {"heat2d", equation(2, 1, 1, {"0.5*u_xx + 0.5*u_yy"})},
      {"nls", equation(1, 2, 1, {"-1*v_xx - 1*u^2*v - 1*v^3", "1*u_xx + 1*u^3 + 1*u*v^2"})},
      {"nls2d", equation(2, 2, 1, {"-1*v_xx - 1*v_yy - 1*u^2*v - 1*v^3", "1*u_xx + 1*u_yy + 1*u^3 + 1*u*v^2"})},
      {"lambda-omega", equation(2, 2, 1, {lo_u, lo_v})},
      {"wave2d", equation(2, 1, 2, {"1*u_xx + 1*u_yy"})},
      {"kdv", equation(1, 1, 1, {"-1*u*u_x - 1*u_xxx"})},
  };
}

}  // namespace

TEST(SystemBasis, VariablesNamesLabelsAndParser) {
  const PolynomialBasis b(2, Variables::of(2, 2));
  EXPECT_EQ(b.variables().names(), (std::vector<std::string>{"x", "y", "t", "u", "v"}));
  EXPECT_EQ(b.monomials_per_component(), 21);
  EXPECT_EQ(b.size(), 105);
  EXPECT_EQ(b.name(0), "xi:1");
  EXPECT_EQ(b.name(21 + 1), "eta:x");
  EXPECT_EQ(b.name(4 * 21 + 20), "psi:v^2");
  const Eigen::VectorXd r = parse_generator("y*d_x - x*d_y", b);
  EXPECT_EQ(label(r, b), "y*d_x - x*d_y");
  EXPECT_EQ(label(parse_generator("2*t*d_x - x*v*d_u + x*u*d_v", b), b), "t*d_x - 0.5*x*v*d_u + 0.5*x*u*d_v");
  EXPECT_THROW(parse_generator("d_z", b), InputError);
  EXPECT_THROW(known_algebra("kdv", b), InputError);  // another set of variables
  // 1-D scalar bases are unchanged.
  const PolynomialBasis one(2);
  EXPECT_EQ(one.names()[4], "xi:x^2");
  EXPECT_EQ(one.size(), 30);
}

TEST(SystemBasis, SymJsonVersion2RoundTripAndVersion1StillReads) {
  SymmetryResult r;
  r.method = "nullspace";
  r.basis = PolynomialBasis(2, Variables::of(2, 1));
  r.generators = known_algebra("heat2d", r.basis);
  const auto j = to_json(r);
  EXPECT_EQ(j["format_version"], 2);
  EXPECT_EQ(j["basis"]["variables"]["space"].size(), 2u);
  const SymmetryResult back = from_json(j);
  EXPECT_EQ(back.basis.variables(), r.basis.variables());
  EXPECT_LT(grassmann_distance(back.generators, r.generators), 1e-12);
  // A version-1 document (no variables): (x, t, u).
  nlohmann::json v1 = {{"format", "pdesym-sym"}, {"format_version", 1}, {"method", "nullspace"},
                       {"basis", {{"degree", 2}}}, {"generators", {{{"label", "t*d_x + d_u"}}}}};
  const SymmetryResult old = from_json(v1);
  EXPECT_TRUE(old.basis.variables().scalar_1d());
  EXPECT_EQ(label(old.generators.col(0), old.basis), "t*d_x + d_u");
}

TEST(SystemCondition, EveryKnownGeneratorSatisfiesItsEquationSymbolically) {
  for (const auto& c : cases()) {
    const PolynomialBasis basis(2, known_algebra_variables(c.algebra));
    const SystemCondition cond(c.eq, basis);
    const Eigen::MatrixXd K = known_algebra(c.algebra, basis);
    for (int g = 0; g < K.cols(); ++g)
      EXPECT_LT(cond.symbolic_residual(K.col(g)), 1e-12)
          << c.algebra << ": " << known_algebra_generators(c.algebra)[static_cast<std::size_t>(g)];
    // A non-symmetry for contrast: x d_x alone.
    EXPECT_GT(cond.symbolic_residual(parse_generator("x*d_x", basis)), 0.1) << c.algebra;
  }
}

TEST(SystemCondition, KnownAlgebrasAreTheWholeDegreeTwoNullspace) {
  for (const auto& c : cases()) {
    const PolynomialBasis basis(2, known_algebra_variables(c.algebra));
    const SystemCondition cond(c.eq, basis);
    Rng rng(5, 0, 0);
    Eigen::MatrixXd P(600, cond.point_size());
    for (int r = 0; r < P.rows(); ++r)
      for (int k = 0; k < P.cols(); ++k) P(r, k) = rng.uniform(-1.0, 1.0);
    Eigen::MatrixXd A = cond.evaluate(P);
    Eigen::VectorXd n(A.cols());
    for (int k = 0; k < A.cols(); ++k) {
      n[k] = A.col(k).norm();
      if (n[k] > 0) A.col(k) /= n[k];
      else n[k] = 1;
    }
    Eigen::JacobiSVD<Eigen::MatrixXd> svd(A, Eigen::ComputeThinV);
    std::vector<double> s(svd.singularValues().data(), svd.singularValues().data() + A.cols());
    const GapDecision gap = choose_nullity(s, 1e3, 1e-6);
    const Eigen::MatrixXd K = known_algebra(c.algebra, basis);
    ASSERT_EQ(gap.nullity, K.cols()) << c.algebra;
    Eigen::MatrixXd N = svd.matrixV().rightCols(gap.nullity);
    for (int k = 0; k < A.cols(); ++k) N.row(k) /= n[k];
    EXPECT_LT(grassmann_distance(N, K), 1e-8) << c.algebra;
  }
}
