// Polynomial vector fields in evaluation form, their classification, and the matrix exponentials.
#include <algorithm>
#include <cmath>
#include <sstream>

#include <Eigen/Eigenvalues>

#include "internal.hpp"
#include "pdesym/common/error.hpp"

namespace pdesym::augment {

using detail::ipow;

// ---- VectorField -------------------------------------------------------------------------------------------

std::string to_string(FlowKind k) {
  switch (k) {
    case FlowKind::Identity: return "identity";
    case FlowKind::Affine: return "affine";
    case FlowKind::LinearPhase: return "affine with x-dependent phase (quantised eps)";
    case FlowKind::PeriodicGeneral: return "general (periodic)";
    case FlowKind::NonPeriodic: return "non-periodic";
    case FlowKind::Unsupported: return "unsupported";
  }
  return "?";
}

VectorField::VectorField(const Eigen::VectorXd& coeffs, const symmetry::PolynomialBasis& basis, double prune_tol)
    : vars_(basis.variables()) {
  PDESYM_REQUIRE(coeffs.size() == basis.size(), "generator has " << coeffs.size() << " coefficients but the degree-"
                                                                 << basis.degree() << " basis over "
                                                                 << vars_.describe() << " has " << basis.size());
  PDESYM_REQUIRE(coeffs.allFinite(), "generator coefficients contain NaN or Inf");
  const double maxabs = coeffs.size() ? coeffs.cwiseAbs().maxCoeff() : 0.0;
  Eigen::VectorXd kept = Eigen::VectorXd::Zero(coeffs.size());
  for (int i = 0; i < coeffs.size(); ++i) {
    const double c = coeffs[i];
    if (c == 0.0 || std::abs(c) <= prune_tol * maxabs) continue;
    kept[i] = c;
    terms_.push_back({basis.component_index(i), basis.exponents(i), c});
  }
  label_ = terms_.empty() ? std::string("0") : symmetry::label(kept, basis, 0.0);
  const int n = count();
  A_ = Eigen::MatrixXd::Zero(n + 1, n + 1);
  B_.assign(dim(), Eigen::MatrixXd::Zero(nc(), nc()));
  omega_.assign(dim(), 0.0);
  if (terms_.empty()) {
    kind_ = FlowKind::Identity;
    return;
  }
  for (const Term& tm : terms_) {
    int deg = 0, col = n;
    for (int q = 0; q < n; ++q) {
      deg += tm.e[q];
      if (tm.e[q] > 0) col = q;
    }
    if (deg <= 1) A_(tm.comp, col) = tm.coeff;
  }
  if (vars_.scalar_1d())
    classify_scalar_1d();
  else
    classify();
}

namespace {
std::string monomial_text(const std::vector<int>& e, const std::vector<std::string>& names) {
  std::string s;
  for (std::size_t q = 0; q < e.size(); ++q) {
    if (e[q] == 0) continue;
    s += (s.empty() ? "" : "*") + names[q] + (e[q] > 1 ? "^" + std::to_string(e[q]) : "");
  }
  return s.empty() ? "1" : s;
}
}  // namespace

// The 1-D scalar rules (x, t, u), unchanged: xi = a x + f(t, u), phi = h(t, u) are periodic.
void VectorField::classify_scalar_1d() {
  bool affine = true, tau_t_only = true, periodic = true;
  std::string why_tau, why_periodic;
  for (const Term& tm : terms_) {
    const int a = tm.e[0], b = tm.e[1], c = tm.e[2];
    const int deg = a + b + c;
    const std::string mono = symmetry::Monomial{a, b, c}.name();
    if (tm.comp == 1) {  // tau
      if (a > 0 || c > 0) {
        tau_t_only = false;
        if (why_tau.empty()) why_tau = "tau contains the term " + mono + " (tau must depend on t only)";
      }
      if (b > 1) tau_affine_ = false;
      if (deg > 1) affine = false;
    } else if (tm.comp == 0) {  // xi
      if (a > 0 && !(a == 1 && b == 0 && c == 0)) {
        periodic = false;
        if (why_periodic.empty()) why_periodic = "xi contains the term " + mono + " (xi may depend on x only through a*x)";
      }
      if (deg > 1 || c > 0) affine = false;
    } else {  // phi
      if (a > 0) {
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

// Several variables (x, [y], t, u, [v, ...]).
void VectorField::classify() {
  const int D = dim(), T = D, F0 = D + 1, n = count();
  const std::vector<std::string> names = vars_.names();
  bool affine = true, linear_phase = true, tau_t_only = true, periodic = true, has_phase = false, inhomogeneous = false;
  std::string why_tau, why_periodic;
  const symmetry::PolynomialBasis names_of(0, vars_);  // component names only
  for (const Term& tm : terms_) {
    int sp = 0, fd = 0, deg = 0;
    for (int q = 0; q < n; ++q) {
      deg += tm.e[q];
      if (q < D) sp += tm.e[q];
      if (q >= F0) fd += tm.e[q];
    }
    const std::string mono = monomial_text(tm.e, names);
    const std::string comp = names_of.component_name(tm.comp);
    if (tm.comp == T) {
      if (sp > 0 || fd > 0) {
        tau_t_only = false;
        if (why_tau.empty()) why_tau = "tau contains the term " + mono + " (tau must depend on t only)";
      }
      if (tm.e[T] > 1) tau_affine_ = false;
      if (deg > 1) affine = linear_phase = false;
    } else if (tm.comp < D) {  // xi^i
      if (sp > 0 && !(tm.e[tm.comp] == 1 && deg == 1)) {
        periodic = false;
        if (why_periodic.empty()) {
          bool other = false;
          for (int q = 0; q < D; ++q) other = other || (q != tm.comp && tm.e[q] > 0);
          why_periodic = comp + " contains the term " + mono +
                         (other ? " (the flow mixes the space axes, a continuous rotation or shear: the turned box is "
                                  "not the periodic box; 90-degree rotations are the discrete entries d4 / rot90)"
                                : " (" + comp + " may depend on " + names[tm.comp] + " only through a*" +
                                      names[tm.comp] + ")");
        }
      }
      if (deg > 1 || fd > 0) affine = linear_phase = false;
    } else {  // phi^a
      const int a = tm.comp - F0;
      if (sp > 0) {
        if (deg == 2 && sp == 1 && fd == 1) {
          int axis = 0, b = 0;
          for (int q = 0; q < D; ++q)
            if (tm.e[q]) axis = q;
          for (int q = F0; q < n; ++q)
            if (tm.e[q]) b = q - F0;
          B_[axis](a, b) = tm.coeff;
          has_phase = true;
          affine = false;
        } else {
          periodic = false;
          if (why_periodic.empty())
            why_periodic = comp + " contains the term " + mono +
                           " (phi may depend on space only through a phase x_i*B*u that turns by whole turns)";
        }
      } else {
        if (deg > 1) affine = linear_phase = false;
        if (fd == 0) inhomogeneous = true;
      }
    }
  }
  if (tau_t_only && periodic && has_phase) {
    // The phase factor exp(eps x_i B_i) must be periodic in x_i for some eps: B_i generates a rotation group.
    const Eigen::MatrixXd C = A_.block(F0, F0, nc(), nc());
    for (int i = 0; i < D && periodic; ++i) {
      if (B_[i].cwiseAbs().maxCoeff() == 0.0) continue;
      const Eigen::VectorXcd ev = Eigen::EigenSolver<Eigen::MatrixXd>(B_[i]).eigenvalues();
      double w = 0, re = 0;
      for (int k = 0; k < ev.size(); ++k) {
        w = std::max(w, std::abs(ev[k].imag()));
        re = std::max(re, std::abs(ev[k].real()));
      }
      const double scale = B_[i].cwiseAbs().maxCoeff();
      bool rotation = w > 1e-12 * scale && re <= 1e-12 * scale;
      if (rotation) {
        const Eigen::MatrixXd P = expm_general(detail::kTwoPi / w * B_[i]);
        rotation = (P - Eigen::MatrixXd::Identity(nc(), nc())).cwiseAbs().maxCoeff() < 1e-9;
      }
      if (!rotation) {
        periodic = false;
        why_periodic = "phi contains the factor exp(eps " + names[i] +
                       " B) with a B that is not a rotation (e.g. the heat field t*d_x - x*u*d_u: u -> u*exp(-eps*x "
                       "- ...)), so the image of a periodic solution is not periodic for any eps != 0";
        break;
      }
      omega_[i] = w;
      const double cs = std::max(1.0, C.cwiseAbs().maxCoeff()) * scale;
      if ((C * B_[i] - B_[i] * C).cwiseAbs().maxCoeff() > 1e-12 * cs) linear_phase = false;
      for (int j = 0; j < i; ++j)
        if ((B_[j] * B_[i] - B_[i] * B_[j]).cwiseAbs().maxCoeff() > 1e-12 * cs) linear_phase = false;
    }
    if (periodic && (!linear_phase || inhomogeneous || !tau_affine_)) {
      periodic = false;
      why_periodic = "the x-dependent phase of " + label_ +
                     " is combined with terms its exact flow does not cover (u-dependent xi, inhomogeneous or "
                     "nonlinear phi, non-commuting matrices, non-affine tau); its periodicity cannot be established";
    }
  }
  if (!tau_t_only) {
    kind_ = FlowKind::Unsupported;
    reason_ = why_tau + ": the flow would mix time levels with space and cannot act on gridded trajectories";
  } else if (!periodic) {
    kind_ = FlowKind::NonPeriodic;
    reason_ = why_periodic + ": the image of a periodic solution is not periodic on the box";
  } else if (has_phase) {
    kind_ = FlowKind::LinearPhase;
  } else if (affine) {
    kind_ = FlowKind::Affine;
  } else {
    kind_ = FlowKind::PeriodicGeneral;
  }
}

void VectorField::eval(const double* z, double* out) const {
  const int n = count();
  std::fill(out, out + n, 0.0);
  for (const Term& tm : terms_) {
    double r = tm.coeff;
    for (int q = 0; q < n; ++q) r *= ipow(z[q], tm.e[q]);
    out[tm.comp] += r;
  }
}

void VectorField::jacobian(const double* z, double* J) const {
  const int n = count();
  std::fill(J, J + n * n, 0.0);
  for (const Term& tm : terms_)
    for (int q = 0; q < n; ++q) {
      if (tm.e[q] == 0) continue;
      double r = tm.coeff * tm.e[q];
      for (int p = 0; p < n; ++p) r *= ipow(z[p], p == q ? tm.e[p] - 1 : tm.e[p]);
      J[tm.comp * n + q] += r;
    }
}

std::array<double, 3> VectorField::eval(double x, double t, double u) const {
  PDESYM_CHECK(vars_.scalar_1d(), "VectorField::eval(x, t, u) on a field over " << vars_.describe());
  std::array<double, 3> r{0, 0, 0};
  for (const Term& tm : terms_) r[tm.comp] += tm.coeff * ipow(x, tm.e[0]) * ipow(t, tm.e[1]) * ipow(u, tm.e[2]);
  return r;
}

double VectorField::tau(double t) const {
  double r = 0;
  const int T = dim();
  for (const Term& tm : terms_)
    if (tm.comp == T) r += tm.coeff * ipow(t, tm.e[T]);
  return r;
}

std::array<double, 4> VectorField::jacobian_xu(double x, double t, double u) const {
  PDESYM_CHECK(vars_.scalar_1d(), "VectorField::jacobian_xu on a field over " << vars_.describe());
  std::array<double, 4> D{0, 0, 0, 0};
  for (const Term& tm : terms_) {
    if (tm.comp == 1) continue;
    const int a = tm.e[0], b = tm.e[1], c = tm.e[2];
    const int row = tm.comp == 0 ? 0 : 2;
    const double tb = ipow(t, b);
    if (a > 0) D[row] += tm.coeff * a * ipow(x, a - 1) * tb * ipow(u, c);
    if (c > 0) D[row + 1] += tm.coeff * c * ipow(x, a) * tb * ipow(u, c - 1);
  }
  return D;
}

Eigen::Matrix4d VectorField::affine_matrix() const {
  PDESYM_CHECK(vars_.scalar_1d(), "VectorField::affine_matrix on a field over " << vars_.describe());
  return Eigen::Matrix4d(A_);
}

int VectorField::pure_translation_axis() const {
  if (terms_.size() != 1 || terms_[0].comp >= dim()) return -1;
  for (int e : terms_[0].e)
    if (e) return -1;
  return terms_[0].comp;
}

double VectorField::phase_quantum(const std::vector<double>& L) const {
  double q = 0;
  std::vector<double> qs;
  for (int i = 0; i < dim(); ++i) {
    if (omega_[i] == 0.0) continue;
    if (scale_rate(i) != 0.0 || i >= static_cast<int>(L.size()) || !(L[i] > 0)) return 0.0;
    qs.push_back(detail::kTwoPi / (omega_[i] * L[i]));
    q = std::max(q, qs.back());
  }
  for (double qi : qs) {
    const double r = q / qi;
    if (std::abs(r - std::round(r)) > 1e-9 * r) return 0.0;
  }
  return q;
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

Eigen::MatrixXd expm_general(const Eigen::MatrixXd& M) {
  PDESYM_CHECK(M.rows() == M.cols(), "expm of a non-square matrix");
  const int n = static_cast<int>(M.rows());
  if (n == 0) return M;
  const double norm = M.cwiseAbs().rowwise().sum().maxCoeff();
  int squarings = 0;
  if (norm > 0.25) squarings = static_cast<int>(std::ceil(std::log2(norm / 0.25)));
  const Eigen::MatrixXd A = M / std::ldexp(1.0, squarings);
  Eigen::MatrixXd result = Eigen::MatrixXd::Identity(n, n), term = Eigen::MatrixXd::Identity(n, n);
  for (int k = 1; k <= 18; ++k) {
    term = (term * A / static_cast<double>(k)).eval();
    result += term;
  }
  for (int s = 0; s < squarings; ++s) result = (result * result).eval();
  return result;
}

}  // namespace pdesym::augment
