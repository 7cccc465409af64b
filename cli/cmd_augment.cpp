// pdesym augment --data IN.h5 --out OUT.h5 --generators known:kdv|sym.json|gen:... --copies K --eps 0.1 [--seed S]
#include <cstdio>
#include <memory>
#include <sstream>

#include "commands.hpp"
#include "pdesym/augment/augment.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/datasets/dataset.hpp"

namespace pdesym::cli {

namespace {
struct AugmentArgs {
  std::string data, out, generators;
  std::vector<std::string> splits{"train"};
  int copies = 1;
  double eps = 0.1;
  std::uint64_t seed = 0;
  bool drop_originals = false, no_full_period = false, keep_grid = false;
};
}  // namespace

void register_augment(CLI::App& app) {
  auto a = std::make_shared<AugmentArgs>();
  auto* cmd = app.add_subcommand("augment", "Write a dataset augmented by finite symmetry transformations exp(eps V)");
  cmd->add_option("--data", a->data, "input dataset (HDF5)")->required();
  cmd->add_option("--out", a->out, "output dataset (HDF5)")->required();
  cmd->add_option("--generators", a->generators, "known (the dataset's equation) | known:<equation> | sym.json path | gen:<V1>;<V2>;...")->required();
  cmd->add_option("--copies", a->copies, "transformed copies per trajectory")->capture_default_str()->check(
      CLI::NonNegativeNumber);
  cmd->add_option("--eps", a->eps, "eps drawn uniformly in [-eps, eps] per generator")->capture_default_str();
  cmd->add_option("--seed", a->seed, "seed (trajectory i, copy c use Rng(seed, i, c+1))")->capture_default_str();
  cmd->add_option("--splits", a->splits, "splits to augment (others are copied unchanged)")->capture_default_str();
  cmd->add_flag("--drop-originals", a->drop_originals, "write only the transformed copies");
  cmd->add_flag("--no-full-period", a->no_full_period,
                "draw x-translations in [-eps, eps] too, instead of uniformly over one period");
  cmd->add_flag("--keep-grid", a->keep_grid,
                "skip generators that rescale x, y or t (their images carry other spacings dx, dt)");
  cmd->callback([a] {
    PDESYM_REQUIRE(mpi_size() == 1, "'augment' runs on one process (got " << mpi_size() << " ranks)");
    check_output_path(a->out, "--out");
    augment::AugmentOptions opt;
    opt.eps = a->eps;
    opt.full_period_translations = !a->no_full_period;
    opt.keep_grid = a->keep_grid;
    const auto names = datasets::list_splits(a->data);
    PDESYM_REQUIRE(!names.empty(), a->data << ": no splits to augment");
    // The generators must live on the data's variables (x, [y], t, components): take the shape of one trajectory.
    const FieldShape shape = datasets::read_split(a->data, names.front(), 0, 1).shape();
    const augment::Augmenter aug(
        augment::load_generators(resolve_augment_spec(a->generators, a->data), shape, opt));
    for (const auto& s : a->splits) {
      bool found = false;
      for (const auto& n : names) found = found || n == s;
      std::ostringstream all;
      for (const auto& n : names) all << " " << n;
      PDESYM_REQUIRE(found, a->data << ": no split '" << s << "' to augment (splits:" << all.str() << ")");
    }
    std::vector<datasets::Split> out;
    std::ostringstream summary;
    for (const auto& name : names) {
      datasets::Split s = datasets::read_split(a->data, name);
      s.validate(a->data);
      bool selected = false;
      for (const auto& w : a->splits) selected = selected || w == name;
      if (selected) {
        datasets::Split t = augment::augment_split(s, aug, a->copies, a->seed, !a->drop_originals);
        summary << name << ": " << s.n << " -> " << t.n << " trajectories; ";
        out.push_back(std::move(t));
      } else {
        summary << name << ": " << s.n << " copied; ";
        out.push_back(std::move(s));
      }
    }
    datasets::Attributes attrs = datasets::read_attributes(a->data);
    std::ostringstream note;
    note << attrs.config << (attrs.config.empty() || attrs.config.back() == '\n' ? "" : "\n")
         << "# augmented by pdesym augment: generators " << a->generators << ", copies " << a->copies << ", eps "
         << a->eps << ", seed " << a->seed << "\n";
    attrs.config = note.str();
    datasets::write_dataset(a->out, out, attrs);
    std::printf("%s\n%swrote %s\n", aug.generators().describe().c_str(), summary.str().c_str(), a->out.c_str());
  });
}

std::string resolve_augment_spec(const std::string& spec, const std::string& data_file) {
  if (spec != "known") return spec;
  const datasets::Attributes attrs = datasets::read_attributes(data_file);
  PDESYM_REQUIRE(!attrs.equation.empty(), data_file << " has no 'equation' attribute: name the algebra, e.g. "
                                                       "--augment known:kdv");
  // Equation names of the solvers whose symmetry algebra has another name, by space dimension.
  if (attrs.equation == "nls" && attrs.dim == 2) return "known:nls2d";
  if (attrs.equation == "lambda_omega") return "known:lambda-omega";
  PDESYM_REQUIRE(attrs.equation != "wave", data_file << ": the wave equation's algebra acts on u alone, not on the "
                                                        "stored system (u, u_t); give the generators explicitly");
  return "known:" + attrs.equation;
}

}  // namespace pdesym::cli
