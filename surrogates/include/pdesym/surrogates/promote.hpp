#pragma once
// Using a symmetry group in the surrogate itself, beside augmentation (augment/): promotion by a Lie-derivative
// penalty in the training loss and enforcement by averaging the model over a finite subgroup. Includes LibTorch.
//
// Windows. A surrogate maps the window of levels 0..tw-1 (input) to levels tw..2tw-1 (output) of a trajectory, on
// a grid with spacing dx [, dy] and time step dt, which are model inputs. A group element acts on such a window as
// the augmenter acts on a trajectory, with local coordinates x_j = j dx (y_k = k dy) and s_n = n dt (n counted
// from the window's first input level; the model sees neither the absolute position nor the absolute time).
//
// Promotion. For an affine generator V (augment::FlowKind::Affine: xi^i = a_i x_i + b_i t + c_i, tau = d t + e,
// phi = F u + g t + h) the finite transformation T_eps = exp(eps V) is exact on the grid: the spacings scale
// (dx' = e^{eps a} dx, dt' = e^{eps d} dt), level n is shifted in x_i by (E_it s_n + E_i1) / E_ii (a Fourier
// shift, spectral) and the components are mapped affinely, with E = exp(eps A) of the generator's (z, 1) matrix
// A. The time translation e d_t is dropped: the window map does not see t (a pure d_t is skipped with a note).
// The penalty of a batch X (per sample: mean over the window's values; summed over the batch, divided by the
// global batch size like the loss) is
//   P(X) = sum_V || (T_h^-1 f(T_h X) - f(X)) / h ||^2,
// the forward difference in eps of the conjugated model at eps = 0, i.e. the Lie derivative L_V f (X) to O(h).
// Because T_h is the exact group action, P vanishes to round-off for every h when f is exactly equivariant,
// and for a generic f it is |L_V f|^2 + O(h). It is differentiable in the model's parameters (the Fourier shift
// and the affine maps are torch operations). Cost: one more model call (forward and backward) per generator
// and sample.
// General periodic flows (augment::FlowKind::PeriodicGeneral, 1-D scalar data, tau affine in t: xi = a x +
// f(t, u), tau = d t + e, phi = h(t, u)) have no exact window action; they are promoted through the first-order
// expansion T_eps U = (U + eps Q(U), dx e^{eps a}, dt e^{eps d}) + O(eps^2) with the characteristic
// Q = h(s, U) - f(s, U) U_x (U_x spectral; the linear parts a x d_x and d t d_t act through dx and dt, e d_t is
// dropped as above). The residual is the central difference of the model along this direction minus the
// characteristic of the model's output,
//   r = (f(U + h Q_in, dx e^{ah}, dt e^{dh}) - f(U - h Q_in, dx e^{-ah}, dt e^{-dh})) / (2h) - Q(f(U)),
// = L_V f to O(h^2): an exactly equivariant f gives O(h^2) (not round-off as with the exact action). Cost: two
// more model calls per generator. Skipped with a note: NonPeriodic fields (Burgers' projective field x t d_x +
// t^2 d_t + (x - t u) d_u, x d_u: dropped when the set is loaded; their characteristic is not periodic in x, so
// not even the first-order direction exists on periodic windows), general flows with tau not affine in t (Q would
// need u_t), general flows on 2-D or multi-component data, LinearPhase (the boost of a complex field; its phase
// x B u is periodic only on an eps lattice), and the discrete entries (d4, rot90: see enforcement).
//
// Enforcement. A finite group G that the grid represents exactly (index permutations and component maps) is
// made a symmetry of the model by averaging: f_G(X) = (1/|G|) sum_g g^-1 f(g X), exactly equivariant under G.
// The group is written as a ';'-list of
//   reflect[(p1,...)]   x -> -x (1-D) or y -> -y (2-D) about the first grid point, component c times -1 when
//                       its parity p_c is "pseudoscalar" (default: all scalar)
//   rot90[(p,...)]      2-D: the rotations by multiples of 90 degrees (square grid, dx = dy)
//   d4[(p,...)]         2-D: rotations and reflections (8 elements); 1-D: as reflect
//   flip                u -> -u (all components)
//   phase4              quarter turns of a pair (u, v): (u, v) -> (v, -u), the phase rotation v d_u - u d_v
//                       at eps = pi/2 (nc = 2)
// and the group is the product of the spatial part (reflect/rot90/d4) and the component part (flip/phase4).
// Cost: |G| model calls per call. FNO's translation equivariance (on the grid) is unchanged.
#include <torch/torch.h>

#include <memory>
#include <string>
#include <vector>

#include <Eigen/Dense>

#include "pdesym/augment/generators.hpp"
#include "pdesym/surrogates/models.hpp"

namespace pdesym::surrogates {

/// A window in the layout [B, T, nc, ny, nx] (ny = 1 in 1-D) with its grid [B] tensors.
struct Window {
  torch::Tensor u, dx, dy, dt;
};

/// The exact action of one affine generator on windows.
class AffineWindowAction {
 public:
  /// InputError unless `V` is Affine.
  explicit AffineWindowAction(const augment::VectorField& V);
  /// exp(eps V) applied to `w`, whose level k lies at local time (n0 + k) dt.
  Window apply(const Window& w, double eps, int n0) const;
  const std::string& label() const { return label_; }

 private:
  int dim_ = 1, nc_ = 1;
  Eigen::MatrixXd A_;  ///< (z, 1) generator without the time translation
  std::string label_;
};

/// The first-order action of a 1-D scalar generator with xi = a x + f(t, u), tau = d t + e, phi = h(t, u)
/// (FlowKind::PeriodicGeneral with tau affine in t, or Affine), see above. f and h are polynomials in u (of the
/// degree found at construction, <= 8), evaluated per level from the field.
class FirstOrderWindowAction {
 public:
  /// InputError for other fields.
  explicit FirstOrderWindowAction(const augment::VectorField& V);
  /// Q = h(s, u) - f(s, u) u_x on windows u [B, T, nx] whose level k lies at local time (n0 + k) dt; differentiable
  /// in u.
  torch::Tensor characteristic(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt, int n0) const;
  double x_rate() const { return a_; }  ///< a: dx' = e^{eps a} dx
  double t_rate() const { return d_; }  ///< d: dt' = e^{eps d} dt
  int degree() const { return degree_; }
  const std::string& label() const { return label_; }

 private:
  augment::VectorField V_;
  double a_ = 0, d_ = 0;
  int degree_ = 0;          // of f and h in u
  Eigen::MatrixXd vinv_;    // inverse Vandermonde matrix on the nodes u_j = j - degree / 2
  std::string label_;
};

/// The Lie-derivative penalty of a generator set.
class Promoter {
 public:
  Promoter() = default;
  /// Uses the set's affine generators (exact action) and 1-D scalar general ones with tau affine in t (first
  /// order); the others are listed in notes(). `h` > 0: the difference step.
  Promoter(const augment::GeneratorSet& set, double h);
  bool active() const { return !actions_.empty() || !first_order_.empty(); }
  const std::vector<std::string>& notes() const { return notes_; }
  std::string describe() const;  ///< one line per generator used
  /// Sum over generators and samples of the mean square of (T_h^-1 f(T_h X) - f(X)) / h (affine generators) or
  /// of the first-order residual r (general ones), divided by `norm`.
  /// X in the model's layout ([B, tw, nx] for 1-D scalar models, else [B, tw, nc, ny, nx]); fX = model(X) (passed
  /// in so the loss's forward call is reused).
  torch::Tensor penalty(Surrogate& model, const torch::Tensor& X, const torch::Tensor& dx, const torch::Tensor& dy,
                        const torch::Tensor& dt, const torch::Tensor& fX, double norm) const;

 private:
  std::vector<AffineWindowAction> actions_;
  std::vector<FirstOrderWindowAction> first_order_;
  std::vector<std::string> notes_;
  double h_ = 1e-2;
};

/// One element of a finite group acting exactly on grids: R^rotations P^reflect in space (as augment::BoxSymmetry),
/// then the component map C ([nc x nc], parities included).
struct GridElement {
  int rotations = 0;
  bool reflect = false;
  Eigen::MatrixXd C;
  std::string label;
};

/// The elements of a group spec (grammar above) for data with `dim` space dimensions and `nc` components.
/// InputError for unknown entries, wrong parity counts, rot90 in 1-D, phase4 without nc = 2.
std::vector<GridElement> parse_grid_group(const std::string& spec, int dim, int nc);

/// The finite subgroup the grid represents exactly, derived from a generator set: its discrete entries (d4,
/// rot90), rot90 from a continuous rotation y d_x - x d_y among its (skipped) generators, phase4 from a phase
/// generator v d_u - u d_v, and the discrete symmetries of known equations that their Lie algebra does not
/// contain (`known:burgers`, `known:ks`: (x, u) -> (-x, -u); `known:mkdv`: u -> -u; `known:nls`: x -> -x;
/// `known:heat2d`: u -> -u). Returns the spec, or "" when there is none (KdV: x -> -x needs t -> -t, which a
/// forward-in-time surrogate cannot use).
std::string finite_subgroup_spec(const augment::GeneratorSet& set);

/// g acting on a window [B, T, nc, ny, nx] (dx = dy is required for rotations and not checked here).
torch::Tensor act(const GridElement& g, const torch::Tensor& u5);
/// g^-1 acting on a window.
torch::Tensor act_inverse(const GridElement& g, const torch::Tensor& u5);

/// f_G(X) = (1/|G|) sum_g g^-1 f(g X) around an inner model; config().enforce holds the group spec.
class Symmetrized : public Surrogate {
 public:
  Symmetrized(const ModelConfig& cfg, std::shared_ptr<Surrogate> inner);
  torch::Tensor forward(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) override;
  torch::Tensor step(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dy,
                     const torch::Tensor& dt) override;
  const std::vector<GridElement>& group() const { return group_; }
  Surrogate& inner() { return *inner_; }

 private:
  std::shared_ptr<Surrogate> inner_;
  std::vector<GridElement> group_;
};

}  // namespace pdesym::surrogates
