#pragma once
// Neural PDE surrogates: training with on-the-fly symmetry augmentation, MPI data parallelism, checkpoints,
// and autoregressive rollout evaluation. This header does not include LibTorch (the CLI and benchmarks stay
// fast to compile); the model classes are in models.hpp.
//
// Task (LPSDA setting): from `time_window` consecutive states u(t_n..t_{n+tw-1}, x) plus the trajectory's dx
// and dt, predict the next `time_window` states. Training windows start at a uniformly random level.
//
// MPI data parallelism (`mpirun -n K pdesym train ...`): rank r holds a contiguous shard of the training
// trajectories. Every epoch, all ranks draw the same permutation of the global sample list (trajectory,
// repeat) from (seed, epoch); a global batch is the next batch_size samples of it, and each rank computes the
// loss of the samples whose trajectory it owns, scaled by 1/batch_size. Gradients are summed with
// MPI_Allreduce, so every rank applies the same AdamW step to the same parameters (identical on all ranks,
// initial parameters broadcast from rank 0), and the result equals single-process training with the same
// global batch up to floating-point summation order: it does not depend on K. Window starts and augmentation
// parameters come from Rng(seed, epoch, sample), so they do not depend on K either.
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "pdesym/datasets/dataset.hpp"

namespace pdesym::surrogates {

/// Architecture of a surrogate. Defaults: the FNO (5 Fourier layers, 32 modes, width 256).
/// The data shape (dim, nc) picks the model class: 1-D scalar Fno1d / ResNet1d, 2-D (any nc) Fno2d / ResNet2d,
/// 1-D with nc > 1 Stacked1d around Fno1d / ResNet1d (models2d.hpp); `kind` names the family. train() sets dim
/// and nc from the training data; checkpoints store them and evaluation refuses data of another shape.
struct ModelConfig {
  std::string kind = "fno";  ///< "fno" or "resnet"
  int dim = 1;               ///< space dimensions of the data (1 or 2)
  int nc = 1;                ///< components of the data
  int time_window = 20;      ///< steps in = steps out
  int width = 256;           ///< channels of the hidden layers
  int modes = 32;            ///< FNO: Fourier modes kept per layer
  int layers = 5;            ///< FNO: Fourier layers; ResNet: residual blocks
  int kernel_size = 5;       ///< ResNet: convolution kernel (odd; circular padding)
  int proj_hidden = 128;     ///< FNO: hidden width of the projection MLP
  /// Finite group the model is averaged over (promote.hpp: "reflect(pseudoscalar)", "d4", "phase4", ...); ""
  /// for none. Written to JSON only when set.
  std::string enforce;

  /// Throws InputError for unknown kinds, non-positive sizes or an unsupported data shape.
  void validate() const;
  /// dim and nc are written only for data other than 1-D scalar, so 1-D configs, checkpoints and training
  /// signatures are the same as before the 2-D models existed; from_json reads their absence as (1, 1).
  nlohmann::json to_json() const;
  static ModelConfig from_json(const nlohmann::json& j);  ///< throws InputError on missing/bad keys
  /// "1-D scalar" / "2-D, 2-component" (for messages).
  std::string describe_shape() const;
};

/// The trajectories of one split that this rank holds: global indices [first, first + data.n) of n_total.
struct ShardedSplit {
  datasets::Split data;
  int first = 0;
  int n_total = 0;
};

/// The contiguous block of trajectories owned by `rank` of `size`: [rank*n/size, (rank+1)*n/size).
void shard_range(int n_total, int rank, int size, int& first, int& count);
/// Copies this rank's block out of a split held in full.
ShardedSplit shard_of(const datasets::Split& full, int rank, int size);
/// Everything (single process).
ShardedSplit whole(const datasets::Split& full);
/// MPI rank and size of COMM_WORLD, or (0, 1) when MPI is not initialised.
int world_rank();
int world_size();

struct TrainOptions {
  ModelConfig model;
  int epochs = 20;
  int batch_size = 16;             ///< global batch (summed over ranks)
  double lr = 1e-4;                ///< AdamW learning rate
  double weight_decay = 1e-2;      ///< AdamW decoupled weight decay
  int windows_per_trajectory = 0;  ///< samples drawn per trajectory per epoch; 0: nt / time_window
  std::uint64_t seed = 0;
  /// "none", "known:<equation>", "gen:<V1>;<V2>" or a sym.json path (augment::load_generators).
  std::string augment = "none";
  double augment_eps = 0.1;        ///< eps range of every generator (pure x-translations: a full period)
  /// Probability that a training window is transformed (else it is used as stored), drawn from the window's own
  /// stream; 1 (default): every window, without a draw (the same streams as before the option). LPSDA and LieNLSD
  /// keep the original with probability 0.5, i.e. augment_prob 0.5.
  double augment_prob = 1.0;
  /// Skip the augmentation generators that rescale x, y or t (augment::AugmentOptions::keep_grid).
  bool augment_keep_grid = false;
  /// Generators whose Lie derivative is penalised (promote.hpp): the same specs as `augment`.
  std::string promote = "none";
  double promote_weight = 1.0;     ///< weight of the penalty in the loss
  double promote_step = 1e-2;      ///< eps of the finite difference of the exact group action
  /// "none", "auto" (the finite subgroup of the promote, else augment, generator set: promote.hpp) or a group
  /// spec; sets model.enforce.
  std::string enforce = "none";
  /// Early stopping: stop when the validation metric (accumulated MSE of the rollout) has not improved for this
  /// many epochs, i.e. once completed epochs - best epoch >= patience. 0: off. Needs validation data. Not part of
  /// the resume signature: a run stopped by patience continues when resumed with a larger one.
  int patience = 0;
  /// Plateau schedule: after `lr_patience` epochs without improvement of the validation metric (counted since the
  /// last improvement or the last decay) the learning rate is multiplied by `lr_decay`. lr_decay = 1: off. Needs
  /// validation data; the current rate and the count are checkpointed, so resume is bit-exact across a decay.
  double lr_decay = 1.0;
  int lr_patience = 10;
  /// Step schedule (PyTorch's MultiStepLR stepped once per epoch): epoch e (0-based) trains at lr times lr_gamma once
  /// for every milestone <= e, the factors applied one after the other. Milestones strictly increasing, >= 1; empty:
  /// off. Needs no validation data; not combinable with the plateau schedule. Part of the resume signature.
  std::vector<int> lr_milestones;
  double lr_gamma = 0.1;
  std::string out = "model.pt";    ///< checkpoint path (written as <out>.tmp, then renamed)
  bool resume = false;             ///< continue from `out` if it exists
  int checkpoint_every_steps = 0;  ///< additional mid-epoch checkpoints every N optimizer steps (0: epoch ends only)
  int rollout_steps = 100;         ///< validation: steps of the autoregressive rollout
  int threads = 0;                 ///< torch intra-op threads; 0: cores / ranks (1 per rank under mpirun)
  bool progress = true;            ///< progress bar and per-epoch lines on rank 0 (stderr)
  bool collect_parameters = false; ///< copy the final parameters into TrainResult::parameters (tests)
  /// Testing hook: stop (after writing a checkpoint) once this many optimizer steps have been taken in this
  /// call, as if the process had been killed right after a checkpoint. <0: off.
  int stop_after_steps = -1;
};

struct EpochRecord {
  int epoch = 0;                   ///< 1-based
  double train_loss = 0;           ///< mean of the batch losses (MSE of a 20-step window)
  double valid_accumulated_mse = -1, valid_nmse = -1;  ///< -1 without validation data
  double samples_per_second = 0;   ///< training samples (all ranks) per second of optimizer steps
  double promote_penalty = -1;     ///< mean over batches of the weighted promotion penalty (-1 without promotion)
  double lr = -1;                  ///< learning rate of the epoch's steps (-1: not recorded, older checkpoints)
  double seconds = 0;
};

struct TrainResult {
  std::vector<EpochRecord> history;  ///< all epochs, including those before a resume
  int epochs_completed = 0;
  long global_step = 0;
  double best_valid_accumulated_mse = -1;
  int best_epoch = 0;
  bool stopped_early = false;        ///< stop_after_steps reached
  /// Why training ended: "epochs" (the epoch limit), "patience" (no validation improvement for `patience`
  /// epochs) or "interrupted" (stop_after_steps). The stop epoch is epochs_completed.
  std::string stop_reason;
  double final_lr = 0;               ///< the learning rate at the end (after any plateau decays)
  std::string augmentation;          ///< GeneratorSet::describe() of the augmentation used
  std::string promotion;             ///< the promoted generators and notes ("" without promotion)
  std::vector<float> parameters;     ///< final parameters (if collect_parameters), flattened in module order
  ModelConfig model;                 ///< the trained model's config, with the data shape (dim, nc)
  nlohmann::json to_json() const;
};

/// Trains a surrogate and writes checkpoints to opt.out. Collective under MPI (all ranks call it with their
/// shards). Throws InputError for bad options or data (nt too short for two windows, NaN values, unknown
/// augmentation, mismatching checkpoint on resume, non-finite loss).
TrainResult train(const ShardedSplit& train_data, const ShardedSplit* valid, const TrainOptions& opt);

struct EvalOptions {
  int rollout_steps = 100;  ///< predicted steps after the first time_window given ones
  int batch_size = 16;
  int threads = 0;
  bool use_best = true;     ///< use the best-validation parameters when the checkpoint has them
};

/// Metrics of an autoregressive rollout. With S = rollout_steps, N trajectories, P = nc ny nx values per state
/// (nc components on ny x nx points; 1-D: P = nx) and e = pred - true:
///   mse_per_step[s] = (1/(N P)) sum_{i,c,y,x} e_i(t_s)^2              (s = 1..S, after the tw input steps)
///   accumulated_mse = sum_s mse_per_step[s]
///   nmse            = sum_{i,s,x} e^2 / sum_{i,s,x} u_true^2
///   nmse_per_trajectory_mean = (1/N') sum_i [ sum_{s,x} e_i^2 / sum_{s,x} u_i^2 ]  over the N' trajectories whose
///                              true rollout is not identically zero
/// Sums of squares are kept scaled (no overflow or underflow for finite data). NMSE is undefined (NaN here,
/// null in JSON, with the reason in nmse_note) when the true rollout is identically zero or the prediction is
/// not finite. Per component c (sums over c only, P_c = ny nx): accumulated_mse_per_component[c] =
/// sum_s (1/(N P_c)) sum_{i,y,x} e_{i,c}(t_s)^2 and nmse_per_component[c] = sum_{i,s,y,x} e_{i,c}^2 /
/// sum_{i,s,y,x} u_{i,c}^2 (NaN / null when component c's true rollout is identically zero or not finite).
/// So accumulated_mse = mean over c of accumulated_mse_per_component.
struct EvalResult {
  double accumulated_mse = 0, nmse = 0, nmse_per_trajectory_mean = 0;
  std::vector<std::string> components;                ///< nc names
  std::vector<double> accumulated_mse_per_component;  ///< [nc]
  std::vector<double> nmse_per_component;             ///< [nc]
  std::string nmse_note;  ///< why nmse is undefined, or what nmse_per_trajectory_mean leaves out ("" if nothing)
  int n_trajectories = 0, rollout_steps = 0, time_window = 0;
  std::vector<double> mse_per_step;
  std::string model_kind;
  int checkpoint_epoch = 0;
  bool used_best = false;
  nlohmann::json to_json() const;
};

/// Rollout of one trajectory for inspection (serial): the checkpoint's model is given the first time_window
/// states of trajectory `index` of `data` and predicts `steps` more. Returns a one-trajectory Split of the data's
/// shape with nt = time_window + steps levels (the given states, then the predictions) and the trajectory's x,
/// y, t, dx, dy, dt. InputError if the model was trained on data of another shape (dim, nc).
/// Its squared error against the data over the predicted levels, averaged over points, summed over steps, is
/// that trajectory's accumulated MSE in evaluate().
datasets::Split predict_trajectory(const std::string& model_path, const datasets::Split& data, int index,
                                   int steps, const EvalOptions& opt = {});

/// Loads a checkpoint written by train() and rolls it out on every trajectory of `test` (collective under
/// MPI: each rank evaluates its shard, results are summed). Throws InputError for a missing/invalid model
/// file, data of another shape (dim, nc) than the model was trained on, or trajectories too short for the
/// rollout.
EvalResult evaluate(const std::string& model_path, const ShardedSplit& test, const EvalOptions& opt = {});

}  // namespace pdesym::surrogates
