#pragma once
// Internal pieces shared by the augment sources: spectral interpolation of periodic rows and fields, and the
// exact affine transformation (used by transform() and by Augmenter to compose affine generators).
#include <algorithm>
#include <cmath>
#include <complex>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "pdesym/augment/transform.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/solvers/box.hpp"
#include "pdesym/solvers/spectral.hpp"

namespace pdesym::augment::detail {

using solvers::cdouble;
using solvers::Fft1d;

constexpr double kTwoPi = 6.283185307179586476925286766559;

/// One FFT plan per grid size and thread.
Fft1d& fft_for(int nx);

/// v^p for small non-negative integer p.
double ipow(double v, int p);

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
void fourier_shift(const double* in, double* out, int nx, double L, double d);

// Fourier coefficients of all rows of a field, for interpolation at arbitrary (x, t).
class SpectralField {
 public:
  SpectralField(const Field& f, int stencil) : f_(f), nk_(f.nx() / 2 + 1), stencil_(std::max(2, stencil)) {
    C_.resize(static_cast<std::size_t>(f.nt()) * nk_);
    Fft1d& fft = fft_for(f.nx());
    for (int n = 0; n < f.nt(); ++n) fft.forward(f.row(n), C_.data() + static_cast<std::size_t>(n) * nk_);
    work_.resize(nk_);
  }
  // Coefficients of the row at time tau: a stored row when tau is a time level, otherwise Lagrange
  // interpolation over `stencil` neighbouring levels.
  const cdouble* at_time(double tau) {
    const double dt = f_.dt;
    const double p = f_.nt() > 1 ? (tau - f_.t[0]) / dt : 0.0;
    const double tol = 1e-9;
    PDESYM_CHECK(p > -tol && p < f_.nt() - 1 + tol,
                 "pre-image time " << tau << " lies outside the stored times [" << f_.t.front() << ", "
                                   << f_.t.back() << "]");
    const double pr = std::round(p);
    if (std::abs(p - pr) < tol) return C_.data() + static_cast<std::size_t>(pr) * nk_;
    const int S = std::min(stencil_, f_.nt());
    int start = static_cast<int>(std::floor(p)) - S / 2 + 1;
    start = std::clamp(start, 0, f_.nt() - S);
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


// ---- n-D pieces (1-D systems and 2-D fields; one [ny][nx] snapshot at a time) ----

/// One FFT plan per box shape and thread (1-D: ny = 1).
solvers::FftBox& fft_box_for(int nx, int ny, double Lx, double Ly);

/// out = u(x - dx_shift, y - dy_shift) of one periodic [ny][nx] snapshot (band-limited shift). A Nyquist mode
/// (even nx or ny) is read as cos(k_N (x - x0)), the real interpolant, so the shift multiplies it by cos(k_N d).
void fourier_shift_box(const Field& f, const double* in, double* out, double dx_shift, double dy_shift);

// Trigonometric interpolant of one [ny][nx] snapshot from its r2c spectrum [ny][nx/2+1] (Nyquist modes read as
// cosines, as in fourier_shift_box): value and gradient at any (x, y) (y ignored in 1-D). O(nx ny) per point.
class BoxInterpolant {
 public:
  BoxInterpolant(const cdouble* c, const Field& f);
  void eval(double x, double y, double& u, double& ux, double& uy) const;

 private:
  const cdouble* c_;
  int nx_, ny_, nkx_;
  double x0_, y0_, kx1_, ky1_;
  mutable std::vector<cdouble> ex_, dex_, ey_, dey_;
};

/// Time flow dt/ds = tau(t) of V over [0, eps]: exact for affine tau, RK4 with `nsteps` steps otherwise (NaN if
/// it blows up). V's tau must depend on t only.
double time_flow(const VectorField& V, double t, double eps, int nsteps);

/// Checks a field with the one validator and requires a 1-D scalar field (InputError naming `what` otherwise).
void require_transformable(const Field& f, const std::string& what);

/// exp(eps V) of an affine generator given as the 4x4 matrix M = exp(eps A) on (x, t, u, 1): exact.
Field transform_affine(const Field& in, const Eigen::Matrix4d& M);

/// exp(eps V) of affine fields on a 1-D system or a 2-D field, given M = exp(eps A) on (z, 1) (A: affine_generator();
/// a product of such matrices composes the maps): exact. M must have the gridded structure (x_i -> s_i x_i + b_i t
/// + c_i, s_i > 0; t -> M_tt t + M_t1; fields independent of space); Error otherwise.
Field transform_affine_nd(const Field& in, const Eigen::MatrixXd& M);

/// InputError unless the generator's variables have the data's (dim, nc); the message names both.
void require_matching_variables(const Field& f, const VectorField& V, const std::string& where);

/// exp(eps V) on a 1-D system or a 2-D field (transform_nd.cpp; transform() dispatches here). Refuses
/// NonPeriodic/Unsupported fields and any eps whose image is not periodic (periodic_image_problem).
Field transform_nd(const Field& in, const VectorField& V, double eps, const TransformOptions& opt);

/// The general periodicity criterion: the flow of points (x, t, u) and (x + L_i e_i, t, u) is integrated
/// (RK4, many steps) for sample points spanning the data; the image is periodic iff the two images differ by
/// exactly the new period e^{eps a_i} L_i along axis i and nowhere else. Returns "" or what differs.
std::string periodic_image_problem(const Field& in, const VectorField& V, double eps);

}  // namespace pdesym::augment::detail
