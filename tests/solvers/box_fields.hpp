#pragma once
// Helpers of the n-D solver tests: functions sampled on a Box, and the relative error of a stored level.
#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

#include "pdesym/common/field.hpp"
#include "pdesym/solvers/box.hpp"

namespace pdesym_test {

using Fn = std::function<double(double x, double y)>;

/// [nc][ny][nx] from one function per component.
inline std::vector<double> sample(const pdesym::solvers::Box& b, const std::vector<Fn>& fs) {
  const pdesym::solvers::rvec x = b.x(), y = b.y();
  std::vector<double> u;
  for (const auto& f : fs)
    for (int j = 0; j < b.ny; ++j)
      for (int i = 0; i < b.nx; ++i) u.push_back(f(x[i], y[j]));
  return u;
}

/// max |a - b| / max |b| over all components of level n of `a` against the state `b` ([nc][ny][nx]).
inline double rel_err(const pdesym::Field& a, int n, const std::vector<double>& b) {
  double num = 0, den = 0;
  const std::size_t np = a.shape.points();
  for (int c = 0; c < a.nc(); ++c)
    for (std::size_t j = 0; j < np; ++j) {
      num = std::max(num, std::abs(a.snapshot(c, n)[j] - b[c * np + j]));
      den = std::max(den, std::abs(b[c * np + j]));
    }
  return num / den;
}

}  // namespace pdesym_test
