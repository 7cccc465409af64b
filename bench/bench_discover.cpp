// Timing of the nullspace discovery method (the target: seconds, not hours) on the test-size data of
// tests/symmetry (4 trajectories, nx = 256, 501 stored steps) for KdV, Burgers, KS and mKdV, clean and with 1%
// noise, and on an LPSDA-size KdV split (coarse dt = 0.72). Prints a Markdown table: identified equation,
// Grassmann distance to the known algebra, and seconds split into identification / jets / condition+SVD / total,
// best of --repeat runs.
//
// A second table times the n-D path (system.hpp) on 2-D data from the n-D solvers: heat (32^2), cubic NLS and
// lambda-omega (64^2, two components), wave (32^2, u_tt), 3 trajectories x 41 levels each, clean, default
// options (6 stability resamples).
//
//   bench_discover [--repeat N] [--only kdv|burgers|ks|mkdv|lpsda|heat2d|nls2d|lambda-omega|wave2d]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "pdesym/solvers/field_pde.hpp"
#include "pdesym/solvers/pde.hpp"
#include "pdesym/symmetry/nullspace.hpp"
#include "pdesym/symmetry/synthetic.hpp"

using namespace pdesym;
using namespace pdesym::symmetry;

namespace {

struct Case {
  std::string name, algebra;
  std::unique_ptr<solvers::PolynomialPde> pde;
  SimulateOptions sim;
};

Case make_case(const std::string& name) {
  Case c;
  c.name = name;
  c.algebra = name;
  c.sim.n = 4;
  c.sim.nx = 256;
  c.sim.T = 5;
  c.sim.nt = 501;
  c.sim.seed = 11;
  if (name == "kdv" || name == "mkdv") {
    c.pde = name == "kdv" ? solvers::make_kdv() : solvers::make_mkdv();
    c.sim.L = 64;
    c.sim.ic.amplitude = 0.3;
  } else if (name == "burgers") {
    c.pde = solvers::make_burgers(1.0);
    c.sim.L = 32;
    c.sim.ic.amplitude = 0.5;
  } else if (name == "ks") {
    c.pde = solvers::make_ks();
    c.sim.L = 64;
    c.sim.t_skip = 40;
    c.sim.ic.amplitude = 0.5;
  } else {  // lpsda: the configs/kdv.yaml setting, 8 trajectories
    c.algebra = "kdv";
    c.pde = solvers::make_kdv();
    c.sim.n = 8;
    c.sim.L = 128;
    c.sim.T = 100;
    c.sim.nt = 140;
    c.sim.ic.amplitude = 0.5;
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  int repeat = 3;
  std::string only;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc) repeat = std::max(1, std::atoi(argv[++i]));
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else {
      std::fprintf(stderr, "usage: bench_discover [--repeat N] [--only kdv|burgers|ks|mkdv|lpsda|heat2d|nls2d|"
                           "lambda-omega|wave2d]\n");
      return 2;
    }
  }
  std::printf("| data | noise | identified equation | dim | Grassmann dist. | identify [s] | jets [s] | "
              "condition+SVD [s] | total [s] |\n|---|---|---|---|---|---|---|---|---|\n");
  for (const std::string name : {"kdv", "burgers", "ks", "mkdv", "lpsda"}) {
    if (!only.empty() && only != name) continue;
    const Case c = make_case(name);
    const datasets::Split clean = simulate_split(*c.pde, c.sim);
    for (double noise : {0.0, 0.01}) {
      datasets::Split s = clean;
      if (noise > 0) add_noise(s, noise, 2024);
      SymmetryResult best;
      double best_total = 1e300;
      for (int r = 0; r < repeat; ++r) {
        SymmetryResult res = discover_nullspace(s);
        const double tot = res.extra["timings_s"]["total"].get<double>();
        if (tot < best_total) {
          best_total = tot;
          best = res;
        }
      }
      const auto& tm = best.extra["timings_s"];
      const double dist = grassmann_distance(best.generators, known_algebra(c.algebra, best.basis));
      std::printf("| %s (%d x %d x %d) | %g%% | `%s` | %d | %.2e | %.3f | %.3f | %.3f | %.3f |\n", name.c_str(), s.n,
                  s.nt, s.nx, noise * 100, best.identified_equation.c_str(), static_cast<int>(best.generators.cols()),
                  dist, tm["identify"].get<double>(), tm["sample_jets"].get<double>(),
                  tm["symbolic"].get<double>() + tm["evaluate_svd"].get<double>(), best_total);
      std::fflush(stdout);
    }
  }
  std::printf("\n| 2-D data | identified equation | dim | Grassmann dist. | verdict | identify [s] | jets [s] | "
              "condition+SVD [s] | trust [s] | total [s] |\n|---|---|---|---|---|---|---|---|---|---|\n");
  for (const std::string name : {"heat2d", "nls2d", "lambda-omega", "wave2d"}) {
    if (!only.empty() && only != name) continue;
    FieldSimulateOptions o;
    std::unique_ptr<solvers::FieldPde> pde;
    int time_order = 1;
    if (name == "heat2d") {
      pde = solvers::make_heat2d(0.5);
    } else if (name == "wave2d") {
      pde = solvers::make_wave(1.0);
      o.keep = {0};
      time_order = 2;
    } else {
      pde = name == "nls2d" ? solvers::make_nls() : solvers::make_lambda_omega(0.1, 1.0);
      o.box = solvers::Box::plane(64, 64, 2 * M_PI, 2 * M_PI);
      o.amplitude = 0.3;
    }
    const datasets::Split s = simulate_field_split(*pde, o);
    NullspaceOptions no;
    no.identify.time_order = time_order;
    no.identify.max_samples = 6000;
    SymmetryResult best;
    double best_total = 1e300;
    for (int r = 0; r < repeat; ++r) {
      SymmetryResult res = discover_nullspace(s, no);
      const double tot = res.extra["timings_s"]["total"].get<double>();
      if (tot < best_total) {
        best_total = tot;
        best = res;
      }
    }
    const auto& tm = best.extra["timings_s"];
    std::printf("| %s (%d x %d x %d x %d) | `%s` | %d | %.2e | %s | %.3f | %.3f | %.3f | %.3f | %.3f |\n", name.c_str(),
                s.n, s.nt, s.ny, s.nx, best.identified_equation.c_str(), static_cast<int>(best.generators.cols()),
                grassmann_distance(best.generators, known_algebra(name, best.basis)),
                best.trust["verdict"].get<std::string>().c_str(), tm["identify"].get<double>(),
                tm["sample_jets"].get<double>(), tm["symbolic"].get<double>() + tm["evaluate_svd"].get<double>(),
                tm["trust"].get<double>(), best_total);
    std::fflush(stdout);
  }
  return 0;
}
