#pragma once
// The physics of 1-D scalar equations: u_t = L u + N(u) on a periodic domain. L is linear with Fourier symbol
// L(k) (complex in general: KdV's d_x^3 has the imaginary symbol -(ik)^3 = i k^3); N is evaluated
// pseudo-spectrally, dealiased as the workspace says (box.hpp: 2/3 rule by default, none, or 3/2 padding).
// A Pde is the nc = 1, d = 1 case of FieldPde (field_pde.hpp), which is
// all the time stepper (etdrk4.hpp) sees.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pdesym/common/config.hpp"
#include "pdesym/solvers/field_pde.hpp"
#include "pdesym/solvers/spectral.hpp"

namespace pdesym::solvers {

/// A 1-D scalar FieldPde: name(), equation(), coefficients(), nonlinear() (u_hat, n_hat of size nk) and
/// linear_only() as in FieldPde; the linear part is the scalar symbol L(k).
class Pde : public FieldPde {
 public:
  /// Fourier symbol of L at wavenumber k.
  virtual cdouble linear_symbol(double k) const = 0;
  int nc() const final { return 1; }
  std::vector<std::string> component_names() const final { return {"u"}; }
  std::vector<int> dims() const final { return {1}; }
  void linear_block(double kx, double ky, cdouble* L) const final { L[0] = linear_symbol(kx); }
  bool linear_diagonal() const final { return true; }
  bool keeps_real_dealiased_state() const final { return false; }
};

/// One nonlinear term coeff * d_x^derivative (u^power).
struct NonlinearTerm {
  double coeff = 0.0;
  int power = 2;
  int derivative = 1;
};

/// Generic polynomial PDE u_t = sum_j a_j d_x^j u + sum_terms c d_x^q (u^p). All built-in equations are
/// instances, and configs can define new ones ("equation: custom").
class PolynomialPde : public Pde {
 public:
  PolynomialPde(std::string name, std::map<int, double> linear, std::vector<NonlinearTerm> nonlinear,
                std::map<std::string, double> named_coefficients = {}, std::string equation_text = "");
  std::string name() const override { return name_; }
  std::string equation() const override;
  std::map<std::string, double> coefficients() const override { return named_; }
  cdouble linear_symbol(double k) const override;
  void nonlinear(const cdouble* u_hat, cdouble* n_hat, SpectralWorkspace& ws) const override;
  void nonlinear_consuming(cdouble* u_hat, cdouble* n_hat, SpectralWorkspace& ws) const override;
  bool linear_only() const override { return terms_.empty(); }
  const std::map<int, double>& linear_terms() const { return linear_; }
  const std::vector<NonlinearTerm>& nonlinear_terms() const { return terms_; }

 private:
  /// nonlinear(); `consumable` is u_hat when the caller lets it be overwritten, else null.
  void evaluate(const cdouble* u_hat, cdouble* consumable, cdouble* n_hat, SpectralWorkspace& ws) const;
  std::string name_;
  std::map<int, double> linear_;
  std::vector<NonlinearTerm> terms_;
  std::map<std::string, double> named_;
  std::string eq_;
};

/// u_t + alpha u u_x + beta u_xxx = 0.
std::unique_ptr<PolynomialPde> make_kdv(double alpha = 1.0, double beta = 1.0);
/// u_t + alpha u^2 u_x + beta u_xxx = 0.
std::unique_ptr<PolynomialPde> make_mkdv(double alpha = 1.0, double beta = 1.0);
/// u_t + u u_x = nu u_xx.
std::unique_ptr<PolynomialPde> make_burgers(double nu);
/// u_t + u u_x + u_xx + u_xxxx = 0.
std::unique_ptr<PolynomialPde> make_ks();
/// u_t = nu u_xx.
std::unique_ptr<PolynomialPde> make_heat(double nu);

/// Builds the PDE of a config: `equation: kdv|mkdv|burgers|ks|heat|custom`, optional `coefficients:` map
/// (kdv/mkdv: alpha, beta; burgers/heat: nu), and for custom a `pde:` block with `linear: {order: coeff}` and
/// `nonlinear: [{coeff, power, derivative}]`.
std::unique_ptr<PolynomialPde> make_pde(const Config& cfg);

/// Names accepted by make_pde.
std::vector<std::string> known_equations();

}  // namespace pdesym::solvers
