// pdesym_torch.so: the LibTorch half of the CLI (torch_plugin.hpp). The bodies of `train` and `evaluate` and the
// learned discovery methods; the executable parses the options and calls these through the exported table.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>
#include <vector>

#include "../torch_plugin.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/png.hpp"
#include "pdesym/datasets/dataset.hpp"
#include "pdesym/datasets/plot.hpp"
#include "pdesym/learned/discover.hpp"
#include "pdesym/surrogates/train.hpp"

namespace pdesym::cli {

namespace {

// Reads a split (all of it, optionally only the first `limit` trajectories), validates it (Split::validate) and
// keeps this rank's shard.
surrogates::ShardedSplit read_shard(const std::string& file, const std::string& split, int limit, const char* what) {
  datasets::Split full = datasets::read_split(file, split);
  if (limit > 0) {
    PDESYM_REQUIRE(limit <= full.n, file << ": split '" << split << "' has " << full.n << " trajectories, "
                                         << what << " asks for " << limit);
    full = datasets::read_split(file, split, 0, limit);
  }
  full.validate(file);
  return surrogates::shard_of(full, surrogates::world_rank(), surrogates::world_size());
}

// Three panels over the input window and the rollout: the data, the prediction (same colour range) and the
// error (its own symmetric range). 1-D data: space-time heatmaps; 2-D data: snapshots per component at a few
// times (datasets::plot_trajectory). Rank 0 only.
void plot_rollout(const EvalArgs& e) {
  const datasets::Split one = datasets::read_split(e.data, e.split, e.plot_index, 1);
  const datasets::Split pred = surrogates::predict_trajectory(e.model, one, 0, e.opt.rollout_steps, e.opt);
  datasets::Split truth = pred, err = pred;
  truth.set_field(0, one.field_window(0, 0, pred.nt));
  double lo = 0, hi = 0;
  for (std::size_t k = 0; k < pred.u.size(); ++k) {
    err.u[k] = pred.u[k] - truth.u[k];
    lo = std::min({lo, truth.u[k], pred.u[k]});
    hi = std::max({hi, truth.u[k], pred.u[k]});
  }
  datasets::PlotOptions po;
  po.width = 640;
  po.height = pred.dim == 2 ? 720 : 560;
  po.vmin = lo;
  po.vmax = hi > lo ? hi : lo + 1;
  const std::string where = e.split + "/" + std::to_string(e.plot_index);
  const std::string tw = std::to_string(pred.nt - e.opt.rollout_steps);
  std::vector<Image> panels;
  panels.push_back(datasets::plot_trajectory(truth, 0, "data (first " + tw + " steps: the model's input)", po, where));
  panels.push_back(datasets::plot_trajectory(pred, 0, "prediction (" + e.model + ")", po, where));
  datasets::PlotOptions pe = po;
  pe.vmin = pe.vmax = std::numeric_limits<double>::quiet_NaN();
  panels.push_back(datasets::plot_trajectory(err, 0, "error (prediction - data)", pe, where));
  write_png(e.plot, hconcat(panels));
  std::fprintf(stderr, "wrote %s\n", e.plot.c_str());  // stdout carries the JSON
}

// One line per metric on stderr (stdout carries the JSON): overall, then per component.
void print_summary(const surrogates::EvalResult& r) {
  if (surrogates::world_rank() != 0) return;
  std::fprintf(stderr, "rollout of %d steps on %d trajectories: accumulated MSE %.4e, NMSE %.4e\n", r.rollout_steps,
               r.n_trajectories, r.accumulated_mse, r.nmse);
  for (std::size_t c = 0; c < r.components.size(); ++c)
    std::fprintf(stderr, "  component %s: accumulated MSE %.4e, NMSE %.4e\n", r.components[c].c_str(),
                 r.accumulated_mse_per_component[c], r.nmse_per_component[c]);
}

void print_json(const nlohmann::json& j, const std::string& path) {
  if (surrogates::world_rank() != 0) return;
  std::printf("%s\n", j.dump(2).c_str());
  if (!path.empty()) write_text_atomic(path, j.dump(2) + "\n");
}

void run_train(const TrainArgs& a) {
  a.opt.model.validate();
  const surrogates::ShardedSplit tr = read_shard(a.data, a.train_split, a.n_train, "--n-train");
  std::unique_ptr<surrogates::ShardedSplit> va;
  if (!a.valid.empty())
    va = std::make_unique<surrogates::ShardedSplit>(read_shard(a.valid, a.valid_split, a.n_valid, "--n-valid"));
  const surrogates::TrainResult r = surrogates::train(tr, va.get(), a.opt);
  nlohmann::json j = r.to_json();
  j["out"] = a.opt.out;
  j["model"] = r.model.to_json();
  j["augment"] = a.opt.augment;
  j["promote"] = a.opt.promote;
  if (a.opt.promote != "none") j["promote_weight"] = a.opt.promote_weight;
  j["enforce"] = r.model.enforce.empty() ? "none" : r.model.enforce;
  j["n_train"] = tr.n_total;
  j["ranks"] = surrogates::world_size();
  print_json(j, a.json_out);
}

void run_evaluate(const EvalArgs& e) {
  const surrogates::ShardedSplit te = read_shard(e.data, e.split, e.n_test, "--n-test");
  const surrogates::EvalResult r = surrogates::evaluate(e.model, te, e.opt);
  nlohmann::json j = r.to_json();
  j["model_file"] = e.model;
  j["data"] = e.data;
  print_json(j, e.json_out);
  print_summary(r);
  if (!e.plot.empty() && surrogates::world_rank() == 0) plot_rollout(e);
}

}  // namespace

}  // namespace pdesym::cli

extern "C" __attribute__((visibility("default"))) const pdesym::cli::TorchPlugin* pdesym_torch_plugin_v1() {
  static const pdesym::cli::TorchPlugin table = [] {
    pdesym::cli::TorchPlugin t;
    t.layout = pdesym::cli::torch_plugin_layout();
    t.train = pdesym::cli::run_train;
    t.evaluate = pdesym::cli::run_evaluate;
    t.learned_methods = pdesym::learned::learned_methods;
    t.discover = pdesym::learned::discover;
    return t;
  }();
  return &table;
}
