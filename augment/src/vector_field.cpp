// Polynomial vector fields in evaluation form, their classification, and the 4x4 matrix exponential.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "internal.hpp"
#include "pdesym/common/error.hpp"

namespace pdesym::augment {

using detail::ipow;

// ---- VectorField -------------------------------------------------------------------------------------------

std::string to_string(FlowKind k) {
  switch (k) {
    case FlowKind::Identity: return "identity";
    case FlowKind::Affine: return "affine";
    case FlowKind::PeriodicGeneral: return "general (periodic)";
    case FlowKind::NonPeriodic: return "non-periodic";
    case FlowKind::Unsupported: return "unsupported";
  }
  return "?";
}

VectorField::VectorField(const Eigen::VectorXd& coeffs, const symmetry::PolynomialBasis& basis, double prune_tol) {
  PDESYM_REQUIRE(coeffs.size() == basis.size(), "generator has " << coeffs.size() << " coefficients but the degree-"
                                                                 << basis.degree() << " basis has " << basis.size());
  PDESYM_REQUIRE(coeffs.allFinite(), "generator coefficients contain NaN or Inf");
  const double maxabs = coeffs.size() ? coeffs.cwiseAbs().maxCoeff() : 0.0;
  Eigen::VectorXd kept = Eigen::VectorXd::Zero(coeffs.size());
  for (int i = 0; i < coeffs.size(); ++i) {
    const double c = coeffs[i];
    if (c == 0.0 || std::abs(c) <= prune_tol * maxabs) continue;
    kept[i] = c;
    const auto& m = basis.monomial(i);
    terms_.push_back({static_cast<int>(basis.component(i)), m.a, m.b, m.c, c});
  }
  label_ = terms_.empty() ? std::string("0") : symmetry::label(kept, basis, 0.0);

  if (terms_.empty()) {
    kind_ = FlowKind::Identity;
    return;
  }
  bool affine = true, tau_t_only = true, periodic = true;
  std::string why_tau, why_periodic;
  for (const Term& tm : terms_) {
    const int deg = tm.a + tm.b + tm.c;
    const std::string mono = symmetry::Monomial{tm.a, tm.b, tm.c}.name();
    if (deg <= 1) {
      const int col = tm.a ? 0 : tm.b ? 1 : tm.c ? 2 : 3;
      A_(tm.comp, col) = tm.coeff;
    }
    if (tm.comp == 1) {  // tau
      if (tm.a > 0 || tm.c > 0) {
        tau_t_only = false;
        if (why_tau.empty()) why_tau = "tau contains the term " + mono + " (tau must depend on t only)";
      }
      if (tm.b > 1) tau_affine_ = false;
      if (deg > 1) affine = false;
    } else if (tm.comp == 0) {  // xi
      if (tm.a > 0 && !(tm.a == 1 && tm.b == 0 && tm.c == 0)) {
        periodic = false;
        if (why_periodic.empty()) why_periodic = "xi contains the term " + mono + " (xi may depend on x only through a*x)";
      }
      if (deg > 1 || tm.c > 0) affine = false;
    } else {  // phi
      if (tm.a > 0) {
        periodic = false;
        if (why_periodic.empty()) why_periodic = "phi contains the term " + mono + " (phi must not depend on x)";
      }
      if (deg > 1) affine = false;
    }
  }
  if (!tau_t_only) {
    kind_ = FlowKind::Unsupported;
    reason_ = why_tau + ": the flow would mix time levels with space and cannot act on gridded trajectories";
  } else if (!periodic) {
    kind_ = FlowKind::NonPeriodic;
    reason_ = why_periodic + ": the image of a periodic solution is not periodic on a fixed domain";
  } else if (affine) {
    kind_ = FlowKind::Affine;
  } else {
    kind_ = FlowKind::PeriodicGeneral;
  }
}

std::array<double, 3> VectorField::eval(double x, double t, double u) const {
  std::array<double, 3> r{0, 0, 0};
  for (const Term& tm : terms_) r[tm.comp] += tm.coeff * ipow(x, tm.a) * ipow(t, tm.b) * ipow(u, tm.c);
  return r;
}

double VectorField::tau(double t) const {
  double r = 0;
  for (const Term& tm : terms_)
    if (tm.comp == 1) r += tm.coeff * ipow(t, tm.b);
  return r;
}

std::array<double, 4> VectorField::jacobian_xu(double x, double t, double u) const {
  std::array<double, 4> D{0, 0, 0, 0};
  for (const Term& tm : terms_) {
    if (tm.comp == 1) continue;
    const int row = tm.comp == 0 ? 0 : 2;
    const double tb = ipow(t, tm.b);
    if (tm.a > 0) D[row] += tm.coeff * tm.a * ipow(x, tm.a - 1) * tb * ipow(u, tm.c);
    if (tm.c > 0) D[row + 1] += tm.coeff * tm.c * ipow(x, tm.a) * tb * ipow(u, tm.c - 1);
  }
  return D;
}

bool VectorField::is_pure_x_translation() const {
  return terms_.size() == 1 && terms_[0].comp == 0 && terms_[0].a == 0 && terms_[0].b == 0 && terms_[0].c == 0;
}

Eigen::Matrix4d expm(const Eigen::Matrix4d& M) {
  const double norm = M.cwiseAbs().rowwise().sum().maxCoeff();
  int squarings = 0;
  if (norm > 0.25) squarings = static_cast<int>(std::ceil(std::log2(norm / 0.25)));
  const Eigen::Matrix4d A = M / std::ldexp(1.0, squarings);
  Eigen::Matrix4d result = Eigen::Matrix4d::Identity(), term = Eigen::Matrix4d::Identity();
  for (int k = 1; k <= 18; ++k) {
    term = term * A / static_cast<double>(k);
    result += term;
  }
  for (int s = 0; s < squarings; ++s) result = result * result;
  return result;
}

}  // namespace pdesym::augment
