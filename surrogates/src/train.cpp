// Data-parallel training with on-the-fly symmetry augmentation, checkpoints and rollout evaluation.
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <sstream>
#include <thread>

#include "pdesym/augment/augment.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/progress.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/surrogates/adamw.hpp"
#include "pdesym/surrogates/models.hpp"
#include "pdesym/surrogates/models2d.hpp"
#include "pdesym/surrogates/train.hpp"

namespace pdesym::surrogates {

namespace {

constexpr std::uint64_t kPermTag = 0x5045524D55544531ULL;    // epoch permutation streams
constexpr std::uint64_t kSampleTag = 0x53414D504C455331ULL;  // per-sample window/augmentation streams
constexpr const char* kFormat = "pdesym-surrogate";

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

void set_threads(int requested, int size) {
  int n = requested;
  if (n <= 0) {
    const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    n = std::max(1, hw / std::max(1, size));
  }
  torch::set_num_threads(n);
}

void allreduce_doubles(double* v, int n, int size) {
  if (size > 1) MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

// Real views of all parameters (complex ones as [..., 2]).
std::vector<torch::Tensor> real_views(const std::vector<torch::Tensor>& ts) {
  std::vector<torch::Tensor> out;
  out.reserve(ts.size());
  for (const auto& t : ts) out.push_back(t.is_complex() ? torch::view_as_real(t) : t);
  return out;
}

// Sums the gradients of all ranks (MPI_Allreduce on one flat float buffer) and divides by nothing: each rank's
// loss is already scaled by 1/global_batch, so the sum is the gradient of the global mean loss.
void allreduce_gradients(const std::vector<torch::Tensor>& params, int size) {
  if (size <= 1) return;
  std::vector<torch::Tensor> grads;
  for (const auto& p : params) {
    torch::Tensor g = p.grad();
    if (!g.defined()) g = torch::zeros_like(p);
    grads.push_back((g.is_complex() ? torch::view_as_real(g) : g).reshape({-1}));
  }
  torch::Tensor flat = torch::cat(grads).contiguous();
  MPI_Allreduce(MPI_IN_PLACE, flat.data_ptr<float>(), static_cast<int>(flat.numel()), MPI_FLOAT, MPI_SUM,
                MPI_COMM_WORLD);
  long off = 0;
  for (const auto& p : params) {
    const long n = p.numel() * (p.is_complex() ? 2 : 1);
    torch::Tensor chunk = flat.narrow(0, off, n);
    off += n;
    // Fresh (non-view) gradient tensors: the optimizer's zero_grad() detaches them in place.
    if (p.is_complex()) {
      std::vector<int64_t> shp(p.sizes().begin(), p.sizes().end());
      shp.push_back(2);
      const_cast<torch::Tensor&>(p).mutable_grad() = torch::view_as_complex(chunk.reshape(shp)).clone();
    } else {
      const_cast<torch::Tensor&>(p).mutable_grad() = chunk.reshape(p.sizes()).clone();
    }
  }
}

// Rank 0's parameters on every rank.
void broadcast_parameters(Surrogate& model, int size) {
  if (size <= 1) return;
  torch::NoGradGuard ng;
  auto params = real_views(model.parameters());
  std::vector<torch::Tensor> flat_pieces;
  for (const auto& p : params) flat_pieces.push_back(p.reshape({-1}));
  torch::Tensor flat = torch::cat(flat_pieces).contiguous();
  MPI_Bcast(flat.data_ptr<float>(), static_cast<int>(flat.numel()), MPI_FLOAT, 0, MPI_COMM_WORLD);
  long off = 0;
  for (auto& p : params) {
    p.copy_(flat.narrow(0, off, p.numel()).reshape(p.sizes()));
    off += p.numel();
  }
}

void copy_parameters(Surrogate& dst, Surrogate& src) {
  torch::NoGradGuard ng;
  auto d = dst.parameters(), s = src.parameters();
  for (std::size_t i = 0; i < d.size(); ++i) d[i].copy_(s[i]);
}

// The one validator (Split::validate: shapes, finite values, uniform t, dx consistent with x), then the range the
// float32 model can represent. `what` names the data in messages.
void require_float32_range(const datasets::Split& s, const std::string& what);
void check_data(const datasets::Split& s, const std::string& what) {
  s.validate(what);
  require_float32_range(s, what);
}

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

// Sums over ranks of per-step scaled sums: common scale (max over ranks), then summed ssq.
void allreduce_sumsq(std::vector<SumSq>& v, int size) {
  if (size <= 1) return;
  std::vector<double> sc(v.size()), ss(v.size());
  for (std::size_t k = 0; k < v.size(); ++k) sc[k] = v[k].scale;
  MPI_Allreduce(MPI_IN_PLACE, sc.data(), static_cast<int>(sc.size()), MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  for (std::size_t k = 0; k < v.size(); ++k) {
    const double r = (v[k].scale == 0 || !std::isfinite(sc[k])) ? 0.0 : v[k].scale / sc[k];
    ss[k] = v[k].scale == 0 ? 0.0 : !std::isfinite(v[k].scale) ? std::numeric_limits<double>::quiet_NaN()
                                                                  : v[k].ssq * r * r;
  }
  MPI_Allreduce(MPI_IN_PLACE, ss.data(), static_cast<int>(ss.size()), MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  for (std::size_t k = 0; k < v.size(); ++k) {
    v[k].scale = std::isnan(ss[k]) ? ss[k] : sc[k];
    v[k].ssq = sc[k] == 0 ? 1.0 : ss[k];
  }
}

// The first tw levels of trajectories [i0, i0 + b) as the model's input: [b, tw, nx] (1-D scalar) or
// [b, tw, nc, ny, nx] (otherwise; ny = 1 in 1-D), float32, contiguous.
torch::Tensor input_window(const datasets::Split& data, int i0, int b, int tw) {
  if (data.dim == 1 && data.nc == 1) {
    auto all = torch::from_blob(const_cast<double*>(data.traj(i0)), {b, data.nt, data.nx}, torch::kFloat64);
    return all.narrow(1, 0, tw).to(torch::kFloat32);
  }
  auto all = torch::from_blob(const_cast<double*>(data.traj(i0)), {b, data.nc, data.nt, data.ny, data.nx},
                              torch::kFloat64);
  return all.narrow(2, 0, tw).permute({0, 2, 1, 3, 4}).to(torch::kFloat32).contiguous();
}

torch::Tensor per_trajectory(const std::vector<double>& v, int i0, int b) {
  return torch::from_blob(const_cast<double*>(v.data() + i0), {b}, torch::kFloat64).to(torch::kFloat32);
}

// A rollout from the first tw levels of trajectories [i0, i0 + b), as float64 [b][nc][steps][ny][nx] (the Split's
// layout).
torch::Tensor rollout_of(Surrogate& model, const datasets::Split& data, int i0, int b, int steps) {
  const int tw = model.config().time_window;
  auto u0 = input_window(data, i0, b, tw);
  auto dx = per_trajectory(data.dx, i0, b), dt = per_trajectory(data.dt, i0, b);
  if (data.dim == 1 && data.nc == 1) return rollout(model, u0, dx, dt, steps).to(torch::kFloat64).contiguous();
  auto dy = per_trajectory(data.dy, i0, b);
  return rollout(model, u0, dx, dy, dt, steps).to(torch::kFloat64).permute({0, 2, 1, 3, 4}).contiguous();
}

RolloutSums rollout_sums(Surrogate& model, const datasets::Split& data, int steps, int batch, int size) {
  const int tw = model.config().time_window, nc = data.nc;
  RolloutSums acc;
  acc.se_step.assign(steps, SumSq{});
  acc.true_step.assign(steps, SumSq{});
  acc.se_comp.assign(static_cast<std::size_t>(nc) * steps, SumSq{});
  acc.true_comp.assign(static_cast<std::size_t>(nc) * steps, SumSq{});
  torch::NoGradGuard ng;
  model.eval();
  const std::size_t pts = data.shape().points(), csize = data.shape().component_size();
  for (int i0 = 0; i0 < data.n; i0 += batch) {
    const int b = std::min(batch, data.n - i0);
    auto pred = rollout_of(model, data, i0, b, steps);  // [b][nc][S][pts]
    const double* pp = pred.data_ptr<double>();
    for (int k = 0; k < b; ++k) {
      SumSq e, t;
      for (int s = 0; s < steps; ++s) {
        SumSq es, ts;
        for (int c = 0; c < nc; ++c) {
          const double* tru = data.traj(i0 + k) + c * csize + static_cast<std::size_t>(tw + s) * pts;
          const double* prd = pp + ((static_cast<std::size_t>(k) * nc + c) * steps + s) * pts;
          SumSq ec, tc;
          for (std::size_t x = 0; x < pts; ++x) {
            ec.add(prd[x] - tru[x]);
            tc.add(tru[x]);
          }
          acc.se_comp[static_cast<std::size_t>(c) * steps + s].add(ec);
          acc.true_comp[static_cast<std::size_t>(c) * steps + s].add(tc);
          es.add(ec);
          ts.add(tc);
        }
        acc.se_step[s].add(es);
        acc.true_step[s].add(ts);
        e.add(es);
        t.add(ts);
      }
      if (!t.zero()) {
        acc.nmse_traj_sum += e.ratio(t);
        acc.n_nonzero += 1;
      }
    }
    acc.n += b;
  }
  model.train();
  allreduce_sumsq(acc.se_step, size);
  allreduce_sumsq(acc.true_step, size);
  allreduce_sumsq(acc.se_comp, size);
  allreduce_sumsq(acc.true_comp, size);
  double buf[3] = {acc.nmse_traj_sum, acc.n, acc.n_nonzero};
  allreduce_doubles(buf, 3, size);
  acc.nmse_traj_sum = buf[0];
  acc.n = buf[1];
  acc.n_nonzero = buf[2];
  return acc;
}

// mean square = scale^2 ssq / count without forming scale^2 ssq first (it may exceed the double range on its own).
double mean_square(const SumSq& v, double count) {
  const double rms = v.scale * std::sqrt(v.ssq / count);
  return v.zero() ? 0.0 : rms * rms;
}

// `data` gives the shape and component names (values are not read).
EvalResult metrics_of(const RolloutSums& a, const datasets::Split& data, int steps, int tw) {
  const int nc = data.nc;
  const double pts = static_cast<double>(data.shape().points());
  EvalResult r;
  r.rollout_steps = steps;
  r.time_window = tw;
  r.n_trajectories = static_cast<int>(a.n);
  SumSq se, tt;
  r.mse_per_step.resize(steps);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (int s = 0; s < steps; ++s) {
    r.mse_per_step[s] = mean_square(a.se_step[s], a.n * (nc * pts));
    r.accumulated_mse += r.mse_per_step[s];
    se.add(a.se_step[s]);
    tt.add(a.true_step[s]);
  }
  if (!se.finite()) {
    r.nmse = r.nmse_per_trajectory_mean = nan;
    r.nmse_note = "undefined: the predicted rollout is not finite (the model diverged)";
  } else if (tt.zero()) {
    r.nmse = r.nmse_per_trajectory_mean = nan;
    r.nmse_note = "undefined: the true rollout is identically zero (NMSE divides by its norm)";
  } else {
    r.nmse = se.ratio(tt);
    r.nmse_per_trajectory_mean = a.n_nonzero > 0 ? a.nmse_traj_sum / a.n_nonzero : nan;
    if (a.n_nonzero < a.n)
      r.nmse_note = "nmse_per_trajectory_mean leaves out " + std::to_string(static_cast<long>(a.n - a.n_nonzero)) +
                    " trajectories whose true rollout is identically zero";
  }
  r.components = data.components;
  r.accumulated_mse_per_component.assign(nc, 0.0);
  r.nmse_per_component.assign(nc, nan);
  for (int c = 0; c < nc; ++c) {
    SumSq sec, ttc;
    for (int s = 0; s < steps; ++s) {
      const std::size_t k = static_cast<std::size_t>(c) * steps + s;
      r.accumulated_mse_per_component[c] += mean_square(a.se_comp[k], a.n * pts);
      sec.add(a.se_comp[k]);
      ttc.add(a.true_comp[k]);
    }
    if (sec.finite() && !ttc.zero()) r.nmse_per_component[c] = sec.ratio(ttc);
  }
  return r;
}

// The model and the data agree on the shape (dim, nc) and the FNO's modes fit the grid. `what` names the
// model's source ("checkpoint 'm.pt'") and `data_what` the data.
void require_model_fits(const ModelConfig& mc, const datasets::Split& d, const std::string& what,
                        const std::string& data_what) {
  PDESYM_REQUIRE(mc.dim == d.dim && mc.nc == d.nc,
                 what << " is for " << mc.describe_shape() << " data, but " << data_what << " is "
                      << d.shape().describe() << " (train a model on data of this shape)");
  if (mc.kind != "fno") return;
  if (d.dim == 1)
    PDESYM_REQUIRE(mc.modes <= d.nx / 2 + 1, "the FNO keeps " << mc.modes << " Fourier modes but " << data_what
                                                              << " has nx=" << d.nx << " (at most " << d.nx / 2 + 1
                                                              << ")");
  else
    PDESYM_REQUIRE(mc.modes <= d.nx / 2 + 1 && 2 * mc.modes <= d.ny,
                   "the 2-D FNO keeps " << mc.modes << " x " << mc.modes << " Fourier modes (both signs of ky) but "
                                        << data_what << " has a grid of " << d.ny << " x " << d.nx
                                        << " (ny x nx; at most " << std::min(d.nx / 2 + 1, d.ny / 2) << ")");
}

// The model computes in float32: data beyond its range would silently become inf.
void require_float32_range(const datasets::Split& s, const std::string& what) {
  const double lim = static_cast<double>(std::numeric_limits<float>::max());
  for (int i = 0; i < s.n; ++i) {
    const double* u = s.traj(i);
    for (std::size_t k = 0; k < s.traj_size(); ++k)
      PDESYM_REQUIRE(std::abs(u[k]) <= lim, what << ": " << s.name << "/" << i << ": value " << u[k]
                                                 << " is beyond the float32 range of the surrogate (|u| <= "
                                                 << lim << "); rescale the data");
  }
}

void require_rollout_fits(const datasets::Split& s, int tw, int steps, const std::string& what) {
  PDESYM_REQUIRE(steps >= 1, "rollout steps must be >= 1 (got " << steps << ")");
  PDESYM_REQUIRE(s.nt >= tw + steps, what << " trajectories have nt=" << s.nt << " time levels, but a rollout of "
                                          << steps << " steps after " << tw << " input steps needs nt >= "
                                          << tw + steps << " (use fewer rollout steps)");
}

nlohmann::json history_json(const std::vector<EpochRecord>& h) {
  TrainResult r;
  r.history = h;
  return r.to_json()["history"];
}

std::vector<EpochRecord> history_from(const nlohmann::json& j) {
  std::vector<EpochRecord> h;
  for (const auto& e : j) {
    EpochRecord r;
    r.epoch = e.at("epoch").get<int>();
    r.train_loss = e.at("train_loss").get<double>();
    r.valid_accumulated_mse = e.at("valid_accumulated_mse").get<double>();
    r.valid_nmse = e.at("valid_nmse").is_null() ? std::numeric_limits<double>::quiet_NaN()
                                                : e.at("valid_nmse").get<double>();
    r.samples_per_second = e.at("samples_per_second").get<double>();
    r.seconds = e.at("seconds").get<double>();
    h.push_back(r);
  }
  return h;
}

// Everything that must match for a resumed run to continue the same training.
nlohmann::json signature(const TrainOptions& opt, const ModelConfig& mc, int windows, const ShardedSplit& tr) {
  nlohmann::json sig = {{"model", mc.to_json()},
          {"batch_size", opt.batch_size},
          {"lr", opt.lr},
          {"weight_decay", opt.weight_decay},
          {"windows_per_trajectory", windows},
          {"seed", opt.seed},
          {"augment", opt.augment},
          {"augment_eps", opt.augment_eps},
          {"n_train", tr.n_total},
          {"nt", tr.data.nt},
          {"nx", tr.data.nx}};
  if (tr.data.dim != 1) sig["ny"] = tr.data.ny;
  return sig;
}

struct TrainState {
  int epoch = 0;            // completed epochs
  int batch = 0;            // next batch within epoch `epoch` (0-based epoch index = completed epochs)
  long global_step = 0;
  double epoch_loss_sum = 0;
  long epoch_batches = 0;
  double epoch_samples = 0, epoch_step_seconds = 0;
  double best_valid = -1;
  int best_epoch = 0;
  std::vector<EpochRecord> history;
};

void write_checkpoint(const std::string& path, Surrogate& model, Surrogate* best, AdamW& optim,
                      const TrainState& st, const nlohmann::json& sig) {
  torch::serialize::OutputArchive ar, m, o;
  ar.write("format", c10::IValue(std::string(kFormat)));
  ar.write("format_version", c10::IValue(static_cast<int64_t>(kModelFormatVersion)));
  ar.write("model_config", c10::IValue(model.config().to_json().dump()));
  ar.write("signature", c10::IValue(sig.dump()));
  ar.write("history", c10::IValue(history_json(st.history).dump()));
  ar.write("epoch", c10::IValue(static_cast<int64_t>(st.epoch)));
  ar.write("batch", c10::IValue(static_cast<int64_t>(st.batch)));
  ar.write("global_step", c10::IValue(static_cast<int64_t>(st.global_step)));
  ar.write("epoch_loss_sum", c10::IValue(st.epoch_loss_sum));
  ar.write("epoch_batches", c10::IValue(static_cast<int64_t>(st.epoch_batches)));
  ar.write("epoch_samples", c10::IValue(st.epoch_samples));
  ar.write("epoch_step_seconds", c10::IValue(st.epoch_step_seconds));
  ar.write("best_valid", c10::IValue(st.best_valid));
  ar.write("best_epoch", c10::IValue(static_cast<int64_t>(st.best_epoch)));
  // Random streams are counter based (seed, epoch, sample): the position (epoch, batch) is the whole RNG state.
  ar.write("rng_scheme", c10::IValue(std::string("counter:seed,epoch,sample")));
  model.save(m);
  ar.write("model", m);
  if (best) {
    torch::serialize::OutputArchive b;
    best->save(b);
    ar.write("best_model", b);
  }
  optim.save(o);
  ar.write("optimizer", o);
  // In memory first, then checked I/O (a full disk gives pdesym::Error, not a throwing LibTorch destructor).
  std::ostringstream bytes;
  ar.save_to(bytes);
  write_bytes_atomic(path, bytes.str());
}

int64_t read_int(torch::serialize::InputArchive& ar, const char* key) {
  c10::IValue v;
  ar.read(key, v);
  return v.toInt();
}
double read_double(torch::serialize::InputArchive& ar, const char* key) {
  c10::IValue v;
  ar.read(key, v);
  return v.toDouble();
}
std::string read_string(torch::serialize::InputArchive& ar, const char* key) {
  c10::IValue v;
  ar.read(key, v);
  return v.toStringRef();
}

void read_checkpoint(const std::string& path, Surrogate& model, Surrogate* best, AdamW& optim,
                     TrainState& st, const nlohmann::json& sig) {
  try {
    torch::serialize::InputArchive ar;
    ar.load_from(path);
    c10::IValue fmt;
    PDESYM_REQUIRE(ar.try_read("format", fmt) && fmt.isString() && fmt.toStringRef() == kFormat,
                   "cannot resume from '" << path << "': not a pdesym training checkpoint");
    c10::IValue sv;
    PDESYM_REQUIRE(ar.try_read("signature", sv),
                   "cannot resume from '" << path << "': it is a model-only file without optimizer state");
    const nlohmann::json old = nlohmann::json::parse(sv.toStringRef());
    std::string diffs;
    for (auto it = sig.begin(); it != sig.end(); ++it)
      if (!old.contains(it.key()) || old.at(it.key()) != it.value())
        diffs += "\n  " + it.key() + ": checkpoint " + (old.contains(it.key()) ? old.at(it.key()).dump() : "-") +
                 ", now " + it.value().dump();
    PDESYM_REQUIRE(diffs.empty(), "cannot resume from '" << path << "': it was made with different settings:" << diffs);
    // Optimizer moments are stored in the parameters' layout, which changed for FNO spectral weights in
    // version 2: such older checkpoints are evaluated (load_model converts them) but not resumed. Unknown
    // versions are refused by load_parameters.
    const int version = read_format_version(ar);
    PDESYM_REQUIRE(version != 1 || model.config().kind != "fno",
                   "cannot resume from '" << path << "': checkpoint format version 1 (FNO spectral weights [in, out, "
                                             "modes, 2]); this pdesym resumes FNO training from format version "
                                          << kModelFormatVersion
                                          << " only (evaluate still reads the file; retrain to resume)");
    torch::serialize::InputArchive m, o;
    ar.read("model", m);
    load_parameters(model, m, version, "checkpoint '" + path + "'");
    if (best) {
      torch::serialize::InputArchive b;
      if (ar.try_read("best_model", b)) load_parameters(*best, b, version, "checkpoint '" + path + "'");
    }
    ar.read("optimizer", o);
    optim.load(o, "checkpoint '" + path + "'");
    st.epoch = static_cast<int>(read_int(ar, "epoch"));
    st.batch = static_cast<int>(read_int(ar, "batch"));
    st.global_step = read_int(ar, "global_step");
    st.epoch_loss_sum = read_double(ar, "epoch_loss_sum");
    st.epoch_batches = read_int(ar, "epoch_batches");
    st.epoch_samples = read_double(ar, "epoch_samples");
    st.epoch_step_seconds = read_double(ar, "epoch_step_seconds");
    st.best_valid = read_double(ar, "best_valid");
    st.best_epoch = static_cast<int>(read_int(ar, "best_epoch"));
    st.history = history_from(nlohmann::json::parse(read_string(ar, "history")));
  } catch (const c10::Error& e) {
    std::string msg = e.what_without_backtrace();
    throw InputError("cannot resume from '" + path + "': " + msg.substr(0, std::min<std::size_t>(300, msg.find('\n'))));
  } catch (const nlohmann::json::exception& e) {
    throw InputError("cannot resume from '" + path + "': damaged metadata: " + e.what());
  }
}

}  // namespace

// ---- training ------------------------------------------------------------------------------------------------

TrainResult train(const ShardedSplit& trs, const ShardedSplit* valid, const TrainOptions& opt) {
  const int rank = world_rank(), size = world_size();
  const bool root = rank == 0;
  const datasets::Split& tr = trs.data;
  ModelConfig mc = opt.model;  // with the data's shape
  mc.dim = tr.dim;
  mc.nc = tr.nc;
  mc.validate();
  const int tw = mc.time_window;
  PDESYM_REQUIRE(opt.epochs >= 1, "number of epochs must be >= 1 (got " << opt.epochs << ")");
  PDESYM_REQUIRE(opt.batch_size >= 1, "batch size must be >= 1 (got " << opt.batch_size << ")");
  PDESYM_REQUIRE(opt.lr > 0 && std::isfinite(opt.lr), "learning rate must be positive (got " << opt.lr << ")");
  PDESYM_REQUIRE(opt.weight_decay >= 0, "weight decay must be >= 0 (got " << opt.weight_decay << ")");
  PDESYM_REQUIRE(trs.n_total >= 1, "no training trajectories");
  PDESYM_REQUIRE(tr.nt >= 2 * tw, "training trajectories have nt=" << tr.nt << " time levels; windows of " << tw
                                                                   << " input and " << tw
                                                                   << " output steps need nt >= " << 2 * tw);
  require_model_fits(mc, tr, "the model", "the training data");
  check_data(tr, "training data");
  if (valid) {
    require_model_fits(mc, valid->data, "the model (shaped by the training data)", "the validation data");
    require_rollout_fits(valid->data, tw, opt.rollout_steps, "validation");
    check_data(valid->data, "validation data");
  }
  set_threads(opt.threads, size);

  augment::AugmentOptions aopt;
  aopt.eps = opt.augment_eps;
  const augment::Augmenter aug(tr.dim == 1 && tr.nc == 1 ? augment::load_generators(opt.augment, aopt)
                                                        : augment::load_generators(opt.augment, tr.shape(), aopt));
  // The Augmenter decides which field shapes it transforms: for data other than 1-D scalar, one trial window
  // gives its refusal (InputError) now rather than at the first batch.
  if (aug.active() && (tr.dim != 1 || tr.nc != 1) && tr.n > 0) {
    Rng probe(opt.seed ^ kSampleTag, ~0ULL, 0);
    (void)aug(tr.field_window(0, 0, 2 * tw), probe);
  }

  const int windows = opt.windows_per_trajectory > 0 ? opt.windows_per_trajectory : std::max(1, tr.nt / tw);
  const long n_samples = static_cast<long>(trs.n_total) * windows;
  const int n_batches = static_cast<int>((n_samples + opt.batch_size - 1) / opt.batch_size);
  const nlohmann::json sig = signature(opt, mc, windows, trs);

  torch::manual_seed(opt.seed);
  std::shared_ptr<Surrogate> model = make_model(mc);
  broadcast_parameters(*model, size);
  std::shared_ptr<Surrogate> best = valid ? make_model(mc) : nullptr;
  if (best) copy_parameters(*best, *model);
  AdamW optim(model->parameters(), AdamWConfig{opt.lr, 0.9, 0.999, 1e-8, opt.weight_decay});
  const std::vector<torch::Tensor> params = model->parameters();

  TrainState st;
  if (opt.resume && file_exists(opt.out)) {
    read_checkpoint(opt.out, *model, best.get(), optim, st, sig);
    if (root && opt.progress)
      std::fprintf(stderr, "resuming from %s: %d epochs and %d batches done (step %ld)\n", opt.out.c_str(), st.epoch,
                   st.batch, st.global_step);
  } else if (opt.resume && root && opt.progress) {
    std::fprintf(stderr, "no checkpoint at %s yet: starting from scratch\n", opt.out.c_str());
  }

  TrainResult res;
  res.augmentation = aug.generators().describe();
  if (root && opt.progress) {
    std::fprintf(stderr, "training %s (%ld parameters) on %d trajectories (%d ranks), %d samples/epoch, %d batches\n",
                 mc.kind.c_str(), model->parameter_count(), trs.n_total, size, static_cast<int>(n_samples), n_batches);
    std::fprintf(stderr, "augmentation: %s%s", opt.augment.c_str(),
                 aug.active() ? ("\n" + res.augmentation).c_str() : "\n");
  }

  // Sample tensors [m, tw, nx] (1-D scalar) or [m, tw, nc, ny, nx]; the loss averages over all but the batch.
  const bool scalar1d = tr.dim == 1 && tr.nc == 1;
  auto batch_sizes = [&](long m) {
    return scalar1d ? std::vector<int64_t>{m, tw, tr.nx} : std::vector<int64_t>{m, tw, tr.nc, tr.ny, tr.nx};
  };
  const std::vector<int64_t> loss_dims = scalar1d ? std::vector<int64_t>{1, 2} : std::vector<int64_t>{1, 2, 3, 4};
  // Appends levels [n0, n0 + tw) of `f` in the model's order (level, component, y, x).
  auto append_levels = [&](const Field& f, int n0, std::vector<float>& out) {
    const std::size_t pts = f.shape.points();
    for (int lv = n0; lv < n0 + tw; ++lv)
      for (int c = 0; c < f.nc(); ++c) out.insert(out.end(), f.snapshot(c, lv), f.snapshot(c, lv) + pts);
  };
  std::vector<float> xin, yout, dxv, dyv, dtv;
  long steps_this_call = 0;
  const int first = trs.first, last = trs.first + tr.n;
  model->train();

  for (; st.epoch < opt.epochs; ++st.epoch) {
    const int e = st.epoch;
    // The epoch's sample order: same on every rank.
    std::vector<long> perm(n_samples);
    std::iota(perm.begin(), perm.end(), 0L);
    Rng prng(opt.seed ^ kPermTag, static_cast<std::uint64_t>(e), 0);
    for (long i = n_samples - 1; i > 0; --i) std::swap(perm[i], perm[std::min(i, prng.uniform_int(0, i))]);

    // Off a terminal the per-epoch line below is the summary; the bar is drawn only live.
    ProgressBar bar("epoch " + std::to_string(e + 1) + "/" + std::to_string(opt.epochs), n_batches,
                    root && opt.progress && ProgressBar::on_terminal());
    bar.update(st.batch);
    const auto epoch_t0 = Clock::now();
    for (; st.batch < n_batches; ++st.batch) {
      const auto t0 = Clock::now();
      const long b0 = static_cast<long>(st.batch) * opt.batch_size;
      const long b1 = std::min(n_samples, b0 + opt.batch_size);
      const double bsz = static_cast<double>(b1 - b0);
      xin.clear();
      yout.clear();
      dxv.clear();
      dyv.clear();
      dtv.clear();
      for (long k = b0; k < b1; ++k) {
        const long g = perm[k];
        const int traj = static_cast<int>(g / windows);
        if (traj < first || traj >= last) continue;
        Rng rs(opt.seed ^ kSampleTag, static_cast<std::uint64_t>(e), static_cast<std::uint64_t>(g));
        const int start = static_cast<int>(std::min<long>(rs.uniform_int(0, tr.nt - 2 * tw), tr.nt - 2 * tw));
        Field f = tr.field_window(traj - first, start, 2 * tw);
        if (aug.active()) f = aug(f, rs);
        append_levels(f, 0, xin);
        append_levels(f, tw, yout);
        dxv.push_back(static_cast<float>(f.dx));
        dyv.push_back(static_cast<float>(f.dy));
        dtv.push_back(static_cast<float>(f.dt));
      }
      const long m = static_cast<long>(dxv.size());
      optim.zero_grad();
      double loss_sum = 0;
      if (m > 0) {
        auto X = torch::from_blob(xin.data(), batch_sizes(m), torch::kFloat32);
        auto Y = torch::from_blob(yout.data(), batch_sizes(m), torch::kFloat32);
        auto DX = torch::from_blob(dxv.data(), {m}, torch::kFloat32);
        auto DY = torch::from_blob(dyv.data(), {m}, torch::kFloat32);
        auto DT = torch::from_blob(dtv.data(), {m}, torch::kFloat32);
        auto pred = model->step(X, DX, DY, DT);
        auto loss = (pred - Y).pow(2).mean(loss_dims).sum() / bsz;
        loss.backward();
        loss_sum = loss.item<double>();
      }
      allreduce_gradients(params, size);
      allreduce_doubles(&loss_sum, 1, size);
      PDESYM_REQUIRE(std::isfinite(loss_sum), "training loss is " << loss_sum << " at epoch " << e + 1 << ", batch "
                                                                  << st.batch + 1
                                                                  << ": training diverged (try a smaller --lr) or the "
                                                                     "data/augmentation produce non-finite values");
      optim.step();
      st.epoch_loss_sum += loss_sum;
      ++st.epoch_batches;
      st.epoch_samples += bsz;
      st.epoch_step_seconds += seconds_since(t0);
      ++st.global_step;
      ++steps_this_call;
      bar.update(st.batch + 1);
      const bool stop = opt.stop_after_steps >= 0 && steps_this_call >= opt.stop_after_steps;
      const bool ckpt = opt.checkpoint_every_steps > 0 && st.global_step % opt.checkpoint_every_steps == 0;
      if ((stop || ckpt) && st.batch + 1 < n_batches) {
        TrainState s2 = st;
        s2.batch = st.batch + 1;
        if (root) write_checkpoint(opt.out, *model, best.get(), optim, s2, sig);
        if (stop) {
          res.stopped_early = true;
          st = s2;
          break;
        }
      }
    }
    if (res.stopped_early) break;

    EpochRecord rec;
    rec.epoch = e + 1;
    rec.train_loss = st.epoch_batches ? st.epoch_loss_sum / st.epoch_batches : 0.0;
    rec.samples_per_second = st.epoch_step_seconds > 0 ? st.epoch_samples / st.epoch_step_seconds : 0.0;
    if (valid) {
      const RolloutSums rs = rollout_sums(*model, valid->data, opt.rollout_steps, opt.batch_size, size);
      const EvalResult ev = metrics_of(rs, valid->data, opt.rollout_steps, tw);
      rec.valid_accumulated_mse = ev.accumulated_mse;
      rec.valid_nmse = ev.nmse;
      PDESYM_REQUIRE(std::isfinite(ev.accumulated_mse),
                     "validation rollout is not finite after epoch " << e + 1 << " (training diverged)");
      if (st.best_valid < 0 || ev.accumulated_mse < st.best_valid) {
        st.best_valid = ev.accumulated_mse;
        st.best_epoch = e + 1;
        copy_parameters(*best, *model);
      }
    }
    rec.seconds = seconds_since(epoch_t0);
    bar.finish();
    st.history.push_back(rec);
    if (root && opt.progress) {
      std::fprintf(stderr, "epoch %d/%d: train loss %.4e", e + 1, opt.epochs, rec.train_loss);
      if (valid)
        std::fprintf(stderr, ", valid accumulated MSE %.4e, NMSE %.4e%s", rec.valid_accumulated_mse, rec.valid_nmse,
                     st.best_epoch == e + 1 ? " (best)" : "");
      std::fprintf(stderr, ", %.1f samples/s\n", rec.samples_per_second);
    }
    TrainState s2 = st;
    s2.epoch = e + 1;
    s2.batch = 0;
    s2.epoch_loss_sum = 0;
    s2.epoch_batches = 0;
    s2.epoch_samples = 0;
    s2.epoch_step_seconds = 0;
    if (root) write_checkpoint(opt.out, *model, best.get(), optim, s2, sig);
    st = s2;
    st.epoch = e;  // the loop increment moves to e + 1
    if (opt.stop_after_steps >= 0 && steps_this_call >= opt.stop_after_steps) {
      res.stopped_early = e + 1 < opt.epochs;
      st.epoch = e + 1;
      break;
    }
  }
  if (size > 1) MPI_Barrier(MPI_COMM_WORLD);  // the checkpoint is complete before anyone reads it

  res.history = st.history;
  res.epochs_completed = static_cast<int>(st.history.size());
  res.global_step = st.global_step;
  res.best_valid_accumulated_mse = st.best_valid;
  res.best_epoch = st.best_epoch;
  res.model = mc;
  if (opt.collect_parameters) {
    torch::Tensor flat = flatten_parameters(*model).contiguous();
    res.parameters.assign(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
  }
  return res;
}

// ---- evaluation ----------------------------------------------------------------------------------------------

datasets::Split predict_trajectory(const std::string& model_path, const datasets::Split& data, int index,
                                   int steps, const EvalOptions& opt) {
  PDESYM_REQUIRE(file_exists(model_path), "model file '" << model_path << "' not found");
  PDESYM_REQUIRE(index >= 0 && index < data.n, "trajectory " << index << " is out of range (split '" << data.name
                                                              << "' has " << data.n << ")");
  PDESYM_REQUIRE(steps >= 1, "rollout steps must be >= 1 (got " << steps << ")");
  set_threads(opt.threads, 1);
  std::shared_ptr<Surrogate> model = load_model(model_path, opt.use_best);
  const int tw = model->config().time_window;
  require_model_fits(model->config(), data, "model file '" + model_path + "'", "split '" + data.name + "'");
  require_rollout_fits(data, tw, steps, data.name);
  check_data(data, data.name);
  FieldShape shp = data.shape();
  shp.nt = tw + steps;
  datasets::Split out;
  out.name = data.name;
  out.resize(1, shp, data.components);
  const std::size_t i = static_cast<std::size_t>(index), pts = shp.points();
  std::copy(data.x.begin() + i * data.nx, data.x.begin() + (i + 1) * data.nx, out.x.begin());
  if (data.y.size() >= (i + 1) * data.ny)
    std::copy(data.y.begin() + i * data.ny, data.y.begin() + (i + 1) * data.ny, out.y.begin());
  std::copy(data.t.begin() + i * data.nt, data.t.begin() + i * data.nt + tw + steps, out.t.begin());
  out.dx[0] = data.dx[i];
  out.dy[0] = data.dy.size() > i ? data.dy[i] : 0.0;
  out.dt[0] = data.dt[i];
  torch::NoGradGuard ng;
  model->eval();
  const torch::Tensor pred = rollout_of(*model, data, index, 1, steps);  // [1][nc][steps][pts]
  const double* pp = pred.data_ptr<double>();
  for (int c = 0; c < data.nc; ++c) {
    const double* src = data.traj(index) + c * data.shape().component_size();
    double* dst = out.traj(0) + c * shp.component_size();
    std::copy(src, src + tw * pts, dst);
    std::copy(pp + c * steps * pts, pp + (c + 1) * steps * pts, dst + tw * pts);
  }
  return out;
}

EvalResult evaluate(const std::string& model_path, const ShardedSplit& test, const EvalOptions& opt) {
  const int size = world_size();
  PDESYM_REQUIRE(file_exists(model_path), "model file '" << model_path << "' not found");
  PDESYM_REQUIRE(opt.batch_size >= 1, "batch size must be >= 1 (got " << opt.batch_size << ")");
  set_threads(opt.threads, size);
  std::shared_ptr<Surrogate> model = load_model(model_path, opt.use_best);
  bool has_best = false;
  int epoch = 0;
  try {
    torch::serialize::InputArchive ar;
    ar.load_from(model_path);
    torch::serialize::InputArchive b;
    has_best = ar.try_read("best_model", b);
    c10::IValue v;
    if (ar.try_read("best_epoch", v) && has_best && opt.use_best) epoch = static_cast<int>(v.toInt());
    else if (ar.try_read("epoch", v)) epoch = static_cast<int>(v.toInt());
  } catch (const c10::Error&) {
  }
  const int tw = model->config().time_window;
  require_model_fits(model->config(), test.data, "model file '" + model_path + "'", "the test data");
  require_rollout_fits(test.data, tw, opt.rollout_steps, "test");
  PDESYM_REQUIRE(test.n_total >= 1, "no test trajectories");
  check_data(test.data, "test data");
  const RolloutSums rs = rollout_sums(*model, test.data, opt.rollout_steps, opt.batch_size, size);
  EvalResult r = metrics_of(rs, test.data, opt.rollout_steps, tw);
  r.model_kind = model->config().kind;
  r.checkpoint_epoch = epoch;
  r.used_best = has_best && opt.use_best;
  return r;
}

}  // namespace pdesym::surrogates
