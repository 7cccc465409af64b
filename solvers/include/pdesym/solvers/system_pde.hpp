#pragma once
// Polynomial systems: for each component a,
//   (u_a)_t = sum_linear  c * d_x^px d_y^py u_b                         (constant coefficients, any b)
//           + sum_product c * d_x^qx d_y^qy ( prod_f d_x^fx d_y^fy u_{b_f} )   (pseudo-spectral, dealiased)
// NLS, lambda-omega, 2-D heat, wave and 2-D KS are instances, and configs define new ones (equation: custom).
//
// Evaluation of N: every distinct factor d_x^fx d_y^fy u_b is brought to physical space once (one c2r each);
// products with the same equation and outer derivative are summed pointwise and share one r2c; the outer
// derivative and the 2/3 mask are applied in spectral space.
//
// Config schema (`equation: custom`, system form; factors are strings: a component name, optionally followed
// by "_" and derivative letters x/y, e.g. "u", "v_xx", "u_xy", "u_t_x" for d_x of component "u_t"):
//
//   pde:
//     name: my_nls                  # optional (default "custom")
//     components: [u, v]            # required: component names, in order
//     equations:                    # one entry per component (a missing one means (u_a)_t = 0)
//       u:
//         linear: {v_xx: -1.0, v_yy: -1.0}          # factor: coefficient
//         nonlinear:
//           - {coeff: -1.0, factors: [u, u, v]}       # -u^2 v
//           - {coeff: -1.0, factors: [v, v, v]}
//       v:
//         linear: {u_xx: 1.0, u_yy: 1.0}
//         nonlinear:
//           - {coeff: 1.0, factors: [u, u, u]}
//           - {coeff: 1.0, factors: [u, v, v], dx: 0, dy: 0}   # optional outer derivative d_x^dx d_y^dy
//
// Derivative orders are limited to 0..8 (linear) and 0..4 (factors, outer); a product has 1..6 factors.
// A system using y-derivatives is 2-D only; otherwise it runs in 1-D and 2-D.
#include <map>
#include <string>
#include <vector>

#include "pdesym/solvers/field_pde.hpp"

namespace pdesym::solvers {

/// coeff * d_x^dx d_y^dy u_comp in the equation of component eq.
struct LinearTerm {
  int eq = 0, comp = 0;
  int dx = 0, dy = 0;
  double coeff = 0.0;
};

/// d_x^dx d_y^dy u_comp.
struct Factor {
  int comp = 0;
  int dx = 0, dy = 0;
  bool operator<(const Factor& o) const;
  bool operator==(const Factor& o) const { return comp == o.comp && dx == o.dx && dy == o.dy; }
};

/// coeff * d_x^dx d_y^dy (prod factors) in the equation of component eq.
struct ProductTerm {
  int eq = 0;
  double coeff = 0.0;
  std::vector<Factor> factors;
  int dx = 0, dy = 0;
};

class PolynomialSystem : public FieldPde {
 public:
  /// Validates the terms (InputError on bad indices/orders/non-finite coefficients). `equation_text` empty:
  /// generated from the terms. `dims` empty: {1, 2}, or {2} if any y-derivative is used.
  PolynomialSystem(std::string name, std::vector<std::string> components, std::vector<LinearTerm> linear,
                   std::vector<ProductTerm> nonlinear, std::map<std::string, double> named_coefficients = {},
                   std::string equation_text = "", std::vector<int> dims = {});
  std::string name() const override { return name_; }
  std::string equation() const override;
  std::map<std::string, double> coefficients() const override { return named_; }
  int nc() const override { return static_cast<int>(components_.size()); }
  std::vector<std::string> component_names() const override { return components_; }
  std::vector<int> dims() const override { return dims_; }
  void linear_block(double kx, double ky, cdouble* L) const override;
  bool linear_diagonal() const override;
  void nonlinear(const cdouble* u_hat, cdouble* n_hat, SpectralWorkspace& ws) const override;
  void nonlinear_consuming(cdouble* u_hat, cdouble* n_hat, SpectralWorkspace& ws) const override;
  bool linear_only() const override { return products_.empty(); }
  const std::vector<LinearTerm>& linear_terms() const { return linear_; }
  const std::vector<ProductTerm>& product_terms() const { return products_; }
  /// Distinct physical factors and (equation, outer derivative) groups: the FFTs one N evaluation costs are
  /// factors c2r + groups r2c.
  int distinct_factors() const { return static_cast<int>(factors_.size()); }
  int product_groups() const { return static_cast<int>(groups_.size()); }

 private:
  struct Group {
    int eq, dx, dy;
    std::vector<std::size_t> terms;  // indices into products_
  };
  std::string name_;
  std::vector<std::string> components_;
  std::vector<LinearTerm> linear_;
  std::vector<ProductTerm> products_;
  std::map<std::string, double> named_;
  std::string eq_;
  std::vector<int> dims_;
  std::vector<Factor> factors_;                     // distinct factors, sorted
  std::vector<std::vector<int>> term_factors_;      // per product term: indices into factors_
  std::vector<Group> groups_;
  std::vector<char> sole_use_;                      // per factor: underived, and the only factor of its component
  std::vector<char> eq_has_group_;                  // per equation: some group writes it
  /// The products read the factors at least 3 times each on average (cubic systems: NLS, lambda-omega): on the
  /// unpadded grid the factors are scaled by the inverse transform's 1/n in a pass of their own, not per read.
  bool prescale_ = false;
  /// nonlinear(); `consumable` is u_hat when the caller lets it be overwritten, else null.
  void evaluate(const cdouble* u_hat, cdouble* consumable, cdouble* n_hat, SpectralWorkspace& ws) const;
};

/// Parses the system schema above from a `pde:` node (InputError naming file and key).
std::unique_ptr<PolynomialSystem> parse_polynomial_system(const Config& pde_node);
/// Parses a factor string ("u", "v_xx", "u_t_xy") against component names; InputError naming `where`.
Factor parse_factor(const std::string& text, const std::vector<std::string>& components, const std::string& where);
/// Inverse of parse_factor.
std::string factor_text(const Factor& f, const std::vector<std::string>& components);

}  // namespace pdesym::solvers
