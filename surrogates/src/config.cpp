// Torch-free parts of the surrogates library: configs, shards, MPI queries, JSON of results.
#include <mpi.h>

#include <algorithm>
#include <cmath>

#include "pdesym/common/error.hpp"
#include "pdesym/surrogates/train.hpp"

namespace pdesym::surrogates {

void ModelConfig::validate() const {
  PDESYM_REQUIRE(kind == "fno" || kind == "resnet", "unknown model '" << kind << "' (expected fno or resnet)");
  PDESYM_REQUIRE(dim == 1 || dim == 2, "surrogates handle 1-D and 2-D data, not " << dim << "-D");
  PDESYM_REQUIRE(nc >= 1, "number of components must be >= 1 (got " << nc << ")");
  PDESYM_REQUIRE(time_window >= 1, "time window must be >= 1 (got " << time_window << ")");
  PDESYM_REQUIRE(width >= 1, "model width must be >= 1 (got " << width << ")");
  PDESYM_REQUIRE(layers >= 1, "number of layers must be >= 1 (got " << layers << ")");
  if (kind == "fno") {
    PDESYM_REQUIRE(modes >= 1, "number of Fourier modes must be >= 1 (got " << modes << ")");
    PDESYM_REQUIRE(proj_hidden >= 1, "projection width must be >= 1 (got " << proj_hidden << ")");
  } else {
    PDESYM_REQUIRE(kernel_size >= 1 && kernel_size % 2 == 1, "ResNet kernel size must be odd (got " << kernel_size << ")");
  }
}

nlohmann::json ModelConfig::to_json() const {
  nlohmann::json j = {{"kind", kind},   {"time_window", time_window}, {"width", width},          {"modes", modes},
                      {"layers", layers}, {"kernel_size", kernel_size}, {"proj_hidden", proj_hidden}};
  if (dim != 1 || nc != 1) {
    j["dim"] = dim;
    j["nc"] = nc;
  }
  if (!enforce.empty()) j["enforce"] = enforce;
  return j;
}

std::string ModelConfig::describe_shape() const {
  if (dim == 1 && nc == 1) return "1-D scalar";
  return std::to_string(dim) + "-D, " + std::to_string(nc) + "-component";
}

ModelConfig ModelConfig::from_json(const nlohmann::json& j) {
  ModelConfig c;
  try {
    c.kind = j.at("kind").get<std::string>();
    c.time_window = j.at("time_window").get<int>();
    c.width = j.at("width").get<int>();
    c.modes = j.at("modes").get<int>();
    c.layers = j.at("layers").get<int>();
    c.kernel_size = j.at("kernel_size").get<int>();
    c.proj_hidden = j.at("proj_hidden").get<int>();
    c.dim = j.value("dim", 1);
    c.nc = j.value("nc", 1);
    c.enforce = j.value("enforce", std::string());
  } catch (const nlohmann::json::exception& e) {
    throw InputError(std::string("bad model configuration in checkpoint: ") + e.what());
  }
  c.validate();
  return c;
}

void shard_range(int n_total, int rank, int size, int& first, int& count) {
  PDESYM_CHECK(size >= 1 && rank >= 0 && rank < size, "bad rank " << rank << " of " << size);
  const long a = static_cast<long>(n_total) * rank / size, b = static_cast<long>(n_total) * (rank + 1) / size;
  first = static_cast<int>(a);
  count = static_cast<int>(b - a);
}

ShardedSplit shard_of(const datasets::Split& full, int rank, int size) {
  int first = 0, count = 0;
  shard_range(full.n, rank, size, first, count);
  ShardedSplit s;
  s.first = first;
  s.n_total = full.n;
  s.data.name = full.name;
  s.data.n = count;
  s.data.nt = full.nt;
  s.data.nx = full.nx;
  s.data.dim = full.dim;
  s.data.nc = full.nc;
  s.data.ny = full.ny;
  s.data.components = full.components;
  // Rows [first, first + count) of every per-trajectory array (row length = size / n).
  auto rows = [&](const std::vector<double>& v, std::vector<double>& out) {
    const std::size_t len = full.n > 0 ? v.size() / static_cast<std::size_t>(full.n) : 0;
    out.assign(v.begin() + static_cast<std::ptrdiff_t>(first * len),
               v.begin() + static_cast<std::ptrdiff_t>((first + count) * len));
  };
  rows(full.u, s.data.u);
  rows(full.x, s.data.x);
  rows(full.y, s.data.y);
  rows(full.t, s.data.t);
  rows(full.dx, s.data.dx);
  rows(full.dy, s.data.dy);
  rows(full.dt, s.data.dt);
  return s;
}

ShardedSplit whole(const datasets::Split& full) {
  ShardedSplit s;
  s.data = full;
  s.first = 0;
  s.n_total = full.n;
  return s;
}

int world_rank() {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (!init || fin) return 0;
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}

int world_size() {
  int init = 0, fin = 0;
  MPI_Initialized(&init);
  MPI_Finalized(&fin);
  if (!init || fin) return 1;
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}

nlohmann::json TrainResult::to_json() const {
  nlohmann::json h = nlohmann::json::array();
  for (const auto& e : history)
    h.push_back({{"epoch", e.epoch},
                 {"train_loss", e.train_loss},
                 {"valid_accumulated_mse", e.valid_accumulated_mse},
                 {"valid_nmse", e.valid_nmse},
                 {"samples_per_second", e.samples_per_second},
                 {"seconds", e.seconds}});
  for (std::size_t k = 0; k < history.size(); ++k)
    if (history[k].promote_penalty >= 0) h[k]["promote_penalty"] = history[k].promote_penalty;
  for (std::size_t k = 0; k < history.size(); ++k)
    if (history[k].lr > 0) h[k]["lr"] = history[k].lr;
  return {{"epochs_completed", epochs_completed},
          {"global_step", global_step},
          {"best_valid_accumulated_mse", best_valid_accumulated_mse},
          {"best_epoch", best_epoch},
          {"stopped_early", stopped_early},
          {"stop_epoch", epochs_completed},
          {"stop_reason", stop_reason},
          {"final_lr", final_lr},
          {"history", h}};
}

nlohmann::json EvalResult::to_json() const {
  auto num = [](double v) { return std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr); };
  nlohmann::json per = nlohmann::json::object();
  for (std::size_t c = 0; c < components.size(); ++c)
    per[components[c]] = {
        {"accumulated_mse", num(c < accumulated_mse_per_component.size() ? accumulated_mse_per_component[c] : NAN)},
        {"nmse", num(c < nmse_per_component.size() ? nmse_per_component[c] : NAN)}};
  nlohmann::json j = {{"accumulated_mse", num(accumulated_mse)},
          {"nmse", num(nmse)},
          {"nmse_per_trajectory_mean", num(nmse_per_trajectory_mean)},
          {"mse_mean", num(rollout_steps > 0 ? accumulated_mse / rollout_steps : 0.0)},
          {"n_trajectories", n_trajectories},
          {"rollout_steps", rollout_steps},
          {"time_window", time_window},
          {"model", model_kind},
          {"checkpoint_epoch", checkpoint_epoch},
          {"parameters", used_best ? "best validation" : "last epoch"},
          {"components", components},
          {"per_component", per},
          {"mse_per_step", mse_per_step}};
  if (!nmse_note.empty()) j["nmse_note"] = nmse_note;
  return j;
}

}  // namespace pdesym::surrogates
