#pragma once
// Small KdV datasets made directly with the solver, for the surrogate tests.
#include <string>

#include "pdesym/common/rng.hpp"
#include "pdesym/datasets/dataset.hpp"
#include "pdesym/solvers/etdrk4.hpp"
#include "pdesym/solvers/initial.hpp"

namespace pdesym::testdata {

/// n KdV trajectories (sine-sum initial conditions) on a periodic grid of nx points, L = 32, nt levels over T.
inline datasets::Split tiny_kdv(const std::string& name, int n, std::uint64_t seed, int nx = 32, int nt = 24,
                                double T = 12.0) {
  auto kdv = solvers::make_kdv();
  const solvers::Grid g(nx, 32.0);
  solvers::SineSumIc ic;
  datasets::Split s;
  s.name = name;
  s.resize(n, nt, nx);
  for (int i = 0; i < n; ++i) {
    Rng rng(seed, 7, static_cast<std::uint64_t>(i));
    const Field tr = solvers::integrate(*kdv, g, ic.sample(g, rng), T, nt);
    std::copy(tr.data.begin(), tr.data.end(), s.traj(i));
    std::copy(tr.x.begin(), tr.x.end(), s.x.begin() + static_cast<std::ptrdiff_t>(i) * nx);
    std::copy(tr.t.begin(), tr.t.end(), s.t.begin() + static_cast<std::ptrdiff_t>(i) * nt);
    s.dx[i] = tr.dx;
    s.dt[i] = tr.dt;
  }
  return s;
}

}  // namespace pdesym::testdata
