// exp(eps V) on 1-D systems and 2-D fields: the period criterion, the exact affine and linear-phase paths, and
// the general flow (RK4 flow of V + Newton for the spatial pre-image on the spectral interpolant).
#include <algorithm>
#include <cmath>
#include <limits>
#include <sstream>

#include "internal.hpp"
#include "pdesym/common/error.hpp"

namespace pdesym::augment::detail {

void require_matching_variables(const Field& f, const VectorField& V, const std::string& where) {
  const symmetry::Variables& v = V.variables();
  PDESYM_REQUIRE(v.dim == f.dim() && v.nc == f.nc(),
                 where << ": the generator " << V.label() << " lives on " << v.describe() << " (" << v.dim << "-D, "
                       << v.nc << " component" << (v.nc == 1 ? "" : "s") << ") but the trajectory is "
                       << f.shape.describe());
}

// Time flow dt/ds = tau(t) over [0, eps]: exact for affine tau, RK4 otherwise (NaN if it blows up).
double time_flow(const VectorField& V, double t, double eps, int nsteps) {
  const int T = V.dim(), n = V.count();
  if (V.tau_affine()) {
    const double d = V.affine_generator()(T, T), e = V.affine_generator()(T, n), z = d * eps;
    const double phi1 = std::abs(z) < 1e-8 ? eps * (1 + 0.5 * z) : std::expm1(z) / d;
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

namespace {

// Flow of V over [0, eps] by RK4 on the state z (count() values) and, if J != nullptr, the sensitivity
// J = dz(eps)/dz(0) (count() x count(), row-major).
void flow_nd(const VectorField& V, double eps, int nsteps, std::vector<double>& z, std::vector<double>* J) {
  const int n = V.count(), m = J ? n + n * n : n;
  std::vector<double> y(m), k1(m), k2(m), k3(m), k4(m), tmp(m), Dv(n * n);
  std::copy(z.begin(), z.end(), y.begin());
  if (J)
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) y[n + i * n + j] = i == j ? 1.0 : 0.0;
  auto rhs = [&](const std::vector<double>& s, std::vector<double>& f) {
    V.eval(s.data(), f.data());
    if (!J) return;
    V.jacobian(s.data(), Dv.data());
    for (int i = 0; i < n; ++i)
      for (int j = 0; j < n; ++j) {
        double a = 0;
        for (int k = 0; k < n; ++k) a += Dv[i * n + k] * s[n + k * n + j];
        f[n + i * n + j] = a;
      }
  };
  const double h = eps / nsteps;
  for (int s = 0; s < nsteps; ++s) {
    rhs(y, k1);
    for (int i = 0; i < m; ++i) tmp[i] = y[i] + 0.5 * h * k1[i];
    rhs(tmp, k2);
    for (int i = 0; i < m; ++i) tmp[i] = y[i] + 0.5 * h * k2[i];
    rhs(tmp, k3);
    for (int i = 0; i < m; ++i) tmp[i] = y[i] + h * k3[i];
    rhs(tmp, k4);
    for (int i = 0; i < m; ++i) y[i] += h / 6.0 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
  }
  std::copy(y.begin(), y.begin() + n, z.begin());
  if (J) J->assign(y.begin() + n, y.end());
}

double period(const Field& f, int axis) { return axis == 0 ? f.Lx() : f.Ly(); }

std::string describe_eps(const VectorField& V, double eps) {
  std::ostringstream os;
  os << "generator " << V.label() << " with eps=" << eps;
  return os.str();
}

// Output grid and time labels of an affine space-time map: x_i' = s_i x_i + ..., t' = M_tt t + M_t1.
void rescale_grid(const Field& in, Field& out, const std::vector<double>& sx, double stt, double st1) {
  out.dx = sx[0] * in.dx;
  for (int i = 0; i < in.nx(); ++i) out.x[i] = sx[0] * in.x[i];
  if (in.dim() == 2) {
    out.dy = sx[1] * in.dy;
    for (int j = 0; j < in.ny(); ++j) out.y[j] = sx[1] * in.y[j];
  }
  out.dt = stt * in.dt;
  for (int n = 0; n < in.nt(); ++n) out.t[n] = stt * in.t[n] + st1;
}

// Affine fields and the space-time part of LinearPhase fields: M = exp(eps A) on (z, 1) must map each x_i to
// s_i x_i + b_i t + c_i (s_i > 0), t to M_tt t + M_t1 (M_tt > 0), and fields to fields (no space dependence).
void check_gridded(const Eigen::MatrixXd& M, int D, int n) {
  const double tol = 1e-12 * std::max(1.0, M.cwiseAbs().maxCoeff());
  const int T = D;
  bool ok = M(T, T) > 0;
  for (int i = 0; i < D; ++i) {
    ok = ok && M(i, i) > 0;
    for (int q = 0; q < n; ++q)
      if (q != i && q != T) ok = ok && std::abs(M(i, q)) <= tol;
  }
  for (int q = 0; q < n; ++q)
    if (q != T) ok = ok && std::abs(M(T, q)) <= tol;
  for (int a = D + 1; a < n; ++a)
    for (int q = 0; q < D; ++q) ok = ok && std::abs(M(a, q)) <= tol;
  PDESYM_CHECK(ok, "affine flow matrix does not have the gridded structure");
}

}  // namespace

Field transform_affine_nd(const Field& in, const Eigen::MatrixXd& M) {
  const int D = in.dim(), T = D, F0 = D + 1, n = static_cast<int>(M.rows()) - 1, nc = in.nc();
  PDESYM_CHECK(n == D + 1 + nc && M.cols() == M.rows(), "affine flow matrix of size " << M.rows() << " for "
                                                                                       << in.shape.describe());
  check_gridded(M, D, n);
  Field out = in;
  std::vector<double> sx(D);
  for (int i = 0; i < D; ++i) sx[i] = M(i, i);
  rescale_grid(in, out, sx, M(T, T), M(T, n));
  const std::size_t P = in.shape.points();
  std::vector<double> shifted(static_cast<std::size_t>(nc) * P);
  for (int lev = 0; lev < in.nt(); ++lev) {
    const double tn = in.t[lev];
    double d[2] = {0, 0};
    for (int i = 0; i < D; ++i) d[i] = (M(i, T) * tn + M(i, n)) / sx[i];
    for (int b = 0; b < nc; ++b) fourier_shift_box(in, in.snapshot(b, lev), shifted.data() + b * P, d[0], d[1]);
    for (int a = 0; a < nc; ++a) {
      double* o = out.snapshot(a, lev);
      const double off = M(F0 + a, T) * tn + M(F0 + a, n);
      for (std::size_t p = 0; p < P; ++p) {
        double v = off;
        for (int b = 0; b < nc; ++b) v += M(F0 + a, F0 + b) * shifted[b * P + p];
        o[p] = v;
      }
    }
  }
  return out;
}

namespace {

// W = int_0^eps exp(s S) ds on (x, [y], t, 1), S the space-time block of V's affine generator: the integral
// I_i = int_0^eps x_i(s) ds of a LinearPhase field's flow is row i of W applied to the pre-image (x, [y], t, 1).
Eigen::MatrixXd phase_integral(const VectorField& V, double eps) {
  const int D = V.dim(), n = V.count(), m = D + 2;
  const Eigen::MatrixXd& A = V.affine_generator();
  Eigen::MatrixXd S = Eigen::MatrixXd::Zero(m, m);
  auto idx = [&](int k) { return k < m - 1 ? k : n; };  // space/t indices coincide; the constant is column n
  for (int r = 0; r < m - 1; ++r)
    for (int c = 0; c < m; ++c) S(r, c) = A(idx(r), idx(c));
  Eigen::MatrixXd Big = Eigen::MatrixXd::Zero(2 * m, 2 * m);
  Big.topLeftCorner(m, m) = S;
  Big.topRightCorner(m, m) = Eigen::MatrixXd::Identity(m, m);
  return expm_general(eps * Big).topRightCorner(m, m);
}

// The period criterion in closed form for a LinearPhase field: x_i + L_i maps to x_i' + s_i L_i with the same t
// (the gridded affine structure), and the phase factor gains exp(sum_a W_ai L_i B_a), which must be the identity.
std::string linear_phase_period_problem(const Field& in, const VectorField& V, double eps) {
  const int D = in.dim(), nc = in.nc();
  const Eigen::MatrixXd W = phase_integral(V, eps);
  const auto names = V.variables().names();
  for (int i = 0; i < D; ++i) {
    const double L = period(in, i);
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(nc, nc);
    for (int a = 0; a < D; ++a)
      if (V.phase_omegas()[a] != 0.0) G += W(a, i) * L * V.phase_rates()[a];
    const double diff = (expm_general(G) - Eigen::MatrixXd::Identity(nc, nc)).cwiseAbs().maxCoeff();
    if (!(diff <= 1e-8)) {
      std::ostringstream os;
      os << "the image of the point at " << names[i] << " + L" << names[i] << " is not the image at " << names[i]
         << " shifted by one period (the phase factor gained over one period differs from the identity by " << diff
         << "), so the transformed trajectory is not periodic on the box";
      return os.str();
    }
  }
  return "";
}

// LinearPhase: x_i, t as for affine fields; u' = exp(eps C + sum_i I_i B_i) u with I_i = int_0^eps x_i(s) ds,
// an affine function of the pre-image (x, t): W = int_0^eps exp(s S) ds on (x, [y], t, 1) from the block
// exponential exp(eps [[S, I], [0, 0]]). C and the B_i commute (VectorField's class condition), so the exponential
// factors exactly into exp(eps C + sum_i (W_it t + W_i1) B_i) exp(sum_i W_ix x B_i) exp(sum_i W_iy y B_i): one
// factor per level, grid column and grid row (`per_point` evaluates the whole exponential at every point instead:
// the reference the tests compare with).
Field transform_linear_phase(const Field& in, const VectorField& V, double eps, bool per_point) {
  const int D = in.dim(), T = D, F0 = D + 1, n = V.count(), nc = in.nc();
  const Eigen::MatrixXd& A = V.affine_generator();
  const Eigen::MatrixXd M = expm_general(eps * A);
  check_gridded(M, D, n);
  const int m = D + 2;  // (space, t, 1)
  const Eigen::MatrixXd W = phase_integral(V, eps);
  const Eigen::MatrixXd C = A.block(F0, F0, nc, nc);
  // sum_a coeff(a) B_a over the axes with a phase.
  auto phase = [&](auto coeff) {
    Eigen::MatrixXd G = Eigen::MatrixXd::Zero(nc, nc);
    for (int a = 0; a < D; ++a)
      if (V.phase_omegas()[a] != 0.0) G += coeff(a) * V.phase_rates()[a];
    return G;
  };

  Field out = in;
  std::vector<double> sx(D);
  for (int i = 0; i < D; ++i) sx[i] = M(i, i);
  rescale_grid(in, out, sx, M(T, T), M(T, n));
  const std::size_t P = in.shape.points();
  std::vector<double> shifted(static_cast<std::size_t>(nc) * P);
  const int nx = in.nx(), ny = in.ny();
  std::vector<Eigen::MatrixXd> Ex(nx), Ry(ny);
  Eigen::VectorXd u(nc), v(nc), w(nc);
  for (int lev = 0; lev < in.nt(); ++lev) {
    const double tn = in.t[lev];
    double d[2] = {0, 0};
    for (int i = 0; i < D; ++i) d[i] = (M(i, T) * tn + M(i, n)) / sx[i];
    for (int b = 0; b < nc; ++b) fourier_shift_box(in, in.snapshot(b, lev), shifted.data() + b * P, d[0], d[1]);
    auto pre_x = [&](int i) { return in.x[i] - d[0]; };  // pre-image coordinates of grid point (i, j)
    auto pre_y = [&](int j) { return D == 2 ? in.y[j] - d[1] : 0.0; };
    if (!per_point) {
      const Eigen::MatrixXd E0 = expm_general(eps * C + phase([&](int a) { return W(a, T) * tn + W(a, m - 1); }));
      for (int i = 0; i < nx; ++i) Ex[i] = expm_general(phase([&](int a) { return W(a, 0) * pre_x(i); }));
      for (int j = 0; j < ny; ++j)
        Ry[j] = D == 2 ? (E0 * expm_general(phase([&](int a) { return W(a, 1) * pre_y(j); }))).eval() : E0;
    }
    for (int j = 0; j < ny; ++j)
      for (int i = 0; i < nx; ++i) {
        const std::size_t p = static_cast<std::size_t>(j) * nx + i;
        for (int b = 0; b < nc; ++b) u[b] = shifted[b * P + p];
        if (per_point) {
          const Eigen::MatrixXd G = eps * C + phase([&](int a) {
            return W(a, 0) * pre_x(i) + (D == 2 ? W(a, 1) * pre_y(j) : 0.0) + W(a, T) * tn + W(a, m - 1);
          });
          v.noalias() = expm_general(G) * u;
        } else {
          for (int a = 0; a < nc; ++a) w[a] = Ex[i].row(a).dot(u);
          for (int a = 0; a < nc; ++a) v[a] = Ry[j].row(a).dot(w);
        }
        for (int a = 0; a < nc; ++a) out.snapshot(a, lev)[p] = v[a];
      }
  }
  return out;
}

// Spectra of every snapshot of every component, and the spectra at any time in [t_0, t_last]: a stored level, or
// Lagrange interpolation over `stencil` neighbouring levels (as SpectralField in 1-D).
class SpectraNd {
 public:
  SpectraNd(const Field& f, int stencil)
      : f_(f), nk_(static_cast<std::size_t>(f.ny()) * (f.nx() / 2 + 1)), stencil_(std::max(2, stencil)),
        C_(static_cast<std::size_t>(f.nc()) * f.nt() * nk_), work_(f.nc() * nk_) {
    solvers::FftBox& fft = fft_box_for(f.nx(), f.ny(), f.Lx(), f.Ly());
    for (int c = 0; c < f.nc(); ++c)
      for (int n = 0; n < f.nt(); ++n) fft.forward(f.snapshot(c, n), level(c, n));
  }
  std::size_t modes() const { return nk_; }
  // [nc][nk] spectra at time tau.
  const cdouble* at_time(double tau) {
    const double p = f_.nt() > 1 ? (tau - f_.t[0]) / f_.dt : 0.0, tol = 1e-9;
    PDESYM_CHECK(p > -tol && p < f_.nt() - 1 + tol, "pre-image time " << tau << " lies outside the stored times ["
                                                                      << f_.t.front() << ", " << f_.t.back() << "]");
    const int nt = f_.nt(), nc = f_.nc();
    const double pr = std::round(p);
    const bool stored = std::abs(p - pr) < tol;
    const int S = std::min(stencil_, nt);
    const int start = std::clamp(static_cast<int>(std::floor(p)) - S / 2 + 1, 0, nt - S);
    std::fill(work_.begin(), work_.end(), cdouble(0));
    for (int k = 0; k < (stored ? 1 : S); ++k) {
      double w = 1.0;
      const int lev = stored ? static_cast<int>(pr) : start + k;
      if (!stored)
        for (int l = 0; l < S; ++l)
          if (l != k) w *= (p - (start + l)) / static_cast<double>(k - l);
      for (int c = 0; c < nc; ++c) {
        const cdouble* src = level(c, lev);
        cdouble* dst = work_.data() + c * nk_;
        for (std::size_t m = 0; m < nk_; ++m) dst[m] += w * src[m];
      }
    }
    return work_.data();
  }

 private:
  cdouble* level(int c, int n) { return C_.data() + (static_cast<std::size_t>(c) * f_.nt() + n) * nk_; }
  const Field& f_;
  std::size_t nk_;
  int stencil_;
  std::vector<cdouble> C_, work_;
};

// General fields: the image grid is the input grid scaled by s_i = e^{eps a_i}; output times are the images of
// the stored times (affine tau) or uniform between the images of the first and last (other tau, pre-image times
// between levels by Lagrange interpolation of the spectra). For every output point X at output time t' (pre-image
// time tau), Newton finds the pre-image x with flow(x, tau, u(x, tau))_space = X; u and grad u come from the
// spectral interpolant.
Field transform_general_nd(const Field& in, const VectorField& V, double eps, const TransformOptions& opt) {
  const int D = in.dim(), T = D, F0 = D + 1, n = V.count(), nc = in.nc();
  const int nsteps = std::max(1, opt.substeps);
  Field out = in;
  std::vector<double> sx(D);
  for (int i = 0; i < D; ++i) sx[i] = std::exp(eps * V.scale_rate(i));
  std::vector<double> pre(in.nt());
  if (V.tau_affine()) {
    const double t0 = detail::time_flow(V, 0.0, eps, nsteps), stt = detail::time_flow(V, 1.0, eps, nsteps) - t0;
    rescale_grid(in, out, sx, stt, t0);
    for (int lev = 0; lev < in.nt(); ++lev) {
      out.t[lev] = detail::time_flow(V, in.t[lev], eps, nsteps);
      pre[lev] = in.t[lev];
    }
  } else {
    rescale_grid(in, out, sx, 1.0, 0.0);
    const double a = detail::time_flow(V, in.t.front(), eps, nsteps), b = detail::time_flow(V, in.t.back(), eps, nsteps);
    PDESYM_REQUIRE(std::isfinite(a) && std::isfinite(b) && (in.nt() == 1 || b > a),
                   "the time flow of " << V.label() << " with eps=" << eps << " is not defined on [" << in.t.front()
                                       << ", " << in.t.back() << "] (eps too large)");
    out.dt = in.nt() > 1 ? (b - a) / (in.nt() - 1) : in.dt;
    for (int lev = 0; lev < in.nt(); ++lev) {
      out.t[lev] = a + lev * out.dt;
      pre[lev] = std::clamp(detail::time_flow(V, out.t[lev], -eps, nsteps), in.t.front(), in.t.back());
    }
  }

  SpectraNd spectra(in, opt.time_stencil);
  const std::size_t nk = spectra.modes();
  const double Lmax = std::max(in.Lx(), in.Ly());
  std::vector<double> zs(n), J;
  Eigen::MatrixXd dG(D, D);
  Eigen::VectorXd G(D);
  for (int lev = 0; lev < in.nt(); ++lev) {
    const cdouble* spec = spectra.at_time(pre[lev]);
    std::vector<BoxInterpolant> interp;
    for (int b = 0; b < nc; ++b) interp.emplace_back(spec + b * nk, in);
    std::vector<double> u(nc), ux(nc), uy(nc);
    auto sample = [&](const double* x) {
      for (int b = 0; b < nc; ++b) interp[b].eval(x[0], D == 2 ? x[1] : 0.0, u[b], ux[b], uy[b]);
    };
    for (int j = 0; j < in.ny(); ++j)
      for (int i = 0; i < in.nx(); ++i) {
        const double X[2] = {out.x[i], D == 2 ? out.y[j] : 0.0};
        // Initial guess: the backward flow of (X, t', u(X)).
        double x[2] = {X[0], X[1]};
        sample(x);
        for (int q = 0; q < D; ++q) zs[q] = X[q];
        zs[T] = out.t[lev];
        for (int b = 0; b < nc; ++b) zs[F0 + b] = u[b];
        flow_nd(V, -eps, nsteps, zs, nullptr);
        for (int q = 0; q < D; ++q)
          if (std::isfinite(zs[q])) x[q] = zs[q];
        bool done = false;
        for (int it = 0; it < opt.newton_max_iter && !done; ++it) {
          sample(x);
          for (int q = 0; q < D; ++q) zs[q] = x[q];
          zs[T] = pre[lev];
          for (int b = 0; b < nc; ++b) zs[F0 + b] = u[b];
          flow_nd(V, eps, nsteps, zs, &J);
          bool finite = true;
          for (double v : zs) finite = finite && std::isfinite(v);
          if (!finite) break;
          double gmax = 0;
          for (int q = 0; q < D; ++q) {
            G[q] = zs[q] - X[q];
            gmax = std::max(gmax, std::abs(G[q]));
          }
          if (gmax <= opt.newton_tol * Lmax) {
            for (int a = 0; a < nc; ++a) out.snapshot(a, lev)[static_cast<std::size_t>(j) * in.nx() + i] = zs[F0 + a];
            done = true;
            break;
          }
          for (int r = 0; r < D; ++r)
            for (int c = 0; c < D; ++c) {
              double v = J[r * n + c];
              for (int b = 0; b < nc; ++b) v += J[r * n + F0 + b] * (c == 0 ? ux[b] : uy[b]);
              dG(r, c) = v;
            }
          if (!(std::abs(dG.determinant()) > 1e-14)) break;
          Eigen::VectorXd step = dG.partialPivLu().solve(G);
          const double cap = 0.25 * Lmax, sm = step.cwiseAbs().maxCoeff();
          if (sm > cap) step *= cap / sm;
          for (int q = 0; q < D; ++q) x[q] -= step[q];
        }
        if (!done) {
          std::ostringstream os;
          os << "cannot invert the flow of " << V.label() << " with eps=" << eps << " at x'=" << X[0];
          if (D == 2) os << ", y'=" << X[1];
          os << ", t'=" << out.t[lev]
             << ": Newton's method did not converge (the transformed solution is multivalued there, or eps is too "
                "large)";
          throw Error(os.str());
        }
      }
  }
  return out;
}

}  // namespace

std::string periodic_image_problem(const Field& in, const VectorField& V, double eps) {
  const int D = in.dim(), T = D, F0 = D + 1, n = V.count(), nc = in.nc();
  double s = 0;
  for (double v : in.data) s = std::max(s, std::abs(v));
  if (s == 0) s = 1;
  const double fr[3] = {0.37, -0.61, 0.83};
  // RK4 steps: at least 2048, and small enough that |eps| |dV/dz| h stays below 2e-3 at the sample points
  // (a boost turns the phase by eps x, tens of radians over a long box).
  auto steps_for = [&](const std::vector<double>& z) {
    std::vector<double> Jv(static_cast<std::size_t>(n) * n);
    V.jacobian(z.data(), Jv.data());
    double norm = 0;
    for (int r = 0; r < n; ++r) {
      double row = 0;
      for (int c = 0; c < n; ++c) row += std::abs(Jv[r * n + c]);
      norm = std::max(norm, row);
    }
    return static_cast<int>(std::min(1e6, std::max(2048.0, std::ceil(std::abs(eps) * norm / 2e-3))));
  };
  for (int axis = 0; axis < D; ++axis) {
    const double L = period(in, axis), Lp = std::exp(eps * V.scale_rate(axis)) * L;
    for (double tt : {in.t.front(), in.t.back()})
      for (int k = 0; k < 3; ++k) {
        std::vector<double> z0(n), z1;
        z0[0] = in.x[0] + (0.2 + 0.3 * k) * in.Lx();
        if (D == 2) z0[1] = in.y[0] + (0.7 - 0.25 * k) * in.Ly();
        z0[T] = tt;
        for (int b = 0; b < nc; ++b) z0[F0 + b] = fr[(b + k) % 3] * s;
        z1 = z0;
        z1[axis] += L;
        const int nsteps = std::max(steps_for(z0), steps_for(z1));
        flow_nd(V, eps, nsteps, z0, nullptr);
        flow_nd(V, eps, nsteps, z1, nullptr);
        for (int q = 0; q < n; ++q) {
          const double diff = z1[q] - z0[q] - (q == axis ? Lp : 0.0);
          const double scale = q < D ? period(in, q) : q == T ? std::max(1.0, std::abs(tt)) : s;
          if (!(std::abs(diff) <= 1e-8 * scale)) {
            std::ostringstream os;
            const auto names = V.variables().names();
            os << "the image of the point at " << names[axis] << " + L" << names[axis]
               << " is not the image at " << names[axis] << " shifted by one period (" << names[q] << " differs by "
               << diff << "), so the transformed trajectory is not periodic on the box";
            return os.str();
          }
        }
      }
  }
  return "";
}

Field transform_nd(const Field& in, const VectorField& V, double eps, const TransformOptions& opt) {
  require_matching_variables(in, V, "trajectory");
  if (V.kind() == FlowKind::Identity || eps == 0.0) return in;
  PDESYM_REQUIRE(V.kind() != FlowKind::NonPeriodic && V.kind() != FlowKind::Unsupported,
                 "generator " << V.label() << " cannot be applied to a periodic gridded trajectory: " << V.reason());
  // Affine fields map x + L_i to x' + s_i L_i with the same t and u (check_gridded), so their images are periodic;
  // LinearPhase fields have a closed-form criterion; the reference path checks both by the general criterion.
  const bool exact = !opt.reference_nd && !opt.force_general;
  const std::string problem = exact && V.kind() == FlowKind::Affine        ? std::string()
                              : exact && V.kind() == FlowKind::LinearPhase ? linear_phase_period_problem(in, V, eps)
                                                                           : periodic_image_problem(in, V, eps);
  if (!problem.empty()) {
    std::ostringstream os;
    os << describe_eps(V, eps) << " cannot be applied to this " << in.shape.describe() << " trajectory: " << problem;
    if (V.kind() == FlowKind::LinearPhase) {
      const double q = V.phase_quantum({in.Lx(), in.Ly()});
      if (q > 0)
        os << "; the representable eps are the multiples of " << q
           << " (the phase gained over one period must be a whole turn: eps*L*omega in 2*pi*Z)";
      else
        os << "; no eps != 0 is representable on this box";
    }
    throw InputError(os.str());
  }
  if (opt.force_general) return transform_general_nd(in, V, eps, opt);
  switch (V.kind()) {
    case FlowKind::Affine: return transform_affine_nd(in, expm_general(eps * V.affine_generator()));
    case FlowKind::LinearPhase: return transform_linear_phase(in, V, eps, opt.reference_nd);
    default: return transform_general_nd(in, V, eps, opt);
  }
}

}  // namespace pdesym::augment::detail
