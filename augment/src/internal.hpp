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


/// Checks a field with the one validator and requires a 1-D scalar field (InputError naming `what` otherwise).
void require_transformable(const Field& f, const std::string& what);

/// exp(eps V) of an affine generator given as the 4x4 matrix M = exp(eps A) on (x, t, u, 1): exact.
Field transform_affine(const Field& in, const Eigen::Matrix4d& M);

}  // namespace pdesym::augment::detail
