// Finite symmetry transformations of gridded trajectories (see augment.hpp for the method).
#include "pdesym/augment/augment.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <memory>
#include <sstream>

#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/solvers/spectral.hpp"
#include "pdesym/symmetry/nullspace.hpp"

namespace pdesym::augment {

using solvers::cdouble;
using solvers::Fft1d;

namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;

// One FFT plan per grid size (plans are not thread-safe to create; the augmenter runs on one thread).
Fft1d& fft_for(int nx) {
  thread_local std::map<int, std::unique_ptr<Fft1d>> cache;
  auto& p = cache[nx];
  if (!p) p = std::make_unique<Fft1d>(nx);
  return *p;
}

double ipow(double v, int p) {
  double r = 1.0;
  for (int i = 0; i < p; ++i) r *= v;
  return r;
}

bool all_finite(const std::vector<double>& v) {
  for (double a : v)
    if (!std::isfinite(a)) return false;
  return true;
}

// Trigonometric interpolant of one periodic row from its (unnormalised r2c) Fourier coefficients. The Nyquist
// mode of an even grid is represented by Re(c_{N/2}) cos(k_{N/2} (x - x0)), which is what a real shift of the
// grid values requires.
class RowInterpolant {
 public:
  RowInterpolant(const cdouble* c, int nx, double x0, double L) : c_(c), nx_(nx), x0_(x0), k1_(kTwoPi / L) {}
  // Value and x-derivative at x.
  void eval(double x, double& u, double& ux) const {
    const double xi = (x - x0_) * k1_;
    const cdouble e1(std::cos(xi), std::sin(xi));
    const int last = (nx_ % 2 == 0) ? nx_ / 2 - 1 : (nx_ - 1) / 2;
    double s = c_[0].real(), sd = 0.0;
    cdouble e = e1;
    for (int m = 1; m <= last; ++m) {
      if ((m & 63) == 0) e = cdouble(std::cos(m * xi), std::sin(m * xi));  // limit the recurrence's drift
      const cdouble v = c_[m] * e;
      s += 2.0 * v.real();
      sd -= 2.0 * m * k1_ * v.imag();
      e *= e1;
    }
    if (nx_ % 2 == 0) {
      const int m = nx_ / 2;
      s += c_[m].real() * std::cos(m * xi);
      sd -= c_[m].real() * m * k1_ * std::sin(m * xi);
    }
    u = s / nx_;
    ux = sd / nx_;
  }

 private:
  const cdouble* c_;
  int nx_;
  double x0_, k1_;
};

// out_j = u(x_j - d) for a periodic row on a grid of period L (band-limited shift).
void fourier_shift(const double* in, double* out, int nx, double L, double d) {
  if (d == 0.0) {
    std::copy(in, in + nx, out);
    return;
  }
  Fft1d& fft = fft_for(nx);
  std::vector<cdouble> c(nx / 2 + 1);
  fft.forward(in, c.data());
  const double k1 = kTwoPi / L;
  const int nk = nx / 2 + 1;
  for (int m = 1; m < nk; ++m) {
    if (nx % 2 == 0 && m == nx / 2) {
      c[m] = cdouble(c[m].real() * std::cos(m * k1 * d), 0.0);
    } else {
      const double a = -m * k1 * d;
      c[m] *= cdouble(std::cos(a), std::sin(a));
    }
  }
  fft.inverse(c.data(), out);
}

// Flow of a field whose tau depends on t only. State (x, t, u) plus the Jacobian J = d(x, u)/d(x0, u0).
struct FlowState {
  double x, t, u;
  double J[4];  // row-major 2x2
};

void flow_rhs(const VectorField& V, const double* y, double* f, bool jac) {
  const auto v = V.eval(y[0], y[1], y[2]);
  f[0] = v[0];
  f[1] = v[1];
  f[2] = v[2];
  if (jac) {
    const auto D = V.jacobian_xu(y[0], y[1], y[2]);
    // dJ/ds = D J
    f[3] = D[0] * y[3] + D[1] * y[5];
    f[4] = D[0] * y[4] + D[1] * y[6];
    f[5] = D[2] * y[3] + D[3] * y[5];
    f[6] = D[2] * y[4] + D[3] * y[6];
  }
}

void flow(const VectorField& V, double eps, int nsteps, FlowState& st, bool jac) {
  double y[7] = {st.x, st.t, st.u, 1, 0, 0, 1};
  const int dim = jac ? 7 : 3;
  const double h = eps / nsteps;
  double k1[7], k2[7], k3[7], k4[7], tmp[7];
  for (int s = 0; s < nsteps; ++s) {
    flow_rhs(V, y, k1, jac);
    for (int i = 0; i < dim; ++i) tmp[i] = y[i] + 0.5 * h * k1[i];
    flow_rhs(V, tmp, k2, jac);
    for (int i = 0; i < dim; ++i) tmp[i] = y[i] + 0.5 * h * k2[i];
    flow_rhs(V, tmp, k3, jac);
    for (int i = 0; i < dim; ++i) tmp[i] = y[i] + h * k3[i];
    flow_rhs(V, tmp, k4, jac);
    for (int i = 0; i < dim; ++i) y[i] += h / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }
  st.x = y[0];
  st.t = y[1];
  st.u = y[2];
  for (int i = 0; i < 4; ++i) st.J[i] = jac ? y[3 + i] : (i == 0 || i == 3 ? 1.0 : 0.0);
}

// Flow of the time component alone: dt/ds = tau(t). Exact when tau is affine.
double time_flow(const VectorField& V, double t, double eps, int nsteps) {
  if (V.tau_affine()) {
    const Eigen::Matrix4d& A = V.affine_matrix();
    const double d = A(1, 1), e = A(1, 3);
    const double z = d * eps;
    const double phi1 = (std::abs(z) < 1e-8) ? eps * (1 + 0.5 * z) : std::expm1(z) / d;
    return std::exp(z) * t + e * phi1;
  }
  const double h = eps / nsteps;
  for (int s = 0; s < nsteps; ++s) {
    const double a = V.tau(t), b = V.tau(t + 0.5 * h * a), c = V.tau(t + 0.5 * h * b), d = V.tau(t + h * c);
    t += h / 6.0 * (a + 2 * b + 2 * c + d);
    if (!std::isfinite(t) || std::abs(t) > 1e15) return std::numeric_limits<double>::quiet_NaN();
  }
  return t;
}

// Fourier coefficients of all rows of a field, for interpolation at arbitrary (x, t).
class SpectralField {
 public:
  SpectralField(const Field& f, int stencil) : f_(f), nk_(f.nx / 2 + 1), stencil_(std::max(2, stencil)) {
    C_.resize(static_cast<std::size_t>(f.nt) * nk_);
    Fft1d& fft = fft_for(f.nx);
    for (int n = 0; n < f.nt; ++n) fft.forward(f.row(n), C_.data() + static_cast<std::size_t>(n) * nk_);
    work_.resize(nk_);
  }
  // Coefficients of the row at time tau: a stored row when tau is a time level, otherwise Lagrange
  // interpolation over `stencil` neighbouring levels.
  const cdouble* at_time(double tau) {
    const double dt = f_.dt;
    const double p = f_.nt > 1 ? (tau - f_.t[0]) / dt : 0.0;
    const double tol = 1e-9;
    PDESYM_CHECK(p > -tol && p < f_.nt - 1 + tol,
                 "pre-image time " << tau << " lies outside the stored times [" << f_.t.front() << ", "
                                   << f_.t.back() << "]");
    const double pr = std::round(p);
    if (std::abs(p - pr) < tol) return C_.data() + static_cast<std::size_t>(pr) * nk_;
    const int S = std::min(stencil_, f_.nt);
    int start = static_cast<int>(std::floor(p)) - S / 2 + 1;
    start = std::clamp(start, 0, f_.nt - S);
    std::fill(work_.begin(), work_.end(), cdouble(0));
    for (int k = 0; k < S; ++k) {
      double w = 1.0;
      for (int l = 0; l < S; ++l)
        if (l != k) w *= (p - (start + l)) / static_cast<double>(k - l);
      const cdouble* c = C_.data() + static_cast<std::size_t>(start + k) * nk_;
      for (int m = 0; m < nk_; ++m) work_[m] += w * c[m];
    }
    return work_.data();
  }

 private:
  const Field& f_;
  int nk_, stencil_;
  std::vector<cdouble> C_, work_;
};

// Solves for the pre-image x of the output abscissa X at output time tp (pre-image time tau fixed), and
// returns the transformed value. `x` is the initial guess on input and the pre-image on output.
double solve_point(const VectorField& V, double eps, const RowInterpolant& row, double X, double tp, double tau,
                   double L, double& x, const TransformOptions& opt) {
  const int nsteps = std::max(1, opt.substeps);
  for (int it = 0; it < opt.newton_max_iter; ++it) {
    double u0, ux;
    row.eval(x, u0, ux);
    FlowState st{x, tau, u0, {1, 0, 0, 1}};
    flow(V, eps, nsteps, st, true);
    if (!std::isfinite(st.x) || !std::isfinite(st.u)) break;
    const double G = st.x - X;
    if (std::abs(G) <= opt.newton_tol * L) return st.u;
    const double dG = st.J[0] + st.J[1] * ux;
    if (!(std::abs(dG) > 1e-14)) break;
    double step = G / dG;
    const double cap = 0.25 * L;
    if (std::abs(step) > cap) step = step > 0 ? cap : -cap;
    x -= step;
  }
  std::ostringstream os;
  os << "cannot invert the flow of " << V.label() << " with eps=" << eps << " at x'=" << X << ", t'=" << tp
     << ": Newton's method did not converge (the transformed solution is multivalued there, or eps is too large)";
  throw Error(os.str());
}

Field transform_affine(const Field& in, const Eigen::Matrix4d& M) {
  const double tol = 1e-12 * std::max(1.0, M.cwiseAbs().maxCoeff());
  PDESYM_CHECK(std::abs(M(1, 0)) <= tol && std::abs(M(1, 2)) <= tol && std::abs(M(0, 2)) <= tol &&
                   std::abs(M(2, 0)) <= tol && M(0, 0) > 0 && M(1, 1) > 0,
               "affine flow matrix does not have the gridded structure");
  Field out = in;
  const double sx = M(0, 0), st = M(1, 1);
  out.dx = sx * in.dx;
  out.dt = st * in.dt;
  for (int j = 0; j < in.nx; ++j) out.x[j] = sx * in.x[j];
  for (int n = 0; n < in.nt; ++n) out.t[n] = st * in.t[n] + M(1, 3);
  const double L = in.L();
  for (int n = 0; n < in.nt; ++n) {
    const double tn = in.t[n];
    const double d = (M(0, 1) * tn + M(0, 3)) / sx;
    double* o = out.row(n);
    fourier_shift(in.row(n), o, in.nx, L, d);
    const double a = M(2, 2), b = M(2, 1) * tn + M(2, 3);
    if (a != 1.0 || b != 0.0)
      for (int j = 0; j < in.nx; ++j) o[j] = a * o[j] + b;
  }
  return out;
}

Field transform_general(const Field& in, const VectorField& V, double eps, const TransformOptions& opt) {
  const int nsteps = std::max(1, opt.substeps);
  Field out = in;
  const double sx = std::exp(eps * V.x_scale_rate());
  const double L = in.L(), Lp = sx * L;
  out.dx = sx * in.dx;
  for (int j = 0; j < in.nx; ++j) out.x[j] = sx * in.x[j];

  std::vector<double> pre(in.nt);
  if (V.tau_affine()) {
    for (int n = 0; n < in.nt; ++n) {
      out.t[n] = time_flow(V, in.t[n], eps, nsteps);
      pre[n] = in.t[n];
    }
    out.dt = in.nt > 1 ? out.t[1] - out.t[0] : in.dt;
  } else {
    const double a = time_flow(V, in.t.front(), eps, nsteps), b = time_flow(V, in.t.back(), eps, nsteps);
    PDESYM_REQUIRE(std::isfinite(a) && std::isfinite(b) && (in.nt == 1 || b > a),
                   "the time flow of " << V.label() << " with eps=" << eps << " is not defined on [" << in.t.front()
                                       << ", " << in.t.back() << "] (eps too large)");
    out.dt = in.nt > 1 ? (b - a) / (in.nt - 1) : in.dt;
    for (int n = 0; n < in.nt; ++n) {
      out.t[n] = a + n * out.dt;
      double tau = time_flow(V, out.t[n], -eps, nsteps);
      pre[n] = std::clamp(tau, in.t.front(), in.t.back());
    }
  }

  SpectralField sf(in, opt.time_stencil);
  for (int n = 0; n < in.nt; ++n) {
    RowInterpolant row(sf.at_time(pre[n]), in.nx, in.x[0], L);
    double* o = out.row(n);
    double x = out.x[0] / sx, xprev = x;
    for (int j = 0; j < in.nx; ++j) {
      if (j > 0) x = xprev + (out.x[j] - out.x[j - 1]) / sx;
      o[j] = solve_point(V, eps, row, out.x[j], out.t[n], pre[n], L, x, opt);
      xprev = x;
    }
  }
  (void)Lp;
  return out;
}

}  // namespace

// ---- Field -------------------------------------------------------------------------------------------------

Field Field::from_split(const datasets::Split& s, int i) { return from_split_window(s, i, 0, s.nt); }

Field Field::from_split_window(const datasets::Split& s, int i, int n0, int count) {
  PDESYM_CHECK(i >= 0 && i < s.n, "trajectory " << i << " out of range [0, " << s.n << ")");
  PDESYM_CHECK(n0 >= 0 && count >= 1 && n0 + count <= s.nt,
               "time window [" << n0 << ", " << n0 + count << ") out of range [0, " << s.nt << ")");
  Field f;
  f.nt = count;
  f.nx = s.nx;
  const double* src = s.traj(i) + static_cast<std::size_t>(n0) * s.nx;
  f.u.assign(src, src + static_cast<std::size_t>(count) * s.nx);
  f.x.assign(s.x.begin() + static_cast<std::ptrdiff_t>(i) * s.nx, s.x.begin() + static_cast<std::ptrdiff_t>(i + 1) * s.nx);
  f.t.assign(s.t.begin() + static_cast<std::ptrdiff_t>(i) * s.nt + n0,
             s.t.begin() + static_cast<std::ptrdiff_t>(i) * s.nt + n0 + count);
  f.dx = s.dx[i];
  f.dt = s.dt[i];
  return f;
}

Field Field::from_trajectory(const pdesym::Field& tr) {
  PDESYM_REQUIRE(tr.dim() == 1 && tr.nc() == 1, "augmentation handles 1-D scalar fields, got " << tr.shape.describe());
  Field f;
  f.nt = tr.nt();
  f.nx = tr.nx();
  f.u = tr.data;
  f.x = tr.x;
  f.t = tr.t;
  f.dx = tr.dx;
  f.dt = tr.dt;
  return f;
}

void Field::to_split(datasets::Split& s, int i) const {
  PDESYM_CHECK(i >= 0 && i < s.n && s.nt == nt && s.nx == nx,
               "cannot store a " << nt << "x" << nx << " trajectory as row " << i << " of a split of " << s.n << "x"
                                 << s.nt << "x" << s.nx);
  std::copy(u.begin(), u.end(), s.traj(i));
  std::copy(x.begin(), x.end(), s.x.begin() + static_cast<std::ptrdiff_t>(i) * nx);
  std::copy(t.begin(), t.end(), s.t.begin() + static_cast<std::ptrdiff_t>(i) * nt);
  s.dx[i] = dx;
  s.dt[i] = dt;
}

void Field::validate(const std::string& what) const {
  PDESYM_REQUIRE(nt >= 1 && nx >= 2, what << ": needs at least 1 time level and 2 grid points (got nt=" << nt
                                           << ", nx=" << nx << ")");
  PDESYM_REQUIRE(u.size() == static_cast<std::size_t>(nt) * nx && x.size() == static_cast<std::size_t>(nx) &&
                     t.size() == static_cast<std::size_t>(nt),
                 what << ": array sizes do not match nt=" << nt << ", nx=" << nx);
  PDESYM_REQUIRE(dx > 0 && std::isfinite(dx), what << ": dx must be positive (got " << dx << ")");
  PDESYM_REQUIRE(nt == 1 || (dt > 0 && std::isfinite(dt)), what << ": dt must be positive (got " << dt << ")");
  PDESYM_REQUIRE(all_finite(u) && all_finite(x) && all_finite(t), what << ": contains NaN or Inf values");
}

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

// ---- transforms --------------------------------------------------------------------------------------------

Field transform(const Field& in, const VectorField& V, double eps, const TransformOptions& opt) {
  in.validate();
  switch (V.kind()) {
    case FlowKind::Identity: return in;
    case FlowKind::Affine:
      if (!opt.force_general) return transform_affine(in, expm(eps * V.affine_matrix()));
      return transform_general(in, V, eps, opt);
    case FlowKind::PeriodicGeneral: return transform_general(in, V, eps, opt);
    case FlowKind::NonPeriodic:
    case FlowKind::Unsupported:
      break;
  }
  throw InputError("generator " + V.label() + " cannot be applied to a periodic gridded trajectory: " + V.reason());
}

std::vector<double> transform_points(const Field& in, const VectorField& V, double eps, const std::vector<double>& xs,
                                     const std::vector<double>& ts, const TransformOptions& opt) {
  in.validate();
  PDESYM_REQUIRE(xs.size() == ts.size(), "transform_points: " << xs.size() << " abscissae but " << ts.size() << " times");
  PDESYM_REQUIRE(V.kind() != FlowKind::Unsupported,
                 "generator " << V.label() << " cannot be applied: " << V.reason());
  const int nsteps = std::max(1, opt.substeps);
  SpectralField sf(in, opt.time_stencil);
  const double L = in.L();
  std::vector<double> out(xs.size());
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const double tau = time_flow(V, ts[k], -eps, nsteps);
    PDESYM_REQUIRE(std::isfinite(tau), "the time flow of " << V.label() << " is not defined at t'=" << ts[k]);
    RowInterpolant row(sf.at_time(tau), in.nx, in.x[0], L);
    // Initial guess: the backward flow of (X, t', u(X)) (exact for fields with xi independent of u).
    double u0, ux;
    row.eval(xs[k], u0, ux);
    FlowState st{xs[k], ts[k], u0, {1, 0, 0, 1}};
    flow(V, -eps, nsteps, st, false);
    double x = std::isfinite(st.x) ? st.x : xs[k];
    out[k] = solve_point(V, eps, row, xs[k], ts[k], tau, L, x, opt);
  }
  return out;
}

// ---- generator sets ----------------------------------------------------------------------------------------

Eigen::MatrixXd canonical_generators(const Eigen::MatrixXd& G, double tol) {
  Eigen::MatrixXd R = G.transpose();
  const int k = static_cast<int>(R.rows()), n = static_cast<int>(R.cols());
  if (k == 0 || n == 0) return G;
  const double maxabs = R.cwiseAbs().maxCoeff();
  if (maxabs == 0.0) return Eigen::MatrixXd(G.rows(), 0);
  const int row = static_cast<int>(symmetry::reduce_rows(R, std::max(tol, 1e-12) * maxabs).size());
  R.conservativeResize(row, n);
  if (tol > 0) {
    for (int r = 0; r < row; ++r) {
      const double m = R.row(r).cwiseAbs().maxCoeff();
      for (int c = 0; c < n; ++c)
        if (std::abs(R(r, c)) < tol * m) R(r, c) = 0.0;
    }
  }
  return R.transpose();
}

std::string GeneratorSet::describe() const {
  std::ostringstream os;
  if (generators.empty()) os << "no augmentation (" << source << ")\n";
  for (std::size_t k = 0; k < generators.size(); ++k) {
    const Generator& g = generators[k];
    os << "  V" << k + 1 << " = " << g.field.label() << "  [" << to_string(g.field.kind()) << ", eps "
       << (g.full_period ? std::string("uniform over one period") : "in [-" + std::to_string(g.eps_max) + ", " +
                                                                        std::to_string(g.eps_max) + "]")
       << "]\n";
  }
  for (const auto& note : notes) os << "  note: " << note << "\n";
  return os.str();
}

GeneratorSet load_generators(const std::string& spec, const AugmentOptions& opt) {
  GeneratorSet set;
  set.source = spec;
  if (spec == "none") return set;
  PDESYM_REQUIRE(!spec.empty(), "empty augmentation: use none, known:<equation>, gen:<generators> or a sym.json path");
  PDESYM_REQUIRE(opt.eps > 0 && std::isfinite(opt.eps), "augmentation eps must be positive (got " << opt.eps << ")");
  symmetry::PolynomialBasis basis(2);
  Eigen::MatrixXd G;
  bool canonical = false;
  if (spec.rfind("known:", 0) == 0) {
    const std::string name = spec.substr(6);
    std::string names;
    for (const auto& n : symmetry::known_algebra_names()) names += (names.empty() ? "" : ", ") + n;
    PDESYM_REQUIRE(!name.empty(), "augmentation 'known:' needs an equation name (" << names << ")");
    G = symmetry::known_algebra(name, basis);
  } else if (spec.rfind("gen:", 0) == 0) {
    std::vector<Eigen::VectorXd> cols;
    std::stringstream ss(spec.substr(4));
    std::string piece;
    while (std::getline(ss, piece, ';')) {
      if (piece.find_first_not_of(" \t") == std::string::npos) continue;
      cols.push_back(symmetry::parse_generator(piece, basis));
    }
    PDESYM_REQUIRE(!cols.empty(), "augmentation '" << spec << "' lists no generators");
    G.resize(basis.size(), static_cast<int>(cols.size()));
    for (std::size_t k = 0; k < cols.size(); ++k) G.col(static_cast<int>(k)) = cols[k];
  } else {
    PDESYM_REQUIRE(file_exists(spec), "augmentation '" << spec
                                                       << "' is not 'none', 'known:<equation>' or 'gen:<generators>', "
                                                          "and no sym.json file of that name exists");
    symmetry::SymmetryResult r = symmetry::read_sym_json(spec);
    basis = r.basis;
    G = r.generators;
    PDESYM_REQUIRE(G.cols() > 0, "sym.json file '" << spec << "' contains no generators");
    if (opt.canonical_tol >= 0) {
      G = canonical_generators(G, opt.canonical_tol);
      canonical = true;
    }
  }
  for (int k = 0; k < G.cols(); ++k) {
    VectorField vf(G.col(k), basis, canonical ? opt.canonical_tol : 1e-12);
    const std::string name = "generator " + std::to_string(k + 1) + " (" + vf.label() + ")";
    if (vf.kind() == FlowKind::Identity) {
      set.notes.push_back(name + " is zero; skipped");
      continue;
    }
    if (vf.kind() == FlowKind::NonPeriodic || vf.kind() == FlowKind::Unsupported) {
      PDESYM_REQUIRE(opt.skip_incompatible, "augmentation '" << spec << "': " << name << ": " << vf.reason());
      set.notes.push_back(name + " skipped: " + vf.reason());
      continue;
    }
    Generator g;
    g.field = vf;
    g.eps_max = opt.eps;
    g.full_period = opt.full_period_translations && vf.is_pure_x_translation();
    set.generators.push_back(std::move(g));
  }
  if (set.generators.empty()) {
    std::string all;
    for (const auto& n : set.notes) all += "\n  " + n;
    throw InputError("augmentation '" + spec + "': none of its generators can act on periodic trajectories:" + all);
  }
  return set;
}

// ---- Augmenter ---------------------------------------------------------------------------------------------

Augmenter::Augmenter(GeneratorSet set, TransformOptions topt) : set_(std::move(set)), topt_(topt) {}

Field Augmenter::apply(const Field& in, const std::vector<double>& eps) const {
  PDESYM_CHECK(eps.size() == set_.generators.size(),
               eps.size() << " eps values for " << set_.generators.size() << " generators");
  in.validate();
  Field cur = in;
  Eigen::Matrix4d M = Eigen::Matrix4d::Identity();
  bool pending = false;
  for (std::size_t k = 0; k < eps.size(); ++k) {
    const VectorField& V = set_.generators[k].field;
    if (eps[k] == 0.0 || V.kind() == FlowKind::Identity) continue;
    if (V.kind() == FlowKind::Affine && !topt_.force_general) {
      M = expm(eps[k] * V.affine_matrix()) * M;  // later generators act on the image of earlier ones
      pending = true;
      continue;
    }
    if (pending) {
      cur = transform_affine(cur, M);
      M.setIdentity();
      pending = false;
    }
    cur = transform(cur, V, eps[k], topt_);
  }
  if (pending) cur = transform_affine(cur, M);
  return cur;
}

Field Augmenter::operator()(const Field& in, Rng& rng, std::vector<double>* eps_out) const {
  std::vector<double> eps(set_.generators.size());
  // Period of the trajectory as seen by generator k (scalings before it change it).
  double L = in.L();
  for (std::size_t k = 0; k < eps.size(); ++k) {
    const Generator& g = set_.generators[k];
    if (g.full_period) {
      const double c = g.field.affine_matrix()(0, 3);
      eps[k] = rng.uniform(0.0, L) / c;
    } else {
      eps[k] = rng.uniform(-g.eps_max, g.eps_max);
    }
    L *= std::exp(eps[k] * g.field.x_scale_rate());
  }
  if (eps_out) *eps_out = eps;
  return apply(in, eps);
}

datasets::Split augment_split(const datasets::Split& in, const Augmenter& aug, int copies, std::uint64_t seed,
                              bool keep_original) {
  PDESYM_REQUIRE(copies >= 0, "number of copies must be non-negative (got " << copies << ")");
  const int per = copies + (keep_original ? 1 : 0);
  PDESYM_REQUIRE(per >= 1, "nothing to write: no copies and originals dropped");
  datasets::Split out;
  out.name = in.name;
  out.resize(in.n * per, in.nt, in.nx);
  for (int i = 0; i < in.n; ++i) {
    Field f = Field::from_split(in, i);
    f.validate(in.name + " trajectory " + std::to_string(i));
    int o = i * per;
    if (keep_original) f.to_split(out, o++);
    for (int c = 0; c < copies; ++c) {
      Rng rng(seed, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(c) + 1);
      aug(f, rng).to_split(out, o++);
    }
  }
  return out;
}

}  // namespace pdesym::augment
