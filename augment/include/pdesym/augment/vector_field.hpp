#pragma once
// Polynomial vector fields V = sum_i xi^i d_{x_i} + tau d_t + sum_a phi^a d_{u^a} over the variables
// z = (x, [y], t, u, [v, ...]) of a symmetry::PolynomialBasis, in a form that is fast to evaluate, classified by
// how their flow acts on periodic gridded data. The terms are read from the basis (component_index / exponents):
// the basis is the one encoding of a polynomial vector field; this class only caches it for evaluation.
//
// Classes (kind()), for 1-D scalar fields over (x, t, u) exactly as documented in augment.hpp:
//  * Identity: V = 0.
//  * Affine: every coefficient has degree <= 1, tau = d t + e, xi^i = a_i x_i + b_i t + c_i (no field, no other
//    space variable), phi independent of the space variables. Flow: the exact matrix exponential of
//    affine_generator() on (z, 1). (1-D scalar: xi may not contain u; as before.)
//  * LinearPhase (systems only): as Affine for xi and tau, and phi = (C + sum_i x_i B_i) u (no inhomogeneous
//    terms) with B_i != 0 generating a periodic rotation group (exp(2 pi B_i / omega_i) = I) and C, B_i
//    commuting: the Galilean boost of a complex field, 2t d_x - x (v d_u - u d_v). The flow is exact
//    (u' = exp(eps C + sum_i I_i B_i) u, I_i = integral of x_i along the flow); the image is periodic only when
//    the phase gained over one period is a whole turn, i.e. for eps in a lattice (phase_quantum()).
//  * PeriodicGeneral: tau = tau(t), xi^i = a_i x_i + f_i(t, u) and phi = phi(t, u) (no space variable). Its flow
//    commutes with the period shifts x_i -> x_i + L_i (L_i' = e^{eps a_i} L_i): RK4 flow + Newton.
//  * NonPeriodic: tau = tau(t) but xi^i depends on another space variable (a continuous rotation or shear:
//    the rotated box is not the box), on its own x_i nonlinearly, or phi depends on space otherwise (x d_u, the
//    heat field t d_x - x u d_u: u -> u e^{-eps x - ...} is not periodic). reason() says which term and why.
//  * Unsupported: tau depends on space or fields (time levels would mix with space).
// Whether a given eps maps periodic data to periodic data is finally decided by transform() with the general
// criterion (the image of x and of x + L_i compared; transform.hpp).
#include <Eigen/Dense>

#include <array>
#include <string>
#include <vector>

#include "pdesym/common/field.hpp"
#include "pdesym/symmetry/basis.hpp"

namespace pdesym::augment {

/// The trajectory type (common/field.hpp).
using Field = pdesym::Field;

enum class FlowKind { Identity, Affine, LinearPhase, PeriodicGeneral, NonPeriodic, Unsupported };
std::string to_string(FlowKind k);

class VectorField {
 public:
  VectorField() = default;
  /// `coeffs` over `basis`; entries with |c| <= prune_tol * max|c| are dropped (exact zeros always are).
  VectorField(const Eigen::VectorXd& coeffs, const symmetry::PolynomialBasis& basis, double prune_tol = 1e-12);

  /// The variables the field lives on (those of its basis).
  const symmetry::Variables& variables() const { return vars_; }
  int dim() const { return vars_.dim; }
  int nc() const { return vars_.nc; }
  /// Number of variables, dim + 1 + nc; index of t is dim(), of field a is dim() + 1 + a.
  int count() const { return vars_.count(); }

  /// V(z): out[k] = component k (variable order) at the point z (count() values each).
  void eval(const double* z, double* out) const;
  /// dV/dz at z as a count() x count() row-major matrix (row = component, column = variable).
  void jacobian(const double* z, double* J) const;
  double tau(double t) const;  ///< valid when tau depends on t only
  /// Whether tau is affine in t (tau = d t + e), so the time flow maps uniform time grids to uniform ones.
  bool tau_affine() const { return tau_affine_; }

  /// 1-D scalar fields: (xi, tau, phi) at a point and d(xi, phi)/d(x, u) = {dxi/dx, dxi/du, dphi/dx, dphi/du}.
  std::array<double, 3> eval(double x, double t, double u) const;
  std::array<double, 4> jacobian_xu(double x, double t, double u) const;

  FlowKind kind() const { return kind_; }
  /// Why the field is NonPeriodic/Unsupported (empty otherwise).
  const std::string& reason() const { return reason_; }
  /// Readable label, e.g. "t*d_x + d_u".
  const std::string& label() const { return label_; }
  /// Generator of the affine flow on (z, 1), (count()+1) x (count()+1): the degree <= 1 part of V (for
  /// LinearPhase fields without the x_i u_b terms).
  const Eigen::MatrixXd& affine_generator() const { return A_; }
  /// 1-D scalar fields: affine_generator() as the 4x4 matrix on (x, t, u, 1).
  Eigen::Matrix4d affine_matrix() const;
  /// Coefficient of x_i in xi^i (the period L_i scales by exp(eps * rate)); axis 0 is x, 1 is y.
  double scale_rate(int axis = 0) const { return A_(axis, axis); }
  double x_scale_rate() const { return scale_rate(0); }
  /// The space axis along which V is exactly a multiple of d_{x_i}, or -1.
  int pure_translation_axis() const;
  bool is_pure_x_translation() const { return pure_translation_axis() == 0; }

  /// LinearPhase: the nc x nc matrices B_i (phi gains x_i B_i u) for each space axis (zero if absent) and
  /// omega_i, the angular rate of exp(theta B_i) (its period in theta is 2 pi / omega_i; 0 if B_i = 0).
  const std::vector<Eigen::MatrixXd>& phase_rates() const { return B_; }
  const std::vector<double>& phase_omegas() const { return omega_; }
  /// LinearPhase: the smallest eps > 0 for which the image of data with periods L (L[i] for axis i) is
  /// periodic: eps L_i omega_i in 2 pi Z for every axis with B_i != 0 (needs a_i = 0). 0 if no eps != 0 works
  /// (incommensurate axes, or the axis is also scaled).
  double phase_quantum(const std::vector<double>& L) const;

 private:
  struct Term {
    int comp;
    std::vector<int> e;  // exponents over the variables
    double coeff;
  };
  void classify_scalar_1d();
  void classify();
  std::vector<Term> terms_;
  symmetry::Variables vars_;
  FlowKind kind_ = FlowKind::Identity;
  bool tau_affine_ = true;
  std::string reason_, label_;
  Eigen::MatrixXd A_ = Eigen::MatrixXd::Zero(4, 4);
  std::vector<Eigen::MatrixXd> B_;
  std::vector<double> omega_;
};

/// exp(M) of a small square matrix (scaling and squaring with a Taylor series; accurate to rounding for the
/// small generator matrices used here). expm is the 1-D scalar path's 4x4 version, expm_general any size.
Eigen::Matrix4d expm(const Eigen::Matrix4d& M);
Eigen::MatrixXd expm_general(const Eigen::MatrixXd& M);

}  // namespace pdesym::augment
