// Data-parallel training with on-the-fly symmetry augmentation (the training loop; checkpoint I/O in
// checkpoint.cpp, evaluation and metrics in evaluate.cpp, MPI exchange in parallel.cpp).
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

#include "pdesym/augment/augment.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/progress.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/surrogates/models.hpp"
#include "pdesym/surrogates/models2d.hpp"
#include "pdesym/surrogates/promote.hpp"
#include "pdesym/surrogates/train.hpp"
#include "train_detail.hpp"

namespace pdesym::surrogates {

using namespace detail;

namespace {

constexpr std::uint64_t kPermTag = 0x5045524D55544531ULL;    // epoch permutation streams
constexpr std::uint64_t kSampleTag = 0x53414D504C455331ULL;  // per-sample window/augmentation streams

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The optimizer with learning rate `lr` and the state (step counts, moments) of `optim`, bit for bit.
AdamW with_lr(const AdamW& optim, const std::vector<torch::Tensor>& params, double lr) {
  AdamWConfig c = optim.config();
  c.lr = lr;
  AdamW out(params, c);
  torch::serialize::OutputArchive o;
  optim.save(o);
  std::ostringstream bytes;
  o.save_to(bytes);
  std::istringstream in(bytes.str());
  torch::serialize::InputArchive i;
  i.load_from(in);
  out.load(i, "the optimizer state");
  return out;
}

// One line per continuous generator of `set` that rescales a spacing (dx, dy or dt) which every training
// trajectory of all ranks shares: its windows show the model spacings that no stored trajectory has. Empty when
// there is none (no such generator, or data whose L / T vary per trajectory, as LPSDA's KdV).
std::string fixed_grid_notes(const augment::GeneratorSet& set, const datasets::Split& tr, int rank, int size) {
  // Per rank {min, max} of dx, dy, dt in its own slots (NaN for an empty shard); the sum over ranks gathers them.
  std::vector<double> buf(static_cast<std::size_t>(6 * size), 0.0);
  const std::vector<double>* sp[3] = {&tr.dx, &tr.dy, &tr.dt};
  for (int k = 0; k < 3; ++k) {
    double lo = NAN, hi = NAN;
    for (int i = 0; i < tr.n; ++i) {
      lo = std::fmin(lo, (*sp[k])[static_cast<std::size_t>(i)]);
      hi = std::fmax(hi, (*sp[k])[static_cast<std::size_t>(i)]);
    }
    buf[static_cast<std::size_t>(6 * rank + 2 * k)] = lo;
    buf[static_cast<std::size_t>(6 * rank + 2 * k + 1)] = hi;
  }
  allreduce_doubles(buf.data(), static_cast<int>(buf.size()), size);
  bool fixed[3];
  for (int k = 0; k < 3; ++k) {
    double lo = NAN, hi = NAN;
    for (int r = 0; r < size; ++r) {
      lo = std::fmin(lo, buf[static_cast<std::size_t>(6 * r + 2 * k)]);
      hi = std::fmax(hi, buf[static_cast<std::size_t>(6 * r + 2 * k + 1)]);
    }
    fixed[k] = !(hi - lo > 1e-9 * std::fabs(hi));
  }
  std::string notes;
  for (std::size_t g = 0; g < set.generators.size(); ++g) {
    if (set.generators[g].is_discrete()) continue;
    const std::string scaled = augment::rescaled_spacings(set.generators[g].field);
    static const char* const kNames[3] = {"dx", "dy", "dt"};  // the order of `fixed`
    std::string same;
    for (int k = 0; k < 3; ++k)
      if (fixed[k] && scaled.find(kNames[k]) != std::string::npos)
        same += std::string(same.empty() ? "" : ", ") + kNames[k];
    if (same.empty()) continue;
    notes += "V" + std::to_string(g + 1) + " (" + set.generators[g].label() + ") rescales each sample's " + scaled +
             ", but every training trajectory has the same " + same +
             ": its windows show the model spacings no stored trajectory has (on such data this made N >= 32 "
             "surrogates worse, bench/RESULTS-surrogates.md; --keep-grid skips it)\n";
  }
  return notes;
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
  PDESYM_REQUIRE(opt.patience >= 0, "patience must be >= 0 (got " << opt.patience << ")");
  PDESYM_REQUIRE(opt.lr_decay > 0 && opt.lr_decay <= 1,
                 "learning-rate decay factor must be in (0, 1] (got " << opt.lr_decay << ")");
  PDESYM_REQUIRE(opt.lr_patience >= 1, "learning-rate patience must be >= 1 (got " << opt.lr_patience << ")");
  PDESYM_REQUIRE(opt.augment_prob >= 0 && opt.augment_prob <= 1,
                 "augmentation probability must be in [0, 1] (got " << opt.augment_prob << ")");
  if (!opt.lr_milestones.empty()) {
    PDESYM_REQUIRE(opt.lr_decay == 1.0, "choose one learning-rate schedule: --lr-milestones or --lr-decay");
    PDESYM_REQUIRE(opt.lr_gamma > 0 && opt.lr_gamma <= 1,
                   "learning-rate step factor must be in (0, 1] (got " << opt.lr_gamma << ")");
    for (std::size_t i = 0; i < opt.lr_milestones.size(); ++i)
      PDESYM_REQUIRE(opt.lr_milestones[i] >= 1 && (i == 0 || opt.lr_milestones[i] > opt.lr_milestones[i - 1]),
                     "learning-rate milestones must be epochs >= 1 in increasing order (got "
                         << opt.lr_milestones[i] << " at position " << i + 1 << ")");
  }
  PDESYM_REQUIRE(valid || (opt.patience == 0 && opt.lr_decay == 1.0),
                 "early stopping (--patience) and the plateau schedule (--lr-decay) follow the validation metric: "
                 "give validation data (--valid)");
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
  aopt.keep_grid = opt.augment_keep_grid;
  const augment::Augmenter aug(tr.dim == 1 && tr.nc == 1 ? augment::load_generators(opt.augment, aopt)
                                                        : augment::load_generators(opt.augment, tr.shape(), aopt));
  // The Augmenter decides which field shapes it transforms: for data other than 1-D scalar, one trial window
  // gives its refusal (InputError) now rather than at the first batch.
  if (aug.active() && (tr.dim != 1 || tr.nc != 1) && tr.n > 0) {
    Rng probe(opt.seed ^ kSampleTag, ~0ULL, 0);
    (void)aug(tr.field_window(0, 0, 2 * tw), probe);
  }

  // Promotion: the Lie-derivative penalty of the promoted generators (promote.hpp).
  augment::AugmentOptions popt;
  popt.eps = opt.augment_eps;
  const bool promoting = opt.promote != "none";
  const augment::GeneratorSet promote_set =
      !promoting ? augment::GeneratorSet{}
      : tr.dim == 1 && tr.nc == 1 ? augment::load_generators(opt.promote, popt)
                                  : augment::load_generators(opt.promote, tr.shape(), popt);
  const Promoter promoter = promoting ? Promoter(promote_set, opt.promote_step) : Promoter();
  PDESYM_REQUIRE(!promoting || promoter.active(),
                 "--promote '" << opt.promote << "': none of its generators can be promoted:\n"
                               << promoter.describe());
  PDESYM_REQUIRE(opt.promote_weight >= 0 && std::isfinite(opt.promote_weight),
                 "promotion weight must be >= 0 (got " << opt.promote_weight << ")");
  // Enforcement: the model averaged over a finite grid group, named or derived from the generator sets.
  if (opt.enforce == "auto") {
    const augment::GeneratorSet& from = promoting ? promote_set : aug.generators();
    PDESYM_REQUIRE(promoting || aug.active(), "--enforce auto derives the group from --promote or --augment; "
                                              "neither is given (name a group, e.g. --enforce 'reflect(pseudoscalar)')");
    mc.enforce = finite_subgroup_spec(from);
    PDESYM_REQUIRE(!mc.enforce.empty(),
                   "--enforce auto: the generator set '" << from.source
                       << "' has no finite subgroup that the grid represents exactly (a reflection x -> -x that "
                          "needs t -> -t, as KdV's, cannot be used by a forward-in-time surrogate); name a group");
  } else if (opt.enforce != "none") {
    mc.enforce = opt.enforce;
  }
  if (!mc.enforce.empty()) (void)parse_grid_group(mc.enforce, mc.dim, mc.nc);

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

  if (st.lr <= 0) st.lr = opt.lr;
  if (st.lr != opt.lr) optim = with_lr(optim, params, st.lr);

  TrainResult res;
  res.augmentation = aug.generators().describe();
  // Collective: every rank takes part.
  const std::string grid_notes = aug.active() ? fixed_grid_notes(aug.generators(), tr, rank, size) : std::string();
  if (root && !opt.progress && aug.active())  // generators dropped from the set (else in the listing)
    for (const std::string& line : aug.generators().notes) std::fprintf(stderr, "pdesym: note: %s\n", line.c_str());
  if (!grid_notes.empty()) {
    std::istringstream lines(grid_notes);
    for (std::string line; std::getline(lines, line);) {
      res.augmentation += "  note: " + line + "\n";
      if (root && !opt.progress) std::fprintf(stderr, "pdesym: note: %s\n", line.c_str());  // else in the listing
    }
  }
  if (root && opt.progress) {
    std::fprintf(stderr, "training %s (%ld parameters) on %d trajectories (%d ranks), %d samples/epoch, %d batches\n",
                 mc.kind.c_str(), model->parameter_count(), trs.n_total, size, static_cast<int>(n_samples), n_batches);
    std::fprintf(stderr, "augmentation: %s%s", opt.augment.c_str(),
                 aug.active() ? ("\n" + res.augmentation).c_str() : "\n");
    if (promoting)
      std::fprintf(stderr, "promotion: %s, weight %g\n%s", opt.promote.c_str(), opt.promote_weight,
                   promoter.describe().c_str());
    if (!mc.enforce.empty()) std::fprintf(stderr, "enforced group: %s\n", mc.enforce.c_str());
  }
  if (promoting) res.promotion = promoter.describe();

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
    if (opt.patience > 0 && st.batch == 0 && st.epoch - st.best_epoch >= opt.patience) {
      res.stop_reason = "patience";
      break;
    }
    const int e = st.epoch;
    if (!opt.lr_milestones.empty()) {  // the step schedule's rate for this epoch (a resumed one has it already)
      double lr = opt.lr;
      for (int m : opt.lr_milestones)
        if (e >= m) lr *= opt.lr_gamma;
      if (lr != st.lr) {
        st.lr = lr;
        optim = with_lr(optim, params, st.lr);
      }
    }
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
        if (aug.active() && (opt.augment_prob >= 1.0 || rs.uniform() < opt.augment_prob)) f = aug(f, rs);
        append_levels(f, 0, xin);
        append_levels(f, tw, yout);
        dxv.push_back(static_cast<float>(f.dx));
        dyv.push_back(static_cast<float>(f.dy));
        dtv.push_back(static_cast<float>(f.dt));
      }
      const long m = static_cast<long>(dxv.size());
      optim.zero_grad();
      double loss_sum = 0, penalty_sum = 0;
      if (m > 0) {
        auto X = torch::from_blob(xin.data(), batch_sizes(m), torch::kFloat32);
        auto Y = torch::from_blob(yout.data(), batch_sizes(m), torch::kFloat32);
        auto DX = torch::from_blob(dxv.data(), {m}, torch::kFloat32);
        auto DY = torch::from_blob(dyv.data(), {m}, torch::kFloat32);
        auto DT = torch::from_blob(dtv.data(), {m}, torch::kFloat32);
        auto pred = model->step(X, DX, DY, DT);
        auto loss = (pred - Y).pow(2).mean(loss_dims).sum() / bsz;
        if (promoting && opt.promote_weight > 0) {
          auto pen = opt.promote_weight * promoter.penalty(*model, X, DX, DY, DT, pred, bsz);
          penalty_sum = pen.item<double>();
          loss = loss + pen;
        }
        loss.backward();
        loss_sum = loss.item<double>();
      }
      allreduce_gradients(params, size);
      double sums[2] = {loss_sum, penalty_sum};
      allreduce_doubles(sums, 2, size);
      loss_sum = sums[0];
      penalty_sum = sums[1];
      PDESYM_REQUIRE(std::isfinite(loss_sum), "training loss is " << loss_sum << " at epoch " << e + 1 << ", batch "
                                                                  << st.batch + 1
                                                                  << ": training diverged (try a smaller --lr) or the "
                                                                     "data/augmentation produce non-finite values");
      optim.step();
      st.epoch_loss_sum += loss_sum;
      st.epoch_penalty_sum += penalty_sum;
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
    if (promoting) rec.promote_penalty = st.epoch_batches ? st.epoch_penalty_sum / st.epoch_batches : 0.0;
    rec.samples_per_second = st.epoch_step_seconds > 0 ? st.epoch_samples / st.epoch_step_seconds : 0.0;
    rec.lr = st.lr;
    if (valid) {
      const RolloutSums rs = rollout_sums(*model, valid->data, opt.rollout_steps, opt.batch_size, size);
      const EvalResult ev = metrics_of(rs, valid->data, opt.rollout_steps, tw);
      rec.valid_accumulated_mse = ev.accumulated_mse;
      rec.valid_nmse = ev.nmse;
      PDESYM_REQUIRE(std::isfinite(ev.accumulated_mse),
                     "validation rollout is not finite after epoch " << e + 1 << " (training diverged)");
      // The metric is summed over ranks, so every rank takes the same decisions below.
      if (st.best_valid < 0 || ev.accumulated_mse < st.best_valid) {
        st.best_valid = ev.accumulated_mse;
        st.best_epoch = e + 1;
        st.plateau_epochs = 0;
        copy_parameters(*best, *model);
      } else if (opt.lr_decay != 1.0 && ++st.plateau_epochs >= opt.lr_patience) {
        st.lr *= opt.lr_decay;
        st.plateau_epochs = 0;
        optim = with_lr(optim, params, st.lr);
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
      if (promoting) std::fprintf(stderr, ", promotion penalty %.4e", rec.promote_penalty);
      if (opt.lr_decay != 1.0 && st.lr != rec.lr) std::fprintf(stderr, ", lr -> %.3g", st.lr);
      std::fprintf(stderr, ", %.1f samples/s\n", rec.samples_per_second);
    }
    TrainState s2 = st;
    s2.epoch = e + 1;
    s2.batch = 0;
    s2.epoch_loss_sum = 0;
    s2.epoch_penalty_sum = 0;
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
  if (res.stop_reason.empty()) res.stop_reason = res.stopped_early ? "interrupted" : "epochs";
  if (root && opt.progress && res.stop_reason == "patience")
    std::fprintf(stderr, "stopped after epoch %d: no improvement of the validation metric since epoch %d\n", st.epoch,
                 st.best_epoch);
  if (size > 1) MPI_Barrier(MPI_COMM_WORLD);  // the checkpoint is complete before anyone reads it

  res.history = st.history;
  res.epochs_completed = static_cast<int>(st.history.size());
  res.global_step = st.global_step;
  res.best_valid_accumulated_mse = st.best_valid;
  res.best_epoch = st.best_epoch;
  res.final_lr = st.lr;
  res.model = mc;
  if (opt.collect_parameters) {
    torch::Tensor flat = flatten_parameters(*model).contiguous();
    res.parameters.assign(flat.data_ptr<float>(), flat.data_ptr<float>() + flat.numel());
  }
  return res;
}

}  // namespace pdesym::surrogates
