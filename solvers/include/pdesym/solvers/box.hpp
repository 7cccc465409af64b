#pragma once
// Periodic boxes in d = 1 or 2 space dimensions and their FFTW real transforms.
//
// Layout: physical arrays are [ny][nx] (x fastest; ny = 1 in 1-D); spectral arrays are the r2c half-spectrum
// [ny][nkx] with nkx = nx/2 + 1, mode (j, m) holding wavevector (ky_j, kx_m):
//   kx_m = 2 pi m / Lx (m = 0..nx/2),  ky_j = 2 pi j' / Ly with j' = j for j <= ny/2, j - ny otherwise.
// Nyquist convention (that of Grid, Kassam–Trefethen): the Nyquist wavenumber of each direction is set to 0,
// so odd derivatives of real fields stay real. Dealiasing (`Dealias`, the solver option `solver.dealias`):
//   "2/3"  (default) 2/3 rule in each direction: mode kept iff 3|m| <= nx and 3|j'| <= ny;
//   "none" every mode below Nyquist is kept (|m| < nx/2, |j'| < ny/2): products are aliased (LPSDA's choice);
//   "3/2"  the modes of "none", with products formed on a zero-padded grid of 3/2 the points per direction
//          (FftBox with padding): quadratic products are exact on the kept modes; cubic and higher ones are
//          aliased less than on the unpadded grid but not removed (a product of p factors needs
//          (p+1)/2 times the points, 2x for cubic terms).
// The Nyquist modes are dropped by "none" and "3/2" too: for a real field they are not a complex mode.
// Transforms: forward is unnormalised, inverse divides by nx*ny, so
// inverse(forward(u)) == u. Plans use FFTW_ESTIMATE (bit-reproducible); in 1-D they are the same 1-D plans as
// Fft1d, so 1-D results are bit-identical to Fft1d's.
#include <complex>
#include <cstddef>
#include <memory>
#include <string>
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
/// How the nonlinear terms are dealiased (see the header comment).
enum class Dealias { TwoThirds, None, ThreeHalves };
/// "2/3", "none", "3/2" (the config values).
const char* dealias_name(Dealias d);
/// Parses a config value; throws InputError naming `where` and the accepted values for anything else.
Dealias parse_dealias(const std::string& text, const std::string& where);
/// Physical grid size on which products are formed in one direction: 3/2 n rounded up to even for ThreeHalves,
/// n otherwise (n == 1, the y direction of a 1-D box, stays 1).
int padded_size(int n, Dealias d);

/// Dealiasing masks per direction (1 kept, 0 dropped), sizes nkx and ny.
rvec dealias_mask_x(const Box& b, Dealias d = Dealias::TwoThirds);
rvec dealias_mask_y(const Box& b, Dealias d = Dealias::TwoThirds);

/// Sets the modes of one spectrum u_hat [ny][nkx] that the mask of `d` drops to zero.
void project_dealiased(const Box& b, cdouble* u_hat, Dealias d = Dealias::TwoThirds);

/// Restores the symmetry of the spectrum of a real field in the columns kx = 0 and kx = Nyquist:
/// u_hat[ny - j] = conj(u_hat[j]) (their Hermitian mean) and real entries at j = 0 and j = ny/2 (1-D: real
/// entries at k = 0 and Nyquist). c2r reads only the Hermitian part of these columns, so an anti-Hermitian
/// part (round-off) would be invisible to N and could grow under a linear symbol with positive real part.
void symmetrise_real_spectrum(const Box& b, cdouble* u_hat);

/// FFTW planning rigour of the FftBoxes created from now on in this process (FFTW's wisdom is per process too).
/// Estimate (default): FFTW_ESTIMATE, plans fixed by the sizes alone, results bit-reproducible across runs, ranks
/// and machines. Measure: FFTW_MEASURE, plans chosen by timing them on this machine (a few ms per new size; FFTW
/// keeps the wisdom, so every later box of that size in the process uses the same plan); faster transforms
/// (256-point r2c + c2r pair 0.49 us against 0.79 us measured), results reproducible to round-off only: they may
/// differ between runs, ranks and machines in the last bits.
/// Measure keeps its wisdom across processes in a file (fftw_wisdom_path()): read before the process's first
/// FFTW_MEASURE plan (a missing file is silent; an unreadable or corrupt one is ignored with a warning on stderr),
/// written back atomically when planning added to it (a failed write is a warning). Once the file holds the plans
/// of a size, every process that reads it plans that size alike, so `generate` with any number of ranks gives the
/// same bits; while the file is missing or lacks the size, each process measures on its own (round-off only).
enum class FftPlanning { Estimate, Measure };
/// The wisdom file: $PDESYM_FFTW_WISDOM ("none": no file), else $XDG_CACHE_HOME/pdesym/fftw-wisdom, else
/// $HOME/.cache/pdesym/fftw-wisdom; empty when none applies.
std::string fftw_wisdom_path();
/// Imports the wisdom file now (FftBox does so before the process's first FFTW_MEASURE plan); false, with the
/// warning above, when it is missing, unreadable or corrupt.
bool import_fftw_wisdom_file();
void set_fft_planning(FftPlanning p);
FftPlanning fft_planning();
const char* fft_planning_name(FftPlanning p);  ///< "estimate", "measure"
/// Sets the planning rigour for its lifetime and restores the previous one.
class ScopedFftPlanning {
 public:
  explicit ScopedFftPlanning(FftPlanning p) : prev_(fft_planning()) { set_fft_planning(p); }
  ~ScopedFftPlanning() { set_fft_planning(prev_); }
  ScopedFftPlanning(const ScopedFftPlanning&) = delete;
  ScopedFftPlanning& operator=(const ScopedFftPlanning&) = delete;

 private:
  FftPlanning prev_;
};

/// FFTW r2c/c2r pair over one [ny][nx] array with its own aligned buffers (RAII). Safe to create from several
/// threads (planning is serialised). Plans with the rigour of fft_planning() at construction. With
/// Dealias::ThreeHalves the physical side is the zero-padded grid
/// [padded_size(ny)][padded_size(nx)] (points() values) while the spectral side stays the box's [ny][nkx]
/// (modes()): inverse pads (Nyquist row and column dropped), forward truncates to the box's modes below Nyquist
/// (Nyquist entries 0), and the normalisation is that of the box (forward gives nx ny times the Fourier
/// coefficients), so a PDE's nonlinear() runs unchanged on either grid.
class FftBox {
 public:
  explicit FftBox(const Box& b, Dealias d = Dealias::TwoThirds);
  ~FftBox();
  FftBox(const FftBox&) = delete;
  FftBox& operator=(const FftBox&) = delete;
  /// out [ny][nkx] = unnormalised DFT of in [ny][nx]. Arrays with FFTW's alignment (AlignedReal/Complex) are
  /// transformed directly, others through the internal buffers; the results are the same either way.
  void forward(const double* in, cdouble* out);
  /// forward() where only the columns a dealiased N keeps are wanted: out's columns m < low_columns() hold
  /// forward(in)'s values, the others exact zeros. In 2-D this skips the y-transforms of the columns above the
  /// cut (a third of them with the 2/3 rule: ~1/6 of the transform); in 1-D it is forward() and the zeroing.
  void forward_low(const double* in, cdouble* out);
  /// Spectral columns (x modes) that the dealias rule keeps: kx index m < low_columns() (all nkx when none
  /// are dropped).
  int low_columns() const { return low_; }
  /// out [ny][nx] = inverse DFT of in [ny][nkx], divided by nx*ny (in is not modified).
  ///
  /// Every inverse (also the unscaled ones below) checks whether in's columns m >= low_columns() are all exactly
  /// zero (a dealiased spectrum); in 2-D it then skips their y-transforms. FFTW's 2-D plans run the same 1-D
  /// transforms in the same order, so with FFTW_ESTIMATE plans the result is bit-identical to the full
  /// transform (tests/solvers/test_dealias.cpp: 5 shapes from 30 x 72 to 128^2 under both unpadded rules;
  /// FFTW_MEASURE may choose other algorithms for either).
  void inverse(const cdouble* in, double* out);
  /// out = inverse DFT of in, NOT divided: the caller applies 1 / points() in its own pass (in is not modified).
  void inverse_unscaled(const cdouble* in, double* out);
  /// inverse_unscaled for an input the caller no longer needs: `in` may be overwritten (FFTW's c2r then runs on
  /// it directly, without the copy that keeps it). Results are bit-identical to inverse_unscaled.
  void inverse_unscaled_destroy(cdouble* in, double* out);
  /// Whether the physical side is the zero-padded grid (Dealias::ThreeHalves).
  bool padded() const { return padded_; }
  std::size_t points() const { return n_; }
  std::size_t modes() const { return nk_; }
  /// Heap memory of the transform buffers (FFTW's plans not counted).
  std::size_t bytes() const;

 private:
  void pad(const cdouble* in, double scale);  ///< c_ = zero-padded in * scale (ThreeHalves)
  void execute_inverse(double* out);  ///< out = unscaled c2r of c_ (c_ destroyed)
  /// out = unscaled c2r of `spec` ([pny][pnx/2+1], FFTW-aligned like c_, destroyed), pruned when its high
  /// columns are zero.
  void c2r_destroy(cdouble* spec, double* out);
  /// Whether spec's columns m >= low_ (of pnx/2+1) are all exactly zero, so that the pruned plans apply.
  bool high_columns_zero(const cdouble* spec) const;
  /// spec = r2c of `in` ([pny][pnx], aligned like r_) on the columns m < low_ (the others hold the x transform
  /// only): the pruned forward plans.
  void r2c_low(const double* in, cdouble* spec);
  Box box_;
  bool padded_;
  int pnx_, pny_;  ///< physical grid (padded for ThreeHalves)
  std::size_t n_, nk_, pnk_;  ///< physical values, the box's modes, modes of the physical grid
  double* r_;
  void* c_;
  void* fwd_;
  void* inv_;
  /// 2-D only: the full transforms split into their 1-D passes, with the y passes on the low_ columns that
  /// can be nonzero (null where nothing would be pruned): r2c / c2r along x on every row, c2c along y.
  int low_;
  void* x_fwd_ = nullptr;
  void* x_inv_ = nullptr;
  void* y_fwd_ = nullptr;
  void* y_inv_ = nullptr;
};

/// A contiguous run [begin, end) of spectral indices.
struct ModeRun {
  std::size_t begin, end;
};

/// Everything a PDE needs to evaluate its nonlinear part on one box: the FFT, per-mode wavevectors and the
/// dealiasing mask (each of size nk = box.modes(), in spectral layout), and scratch buffers. Owned by the
/// stepper; one per thread. Physical buffers have n = fft.points() values: the box's points, or the padded grid's
/// for Dealias::ThreeHalves (nonlinear() loops over n, not over box.points()).
struct SpectralWorkspace {
  explicit SpectralWorkspace(const Box& b, Dealias d = Dealias::TwoThirds);
  explicit SpectralWorkspace(const Grid& g) : SpectralWorkspace(Box::of(g)) {}
  Box box;
  Dealias dealias;
  FftBox fft;
  int nk = 0;    ///< spectral values per component
  int n = 0;     ///< physical values per component (on the padded grid for ThreeHalves)
  rvec kx, ky;   ///< per mode (Nyquist 0)
  rvec mask;     ///< per mode: the mask of `dealias` in x times that in y (each value 0.0 or 1.0)
  /// The runs of modes where mask != 0 (kept) and where it is 0 (dropped), in index order. A PDE's N is zero on the
  /// dropped ones (FieldPde), so its passes and the stepper's stages run over the kept ones.
  std::vector<ModeRun> kept, dropped;
  /// The dropped runs within the columns below fft.low_columns(): what is left to zero after forward_low(), which
  /// zeroes the columns from there on (all of them dropped).
  std::vector<ModeRun> dropped_low;
  AlignedReal u, up;  ///< physical scratch (n each)
  AlignedComplex tmp;  ///< spectral scratch (nk)
  /// Further scratch, grown on first use: physical buffer i (n values), spectral buffer i (nk values).
  double* real(int i);
  cdouble* spectral(int i);
  /// Heap memory of the workspace's buffers and transform (approximate: FFTW's plans not counted).
  std::size_t bytes() const;

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
