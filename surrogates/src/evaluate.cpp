// Rollout evaluation: data checks, rollout metrics (scaled sums of squares, summed over ranks), evaluate() and
// predict_trajectory().
#include <mpi.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "train_detail.hpp"

namespace pdesym::surrogates {

namespace detail {

void check_data(const datasets::Split& s, const std::string& what) {
  s.validate(what);
  require_float32_range(s, what);
}

namespace {

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

}  // namespace

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

namespace {
// mean square = scale^2 ssq / count without forming scale^2 ssq first (it may exceed the double range on its own).
double mean_square(const SumSq& v, double count) {
  const double rms = v.scale * std::sqrt(v.ssq / count);
  return v.zero() ? 0.0 : rms * rms;
}
}  // namespace

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

}  // namespace detail

using namespace detail;

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
  const LoadedModel loaded = load_model_file(model_path, opt.use_best);
  const std::shared_ptr<Surrogate> model = loaded.model;
  const int tw = model->config().time_window;
  require_model_fits(model->config(), test.data, "model file '" + model_path + "'", "the test data");
  require_rollout_fits(test.data, tw, opt.rollout_steps, "test");
  PDESYM_REQUIRE(test.n_total >= 1, "no test trajectories");
  check_data(test.data, "test data");
  const RolloutSums rs = rollout_sums(*model, test.data, opt.rollout_steps, opt.batch_size, size);
  EvalResult r = metrics_of(rs, test.data, opt.rollout_steps, tw);
  r.model_kind = model->config().kind;
  r.checkpoint_epoch = loaded.epoch;
  r.used_best = loaded.used_best;
  return r;
}

}  // namespace pdesym::surrogates
