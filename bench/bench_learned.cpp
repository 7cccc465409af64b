// Symmetry discovery methods side by side on small data sets: the nullspace method (symmetry::discover_nullspace)
// and the learned methods (learned::discover), over several seeds. Equations: KdV, KS, Burgers (nu = 1), mKdV,
// and variants with combined generators (an advection term or a constant shift of u moves the scaling and the
// projective field off the textbook form). Prints one Markdown table: per equation, method and number of
// generators asked for, the median and range over the seeds of the largest principal angle between the learned
// span and the known algebra (raw coefficients as in sym.json, and in normalised coordinates), the worst
// validity score, the number of seeds below 0.1 rad in both metrics, and the median wall and CPU time. With
// --per-seed, one row per seed as well (stderr: the generators).
//
//   bench_learned [--quick] [--seeds 0,1,2] [--only kdv,ks,...] [--methods validity,liegan,...] [--epochs N]
//                 [--samples 2048] [--mean-spread S] [--nx N] [--extra K] [--joint-generators G]
//                 [--liegan-generators G] [--liegan-probe 'V1;V2;...'] [--liegan-input points|jets] [--per-seed]
//
// --mean-spread S overrides every case's spread of initial means (uniform in [-S, S]; the *-means cases use 1),
// --nx every case's grid (128), --extra K asks the validity method for K generators more than the algebra has,
// --joint-generators G runs only the joint configuration with G generators (1 or 2), --liegan-generators G
// overrides LieGAN's number of generators (2; 4 on kdv-scaled, the boost- and scaling-invariant variant),
// --liegan-probe holds LieGAN's generators fixed at the given fields (';'-separated) and trains only the
// discriminator (stderr: its accuracy per field, 0.5 = indistinguishable from the data), --liegan-input sets
// its input for every case (default: "points", "jets" on kdv-scaled).
//
// Every learned method uses one torch thread; the equation is identified from the data (as `pdesym discover`
// does). For fewer generators than the algebra has (liegan 2, joint 1 and 2) the angles measure how far the
// learned span is from lying inside the algebra.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <iostream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "pdesym/common/error.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/learned/discover.hpp"
#include "pdesym/learned/validity.hpp"
#include "pdesym/solvers/etdrk4.hpp"
#include "pdesym/solvers/pde.hpp"
#include "pdesym/symmetry/nullspace.hpp"
#include "pdesym/symmetry/synthetic.hpp"

using namespace pdesym;

namespace {

struct Case {
  std::string name;
  std::unique_ptr<solvers::PolynomialPde> pde;
  symmetry::SimulateOptions sim;
  std::vector<std::string> algebra;  ///< generators (parse_generator syntax)
  double log_lambda = 0;             ///< > 0: scale-invariant variant, see scaled_split
  int liegan_generators = 2;         ///< LieGAN generators (the distribution's symmetries it can find)
  std::string liegan_input = "points";  ///< LieGAN discriminator input (LearnedOptions::liegan_input)
  /// Given to the learned methods instead of identifying it from the data (kdv5: its order 5 is beyond the
  /// identification library's u_x^(4)).
  std::optional<symmetry::IdentifiedEquation> equation;
};

std::vector<std::string> case_names() {
  return {"kdv", "ks", "burgers", "mkdv", "kdv-adv", "burgers-adv", "ks-adv", "mkdv-shift", "kdv-means", "mkdv-means", "kdv-scaled"};
}

/// Cases outside the default table (`--only` names them), to check that a method generalises beyond the
/// equations it was developed on: Gardner u_t = -(u + u^2) u_x - u_xxx (mKdV for u + 1/2 in a frame moving
/// with speed -1/4), KdV-Burgers u_t = -u u_x + u_xx - u_xxx (no scaling) and the fifth-order KdV
/// u_t = -u u_x - u_xxxxx (order 5: the jets reach u_x^(10)). False for an unknown name.
bool make_further_case(const std::string& name, Case& c) {
  using solvers::NonlinearTerm;
  using solvers::PolynomialPde;
  c.sim.L = 64;
  if (name == "gardner") {
    c.sim.T = 10;
    c.pde = std::make_unique<PolynomialPde>("gardner", std::map<int, double>{{3, -1.0}},
                                            std::vector<NonlinearTerm>{{-0.5, 2, 1}, {-1.0 / 3.0, 3, 1}});
    c.algebra = {"d_x", "d_t", "(x - t/2)*d_x + 3*t*d_t - (u + 1/2)*d_u"};
  } else if (name == "kdv-burgers") {
    c.sim.T = 40;
    c.pde = std::make_unique<PolynomialPde>("kdv-burgers", std::map<int, double>{{2, 1.0}, {3, -1.0}},
                                            std::vector<NonlinearTerm>{{-0.5, 2, 1}});
    c.algebra = {"d_x", "d_t", "t*d_x + d_u"};
  } else if (name == "kdv5") {
    c.sim.T = 20;
    c.pde = std::make_unique<PolynomialPde>("kdv5", std::map<int, double>{{5, -1.0}},
                                            std::vector<NonlinearTerm>{{-0.5, 2, 1}});
    c.algebra = {"d_x", "d_t", "t*d_x + d_u", "x*d_x + 5*t*d_t - 4*u*d_u"};
    symmetry::IdentifiedEquation e;
    e.max_order = 5;
    e.terms = {symmetry::JetMonomial{{1, 1, 0, 0, 0, 0}}, symmetry::JetMonomial{{0, 0, 0, 0, 0, 1}}};
    e.coeffs = {-1.0, -1.0};
    c.equation = e;
  } else {
    return false;
  }
  return true;
}

Case make_case(const std::string& name) {
  Case c;
  c.name = name;
  c.sim.n = 6;
  c.sim.nx = 128;
  c.sim.seed = 7;
  c.sim.dt_max = 0.005;
  c.sim.nt = 41;
  using solvers::NonlinearTerm;
  using solvers::PolynomialPde;
  if (name == "kdv-scaled") {  // boost- and scaling-invariant initial-condition distribution (scaled_split)
    Case b = make_case("kdv");
    b.name = name;
    b.sim.n = 24;
    b.sim.mean_spread = 2.0;
    b.sim.ic.amplitude = 0.5;
    b.log_lambda = std::log(1.6);
    b.liegan_generators = 4;
    b.liegan_input = "jets";
    return b;
  }
  if (name == "kdv-means" || name == "mkdv-means") {  // initial conditions with means uniform in [-1, 1]
    Case b = make_case(name.substr(0, name.size() - 6));
    b.name = name;
    b.sim.mean_spread = 1.0;
    return b;
  }
  if (name == "kdv" || name == "kdv-adv") {
    c.sim.L = 64;
    c.sim.T = 40;
    if (name == "kdv") {
      c.pde = solvers::make_kdv();
      c.algebra = symmetry::known_algebra_generators("kdv");
    } else {  // u_t = -u u_x - u_xxx - u_x: KdV for u + 1
      c.pde = std::make_unique<PolynomialPde>("kdv-adv", std::map<int, double>{{1, -1.0}, {3, -1.0}},
                                              std::vector<NonlinearTerm>{{-0.5, 2, 1}});
      c.algebra = {"d_x", "d_t", "t*d_x + d_u", "x*d_x + 3*t*d_t - 2*(u + 1)*d_u"};
    }
  } else if (name == "ks" || name == "ks-adv") {
    c.sim.L = 64;
    c.sim.T = 20;
    c.sim.t_skip = 40;
    c.algebra = symmetry::known_algebra_generators("ks");
    if (name == "ks") c.pde = solvers::make_ks();
    else  // u_t = -u u_x - u_xx - u_xxxx - u_x (KS for u + 1: the same algebra, the boost included)
      c.pde = std::make_unique<PolynomialPde>("ks-adv", std::map<int, double>{{1, -1.0}, {2, -1.0}, {4, -1.0}},
                                              std::vector<NonlinearTerm>{{-0.5, 2, 1}});
  } else if (name == "burgers" || name == "burgers-adv") {
    c.sim.L = 32;
    c.sim.T = 10;
    if (name == "burgers") {
      c.pde = solvers::make_burgers(1.0);
      c.algebra = symmetry::known_algebra_generators("burgers");
    } else {  // u_t = -u u_x + u_xx - u_x: Burgers for u + 1
      c.pde = std::make_unique<PolynomialPde>("burgers-adv", std::map<int, double>{{1, -1.0}, {2, 1.0}},
                                              std::vector<NonlinearTerm>{{-0.5, 2, 1}});
      c.algebra = {"d_x", "d_t", "t*d_x + d_u", "x*d_x + 2*t*d_t - (u + 1)*d_u",
                   "x*t*d_x + t^2*d_t + (x - t*(u + 1))*d_u"};
    }
  } else if (name == "mkdv" || name == "mkdv-shift") {
    c.sim.L = 64;
    c.sim.T = 10;
    if (name == "mkdv") {
      c.pde = solvers::make_mkdv();
      c.algebra = symmetry::known_algebra_generators("mkdv");
    } else {  // u_t = -(u + 1)^2 u_x - u_xxx: mKdV for u + 1
      c.pde = std::make_unique<PolynomialPde>("mkdv-shift", std::map<int, double>{{1, -1.0}, {3, -1.0}},
                                              std::vector<NonlinearTerm>{{-1.0 / 3.0, 3, 1}, {-1.0, 2, 1}});
      c.algebra = {"d_x", "d_t", "x*d_x + 3*t*d_t - (u + 1)*d_u"};
    }
  } else if (!make_further_case(name, c)) {
    throw InputError("unknown case '" + name + "'");
  }
  return c;
}

// LieGAN data variant: KdV trajectories whose distribution is, to good approximation over the
// sampled range, invariant under the scaling x -> lambda x, t -> lambda^3 t, u -> lambda^-2 u and the Galilean
// boost u -> u + eps, x -> x + eps t. Trajectory i gets lambda_i = exp(U(-a, a)) (log-uniform, a = c.log_lambda)
// and is integrated (solver API) on L_i = lambda_i L over t in [0, lambda_i^3 T] (internal step lambda_i^3 dt_max,
// nt stored levels) from a sine-sum initial condition (wave numbers integers over L_i, so its shape scales with
// L_i) made zero-mean with RMS lambda_i^-2 A (A = c.sim.ic.amplitude: a fixed energy per scale, so that u
// scalings other than the symmetry's change the statistics) plus a mean lambda_i^-2 m0, m0 ~ U[-S, S]
// (S = c.sim.mean_spread). Trajectory i is then the scaling by lambda_i of a trajectory of the base distribution
// (L, T, A, S): log-uniform lambda makes the mixture invariant under scalings away from the ends of the range;
// the mean, uniform for each lambda, makes it invariant under the boost away from the ends of
// [-S lambda^-2, S lambda^-2].
datasets::Split scaled_split(const solvers::Pde& pde, const Case& c) {
  Rng rng(c.sim.seed, 0x5ca1e, 0);
  datasets::Split out;
  out.resize(c.sim.n, c.sim.nt, c.sim.nx);
  out.name = c.sim.name;
  const std::size_t per = static_cast<std::size_t>(c.sim.nt) * c.sim.nx;
  for (int i = 0; i < c.sim.n; ++i) {
    const double lam = std::exp(rng.uniform(-c.log_lambda, c.log_lambda));
    const double l3 = lam * lam * lam;
    const solvers::Grid g(c.sim.nx, c.sim.L * lam);
    solvers::rvec u0 = c.sim.ic.sample(g, rng);
    double mean = 0, var = 0;
    for (double v : u0) mean += v / static_cast<double>(u0.size());
    for (double v : u0) var += (v - mean) * (v - mean) / static_cast<double>(u0.size());
    const double m = rng.uniform(-c.sim.mean_spread, c.sim.mean_spread) / (lam * lam);
    const double k = c.sim.ic.amplitude / (lam * lam) / std::sqrt(std::max(var, 1e-30));
    for (double& v : u0) v = m + k * (v - mean);
    solvers::IntegrateOptions io;
    io.dt_max = c.sim.dt_max * l3;
    io.label = c.name + " trajectory " + std::to_string(i);
    const Field tr = solvers::integrate(pde, g, u0, c.sim.T * l3, c.sim.nt, io);
    std::copy(tr.data.begin(), tr.data.end(), out.u.begin() + static_cast<std::ptrdiff_t>(per * i));
    const solvers::rvec x = g.x();
    std::copy(x.begin(), x.end(), out.x.begin() + static_cast<std::ptrdiff_t>(i * out.nx));
    for (int n = 0; n < out.nt; ++n) out.t[static_cast<std::size_t>(i) * out.nt + n] = tr.t[static_cast<std::size_t>(n)];
    out.dx[static_cast<std::size_t>(i)] = g.dx();
    out.dt[static_cast<std::size_t>(i)] = c.sim.T * l3 / (c.sim.nt - 1);
  }
  out.validate(c.name);
  return out;
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

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n == 0 ? 0.0 : n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

std::vector<std::string> split_list(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

struct SeedResult {
  double raw = 0, norm = 0, worst = -1, wall = 0, cpu = 0;
};

}  // namespace

int main(int argc, char** argv) {
  bool quick = false, per_seed = false;
  std::string seeds_arg = "0,1,2", only, liegan_probe, liegan_input, methods = "nullspace,validity,liegan,joint";
  int epochs = 0, samples = 2048, extra = 0, nx = 0, joint_generators = 0, liegan_generators = 0;
  double mean_spread = -1;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--quick")) quick = true;
    else if (!std::strcmp(argv[i], "--per-seed")) per_seed = true;
    else if (!std::strcmp(argv[i], "--seeds") && i + 1 < argc) seeds_arg = argv[++i];
    else if (!std::strcmp(argv[i], "--only") && i + 1 < argc) only = argv[++i];
    else if (!std::strcmp(argv[i], "--methods") && i + 1 < argc) methods = argv[++i];
    else if (!std::strcmp(argv[i], "--epochs") && i + 1 < argc) epochs = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--samples") && i + 1 < argc) samples = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--extra") && i + 1 < argc) extra = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--nx") && i + 1 < argc) nx = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--joint-generators") && i + 1 < argc) joint_generators = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--liegan-generators") && i + 1 < argc) liegan_generators = std::stoi(argv[++i]);
    else if (!std::strcmp(argv[i], "--liegan-probe") && i + 1 < argc) liegan_probe = argv[++i];
    else if (!std::strcmp(argv[i], "--liegan-input") && i + 1 < argc) liegan_input = argv[++i];
    else if (!std::strcmp(argv[i], "--mean-spread") && i + 1 < argc) mean_spread = std::stod(argv[++i]);
    else {
      std::cerr << "usage: bench_learned [--quick] [--seeds 0,1,2] [--only kdv,ks,...] [--methods a,b] [--epochs N] "
                   "[--samples N] [--mean-spread S] [--nx N] [--extra K] [--joint-generators G] [--liegan-generators G] "
                   "[--liegan-probe 'V1;V2'] [--liegan-input points|jets] "
                   "[--per-seed]\n";
      return 2;
    }
  }
  try {
    std::vector<std::uint64_t> seeds;
    for (const auto& s : split_list(seeds_arg)) seeds.push_back(std::stoull(s));
    const std::vector<std::string> cases = only.empty() ? case_names() : split_list(only);
    const std::vector<std::string> wanted = split_list(methods);
    auto want = [&](const std::string& m) { return std::find(wanted.begin(), wanted.end(), m) != wanted.end(); };
    const symmetry::PolynomialBasis basis(2);
    std::printf("| equation | method | generators | max angle raw: median [min, max] | max angle normalised: median "
                "[min, max] | seeds < 0.1 rad | worst validity score (median) | wall [s] | CPU [s] |\n");
    std::printf("|---|---|---|---|---|---|---|---|---|\n");
    for (const std::string& name : cases) {
      Case c = make_case(name);
      if (mean_spread >= 0) c.sim.mean_spread = mean_spread;
      if (nx > 0) c.sim.nx = nx;
      const datasets::Split data = c.log_lambda > 0 ? scaled_split(*c.pde, c) : symmetry::simulate_split(*c.pde, c.sim);
      Eigen::MatrixXd alg(basis.size(), static_cast<Eigen::Index>(c.algebra.size()));
      for (std::size_t g = 0; g < c.algebra.size(); ++g)
        alg.col(static_cast<Eigen::Index>(g)) = symmetry::parse_generator(c.algebra[g], basis);
      const Eigen::MatrixXd alg_n = learned::normalised_generators(data, alg, basis);
      const int dim = static_cast<int>(alg.cols());

      auto measure = [&](const std::string& method, const symmetry::SymmetryResult& r, double wall, double cpu,
                         std::uint64_t seed) {
        SeedResult s;
        s.wall = wall;
        s.cpu = cpu;
        if (r.extra.contains("validity_scores"))
          for (double v : r.extra.at("validity_scores").get<std::vector<double>>()) s.worst = std::max(s.worst, v);
        s.raw = max_angle(r.generators, alg);
        s.norm = max_angle(learned::normalised_generators(data, r.generators, basis), alg_n);
        if (!r.identified_equation.empty())
          std::fprintf(stderr, "  %s/%s/seed %d: identified %s\n", name.c_str(), method.c_str(),
                       static_cast<int>(seed), r.identified_equation.c_str());
        if (r.extra.contains("discriminator_accuracy"))
          std::fprintf(stderr, "  %s/%s/seed %d: discriminator accuracy %s\n", name.c_str(), method.c_str(),
                       static_cast<int>(seed), r.extra.at("discriminator_accuracy").dump().c_str());
        if (r.extra.contains("full_batch_scores"))
          std::fprintf(stderr, "  %s/%s/seed %d: full-batch scores %s\n", name.c_str(), method.c_str(),
                       static_cast<int>(seed), r.extra.at("full_batch_scores").dump().c_str());
        for (const char* key : {"equivariance_error", "augmented_loss_ratio", "equivariance_spectrum", "relative_step_change"})
          if (r.extra.contains(key))
            std::fprintf(stderr, "  %s/%s/seed %d: %s %s\n", name.c_str(), method.c_str(), static_cast<int>(seed), key,
                         r.extra.at(key).dump().c_str());
        if (r.trust.is_object() && r.trust.contains("per_generator"))
          std::fprintf(stderr, "  %s/%s/seed %d: verdict %s, %s\n", name.c_str(), method.c_str(), static_cast<int>(seed),
                       r.trust.value("verdict", std::string("?")).c_str(), r.trust.at("per_generator").dump().c_str());
        for (int g = 0; g < r.generators.cols(); ++g)
          std::fprintf(stderr, "  %s/%s/seed %d: %s\n", name.c_str(), method.c_str(), static_cast<int>(seed),
                       symmetry::label(r.generators.col(g), basis, 1e-3).c_str());
        if (per_seed)
          std::printf("| %s | %s seed %d | %d | %.2e | %.2e | - | %.1e | %.1f | %.1f |\n", name.c_str(),
                      method.c_str(), static_cast<int>(seed), static_cast<int>(r.generators.cols()), s.raw, s.norm,
                      s.worst, wall, cpu);
        return s;
      };
      auto summarise = [&](const std::string& method, int gens, const std::vector<SeedResult>& rs) {
        std::vector<double> raw, norm, worst, wall, cpu;
        int ok = 0;
        for (const auto& s : rs) {
          raw.push_back(s.raw);
          norm.push_back(s.norm);
          worst.push_back(s.worst);
          wall.push_back(s.wall);
          cpu.push_back(s.cpu);
          ok += s.raw < 0.1 && s.norm < 0.1;
        }
        char score[32] = "-";
        if (median(worst) >= 0) std::snprintf(score, sizeof score, "%.1e", median(worst));
        std::printf("| %s | %s | %d | %.2e [%.1e, %.1e] | %.2e [%.1e, %.1e] | %d/%d | %s | %.1f | %.1f |\n",
                    name.c_str(), method.c_str(), gens, median(raw), *std::min_element(raw.begin(), raw.end()),
                    *std::max_element(raw.begin(), raw.end()), median(norm),
                    *std::min_element(norm.begin(), norm.end()), *std::max_element(norm.begin(), norm.end()), ok,
                    static_cast<int>(rs.size()), score, median(wall), median(cpu));
        std::fflush(stdout);
      };

      if (want("nullspace")) {
        std::vector<SeedResult> rs;
        int gens = 0;
        for (std::uint64_t seed : seeds) {
          const auto t0 = std::chrono::steady_clock::now();
          const double c0 = cpu_seconds();
          symmetry::NullspaceOptions no;
          no.seed = seed;
          const auto r = symmetry::discover_nullspace(data, no);
          gens = static_cast<int>(r.generators.cols());
          rs.push_back(measure("nullspace", r, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                               cpu_seconds() - c0, seed));
        }
        summarise("nullspace", gens, rs);
      }
      struct Run {
        std::string method;
        int generators;
      };
      const int gan_generators = liegan_generators > 0 ? liegan_generators : c.liegan_generators;
      for (const Run& run : {Run{"validity", dim + extra}, Run{"liegan", gan_generators}, Run{"joint", 1}, Run{"joint", 2}}) {
        if (!want(run.method)) continue;
        if (run.method == "joint" && joint_generators > 0 && run.generators != joint_generators) continue;
        std::vector<SeedResult> rs;
        int gens = run.generators;
        for (std::uint64_t seed : seeds) {
          learned::LearnedOptions o;
          o.method = run.method;
          o.generators = run.generators;
          o.samples = samples;
          o.threads = 1;
          o.seed = seed;
          o.progress = false;
          if (c.equation) o.equation = c.equation;
          if (quick) o.epochs = run.method == "validity" ? 10 : 8;
          if (epochs > 0) o.epochs = epochs;
          o.liegan_input = liegan_input.empty() ? c.liegan_input : liegan_input;
          if (run.method == "liegan" && !liegan_probe.empty()) {
            std::stringstream ps(liegan_probe);
            for (std::string g; std::getline(ps, g, ';');) o.liegan_probe.push_back(g);
          }
          const auto t0 = std::chrono::steady_clock::now();
          const double c0 = cpu_seconds();
          const auto r = learned::discover(data, o, basis);
          gens = static_cast<int>(r.generators.cols());
          rs.push_back(measure(run.method, r, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(),
                               cpu_seconds() - c0, seed));
        }
        summarise(run.method, gens, rs);
      }
    }
  } catch (const Error& e) {
    std::cerr << "bench_learned: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
