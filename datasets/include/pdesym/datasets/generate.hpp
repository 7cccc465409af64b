#pragma once
// Dataset generation: random initial conditions integrated with ETDRK4, written as one file (dataset.hpp: LPSDA
// for 1-D scalar equations, pdesym-nd for 2-D and multi-component ones) by all MPI ranks together through
// parallel HDF5.
//
// Config schema (YAML; unknown keys are rejected; see configs/*.yaml for annotated examples):
//
//   equation: kdv            # kdv | mkdv | burgers | ks | heat | custom  (solvers::make_pde)
//   coefficients: {alpha: 1.0, beta: 1.0}   # optional; per equation (kdv/mkdv: alpha, beta; burgers/heat: nu)
//   pde: {...}               # only for equation: custom (see solvers/pde.hpp)
//   domain:
//     L: 128.0               # domain length, periodic x in [0, L)
//     T: 100.0               # final time; nt snapshots at t_n = n T / (nt - 1)
//     nx: 256                # grid points (even, >= 4)
//     nt: 140                # stored time steps (>= 2)
//     nt_solve: 250          # optional (default nt), >= nt: the solver outputs nt_solve levels t_n = n T / (nt_solve
//                            # - 1), n = 0..nt_solve-1, and the last nt are stored (LPSDA's nt = 250 solved, 140
//                            # kept: stored t runs from (nt_solve - nt) T / (nt_solve - 1) to T, dt = T / (nt_solve - 1))
//     nx_solve: 400          # optional (default nx), 1-D only, a multiple of nx: the initial condition is sampled and
//                            # the equation solved on nx_solve points, and every (nx_solve / nx)-th point is stored
//                            # (x_i = i L / nx as without it): data at the stored resolution without its
//                            # under-resolution error (configs/lienlsd/burgers.yaml)
//     jitter_L: 0.0          # optional, fraction in [0, 1): L_i = L (1 + jitter_L U[-1,1)) per trajectory
//     jitter_T: 0.0          # optional, same for T (so dt varies per trajectory; nt stays fixed)
//   solver:
//     dt: 0.01               # largest internal ETDRK4 step (the step is dt_out / ceil(dt_out / dt))
//     rtol: 1e-7             # optional: error-controlled step per trajectory (solvers::integrate, adaptive
//                            # path; embedded error estimate). With rtol, dt is optional and is the
//                            # largest step allowed (h_max); without rtol the fixed-step path is unchanged.
//     atol: 0.0              # optional, only with rtol: absolute tolerance in the field's units (RMS)
//     dealias: "2/3"         # optional: "2/3" (default: 2/3-rule mask), "none" (every mode below Nyquist, products
//                            # aliased: LPSDA's choice) or "3/2" (the same modes, products on a 3/2 zero-padded
//                            # grid: quadratic terms exact); solvers/box.hpp. Kept in the 'config' attribute.
//     fft_planning: estimate # optional: "estimate" (default, FFTW_ESTIMATE: bit-reproducible for any ranks and
//                            # machines) or "measure" (FFTW_MEASURE: ~1.6x faster 256-point transforms, results
//                            # reproducible to round-off only; plans kept across processes in a wisdom file,
//                            # $PDESYM_FFTW_WISDOM or $XDG_CACHE_HOME/pdesym/fftw-wisdom; solvers/box.hpp)
//   initial_condition:       # optional (defaults below); solvers::SineSumIc
//     type: sine_sum
//     terms: 10
//     amplitude: 0.5
//     l_min: 1
//     l_max: 2
//     exp_scale: 0.0         #   optional: > 0 makes u0 = exp(exp_scale (2 (s - min s) / (max s - min s) - 1)) of the
//                            #   sine sum s (LPSDA's positive heat initial condition, exp_scale 10)
//   cole_hopf: false         # optional, only with equation: burgers: integrate the heat equation psi_t = nu psi_xx
//                            # from psi0 = the initial condition (which must be positive: use exp_scale) and store
//                            # u = -2 nu psi_x / psi (solvers/cole_hopf.hpp), LPSDA's Burgers recipe
//   splits: {train: 512, valid: 128, test: 128}   # counts; 0 (or absent) skips that group
//   seed: 42                 # integer >= 0
//   name: ...                # optional free text (ignored)
//   description: ...         # optional free text (ignored)
//
// n-D and system equations (solvers::is_field_config: heat2d, nls, lambda_omega, wave, navier_stokes, ks2d,
// custom systems; see solvers/field_pde.hpp) go through solvers::FieldPde / FieldIc and write the pdesym-nd
// layout. Their domain, in 2-D:
//   domain: {dim: 2, Lx: 6.283, Ly: 6.283, nx: 64, ny: 64, T: 5.0, nt: 21, jitter_L: 0.0, jitter_T: 0.0}
// (nx, ny even, >= 4; jitter_L scales Lx and Ly by the same factor, so the aspect ratio is kept), and in 1-D
// (e.g. NLS) the keys of the 1-D schema above (L, nx; `dim: 1` optional). Their initial_condition is
// solvers::FieldIc's (random_modes by default; field_ic.hpp).
//
// Reproducibility: trajectory i of split s (0 train, 1 valid, 2 test) draws from pdesym::Rng(seed, s, i):
// first the L factor U[-1,1), then the T factor U[-1,1) (both always drawn, so switching jitter on or off
// does not change the other draws), then the initial condition (all components, in order). The output is therefore identical for any
// number of MPI ranks, and trajectory i does not depend on how many trajectories the split has (with
// solver.fft_planning: measure only to round-off, unless the wisdom file already holds the plans).
#include <mpi.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "pdesym/common/config.hpp"
#include "pdesym/datasets/dataset.hpp"
#include "pdesym/solvers/etdrk4.hpp"
#include "pdesym/solvers/field_ic.hpp"
#include "pdesym/solvers/field_pde.hpp"
#include "pdesym/solvers/initial.hpp"
#include "pdesym/solvers/pde.hpp"

namespace pdesym::datasets {

/// Split names in index order: 0 train, 1 valid, 2 test.
inline constexpr std::array<const char*, 3> kSplitNames = {"train", "valid", "test"};
/// Index of "train"/"valid"/"test"; throws InputError for any other name.
int split_index(const std::string& name);

/// A parsed and validated generation config.
struct GenerationConfig {
  std::string source;  ///< where it came from (config file name), for messages
  std::string yaml;    ///< the effective config as YAML text (stored in the 'config' attribute)
  std::shared_ptr<const solvers::PolynomialPde> pde;
  double L = 0, T = 0;
  int nx = 0, nt = 0;
  int nt_solve = 0;  ///< domain.nt_solve: solver output levels over [0, T], the last nt stored (= nt if absent)
  int nx_solve = 0;  ///< domain.nx_solve: solver grid points (1-D), every (nx_solve / nx)-th stored (= nx if absent)
  /// cole_hopf: the stored field is the Cole–Hopf image -2 nu psi_x / psi of this heat equation's solution psi
  /// (equation burgers with coefficient nu); null otherwise.
  std::shared_ptr<const solvers::PolynomialPde> heat_for_cole_hopf;
  double cole_hopf_nu = 0;
  double jitter_L = 0, jitter_T = 0;
  double dt = 0;  ///< solver.dt: largest internal ETDRK4 step (+inf if absent, which needs rtol)
  double rtol = 0, atol = 0;  ///< solver.rtol / solver.atol: error control when rtol > 0 (0: fixed step dt)
  solvers::Dealias dealias = solvers::Dealias::TwoThirds;  ///< solver.dealias
  solvers::FftPlanning fft_planning = solvers::FftPlanning::Estimate;  ///< solver.fft_planning (make_trajectory)
  solvers::SineSumIc ic;
  std::array<int, 3> counts{};  ///< trajectories per split: train, valid, test
  std::uint64_t seed = 0;
  /// n-D / system equations: field_pde and field_ic are set, and pde is null; L is Lx. 1-D scalar equations keep
  /// pde and ic (the LPSDA path) and leave these at their defaults.
  std::shared_ptr<const solvers::FieldPde> field_pde;
  std::shared_ptr<const solvers::FieldIc> field_ic;
  int dim = 1;     ///< space dimensions (domain.dim)
  double Ly = 0;   ///< 2-D: domain length in y
  int ny = 1;      ///< 2-D: grid points in y
  bool is_field() const { return field_pde != nullptr; }
  /// Shape of every trajectory, and the component names ({"u"} on the 1-D scalar path).
  FieldShape shape() const;
  std::vector<std::string> components() const;
  /// The solver's box of a trajectory with (jittered) lengths Lx, Ly (nx_solve points in x; ny in y).
  solvers::Box box(double Lx, double Ly_) const;

  /// Parses and validates a config (InputError naming the file and key on any problem).
  static GenerationConfig from_config(const Config& cfg);
  int total() const { return counts[0] + counts[1] + counts[2]; }
  /// Root attributes that `generate` writes (equation, coefficients, seed, version, config).
  Attributes attributes() const;
};

/// Command-line style overrides applied to the YAML before parsing, so the stored config stays faithful.
struct GenerateOverrides {
  std::optional<int> train, valid, test;
  std::optional<long long> seed;
};
/// Returns a deep copy of `cfg` with splits.train/valid/test and seed replaced where given.
Config apply_overrides(const Config& cfg, const GenerateOverrides& o);

/// What trajectory (split_index, traj_index) starts from: its label ("train/17"), jittered L (= Lx), Ly (2-D) and
/// T, and u0 ([nc][ny][nx] on the solver grid: nx_solve points in 1-D).
struct TrajectorySpec {
  std::string label;
  double L = 0, T = 0;
  solvers::rvec u0;
  double Ly = 0;
};
TrajectorySpec trajectory_spec(const GenerationConfig& gc, int split_index, int traj_index);

/// Integrates one trajectory (pure function of the config and the two indices) into a pdesym::Field. Throws BlowUpError whose
/// message starts with the label, e.g. "train/17: kdv solution blew up ...".
Field make_trajectory(const GenerationConfig& gc, int split_index, int traj_index);
/// The same, reporting step counts in *stats (may be null); with solver.rtol, `steppers` (may be null) keeps the
/// coefficients for the next trajectories (same results, less setup).
Field make_trajectory(const GenerationConfig& gc, int split_index, int traj_index, solvers::IntegrateStats* stats,
                      solvers::StepperCache* steppers = nullptr);

/// Serial, in-memory generation of trajectories [first, first+count) of one split (count < 0: to the end).
/// Same numbers as `generate` writes; handy for tests and small experiments without MPI or files.
Split make_split(const GenerationConfig& gc, int split_index, int first = 0, int count = -1);

struct GenerateSummary {
  std::string path;
  std::array<int, 3> counts{};  ///< train, valid, test
  int trajectories = 0;
  int resumed = 0;     ///< trajectories taken over from the partial file (--resume), not computed again
  int ranks = 1;
  double seconds = 0;  ///< wall time from start to the renamed file (rank 0's clock, same on all ranks)
  double trajectories_per_second = 0;
  /// One-line human summary.
  std::string line() const;
};

struct GenerateOptions {
  bool progress = true;  ///< progress bar on rank 0
  bool resume = false;   ///< continue from partial_name_for(out_path) if it exists (else start from scratch)
  /// Testing hook: each rank raises `interrupt_signal` after finishing this many trajectories in this call
  /// (<0: off), as if the job had been interrupted there.
  int interrupt_after = -1;
  int interrupt_signal = 15;  ///< SIGTERM
};

/// Name of the in-progress file of `generate`: "<out>.partial".
std::string partial_name_for(const std::string& out_path);

/// Generates all splits of `gc` into `out_path` with every rank of `comm` (collective: all ranks call it with
/// the same arguments). Trajectories are dealt round-robin over the ranks and written by hyperslab into one
/// file through parallel HDF5, the partial file partial_name_for(out_path), which rank 0 renames once all ranks
/// have closed it.
///
/// Partial file and resume: besides the final layout it holds, per split, a uint8 data set `finished` [n] (1 once
/// trajectory i is completely written; set after its rows) and the root attribute `partial_config` (the
/// effective config YAML). Its metadata is flushed before any trajectory is computed, so a killed run (SIGTERM,
/// SIGKILL) leaves a readable file. With `resume`, a partial file made from the same config is reopened and only
/// the trajectories not marked finished are computed; one made from a different config is refused
/// (InputError). Without `resume` the partial file is replaced. At the end the `finished` data sets and
/// `partial_config` are removed and the root attributes written, so the final file has the same data sets and
/// attributes as an uninterrupted run's. SIGINT/SIGTERM keep the partial file (pdesym::interrupt prints how
/// many trajectories are done); errors (e.g. a blow-up, a full disk) remove it.
///
/// On any failure the ranks agree before the next collective call, the partial file is removed, nothing is left
/// at out_path, and every rank throws: the rank that failed its detailed error (e.g. BlowUpError "train/17: kdv
/// solution blew up ..."), the others a short pdesym::Error naming the trajectory and the rank. MPI must be
/// initialised; MPI_COMM_SELF gives a serial run.
GenerateSummary generate(const GenerationConfig& gc, const std::string& out_path, MPI_Comm comm,
                         const GenerateOptions& opt);
GenerateSummary generate(const GenerationConfig& gc, const std::string& out_path, MPI_Comm comm,
                         bool progress = true);
GenerateSummary generate(const Config& cfg, const std::string& out_path, MPI_Comm comm, bool progress = true);

}  // namespace pdesym::datasets
