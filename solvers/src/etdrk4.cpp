#include "pdesym/solvers/etdrk4.hpp"

#include <cmath>
#include <sstream>

#include "pdesym/common/error.hpp"

namespace pdesym::solvers {

Etdrk4::Etdrk4(const Pde& pde, const Grid& grid, double h, Etdrk4Options opt)
    : pde_(pde), ws_(grid), h_(h) {
  PDESYM_REQUIRE(h > 0 && std::isfinite(h), "time step must be positive, got " << h);
  PDESYM_REQUIRE(opt.contour_points >= 4, "contour_points must be >= 4");
  const int nk = grid.nk(), M = opt.contour_points;
  E_.resize(nk), E2_.resize(nk), Q_.resize(nk), f1_.resize(nk), f2_.resize(nk), f3_.resize(nk);
  // Roots of unity shifted by half a point: r_j = R exp(2 pi i (j - 1/2) / M), j = 1..M (full circle, because
  // h*L is complex in general and the half-circle real-part trick of Kassam–Trefethen would be wrong).
  cvec r(M);
  for (int j = 0; j < M; ++j) r[j] = std::polar(opt.contour_radius, 2.0 * M_PI * (j + 0.5) / M);
  for (int m = 0; m < nk; ++m) {
    const cdouble z = h * pde.linear_symbol(ws_.k[m]);
    E_[m] = std::exp(z);
    E2_[m] = std::exp(z / 2.0);
    cdouble q = 0, a = 0, b = 0, c = 0;
    for (int j = 0; j < M; ++j) {
      const cdouble w = z + r[j];
      const cdouble ew = std::exp(w), ew2 = std::exp(w / 2.0), w3 = w * w * w;
      q += (ew2 - 1.0) / w;
      a += (-4.0 - w + ew * (4.0 - 3.0 * w + w * w)) / w3;
      b += (2.0 + w + ew * (-2.0 + w)) / w3;
      c += (-4.0 - 3.0 * w - w * w + ew * (4.0 - w)) / w3;
    }
    Q_[m] = h * q / double(M);
    f1_[m] = h * a / double(M);
    f2_[m] = h * b / double(M);
    f3_[m] = h * c / double(M);
  }
  for (auto* v : {&Nv_, &a_, &Na_, &b_, &Nb_, &c_, &Nc_}) v->assign(nk, 0.0);
}

namespace {
// Complex arithmetic on interleaved (re, im) doubles: the same products as std::complex, without the
// NaN-recovery branch of complex multiplication, so the loops vectorise. NaNs still propagate (and are caught
// by the finiteness check of integrate()).
inline void cmul_add(const double* a, const double* x, const double* b, const double* y, double* out, int m) {
  // out = a*x + b*y
  const double ar = a[2 * m], ai = a[2 * m + 1], xr = x[2 * m], xi = x[2 * m + 1];
  const double br = b[2 * m], bi = b[2 * m + 1], yr = y[2 * m], yi = y[2 * m + 1];
  out[2 * m] = (ar * xr - ai * xi) + (br * yr - bi * yi);
  out[2 * m + 1] = (ar * xi + ai * xr) + (br * yi + bi * yr);
}
inline const double* D(const cvec& v) { return reinterpret_cast<const double*>(v.data()); }
inline double* D(cvec& v) { return reinterpret_cast<double*>(v.data()); }
}  // namespace

void Etdrk4::step(cvec& v) {
  const int nk = ws_.grid.nk();
  if (pde_.linear_only()) {
    for (int m = 0; m < nk; ++m) v[m] *= E_[m];
    return;
  }
  const double* __restrict E = D(E_);
  const double* __restrict E2 = D(E2_);
  const double* __restrict Q = D(Q_);
  double* __restrict V = D(v);
  double* __restrict Nv = D(Nv_);
  double* __restrict A = D(a_);
  double* __restrict Na = D(Na_);
  double* __restrict B = D(b_);
  double* __restrict Nb = D(Nb_);
  double* __restrict C = D(c_);
  double* __restrict Nc = D(Nc_);
  pde_.nonlinear(v.data(), Nv_.data(), ws_);
  for (int m = 0; m < nk; ++m) cmul_add(E2, V, Q, Nv, A, m);  // a = E2 v + Q N(v)
  pde_.nonlinear(a_.data(), Na_.data(), ws_);
  for (int m = 0; m < nk; ++m) cmul_add(E2, V, Q, Na, B, m);  // b = E2 v + Q N(a)
  pde_.nonlinear(b_.data(), Nb_.data(), ws_);
  for (int m = 0; m < nk; ++m) {  // c = E2 a + Q (2 N(b) - N(v))
    const double wr = 2.0 * Nb[2 * m] - Nv[2 * m], wi = 2.0 * Nb[2 * m + 1] - Nv[2 * m + 1];
    const double er = E2[2 * m], ei = E2[2 * m + 1], qr = Q[2 * m], qi = Q[2 * m + 1];
    const double ar = A[2 * m], ai = A[2 * m + 1];
    C[2 * m] = (er * ar - ei * ai) + (qr * wr - qi * wi);
    C[2 * m + 1] = (er * ai + ei * ar) + (qr * wi + qi * wr);
  }
  pde_.nonlinear(c_.data(), Nc_.data(), ws_);
  const double* __restrict F1 = D(f1_);
  const double* __restrict F2 = D(f2_);
  const double* __restrict F3 = D(f3_);
  for (int m = 0; m < nk; ++m) {  // v = E v + f1 N(v) + 2 f2 (N(a) + N(b)) + f3 N(c)
    const double vr = V[2 * m], vi = V[2 * m + 1];
    const double sr = 2.0 * (Na[2 * m] + Nb[2 * m]), si = 2.0 * (Na[2 * m + 1] + Nb[2 * m + 1]);
    const double r = (E[2 * m] * vr - E[2 * m + 1] * vi) + (Nv[2 * m] * F1[2 * m] - Nv[2 * m + 1] * F1[2 * m + 1]) +
                     (sr * F2[2 * m] - si * F2[2 * m + 1]) + (Nc[2 * m] * F3[2 * m] - Nc[2 * m + 1] * F3[2 * m + 1]);
    const double i = (E[2 * m] * vi + E[2 * m + 1] * vr) + (Nv[2 * m] * F1[2 * m + 1] + Nv[2 * m + 1] * F1[2 * m]) +
                     (sr * F2[2 * m + 1] + si * F2[2 * m]) + (Nc[2 * m] * F3[2 * m + 1] + Nc[2 * m + 1] * F3[2 * m]);
    V[2 * m] = r;
    V[2 * m + 1] = i;
  }
}

Trajectory integrate(const Pde& pde, const Grid& grid, const rvec& u0, double T, int nt,
                     const IntegrateOptions& opt) {
  PDESYM_REQUIRE(static_cast<int>(u0.size()) == grid.nx,
                 "initial condition has " << u0.size() << " points, grid has " << grid.nx);
  PDESYM_REQUIRE(nt >= 2, "need at least 2 stored time steps, got " << nt);
  PDESYM_REQUIRE(T > 0 && std::isfinite(T), "final time T must be positive, got " << T);
  PDESYM_REQUIRE(opt.dt_max > 0, "dt_max must be positive, got " << opt.dt_max);
  for (double v : u0) PDESYM_REQUIRE(std::isfinite(v), opt.label << ": initial condition is not finite");

  const double dt_out = T / (nt - 1);
  const int sub = std::max(1, static_cast<int>(std::ceil(dt_out / opt.dt_max - 1e-12)));
  Etdrk4 stepper(pde, grid, dt_out / sub, opt.etd);

  Trajectory tr;
  tr.nt = nt;
  tr.nx = grid.nx;
  tr.L = grid.L;
  tr.T = T;
  tr.x = grid.x();
  tr.t.resize(nt);
  for (int n = 0; n < nt; ++n) tr.t[n] = n * dt_out;
  tr.u.resize(static_cast<std::size_t>(nt) * grid.nx);
  std::copy(u0.begin(), u0.end(), tr.u.begin());

  Fft1d fft(grid.nx);
  cvec v(grid.nk());
  fft.forward(u0.data(), v.data());
  for (int n = 1; n < nt; ++n) {
    for (int s = 0; s < sub; ++s) stepper.step(v);
    double* row = tr.u.data() + static_cast<std::size_t>(n) * grid.nx;
    fft.inverse(v.data(), row);
    for (int j = 0; j < grid.nx; ++j) {
      if (!std::isfinite(row[j])) {
        std::ostringstream os;
        os << opt.label << ": " << pde.name() << " solution blew up (non-finite value) at t = " << tr.t[n]
           << " (stored step " << n << " of " << nt - 1 << ", internal dt = " << stepper.h()
           << "); reduce solver.dt or the initial amplitude";
        throw BlowUpError(os.str());
      }
    }
  }
  return tr;
}

}  // namespace pdesym::solvers
