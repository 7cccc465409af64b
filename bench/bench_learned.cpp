// Symmetry discovery methods side by side on small KdV, KS and Burgers data sets: the nullspace method
// (symmetry::discover_nullspace) and the three learned methods (learned::discover). Prints one Markdown table
// (the one in docs/learned.md): per equation and method, the number of generators asked for, the largest
// principal angle between the learned span and the known algebra (raw coefficients as in sym.json, and in
// normalised coordinates), the worst validity score of the learned generators, and the wall and CPU time.
//
//   bench_learned [--quick] [--seed N] [--only kdv|ks|burgers] [--methods validity,liegan,...] [--epochs N]
//
// --quick uses fewer epochs (a smoke run); the table in the docs is from the default settings. Every learned
// method uses one torch thread; the equation is identified from the data (as `pdesym discover` does).
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "pdesym/common/error.hpp"
#include "pdesym/learned/discover.hpp"
#include "pdesym/learned/validity.hpp"
#include "pdesym/solvers/pde.hpp"
#include "pdesym/symmetry/nullspace.hpp"
#include "pdesym/symmetry/synthetic.hpp"

using namespace pdesym;

namespace {

struct Case {
  std::string name;
  std::unique_ptr<solvers::PolynomialPde> pde;
  symmetry::SimulateOptions sim;
};

Case make_case(const std::string& name) {
  Case c;
  c.name = name;
  c.sim.n = 6;
  c.sim.nx = 128;
  c.sim.seed = 7;
  c.sim.dt_max = 0.005;
  if (name == "kdv") {
    c.pde = solvers::make_kdv();
    c.sim.L = 64;
    c.sim.T = 40;
    c.sim.nt = 41;
  } else if (name == "ks") {
    c.pde = solvers::make_ks();
    c.sim.L = 64;
    c.sim.T = 20;
    c.sim.nt = 41;
    c.sim.t_skip = 40;
  } else {
    c.pde = solvers::make_burgers(1.0);
    c.sim.L = 32;
    c.sim.T = 10;
    c.sim.nt = 41;
  }
  return c;
}

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

double max_angle(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  const auto ang = symmetry::principal_angles(a, b);
  return ang.empty() ? M_PI / 2 : *std::max_element(ang.begin(), ang.end());
}

}  // namespace

int main(int argc, char** argv) {
  bool quick = false;
  std::uint64_t seed = 0;
  std::string only, methods = "nullspace,validity,liegan,joint";
  int epochs = 0;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) quick = true;
    else if (!std::strcmp(argv[i], "--seed") && i + 1 < argc) seed = std::stoull(argv[++i]);
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else if (!std::strcmp(argv[i], "--methods") && i + 1 < argc) methods = argv[++i];
    else if (!std::strcmp(argv[i], "--epochs") && i + 1 < argc) epochs = std::stoi(argv[++i]);
    else {
      std::cerr << "usage: bench_learned [--quick] [--seed N] [--only kdv|ks|burgers] [--methods a,b] [--epochs N]\n";
      return 2;
    }
  }
  try {
    const symmetry::PolynomialBasis basis(2);
    std::printf("| equation | method | generators | max angle (raw) | max angle (normalised) | all angles (raw) | worst validity score | wall [s] | CPU [s] |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    for (const std::string name : {"kdv", "ks", "burgers"}) {
      if (!only.empty() && only != name) continue;
      Case c = make_case(name);
      const datasets::Split data = symmetry::simulate_split(*c.pde, c.sim);
      const Eigen::MatrixXd alg = symmetry::known_algebra(name, basis);
      const Eigen::MatrixXd alg_n = learned::normalised_generators(data, alg, basis);
      const int dim = static_cast<int>(alg.cols());
      auto row = [&](const std::string& method, const symmetry::SymmetryResult& r, double wall, double cpu) {
        double worst = -1;
        if (r.extra.contains("validity_scores"))
          for (double s : r.extra.at("validity_scores").get<std::vector<double>>()) worst = std::max(worst, s);
        const Eigen::MatrixXd gn = learned::normalised_generators(data, r.generators, basis);
        std::string all;
        char buf[32];
        for (double a : symmetry::principal_angles(r.generators, alg)) {
          std::snprintf(buf, sizeof buf, "%s%.0e", all.empty() ? "" : " ", a);
          all += buf;
        }
        char score[32] = "-";
        if (worst >= 0) std::snprintf(score, sizeof score, "%.1e", worst);
        std::printf("| %s | %s | %d | %.2e | %.2e | %s | %s | %.1f | %.1f |\n", name.c_str(), method.c_str(),
                    static_cast<int>(r.generators.cols()), max_angle(r.generators, alg), max_angle(gn, alg_n),
                    all.c_str(), score, wall, cpu);
        std::fflush(stdout);
        for (int g = 0; g < r.generators.cols(); ++g)
          std::fprintf(stderr, "  %s/%s: %s\n", name.c_str(), method.c_str(),
                       symmetry::label(r.generators.col(g), basis, 1e-3).c_str());
      };
      auto wanted = [&](const std::string& m) { return ("," + methods + ",").find("," + m + ",") != std::string::npos; };
      if (wanted("nullspace")) {
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = cpu_seconds();
        symmetry::NullspaceOptions no;
        no.seed = seed;
        const auto r = symmetry::discover_nullspace(data, no);
        row("nullspace", r, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
            cpu_seconds() - c0);
      }
      struct Run {
        std::string method;
        int generators;
      };
      for (const Run& run : {Run{"validity", dim}, Run{"liegan", 2}, Run{"joint", 1}, Run{"joint", 2}}) {
        if (!wanted(run.method)) continue;
        learned::LearnedOptions o;
        o.method = run.method;
        o.generators = run.generators;
        o.samples = 2048;
        o.threads = 1;
        o.seed = seed;
        o.progress = false;
        if (quick) o.epochs = run.method == "validity" ? 10 : 8;
        if (epochs > 0) o.epochs = epochs;
        const auto t0 = std::chrono::steady_clock::now();
        const double c0 = cpu_seconds();
        const auto r = learned::discover(data, o, basis);
        row(run.method, r, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
            cpu_seconds() - c0);
      }
    }
  } catch (const Error& e) {
    std::cerr << "bench_learned: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
