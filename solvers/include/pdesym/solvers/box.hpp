#pragma once
// Periodic boxes in d = 1 or 2 space dimensions and their FFTW real transforms.
//
// Layout: physical arrays are [ny][nx] (x fastest; ny = 1 in 1-D); spectral arrays are the r2c half-spectrum
// [ny][nkx] with nkx = nx/2 + 1, mode (j, m) holding wavevector (ky_j, kx_m):
//   kx_m = 2 pi m / Lx (m = 0..nx/2),  ky_j = 2 pi j' / Ly with j' = j for j <= ny/2, j - ny otherwise.
// Nyquist convention (that of Grid, Kassam–Trefethen): the Nyquist wavenumber of each direction is set to 0,
// so odd derivatives of real fields stay real. Dealiasing: 2/3 rule in each direction, mode kept iff
// 3|m| <= nx and 3|j'| <= ny. Transforms: forward is unnormalised, inverse divides by nx*ny, so
// inverse(forward(u)) == u. Plans use FFTW_ESTIMATE (bit-reproducible); in 1-D they are the same 1-D plans as
// Fft1d, so 1-D results are bit-identical to Fft1d's.
#include <complex>
#include <cstddef>
#include <memory>
#include <vector>

#include "pdesym/solvers/spectral.hpp"

namespace pdesym::solvers {

/// A periodic box: x in [0, Lx) with nx points and, for dim == 2, y in [0, Ly) with ny points.
/// 1-D: dim = 1, ny = 1, Ly = 0.
struct Box {
  int dim = 1;
  int nx = 0, ny = 1;
  double Lx = 0.0, Ly = 0.0;

  static Box line(int nx, double Lx) { return Box{1, nx, 1, Lx, 0.0}; }
  static Box plane(int nx, int ny, double Lx, double Ly) { return Box{2, nx, ny, Lx, Ly}; }
  static Box of(const Grid& g) { return line(g.nx, g.L); }
  /// Throws InputError unless dim is 1 or 2, nx (and in 2-D ny) even and >= 4, Lx (and Ly) positive and finite,
  /// ny == 1 in 1-D.
  void validate() const;
  int nkx() const { return nx / 2 + 1; }
  std::size_t points() const { return static_cast<std::size_t>(nx) * ny; }           ///< physical values
  std::size_t modes() const { return static_cast<std::size_t>(nkx()) * ny; }         ///< spectral values
  double dx() const { return Lx / nx; }
  double dy() const { return dim == 2 ? Ly / ny : 0.0; }
  rvec x() const;  ///< x_i = i Lx / nx (the formula of Grid::x)
  rvec y() const;  ///< y_j = j Ly / ny; {0} in 1-D
};

/// Allocator with FFTW's SIMD alignment (fftw_malloc), so that FftBox can transform these buffers in place of its
/// own (no copies).
template <class T>
struct FftwAllocator {
  using value_type = T;
  FftwAllocator() = default;
  template <class U>
  FftwAllocator(const FftwAllocator<U>&) {}
  T* allocate(std::size_t n);
  void deallocate(T* p, std::size_t) noexcept;
  template <class U>
  bool operator==(const FftwAllocator<U>&) const { return true; }
  template <class U>
  bool operator!=(const FftwAllocator<U>&) const { return false; }
};
using AlignedReal = std::vector<double, FftwAllocator<double>>;
using AlignedComplex = std::vector<cdouble, FftwAllocator<cdouble>>;
void* fftw_aligned_alloc(std::size_t bytes);
void fftw_aligned_free(void* p) noexcept;
template <class T>
T* FftwAllocator<T>::allocate(std::size_t n) {
  return static_cast<T*>(fftw_aligned_alloc(n * sizeof(T)));
}
template <class T>
void FftwAllocator<T>::deallocate(T* p, std::size_t) noexcept {
  fftw_aligned_free(p);
}

/// Wavenumbers kx_m (size nkx) and ky_j (size ny; {0} in 1-D), Nyquist entries 0.
rvec wavenumbers_x(const Box& b);
rvec wavenumbers_y(const Box& b);
/// 2/3-rule masks per direction (1 kept, 0 dropped), sizes nkx and ny.
rvec dealias_mask_x(const Box& b);
rvec dealias_mask_y(const Box& b);

/// Sets the modes of one spectrum u_hat [ny][nkx] that the 2/3 rule drops to zero.
void project_dealiased(const Box& b, cdouble* u_hat);

/// Restores the symmetry of the spectrum of a real field in the columns kx = 0 and kx = Nyquist:
/// u_hat[ny - j] = conj(u_hat[j]) (their Hermitian mean) and real entries at j = 0 and j = ny/2 (1-D: real
/// entries at k = 0 and Nyquist). c2r reads only the Hermitian part of these columns, so an anti-Hermitian
/// part (round-off) would be invisible to N and could grow under a linear symbol with positive real part.
void symmetrise_real_spectrum(const Box& b, cdouble* u_hat);

/// FFTW r2c/c2r pair over one [ny][nx] array with its own aligned buffers (RAII). Safe to create from several
/// threads (planning is serialised).
class FftBox {
 public:
  explicit FftBox(const Box& b);
  ~FftBox();
  FftBox(const FftBox&) = delete;
  FftBox& operator=(const FftBox&) = delete;
  /// out [ny][nkx] = unnormalised DFT of in [ny][nx]. Arrays with FFTW's alignment (AlignedReal/Complex) are
  /// transformed directly, others through the internal buffers; the results are the same either way.
  void forward(const double* in, cdouble* out);
  /// out [ny][nx] = inverse DFT of in [ny][nkx], divided by nx*ny (in is not modified).
  void inverse(const cdouble* in, double* out);
  /// out = inverse DFT of in, NOT divided: the caller applies 1 / (nx ny) in its own pass (in is not modified).
  void inverse_unscaled(const cdouble* in, double* out);
  std::size_t points() const { return n_; }
  std::size_t modes() const { return nk_; }

 private:
  std::size_t n_, nk_;
  double* r_;
  void* c_;
  void* fwd_;
  void* inv_;
};

/// Everything a PDE needs to evaluate its nonlinear part on one box: the FFT, per-mode wavevectors and the
/// dealiasing mask (each of size nk = box.modes(), in spectral layout), and scratch buffers. Owned by the
/// stepper; one per thread.
struct SpectralWorkspace {
  explicit SpectralWorkspace(const Box& b);
  explicit SpectralWorkspace(const Grid& g) : SpectralWorkspace(Box::of(g)) {}
  Box box;
  FftBox fft;
  int nk = 0;    ///< spectral values per component
  int n = 0;     ///< physical values per component
  rvec kx, ky;   ///< per mode (Nyquist 0)
  rvec mask;     ///< per mode: 2/3 rule in x times 2/3 rule in y
  AlignedReal u, up;  ///< physical scratch (n each)
  AlignedComplex tmp;  ///< spectral scratch (nk)
  /// Further scratch, grown on first use: physical buffer i (n values), spectral buffer i (nk values).
  double* real(int i);
  cdouble* spectral(int i);

 private:
  std::vector<AlignedReal> real_;
  std::vector<AlignedComplex> spectral_;
};

/// Spectral derivatives d_x^ox d_y^oy on one box (any orders >= 0, mixed too), reusing one FFT plan.
/// Nyquist wavenumbers are 0 (Box convention), so any derivative of order >= 1 in a direction drops that
/// direction's Nyquist mode.
class BoxDerivative {
 public:
  explicit BoxDerivative(const Box& b);
  /// out [ny][nx] = d_x^ox d_y^oy u.
  void apply(const double* u, double* out, int ox, int oy);
  /// Several derivatives of one field with one forward FFT: out[i] = d_x^orders[i].first d_y^orders[i].second u.
  void apply_many(const double* u, const std::vector<std::pair<int, int>>& orders, std::vector<rvec>& out);
  const Box& box() const { return ws_.box; }

 private:
  void multiply(int ox, int oy, cvec& out) const;
  SpectralWorkspace ws_;
  cvec uh_, work_;
};

/// (i kx)^ox (i ky)^oy as a complex number (exact powers of i; 1 for ox = oy = 0).
cdouble derivative_symbol(double kx, double ky, int ox, int oy);

}  // namespace pdesym::solvers
