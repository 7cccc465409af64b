#include "pdesym/solvers/initial.hpp"

#include <algorithm>
#include <cmath>

namespace pdesym::solvers {

SineSumIc SineSumIc::from_config(const Config& c) {
  SineSumIc ic;
  if (c.is_null()) return ic;
  c.require_only({"type", "terms", "amplitude", "l_min", "l_max", "exp_scale"});
  PDESYM_REQUIRE(c.get_or<std::string>("type", "sine_sum") == "sine_sum",
                 c.where() << ": only type 'sine_sum' is supported");
  ic.terms = c.get_or<int>("terms", ic.terms);
  ic.amplitude = c.get_or<double>("amplitude", ic.amplitude);
  ic.l_min = c.get_or<int>("l_min", ic.l_min);
  ic.l_max = c.get_or<int>("l_max", ic.l_max);
  ic.exp_scale = c.get_or<double>("exp_scale", ic.exp_scale);
  PDESYM_REQUIRE(ic.terms >= 1, c.where() << ": terms must be >= 1");
  PDESYM_REQUIRE(ic.amplitude >= 0, c.where() << ": amplitude must be >= 0");
  PDESYM_REQUIRE(1 <= ic.l_min && ic.l_min <= ic.l_max, c.where() << ": need 1 <= l_min <= l_max");
  PDESYM_REQUIRE(ic.exp_scale >= 0 && ic.exp_scale <= 300,
                 c.where() << ".exp_scale: must be in [0, 300] (log psi0 spans [-exp_scale, exp_scale]), got "
                           << ic.exp_scale);
  PDESYM_REQUIRE(ic.exp_scale == 0 || ic.amplitude > 0,
                 c.where() << ".exp_scale: needs amplitude > 0 (a constant sine sum cannot be normalised)");
  return ic;
}

rvec SineSumIc::sample(const Grid& g, Rng& rng) const {
  rvec u(g.nx, 0.0);
  const rvec x = g.x();
  for (int k = 0; k < terms; ++k) {
    const double A = rng.uniform(-amplitude, amplitude);
    const long l = rng.uniform_int(l_min, l_max);
    const double phi = rng.uniform(0.0, 2.0 * M_PI);
    for (int j = 0; j < g.nx; ++j) u[j] += A * std::sin(2.0 * M_PI * l * x[j] / g.L + phi);
  }
  if (exp_scale > 0) {
    const auto [lo, hi] = std::minmax_element(u.begin(), u.end());
    const double u_min = *lo, range = *hi - *lo;
    // A draw whose sum is constant on the grid (all amplitudes 0) has nothing to normalise: psi0 = 1.
    for (double& v : u) v = range > 0 ? std::exp(exp_scale * (2.0 * (v - u_min) / range - 1.0)) : 1.0;
  }
  return u;
}

}  // namespace pdesym::solvers
