#include "pdesym/solvers/box.hpp"

#include <fftw3.h>

#include <cmath>
#include <cstring>

#include "pdesym/common/error.hpp"
#include "fftw_planner.hpp"

namespace pdesym::solvers {

void Box::validate() const {
  PDESYM_REQUIRE(dim == 1 || dim == 2, "box dimension must be 1 or 2, got " << dim);
  PDESYM_REQUIRE(nx >= 4 && nx % 2 == 0, "grid size nx must be even and >= 4, got " << nx);
  PDESYM_REQUIRE(Lx > 0 && std::isfinite(Lx), "domain length Lx must be positive and finite, got " << Lx);
  if (dim == 1) {
    PDESYM_REQUIRE(ny == 1, "a 1-D box has ny = 1, got " << ny);
  } else {
    PDESYM_REQUIRE(ny >= 4 && ny % 2 == 0, "grid size ny must be even and >= 4, got " << ny);
    PDESYM_REQUIRE(Ly > 0 && std::isfinite(Ly), "domain length Ly must be positive and finite, got " << Ly);
  }
}

rvec Box::x() const {
  rvec x(nx);
  for (int i = 0; i < nx; ++i) x[i] = i * Lx / nx;
  return x;
}

rvec Box::y() const {
  rvec y(ny, 0.0);
  if (dim == 2)
    for (int j = 0; j < ny; ++j) y[j] = j * Ly / ny;
  return y;
}

rvec wavenumbers_x(const Box& b) {
  rvec k(b.nkx());
  for (int m = 0; m < b.nkx(); ++m) k[m] = 2.0 * M_PI * m / b.Lx;
  k[b.nx / 2] = 0.0;
  return k;
}

rvec wavenumbers_y(const Box& b) {
  rvec k(b.ny, 0.0);
  if (b.dim == 1) return k;
  for (int j = 0; j < b.ny; ++j) k[j] = 2.0 * M_PI * (j <= b.ny / 2 ? j : j - b.ny) / b.Ly;
  k[b.ny / 2] = 0.0;
  return k;
}

rvec dealias_mask_x(const Box& b) {
  rvec mask(b.nkx());
  for (int m = 0; m < b.nkx(); ++m) mask[m] = (3 * m <= b.nx) ? 1.0 : 0.0;
  return mask;
}

rvec dealias_mask_y(const Box& b) {
  rvec mask(b.ny, 1.0);
  if (b.dim == 1) return mask;
  for (int j = 0; j < b.ny; ++j) mask[j] = (3 * std::abs(j <= b.ny / 2 ? j : j - b.ny) <= b.ny) ? 1.0 : 0.0;
  return mask;
}

FftBox::FftBox(const Box& b) : n_(b.points()), nk_(b.modes()) {
  b.validate();
  r_ = fftw_alloc_real(n_);
  fftw_complex* c = fftw_alloc_complex(nk_);
  c_ = c;
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  if (b.dim == 1) {  // the plans of Fft1d: bit-identical 1-D results
    fwd_ = fftw_plan_dft_r2c_1d(b.nx, r_, c, FFTW_ESTIMATE);
    inv_ = fftw_plan_dft_c2r_1d(b.nx, c, r_, FFTW_ESTIMATE);
  } else {
    fwd_ = fftw_plan_dft_r2c_2d(b.ny, b.nx, r_, c, FFTW_ESTIMATE);
    inv_ = fftw_plan_dft_c2r_2d(b.ny, b.nx, c, r_, FFTW_ESTIMATE);
  }
  PDESYM_CHECK(fwd_ && inv_, "FFTW could not create plans for a " << b.ny << " x " << b.nx << " box");
}

FftBox::~FftBox() {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  fftw_destroy_plan(static_cast<fftw_plan>(fwd_));
  fftw_destroy_plan(static_cast<fftw_plan>(inv_));
  fftw_free(r_);
  fftw_free(c_);
}

void FftBox::forward(const double* in, cdouble* out) {
  std::memcpy(r_, in, sizeof(double) * n_);
  fftw_execute(static_cast<fftw_plan>(fwd_));
  std::memcpy(static_cast<void*>(out), c_, sizeof(fftw_complex) * nk_);
}

void FftBox::inverse(const cdouble* in, double* out) {
  std::memcpy(c_, static_cast<const void*>(in), sizeof(fftw_complex) * nk_);
  fftw_execute(static_cast<fftw_plan>(inv_));  // c2r destroys its input: we work on our copy
  const double s = 1.0 / static_cast<double>(n_);
  for (std::size_t j = 0; j < n_; ++j) out[j] = r_[j] * s;
}

SpectralWorkspace::SpectralWorkspace(const Box& b)
    : box(b), fft(b), nk(static_cast<int>(b.modes())), n(static_cast<int>(b.points())), kx(b.modes()),
      ky(b.modes()), mask(b.modes()), u(b.points()), up(b.points()), tmp(b.modes()) {
  const rvec kxs = wavenumbers_x(b), kys = wavenumbers_y(b), mx = dealias_mask_x(b), my = dealias_mask_y(b);
  const int nkx = b.nkx();
  for (int j = 0; j < b.ny; ++j)
    for (int m = 0; m < nkx; ++m) {
      const std::size_t i = static_cast<std::size_t>(j) * nkx + m;
      kx[i] = kxs[m];
      ky[i] = kys[j];
      mask[i] = mx[m] * my[j];
    }
}

double* SpectralWorkspace::real(int i) {
  PDESYM_CHECK(i >= 0, "scratch index must be >= 0");
  if (static_cast<int>(real_.size()) <= i) real_.resize(i + 1);
  if (real_[i].empty()) real_[i].assign(n, 0.0);
  return real_[i].data();
}

cdouble* SpectralWorkspace::spectral(int i) {
  PDESYM_CHECK(i >= 0, "scratch index must be >= 0");
  if (static_cast<int>(spectral_.size()) <= i) spectral_.resize(i + 1);
  if (spectral_[i].empty()) spectral_[i].assign(nk, 0.0);
  return spectral_[i].data();
}

cdouble derivative_symbol(double kx, double ky, int ox, int oy) {
  // (i kx)^ox (i ky)^oy = i^(ox+oy) kx^ox ky^oy, with i^n exact.
  double mag = 1.0;
  for (int e = 0; e < ox; ++e) mag *= kx;
  for (int e = 0; e < oy; ++e) mag *= ky;
  switch ((ox + oy) % 4) {
    case 0: return {mag, 0.0};
    case 1: return {0.0, mag};
    case 2: return {-mag, 0.0};
    default: return {0.0, -mag};
  }
}

BoxDerivative::BoxDerivative(const Box& b) : ws_(b), uh_(b.modes()), work_(b.modes()) {}

void BoxDerivative::multiply(int ox, int oy, cvec& out) const {
  PDESYM_CHECK(ox >= 0 && oy >= 0, "derivative orders must be >= 0");
  for (int m = 0; m < ws_.nk; ++m) out[m] = derivative_symbol(ws_.kx[m], ws_.ky[m], ox, oy) * uh_[m];
}

void BoxDerivative::apply(const double* u, double* out, int ox, int oy) {
  ws_.fft.forward(u, uh_.data());
  multiply(ox, oy, work_);
  ws_.fft.inverse(work_.data(), out);
}

void BoxDerivative::apply_many(const double* u, const std::vector<std::pair<int, int>>& orders,
                               std::vector<rvec>& out) {
  ws_.fft.forward(u, uh_.data());
  out.assign(orders.size(), rvec(ws_.n));
  for (std::size_t i = 0; i < orders.size(); ++i) {
    multiply(orders[i].first, orders[i].second, work_);
    ws_.fft.inverse(work_.data(), out[i].data());
  }
}

}  // namespace pdesym::solvers
