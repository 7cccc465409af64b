#pragma once
// Symbolic prolongation of polynomial vector fields and the linearised symmetry condition of an evolution
// equation u_t = F(u, u_x, ..., u_x^(n)).
//
// Polynomials live in the jet variables x, t, u_{i,j} = d^{i+j} u / dx^i dt^j (j = 0, 1). For a basis element
// V (one monomial in one component of xi, tau or phi) with characteristic Q = phi - xi u_x - tau u_t:
//   phi^(k) = D_x^k Q + xi u_{k+1,0} + tau u_{k,1}         (x-prolongation, phi^(0) = phi)
//   phi^t   = D_t phi - u_x D_t xi - u_t D_t tau
//   E_V     = phi^t - sum_{k=0..n} dF/du_k phi^(k)          (pr V (u_t - F))
// and finally u_{i,1} -> D_x^i F (i <= n) is substituted, so that E_V is a polynomial in the free variables
// x, t, u_0..u_{2n} that vanishes identically for every symmetry: the condition holds everywhere, not only
// on solutions, and can be evaluated at any sample points.
#include <Eigen/Dense>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pdesym/symmetry/basis.hpp"
#include "pdesym/symmetry/identify.hpp"

namespace pdesym::symmetry {

/// Layout of the jet variables: index 0 = x, 1 = t, 2 + j*(max_x+1) + i = u_{i,j} (j in {0, 1}).
class JetSpace {
 public:
  explicit JetSpace(int max_x);
  int max_x() const { return max_x_; }
  int size() const { return 2 + 2 * (max_x_ + 1); }
  static int x() { return 0; }
  static int t() { return 1; }
  int u(int i, int j = 0) const;  ///< throws Error if i > max_x or j > 1
  std::string name(int var) const;  ///< "x", "t", "u", "u_xx", "u_t", "u_xt", ...

 private:
  int max_x_;
};

/// A polynomial in the jet variables with double coefficients.
class JetPoly {
 public:
  using Exponents = std::vector<std::uint8_t>;
  explicit JetPoly(const JetSpace& space) : space_(space) {}
  static JetPoly constant(const JetSpace& s, double c);
  static JetPoly variable(const JetSpace& s, int var, double c = 1.0);

  const JetSpace& space() const { return space_; }
  const std::map<Exponents, double>& terms() const { return terms_; }
  bool is_zero() const { return terms_.empty(); }
  std::size_t size() const { return terms_.size(); }

  JetPoly& operator+=(const JetPoly& o);
  JetPoly& operator-=(const JetPoly& o);
  JetPoly operator+(const JetPoly& o) const;
  JetPoly operator-(const JetPoly& o) const;
  JetPoly operator*(const JetPoly& o) const;
  JetPoly operator*(double c) const;

  /// Partial derivative with respect to one variable.
  JetPoly diff(int var) const;
  /// Total x-derivative: d/dx + sum u_{i+1,j} d/du_{i,j}.
  JetPoly total_dx() const;
  /// Total t-derivative of a function of (x, t, u) only: d/dt + u_t d/du (throws Error otherwise).
  JetPoly total_dt() const;
  /// Replaces variable `var` by the polynomial `r`.
  JetPoly substitute(int var, const JetPoly& r) const;
  /// Whether any term has a positive power of `var`.
  bool depends_on(int var) const;
  double eval(const double* values) const;  ///< values indexed like the JetSpace
  std::string str() const;

 private:
  void add_term(const Exponents& e, double c);
  JetSpace space_;
  std::map<Exponents, double> terms_;
};

/// The right-hand side F of an identified equation as a JetPoly in u_{0..order,0}.
JetPoly equation_poly(const IdentifiedEquation& eq, const JetSpace& space);

/// The symmetry condition of u_t = F for every element of `basis`, as polynomials in the free variables.
class SymmetryCondition {
 public:
  SymmetryCondition(const IdentifiedEquation& eq, const PolynomialBasis& basis);
  /// Order n of F; sample points must provide x, t, u_0..u_{free_order()} with free_order() = max(2n, n+1).
  int equation_order() const { return n_; }
  int free_order() const { return space_.max_x(); }
  const JetSpace& space() const { return space_; }
  const JetPoly& column(int basis_index) const { return cols_[static_cast<std::size_t>(basis_index)]; }
  /// Rows = points (columns of `points`: x, t, u_0..u_{free_order()}), columns = basis elements.
  Eigen::MatrixXd evaluate(const Eigen::MatrixXd& points) const;
  /// The residual polynomial of a generator with coefficients `v`: sum_i v_i column(i).
  JetPoly residual(const Eigen::VectorXd& v) const;

 private:
  int n_;
  JetSpace space_;
  std::vector<JetPoly> cols_;
};

}  // namespace pdesym::symmetry
