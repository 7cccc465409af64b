#pragma once
// Internal to pdesym_surrogates: the pieces that train() (train.cpp), evaluation (evaluate.cpp), checkpoint I/O
// (checkpoint.cpp) and MPI data parallelism (parallel.cpp) share. Includes LibTorch.
#include <cmath>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <torch/torch.h>

#include "pdesym/datasets/dataset.hpp"
#include "pdesym/surrogates/adamw.hpp"
#include "pdesym/surrogates/models.hpp"
#include "pdesym/surrogates/train.hpp"

namespace pdesym::surrogates::detail {

// ---- MPI data parallelism (parallel.cpp) ----------------------------------------------------------------------

/// torch intra-op threads: `requested`, or cores / ranks when requested <= 0.
void set_threads(int requested, int size);
/// In-place sum over ranks (no-op for size <= 1).
void allreduce_doubles(double* v, int n, int size);
/// Sums the gradients of all ranks (each rank's loss is already scaled by 1/global_batch).
void allreduce_gradients(const std::vector<torch::Tensor>& params, int size);
/// Rank 0's parameters on every rank.
void broadcast_parameters(Surrogate& model, int size);
void copy_parameters(Surrogate& dst, Surrogate& src);

// ---- data checks and rollout metrics (evaluate.cpp) ------------------------------------------------------------

// The one validator (Split::validate: shapes, finite values, uniform t, dx consistent with x), then the range the
// float32 model can represent. `what` names the data in messages.
void require_float32_range(const datasets::Split& s, const std::string& what);
void check_data(const datasets::Split& s, const std::string& what);

// A sum of squares kept as scale^2 * ssq (the LAPACK dnrm2 update), so that it neither overflows nor
// underflows for any finite inputs; ratios of two such sums are finite whenever the true ratio is.
struct SumSq {
  double scale = 0, ssq = 1;
  void add(double v) {
    const double a = std::abs(v);
    if (a == 0) return;
    if (!std::isfinite(a)) {
      scale = a;  // inf or NaN: the sum is not finite
      return;
    }
    if (scale < a) {
      ssq = 1 + ssq * (scale / a) * (scale / a);
      scale = a;
    } else {
      ssq += (a / scale) * (a / scale);
    }
  }
  void add(const SumSq& o) {
    if (o.scale == 0 || !std::isfinite(scale)) return;  // nothing to add, or already not finite
    if (!std::isfinite(o.scale)) {
      scale = o.scale;
      return;
    }
    if (scale < o.scale) {
      ssq = o.ssq + ssq * (scale / o.scale) * (scale / o.scale);
      scale = o.scale;
    } else {
      ssq += o.ssq * (o.scale / scale) * (o.scale / scale);
    }
  }
  bool zero() const { return scale == 0; }
  bool finite() const { return std::isfinite(scale); }
  /// this / o, computed without forming either sum.
  double ratio(const SumSq& o) const { return scale == 0 ? 0.0 : (scale / o.scale) * (scale / o.scale) * (ssq / o.ssq); }
};

// Rollout metrics summed over this rank's trajectories, then over ranks.
struct RolloutSums {
  std::vector<SumSq> se_step, true_step;  // [S], over all components
  std::vector<SumSq> se_comp, true_comp;  // [nc][S], per component
  double nmse_traj_sum = 0;
  double n = 0, n_nonzero = 0;  // trajectories; those whose true rollout is not identically zero
};

RolloutSums rollout_sums(Surrogate& model, const datasets::Split& data, int steps, int batch, int size);
// `data` gives the shape and component names (values are not read).
EvalResult metrics_of(const RolloutSums& a, const datasets::Split& data, int steps, int tw);
// The model and the data agree on the shape (dim, nc) and the FNO's modes fit the grid. `what` names the
// model's source ("checkpoint 'm.pt'") and `data_what` the data.
void require_model_fits(const ModelConfig& mc, const datasets::Split& d, const std::string& what, const std::string& data_what);
void require_rollout_fits(const datasets::Split& s, int tw, int steps, const std::string& what);

// ---- checkpoints (checkpoint.cpp) ------------------------------------------------------------------------------

// Everything that must match for a resumed run to continue the same training.
nlohmann::json signature(const TrainOptions& opt, const ModelConfig& mc, int windows, const ShardedSplit& tr);

struct TrainState {
  int epoch = 0;            // completed epochs
  int batch = 0;            // next batch within epoch `epoch` (0-based epoch index = completed epochs)
  long global_step = 0;
  double epoch_loss_sum = 0;
  double epoch_penalty_sum = 0;  // weighted promotion penalty (part of epoch_loss_sum)
  long epoch_batches = 0;
  double epoch_samples = 0, epoch_step_seconds = 0;
  double best_valid = -1;
  int best_epoch = 0;
  double lr = 0;            // current learning rate (plateau schedule); 0: the options' lr (fresh start)
  int plateau_epochs = 0;   // epochs without improvement since the last improvement or decay
  std::vector<EpochRecord> history;
};

void write_checkpoint(const std::string& path, Surrogate& model, Surrogate* best, AdamW& optim,
                      const TrainState& st, const nlohmann::json& sig);
/// Restores model, best model, optimizer and state; InputError if the checkpoint was made with another signature.
void read_checkpoint(const std::string& path, Surrogate& model, Surrogate* best, AdamW& optim,
                     TrainState& st, const nlohmann::json& sig);

}  // namespace pdesym::surrogates::detail
