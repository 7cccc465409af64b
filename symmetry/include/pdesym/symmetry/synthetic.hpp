#pragma once
// In-memory data for discovery experiments, tests and benchmarks: a few trajectories of a PDE from random
// sine-sum initial conditions (no HDF5 involved), and seeded Gaussian noise.
#include <cstdint>

#include "pdesym/datasets/dataset.hpp"
#include "pdesym/solvers/initial.hpp"
#include "pdesym/solvers/box.hpp"
#include "pdesym/solvers/field_pde.hpp"
#include "pdesym/solvers/pde.hpp"

namespace pdesym::symmetry {

struct SimulateOptions {
  int n = 4;                  ///< trajectories
  int nx = 128;               ///< grid points
  double L = 64.0;            ///< domain length
  double T = 10.0;            ///< final time of the stored window
  int nt = 201;               ///< stored time steps in [t0, t0 + T]
  double t_skip = 0.0;        ///< integrate this long first and store from then on (lets KS leave its transient)
  double dt_max = 0.005;      ///< largest internal ETDRK4 step
  solvers::SineSumIc ic;      ///< initial conditions
  double mean_spread = 0.0;   ///< adds a constant drawn uniformly from [-mean_spread, mean_spread] to each
                              ///< initial condition (0: zero-mean data, as before)
  std::uint64_t seed = 0;
  std::string name = "train";
};

/// Integrates `pde` from n random initial conditions and returns the stored trajectories as a Split (times
/// start at 0 after the skipped transient).
datasets::Split simulate_split(const solvers::Pde& pde, const SimulateOptions& opt);

struct FieldSimulateOptions {
  int n = 3;                       ///< trajectories
  solvers::Box box = solvers::Box::plane(32, 32, 2 * 3.141592653589793, 2 * 3.141592653589793);
  double T = 0.4;                  ///< stored window [0, T]
  int nt = 41;                     ///< stored time levels
  double dt_max = 0.0025;          ///< largest internal ETDRK4 step
  double amplitude = 0.5;          ///< random Fourier modes k_min <= |m| <= k_max (solvers::FieldIc)
  int k_min = 1, k_max = 3;
  std::vector<int> keep;           ///< components to store (empty: all), e.g. {0} for u of the wave system (u, u_t)
  std::uint64_t seed = 0;
  std::string name = "train";
};

/// Integrates an n-D / multi-component `pde` from n random-mode initial conditions and returns the stored
/// trajectories (components in `keep`) as a Split.
datasets::Split simulate_field_split(const solvers::FieldPde& pde, const FieldSimulateOptions& opt);

/// Adds Gaussian noise of standard deviation `rel` times the standard deviation of all u values of the split,
/// from a stream determined by `seed` only. Returns the absolute noise level used.
double add_noise(datasets::Split& data, double rel, std::uint64_t seed);

}  // namespace pdesym::symmetry
