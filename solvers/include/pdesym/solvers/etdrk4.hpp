#pragma once
// ETDRK4 (Cox & Matthews 2002) for u_t = L u + N(u) with nc components on a periodic Box: per wavevector the
// linear part is an nc x nc block, and the coefficients (phi.hpp) are kept complex, so imaginary and coupled
// linear operators (KdV i k^3, NLS, wave) are handled exactly. For diagonal symbols (all 1-D scalar
// equations) each component uses the scalar contour mean and the step is the scalar ETDRK4 per entry. Real
// coefficients -- a component whose symbol is real (diffusion, KS, Burgers), or a real 2 x 2 coupling (NLS as
// (Re psi, Im psi), the wave system) -- take real-by-complex products (the same values as the complex products with
// a zero imaginary part, half the arithmetic).
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pdesym/common/field.hpp"
#include "pdesym/solvers/field_pde.hpp"
#include "pdesym/solvers/pde.hpp"
#include "pdesym/solvers/phi.hpp"

namespace pdesym::solvers {

class Etdrk4 {
 public:
  /// `dealias` chooses how N is dealiased (box.hpp: the mask in ws, and the padded grid for ThreeHalves).
  Etdrk4(const FieldPde& pde, const Box& box, double h, Etdrk4Options opt = {}, Dealias dealias = Dealias::TwoThirds);
  /// 1-D scalar convenience (Box::of(grid)).
  Etdrk4(const Pde& pde, const Grid& grid, double h, Etdrk4Options opt = {}, Dealias dealias = Dealias::TwoThirds);
  double h() const { return h_; }
  const Box& box() const { return ws_.box; }
  Dealias dealias() const { return ws_.dealias; }
  int nc() const { return nc_; }
  /// Whether the coefficients are stored per component (diagonal L) rather than as full blocks.
  bool diagonal() const { return diagonal_; }
  /// Advances u_hat ([nc][nk], nk = box().modes()) by one step of size h. If pde.keeps_real_dealiased_state(), u_hat
  /// is first projected onto the modes the dealias mask keeps (integrate() projects u0 already; the removed modes
  /// stay zero) and the result's real-field symmetry is restored (symmetrise_real_spectrum); otherwise the removed
  /// modes evolve by the linear part alone (N is zero on them, FieldPde's contract).
  void step(cvec& u_hat);
  /// The same step with an embedded error estimate, first same as last. On entry Nv = N(u_hat) (from the
  /// previous step_embedded), or empty to have it computed; on return u_hat is what step() returns, Nv =
  /// N(u_hat_new) and est = f3 (N(u_hat_new) - N(c)) (block product for coupled L). est is the difference between
  /// ETDRK4 and the embedded solution that takes N at the new point in place of the last stage c: the b4 weight
  /// moved to a fifth stage at c = 1 keeps the order conditions sum b = phi1, sum b c = phi2, sum b c^2/2 =
  /// phi3, so the embedded solution is third order and est = O(h^4) per step. Costs no extra evaluation of N
  /// per accepted step (N(u_hat_new) starts the next one); zero for a linear PDE.
  void step_embedded(cvec& u_hat, cvec& Nv, cvec& est);
  /// Coefficients (see phi.hpp), by value. Diagonal: [nc][nk] (for nc = 1 simply [nk]); full: [nc][nc][nk], entry
  /// (a, b) of mode m at (a*nc + b)*nk + m. (Real planes are stored only as the kernels read them; these rebuild
  /// the complex values, imaginary parts +0.0.)
  cvec E() const { return coefficients(0); }
  cvec E2() const { return coefficients(1); }
  cvec Q() const { return coefficients(2); }
  cvec f1() const { return coefficients(3); }
  cvec f2() const { return coefficients(4); }
  cvec f3() const { return coefficients(5); }
  /// Coefficient array f = 0..5 (E, E2, Q, f1, f2, f3).
  cvec coefficients(int f) const;
  /// Heap memory of the stepper now: coefficients, stage buffers and workspace (FFTW's plans not counted; some
  /// scratch grows on the first steps).
  std::size_t bytes() const;

 private:
  /// Per-entry scalar combination (for nc = 1: the former scalar stepper); have_nv: Nv_ holds N(v) already.
  void step_diagonal(cvec& v, bool have_nv);
  void step_full(cvec& v, bool have_nv);  ///< block matrix-vector products per wavevector
  /// x = 0 on the modes the mask removes (ws_.dropped), every component. On those modes N is zero, so the stages
  /// reduce to their linear parts there: computed for a state that is not kept dealiased (the 1-D scalar Pde), left
  /// zero for one that is (about 5/9 of the modes in 2-D under the 2/3 rule).
  void zero_dropped(cvec& x) const;
  const FieldPde& pde_;
  SpectralWorkspace ws_;
  double h_;
  int nc_, nk_;
  bool diagonal_, real_state_;
  /// The complex coefficient arrays, each emptied once all its planes have real slots (the kernels then read only
  /// real_planes_; a real 2 x 2 coupling such as NLS keeps 18 distinct real planes instead of 24 complex ones beside
  /// them).
  cvec E_, E2_, Q_, f1_, f2_, f3_;
  /// Per coefficient array (E, E2, Q, f1, f2, f3) and plane: the first plane bitwise equal to it (itself if none).
  /// The stage kernels read that one: the same values, less memory traffic (lambda-omega's two components share
  /// their coefficients, NLS's blocks their diagonal).
  std::vector<std::size_t> same_[6];
  /// Whether the coefficients are real (imaginary parts exactly zero): per component of a diagonal L (its six
  /// planes), or one flag for a 2 x 2 block (all 24 planes; false for larger blocks, which keep complex products).
  std::vector<char> real_;
  /// The real planes, each distinct one once, with each real part twice, (re, re) per mode, so that a real-by-complex
  /// product is one elementwise product of interleaved doubles (planes of one double per mode, broadcast in the
  /// kernels, were 5% slower: they lost most of the gain). real_slot_[f][p]: the slot of plane p of coefficient f
  /// (f = 0..5: E, E2, Q, f1, f2, f3) in real_planes_ ([slot][2 nk]), or kComplexPlane.
  std::vector<double> real_planes_;
  static constexpr std::size_t kComplexPlane = static_cast<std::size_t>(-1);
  std::vector<std::size_t> real_slot_[6];
  /// Plane p of coefficient array f (0..5) as the kernels read it (interleaved doubles, nk_ modes): its real slot,
  /// or the first complex plane bitwise equal to it.
  const double* coef_plane(int f, std::size_t p) const;
  cvec Nv_, a_, Na_, b_, Nb_, c_, Nc_, w_, d_;
};

/// Steppers (their phi coefficients) kept across integrate() calls: the coefficients depend only on the PDE, the
/// box, h, the Etdrk4Options and the dealiasing, so trajectories of one dataset share them (the same numbers as fresh
/// ones: results do not depend on the cache). Keyed by the PDE's address: the PDE must outlive the cache.
/// get(): the adaptive path's steppers, at most max_entries of them holding at most max_bytes (Etdrk4::bytes()) in
/// all (as they are when a new one is built; the newest may still grow by its scratch); beyond either bound the least
/// recently used ones are dropped (never the one just asked for, so a single stepper larger than max_bytes is still
/// built; the bound keeps a 2-D error-controlled run, which visits many step sizes, within a few hundred MB per rank).
/// fixed(): the fixed-step path's one stepper, replaced when h (or anything else) changes: datasets whose
/// trajectories share T share it, datasets with a T per trajectory hold one stepper at a time.
class StepperCache {
 public:
  static constexpr std::size_t kDefaultMaxBytes = std::size_t{256} << 20;
  explicit StepperCache(std::size_t max_entries = 96, std::size_t max_bytes = kDefaultMaxBytes)
      : max_(max_entries), max_bytes_(max_bytes) {}
  Etdrk4& get(const FieldPde& pde, const Box& box, double h, const Etdrk4Options& opt,
              Dealias dealias = Dealias::TwoThirds);
  Etdrk4& fixed(const FieldPde& pde, const Box& box, double h, const Etdrk4Options& opt,
                Dealias dealias = Dealias::TwoThirds);
  std::size_t size() const { return entries_.size(); }
  /// Etdrk4::bytes() of get()'s steppers, in all, as they are now.
  std::size_t bytes() const;
  /// Steppers get() has built (hits do not count): with evictions, more than the distinct step sizes asked for.
  std::size_t built() const { return built_; }

 private:
  struct Entry {
    const FieldPde* pde;
    Box box;
    double h;
    Etdrk4Options opt;
    Dealias dealias;
    std::unique_ptr<Etdrk4> stepper;
    std::uint64_t used = 0;  ///< the value of clock_ at its last get()
    bool matches(const FieldPde& p, const Box& b, double step, const Etdrk4Options& o, Dealias d) const;
  };
  std::size_t max_, max_bytes_, built_ = 0;
  std::uint64_t clock_ = 0;
  std::vector<Entry> entries_;
  std::optional<Entry> fixed_;
};

struct IntegrateOptions {
  double dt_max = 0.01;      ///< largest internal step; the step is dt_out / ceil(dt_out / dt_max)
  Etdrk4Options etd;
  std::string label = "trajectory";  ///< named in blow-up errors
  /// Error control (opt-in): rtol > 0 replaces the fixed step by an error-controlled one (see integrate());
  /// dt_max is then the largest step allowed (use +inf for none). rtol == 0: the fixed-step path, unchanged.
  double rtol = 0;
  double atol = 0;  ///< absolute tolerance, in units of the field (RMS over the grid); >= 0
  StepperCache* steppers = nullptr;  ///< coefficients shared across calls, both paths (nullptr: per call)
  /// Dealiasing of N (box.hpp): "2/3" (default), "none" or "3/2". Field equations (keeps_real_dealiased_state)
  /// project u0 onto the modes it keeps.
  Dealias dealias = Dealias::TwoThirds;
};

/// What integrate() did (optional output).
struct IntegrateStats {
  long steps = 0;      ///< Etdrk4::step calls in total (the cost: coarse, fine and rejected work included)
  long accepted = 0;   ///< fine steps of accepted output intervals (fixed path: steps)
  long rejected = 0;   ///< rejected output-interval attempts (adaptive path)
  int step_sizes = 0;  ///< distinct step sizes (cached coefficient sets) used
};

/// Adaptive path (opt.rtol > 0), per output interval [t_n, t_n + dt_out]: s uniform steps h = dt_out / s with the
/// embedded estimate of Etdrk4::step_embedded (first same as last: no extra evaluation of N), and per step
///   err = (nt - 1) ||est||_2 / (rtol ||v||_2 + atol points sqrt(nc / 2))
/// on the spectral state [nc][modes] (points sqrt(nc/2) is, by Parseval on the half spectrum, about the norm of a
/// field of RMS 1, so atol is in the field's units; the factor nt - 1 shares the tolerance among the intervals).
/// est estimates the error of the embedded third-order solution; the fourth-order one is kept (local
/// extrapolation), so the global error of the stored fields is well below rtol (KdV: 0.1-0.5 rtol measured,
/// tests/datasets/test_tolerance.cpp). The interval is accepted if err <= 1 at every step; a step with err > 1
/// rejects it at once and the interval is retried from its start with a smaller step. The next s follows
/// h_new = h clamp(0.9 err^(-1/3), 0.2, 5) (err: the largest of the interval; on rejection at most 0.9), s
/// snapped upward to the ladder ceil(2^(k/4)) (so h never exceeds the controller's choice) and at least
/// ceil(dt_out / dt_max). Output times are hit exactly; coefficients are cached per s (in opt.steppers if given,
/// so that trajectories share them). The first interval starts at s = ceil(dt_out / dt_max) if dt_max is finite,
/// else 1. Deterministic: a pure function of the arguments (the cache does not change results).
/// Throws BlowUpError if s would exceed 2^20.
/// Integrates u_t = L u + N(u) from u0 ([nc][ny][nx]; projected onto the dealiased modes first if
/// pde.keeps_real_dealiased_state(), and snapshot 0 is then that projection) and stores nt snapshots at t_n = n dt_out,
/// dt_out = T/(nt-1), as a pdesym::Field: components pde.component_names(), x_i = i Lx/nx, y_j = j Ly/ny
/// (y = {0}, dy = 0 in 1-D), dx = Lx/nx, dt = dt_out. Throws InputError for a bad box/u0/T/nt/dt_max or a box
/// dimension the PDE does not support, and BlowUpError naming `opt.label` and the time if the solution stops
/// being finite.
Field integrate(const FieldPde& pde, const Box& box, const std::vector<double>& u0, double T, int nt,
                const IntegrateOptions& opt = {}, IntegrateStats* stats = nullptr);
/// 1-D scalar convenience: the Field has shape {1, 1, nt, 1, nx}, component "u".
Field integrate(const Pde& pde, const Grid& grid, const rvec& u0, double T, int nt, const IntegrateOptions& opt = {},
                IntegrateStats* stats = nullptr);

}  // namespace pdesym::solvers
