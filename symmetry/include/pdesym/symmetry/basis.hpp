#pragma once
// The common language of every discovery method: vector fields V = xi d_x + tau d_t + phi d_u whose
// components are polynomials in (x, t, u) up to a given total degree. A generator is a coefficient vector
// over PolynomialBasis; sym.json stores such vectors, and principal angles compare spans of them.
#include <Eigen/Dense>

#include <array>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace pdesym::symmetry {

enum class Component { Xi = 0, Tau = 1, Phi = 2 };

/// x^a t^b u^c
struct Monomial {
  int a = 0, b = 0, c = 0;
  int degree() const { return a + b + c; }
  double eval(double x, double t, double u) const;
  std::string name() const;  ///< "1", "x", "t*u", "x^2", ...
};

/// Basis of polynomial vector fields. Element i = (component, monomial); ordering: components Xi, Tau, Phi
/// outer, monomials by total degree then lexicographically (1, x, t, u, x^2, x*t, x*u, t^2, t*u, u^2, ...).
class PolynomialBasis {
 public:
  explicit PolynomialBasis(int degree = 2);
  int degree() const { return degree_; }
  int size() const { return static_cast<int>(monomials_.size()) * 3; }
  int monomials_per_component() const { return static_cast<int>(monomials_.size()); }
  Component component(int i) const;
  const Monomial& monomial(int i) const;
  const std::vector<Monomial>& monomials() const { return monomials_; }
  /// Index of (component, monomial); -1 if the monomial's degree exceeds the basis degree.
  int index(Component c, Monomial m) const;
  /// "xi:x*t", "tau:1", "phi:u" ...
  std::string name(int i) const;
  std::vector<std::string> names() const;
  /// Evaluates (xi, tau, phi) of the field with coefficients `coeffs` at (x, t, u).
  std::array<double, 3> eval(const Eigen::VectorXd& coeffs, double x, double t, double u) const;

 private:
  int degree_;
  std::vector<Monomial> monomials_;
};

/// Readable label of a generator, e.g. "x*d_x + 3*t*d_t - 2*u*d_u". Normalisation: entries with magnitude
/// below `tol` times the largest magnitude are dropped, then the vector is scaled so that its first remaining
/// entry in basis order is +1 (so d_x, t*d_x + d_u, x*d_x + 3*t*d_t - 2*u*d_u read as in textbooks).
/// Coefficients are printed with 6 significant digits (integers without decimals, 1 omitted); a component
/// with several monomials is grouped, sign factored out: "x*t*d_x + t^2*d_t + (x - t*u)*d_u". "0" for zero.
/// parse_generator(label(v)) reproduces v/first-entry up to the printed precision.
std::string label(const Eigen::VectorXd& coeffs, const PolynomialBasis& basis, double tol = 1e-6);

/// Parses a generator written like a label ("t*d_x + d_u", "x*d_x+3*t*d_t-2*u*d_u") into coefficients.
/// Throws InputError on syntax errors or monomials beyond the basis degree.
Eigen::VectorXd parse_generator(const std::string& text, const PolynomialBasis& basis);

/// The known Lie point symmetry algebras (shared/docs/science.md), as columns over `basis`:
/// "kdv" (4), "burgers" (5), "ks" (3), "mkdv" (3). Throws InputError for an unknown name.
Eigen::MatrixXd known_algebra(const std::string& name, const PolynomialBasis& basis);
std::vector<std::string> known_algebra_names();
/// The generators of a known algebra as text (parse_generator syntax); InputError for an unknown name.
std::vector<std::string> known_algebra_generators(const std::string& name);

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
  PolynomialBasis basis{2};
  Eigen::MatrixXd generators;         ///< columns = generators over `basis`
  std::vector<double> singular_values;  ///< nullspace method; empty for learned methods
  std::string identified_equation;    ///< "u_t = -1.0000*u*u_x - 1.0000*u_xxx" (or "" if given)
  nlohmann::json extra = nlohmann::json::object();  ///< method-specific details (losses, timings, ...)
};

nlohmann::json to_json(const SymmetryResult& r);
SymmetryResult from_json(const nlohmann::json& j);  ///< throws InputError on a malformed document
void write_sym_json(const std::string& path, const SymmetryResult& r);  ///< atomic
SymmetryResult read_sym_json(const std::string& path);

}  // namespace pdesym::symmetry
