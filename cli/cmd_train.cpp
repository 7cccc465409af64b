// pdesym train    --data TRAIN.h5 [--valid VALID.h5] --model fno|resnet --augment none|known:<eq>|sym.json
//                 [--promote none|known:<eq>|sym.json --promote-weight w] [--enforce none|auto|<group>] --out model.pt
// pdesym evaluate --model model.pt --data TEST.h5 [--plot rollout.png]
// Both run data-parallel under mpirun (each rank a shard of the trajectories). The data's shape picks the model
// class: 1-D scalar data FNO-1d / ResNet-1d, 2-D data (any number of components) FNO-2d / ResNet-2d.
// The options are parsed here; the commands run in the LibTorch plugin (torch_plugin.hpp), loaded only now.
#include <memory>

#include "commands.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "torch_plugin.hpp"

namespace pdesym::cli {

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
  cmd->add_option("--augment-prob", o.augment_prob,
                  "probability that a training window is transformed, else used as stored (LPSDA: 0.5)")
      ->capture_default_str();
  cmd->add_option("--eps", o.augment_eps, "augmentation eps range (x-translations: a full period)")
      ->capture_default_str();
  cmd->add_flag("--keep-grid", o.augment_keep_grid,
                "augment only by generators that keep the grid: skip those that rescale x, y or t (for data "
                "stored on one grid; the models take dx and dt as inputs)");
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
  cmd->add_option("--lr-milestones", o.lr_milestones,
                  "step schedule: multiply the learning rate by --lr-gamma after each of these epochs (e.g. 10,20,30; "
                  "PyTorch's MultiStepLR)")
      ->delimiter(',');
  cmd->add_option("--lr-gamma", o.lr_gamma, "factor of the step schedule")->capture_default_str();
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
    a->opt.augment = resolve_augment_spec(a->opt.augment, a->data);
    a->opt.promote = resolve_augment_spec(a->opt.promote, a->data);
    torch_plugin("train").train(*a);
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
    torch_plugin("evaluate").evaluate(*e);
  });
}

}  // namespace pdesym::cli
