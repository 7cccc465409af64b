#pragma once
// Learned symmetry discovery in LibTorch: validity-score generators (Ko et al. 2024), LieGAN (Yang et al.
// 2023) and augmentation generators learned jointly with a surrogate (LieAugmenter-style). Every method
// reports its generators over the nullspace method's PolynomialBasis (least-squares projection of the learned
// fields sampled on the data domain), so `pdesym discover --compare` works the same for all.
//
// The public headers of pdesym::learned do not include LibTorch (torch is a private dependency), so code that
// only calls these functions compiles quickly. See docs/learned.md for the methods and their limits.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pdesym/datasets/dataset.hpp"
#include "pdesym/symmetry/basis.hpp"
#include "pdesym/symmetry/identify.hpp"

namespace pdesym::learned {

struct LearnedOptions {
  std::string method = "validity";  ///< "validity", "liegan" or "joint"
  int generators = 4;               ///< number of generators learned at once
  int epochs = 0;                   ///< passes over the samples; 0: the method's default (validity 60,
                                    ///< liegan 150, joint 40)
  double lr = 0;                    ///< Adam learning rate; 0: the method's default (validity 0.05,
                                    ///< liegan 2e-3, joint 3e-3)
  std::uint64_t seed = 0;
  int threads = 0;                  ///< torch intra-op threads (0: leave default)
  bool progress = true;

  // ---- additions (all optional; defaults are what the CLI uses) ----
  /// The equation u_t = F whose residual the validity method uses. Unset: identified from `data` with
  /// symmetry::identify_equation (default IdentifyOptions). Only the validity method needs an equation.
  std::optional<symmetry::IdentifiedEquation> equation;
  int hidden = 32;       ///< width of the hidden layers (validity fields, LieGAN discriminator, joint FNO)
  int samples = 4096;    ///< training points (validity), patches (liegan) or windows (joint) drawn from data
  int batch = 0;         ///< mini-batch size; 0: the method's default (validity 256, liegan 256, joint 32)
};

/// Runs the chosen learned method on `data` and returns its generators over `basis` (columns). The returned
/// SymmetryResult's `extra` holds: "loss_history" (per-epoch mean loss, thinned), "validity_scores" of the
/// projected generators (when an equation is known), "projection_residuals" (relative L2 misfit of each learned
/// field by its polynomial projection, validity method), "seconds", and method-specific details.
/// Throws InputError for an unknown method, an empty or malformed split, or bad option values.
symmetry::SymmetryResult discover(const datasets::Split& data, const LearnedOptions& opt,
                                  const symmetry::PolynomialBasis& basis);

/// The methods `discover` accepts: {"validity", "liegan", "joint"}.
std::vector<std::string> learned_methods();

}  // namespace pdesym::learned
