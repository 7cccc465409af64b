// pdesym discover --data FILE.h5 [--split train] [--method nullspace|validity|liegan|joint] [--degree 2]
//                 [--generators G --epochs E --lr R --field polynomial|mlp]   (learned methods)
//                 [--noise 0.01] [--select cv|bic|fixed] [--threshold 1e-5] [--tie-tolerance 0.1] [--time-order 1|2] [--resamples 6]
//                 --out sym.json [--compare kdv|...|wave2d|other.json] [--plot fields.png]
// pdesym discover --sym sym.json --compare kdv [--plot fields.png]     (compare/plot an existing result)
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/datasets/dataset.hpp"
#include "pdesym/symmetry/basis.hpp"
#include "pdesym/symmetry/nullspace.hpp"
#include "pdesym/symmetry/plot.hpp"
#include "pdesym/symmetry/synthetic.hpp"
#include "torch_plugin.hpp"

namespace pdesym::cli {

namespace {

struct DiscoverArgs {
  std::string data, split = "train", method = "nullspace", out, compare, sym, plot;
  int degree = 2, trajectories = -1, samples = 4000, epochs = 0, generators = 4, max_order = 4, library_degree = 3,
      resamples = 6, time_order = 1, max_order_2d = 2;
  double noise = 0.0, gap_threshold = 1e3, null_tol = 1e-6, threshold = 1e-5, lr = 0.0, tie_tolerance = 0.1;
  std::string select = "cv", field = "polynomial";
  std::uint64_t seed = 0;
  bool no_progress = false;
};

symmetry::SymmetryResult run_nullspace(const datasets::Split& split, const DiscoverArgs& a) {
  symmetry::NullspaceOptions o;
  o.degree = a.degree;
  o.samples = a.samples;
  o.seed = a.seed;
  o.gap_threshold = a.gap_threshold;
  o.null_tol = a.null_tol;
  o.identify.seed = a.seed + 1;
  o.identify.max_order = a.max_order;
  o.identify.max_order_2d = a.max_order_2d;
  PDESYM_REQUIRE(a.time_order == 1 || a.time_order == 2, "--time-order must be 1 or 2, got " << a.time_order);
  o.identify.time_order = a.time_order;
  o.identify.max_degree = a.library_degree;
  o.identify.threshold = a.threshold;
  PDESYM_REQUIRE(a.tie_tolerance >= 0, "--tie-tolerance must be >= 0, got " << a.tie_tolerance);
  o.identify.tie_tolerance = a.tie_tolerance;
  PDESYM_REQUIRE(a.select == "cv" || a.select == "bic" || a.select == "fixed",
                 "--select must be cv, bic or fixed, got '" << a.select << "'");
  o.identify.select = a.select != "fixed";
  o.identify.criterion = a.select == "bic" ? symmetry::Criterion::Bic : symmetry::Criterion::CrossValidation;
  PDESYM_REQUIRE(a.resamples >= 0, "--resamples must be >= 0, got " << a.resamples);
  o.trust.resamples = a.resamples;
  return symmetry::discover_nullspace(split, o);
}

/// A discovery method of the command: its name, whether it takes n-D / multi-component data, and how it runs.
struct Method {
  std::string name;
  bool any_shape = false;
  std::function<symmetry::SymmetryResult(const datasets::Split&, const DiscoverArgs&)> run;
};

// The built-in method, then (when `learned_for` names the option that needs them: it loads LibTorch) the
// learned methods of the plugin.
const std::vector<Method>& methods(const std::string& learned_for = "") {
  static std::vector<Method> m{{"nullspace", true, run_nullspace}};
  static bool learned_added = false;
  if (!learned_for.empty() && !learned_added) {
    for (const std::string& name : torch_plugin(learned_for).learned_methods())
      m.push_back({name, false, [name](const datasets::Split& split, const DiscoverArgs& a) {
                     learned::LearnedOptions o;
                     o.method = name;
                     o.epochs = a.epochs;
                     o.generators = a.generators;
                     o.lr = a.lr;
                     o.field = a.field;
                     o.seed = a.seed;
                     o.progress = !a.no_progress;
                     return torch_plugin("--method " + name).discover(split, o, symmetry::PolynomialBasis(a.degree));
                   }});
    learned_added = true;
  }
  return m;
}

const Method& find_method(const std::string& name) {
  for (const auto& m : methods())
    if (m.name == name) return m;
  std::ostringstream known;
  for (const auto& m : methods("--method " + name)) {
    if (m.name == name) return m;
    known << (known.tellp() > 0 ? ", " : "") << m.name;
  }
  throw InputError("unknown --method '" + name + "' (" + known.str() + ")");
}

// The reference span for --compare: a known algebra's name or another sym.json, over `basis`.
Eigen::MatrixXd reference_span(const std::string& what, const symmetry::PolynomialBasis& basis, std::string& title) {
  const auto names = symmetry::known_algebra_names();
  if (std::find(names.begin(), names.end(), what) != names.end()) {
    title = "known " + what + " algebra";
    return symmetry::known_algebra(what, basis);
  }
  if (file_exists(what)) {
    const symmetry::SymmetryResult other = symmetry::read_sym_json(what);
    title = what + " (" + other.method + ")";
    return symmetry::change_basis(other.generators, other.basis, basis);
  }
  std::ostringstream list;
  for (const auto& n : names) list << (list.tellp() > 0 ? ", " : "") << n;
  throw InputError("--compare '" + what + "': neither a known algebra (" + list.str() + ") nor an existing sym.json file");
}

void print_result(const symmetry::SymmetryResult& r) {
  if (!r.identified_equation.empty()) std::printf("identified equation: %s\n", r.identified_equation.c_str());
  if (r.extra.contains("identification")) {
    const auto& id = r.extra["identification"];
    std::printf("  residual %.3g on %d samples, library %d terms, %s, noise estimate %.3g\n",
                id.value("residual_rel", 0.0), id.value("samples", 0), id.value("library_size", 0),
                id["preprocessing"].value("regime", std::string("?")).c_str(),
                id["preprocessing"].value("noise_rel_estimate", 0.0));
  }
  std::printf("method %s, basis degree %d (%d fields): %d generator%s\n", r.method.c_str(), r.basis.degree(),
              r.basis.size(), static_cast<int>(r.generators.cols()), r.generators.cols() == 1 ? "" : "s");
  for (int g = 0; g < r.generators.cols(); ++g)
    std::printf("  V%d = %s\n", g + 1, symmetry::label(r.generators.col(g), r.basis).c_str());
  if (!r.singular_values.empty()) {
    const int m = static_cast<int>(r.singular_values.size());
    const double s0 = r.singular_values[0] > 0 ? r.singular_values[0] : 1.0;
    int gap = m - static_cast<int>(r.generators.cols()) - 1;
    if (r.extra.contains("nullspace") && r.extra["nullspace"].contains("gap_index"))
      gap = r.extra["nullspace"]["gap_index"].get<int>();
    const int lo = std::max(0, (gap < 0 ? m - 1 : gap) - 2), hi = std::min(m - 1, (gap < 0 ? m - 1 : gap) + 3);
    std::printf("singular values / largest, around the gap (index: value):\n ");
    for (int i = lo; i <= hi; ++i)
      std::printf(" %d:%.3g%s", i + 1, r.singular_values[static_cast<std::size_t>(i)] / s0, i == gap ? " |" : "");
    std::printf("\n");
    if (r.extra.contains("nullspace"))
      std::printf("  rank %d, nullity %d, gap ratio %.3g (threshold %.3g)\n", r.extra["nullspace"].value("rank", 0),
                  r.extra["nullspace"].value("nullity", 0), r.extra["nullspace"].value("gap_ratio", 0.0),
                  r.extra["nullspace"].value("gap_threshold", 0.0));
  }
  if (r.trust.is_object() && r.trust.contains("verdict")) {
    std::printf("verdict: %s\n", r.trust["verdict"].get<std::string>().c_str());
    for (const auto& why : r.trust.value("reasons", nlohmann::json::array()))
      std::printf("  - %s\n", why.get<std::string>().c_str());
    for (const auto& note : r.trust.value("notes", nlohmann::json::array()))
      std::printf("  note: %s\n", note.get<std::string>().c_str());
  }
  if (r.extra.contains("timings_s") && r.extra["timings_s"].contains("total"))
    std::printf("discovery took %.2f s\n", r.extra["timings_s"]["total"].get<double>());
}

void print_comparison(const symmetry::SymmetryResult& r, const std::string& what) {
  std::string title;
  const Eigen::MatrixXd B = reference_span(what, r.basis, title);
  const auto ang = symmetry::principal_angles(r.generators, B);
  std::printf("compared with %s (dim %d vs %d; raw monomial coefficients, unit-normalised generators):\n",
              title.c_str(), static_cast<int>(r.generators.cols()), static_cast<int>(B.cols()));
  std::printf("  principal angles [rad]:");
  for (double a : ang) std::printf(" %.3g", a);
  if (ang.empty()) std::printf(" (none)");
  std::printf("\n  Grassmann distance %.3g\n", symmetry::grassmann_distance(r.generators, B));
}

}  // namespace

void register_discover(CLI::App& app) {
  auto a = std::make_shared<DiscoverArgs>();
  auto* cmd = app.add_subcommand("discover", "Discover the Lie point symmetries of the PDE behind a dataset");
  cmd->add_option("--data", a->data, "dataset (HDF5, LPSDA layout)");
  cmd->add_option("--split", a->split, "split of the dataset to use")->capture_default_str();
  cmd->add_option("--trajectories", a->trajectories, "use only the first N trajectories of the split")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--method", a->method, "nullspace | validity | liegan | joint")->capture_default_str();
  cmd->add_option("--degree", a->degree, "polynomial degree of xi, tau, phi in (x, t, u)")->capture_default_str();
  cmd->add_option("--noise", a->noise, "add Gaussian noise of this std relative to the data's (experiments)")
      ->capture_default_str();
  cmd->add_option("--seed", a->seed, "seed of the noise, the sample points and the learned methods")
      ->capture_default_str();
  cmd->add_option("--samples", a->samples, "nullspace: sample points of the symmetry condition")->capture_default_str();
  cmd->add_option("--gap-threshold", a->gap_threshold, "nullspace: smallest accepted singular-value gap ratio")
      ->capture_default_str();
  cmd->add_option("--null-tol", a->null_tol, "nullspace: null singular values must be below this (relative)")
      ->capture_default_str();
  cmd->add_option("--max-order", a->max_order, "nullspace: highest x-derivative in the equation library")
      ->capture_default_str();
  cmd->add_option("--max-order-2d", a->max_order_2d, "nullspace: highest derivative order in the library on 2-D data")
      ->capture_default_str();
  cmd->add_option("--time-order", a->time_order, "nullspace: left side u_t (1) or u_tt (2, one component: wave)")
      ->capture_default_str();
  cmd->add_option("--library-degree", a->library_degree, "nullspace: polynomial degree of the equation library")
      ->capture_default_str();
  cmd->add_option("--select", a->select,
                  "nullspace: term selection along the threshold path by cv (cross-validation) or bic, or fixed "
                  "(one STLSQ at --threshold)")
      ->capture_default_str();
  cmd->add_option("--threshold", a->threshold,
                  "nullspace: STLSQ threshold relative to the largest scaled coefficient (smallest of the path)")
      ->capture_default_str();
  cmd->add_option("--tie-tolerance", a->tie_tolerance,
                  "nullspace, n-D data: tie coefficient magnitudes within this relative difference (refit kept only if "
                  "the fit stays within 5% of the untied one; 0: off)")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  cmd->add_option("--resamples", a->resamples, "nullspace: resamples of the trust verdict's stability check (0: none)")
      ->capture_default_str();
  cmd->add_option("--epochs", a->epochs, "learned methods: training epochs (0: the method's default)")->capture_default_str();
  cmd->add_option("--generators", a->generators, "learned methods: number of generators")->capture_default_str();
  cmd->add_option("--lr", a->lr, "learned methods: learning rate (0: the method's default)")->capture_default_str();
  cmd->add_option("--field", a->field, "validity: field model, polynomial (basis degree) or mlp")
      ->capture_default_str();
  cmd->add_option("--out", a->out, "write the result as sym.json");
  cmd->add_option("--sym", a->sym, "use an existing sym.json instead of discovering (with --compare / --plot)");
  cmd->add_option("--compare", a->compare, "known algebra (kdv, burgers, ks, mkdv, nls, heat2d, nls2d, lambda-omega, wave2d) or another sym.json: print principal angles");
  cmd->add_option("--plot", a->plot, "draw the generators' vector fields into this PNG");
  cmd->add_flag("--no-progress", a->no_progress, "no progress output (learned methods)");
  cmd->callback([a] {
    PDESYM_REQUIRE(mpi_size() == 1, "'discover' runs on one process (got " << mpi_size() << " ranks)");
    PDESYM_REQUIRE(a->data.empty() != a->sym.empty(), "give exactly one of --data FILE.h5 (discover) or --sym "
                                                      "sym.json (inspect an existing result)");
    if (!a->out.empty()) check_output_path(a->out, "--out");
    if (!a->plot.empty()) check_output_path(a->plot, "--plot");
    symmetry::SymmetryResult r;
    symmetry::PlotDomain domain;
    if (!a->sym.empty()) {
      r = symmetry::read_sym_json(a->sym);
      domain = symmetry::PlotDomain::from_extra(r.extra);
      if (!a->compare.empty()) {
        std::string title;
        reference_span(a->compare, r.basis, title);  // fail before printing anything
      }
      PDESYM_REQUIRE(a->out.empty() || a->out != a->sym, "--out must differ from --sym");
    } else {
      const Method& method = find_method(a->method);
      PDESYM_REQUIRE(a->noise >= 0 && std::isfinite(a->noise), "--noise must be >= 0, got " << a->noise);
      // Validate the comparison target before the (possibly long) discovery.
      if (!a->compare.empty()) {
        std::string title;
        const auto names = symmetry::known_algebra_names();
        const bool known = std::find(names.begin(), names.end(), a->compare) != names.end();
        reference_span(a->compare,
                       symmetry::PolynomialBasis(std::max(a->degree, 0),
                                                 known ? symmetry::known_algebra_variables(a->compare)
                                                       : symmetry::Variables{}),
                       title);
      }
      datasets::Split split = a->trajectories > 0 ? datasets::read_split(a->data, a->split, 0, a->trajectories)
                                                  : datasets::read_split(a->data, a->split);
      if (a->noise > 0) symmetry::add_noise(split, a->noise, a->seed);
      PDESYM_REQUIRE(method.any_shape || (split.dim == 1 && split.nc == 1),
                     "--method " << a->method << " handles 1-D data with one component only; split '" << a->split
                                 << "' is " << split.shape().describe() << " (use --method nullspace)");
      domain = symmetry::PlotDomain::of(split);
      r = method.run(split, *a);
      r.extra["input"] = {{"data", a->data}, {"split", a->split}, {"noise_added", a->noise}, {"seed", a->seed}};
      if (!r.extra.contains("domain")) r.extra["domain"] = domain.to_json();
    }
    print_result(r);
    if (!a->compare.empty()) print_comparison(r, a->compare);
    if (!a->out.empty()) {
      symmetry::write_sym_json(a->out, r);
      std::printf("wrote %s\n", a->out.c_str());
    }
    if (!a->plot.empty()) {
      symmetry::plot_generators(a->plot, r, domain);
      std::printf("wrote %s\n", a->plot.c_str());
    }
  });
}

}  // namespace pdesym::cli
