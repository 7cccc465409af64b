#pragma once
// Whether a nullspace result can be trusted, judged from measurements on the data (not from the singular-value
// gap, which is large whenever the identified equation is exact, right or wrong):
//  1. Fit: the identification residual against a floor = max(noise floor, time-differentiation error, model
//     floor). The noise floor is measured by injecting noise of the estimated level once more and re-evaluating
//     the identified model on the same samples (residual^2 grows by the noise's share); the time error is the
//     8th- vs 6th-order difference of clean data; the model floor (1e-6) is the pointwise accuracy of spectral
//     solver data. A residual far above the floor means a term outside the library or under-resolved data. The
//     selected model's residual is also compared with the whole library's: selection must not drop a real term.
//  2. Resolution: the time-averaged Fourier spectrum in x (and y), over the modes above rounding level, still
//     falling in its top fifth while well above rounding level means the grid (or a dealiasing cut-off) does
//     not resolve the field.
//  3. Stability: identification and nullspace repeated on resamples (3/4 of the trajectories drawn without
//     replacement, a random time window); inclusion frequency of every equation term, and the largest principal angle
//     between each resample's algebra and the reported one (pi/2 if the dimensions differ); and whether the
//     smallest non-null singular value stands clear of the coefficients' spread (a near-symmetry otherwise).
// Verdict: "not trusted" if any measurement is far out, "doubtful" if any is marginal, else "trusted"; every
// out-of-range measurement contributes one reason sentence with its numbers.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pdesym/datasets/dataset.hpp"
#include "pdesym/symmetry/basis.hpp"
#include "pdesym/symmetry/identify.hpp"

namespace pdesym::symmetry {

struct NullspaceOptions;
struct SystemIdentification;

enum class Verdict { Trusted = 0, Doubtful = 1, NotTrusted = 2 };
std::string verdict_name(Verdict v);  ///< "trusted", "doubtful", "not trusted"

struct TrustOptions {
  int resamples = 6;              ///< stability resamples (0: no stability check)
  int max_trajectories = 8;       ///< trajectories drawn per resample (at most the split's)
  double window = 0.75;           ///< fraction of the stored time levels in a resample's window
  std::uint64_t seed = 99;
  double model_floor = 1e-6;      ///< smallest residual floor (pointwise accuracy of solver data)
  double residual_doubtful = 10;  ///< residual / floor above this: doubtful
  double residual_untrusted = 100;  ///< ... above this: not trusted
  double selection_gap = 10;      ///< selected residual / library residual above this (and above the floor): doubtful
  double tail_level = 1e-7;       ///< spectral tail amplitude (relative to the peak) above which ...
  double tail_decay = 3;          ///< ... a tail still falling by this factor across the top band is under-resolved:
                                  ///< doubtful (the equation may still be identified, e.g. in the weak form) ...
  double tail_untrusted = 1e-2;   ///< ... and not trusted above this tail
  double tail_fit_ratio = 3;      ///< an under-resolved spectrum below tail_untrusted lowers the verdict only when the
                                  ///< fit residual is above this times its floor: truncated derivatives show in the
                                  ///< fit (KdV on 64 points: 8e2 x floor); otherwise it is a note
  double time_level = 1e-4;       ///< time-difference error estimate (||D8 u - D6 u|| / ||D8 u||) above which the
                                  ///< stored time step is coarse: doubtful when the fit is above tail_fit_ratio times
                                  ///< its floor (2-D NLS stored every 0.05: 1.4e-3, fit 9.6x), else a note ...
  double time_untrusted = 1e-2;   ///< ... and not trusted above this estimate
  double angle_doubtful = 1e-2;   ///< median largest principal angle [rad] above this: doubtful
  double angle_untrusted = 0.1;   ///< median above this, or more than half the resamples with another
                                  ///< dimension: not trusted (any such resample: doubtful)
  double near_symmetry = 10;      ///< smallest non-null singular value below this times the coefficients' largest
                                  ///< relative change under resampling ...
  double near_symmetry_variation = 1.5;///< ... and varying by more than this factor between the fit and the
                                  ///< resamples: doubtful. A symmetry broken by estimation error has a singular
                                  ///< value proportional to that (random) error; a real non-symmetry's is stable.
  double term_unstable = 0.8;     ///< a reported term in fewer, or another term in more than 1 - this, of the
                                  ///< resamples: doubtful
};

struct TermFrequency {
  std::string term;
  double frequency = 0;  ///< fraction of resamples whose equation has the term
  bool reported = false;
};

struct TrustReport {
  Verdict verdict = Verdict::Trusted;
  std::vector<std::string> reasons;  ///< one sentence per measurement out of range (empty when trusted)
  std::vector<std::string> notes;    ///< measurements out of range that did not lower the verdict, and why
  double residual = 0, library_residual = 0;
  double noise_floor = 0, time_error = 0, floor = 0, residual_ratio = 0;
  double spectral_tail = 0, spectral_decay = 0;
  bool under_resolved = false;
  bool time_under_resolved = false;  ///< time_error > time_level (data, not noise, limit the time derivatives)
  int resamples = 0, dimension_mismatches = 0;
  std::vector<double> angles;  ///< largest principal angle of each resample
  double median_angle = 0, max_angle = 0;
  double coefficient_spread = 0;   ///< largest |c_resample - c| / max |c| over the reported terms
  double smallest_nonnull = 0;     ///< relative singular value just above the gap
  double nonnull_variation = 0;    ///< max / min of that value over the fit and the resamples of equal dimension
  std::vector<TermFrequency> terms;
  nlohmann::json to_json() const;
};

/// Spectral resolution of the data: over the occupied modes (power above 1e-26 of the peak) of x (and y),
/// tail = sqrt(mean power of their top fifth / peak power), decay = mean power of the fifth below / that of the
/// top fifth (white noise: ~1). The direction with the larger tail is reported.
void spectral_resolution(const datasets::Split& data, double& tail, double& decay);

/// Measures and judges a nullspace result `generators` (over `basis`) found with `opt` from `eq` on `data`.
TrustReport assess_trust(const datasets::Split& data, const IdentifiedEquation& eq, const Eigen::MatrixXd& generators,
                         const std::vector<double>& singular_values, const NullspaceOptions& opt);
/// The same for the n-D / system path (system.hpp): fit against the time-difference floor, resolution, stability.
TrustReport assess_trust_system(const datasets::Split& data, const SystemIdentification& id,
                                const Eigen::MatrixXd& generators, const std::vector<double>& singular_values,
                                const NullspaceOptions& opt);

}  // namespace pdesym::symmetry
