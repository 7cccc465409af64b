#pragma once
// Dataset generation: random initial conditions integrated with ETDRK4, written as one LPSDA file
// (dataset.hpp) by all MPI ranks together through parallel HDF5.
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
//     jitter_L: 0.0          # optional, fraction in [0, 1): L_i = L (1 + jitter_L U[-1,1)) per trajectory
//     jitter_T: 0.0          # optional, same for T (so dt varies per trajectory; nt stays fixed)
//   solver:
//     dt: 0.01               # largest internal ETDRK4 step (the step is dt_out / ceil(dt_out / dt))
//   initial_condition:       # optional (defaults below); solvers::SineSumIc
//     type: sine_sum
//     terms: 10
//     amplitude: 0.5
//     l_min: 1
//     l_max: 2
//   splits: {train: 512, valid: 128, test: 128}   # counts; 0 (or absent) skips that group
//   seed: 42                 # integer >= 0
//   name: ...                # optional free text (ignored)
//   description: ...         # optional free text (ignored)
//
// Reproducibility: trajectory i of split s (0 train, 1 valid, 2 test) draws from pdesym::Rng(seed, s, i):
// first the L factor U[-1,1), then the T factor U[-1,1) (both always drawn, so switching jitter on or off
// does not change the other draws), then the initial condition. The output is therefore identical for any
// number of MPI ranks, and trajectory i does not depend on how many trajectories the split has.
#include <mpi.h>

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "pdesym/common/config.hpp"
#include "pdesym/datasets/dataset.hpp"
#include "pdesym/solvers/etdrk4.hpp"
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
  double jitter_L = 0, jitter_T = 0;
  double dt = 0;  ///< solver.dt: largest internal ETDRK4 step
  solvers::SineSumIc ic;
  std::array<int, 3> counts{};  ///< trajectories per split: train, valid, test
  std::uint64_t seed = 0;

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

/// What trajectory (split_index, traj_index) starts from: its label ("train/17"), jittered L and T, and u0.
struct TrajectorySpec {
  std::string label;
  double L = 0, T = 0;
  solvers::rvec u0;
};
TrajectorySpec trajectory_spec(const GenerationConfig& gc, int split_index, int traj_index);

/// Integrates one trajectory (pure function of the config and the two indices) into a pdesym::Field. Throws BlowUpError whose
/// message starts with the label, e.g. "train/17: kdv solution blew up ...".
Field make_trajectory(const GenerationConfig& gc, int split_index, int traj_index);

/// Serial, in-memory generation of trajectories [first, first+count) of one split (count < 0: to the end).
/// Same numbers as `generate` writes; handy for tests and small experiments without MPI or files.
Split make_split(const GenerationConfig& gc, int split_index, int first = 0, int count = -1);

struct GenerateSummary {
  std::string path;
  std::array<int, 3> counts{};  ///< train, valid, test
  int trajectories = 0;
  int ranks = 1;
  double seconds = 0;  ///< wall time from start to the renamed file (rank 0's clock, same on all ranks)
  double trajectories_per_second = 0;
  /// One-line human summary.
  std::string line() const;
};

/// Generates all splits of `gc` into `out_path` with every rank of `comm` (collective: all ranks call it with
/// the same arguments). Trajectories are dealt round-robin over the ranks and written by hyperslab into one
/// file through parallel HDF5, at AtomicFile::temp_name_for(out_path), which rank 0 renames once all ranks
/// have closed it. On any failure (e.g. a blow-up) the ranks agree before the next collective call, the
/// temporary file is removed, nothing is left at out_path, and every rank throws: the rank that failed its
/// detailed error (e.g. BlowUpError "train/17: kdv solution blew up ..."), the others a short pdesym::Error
/// naming the trajectory and the rank. A progress bar is drawn on rank 0 if `progress`. MPI must be initialised;
/// MPI_COMM_SELF gives a serial run.
GenerateSummary generate(const GenerationConfig& gc, const std::string& out_path, MPI_Comm comm,
                         bool progress = true);
GenerateSummary generate(const Config& cfg, const std::string& out_path, MPI_Comm comm, bool progress = true);

}  // namespace pdesym::datasets
