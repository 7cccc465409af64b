#pragma once
// Random initial conditions (science.md): u0 = sum_{k=1..K} A_k sin(2 pi l_k x / L + phi_k),
// A_k ~ U[-a, a), l_k uniform in {l_min..l_max}, phi_k ~ U[0, 2 pi).
// With exp_scale = c > 0 the sample is LPSDA's positive heat initial condition (its `inv_cole_hopf`):
// psi0 = exp(c (2 (u0 - min u0) / (max u0 - min u0) - 1)), i.e. log psi0 spans [-c, c] exactly.
#include "pdesym/common/config.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/solvers/spectral.hpp"

namespace pdesym::solvers {

struct SineSumIc {
  int terms = 10;
  double amplitude = 0.5;
  int l_min = 1, l_max = 2;
  double exp_scale = 0.0;  ///< 0: the sine sum itself; > 0: exp of the sum normalised to [-exp_scale, exp_scale]
  static SineSumIc from_config(const Config& c);  ///< keys: terms, amplitude, l_min, l_max, exp_scale
  rvec sample(const Grid& g, Rng& rng) const;
};

}  // namespace pdesym::solvers
