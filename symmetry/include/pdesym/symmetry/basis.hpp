#pragma once
// The common language of every discovery method: vector fields
//   V = sum_i xi^i d_{x_i} + tau d_t + sum_a phi^a d_{u^a}
// whose components are polynomials in the variables (x, [y], t, u, [v, ...]) up to a given total degree. In 1-D
// with one component this is V = xi d_x + tau d_t + phi d_u over (x, t, u). A generator is a coefficient vector
// over PolynomialBasis; sym.json stores such vectors, and principal angles compare spans of them.
#include <Eigen/Dense>

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pdesym::symmetry {

enum class Component { Xi = 0, Tau = 1, Phi = 2 };  ///< the components of a 1-D scalar basis

/// The variables of a basis, in basis order: the space variables (x; x, y), then t, then the field components.
struct Variables {
  int dim = 1;                               ///< space dimensions, 1 or 2
  int nc = 1;                                ///< dependent components
  std::vector<std::string> fields = {"u"};   ///< their names ("u"; "u", "v")
  static Variables of(int dim, int nc);      ///< default field names u, v (u0, u1, ... beyond two)
  int count() const { return dim + 1 + nc; }
  std::vector<std::string> names() const;    ///< "x", ["y"], "t", "u", ["v", ...]
  bool scalar_1d() const { return dim == 1 && nc == 1; }
  bool operator==(const Variables& o) const { return dim == o.dim && nc == o.nc && fields == o.fields; }
  bool operator!=(const Variables& o) const { return !(*this == o); }
  std::string describe() const;              ///< "(x, t, u)", "(x, y, t, u, v)"
};

/// x^a t^b u^c
struct Monomial {
  int a = 0, b = 0, c = 0;
  int degree() const { return a + b + c; }
  double eval(double x, double t, double u) const;
  std::string name() const;  ///< "1", "x", "t*u", "x^2", ...
};

/// Basis of polynomial vector fields. Element i = (component, monomial); components in variable order (xi^x,
/// [xi^y], tau, phi^u, [phi^v, ...]) outer, monomials by total degree then lexicographically with exponents of
/// earlier variables descending: in 1-D (1, x, t, u, x^2, x*t, x*u, t^2, t*u, u^2, ...).
/// The Component / Monomial accessors describe 1-D scalar bases only (they throw Error otherwise); the general
/// accessors are component_index() and exponents().
class PolynomialBasis {
 public:
  explicit PolynomialBasis(int degree = 2);                 ///< over (x, t, u)
  PolynomialBasis(int degree, const Variables& vars);
  int degree() const { return degree_; }
  const Variables& variables() const { return vars_; }
  int size() const { return static_cast<int>(exps_.size()) * vars_.count(); }
  int monomials_per_component() const { return static_cast<int>(exps_.size()); }
  /// General form: component of element i in variable order, and the exponents of its monomial over variables().
  int component_index(int i) const;
  const std::vector<int>& exponents(int i) const;
  /// Monomial k (0 <= k < monomials_per_component()) as text: "1", "x", "x*y", "t*u", "u^2", ...
  std::string monomial_name(int k) const;
  /// Index of (component, exponents); -1 if the degree exceeds the basis degree.
  int index(int component, const std::vector<int>& exponents) const;
  /// "xi", "eta", "tau", "phi", "psi" (x, y, t, first and second field; "phi_<name>" beyond) and "d_<variable>".
  std::string component_name(int component) const;
  std::string component_operator(int component) const;

  /// "xi:x*t", "tau:1", "phi:u", "eta:x*y" ...
  std::string name(int i) const;
  std::vector<std::string> names() const;

  /// 1-D scalar bases only.
  Component component(int i) const;
  const Monomial& monomial(int i) const;
  const std::vector<Monomial>& monomials() const { return monomials_; }
  /// Index of (component, monomial); -1 if the monomial's degree exceeds the basis degree.
  int index(Component c, Monomial m) const;
  /// Evaluates (xi, tau, phi) of the field with coefficients `coeffs` at (x, t, u) (1-D scalar bases).
  std::array<double, 3> eval(const Eigen::VectorXd& coeffs, double x, double t, double u) const;

 private:
  int degree_;
  Variables vars_;
  std::vector<std::vector<int>> exps_;
  std::vector<Monomial> monomials_;  ///< 1-D scalar bases: exps_ as (a, b, c)
};

/// Readable label of a generator, e.g. "x*d_x + 3*t*d_t - 2*u*d_u". Normalisation: entries with magnitude
/// below `tol` times the largest magnitude are dropped, then the vector is scaled so that its first remaining
/// entry in basis order is +1 (so d_x, t*d_x + d_u, x*d_x + 3*t*d_t - 2*u*d_u read as in textbooks).
/// Coefficients are printed with 6 significant digits (integers without decimals, 1 omitted); a component
/// with several monomials is grouped, sign factored out: "x*t*d_x + t^2*d_t + (x - t*u)*d_u". "0" for zero.
/// parse_generator(label(v)) reproduces v/first-entry up to the printed precision.
std::string label(const Eigen::VectorXd& coeffs, const PolynomialBasis& basis, double tol = 1e-6);

/// Parses a generator written like a label ("t*d_x + d_u", "x*d_x+3*t*d_t-2*u*d_u", "y*d_x - x*d_y") into
/// coefficients; the symbols are the basis's variables and d_<variable>.
/// Throws InputError on syntax errors or monomials beyond the basis degree.
Eigen::VectorXd parse_generator(const std::string& text, const PolynomialBasis& basis);

/// The known Lie point symmetry algebras (shared/docs/science.md), as columns over `basis`:
/// 1-D "kdv" (4), "burgers" (5), "ks" (3), "mkdv" (3); "nls" (1-D cubic NLS, u + i v: 5); 2-D "heat2d"
/// (u_t = (u_xx + u_yy)/2: 14), "nls2d" (8), "lambda-omega" (5), "wave2d" (u_tt = u_xx + u_yy: 20). Throws
/// InputError for an unknown name or a basis over other variables.
Eigen::MatrixXd known_algebra(const std::string& name, const PolynomialBasis& basis);
std::vector<std::string> known_algebra_names();
/// The generators of a known algebra as text (parse_generator syntax); InputError for an unknown name.
std::vector<std::string> known_algebra_generators(const std::string& name);
/// The variables a known algebra lives on.
Variables known_algebra_variables(const std::string& name);

/// Re-expresses generators (columns over `from`) over the basis `to` (e.g. to compare a degree-2 result with a
/// degree-3 one). InputError if a nonzero coefficient has no place in `to`.
Eigen::MatrixXd change_basis(const Eigen::MatrixXd& generators, const PolynomialBasis& from, const PolynomialBasis& to);

/// Principal angles (radians, ascending) between the column spans of A and B (columns need not be
/// orthonormal). Returns min(rank A, rank B) angles.
std::vector<double> principal_angles(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B);
/// Grassmann distance sqrt(sum theta_i^2); if the dimensions differ, the missing directions count pi/2 each.
double grassmann_distance(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B);

/// What every discovery method writes (sym.json).
struct SymmetryResult {
  std::string method;                 ///< "nullspace", "validity", "liegan", "joint"
  PolynomialBasis basis{2};           ///< 1-D: over (x, t, u); n-D: over (x, [y], t, u, [v, ...])
  Eigen::MatrixXd generators;         ///< columns = generators over `basis`
  std::vector<double> singular_values;  ///< nullspace method; empty for learned methods
  std::string identified_equation;    ///< "u_t = -1.0000*u*u_x - 1.0000*u_xxx" (or "" if given)
  nlohmann::json extra = nlohmann::json::object();  ///< method-specific details (losses, timings, ...)
  /// The trust verdict and its measurements (TrustReport::to_json, trust.hpp); null if the method gives none.
  nlohmann::json trust;
};

nlohmann::json to_json(const SymmetryResult& r);
SymmetryResult from_json(const nlohmann::json& j);  ///< throws InputError on a malformed document
void write_sym_json(const std::string& path, const SymmetryResult& r);  ///< atomic
SymmetryResult read_sym_json(const std::string& path);

}  // namespace pdesym::symmetry
