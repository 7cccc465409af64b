#pragma once
// Discrete symmetries of a periodic box: the rotations by multiples of 90 degrees and the reflections of the
// square lattice (the dihedral group D4, 8 elements) acting on 2-D fields, and the reflection x -> -x acting on
// 1-D fields. These are exact on the grid (index permutations; no interpolation) and need no Lie algebra.
//
// An element g = R^k P^r (P: reflection y -> -y, i.e. (x, y) -> (x, -y); R: rotation by 90 degrees
// counter-clockwise, (x, y) -> (-y, x)) acts on a field by (g u)(x) = s(g) u(g^-1 x), rotating about the
// first grid point (x[0], y[0]) (any other centre differs by a translation). s(g) = +1 for scalar components
// and det(g) = (-1)^r for pseudo-scalar ones (the vorticity of a 2-D flow changes sign under reflections).
// Rotations need a square grid (nx == ny, dx == dy); reflections do not.
#include <string>
#include <vector>

#include "pdesym/common/field.hpp"

namespace pdesym::augment {

/// How a component transforms under reflections.
enum class Parity { Scalar, Pseudoscalar };

/// One element R^rotations P^reflect of D4 (1-D: only `reflect`, the reflection x -> -x).
struct BoxSymmetry {
  int rotations = 0;     ///< quarter turns counter-clockwise, taken mod 4
  bool reflect = false;  ///< reflection applied first
  /// "identity", "rot90", "rot180", "rot270", "reflect", "rot90*reflect", ...
  std::string label() const;
  /// All 8 elements of D4 (2-D) or the 2 elements {identity, reflect} (1-D).
  static std::vector<BoxSymmetry> group(int dim);
};

/// g applied to every time level of `f`. `parity` has one entry per component (empty: all scalar).
/// Throws InputError if `f` is invalid, `parity` has the wrong size, or a rotation is asked of a
/// non-square grid (naming the grid).
Field apply(const Field& f, const BoxSymmetry& g, const std::vector<Parity>& parity = {});

/// Parses "scalar" / "pseudoscalar" per component, comma separated (InputError naming the bad word).
std::vector<Parity> parse_parities(const std::string& text);

}  // namespace pdesym::augment
