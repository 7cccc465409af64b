// Solver throughput against the FFT-bound roofline, and the time-step accuracy check behind solver.dt.
//
//   bench_solvers [CONFIG ...]                  trajectories/s per core (CPU time) for each config (default: configs/kdv.yaml
//                                               configs/ks.yaml), FFT pair time, roofline, achieved fraction
//   bench_solvers --dt-check CONFIG [DT ...] [--samples K | --worst K] [--tmax T]
//                                               relative error of trajectories at DT (default: the config's
//                                               solver.dt) against DT/4: on the first K train trajectories, or
//                                               on the K trajectories of all splits with the largest max|u|
//                                               (the hardest ones for KdV); --tmax compares only t <= T
//                                               (KS is chaotic: pointwise agreement is lost late, whatever dt)
//
//   bench_solvers --rtol-check CONFIG [RTOL ...] [--dt DT] [--samples K | --worst K | --cases S:I,...]
//                 [--repeats R] [--dealias 2/3|none|3/2]
//                                               error control (solver.rtol) against the fixed step: on the same
//                                               trajectories, for the fixed DT (default: the config's solver.dt,
//                                               or 0.005 if it has none) and each RTOL (default 1e-6 1e-8;
//                                               solver.dt dropped, no h_max): steps and CPU seconds per trajectory
//                                               (median of R rounds, interleaved, and min-max), and the relative
//                                               error against a fixed-step reference at DT/4 (max, mean, and the
//                                               largest error / RTOL). --worst K: the K tallest of all splits
//                                               (printed as a --cases list); --cases: split:index pairs
//
//   bench_solvers --pde-check CONFIG [RTOL ...] [--samples K | --worst K] [--ref-nx N] [--ref-rtol R] [--dump DIR]
//                 [--dealias 2/3|none|3/2]      accuracy against the PDE, not only against a finer time step: each
//                                               RTOL (default 1e-6) at the config's nx against a converged reference
//                                               (nx = N, default 4 nx, 2/3 rule, error-controlled at R, default
//                                               1e-10, compared on the stored grid), and against the fixed step
//                                               solver.dt / 4 at the config's nx and dealiasing (the config's
//                                               solver.dealias or --dealias; time error alone); CPU s/trajectory
//                                               (integration only). --worst K: the K tallest of all splits. --dump
//                                               writes u0, t and the reference per trajectory for
//                                               bench/peer_kdv_accuracy.py (LPSDA's method on the same cases)
//
//   bench_solvers --2d [N] [EQ ...]             2-D ETDRK4 steps/s per core at N x N (default 128) for each nonlinear
//                                               field equation (or only those named), against the FFT-only roofline of its transforms
//                                               (c2r and r2c timed apart: they differ, 1.15-3x in 2-D), full 2-D
//                                               plans ("achieved", "med/med") and the pruned ones the step runs
//                                               ("pruned m/m": y passes on the kept columns only)
//
//   bench_solvers --batched-fft                 time per r2c + c2r pair of FFTW_ESTIMATE plans over B fields at once
//                                               (fftw_plan_many_dft_*, contiguous fields) against single-field
//                                               plans, 1-D n = 256 and 2-D 64^2 / 128^2: what batching trajectories
//                                               would gain on the FFT roofline (best and median of 15 samples)
//
// Roofline model: an ETDRK4 step evaluates N(u) 4 times; each evaluation is one c2r FFT plus one r2c FFT per
// distinct power of u (KdV, KS, Burgers: 1 + 1 = one r2c/c2r pair). Per stored step one more c2r (the output),
// plus one r2c of u0. If nothing but FFTs cost time, trajectories/s = 1 / (pairs per trajectory x pair time).
// "achieved" puts the mean rate against the best FFT sample; "med/med" puts the median sample of each against the
// other (like with like, robust on a shared machine).
#include <fftw3.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "pdesym/common/config.hpp"
#include "pdesym/datasets/generate.hpp"
#include "pdesym/solvers/field_ic.hpp"
#include "pdesym/solvers/system_pde.hpp"

using namespace pdesym;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

/// CPU seconds of this process (single-threaded): on a shared machine this counts only the time we ran,
/// not the time other jobs held the core, so per-core rates stay meaningful under load.
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

/// The median of per-sample quantities (the upper one of an even count).
double median_of(std::vector<double> x) {
  std::sort(x.begin(), x.end());
  return x[x.size() / 2];
}

/// CPU time of one call of `once`: the best and the median of `samples` samples of `reps` calls. The best sample is
/// the roofline (a best case: on a shared machine slow samples measure the neighbours); the median is there to be
/// compared with the solver's median.
struct PairTime {
  double best = 0, median = 0;
};
template <class F>
PairTime sample_seconds(F&& once, int reps, int samples) {
  std::vector<double> t;
  for (int rep = 0; rep < samples; ++rep) {
    const double t0 = cpu_now();
    for (int i = 0; i < reps; ++i) once();
    t.push_back((cpu_now() - t0) / reps);
  }
  return {*std::min_element(t.begin(), t.end()), median_of(t)};
}

/// sample_seconds of the pair (f, b) on the buffer r (r[0] scaled by `renorm` after each pair to keep values
/// bounded: c2r is unnormalised); plans destroyed, buffers freed.
PairTime pair_seconds(fftw_plan f, fftw_plan b, double* r, fftw_complex* c, double renorm, int reps, int samples) {
  const PairTime t = sample_seconds(
      [&] {
        fftw_execute(f);
        fftw_execute(b);
        r[0] *= renorm;
      },
      reps, samples);
  fftw_destroy_plan(f);
  fftw_destroy_plan(b);
  fftw_free(r);
  fftw_free(c);
  return t;
}

/// CPU time (best and median of 15 samples) of one FFTW_ESTIMATE r2c + c2r pair of size n (raw fftw_execute, as the
/// solver's plans).
PairTime fft_pair_seconds(int n) {
  double* r = fftw_alloc_real(n);
  fftw_complex* c = fftw_alloc_complex(n / 2 + 1);
  fftw_plan f = fftw_plan_dft_r2c_1d(n, r, c, FFTW_ESTIMATE);
  fftw_plan b = fftw_plan_dft_c2r_1d(n, c, r, FFTW_ESTIMATE);
  for (int j = 0; j < n; ++j) r[j] = std::sin(0.1 * j) + 0.01 * j;
  return pair_seconds(f, b, r, c, 1.0 / n, 20000, 15);
}

/// CPU time per field of one r2c + c2r pair of B contiguous fields of shape dims (1-D {n} or 2-D {ny, nx}) with
/// FFTW's advanced interface; {best, median} of 15 samples.
std::pair<double, double> batched_pair_seconds(const std::vector<int>& dims, int B) {
  const int rank = static_cast<int>(dims.size());
  const int np = rank == 1 ? dims[0] : dims[0] * dims[1];
  const int nk = rank == 1 ? dims[0] / 2 + 1 : dims[0] * (dims[1] / 2 + 1);
  double* r = fftw_alloc_real(static_cast<std::size_t>(np) * B);
  fftw_complex* c = fftw_alloc_complex(static_cast<std::size_t>(nk) * B);
  fftw_plan f = fftw_plan_many_dft_r2c(rank, dims.data(), B, r, nullptr, 1, np, c, nullptr, 1, nk, FFTW_ESTIMATE);
  fftw_plan b = fftw_plan_many_dft_c2r(rank, dims.data(), B, c, nullptr, 1, nk, r, nullptr, 1, np, FFTW_ESTIMATE);
  for (int j = 0; j < np * B; ++j) r[j] = std::sin(0.1 * j) + 0.01 * (j % np);
  const int reps = std::max(20, 4000000 / (np * B));
  const PairTime t = sample_seconds(
      [&] {
        fftw_execute(f);
        fftw_execute(b);
        for (int k = 0; k < B; ++k) r[static_cast<std::size_t>(k) * np] *= 1.0 / np;
      },
      reps, 15);
  fftw_destroy_plan(f);
  fftw_destroy_plan(b);
  fftw_free(r);
  fftw_free(c);
  return {t.best / B, t.median / B};
}

int batched_fft() {
  std::printf("%-10s %4s %16s %16s %18s\n", "shape", "B", "best [us/field]", "median [us/field]", "vs B = 1 (median)");
  for (const auto& dims : std::vector<std::vector<int>>{{256}, {64, 64}, {128, 128}}) {
    const std::string name = dims.size() == 1 ? std::to_string(dims[0]) : std::to_string(dims[0]) + "^2";
    double m1 = 0;
    for (int B : {1, 2, 4, 8, 16}) {
      const auto [best, med] = batched_pair_seconds(dims, B);
      if (B == 1) m1 = med;
      std::printf("%-10s %4d %16.3f %16.3f %17.2fx\n", name.c_str(), B, 1e6 * best, 1e6 * med, m1 / med);
    }
  }
  return 0;
}

int distinct_powers(const solvers::PolynomialPde& p) {
  std::set<int> powers;
  for (const auto& t : p.nonlinear_terms()) powers.insert(t.power);
  return static_cast<int>(powers.size());
}

/// FFT pairs (r2c + c2r, counted as half a pair each) for one trajectory of the given T.
double fft_pairs(const datasets::GenerationConfig& gc, double T) {
  const double dt_out = T / (gc.nt - 1);
  const long sub = std::max(1L, static_cast<long>(std::ceil(dt_out / gc.dt - 1e-12)));
  const double steps = static_cast<double>(sub) * (gc.nt - 1);
  const int p = distinct_powers(*gc.pde);
  const double per_eval = p == 0 ? 0.0 : (1.0 + p) / 2.0;
  return steps * 4.0 * per_eval + (gc.nt - 1 + 1) / 2.0;
}

/// 1-D throughput. "achieved" = the mean rate (all trajectories' CPU time together) against the roofline of the best
/// pair sample: a mean, which includes every interruption, against a best case. "med/med" compares like with like:
/// per trajectory (each normalised by its own FFT pair count), the median trajectory against the median pair sample
/// (samples of similar length: a trajectory takes 10-100 ms, a pair sample ~16 ms).
int throughput(const std::vector<std::string>& files) {
  std::printf("%-14s %5s %5s %8s %7s %10s %10s %12s %12s %10s %10s %9s\n", "config", "nx", "nt", "dt", "steps",
              "FFT pairs", "pair [us]", "traj/s/core", "roofline/s", "achieved", "med/med", "wall/s");
  for (const auto& file : files) {
    const auto gc = datasets::GenerationConfig::from_config(Config::load(file));
    const PairTime pair = fft_pair_seconds(gc.nx);
    solvers::StepperCache steppers;  // as `pdesym generate`: one rank's trajectories share their coefficients
    (void)datasets::make_trajectory(gc, 0, 0, nullptr, &steppers);  // warm up (page faults, plans)
    int n = 0;
    double pairs = 0, steps = 0;
    std::vector<double> fraction;  // per trajectory: its FFT pairs x the median pair time / its CPU seconds
    auto t0 = Clock::now();
    const double c0 = cpu_now();
    while (n < 4 || (cpu_now() - c0 < 4.0 && n < 200)) {
      const auto spec = datasets::trajectory_spec(gc, 0, n);
      const double ci = cpu_now();
      const auto tr = datasets::make_trajectory(gc, 0, n, nullptr, &steppers);
      const double cpu_i = cpu_now() - ci;
      (void)tr;
      const double pairs_i = fft_pairs(gc, spec.T);
      pairs += pairs_i;
      fraction.push_back(pairs_i * pair.median / cpu_i);
      const double dt_out = spec.T / (gc.nt - 1);
      steps += std::max(1.0, std::ceil(dt_out / gc.dt - 1e-12)) * (gc.nt - 1);
      ++n;
    }
    const double wall = seconds_since(t0), cpu = cpu_now() - c0;
    const double rate = n / cpu;
    const double roof = 1.0 / (pairs / n * pair.best);
    std::string name = file.substr(file.find_last_of('/') + 1);
    std::printf("%-14s %5d %5d %8.4g %7.0f %10.0f %10.3f %12.2f %12.2f %9.1f%% %9.1f%% %9.2f\n", name.c_str(),
                gc.nx, gc.nt, gc.dt, steps / n, pairs / n, pair.best * 1e6, rate, roof, 100.0 * rate / roof,
                100.0 * median_of(fraction), n / wall);
    std::fflush(stdout);
  }
  return 0;
}

/// max_n ||a_n - b_n||_inf / max_n ||b_n||_inf over the stored steps with t_n <= tmax.
double rel_err(const Field& a, const Field& b, double tmax) {
  double num = 0, den = 0;
  for (int c = 0; c < b.nc(); ++c)
    for (int n = 0; n < b.nt(); ++n) {
      if (b.t[n] > tmax) break;
      const double *pa = a.snapshot(c, n), *pb = b.snapshot(c, n);
      for (std::size_t j = 0; j < b.shape.points(); ++j) {
        num = std::max(num, std::abs(pa[j] - pb[j]));
        den = std::max(den, std::abs(pb[j]));
      }
    }
  return num / den;
}

/// max_n |a_n - b_n|_2 / max_n |b_n|_2 (all components): the norm of the solver's error estimate.
double rel_err_l2(const Field& a, const Field& b) {
  double num = 0, den = 0;
  for (int n = 0; n < b.nt(); ++n) {
    double e = 0, r = 0;
    for (int c = 0; c < b.nc(); ++c) {
      const double *pa = a.snapshot(c, n), *pb = b.snapshot(c, n);
      for (std::size_t j = 0; j < b.shape.points(); ++j) {
        e += (pa[j] - pb[j]) * (pa[j] - pb[j]);
        r += pb[j] * pb[j];
      }
    }
    num = std::max(num, e);
    den = std::max(den, r);
  }
  return std::sqrt(num / den);
}

/// CPU times of FFTW_ESTIMATE 2-D transforms on n x n, best and median of 7 samples each: r2c alone (out of place,
/// its input preserved, so it can repeat on the same buffer) and c2r as the pair's time minus r2c's (c2r destroys
/// its input: it is timed inside the pair, whose r2c rewrites that input). The two differ (at 128^2 c2r 0.87x r2c on
/// an idle 2-core host, 0.33x under load: r2c suffers more from neighbours), so an equation's roofline counts its c2r
/// and r2c transforms separately.
struct Fft2Times {
  double r2c_best = 0, r2c_median = 0, c2r_best = 0, c2r_median = 0;
};
/// The same for the transforms a step runs since the y passes skip the columns the 2/3 rule drops: FftBox's
/// forward_low (r2c) and its inverse of a dealiased spectrum (c2r, timed inside the pair as above).
Fft2Times fft2_pruned_seconds(int n) {
  const solvers::Box box = solvers::Box::plane(n, n, 1.0, 1.0);
  solvers::FftBox fft(box);
  solvers::AlignedReal r(box.points());
  solvers::AlignedComplex c(box.modes());
  for (int j = 0; j < n * n; ++j) r[j] = std::sin(0.1 * j) + 0.01 * (j % 97);
  const int reps = std::max(20, 4000000 / (n * n));
  const double renorm = 1.0 / (static_cast<double>(n) * n);
  const PairTime r2c = sample_seconds([&] { fft.forward_low(r.data(), c.data()); }, reps, 7);
  const PairTime pair = sample_seconds(
      [&] {
        fft.forward_low(r.data(), c.data());
        fft.inverse_unscaled_destroy(c.data(), r.data());
        r[0] *= renorm;
      },
      reps, 7);
  return {r2c.best, r2c.median, pair.best - r2c.best, pair.median - r2c.median};
}
Fft2Times fft2_seconds(int n) {
  double* r = fftw_alloc_real(static_cast<std::size_t>(n) * n);
  fftw_complex* c = fftw_alloc_complex(static_cast<std::size_t>(n) * (n / 2 + 1));
  fftw_plan f = fftw_plan_dft_r2c_2d(n, n, r, c, FFTW_ESTIMATE);
  fftw_plan b = fftw_plan_dft_c2r_2d(n, n, c, r, FFTW_ESTIMATE);
  for (int j = 0; j < n * n; ++j) r[j] = std::sin(0.1 * j) + 0.01 * (j % 97);
  const int reps = std::max(20, 4000000 / (n * n));
  const PairTime r2c = sample_seconds([&] { fftw_execute(f); }, reps, 7);
  const PairTime pair = pair_seconds(f, b, r, c, 1.0 / (static_cast<double>(n) * n), reps, 7);  // frees f, b, r, c
  return {r2c.best, r2c.median, pair.best - r2c.best, pair.median - r2c.median};
}

/// Transforms per evaluation of N: PolynomialSystem reports them (a c2r per distinct factor, an r2c per product
/// group); Navier–Stokes: 4 c2r + 1 r2c.
struct Transforms {
  int c2r = -1, r2c = -1;
};
Transforms transforms_per_evaluation(const solvers::FieldPde& pde) {
  if (const auto* p = dynamic_cast<const solvers::PolynomialSystem*>(&pde)) return {p->distinct_factors(), p->product_groups()};
  if (pde.name() == "navier_stokes") return {4, 1};
  return {};
}

/// 2-D throughput: ETDRK4 steps per CPU second on an n x n box for each nonlinear field equation, and the
/// FFT-only roofline 1 / (4 evaluations x (c2r x c2r time + r2c x r2c time)). "achieved": the mean rate against the
/// roofline of the best samples; "med/med": the median of samples of 10 steps against the roofline of the medians.
/// "pruned m/m": med/med against the roofline of the pruned transforms the step runs (FftBox skips the y passes
/// of the dropped columns), so "achieved" and "med/med" compare with earlier versions and "pruned m/m" says how
/// close the step is to its own transforms.
int throughput_2d(int n, const std::vector<std::string>& only) {
  const Fft2Times ft = fft2_seconds(n), fp = fft2_pruned_seconds(n);
  std::printf("2-D ETDRK4 at %d x %d, FFTW_ESTIMATE r2c %.1f us, c2r %.1f us (best of 7; medians %.1f, %.1f us); "
              "pruned r2c %.1f us, c2r %.1f us (medians %.1f, %.1f us)\n",
              n, n, ft.r2c_best * 1e6, ft.c2r_best * 1e6, ft.r2c_median * 1e6, ft.c2r_median * 1e6, fp.r2c_best * 1e6,
              fp.c2r_best * 1e6, fp.r2c_median * 1e6, fp.c2r_median * 1e6);
  std::printf("%-14s %3s %6s %10s %10s %12s %12s %10s %10s %10s %10s\n", "equation", "nc", "FFTs", "h", "steps",
              "steps/s/core", "roofline/s", "achieved", "med/med", "pruned m/m", "setup [s]");
  struct Case {
    const char* config;
    double L, h;
  };
  const std::vector<Case> cases = {
      {"equation: nls", 2 * M_PI, 0.002},
      {"equation: lambda_omega\ncoefficients: {d: 0.1, beta: 1.0}", 20.0, 0.05},
      {"equation: navier_stokes\ncoefficients: {nu: 0.001, forcing_amplitude: 0.1, forcing_mode: 4, drag: 0.1}", 2 * M_PI, 0.01},
      {"equation: ks2d", 32.0, 0.01},
  };
  for (const auto& name : only)
    if (std::none_of(cases.begin(), cases.end(), [&](const Case& c) {
          return solvers::make_field_pde(Config::parse(c.config))->name() == name;
        }))
      throw Error("--2d: no case named '" + name + "' (nls, lambda_omega, navier_stokes, ks2d)");
  for (const auto& c : cases) {
    const auto pde = solvers::make_field_pde(Config::parse(c.config));
    if (!only.empty() && std::find(only.begin(), only.end(), pde->name()) == only.end()) continue;
    const solvers::Box box = solvers::Box::plane(n, n, c.L, c.L);
    Rng rng(1, 0, 0);
    const auto u0 = solvers::FieldIc::from_config(Config::parse("{amplitude: 0.3, k_max: 4}"), *pde, box).sample(box, rng);
    const double s0 = cpu_now();
    solvers::Etdrk4 stepper(*pde, box, c.h);
    const double setup = cpu_now() - s0;
    solvers::FftBox fft(box);
    const std::size_t nk = box.modes(), np = box.points();
    solvers::cvec v(pde->nc() * nk);
    for (int k = 0; k < pde->nc(); ++k) {
      fft.forward(u0.data() + k * np, v.data() + k * nk);
      solvers::project_dealiased(box, v.data() + k * nk);
    }
    for (int s = 0; s < 5; ++s) stepper.step(v);  // warm up
    constexpr int kChunk = 10;  // steps per sample
    long steps = 0;
    std::vector<double> chunk_rate;
    const double c0 = cpu_now();
    while (steps < 20 || cpu_now() - c0 < 3.0) {
      const double ci = cpu_now();
      for (int s = 0; s < kChunk; ++s) stepper.step(v);
      chunk_rate.push_back(kChunk / (cpu_now() - ci));
      steps += kChunk;
    }
    const double rate = steps / (cpu_now() - c0);
    for (const auto& z : v)
      if (!std::isfinite(z.real()) || !std::isfinite(z.imag())) throw Error(pde->name() + ": bench run blew up");
    const Transforms tr = transforms_per_evaluation(*pde);
    const double roof = 1.0 / (4.0 * (tr.c2r * ft.c2r_best + tr.r2c * ft.r2c_best));
    const double roof_median = 1.0 / (4.0 * (tr.c2r * ft.c2r_median + tr.r2c * ft.r2c_median));
    const double pruned_median = 1.0 / (4.0 * (tr.c2r * fp.c2r_median + tr.r2c * fp.r2c_median));
    const double med = median_of(chunk_rate);
    std::printf("%-14s %3d %6d %10.4g %10ld %12.1f %12.1f %9.1f%% %9.1f%% %9.1f%% %10.3f\n", pde->name().c_str(),
                pde->nc(), 4 * (tr.c2r + tr.r2c), c.h, steps, rate, roof, 100.0 * rate / roof, 100.0 * med / roof_median,
                100.0 * med / pruned_median, setup);
    std::fflush(stdout);
  }
  return 0;
}

struct DtCheckOptions {
  std::vector<double> dts;
  int samples = 4;   ///< first train trajectories to check
  int worst = 0;     ///< instead: the trajectories (all splits) with the largest max|u| at the config's dt
  double tmax = INFINITY;
};

int dt_check(const std::string& file, DtCheckOptions o) {
  const auto base = datasets::GenerationConfig::from_config(Config::load(file));
  if (o.dts.empty()) o.dts.push_back(base.dt);
  std::vector<std::pair<int, int>> picks;  // (split, index)
  std::string which;
  if (o.worst > 0) {
    std::vector<std::pair<double, std::pair<int, int>>> amp;
    for (int s = 0; s < 3; ++s)
      for (int i = 0; i < base.counts[s]; ++i) {
        const auto tr = datasets::make_trajectory(base, s, i);
        double m = 0;
        for (double v : tr.data) m = std::max(m, std::abs(v));
        amp.push_back({m, {s, i}});
      }
    std::sort(amp.begin(), amp.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (int k = 0; k < o.worst && k < static_cast<int>(amp.size()); ++k) picks.push_back(amp[k].second);
    char buf[160];
    std::snprintf(buf, sizeof buf, "the %d of %zu trajectories (all splits) with the largest max|u| (%.3f .. %.3f)",
                  static_cast<int>(picks.size()), amp.size(), amp[picks.size() - 1].first, amp[0].first);
    which = buf;
  } else {
    for (int i = 0; i < o.samples; ++i) picks.push_back({0, i});
    which = "train trajectories 0.." + std::to_string(o.samples - 1);
  }
  std::printf("%s: relative error max_n |u_dt - u_dt/4|_inf / max_n |u_dt/4|_inf", file.c_str());
  if (std::isfinite(o.tmax)) std::printf(" for t <= %g", o.tmax);
  std::printf(", %s\n", which.c_str());
  std::printf("%10s %12s %12s %12s %14s %12s\n", "dt", "max err", "mean err", "internal h", "cpu s/traj", "worst");
  for (double dt : o.dts) {
    auto gc = base;
    gc.dt = dt;
    auto fine = base;
    fine.dt = dt / 4;
    double worst = 0, sum = 0, secs = 0, h = 0;
    std::string worst_label;
    for (const auto& [s, i] : picks) {
      const double t0 = cpu_now();
      const auto a = datasets::make_trajectory(gc, s, i);
      secs += cpu_now() - t0;
      const auto b = datasets::make_trajectory(fine, s, i);
      const double e = rel_err(a, b, o.tmax);
      if (e > worst) {
        worst = e;
        worst_label = std::string(datasets::kSplitNames[s]) + "/" + std::to_string(i);
      }
      sum += e;
      const double dt_out = a.dt;
      h = dt_out / std::ceil(dt_out / dt - 1e-12);
    }
    std::printf("%10.4g %12.3e %12.3e %12.5g %14.4f %12s\n", dt, worst, sum / picks.size(), h, secs / picks.size(),
                worst_label.c_str());
    std::fflush(stdout);
  }
  return 0;
}

struct RtolCheckOptions {
  std::vector<double> rtols;
  double dt = 0;     ///< fixed step to compare with (0: the config's)
  int samples = 9;
  int worst = 0;
  int repeats = 3;
  std::string cases;    ///< "split:index,..." (overrides --samples / --worst)
  std::string dealias;  ///< overrides the config's solver.dealias
};

int rtol_check(const std::string& file, RtolCheckOptions o) {
  auto base = datasets::GenerationConfig::from_config(Config::load(file));
  if (!o.dealias.empty()) base.dealias = solvers::parse_dealias(o.dealias, "--dealias");
  if (o.rtols.empty()) o.rtols = {1e-6, 1e-8};
  if (o.dt <= 0) o.dt = std::isfinite(base.dt) && base.dt > 0 ? base.dt : 0.005;
  std::vector<std::pair<int, int>> picks;
  if (!o.cases.empty()) {
    std::istringstream is(o.cases);
    std::string item;
    while (std::getline(is, item, ',')) {
      const auto colon = item.find(':');
      if (colon == std::string::npos) throw Error("--cases: expected split:index, got '" + item + "'");
      picks.push_back({std::stoi(item.substr(0, colon)), std::stoi(item.substr(colon + 1))});
    }
  } else if (o.worst > 0) {  // the tallest of all splits, found with rtol 1e-6 (only max|u| matters)
    auto gc = base;
    gc.dt = INFINITY;
    gc.rtol = 1e-6;
    gc.atol = 0;
    std::vector<std::pair<double, std::pair<int, int>>> amp;
    solvers::StepperCache cache;
    for (int s = 0; s < 3; ++s)
      for (int i = 0; i < base.counts[s]; ++i) {
        const auto tr = datasets::make_trajectory(gc, s, i, nullptr, &cache);
        double m = 0;
        for (double v : tr.data) m = std::max(m, std::abs(v));
        amp.push_back({m, {s, i}});
      }
    std::sort(amp.begin(), amp.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (int k = 0; k < o.worst && k < static_cast<int>(amp.size()); ++k) picks.push_back(amp[k].second);
    std::printf("--cases ");
    for (std::size_t k = 0; k < picks.size(); ++k)
      std::printf("%s%d:%d", k ? "," : "", picks[k].first, picks[k].second);
    std::printf("\n");
  } else {
    for (int i = 0; i < o.samples; ++i) picks.push_back({0, i});
  }
  // Variants: fixed dt, then each rtol (no h_max).
  struct Variant {
    std::string name;
    datasets::GenerationConfig gc;
    std::vector<double> secs;  ///< per round: mean CPU s per trajectory
    double steps = 0, rejected = 0, err_max = 0, err_mean = 0, tol = 0, l2_max = 0;
  };
  std::vector<Variant> vs;
  {
    auto gc = base;
    gc.dt = o.dt;
    gc.rtol = gc.atol = 0;
    char b[64];
    std::snprintf(b, sizeof b, "fixed dt %g", o.dt);
    vs.push_back({b, gc, {}, 0, 0, 0, 0});
  }
  for (double r : o.rtols) {
    auto gc = base;
    gc.dt = std::numeric_limits<double>::infinity();
    gc.rtol = r;
    gc.atol = 0;
    char b[64];
    std::snprintf(b, sizeof b, "rtol %g", r);
    vs.push_back({b, gc, {}, 0, 0, 0, 0, r});
  }
  auto ref_gc = base;
  ref_gc.dt = o.dt / 4;
  ref_gc.rtol = ref_gc.atol = 0;
  std::vector<Field> refs;
  for (const auto& [s, i] : picks) refs.push_back(datasets::make_trajectory(ref_gc, s, i));
  for (int r = 0; r < o.repeats; ++r)
    for (auto& v : vs) {
      double secs = 0;
      solvers::StepperCache steppers;  // as `generate` does: one per run, shared by the trajectories
      for (std::size_t k = 0; k < picks.size(); ++k) {
        solvers::IntegrateStats st;
        const double t0 = cpu_now();
        const auto tr = datasets::make_trajectory(v.gc, picks[k].first, picks[k].second, &st, &steppers);
        secs += cpu_now() - t0;
        if (r == 0) {
          const double e = rel_err(tr, refs[k], INFINITY);
          v.err_max = std::max(v.err_max, e);
          v.err_mean += e / picks.size();
          v.l2_max = std::max(v.l2_max, rel_err_l2(tr, refs[k]));
          v.steps += static_cast<double>(st.steps) / picks.size();
          v.rejected += static_cast<double>(st.rejected) / picks.size();
        }
      }
      v.secs.push_back(secs / picks.size());
    }
  std::printf("%s: %zu trajectories (%s), %d interleaved rounds; error = max_n |u - u_ref|_inf / max_n |u_ref|_inf, "
              "u_ref fixed dt %g, dealias %s\n", file.c_str(), picks.size(),
              !o.cases.empty() ? "--cases" : o.worst > 0 ? "the tallest of all splits" : "train 0..", o.repeats,
              o.dt / 4, solvers::dealias_name(base.dealias));
  std::printf("%-16s %12s %9s %12s %12s %9s %12s %18s %10s\n", "variant", "steps/traj", "rejected", "max err",
              "mean err", "max/rtol", "max l2 err", "cpu s/traj (min-max)", "speedup");
  const auto median = [](std::vector<double> x) {
    std::sort(x.begin(), x.end());
    return x[x.size() / 2];
  };
  const double m0 = median(vs[0].secs);
  for (const auto& v : vs) {
    const double m = median(v.secs);
    std::printf("%-16s %12.0f %9.1f %12.3e %12.3e %9.3f %12.3e %8.4f (%.4f-%.4f) %9.2fx\n", v.name.c_str(), v.steps,
                v.rejected, v.err_max, v.err_mean, v.tol > 0 ? v.err_max / v.tol : 0.0, v.l2_max, m, *std::min_element(v.secs.begin(), v.secs.end()),
                *std::max_element(v.secs.begin(), v.secs.end()), m0 / m);
  }
  return 0;
}

}  // namespace

struct PdeCheckOptions {
  std::vector<double> rtols;
  int samples = 9;
  int worst = 0;
  int ref_nx = 0;  ///< 0: 4 nx
  double ref_rtol = 1e-10;
  std::string dump;
  std::string dealias;  ///< overrides the config's solver.dealias for the variants (the PDE reference stays 2/3)
};

/// Trajectory (split, index) of `gc` with another nx (the sine-sum initial condition is drawn per term, so it is
/// the same function sampled on the finer grid) and the given step control.
Field trajectory_at(datasets::GenerationConfig gc, int split, int index, int nx, double dt, double rtol,
                    solvers::IntegrateStats* st = nullptr, solvers::StepperCache* cache = nullptr) {
  gc.nx = nx;
  gc.dt = dt;
  gc.rtol = rtol;
  gc.atol = 0;
  return datasets::make_trajectory(gc, split, index, st, cache);
}

/// Every `stride`-th point in x of a 1-D field (the stored grid of a finer solution).
Field subsample_x(const Field& f, int stride) {
  Field g = f;
  const int nx = f.shape.nx / stride;
  g.shape.nx = nx;
  g.data.assign(static_cast<std::size_t>(f.shape.nt) * nx, 0.0);
  g.x.clear();
  for (int j = 0; j < nx; ++j) g.x.push_back(f.x[static_cast<std::size_t>(j) * stride]);
  g.dx = f.dx * stride;
  for (int n = 0; n < f.shape.nt; ++n)
    for (int j = 0; j < nx; ++j) g.data[static_cast<std::size_t>(n) * nx + j] = f.snapshot(0, n)[j * stride];
  return g;
}

void write_doubles(const std::string& path, const std::vector<double>& v) {
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr || std::fwrite(v.data(), sizeof(double), v.size(), f) != v.size() || std::fclose(f) != 0)
    throw Error("cannot write " + path);
}

int pde_check(const std::string& file, PdeCheckOptions o) {
  auto base = datasets::GenerationConfig::from_config(Config::load(file));
  if (!o.dealias.empty()) base.dealias = solvers::parse_dealias(o.dealias, "--dealias");
  auto ref_cfg = base;  // the converged reference: finer grid, 2/3 rule, tight tolerance
  ref_cfg.dealias = solvers::Dealias::TwoThirds;
  if (base.is_field() || base.heat_for_cole_hopf || base.nt_solve != base.nt)
    throw Error("--pde-check handles 1-D scalar configs without nt_solve / Cole-Hopf");
  if (o.rtols.empty()) o.rtols = {1e-6};
  if (o.ref_nx <= 0) o.ref_nx = 4 * base.nx;
  if (o.ref_nx % base.nx != 0) throw Error("--ref-nx must be a multiple of the config's nx");
  const double dt_fixed = std::isfinite(base.dt) && base.dt > 0 ? base.dt : 0.005;
  std::vector<std::pair<int, int>> picks;
  if (o.worst > 0) {  // the tallest of all splits, found with rtol 1e-6 (only max|u| matters)
    std::vector<std::pair<double, std::pair<int, int>>> amp;
    solvers::StepperCache cache;
    for (int s = 0; s < 3; ++s)
      for (int i = 0; i < base.counts[s]; ++i) {
        const auto tr = trajectory_at(base, s, i, base.nx, INFINITY, 1e-6, nullptr, &cache);
        double m = 0;
        for (double v : tr.data) m = std::max(m, std::abs(v));
        amp.push_back({m, {s, i}});
      }
    std::sort(amp.begin(), amp.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    for (int k = 0; k < o.worst && k < static_cast<int>(amp.size()); ++k) picks.push_back(amp[k].second);
  } else {
    for (int i = 0; i < o.samples; ++i) picks.push_back({0, i});
  }
  const int stride = o.ref_nx / base.nx;
  struct Row {
    std::string name;
    double steps = 0, secs = 0, pde_max = 0, pde_mean = 0, time_max = 0, time_mean = 0;
  };
  std::vector<Row> rows;
  {
    char b[64];
    std::snprintf(b, sizeof b, "fixed dt %g", dt_fixed);
    rows.push_back({b});
  }
  for (double r : o.rtols) {
    char b[64];
    std::snprintf(b, sizeof b, "rtol %g", r);
    rows.push_back({b});
  }
  std::vector<solvers::StepperCache> caches(rows.size());
  double ic_mismatch = 0, ref_vs_fixed_max = 0;
  const double n = static_cast<double>(picks.size());
  for (std::size_t k = 0; k < picks.size(); ++k) {
    const auto [s, i] = picks[k];
    const Field ref = subsample_x(trajectory_at(ref_cfg, s, i, o.ref_nx, INFINITY, o.ref_rtol), stride);
    const Field tref = trajectory_at(base, s, i, base.nx, dt_fixed / 4, 0);
    for (int j = 0; j < base.nx; ++j) ic_mismatch = std::max(ic_mismatch, std::abs(ref.data[j] - tref.data[j]));
    const double spatial = rel_err(tref, ref, INFINITY);
    ref_vs_fixed_max = std::max(ref_vs_fixed_max, spatial);
    double amp = 0;
    for (double v : ref.data) amp = std::max(amp, std::abs(v));
    std::printf("  case %zu (%s/%d): max|u| %.3f, error of nx = %d (fixed dt %g) against the PDE reference %.3e\n", k,
                s == 0 ? "train" : s == 1 ? "valid" : "test", i, amp, base.nx, dt_fixed / 4, spatial);
    for (std::size_t v = 0; v < rows.size(); ++v) {
      solvers::IntegrateStats st;
      const double t0 = cpu_now();
      const Field f = v == 0 ? trajectory_at(base, s, i, base.nx, dt_fixed, 0, &st, &caches[v])
                             : trajectory_at(base, s, i, base.nx, INFINITY, o.rtols[v - 1], &st, &caches[v]);
      rows[v].secs += (cpu_now() - t0) / n;
      rows[v].steps += static_cast<double>(st.steps) / n;
      const double ep = rel_err(f, ref, INFINITY), et = rel_err(f, tref, INFINITY);
      rows[v].pde_max = std::max(rows[v].pde_max, ep);
      rows[v].pde_mean += ep / n;
      rows[v].time_max = std::max(rows[v].time_max, et);
      rows[v].time_mean += et / n;
      std::printf("    %-12s PDE error %.3e, time error %.3e, %ld steps\n", rows[v].name.c_str(), ep, et, st.steps);
    }
    if (!o.dump.empty()) {
      const std::string stem = o.dump + "/case" + std::to_string(k);
      const auto spec = datasets::trajectory_spec(base, s, i);
      write_doubles(stem + ".u0", std::vector<double>(tref.data.begin(), tref.data.begin() + base.nx));
      write_doubles(stem + ".t", tref.t);
      write_doubles(stem + ".ref", ref.data);
      write_doubles(stem + ".meta", {spec.L, static_cast<double>(base.nx), static_cast<double>(base.nt),
                                     static_cast<double>(s), static_cast<double>(i)});
    }
  }
  std::printf("%s (dealias %s): %zu trajectories (%s); PDE error = max_n |u - u_ref|_inf / max_n |u_ref|_inf "
              "against nx = %d (2/3 rule, rtol %g) on the stored grid; time error against fixed dt %g at nx = %d\n",
              file.c_str(), solvers::dealias_name(base.dealias), picks.size(),
              o.worst > 0 ? "the tallest of all splits" : "train 0..", o.ref_nx, o.ref_rtol, dt_fixed / 4, base.nx);
  std::printf("  (checks: initial conditions agree to %.1e; the time reference differs from the PDE reference by "
              "%.2e at most: the spatial error of nx = %d)\n", ic_mismatch, ref_vs_fixed_max, base.nx);
  std::printf("%-14s %10s %12s %12s %12s %12s %12s\n", "variant", "steps/traj", "PDE max", "PDE mean", "time max",
              "time mean", "cpu s/traj");
  for (const auto& r : rows)
    std::printf("%-14s %10.0f %12.3e %12.3e %12.3e %12.3e %12.4f\n", r.name.c_str(), r.steps, r.pde_max, r.pde_mean,
                r.time_max, r.time_mean, r.secs);
  return 0;
}

int main(int argc, char** argv) {
  try {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (!args.empty() && args[0] == "--batched-fft") return batched_fft();
    if (!args.empty() && args[0] == "--2d")
      return throughput_2d(args.size() > 1 ? std::stoi(args[1]) : 128,
                           std::vector<std::string>(args.begin() + std::min<std::size_t>(args.size(), 2), args.end()));
    if (!args.empty() && args[0] == "--dt-check") {
      if (args.size() < 2) {
        std::fprintf(stderr, "usage: bench_solvers --dt-check CONFIG [DT ...] [--samples K | --worst K] [--tmax T]\n");
        return 2;
      }
      DtCheckOptions o;
      for (std::size_t i = 2; i < args.size(); ++i) {
        if (args[i] == "--samples" && i + 1 < args.size()) o.samples = std::stoi(args[++i]);
        else if (args[i] == "--worst" && i + 1 < args.size()) o.worst = std::stoi(args[++i]);
        else if (args[i] == "--tmax" && i + 1 < args.size()) o.tmax = std::stod(args[++i]);
        else o.dts.push_back(std::stod(args[i]));
      }
      return dt_check(args[1], o);
    }
    if (!args.empty() && args[0] == "--rtol-check") {
      if (args.size() < 2) {
        std::fprintf(stderr, "usage: bench_solvers --rtol-check CONFIG [RTOL ...] [--dt DT] [--samples K | --worst K | "
                             "--cases S:I,...] [--repeats R] [--dealias 2/3|none|3/2]\n");
        return 2;
      }
      RtolCheckOptions o;
      for (std::size_t i = 2; i < args.size(); ++i) {
        if (args[i] == "--samples" && i + 1 < args.size()) o.samples = std::stoi(args[++i]);
        else if (args[i] == "--worst" && i + 1 < args.size()) o.worst = std::stoi(args[++i]);
        else if (args[i] == "--repeats" && i + 1 < args.size()) o.repeats = std::stoi(args[++i]);
        else if (args[i] == "--dt" && i + 1 < args.size()) o.dt = std::stod(args[++i]);
        else if (args[i] == "--cases" && i + 1 < args.size()) o.cases = args[++i];
        else if (args[i] == "--dealias" && i + 1 < args.size()) o.dealias = args[++i];
        else o.rtols.push_back(std::stod(args[i]));
      }
      return rtol_check(args[1], o);
    }
    if (!args.empty() && args[0] == "--pde-check") {
      if (args.size() < 2) {
        std::fprintf(stderr, "usage: bench_solvers --pde-check CONFIG [RTOL ...] [--samples K | --worst K] [--ref-nx N] "
                             "[--ref-rtol R] [--dump DIR] [--dealias 2/3|none|3/2]\n");
        return 2;
      }
      PdeCheckOptions o;
      for (std::size_t i = 2; i < args.size(); ++i) {
        if (args[i] == "--samples" && i + 1 < args.size()) o.samples = std::stoi(args[++i]);
        else if (args[i] == "--worst" && i + 1 < args.size()) o.worst = std::stoi(args[++i]);
        else if (args[i] == "--ref-nx" && i + 1 < args.size()) o.ref_nx = std::stoi(args[++i]);
        else if (args[i] == "--ref-rtol" && i + 1 < args.size()) o.ref_rtol = std::stod(args[++i]);
        else if (args[i] == "--dump" && i + 1 < args.size()) o.dump = args[++i];
        else if (args[i] == "--dealias" && i + 1 < args.size()) o.dealias = args[++i];
        else o.rtols.push_back(std::stod(args[i]));
      }
      return pde_check(args[1], o);
    }
    if (args.empty())
      args = {std::string(PDESYM_SOURCE_DIR) + "/configs/kdv.yaml", std::string(PDESYM_SOURCE_DIR) + "/configs/ks.yaml"};
    return throughput(args);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_solvers: error: %s\n", e.what());
    return 2;
  }
}
