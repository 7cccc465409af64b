#pragma once
// Identification of an evolution equation u_t = F(u, u_x, ..., u_x^(order)) from trajectory data by sparse
// regression over a library of jet monomials (SINDy-style sequentially thresholded least squares).
//
// Two pre-processing regimes, chosen from the estimated noise level (see JetPreprocessing; without detectable
// noise but with a poor pointwise fit both are tried and the better fit kept):
//  * clean data: spectral x-derivatives of the stored field, u_t by an 8th-order central difference in t
//    (the 4 first and last stored rows are not used);
//  * noisy data ("weak form" in t and x): the field is cut off in Fourier space where its time-averaged power
//    spectrum reaches the white-noise floor; every library term Theta_i(u) is evaluated on that field and then
//    smoothed with the same linear operator S = (bump kernel in t) o (Gaussian taper in x); the response is
//    S(u_t), obtained exactly by differentiating the bump kernel instead of the data (integration by parts in t).
//    Since S is linear and commutes with the equation, S u_t = sum_i c_i S Theta_i holds with the same
//    coefficients, while the noise in the regressors is strongly reduced (this is the convolutional weak form
//    of weak SINDy, with test functions = translates of the kernel).
#include <Eigen/Dense>

#include <cstdint>
#include <string>
#include <vector>

#include "pdesym/datasets/dataset.hpp"

namespace pdesym::symmetry {

/// A monomial in the jet variables u_0 = u, u_1 = u_x, ..., u_k = d^k u/dx^k: prod_k u_k^{powers[k]}.
struct JetMonomial {
  std::vector<int> powers;  ///< powers[k] of u_k; size = max_order + 1
  std::string name() const;  ///< "1", "u", "u*u_x", "u_xxx", "u^2*u_x", ...
  int degree() const;
  /// Highest derivative order with a nonzero power (-1 for the constant).
  int order() const;
  double eval(const double* jet) const;  ///< jet = u_0..u_{powers.size()-1}
};

/// How the data were pre-processed before differentiation (reported in sym.json's extra).
struct JetPreprocessing {
  double noise_rel = 0.0;     ///< estimated white-noise std / data std, from the spectral noise floor
  bool weak = false;          ///< true: the smoothed (weak-form) regime described above
  int cutoff_mode = -1;       ///< highest Fourier mode index kept (-1: all)
  double x_taper_modes = 0;   ///< weak regime: Gaussian taper exp(-m^2/(2 s^2)) of the x kernel, s in modes
  int t_halfwidth = 0;        ///< weak regime: half-width of the time kernel (1-s^2)^8 in stored rows
  /// Automatic mode without detectable noise: if the pointwise fit leaves a relative residual > 1e-6 (e.g. a
  /// coarse stored time step), the weak form with all modes is tried as well and the better fit kept; the
  /// other regime's residual is recorded here (-1: not tried).
  double pointwise_residual = -1;
  double weak_residual = -1;
};

/// F = sum_i coeffs[i] * terms[i]; only the terms kept by the regression are listed.
struct IdentifiedEquation {
  int max_order = 4;                   ///< highest x-derivative in the library
  std::vector<JetMonomial> terms;
  std::vector<double> coeffs;
  double residual_rel = 0.0;           ///< ||u_t - F|| / ||u_t|| on the samples used (after S in the weak regime)
  double library_residual_rel = 0.0;   ///< the same for the least-squares fit over the whole library: what any
                                       ///< model in the library can reach on these samples
  int samples = 0;                     ///< number of regression samples
  int library_size = 0;                ///< number of library columns
  JetPreprocessing preprocessing;
  std::string text() const;            ///< "u_t = -1*u*u_x - 1*u_xxx" (coefficients with 10 significant digits)
  /// F at one point given jet values u_0..u_{max_order}.
  double eval(const double* jet) const;
  /// Coefficient of the term named `term` ("u*u_x", "u_xxx", ...); 0 if the regression did not keep it.
  double coefficient(const std::string& term) const;
  /// Highest derivative actually present in F (0 if F depends on u only or is constant).
  int order() const;
};

/// How the threshold path's supports are compared (IdentifyOptions::select).
enum class Criterion {
  CrossValidation,  ///< penalised cross-validation error, sparsest within a tolerance of the best
  Bic               ///< Bayesian information criterion on the fit residual
};

struct IdentifyOptions {
  int max_order = 4;          ///< library uses u .. d^4u/dx^4 (1-D)
  int max_order_2d = 2;       ///< 2-D data: spatial derivatives of total order <= this
  int time_order = 1;         ///< left side: 1 for u_t (systems: every component), 2 for u_tt (one component)
  int max_degree = 3;         ///< total polynomial degree of library monomials
  double threshold = 1e-5;    ///< STLSQ threshold, relative to the largest normalised coefficient; with
                              ///< `select` the smallest threshold of the path. Small, so that a small but
                              ///< real term (a damping 1e-3 u next to O(1) terms) is on the path and the
                              ///< selection, not the threshold, decides about it.
  bool select = true;         ///< model selection: STLSQ for thresholds threshold*10^(k/4) < 1, each distinct
                              ///< support scored by `criterion`; false: one STLSQ at `threshold`
  Criterion criterion = Criterion::CrossValidation;  ///< CV: folds = trajectories (at most 4), or time halves
                              ///< for one trajectory; the sparsest support with penalised
                              ///< cv_error <= best * (1 + cv_tolerance) + cv_slack is kept. BIC: the smallest
                              ///< N log(r^2 + cv_slack^2) + terms log N, r = relative fit residual.
  double cv_tolerance = 0.25; ///< relative slack of the selection rule
  double cv_term_penalty = 0.05;  ///< each term of a support multiplies its CV error by (1 + this) before the
                                  ///< rule above is applied: extra terms must pay for themselves. Without it,
                                  ///< a systematic (not random) error, such as the time quadrature of data
                                  ///< stored at a coarse dt, is partly fitted by many tiny spurious terms that
                                  ///< cross-validation confirms (they fit every trajectory alike): KdV at
                                  ///< dt = 0.72 with 32 trajectories gave 13 terms, CV 4.8e-3, vs the true
                                  ///< 2 terms, CV 6.2e-3.
  double cv_slack = 1e-6;     ///< absolute slack (relative to ||u_t||): terms contributing less are not resolved
  int max_samples = 20000;    ///< sampled (trajectory, t, x) points
  std::uint64_t seed = 1;
  double noise_filter = -1;   ///< <0: choose the spectral cut-off automatically from the noise floor; 0: off
                              ///< (clean regime whatever the data); >0: weak regime keeping this fraction of
                              ///< the Fourier modes
  int t_halfwidth = 0;        ///< weak regime: time kernel half-width in rows (0: automatic)
  /// Structure-preserving refit (n-D path, identify_system): coefficients of the selected terms, over all
  /// components, whose magnitudes differ by at most this fraction are tied to one magnitude (signs kept) and refitted
  /// jointly, closest pair first; 0: off. Exact relations between coefficients are what symmetries need (NLS's phase
  /// rotation: equal u^2 v and v^3 coefficients), and noise breaks them by more than the nullspace tolerates.
  double tie_tolerance = 0.1;
  /// A tie is kept only if every component's relative residual stays <= untied * (1 + tie_residual) + cv_slack.
  double tie_residual = 0.05;
};

/// Checks that a split can be differentiated (sizes, finite values, uniform increasing t, positive dx);
/// throws InputError naming the split and trajectory at fault.
void validate_split(const datasets::Split& data);

/// Estimates the noise level and chooses the pre-processing regime (see the top of this file).
JetPreprocessing choose_preprocessing(const datasets::Split& data, double noise_filter = -1, int t_halfwidth = 0);

/// The jet-monomial library: all monomials of total degree <= max_degree in u_0..u_{max_order}, constant
/// first, ordered by degree.
std::vector<JetMonomial> jet_library(int max_order, int max_degree);

/// Values (x, t, u, u_x, ..., d^order u/dx^order) at n random grid points (rows of the result, 3 + order
/// columns), derivatives spectral after the cut-off of `pre`.
Eigen::MatrixXd sample_jet_points(const datasets::Split& data, int order, int n, std::uint64_t seed,
                                  const JetPreprocessing& pre);

/// The regression behind identification: library columns Theta (raw, N x p) and response y (u_t, or S u_t in the
/// weak regime) at N sample points, with the trajectory and time row of each sample. Deterministic in
/// (data, opt.seed, opt.max_samples, pre): the same points for data of the same shape.
struct RegressionData {
  std::vector<JetMonomial> library;
  Eigen::MatrixXd theta;
  Eigen::VectorXd y;
  std::vector<int> traj, row;
};
RegressionData assemble_regression(const datasets::Split& data, const IdentifyOptions& opt,
                                   const JetPreprocessing& pre);
/// ||y - sum_j c_j Theta_j|| / ||y|| for the terms and coefficients of `eq` (its terms must be in the library).
double model_residual(const RegressionData& reg, const IdentifiedEquation& eq);
/// Relative difference ||D8 u - D6 u|| / ||D8 u|| of the 8th- and 6th-order central time differences at
/// `samples` random points: an upper estimate of the time-differentiation error of clean data (noise inflates
/// it).
double time_difference_error(const datasets::Split& data, int samples = 4000, std::uint64_t seed = 7);

/// Identifies u_t = F from all trajectories of a split.
IdentifiedEquation identify_equation(const datasets::Split& data, const IdentifyOptions& opt = {});

}  // namespace pdesym::symmetry
