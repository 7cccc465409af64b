#include "pdesym/solvers/etdrk4.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "pdesym/common/error.hpp"

namespace pdesym::solvers {

Etdrk4::Etdrk4(const Pde& pde, const Grid& grid, double h, Etdrk4Options opt)
    : Etdrk4(static_cast<const FieldPde&>(pde), Box::of(grid), h, opt) {}

Etdrk4::Etdrk4(const FieldPde& pde, const Box& box, double h, Etdrk4Options opt)
    : pde_(pde), ws_(box), h_(h), nc_(pde.nc()), nk_(static_cast<int>(box.modes())), diagonal_(pde.linear_diagonal()),
      real_state_(pde.keeps_real_dealiased_state()) {
  PDESYM_REQUIRE(h > 0 && std::isfinite(h), "time step must be positive, got " << h);
  PDESYM_REQUIRE(opt.contour_points >= 4, "contour_points must be >= 4");
  PDESYM_REQUIRE(pde.supports_dim(box.dim), pde.name() << " is not defined in " << box.dim << "-D");
  PDESYM_CHECK(nc_ >= 1, "a PDE needs at least one component");
  const std::size_t nc = static_cast<std::size_t>(nc_), nk = static_cast<std::size_t>(nk_);
  const std::size_t planes = diagonal_ ? nc : nc * nc;
  for (auto* v : {&E_, &E2_, &Q_, &f1_, &f2_, &f3_}) v->assign(planes * nk, 0.0);
  cvec* outs[6] = {&E_, &E2_, &Q_, &f1_, &f2_, &f3_};
  std::vector<cdouble> L(nc * nc), hL(nc * nc);
  for (std::size_t m = 0; m < nk; ++m) {
    pde.linear_block(ws_.kx[m], ws_.ky[m], L.data());
    if (diagonal_) {
      for (std::size_t c = 0; c < nc; ++c) {
        cdouble r[6];
        scalar_etdrk4_coefficients(h * L[c * nc + c], h, opt, r);
        for (int f = 0; f < 6; ++f) (*outs[f])[c * nk + m] = r[f];
      }
    } else {
      for (std::size_t i = 0; i < nc * nc; ++i) hL[i] = h * L[i];
      const BlockCoefficients bc = block_etdrk4_coefficients(hL, nc_, h, opt);
      const std::vector<cdouble>* src[6] = {&bc.E, &bc.E2, &bc.Q, &bc.f1, &bc.f2, &bc.f3};
      for (int f = 0; f < 6; ++f)
        for (std::size_t i = 0; i < nc * nc; ++i) (*outs[f])[i * nk + m] = (*src[f])[i];
    }
  }
  for (auto* v : {&Nv_, &a_, &Na_, &b_, &Nb_, &c_, &Nc_}) v->assign(nc * nk, 0.0);
}

namespace {
// Complex arithmetic on interleaved (re, im) doubles: the same products as std::complex, without the
// NaN-recovery branch of complex multiplication, so the loops vectorise. NaNs still propagate (and are caught
// by the finiteness check of integrate()).
inline void cmul_add(const double* a, const double* x, const double* b, const double* y, double* out, std::size_t m) {
  // out = a*x + b*y
  const double ar = a[2 * m], ai = a[2 * m + 1], xr = x[2 * m], xi = x[2 * m + 1];
  const double br = b[2 * m], bi = b[2 * m + 1], yr = y[2 * m], yi = y[2 * m + 1];
  out[2 * m] = (ar * xr - ai * xi) + (br * yr - bi * yi);
  out[2 * m + 1] = (ar * xi + ai * xr) + (br * yi + bi * yr);
}
inline const double* D(const cvec& v) { return reinterpret_cast<const double*>(v.data()); }
inline double* D(cvec& v) { return reinterpret_cast<double*>(v.data()); }

// Block products for full (coupled) coefficients, planes [a][b][nk]: out_a = sum_b (A_ab x_b + B_ab y_b).
void block_mul_add(const cvec& A, const cdouble* x, const cvec& B, const cdouble* y, cdouble* out, int nc, std::size_t nk) {
  const double* __restrict Ad = D(A);
  const double* __restrict Bd = D(B);
  const double* __restrict xd = reinterpret_cast<const double*>(x);
  const double* __restrict yd = reinterpret_cast<const double*>(y);
  double* __restrict o = reinterpret_cast<double*>(out);
  for (int a = 0; a < nc; ++a) {
    double* __restrict oa = o + 2 * a * nk;
    for (std::size_t m = 0; m < 2 * nk; ++m) oa[m] = 0.0;
    for (int b = 0; b < nc; ++b) {
      const double* __restrict Aab = Ad + 2 * (static_cast<std::size_t>(a) * nc + b) * nk;
      const double* __restrict Bab = Bd + 2 * (static_cast<std::size_t>(a) * nc + b) * nk;
      const double* __restrict xb = xd + 2 * b * nk;
      const double* __restrict yb = yd + 2 * b * nk;
      for (std::size_t m = 0; m < nk; ++m) {
        oa[2 * m] += (Aab[2 * m] * xb[2 * m] - Aab[2 * m + 1] * xb[2 * m + 1]) +
                     (Bab[2 * m] * yb[2 * m] - Bab[2 * m + 1] * yb[2 * m + 1]);
        oa[2 * m + 1] += (Aab[2 * m] * xb[2 * m + 1] + Aab[2 * m + 1] * xb[2 * m]) +
                         (Bab[2 * m] * yb[2 * m + 1] + Bab[2 * m + 1] * yb[2 * m]);
      }
    }
  }
}

// out_a += sum_b A_ab x_b.
void block_mul_acc(const cvec& A, const cdouble* x, cdouble* out, int nc, std::size_t nk) {
  const double* __restrict Ad = D(A);
  const double* __restrict xd = reinterpret_cast<const double*>(x);
  double* __restrict o = reinterpret_cast<double*>(out);
  for (int a = 0; a < nc; ++a) {
    double* __restrict oa = o + 2 * a * nk;
    for (int b = 0; b < nc; ++b) {
      const double* __restrict Aab = Ad + 2 * (static_cast<std::size_t>(a) * nc + b) * nk;
      const double* __restrict xb = xd + 2 * b * nk;
      for (std::size_t m = 0; m < nk; ++m) {
        oa[2 * m] += Aab[2 * m] * xb[2 * m] - Aab[2 * m + 1] * xb[2 * m + 1];
        oa[2 * m + 1] += Aab[2 * m] * xb[2 * m + 1] + Aab[2 * m + 1] * xb[2 * m];
      }
    }
  }
}
}  // namespace

void Etdrk4::step(cvec& v) {
  if (diagonal_) step_diagonal(v);
  else step_full(v);
  if (real_state_)
    for (int c = 0; c < nc_; ++c) symmetrise_real_spectrum(ws_.box, v.data() + static_cast<std::size_t>(c) * nk_);
}

void Etdrk4::step_diagonal(cvec& v) {
  // Diagonal L: every entry of the [nc][nk] state is an independent scalar ETDRK4 combination (for nc = 1
  // exactly the loops of the original scalar stepper).
  const std::size_t nk = static_cast<std::size_t>(nc_) * nk_;
  if (pde_.linear_only()) {
    for (std::size_t m = 0; m < nk; ++m) v[m] *= E_[m];
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
  for (std::size_t m = 0; m < nk; ++m) cmul_add(E2, V, Q, Nv, A, m);  // a = E2 v + Q N(v)
  pde_.nonlinear(a_.data(), Na_.data(), ws_);
  for (std::size_t m = 0; m < nk; ++m) cmul_add(E2, V, Q, Na, B, m);  // b = E2 v + Q N(a)
  pde_.nonlinear(b_.data(), Nb_.data(), ws_);
  for (std::size_t m = 0; m < nk; ++m) {  // c = E2 a + Q (2 N(b) - N(v))
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
  for (std::size_t m = 0; m < nk; ++m) {  // v = E v + f1 N(v) + 2 f2 (N(a) + N(b)) + f3 N(c)
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

void Etdrk4::step_full(cvec& v) {
  // Coupled blocks: the same four stages with block matrix-vector products per wavevector.
  const std::size_t nk = static_cast<std::size_t>(nk_), n = static_cast<std::size_t>(nc_) * nk;
  w_.resize(n);
  if (pde_.linear_only()) {
    std::fill(w_.begin(), w_.end(), cdouble(0.0));
    block_mul_acc(E_, v.data(), w_.data(), nc_, nk);
    v.swap(w_);
    return;
  }
  pde_.nonlinear(v.data(), Nv_.data(), ws_);
  block_mul_add(E2_, v.data(), Q_, Nv_.data(), a_.data(), nc_, nk);  // a = E2 v + Q N(v)
  pde_.nonlinear(a_.data(), Na_.data(), ws_);
  block_mul_add(E2_, v.data(), Q_, Na_.data(), b_.data(), nc_, nk);  // b = E2 v + Q N(a)
  pde_.nonlinear(b_.data(), Nb_.data(), ws_);
  for (std::size_t m = 0; m < n; ++m) w_[m] = 2.0 * Nb_[m] - Nv_[m];
  block_mul_add(E2_, a_.data(), Q_, w_.data(), c_.data(), nc_, nk);  // c = E2 a + Q (2 N(b) - N(v))
  pde_.nonlinear(c_.data(), Nc_.data(), ws_);
  // v = E v + f1 N(v) + 2 f2 (N(a) + N(b)) + f3 N(c)
  for (std::size_t m = 0; m < n; ++m) Na_[m] = 2.0 * (Na_[m] + Nb_[m]);
  block_mul_add(E_, v.data(), f1_, Nv_.data(), w_.data(), nc_, nk);
  block_mul_acc(f2_, Na_.data(), w_.data(), nc_, nk);
  block_mul_acc(f3_, Nc_.data(), w_.data(), nc_, nk);
  v.swap(w_);
}

Field integrate(const FieldPde& pde, const Box& box, const std::vector<double>& u0, double T, int nt,
                const IntegrateOptions& opt) {
  box.validate();
  PDESYM_REQUIRE(pde.supports_dim(box.dim), opt.label << ": " << pde.name() << " is not defined in " << box.dim << "-D");
  const int nc = pde.nc();
  const std::size_t np = box.points(), nk = box.modes();
  PDESYM_REQUIRE(u0.size() == nc * np, opt.label << ": initial condition has " << u0.size() << " values, the "
                                                 << nc << "-component field on a " << box.ny << " x " << box.nx
                                                 << " box needs " << nc * np);
  PDESYM_REQUIRE(nt >= 2, "need at least 2 stored time steps, got " << nt);
  PDESYM_REQUIRE(T > 0 && std::isfinite(T), "final time T must be positive, got " << T);
  PDESYM_REQUIRE(opt.dt_max > 0, "dt_max must be positive, got " << opt.dt_max);
  for (double v : u0) PDESYM_REQUIRE(std::isfinite(v), opt.label << ": initial condition is not finite");

  const double dt_out = T / (nt - 1);
  const int sub = std::max(1, static_cast<int>(std::ceil(dt_out / opt.dt_max - 1e-12)));
  Etdrk4 stepper(pde, box, dt_out / sub, opt.etd);

  Field f;
  f.shape = FieldShape{box.dim, nc, nt, box.ny, box.nx};
  f.components = pde.component_names();
  PDESYM_CHECK(static_cast<int>(f.components.size()) == nc, pde.name() << " names " << f.components.size()
                                                                         << " components, has " << nc);
  f.data.resize(f.shape.size());
  f.x = box.x();
  f.y = box.y();
  f.dx = box.Lx / box.nx;
  f.dy = box.dim == 2 ? box.Ly / box.ny : 0.0;
  f.dt = dt_out;
  f.t.resize(nt);
  for (int n = 0; n < nt; ++n) f.t[n] = n * dt_out;

  FftBox fft(box);
  cvec v(nc * nk);
  for (int c = 0; c < nc; ++c) {
    fft.forward(u0.data() + c * np, v.data() + c * nk);
    if (pde.keeps_real_dealiased_state()) {  // store the state that is integrated
      project_dealiased(box, v.data() + c * nk);
      fft.inverse(v.data() + c * nk, f.snapshot(c, 0));
    } else {
      std::copy(u0.begin() + c * np, u0.begin() + (c + 1) * np, f.snapshot(c, 0));
    }
  }
  for (int n = 1; n < nt; ++n) {
    for (int s = 0; s < sub; ++s) stepper.step(v);
    for (int c = 0; c < nc; ++c) {
      double* snap = f.snapshot(c, n);
      fft.inverse(v.data() + c * nk, snap);
      for (std::size_t j = 0; j < np; ++j) {
        if (!std::isfinite(snap[j])) {
          std::ostringstream os;
          os << opt.label << ": " << pde.name() << " solution blew up (non-finite value) at t = " << f.t[n]
             << " (stored step " << n << " of " << nt - 1 << ", internal dt = " << stepper.h()
             << "); reduce solver.dt or the initial amplitude";
          throw BlowUpError(os.str());
        }
      }
    }
  }
  return f;
}

Field integrate(const Pde& pde, const Grid& grid, const rvec& u0, double T, int nt, const IntegrateOptions& opt) {
  PDESYM_REQUIRE(static_cast<int>(u0.size()) == grid.nx,
                 "initial condition has " << u0.size() << " points, grid has " << grid.nx);
  return integrate(static_cast<const FieldPde&>(pde), Box::of(grid), u0, T, nt, opt);
}

}  // namespace pdesym::solvers
