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
