// exp(eps V) on gridded trajectories: the flow of V, the affine (exact) and general (flow + Newton) paths.
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "internal.hpp"
#include "pdesym/common/error.hpp"

namespace pdesym::augment {

namespace detail {

void require_transformable(const Field& f, const std::string& what) {
  validate(f, what);
  PDESYM_REQUIRE(f.dim() == 1 && f.nc() == 1,
                 what << ": pointwise evaluation of transformed " << f.shape.describe()
                      << " fields is not supported (1-D scalar fields only)");
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
  for (int j = 0; j < in.nx(); ++j) out.x[j] = sx * in.x[j];
  for (int n = 0; n < in.nt(); ++n) out.t[n] = st * in.t[n] + M(1, 3);
  const double L = in.Lx();
  for (int n = 0; n < in.nt(); ++n) {
    const double tn = in.t[n];
    const double d = (M(0, 1) * tn + M(0, 3)) / sx;
    double* o = out.row(n);
    fourier_shift(in.row(n), o, in.nx(), L, d);
    const double a = M(2, 2), b = M(2, 1) * tn + M(2, 3);
    if (a != 1.0 || b != 0.0)
      for (int j = 0; j < in.nx(); ++j) o[j] = a * o[j] + b;
  }
  return out;
}

}  // namespace detail

namespace {

using detail::cdouble;
using detail::RowInterpolant;
using detail::SpectralField;

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

Field transform_general(const Field& in, const VectorField& V, double eps, const TransformOptions& opt) {
  const int nsteps = std::max(1, opt.substeps);
  Field out = in;
  const double sx = std::exp(eps * V.x_scale_rate());
  const double L = in.Lx(), Lp = sx * L;
  out.dx = sx * in.dx;
  for (int j = 0; j < in.nx(); ++j) out.x[j] = sx * in.x[j];

  std::vector<double> pre(in.nt());
  if (V.tau_affine()) {
    for (int n = 0; n < in.nt(); ++n) {
      out.t[n] = detail::time_flow(V, in.t[n], eps, nsteps);
      pre[n] = in.t[n];
    }
    out.dt = in.nt() > 1 ? out.t[1] - out.t[0] : in.dt;
  } else {
    const double a = detail::time_flow(V, in.t.front(), eps, nsteps), b = detail::time_flow(V, in.t.back(), eps, nsteps);
    PDESYM_REQUIRE(std::isfinite(a) && std::isfinite(b) && (in.nt() == 1 || b > a),
                   "the time flow of " << V.label() << " with eps=" << eps << " is not defined on [" << in.t.front()
                                       << ", " << in.t.back() << "] (eps too large)");
    out.dt = in.nt() > 1 ? (b - a) / (in.nt() - 1) : in.dt;
    for (int n = 0; n < in.nt(); ++n) {
      out.t[n] = a + n * out.dt;
      double tau = detail::time_flow(V, out.t[n], -eps, nsteps);
      pre[n] = std::clamp(tau, in.t.front(), in.t.back());
    }
  }

  SpectralField sf(in, opt.time_stencil);
  for (int n = 0; n < in.nt(); ++n) {
    RowInterpolant row(sf.at_time(pre[n]), in.nx(), in.x[0], L);
    double* o = out.row(n);
    double x = out.x[0] / sx, xprev = x;
    for (int j = 0; j < in.nx(); ++j) {
      if (j > 0) x = xprev + (out.x[j] - out.x[j - 1]) / sx;
      o[j] = solve_point(V, eps, row, out.x[j], out.t[n], pre[n], L, x, opt);
      xprev = x;
    }
  }
  (void)Lp;
  return out;
}

}  // namespace

// ---- transforms --------------------------------------------------------------------------------------------

Field transform(const Field& in, const VectorField& V, double eps, const TransformOptions& opt) {
  validate(in, "trajectory");
  if (!(in.dim() == 1 && in.nc() == 1 && V.variables().scalar_1d())) return detail::transform_nd(in, V, eps, opt);
  switch (V.kind()) {
    case FlowKind::Identity: return in;
    case FlowKind::Affine:
      if (!opt.force_general) return detail::transform_affine(in, expm(eps * V.affine_matrix()));
      return transform_general(in, V, eps, opt);
    case FlowKind::PeriodicGeneral: return transform_general(in, V, eps, opt);
    case FlowKind::LinearPhase:  // systems only
    case FlowKind::NonPeriodic:
    case FlowKind::Unsupported:
      break;
  }
  throw InputError("generator " + V.label() + " cannot be applied to a periodic gridded trajectory: " + V.reason());
}

std::vector<double> transform_points(const Field& in, const VectorField& V, double eps, const std::vector<double>& xs,
                                     const std::vector<double>& ts, const TransformOptions& opt) {
  detail::require_transformable(in, "trajectory");
  detail::require_matching_variables(in, V, "transform_points");
  PDESYM_REQUIRE(xs.size() == ts.size(), "transform_points: " << xs.size() << " abscissae but " << ts.size() << " times");
  PDESYM_REQUIRE(V.kind() != FlowKind::Unsupported,
                 "generator " << V.label() << " cannot be applied: " << V.reason());
  const int nsteps = std::max(1, opt.substeps);
  SpectralField sf(in, opt.time_stencil);
  const double L = in.Lx();
  std::vector<double> out(xs.size());
  for (std::size_t k = 0; k < xs.size(); ++k) {
    const double tau = detail::time_flow(V, ts[k], -eps, nsteps);
    PDESYM_REQUIRE(std::isfinite(tau), "the time flow of " << V.label() << " is not defined at t'=" << ts[k]);
    RowInterpolant row(sf.at_time(tau), in.nx(), in.x[0], L);
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

}  // namespace pdesym::augment
