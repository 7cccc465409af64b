#include "pdesym/solvers/spectral.hpp"

#include <fftw3.h>

#include <cmath>
#include <cstring>
#include <mutex>

#include "pdesym/common/error.hpp"
#include "fftw_planner.hpp"

namespace pdesym::solvers {

std::mutex& fftw_planner_mutex() {
  static std::mutex m;
  return m;
}

Grid::Grid(int nx_, double L_) : nx(nx_), L(L_) {
  PDESYM_REQUIRE(nx_ >= 4 && nx_ % 2 == 0, "grid size nx must be even and >= 4, got " << nx_);
  PDESYM_REQUIRE(L_ > 0 && std::isfinite(L_), "domain length L must be positive and finite, got " << L_);
}

rvec Grid::x() const {
  rvec x(nx);
  for (int j = 0; j < nx; ++j) x[j] = j * L / nx;
  return x;
}

rvec Grid::wavenumbers() const {
  rvec k(nk());
  for (int m = 0; m < nk(); ++m) k[m] = 2.0 * M_PI * m / L;
  k[nx / 2] = 0.0;
  return k;
}

rvec Grid::dealias_mask() const {
  rvec mask(nk());
  for (int m = 0; m < nk(); ++m) mask[m] = (3 * m <= nx) ? 1.0 : 0.0;
  return mask;
}

Fft1d::Fft1d(int n) : n_(n) {
  PDESYM_CHECK(n >= 2, "FFT size must be >= 2");
  r_ = fftw_alloc_real(n);
  fftw_complex* c = fftw_alloc_complex(n / 2 + 1);
  c_ = c;
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  fwd_ = fftw_plan_dft_r2c_1d(n, r_, c, FFTW_ESTIMATE);
  inv_ = fftw_plan_dft_c2r_1d(n, c, r_, FFTW_ESTIMATE);
  PDESYM_CHECK(fwd_ && inv_, "FFTW could not create plans of size " << n);
}

Fft1d::~Fft1d() {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  fftw_destroy_plan(static_cast<fftw_plan>(fwd_));
  fftw_destroy_plan(static_cast<fftw_plan>(inv_));
  fftw_free(r_);
  fftw_free(c_);
}

void Fft1d::forward(const double* in, cdouble* out) {
  std::memcpy(r_, in, sizeof(double) * n_);
  fftw_execute(static_cast<fftw_plan>(fwd_));
  std::memcpy(static_cast<void*>(out), c_, sizeof(fftw_complex) * (n_ / 2 + 1));
}

void Fft1d::inverse(const cdouble* in, double* out) {
  std::memcpy(c_, static_cast<const void*>(in), sizeof(fftw_complex) * (n_ / 2 + 1));
  fftw_execute(static_cast<fftw_plan>(inv_));  // c2r destroys its input: we work on our copy
  const double s = 1.0 / n_;
  for (int j = 0; j < n_; ++j) out[j] = r_[j] * s;
}

SpectralDerivative::SpectralDerivative(const Grid& g)
    : g_(g), fft_(g.nx), k_(g.wavenumbers()), uh_(g.nk()), work_(g.nk()) {}

void SpectralDerivative::apply(const double* u, double* out, int order, int keep_modes) {
  PDESYM_CHECK(order >= 0, "derivative order must be >= 0");
  fft_.forward(u, uh_.data());
  const cdouble I(0.0, 1.0);
  for (int m = 0; m < g_.nk(); ++m) {
    cdouble f = std::pow(I * k_[m], order);
    if (order == 0) f = 1.0;
    if (keep_modes >= 0 && m > keep_modes) f = 0.0;
    if (order > 0 && m == g_.nx / 2) f = 0.0;
    work_[m] = f * uh_[m];
  }
  fft_.inverse(work_.data(), out);
}

void SpectralDerivative::jets(const double* u, int max_order, std::vector<rvec>& out, int keep_modes) {
  fft_.forward(u, uh_.data());
  out.assign(max_order + 1, rvec(g_.nx));
  const cdouble I(0.0, 1.0);
  for (int o = 0; o <= max_order; ++o) {
    for (int m = 0; m < g_.nk(); ++m) {
      cdouble f = (o == 0) ? cdouble(1.0) : std::pow(I * k_[m], o);
      if (keep_modes >= 0 && m > keep_modes) f = 0.0;
      if (o > 0 && m == g_.nx / 2) f = 0.0;
      work_[m] = f * uh_[m];
    }
    fft_.inverse(work_.data(), out[o].data());
  }
}

}  // namespace pdesym::solvers
