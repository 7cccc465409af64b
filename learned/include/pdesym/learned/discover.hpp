#pragma once
// Learned symmetry discovery in LibTorch: validity-score generators (Ko et al. 2024), LieGAN (Yang et al.
// 2023) and augmentation generators learned jointly with a surrogate (LieAugmenter-style). Every method
// reports its generators over the nullspace method's PolynomialBasis (least-squares projection of the learned
// fields sampled on the data domain), so `pdesym discover --compare` works the same for all.
//
// The public headers of pdesym::learned do not include LibTorch (torch is a private dependency), so code that
// only calls these functions compiles quickly. See docs/learned.md for the methods and their limits.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pdesym/datasets/dataset.hpp"
#include "pdesym/symmetry/basis.hpp"
#include "pdesym/symmetry/identify.hpp"

namespace pdesym::learned {

struct LearnedOptions {
  std::string method = "validity";  ///< a name of learned_method_registry(): "validity", "liegan" or "joint"
  int generators = 4;               ///< number of generators learned at once
  int epochs = 0;                   ///< passes over the samples; 0: the method's default (registry)
  double lr = 0;                    ///< Adam learning rate; 0: the method's default (registry)
  std::uint64_t seed = 0;
  int threads = 0;                  ///< torch intra-op threads (0: leave default)
  bool progress = true;

  // ---- additions (all optional; defaults are what the CLI uses) ----
  /// The equation u_t = F whose residual the validity method uses. Unset: identified from `data` with
  /// symmetry::identify_equation (default IdentifyOptions). Only the validity method needs an equation.
  std::optional<symmetry::IdentifiedEquation> equation;
  int hidden = 32;       ///< width of the hidden layers (validity fields, LieGAN discriminator, joint FNO)
  int samples = 4096;    ///< training points (validity), patches (liegan) or windows (joint) drawn from data
  int batch = 0;         ///< mini-batch size; 0: the method's default (registry)
  /// validity: the field model. "polynomial": polynomials of the basis degree in normalised coordinates (the
  /// space the result is reported in); "mlp": affine map plus MLP, projected onto the basis after training.
  std::string field = "polynomial";
  /// liegan: what the discriminator sees of a patch. "points": its points relative to the centre and the centre's
  /// position (x periodically, t); "jets": a least-squares polynomial u(X, T) through the points (local jets in
  /// physical units, invariant under translations) and the patch's extent -- for scale-varying data.
  std::string liegan_input = "points";
  /// liegan diagnostic: generators (parse_generator syntax, raw units) held fixed while only the discriminator
  /// trains; extra.discriminator_accuracy then says how far the data distinguish each from a symmetry (0.5:
  /// not at all). Empty: the generators are learned. Its size replaces `generators`.
  std::vector<std::string> liegan_probe;
};

/// One learned method: its name, a one-line summary, the defaults of the options left at 0, and the function
/// that runs it. `run` receives options with the defaults filled in and the equation u_t = F (given or
/// identified); it returns generators over the basis (validity trains on F; the others ignore it).
struct LearnedMethod {
  std::string name, summary;
  int epochs = 0;
  double lr = 0;
  int batch = 0;
  std::function<symmetry::SymmetryResult(const datasets::Split&, const LearnedOptions&,
                                         const symmetry::PolynomialBasis&, const symmetry::IdentifiedEquation&)>
      run;
};

/// The registered learned methods, in a fixed order (validity, liegan, joint).
const std::vector<LearnedMethod>& learned_method_registry();

/// The registry entry of `name`; InputError naming the known methods if there is none.
const LearnedMethod& learned_method(const std::string& name);

/// Runs the chosen learned method on `data` and returns its generators over `basis` (columns). The returned
/// SymmetryResult's `extra` holds: "loss_history" (per-epoch mean loss, thinned), "validity_scores" of the
/// projected generators (when an equation is known), "projection_residuals" (relative L2 misfit of each learned
/// field by its polynomial projection, validity method), "seconds", and method-specific details.
/// Throws InputError for an unknown method, an empty or malformed split, or bad option values.
symmetry::SymmetryResult discover(const datasets::Split& data, const LearnedOptions& opt,
                                  const symmetry::PolynomialBasis& basis);

/// The names of learned_method_registry(), in order.
std::vector<std::string> learned_methods();

}  // namespace pdesym::learned
