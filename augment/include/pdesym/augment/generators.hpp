#pragma once
// Sets of generators with parameter ranges, the random Augmenter, and dataset-level augmentation.
#include <cstdint>
#include <string>
#include <vector>

#include "pdesym/augment/discrete.hpp"
#include "pdesym/augment/transform.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/datasets/dataset.hpp"

namespace pdesym::augment {

/// One entry of a generator set: a continuous generator with the range of its group parameter
/// (eps ~ U[-eps_max, eps_max]), or a discrete subgroup of the box symmetries (discrete.hpp).
///  * Pure translations (d_x, d_y) with full_period: eps is drawn as a shift uniform over one period.
///  * LinearPhase generators (boosts of complex fields): eps is drawn uniformly from the representable values
///    k q, |k q| <= eps_max (q = VectorField::phase_quantum of the data), and from {-q, 0, q} when eps_max < q;
///    Augmenter::apply rounds a given eps to the nearest multiple of q (0 when none is representable).
///  * Discrete entries ("d4", "rot90"): `elements` is the subgroup; the element is drawn uniformly and "eps" is
///    its index in `elements` (0 = identity); `parity` gives each component's parity (empty: all scalar).
struct Generator {
  VectorField field;
  double eps_max = 0.1;
  bool full_period = false;
  std::vector<BoxSymmetry> elements;
  std::vector<Parity> parity;
  bool is_discrete() const { return !elements.empty(); }
  std::string label() const;  ///< the field's label, or "d4" / "rot90" (with parities)
};

struct AugmentOptions {
  /// Variables of "gen:" specs (known:<equation> and sym.json files carry their own): (x, t, u) by default,
  /// symmetry::Variables::of(2, 2) for 2-D complex fields, ...
  symmetry::Variables variables;
  double eps = 0.1;                  ///< default eps_max of every generator
  bool full_period_translations = true;  ///< pure d_x generators shift by U[0, L) instead of U[-eps, eps]
  /// Generators of sym.json files are first brought to reduced row echelon form (sparse, canonical combinations
  /// such as d_x, d_t, t d_x + d_u instead of rotated mixtures) and coefficients below this relative size are
  /// dropped. <0 disables both.
  double canonical_tol = 1e-3;
  /// Generators that cannot act on periodic data (NonPeriodic/Unsupported) are dropped with a note in
  /// GeneratorSet::notes instead of failing.
  bool skip_incompatible = true;
  /// Generators that rescale x, y or t (a scaling such as x d_x + 3t d_t - 2u d_u) are dropped with a note: their
  /// images carry grid spacings (dx, dt) that data stored on one fixed grid never show the model, which takes
  /// them as inputs (on such data they made the N >= 32 surrogates worse, bench/RESULTS-surrogates.md).
  bool keep_grid = false;
  TransformOptions transform;
};

/// The spacings a continuous generator's flow rescales: "dx", "dy", "dt" joined by ", " ("" for none, and for
/// discrete elements).
std::string rescaled_spacings(const VectorField& v);

/// The generators the augmenter applies, with where they came from.
struct GeneratorSet {
  std::string source;                   ///< "none", "known:kdv", a sym.json path, ...
  symmetry::Variables variables;        ///< the data the generators act on must have this (dim, nc)
  std::vector<Generator> generators;
  std::vector<std::string> notes;       ///< dropped generators and why
  /// The dropped NonPeriodic/Unsupported fields themselves (a continuous rotation still has exact quarter turns).
  std::vector<VectorField> skipped;
  bool empty() const { return generators.empty(); }
  std::string describe() const;         ///< one line per generator (label, class, eps range)
};

/// Reduced row echelon form of the generator columns over the basis order (pivots on the earliest basis
/// element), scaled so each pivot is 1; entries below `tol` relative to the column maximum set to zero.
Eigen::MatrixXd canonical_generators(const Eigen::MatrixXd& G, double tol);

/// Builds the generator set of a specification:
///   "none"                   no augmentation
///   "known:<equation>"       symmetry::known_algebra(<equation>) (kdv, burgers, ks, mkdv, nls, heat2d, nls2d,
///                            lambda-omega, wave2d) over a degree-2 basis on its variables, and the augment-local
///                            "known:navier_stokes" (2-D vorticity: d_t, d_x, d_y and d4 with a pseudo-scalar)
///   "<path>.json"            the generators of a sym.json file (symmetry::read_sym_json), over its basis
///   "gen:<V1>;<V2>;..."      generators written like labels over opt.variables ("gen:d_x;t*d_x + d_u"); the
///                            entries "d4" and "rot90" (optionally "d4(pseudoscalar)", one parity per component,
///                            comma separated) add the discrete box symmetries
/// Generators the periodic box cannot represent (NonPeriodic/Unsupported: Burgers' projective field, continuous
/// rotations, the heat field t d_x - x u d_u, ...) are skipped with a note (or refused, !skip_incompatible).
/// Throws InputError for an unknown name, a missing/malformed file, or when no generator can be used.
GeneratorSet load_generators(const std::string& spec, const AugmentOptions& opt = {});
/// The same for data of shape `data`: "gen:" specs are read over Variables::of(data.dim, data.nc) (field names
/// u, v, ...), and a known algebra or sym.json over other variables is refused with an InputError naming both.
GeneratorSet load_generators(const std::string& spec, const FieldShape& data, AugmentOptions opt = {});

/// Applies every generator of the set in order, each with its own random eps, to one trajectory.
/// `eps_out` (optional) receives the eps drawn for each generator. Data whose (dim, nc) differ from the set's
/// variables are refused with an InputError naming both.
class Augmenter {
 public:
  Augmenter() = default;
  explicit Augmenter(GeneratorSet set, TransformOptions topt = {});
  const GeneratorSet& generators() const { return set_; }
  bool active() const { return !set_.empty(); }
  /// Random transformation of `in`; all randomness comes from `rng`.
  Field operator()(const Field& in, Rng& rng, std::vector<double>* eps_out = nullptr) const;
  /// Deterministic: applies generator k with eps[k] (eps.size() == number of generators).
  Field apply(const Field& in, const std::vector<double>& eps) const;

 private:
  GeneratorSet set_;
  TransformOptions topt_;
};

/// Dataset-level augmentation used by `pdesym augment`: for each trajectory i of `in`, writes the original
/// (if keep_original) followed by `copies` transformed copies, trajectory i's copy c using
/// Rng(seed, i, c + 1).
datasets::Split augment_split(const datasets::Split& in, const Augmenter& aug, int copies, std::uint64_t seed,
                              bool keep_original = true);

}  // namespace pdesym::augment
