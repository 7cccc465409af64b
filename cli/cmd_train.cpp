// pdesym train    --data TRAIN.h5 [--valid VALID.h5] --model fno|resnet --augment none|known:<eq>|sym.json
//                 [--promote none|known:<eq>|sym.json --promote-weight w] [--enforce none|auto|<group>] --out model.pt
// pdesym evaluate --model model.pt --data TEST.h5 [--plot rollout.png]
// Both run data-parallel under mpirun (each rank a shard of the trajectories). The data's shape picks the model
// class: 1-D scalar data FNO-1d / ResNet-1d, 2-D data (any number of components) FNO-2d / ResNet-2d.
#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>
#include <vector>

#include "commands.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/png.hpp"
#include "pdesym/datasets/dataset.hpp"
#include "pdesym/datasets/plot.hpp"
#include "pdesym/surrogates/train.hpp"

namespace pdesym::cli {

namespace {

struct TrainArgs {
  std::string data, valid, train_split = "train", valid_split = "valid", json_out;
  int n_train = 0, n_valid = 0;
  bool no_progress = false;
  surrogates::TrainOptions opt;
};

struct EvalArgs {
  std::string model, data, split = "test", json_out, plot;
  int n_test = 0, plot_index = 0;
  surrogates::EvalOptions opt;
};

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
  return surrogates::shard_of(full, mpi_rank(), mpi_size());
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
  if (mpi_rank() != 0) return;
  std::fprintf(stderr, "rollout of %d steps on %d trajectories: accumulated MSE %.4e, NMSE %.4e\n", r.rollout_steps,
               r.n_trajectories, r.accumulated_mse, r.nmse);
  for (std::size_t c = 0; c < r.components.size(); ++c)
    std::fprintf(stderr, "  component %s: accumulated MSE %.4e, NMSE %.4e\n", r.components[c].c_str(),
                 r.accumulated_mse_per_component[c], r.nmse_per_component[c]);
}

void print_json(const nlohmann::json& j, const std::string& path) {
  if (mpi_rank() != 0) return;
  std::printf("%s\n", j.dump(2).c_str());
  if (!path.empty()) write_text_atomic(path, j.dump(2) + "\n");
}

}  // namespace

void register_train(CLI::App& app) {
  auto a = std::make_shared<TrainArgs>();
  auto* cmd = app.add_subcommand("train", "Train an FNO/ResNet surrogate (data-parallel under mpirun)");
  auto& o = a->opt;
  cmd->add_option("--data", a->data, "training dataset (HDF5, LPSDA layout)")->required();
  cmd->add_option("--train-split", a->train_split, "split of --data to train on")->capture_default_str();
  cmd->add_option("--n-train", a->n_train, "use only the first N training trajectories (0: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--valid", a->valid, "validation dataset (HDF5); the best-validation parameters are kept");
  cmd->add_option("--valid-split", a->valid_split, "split of --valid")->capture_default_str();
  cmd->add_option("--n-valid", a->n_valid, "use only the first N validation trajectories (0: all)")
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--model", o.model.kind, "fno or resnet (1-D or 2-D by the data's shape)")->capture_default_str();
  cmd->add_option("--augment", o.augment, "none | known (the dataset's equation) | known:<equation> | gen:<V1>;<V2> | sym.json path")
      ->capture_default_str();
  cmd->add_option("--eps", o.augment_eps, "augmentation eps range (x-translations: a full period)")
      ->capture_default_str();
  cmd->add_option("--promote", o.promote,
                  "penalise the Lie derivative of the model along these generators (same specs as --augment)")
      ->capture_default_str();
  cmd->add_option("--promote-weight", o.promote_weight, "weight of the promotion penalty in the loss")
      ->capture_default_str();
  cmd->add_option("--promote-step", o.promote_step, "eps of the finite difference of the exact group action")
      ->capture_default_str();
  cmd->add_option("--enforce", o.enforce,
                  "average the model over a finite group: none | auto (from --promote, else --augment) | "
                  "';'-list of reflect[(parities)], rot90, d4[(parities)], flip, phase4")
      ->capture_default_str();
  cmd->add_option("--out", o.out, "checkpoint file (model, optimizer state, epoch)")->capture_default_str();
  cmd->add_flag("--resume", o.resume, "continue from --out if it exists");
  cmd->add_option("--epochs", o.epochs, "epochs")->capture_default_str();
  cmd->add_option("--patience", o.patience,
                  "stop when the validation metric has not improved for this many epochs (0: off; needs --valid)")
      ->capture_default_str();
  cmd->add_option("--lr-decay", o.lr_decay,
                  "multiply the learning rate by this after --lr-patience epochs without validation improvement "
                  "(1: off; needs --valid)")
      ->capture_default_str();
  cmd->add_option("--lr-patience", o.lr_patience, "epochs without improvement before a learning-rate decay")
      ->capture_default_str();
  cmd->add_option("--batch-size", o.batch_size, "global batch size")->capture_default_str();
  cmd->add_option("--lr", o.lr, "AdamW learning rate")->capture_default_str();
  cmd->add_option("--weight-decay", o.weight_decay, "AdamW weight decay")->capture_default_str();
  cmd->add_option("--width", o.model.width, "hidden channels")->capture_default_str();
  cmd->add_option("--modes", o.model.modes, "FNO Fourier modes")->capture_default_str();
  cmd->add_option("--layers", o.model.layers, "FNO layers / ResNet blocks")->capture_default_str();
  cmd->add_option("--kernel-size", o.model.kernel_size, "ResNet kernel size")->capture_default_str();
  cmd->add_option("--time-window", o.model.time_window, "steps in = steps out")->capture_default_str();
  cmd->add_option("--windows-per-trajectory", o.windows_per_trajectory,
                  "training samples per trajectory and epoch (0: nt / time window)")
      ->capture_default_str();
  cmd->add_option("--seed", o.seed, "seed (initialisation, sample order, windows, augmentation)")->capture_default_str();
  cmd->add_option("--checkpoint-steps", o.checkpoint_every_steps, "also checkpoint every N steps (0: per epoch)")
      ->capture_default_str();
  cmd->add_option("--rollout-steps", o.rollout_steps, "validation rollout steps")->capture_default_str();
  cmd->add_option("--threads", o.threads, "torch threads per rank (0: cores / ranks)")->capture_default_str();
  cmd->add_option("--json", a->json_out, "also write the training summary JSON to this file");
  cmd->add_flag("--no-progress", a->no_progress, "no progress output");
  cmd->callback([a] {
    a->opt.progress = !a->no_progress;
    check_output_path(a->opt.out, "--out");
    if (!a->json_out.empty()) check_output_path(a->json_out, "--json");
    a->opt.model.validate();
    a->opt.augment = resolve_augment_spec(a->opt.augment, a->data);
    a->opt.promote = resolve_augment_spec(a->opt.promote, a->data);
    const surrogates::ShardedSplit tr = read_shard(a->data, a->train_split, a->n_train, "--n-train");
    std::unique_ptr<surrogates::ShardedSplit> va;
    if (!a->valid.empty())
      va = std::make_unique<surrogates::ShardedSplit>(read_shard(a->valid, a->valid_split, a->n_valid, "--n-valid"));
    const surrogates::TrainResult r = surrogates::train(tr, va.get(), a->opt);
    nlohmann::json j = r.to_json();
    j["out"] = a->opt.out;
    j["model"] = r.model.to_json();
    j["augment"] = a->opt.augment;
    j["promote"] = a->opt.promote;
    if (a->opt.promote != "none") j["promote_weight"] = a->opt.promote_weight;
    j["enforce"] = r.model.enforce.empty() ? "none" : r.model.enforce;
    j["n_train"] = tr.n_total;
    j["ranks"] = mpi_size();
    print_json(j, a->json_out);
  });

  auto e = std::make_shared<EvalArgs>();
  auto* ev = app.add_subcommand("evaluate", "Roll a trained surrogate out on test trajectories; prints JSON metrics");
  ev->add_option("--model", e->model, "checkpoint written by train")->required();
  ev->add_option("--data", e->data, "test dataset (HDF5)")->required();
  ev->add_option("--split", e->split, "split of --data")->capture_default_str();
  ev->add_option("--n-test", e->n_test, "use only the first N test trajectories (0: all)")
      ->check(CLI::NonNegativeNumber);
  ev->add_option("--rollout-steps", e->opt.rollout_steps, "predicted steps after the input window")
      ->capture_default_str();
  ev->add_option("--batch-size", e->opt.batch_size, "trajectories per forward call")->capture_default_str();
  ev->add_option("--threads", e->opt.threads, "torch threads per rank (0: cores / ranks)")->capture_default_str();
  ev->add_flag("--last", [e](std::int64_t) { e->opt.use_best = false; },
               "use the last epoch's parameters instead of the best-validation ones");
  ev->add_option("--json", e->json_out, "also write the metrics JSON to this file");
  ev->add_option("--plot", e->plot, "PNG of one trajectory's rollout: truth, prediction, error");
  ev->add_option("--plot-index", e->plot_index, "trajectory of --split to plot")->capture_default_str()->check(
      CLI::NonNegativeNumber);
  ev->callback([e] {
    PDESYM_REQUIRE(file_exists(e->model), "model file '" << e->model << "' not found");
    if (!e->json_out.empty()) check_output_path(e->json_out, "--json");
    if (!e->plot.empty()) check_output_path(e->plot, "--plot");
    const surrogates::ShardedSplit te = read_shard(e->data, e->split, e->n_test, "--n-test");
    const surrogates::EvalResult r = surrogates::evaluate(e->model, te, e->opt);
    nlohmann::json j = r.to_json();
    j["model_file"] = e->model;
    j["data"] = e->data;
    print_json(j, e->json_out);
    print_summary(r);
    if (!e->plot.empty() && mpi_rank() == 0) plot_rollout(*e);
  });
}

}  // namespace pdesym::cli
