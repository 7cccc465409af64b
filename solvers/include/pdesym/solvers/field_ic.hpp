#pragma once
// Random initial conditions for any FieldPde on a Box, drawn from a counter-based pdesym::Rng stream.
//
// Config (`initial_condition:` of a generation config; unknown keys rejected):
//   type: sine_sum          # 1-D scalar equations only; the default for them. Keys and draws of SineSumIc
//                           # (initial.hpp): terms, amplitude, l_min, l_max (bit-identical samples).
//   type: random_modes      # the default for field equations. Per component c (in order):
//                           #   u_c = s_c sum_m xi_m cos(2 pi (mx x / Lx + my y / Ly) + phi_m)
//                           # over the integer modes m = (mx, my) of one half-plane (mx > 0, or mx = 0 and
//                           # my > 0; 1-D: my = 0) with k_min <= |m| <= k_max (|m| = sqrt(mx^2 + my^2)),
//                           # xi_m ~ N(0, 1), phi_m ~ U[0, 2 pi), drawn mode by mode (mx ascending, then my);
//                           # s_c scales the root-mean-square of u_c to `amplitude`. A band-limited spectrum:
//                           # for Navier–Stokes this is the random vorticity.
//     amplitude: 1.0        # rms of each random component (> 0)
//     k_min: 1              # >= 1
//     k_max: 4              # >= k_min, each |mx| < nx/2 and |my| < ny/2 (below Nyquist)
//     zero_components: []   # component names started at zero (their draws are still made, so listing a
//                           # component does not change the others); default [u_t] for the wave equation
#include <string>
#include <vector>

#include "pdesym/common/config.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/solvers/field_pde.hpp"
#include "pdesym/solvers/initial.hpp"

namespace pdesym::solvers {

class FieldIc {
 public:
  enum class Type { sine_sum, random_modes };
  /// Parses `ic_node` (may be null: defaults) for `pde` on `box` (InputError naming file and key).
  static FieldIc from_config(const Config& ic_node, const FieldPde& pde, const Box& box);
  /// Initial state [nc][ny][nx] on `box` (which may differ from the parsing box in Lx, Ly: jitter).
  std::vector<double> sample(const Box& box, Rng& rng) const;

  Type type = Type::random_modes;
  SineSumIc sine;            ///< type sine_sum
  double amplitude = 1.0;    ///< type random_modes
  int k_min = 1, k_max = 4;
  std::vector<bool> zero;    ///< per component: start at zero
  int nc = 1;
};

}  // namespace pdesym::solvers
