// Where the time of one FNO-1d training step goes (one process, no MPI): forward, backward and AdamW timed
// separately over `--steps` steps after one warm-up step, medians printed; the model's FLOPs per sample and the
// achieved GFLOP/s (wall clock and process CPU time per phase); the step's samples/s from wall-clock and from
// process CPU time (on a shared machine the latter leaves out time other jobs held the core; meaningful with
// --threads 1). The last two lines are machine-readable: "gemm_gflops RATE" (the best CPU-time rate of a
// 1024^3 float GEMM through the same path: a measured ceiling for this core) and "step_samples_per_second WALL
// CPU". Then the two ways of the spectral transform on the
// batch-major layout [B, nx, width]: the real-DFT GEMMs of the kept modes, one per sample (what SpectralConv1d
// does), vs torch::fft::rfft / irfft(n = nx) along nx (pocketfft in Debian's LibTorch), forward and inverse,
// medians of CPU time over `--steps` repeats.
//
//   bench_fno_step [--width 256] [--modes 32] [--layers 5] [--batch-size 16] [--nx 256] [--tw 20] [--steps 5]
//                  [--threads 1]
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include <CLI/CLI.hpp>

#include "../surrogates/src/fno_kernels.hpp"
#include "pdesym/surrogates/adamw.hpp"
#include "pdesym/surrogates/models.hpp"

using namespace pdesym;
using Clock = std::chrono::steady_clock;

namespace {
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }
double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}
double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"bench_fno_step: time split of one FNO-1d training step"};
  surrogates::ModelConfig mc;
  int batch = 16, nx = 256, steps = 5, threads = 1;
  app.add_option("--width", mc.width);
  app.add_option("--modes", mc.modes);
  app.add_option("--layers", mc.layers);
  app.add_option("--tw", mc.time_window);
  app.add_option("--batch-size", batch);
  app.add_option("--nx", nx);
  app.add_option("--steps", steps);
  app.add_option("--threads", threads);
  bool torch_adamw = false;
  app.add_flag("--torch-adamw", torch_adamw, "LibTorch's AdamW instead of the fused one that train() uses");
  CLI11_PARSE(app, argc, argv);
  torch::set_num_threads(threads);
  torch::manual_seed(1);
  auto model = surrogates::make_model(mc);
  torch::optim::AdamW lt(model->parameters(), torch::optim::AdamWOptions(1e-4).weight_decay(1e-2));
  surrogates::AdamW fused(model->parameters(), surrogates::AdamWConfig{1e-4, 0.9, 0.999, 1e-8, 1e-2});
  struct {
    bool use_torch;
    torch::optim::AdamW& a;
    surrogates::AdamW& b;
    void zero_grad() { use_torch ? a.zero_grad() : b.zero_grad(); }
    void step() { use_torch ? static_cast<void>(a.step()) : b.step(); }
  } opt{torch_adamw, lt, fused};
  const long B = batch, tw = mc.time_window, w = mc.width, m = mc.modes, L = mc.layers, H = mc.proj_hidden;
  auto x = torch::randn({B, tw, nx}), y = torch::randn({B, tw, nx});
  auto dx = torch::full({B}, 0.5), dt = torch::full({B}, 0.72);
  std::vector<double> tf, tb, to, cf, cb, co;
  double wall = 0, cpu = 0;
  for (int s = 0; s <= steps; ++s) {
    const auto w0 = Clock::now();
    const double c0 = cpu_now();
    auto t0 = Clock::now();
    opt.zero_grad();
    auto loss = (model->forward(x, dx, dt) - y).pow(2).mean({1, 2}).sum() / static_cast<double>(B);
    const double f = since(t0), c1 = cpu_now();
    t0 = Clock::now();
    loss.backward();
    const double b = since(t0), c2 = cpu_now();
    t0 = Clock::now();
    opt.step();
    const double o = since(t0), c3 = cpu_now();
    if (s == 0) continue;  // warm-up
    wall += since(w0);
    cpu += c3 - c0;
    tf.push_back(f);
    tb.push_back(b);
    to.push_back(o);
    cf.push_back(c1 - c0);
    cb.push_back(c2 - c1);
    co.push_back(c3 - c2);
  }
  // Multiply-adds per sample of the forward pass (GEMMs as executed; the backward pass does two of each,
  // except the input gradient of the lift).
  const double pw = static_cast<double>(nx) * ((tw + 2) * w + L * w * w + w * H + H * tw);
  const double mode = L * static_cast<double>(m) * 2 * (2 * w) * w;  // [2B, 2w] x [2w, w] per mode, per sample 2 rows
  const double dft = L * 2.0 * (2 * m) * nx * w;                       // forward and inverse DFT GEMMs
  const double fwd = 2 * (pw + mode + dft), step_flop = 3 * fwd - 2.0 * nx * (tw + 2) * w;
  const double fm = median(tf), bm = median(tb), om = median(to), tot = fm + bm + om;
  std::printf("FNO width %ld, modes %ld, layers %ld, batch %ld, nx %d, %d thread(s), %s GEMMs, %s AdamW\n", w, m, L,
              B, nx, threads, surrogates::detail::gemm_uses_dnnl() ? "oneDNN" : "torch::mm",
              torch_adamw ? "LibTorch's" : "fused");
  std::printf("forward %.1f ms, backward %.1f ms, AdamW %.1f ms, step %.1f ms: %.1f samples/s\n", 1e3 * fm,
              1e3 * bm, 1e3 * om, 1e3 * tot, B / tot);
  const double fc = median(cf), bc = median(cb), oc = median(co);
  std::printf("CPU time: forward %.1f ms, backward %.1f ms, AdamW %.1f ms, step %.1f ms: %.1f samples/s\n", 1e3 * fc,
              1e3 * bc, 1e3 * oc, 1e3 * (fc + bc + oc), B / (fc + bc + oc));
  std::printf("FLOP per sample (forward + backward, GEMMs as executed): %.3g; forward + backward at %.1f GFLOP/s\n",
              step_flop, step_flop * B / (fm + bm) / 1e9);
  std::printf("forward + backward at %.1f GFLOP/s in CPU time\n", step_flop * B / (fc + bc) / 1e9);

  // Spectral transform: DFT GEMMs vs FFT, for the batch-major layout [B, nx, w] (one GEMM per sample).
  auto X = torch::randn({B, nx, w});
  const auto& F = surrogates::detail::dft_forward(nx, m, torch::kFloat32);
  const auto& G = surrogates::detail::dft_inverse(nx, m, torch::kFloat32);
  auto T = torch::empty({B, 2 * m, w}), Z = torch::empty({B, nx, w});
  std::vector<double> gf, gi, ff, fi;
  for (int s = 0; s <= steps; ++s) {
    double t0 = cpu_now();
    for (long b = 0; b < B; ++b) surrogates::detail::gemm(F, false, X[b], false, T[b], 0.0);
    const double a = cpu_now() - t0;
    t0 = cpu_now();
    for (long b = 0; b < B; ++b) surrogates::detail::gemm(G, false, T[b], false, Z[b], 0.0);
    const double b = cpu_now() - t0;
    t0 = cpu_now();
    auto Xf = torch::fft::rfft(X, c10::nullopt, 1).narrow(1, 0, m).contiguous();
    const double c = cpu_now() - t0;
    t0 = cpu_now();
    auto Zf = torch::fft::irfft(Xf, nx, 1);
    const double d = cpu_now() - t0;
    if (s == 0) continue;
    gf.push_back(a);
    gi.push_back(b);
    ff.push_back(c);
    fi.push_back(d);
  }
  std::printf("spectral transform of [%ld, %d, %ld], CPU time: DFT GEMMs forward %.2f ms, inverse %.2f ms; FFT rfft "
              "%.2f ms, irfft(n) %.2f ms\n",
              B, nx, w, 1e3 * median(gf), 1e3 * median(gi), 1e3 * median(ff), 1e3 * median(fi));
  // A measured ceiling: a square float GEMM (leading dimension 1040, not a power of two), best of `steps` + 2.
  const long n = 1024;
  auto Ga = torch::randn({n, n + 16}).narrow(1, 0, n), Gb = torch::randn({n, n + 16}).narrow(1, 0, n);
  auto Gc = torch::empty({n, n + 16}).narrow(1, 0, n);
  double best = 1e30;
  for (int s = 0; s < steps + 2; ++s) {
    const double t0 = cpu_now();
    surrogates::detail::gemm(Ga, false, Gb, false, Gc, 0.0);
    best = std::min(best, cpu_now() - t0);
  }
  std::printf("gemm_gflops %.1f\n", 2.0 * n * n * n / best / 1e9);
  std::printf("step_samples_per_second %.2f %.2f\n", B * steps / wall, B * steps / cpu);
  return 0;
}
