#pragma once
// Polynomial vector fields V = xi d_x + tau d_t + phi d_u in a form that is fast to evaluate, classified by how
// their flow acts on periodic gridded data (augment.hpp explains the classes).
#include <Eigen/Dense>

#include <array>
#include <string>
#include <vector>

#include "pdesym/common/field.hpp"
#include "pdesym/symmetry/basis.hpp"

namespace pdesym::augment {

/// The trajectory type (common/field.hpp). Transformations act on 1-D scalar fields (dim 1, nc 1); others are
/// refused with an InputError naming the shape.
using Field = pdesym::Field;

enum class FlowKind { Identity, Affine, PeriodicGeneral, NonPeriodic, Unsupported };
std::string to_string(FlowKind k);

/// A polynomial vector field in a form that is fast to evaluate: a list of terms coeff * x^a t^b u^c per
/// component, plus its classification.
class VectorField {
 public:
  VectorField() = default;
  /// `coeffs` over `basis`; entries with |c| <= prune_tol * max|c| are dropped (exact zeros always are).
  VectorField(const Eigen::VectorXd& coeffs, const symmetry::PolynomialBasis& basis, double prune_tol = 1e-12);

  /// (xi, tau, phi) at a point.
  std::array<double, 3> eval(double x, double t, double u) const;
  double tau(double t) const;  ///< valid when tau depends on t only
  /// d(xi, phi)/d(x, u) at a point: {dxi/dx, dxi/du, dphi/dx, dphi/du}.
  std::array<double, 4> jacobian_xu(double x, double t, double u) const;
  /// Whether tau is affine in t (tau = d t + e), so the time flow maps uniform time grids to uniform ones.
  bool tau_affine() const { return tau_affine_; }

  FlowKind kind() const { return kind_; }
  /// Why the field is NonPeriodic/Unsupported (empty otherwise).
  const std::string& reason() const { return reason_; }
  /// Readable label, e.g. "t*d_x + d_u".
  const std::string& label() const { return label_; }
  /// Generator matrix A of the affine flow on (x, t, u, 1) (meaningful for Affine and Identity).
  const Eigen::Matrix4d& affine_matrix() const { return A_; }
  /// Coefficient of x in xi (the period scales by exp(eps * a) for PeriodicGeneral and Affine fields).
  double x_scale_rate() const { return A_(0, 0); }
  /// Whether the field is exactly a multiple of d_x.
  bool is_pure_x_translation() const;

 private:
  struct Term {
    int comp, a, b, c;
    double coeff;
  };
  std::vector<Term> terms_;
  FlowKind kind_ = FlowKind::Identity;
  bool tau_affine_ = true;
  std::string reason_, label_;
  Eigen::Matrix4d A_ = Eigen::Matrix4d::Zero();
};

/// exp(M) of a 4x4 matrix (scaling and squaring with a Taylor series; accurate to rounding for the small
/// generator matrices used here).
Eigen::Matrix4d expm(const Eigen::Matrix4d& M);

}  // namespace pdesym::augment
