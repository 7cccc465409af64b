#pragma once
// Periodic 1-D grids and FFTW-based spectral operations (real-to-complex, double precision).
#include <complex>
#include <vector>

namespace pdesym::solvers {

using cdouble = std::complex<double>;
using cvec = std::vector<cdouble>;
using rvec = std::vector<double>;

/// Uniform periodic grid x_j = j*L/nx, j = 0..nx-1.
struct Grid {
  int nx = 0;
  double L = 0.0;
  Grid() = default;
  Grid(int nx_, double L_);
  double dx() const { return L / nx; }
  int nk() const { return nx / 2 + 1; }  ///< number of r2c coefficients
  rvec x() const;
  /// Wavenumbers 2*pi*m/L for m = 0..nx/2, with the Nyquist entry set to 0 (Kassam–Trefethen convention,
  /// keeps odd derivatives of real fields real).
  rvec wavenumbers() const;
  /// 2/3-rule mask: 1 for |m| <= nx/3, else 0.
  rvec dealias_mask() const;
};

/// FFTW r2c/c2r pair of size n with its own aligned buffers. Plans use FFTW_ESTIMATE so that results are
/// bit-for-bit reproducible (no timing-dependent algorithm choice). forward() is unnormalised, inverse()
/// divides by n, so inverse(forward(u)) == u.
class Fft1d {
 public:
  explicit Fft1d(int n);
  ~Fft1d();
  Fft1d(const Fft1d&) = delete;
  Fft1d& operator=(const Fft1d&) = delete;
  int size() const { return n_; }
  void forward(const double* in, cdouble* out);
  void inverse(const cdouble* in, double* out);

 private:
  int n_;
  double* r_;
  void* c_;
  void* fwd_;
  void* inv_;
};

/// Spectral derivatives on one periodic grid, reusing one FFT plan.
class SpectralDerivative {
 public:
  explicit SpectralDerivative(const Grid& g);
  /// out = d^order u / dx^order (order >= 0). Optionally truncates modes above `keep_modes` (<0: keep all).
  void apply(const double* u, double* out, int order, int keep_modes = -1);
  /// All derivatives of orders 0..max_order at once (one forward FFT): out[k] has nx entries.
  void jets(const double* u, int max_order, std::vector<rvec>& out, int keep_modes = -1);
  const Grid& grid() const { return g_; }

 private:
  Grid g_;
  Fft1d fft_;
  rvec k_;
  cvec uh_, work_;
};

}  // namespace pdesym::solvers
