#pragma once
// Finite transformations exp(eps V) of Lie point symmetry generators applied to gridded trajectories.
//
// A generator V = xi d_x + tau d_t + phi d_u is a coefficient vector over symmetry::PolynomialBasis. The group
// element exp(eps V) maps the graph {(x, t, u(x,t))} of a solution pointwise along the flow of V; the
// transformed function u' is the function whose graph is the image. This file resamples u' on a grid again.
//
// Classes of generators (classify()):
//  * Affine: xi = a x + b t + c, tau = d t + e, phi = f u + g t + h (no other monomials). This covers space
//    and time translations, Galilean boosts, scalings and every linear combination of them. The flow is the
//    exact 4x4 matrix exponential M = exp(eps A) acting on (x, t, u, 1): time labels map affinely
//    (t' = M_tt t + M_t1, dt' = M_tt dt), the grid and the period are rescaled (x' = M_xx x, L' = M_xx L,
//    dx' = M_xx dx) and each time row is Fourier-shifted by (M_xt t + M_x1)/M_xx, then u' = M_uu u + M_ut t +
//    M_u1. Spectrally exact. (Time translation only relabels time; it is a symmetry of autonomous equations.)
//  * PeriodicGeneral: tau = tau(t) (any polynomial), xi = a x + f(t, u), phi = h(t, u). Its flow commutes
//    with the period shift x -> x + L (L' = e^{eps a} L), so the image is again periodic. The flow is integrated
//    with RK4 (TransformOptions::substeps); for each output point the pre-image x is found by Newton's method
//    on the spectrally interpolated row; if tau is not affine in t the output time grid is uniform between the
//    images of the first and last times and pre-image times between stored levels are handled by Lagrange
//    interpolation in time (TransformOptions::time_stencil points) of the Fourier coefficients.
//  * NonPeriodic: tau = tau(t) but xi or phi depend on x otherwise (e.g. Burgers' projective field
//    x t d_x + t^2 d_t + (x - t u) d_u). The image is a solution, but not periodic on a fixed domain, so it
//    cannot be stored as a periodic trajectory; transform_points() evaluates it at arbitrary points.
//  * Unsupported: tau depends on x or u (time levels would mix with space); rejected with a clear message.
#include <Eigen/Dense>

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "pdesym/common/rng.hpp"
#include "pdesym/datasets/dataset.hpp"
#include "pdesym/solvers/etdrk4.hpp"
#include "pdesym/symmetry/basis.hpp"

namespace pdesym::augment {

/// One gridded trajectory: u [nt][nx] on the periodic grid x_j = x[0] + j dx (period L = nx dx) at the
/// uniform times t_n = t[0] + n dt. This is one row of a datasets::Split.
struct Field {
  int nt = 0, nx = 0;
  std::vector<double> u;  ///< [nt][nx]
  std::vector<double> x;  ///< [nx]
  std::vector<double> t;  ///< [nt]
  double dx = 0, dt = 0;

  double L() const { return dx * nx; }
  const double* row(int n) const { return u.data() + static_cast<std::size_t>(n) * nx; }
  double* row(int n) { return u.data() + static_cast<std::size_t>(n) * nx; }
  /// Row i of a split (copies).
  static Field from_split(const datasets::Split& s, int i);
  /// Rows [n0, n0 + count) of trajectory i of a split (a time window; copies only those rows).
  static Field from_split_window(const datasets::Split& s, int i, int n0, int count);
  /// A 1-D scalar pdesym::Field (InputError otherwise).
  static Field from_trajectory(const pdesym::Field& tr);
  /// Writes into row i of `s` (which must have the same nt and nx).
  void to_split(datasets::Split& s, int i) const;
  /// Throws InputError if sizes are inconsistent, dx/dt are not positive or values are not finite.
  void validate(const std::string& what = "trajectory") const;
};

enum class FlowKind { Identity, Affine, PeriodicGeneral, NonPeriodic, Unsupported };
std::string to_string(FlowKind k);

/// A polynomial vector field in a form that is fast to evaluate: a list of terms coeff * x^a t^b u^c per
/// component, plus its classification.
class VectorField {
 public:
  VectorField() = default;
  /// `coeffs` over `basis`; entries with |c| <= prune_tol * max|c| are dropped (exact zeros always are).
  VectorField(const Eigen::VectorXd& coeffs, const symmetry::PolynomialBasis& basis, double prune_tol = 1e-12);

  /// (xi, tau, phi) at a point.
  std::array<double, 3> eval(double x, double t, double u) const;
  double tau(double t) const;  ///< valid when tau depends on t only
  /// d(xi, phi)/d(x, u) at a point: {dxi/dx, dxi/du, dphi/dx, dphi/du}.
  std::array<double, 4> jacobian_xu(double x, double t, double u) const;
  /// Whether tau is affine in t (tau = d t + e), so the time flow maps uniform time grids to uniform ones.
  bool tau_affine() const { return tau_affine_; }

  FlowKind kind() const { return kind_; }
  /// Why the field is NonPeriodic/Unsupported (empty otherwise).
  const std::string& reason() const { return reason_; }
  /// Readable label, e.g. "t*d_x + d_u".
  const std::string& label() const { return label_; }
  /// Generator matrix A of the affine flow on (x, t, u, 1) (meaningful for Affine and Identity).
  const Eigen::Matrix4d& affine_matrix() const { return A_; }
  /// Coefficient of x in xi (the period scales by exp(eps * a) for PeriodicGeneral and Affine fields).
  double x_scale_rate() const { return A_(0, 0); }
  /// Whether the field is exactly a multiple of d_x.
  bool is_pure_x_translation() const;

 private:
  struct Term {
    int comp, a, b, c;
    double coeff;
  };
  std::vector<Term> terms_;
  FlowKind kind_ = FlowKind::Identity;
  bool tau_affine_ = true;
  std::string reason_, label_;
  Eigen::Matrix4d A_ = Eigen::Matrix4d::Zero();
};

/// exp(M) of a 4x4 matrix (scaling and squaring with a Taylor series; accurate to rounding for the small
/// generator matrices used here).
Eigen::Matrix4d expm(const Eigen::Matrix4d& M);

struct TransformOptions {
  int substeps = 64;          ///< RK4 steps over [0, eps] for the flow of general fields
  int time_stencil = 8;       ///< points of the Lagrange time interpolation (general fields, non-affine tau)
  double newton_tol = 1e-13;  ///< relative to the period L
  int newton_max_iter = 60;
  bool force_general = false; ///< use the flow + Newton path even for affine fields (tests, cross-checks)
};

/// exp(eps V) applied to a periodic gridded trajectory. Affine fields are exact; PeriodicGeneral fields go
/// through the flow and Newton. Throws InputError for NonPeriodic/Unsupported fields (message names the
/// generator and why) and Error when the flow cannot be inverted (eps too large: the image is multivalued or
/// the flow leaves the domain of definition).
Field transform(const Field& in, const VectorField& V, double eps, const TransformOptions& opt = {});

/// Evaluates the transformed function u' = exp(eps V) u at the points (xs[k], ts[k]) for any field whose tau
/// depends on t only (including NonPeriodic ones): time pre-image by the flow of tau, space pre-image by
/// Newton on the spectral interpolant of `in` (which is treated as periodic), Lagrange interpolation in time
/// when a pre-image time falls between stored levels.
std::vector<double> transform_points(const Field& in, const VectorField& V, double eps, const std::vector<double>& xs,
                                     const std::vector<double>& ts, const TransformOptions& opt = {});

/// A generator with the range of its group parameter: eps ~ U[-eps_max, eps_max].
struct Generator {
  VectorField field;
  double eps_max = 0.1;
  /// When true (pure x-translations by default), eps is drawn as a shift uniform over one period instead.
  bool full_period = false;
};

struct AugmentOptions {
  double eps = 0.1;                  ///< default eps_max of every generator
  bool full_period_translations = true;  ///< pure d_x generators shift by U[0, L) instead of U[-eps, eps]
  /// Generators of sym.json files are first brought to reduced row echelon form (sparse, canonical combinations
  /// such as d_x, d_t, t d_x + d_u instead of rotated mixtures) and coefficients below this relative size are
  /// dropped. <0 disables both.
  double canonical_tol = 1e-3;
  /// Generators that cannot act on periodic data (NonPeriodic/Unsupported) are dropped with a note in
  /// GeneratorSet::notes instead of failing.
  bool skip_incompatible = true;
  TransformOptions transform;
};

/// The generators the augmenter applies, with where they came from.
struct GeneratorSet {
  std::string source;                   ///< "none", "known:kdv", a sym.json path, ...
  std::vector<Generator> generators;
  std::vector<std::string> notes;       ///< dropped generators and why
  bool empty() const { return generators.empty(); }
  std::string describe() const;         ///< one line per generator (label, class, eps range)
};

/// Reduced row echelon form of the generator columns over the basis order (pivots on the earliest basis
/// element), scaled so each pivot is 1; entries below `tol` relative to the column maximum set to zero.
Eigen::MatrixXd canonical_generators(const Eigen::MatrixXd& G, double tol);

/// Builds the generator set of a specification:
///   "none"                   no augmentation
///   "known:<equation>"       symmetry::known_algebra(<equation>) (kdv, burgers, ks, mkdv)
///   "<path>.json"            the generators of a sym.json file (symmetry::read_sym_json)
///   "gen:<V1>;<V2>;..."      generators written like labels ("gen:d_x;t*d_x + d_u")
/// Throws InputError for an unknown name, a missing/malformed file, or when no generator can be used.
GeneratorSet load_generators(const std::string& spec, const AugmentOptions& opt = {});

/// Applies every generator of the set in order, each with its own random eps, to one trajectory.
/// `eps_out` (optional) receives the eps drawn for each generator.
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
