#pragma once
// Pictures of discovered vector fields V = xi d_x + tau d_t + phi d_u: one row per generator, labelled with
// label(), with two arrow panels: (xi, tau) in the (x, t) plane at u = u_mid, and (xi, phi) in the (x, u)
// plane at t = t_mid. Arrows are drawn in the panel's axes (each component divided by its axis range), scaled so
// that the longest arrow of a panel spans about one grid cell, and coloured by relative length (viridis).
#include <array>
#include <string>

#include "pdesym/datasets/dataset.hpp"
#include "pdesym/symmetry/basis.hpp"

namespace pdesym::symmetry {

struct PlotDomain {
  std::array<double, 2> x{0.0, 1.0}, t{0.0, 1.0}, u{-1.0, 1.0};
  /// Ranges of a split: x over [0, max L), t over the stored times, u over the stored values.
  static PlotDomain of(const datasets::Split& data);
  /// From sym.json's extra.domain if present, else the defaults above.
  static PlotDomain from_extra(const nlohmann::json& extra);
  nlohmann::json to_json() const;
};

/// Draws the generators of `r` (see above) and writes a PNG atomically. InputError if there is nothing to draw.
void plot_generators(const std::string& path, const SymmetryResult& r, const PlotDomain& dom);

}  // namespace pdesym::symmetry
