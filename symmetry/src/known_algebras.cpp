// The known algebras of shared/docs/science.md, change of basis and principal angles (basis.hpp).
#include "pdesym/symmetry/basis.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <tuple>

#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"

namespace pdesym::symmetry {

// ---------------------------------------------------------------------------------------------------------
// Known algebras (shared/docs/science.md)
// ---------------------------------------------------------------------------------------------------------

namespace {
struct KnownAlgebra {
  int dim, nc;
  std::vector<std::string> generators;
};
const std::map<std::string, KnownAlgebra>& algebra_table() {
  static const std::map<std::string, KnownAlgebra> table = {
      {"kdv", {1, 1, {"d_x", "d_t", "t*d_x + d_u", "x*d_x + 3*t*d_t - 2*u*d_u"}}},
      {"burgers",
       {1, 1, {"d_x", "d_t", "t*d_x + d_u", "x*d_x + 2*t*d_t - u*d_u", "x*t*d_x + t^2*d_t + (x - t*u)*d_u"}}},
      {"ks", {1, 1, {"d_x", "d_t", "t*d_x + d_u"}}},
      {"mkdv", {1, 1, {"d_x", "d_t", "x*d_x + 3*t*d_t - u*d_u"}}},
      // psi = u + i v, i psi_t + psi_xx + |psi|^2 psi = 0.
      {"nls",
       {1, 2, {"d_t", "d_x", "v*d_u - u*d_v", "2*t*d_t + x*d_x - u*d_u - v*d_v", "2*t*d_x - x*v*d_u + x*u*d_v"}}},
      // u_t = (u_xx + u_yy) / 2.
      {"heat2d",
       {2, 1, {"d_t", "d_x", "d_y", "y*d_x - x*d_y", "2*t*d_t + x*d_x + y*d_y", "u*d_u", "t*d_x - x*u*d_u",
               "t*d_y - y*u*d_u", "d_u", "x*d_u", "y*d_u", "x*y*d_u", "(x^2 + t)*d_u", "(y^2 + t)*d_u"}}},
      {"nls2d",
       {2, 2, {"d_t", "d_x", "d_y", "y*d_x - x*d_y", "v*d_u - u*d_v", "2*t*d_t + x*d_x + y*d_y - u*d_u - v*d_v",
               "2*t*d_x - x*v*d_u + x*u*d_v", "2*t*d_y - y*v*d_u + y*u*d_v"}}},
      {"lambda-omega", {2, 2, {"d_t", "d_x", "d_y", "y*d_x - x*d_y", "v*d_u - u*d_v"}}},
      // u_tt = u_xx + u_yy: Poincare (6), dilation, u d_u, special conformal (3), superposition (9).
      {"wave2d",
       {2, 1, {"d_t", "d_x", "d_y", "y*d_x - x*d_y", "x*d_t + t*d_x", "y*d_t + t*d_y", "t*d_t + x*d_x + y*d_y",
               "u*d_u", "(t^2 + x^2 + y^2)*d_t + 2*t*x*d_x + 2*t*y*d_y - t*u*d_u",
               "2*t*x*d_t + (t^2 + x^2 - y^2)*d_x + 2*x*y*d_y - x*u*d_u",
               "2*t*y*d_t + 2*x*y*d_x + (t^2 - x^2 + y^2)*d_y - y*u*d_u", "d_u", "t*d_u", "x*d_u", "y*d_u",
               "t*x*d_u", "t*y*d_u", "x*y*d_u", "(t^2 + x^2)*d_u", "(t^2 + y^2)*d_u"}}},
  };
  return table;
}
const KnownAlgebra& algebra_entry(const std::string& name) {
  const auto& table = algebra_table();
  const auto it = table.find(name);
  if (it == table.end()) {
    std::string list;
    for (const auto& kv : table) list += (list.empty() ? "" : ", ") + kv.first;
    throw InputError("unknown algebra '" + name + "' (known: " + list + ")");
  }
  return it->second;
}
}  // namespace

std::vector<std::string> known_algebra_names() {
  std::vector<std::string> n;
  for (const auto& kv : algebra_table()) n.push_back(kv.first);
  return n;
}

std::vector<std::string> known_algebra_generators(const std::string& name) { return algebra_entry(name).generators; }

Variables known_algebra_variables(const std::string& name) {
  const KnownAlgebra& a = algebra_entry(name);
  return Variables::of(a.dim, a.nc);
}

Eigen::MatrixXd known_algebra(const std::string& name, const PolynomialBasis& basis) {
  const KnownAlgebra& a = algebra_entry(name);
  const Variables vars = Variables::of(a.dim, a.nc);
  PDESYM_REQUIRE(basis.variables().dim == vars.dim && basis.variables().nc == vars.nc,
                 "the " << name << " algebra lives on " << vars.describe() << ", the basis on "
                        << basis.variables().describe());
  // Parsed with the default field names; the layout depends on (dim, nc, degree) only.
  const PolynomialBasis named(basis.degree(), vars);
  const std::vector<std::string>& gens = a.generators;
  Eigen::MatrixXd M(basis.size(), static_cast<int>(gens.size()));
  for (std::size_t j = 0; j < gens.size(); ++j) {
    try {
      M.col(static_cast<int>(j)) = parse_generator(gens[j], named);
    } catch (const InputError& e) {
      throw InputError("the " + name + " algebra does not fit a basis of degree " + std::to_string(basis.degree()) +
                       ": " + e.what());
    }
  }
  return M;
}

Eigen::MatrixXd change_basis(const Eigen::MatrixXd& G, const PolynomialBasis& from, const PolynomialBasis& to) {
  PDESYM_REQUIRE(G.rows() == from.size(), "generators have " << G.rows() << " coefficients, the degree-"
                                                             << from.degree() << " basis has " << from.size());
  Eigen::MatrixXd R = Eigen::MatrixXd::Zero(to.size(), G.cols());
  PDESYM_REQUIRE(from.variables() == to.variables(), "cannot compare generators over " << from.variables().describe()
                                                      << " with generators over " << to.variables().describe());
  for (int i = 0; i < from.size(); ++i) {
    const int j = to.index(from.component_index(i), from.exponents(i));
    for (int g = 0; g < G.cols(); ++g) {
      if (G(i, g) == 0.0) continue;
      PDESYM_REQUIRE(j >= 0, "generator " << g + 1 << " uses " << from.name(i) << ", which a degree-" << to.degree()
                                          << " basis cannot represent");
      R(j, g) = G(i, g);
    }
  }
  return R;
}

// ---------------------------------------------------------------------------------------------------------
// Principal angles
// ---------------------------------------------------------------------------------------------------------

namespace {
// Orthonormal basis of the column span (left singular vectors above a relative rank tolerance).
Eigen::MatrixXd orthonormal_span(const Eigen::MatrixXd& A) {
  if (A.cols() == 0 || A.rows() == 0) return Eigen::MatrixXd(A.rows(), 0);
  PDESYM_REQUIRE(A.allFinite(), "principal angles: a generator has non-finite coefficients");
  // Normalise columns first so that the rank decision does not depend on how each generator is scaled.
  Eigen::MatrixXd B = A;
  for (int j = 0; j < B.cols(); ++j) {
    const double n = B.col(j).norm();
    if (n > 0) B.col(j) /= n;
  }
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(B, Eigen::ComputeThinU);
  const auto& s = svd.singularValues();
  const double tol = std::max<double>(B.rows(), B.cols()) * std::numeric_limits<double>::epsilon() * 16.0 *
                     (s.size() ? s[0] : 0.0);
  int r = 0;
  while (r < s.size() && s[r] > tol) ++r;
  return svd.matrixU().leftCols(r);
}
}  // namespace

std::vector<double> principal_angles(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
  PDESYM_REQUIRE(A.rows() == B.rows(), "principal angles: the spaces live in different dimensions ("
                                           << A.rows() << " vs " << B.rows() << " coefficients)");
  Eigen::MatrixXd Qa = orthonormal_span(A), Qb = orthonormal_span(B);
  if (Qa.cols() < Qb.cols()) std::swap(Qa, Qb);  // Qb is the smaller space
  const int q = static_cast<int>(Qb.cols());
  if (q == 0) return {};
  // Cosines from svd(Qa^T Qb) are inaccurate for small angles (cos ~ 1 - theta^2/2); sines from the
  // component of Qb orthogonal to span(Qa) are accurate there (Knyazev & Argentati 2002). Use sines for
  // angles below pi/4 and cosines above.
  const Eigen::MatrixXd M = Qa.transpose() * Qb;
  Eigen::JacobiSVD<Eigen::MatrixXd> sc(M);
  const Eigen::MatrixXd R = Qb - Qa * M;
  Eigen::JacobiSVD<Eigen::MatrixXd> ss(R);
  std::vector<double> cosv(static_cast<std::size_t>(q)), sinv(static_cast<std::size_t>(q));
  for (int i = 0; i < q; ++i) cosv[static_cast<std::size_t>(i)] = std::min(1.0, sc.singularValues()[i]);  // descending
  for (int i = 0; i < q; ++i) {
    // singularValues() has min(rows, cols) = q entries here (R is n x q, n >= q); ascending order wanted.
    sinv[static_cast<std::size_t>(i)] = std::min(1.0, ss.singularValues()[q - 1 - i]);
  }
  std::vector<double> ang(static_cast<std::size_t>(q));
  for (int i = 0; i < q; ++i) {
    const double s = sinv[static_cast<std::size_t>(i)];
    ang[static_cast<std::size_t>(i)] =
        (s * s < 0.5) ? std::asin(s) : std::acos(std::max(0.0, cosv[static_cast<std::size_t>(i)]));
  }
  std::sort(ang.begin(), ang.end());
  return ang;
}

double grassmann_distance(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
  const std::vector<double> ang = principal_angles(A, B);
  const long ra = orthonormal_span(A).cols(), rb = orthonormal_span(B).cols();
  double s = 0.0;
  for (double a : ang) s += a * a;
  s += static_cast<double>(std::labs(ra - rb)) * (M_PI / 2) * (M_PI / 2);
  return std::sqrt(s);
}

}  // namespace pdesym::symmetry
