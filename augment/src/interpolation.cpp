// Spectral interpolation helpers of the augment sources (internal.hpp).
#include <cmath>
#include <map>
#include <memory>

#include "internal.hpp"

namespace pdesym::augment::detail {

// One FFT plan per grid size (plans are not thread-safe to create; the augmenter runs on one thread).
Fft1d& fft_for(int nx) {
  thread_local std::map<int, std::unique_ptr<Fft1d>> cache;
  auto& p = cache[nx];
  if (!p) p = std::make_unique<Fft1d>(nx);
  return *p;
}

double ipow(double v, int p) {
  double r = 1.0;
  for (int i = 0; i < p; ++i) r *= v;
  return r;
}

// out_j = u(x_j - d) for a periodic row on a grid of period L (band-limited shift).
// out_j = u(x_j - d) for a periodic row on a grid of period L (band-limited shift).
void fourier_shift(const double* in, double* out, int nx, double L, double d) {
  if (d == 0.0) {
    std::copy(in, in + nx, out);
    return;
  }
  Fft1d& fft = fft_for(nx);
  std::vector<cdouble> c(nx / 2 + 1);
  fft.forward(in, c.data());
  const double k1 = kTwoPi / L;
  const int nk = nx / 2 + 1;
  for (int m = 1; m < nk; ++m) {
    if (nx % 2 == 0 && m == nx / 2) {
      c[m] = cdouble(c[m].real() * std::cos(m * k1 * d), 0.0);
    } else {
      const double a = -m * k1 * d;
      c[m] *= cdouble(std::cos(a), std::sin(a));
    }
  }
  fft.inverse(c.data(), out);
}

}  // namespace pdesym::augment::detail

namespace pdesym::augment::detail {

solvers::FftBox& fft_box_for(int nx, int ny, double Lx, double Ly) {
  thread_local std::map<std::pair<int, int>, std::unique_ptr<solvers::FftBox>> cache;
  auto& p = cache[{nx, ny}];
  if (!p) p = std::make_unique<solvers::FftBox>(ny == 1 ? solvers::Box::line(nx, Lx) : solvers::Box::plane(nx, ny, Lx, Ly));
  return *p;
}

namespace {
// Factor of a band-limited shift by d for the mode with index m of an axis of n points (m in the r2c/full
// index convention: m <= n/2 positive, beyond that negative), k1 = 2 pi / L.
cdouble shift_factor(int m, int n, double k1, double d) {
  if (n % 2 == 0 && m == n / 2) return cdouble(std::cos(m * k1 * d), 0.0);
  const int mm = m <= n / 2 ? m : m - n;
  const double a = -mm * k1 * d;
  return cdouble(std::cos(a), std::sin(a));
}
}  // namespace

void fourier_shift_box(const Field& f, const double* in, double* out, double dx_shift, double dy_shift) {
  const int nx = f.nx(), ny = f.ny(), nkx = nx / 2 + 1;
  if (dx_shift == 0.0 && dy_shift == 0.0) {
    std::copy(in, in + f.shape.points(), out);
    return;
  }
  solvers::FftBox& fft = fft_box_for(nx, ny, f.Lx(), f.Ly());
  std::vector<cdouble> c(static_cast<std::size_t>(ny) * nkx);
  fft.forward(in, c.data());
  const double kx1 = kTwoPi / f.Lx(), ky1 = ny > 1 ? kTwoPi / f.Ly() : 0.0;
  std::vector<cdouble> fx(nkx);
  for (int m = 0; m < nkx; ++m) fx[m] = shift_factor(m, nx, kx1, dx_shift);
  for (int j = 0; j < ny; ++j) {
    const cdouble fy = ny > 1 ? shift_factor(j, ny, ky1, dy_shift) : cdouble(1.0);
    for (int m = 0; m < nkx; ++m) c[static_cast<std::size_t>(j) * nkx + m] *= fx[m] * fy;
  }
  fft.inverse(c.data(), out);
}

BoxInterpolant::BoxInterpolant(const cdouble* c, const Field& f)
    : c_(c), nx_(f.nx()), ny_(f.ny()), nkx_(f.nx() / 2 + 1), x0_(f.x[0]), y0_(f.y[0]),
      kx1_(kTwoPi / f.Lx()), ky1_(f.ny() > 1 ? kTwoPi / f.Ly() : 0.0),
      ex_(nkx_), dex_(nkx_), ey_(ny_), dey_(ny_) {}

void BoxInterpolant::eval(double x, double y, double& u, double& ux, double& uy) const {
  // Per-axis mode functions and their derivatives; Nyquist modes as cos(k_N s) (derivative -k_N sin(k_N s)).
  auto axis = [](int n, int count, double k1, double s, std::vector<cdouble>& e, std::vector<cdouble>& de) {
    for (int m = 0; m < count; ++m) {
      const int mm = m <= n / 2 ? m : m - n;
      const double k = mm * k1, a = k * s;
      if (n % 2 == 0 && m == n / 2) {
        e[m] = cdouble(std::cos(a), 0.0);
        de[m] = cdouble(-k * std::sin(a), 0.0);
      } else {
        e[m] = cdouble(std::cos(a), std::sin(a));
        de[m] = cdouble(0.0, k) * e[m];
      }
    }
  };
  axis(nx_, nkx_, kx1_, x - x0_, ex_, dex_);
  if (ny_ > 1) {
    axis(ny_, ny_, ky1_, y - y0_, ey_, dey_);
  } else {
    ey_[0] = 1.0;
    dey_[0] = 0.0;
  }
  double s = 0, sx = 0, sy = 0;
  for (int j = 0; j < ny_; ++j) {
    const cdouble* row = c_ + static_cast<std::size_t>(j) * nkx_;
    cdouble a(0), ax(0);
    for (int m = 0; m < nkx_; ++m) {
      const double w = (m == 0 || (nx_ % 2 == 0 && m == nx_ / 2)) ? 1.0 : 2.0;
      a += w * row[m] * ex_[m];
      ax += w * row[m] * dex_[m];
    }
    s += (a * ey_[j]).real();
    sx += (ax * ey_[j]).real();
    sy += (a * dey_[j]).real();
  }
  const double N = static_cast<double>(nx_) * ny_;
  u = s / N;
  ux = sx / N;
  uy = sy / N;
}

}  // namespace pdesym::augment::detail
