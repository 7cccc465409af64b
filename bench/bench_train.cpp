// Training throughput of the surrogates: samples per second of optimizer steps (forward, backward, gradient
// Allreduce, AdamW) for one configuration, on all ranks of COMM_WORLD. Run it with mpirun -n 1 and -n 2 to
// measure data-parallel scaling (bench/run_bench_train.sh does both and prints the table).
//
//   bench_train [--model fno|resnet] [--width 256] [--modes 32] [--layers 5] [--batch-size 16] [--samples 128]
//               [--nx 256] [--threads 0] [--augment none|known:kdv]
//
// The data are synthetic smooth periodic fields of the KdV dataset's shape (nt = 140, nx = 256): the cost of a
// step does not depend on the values. The first batch is excluded as warm-up (a separate 1-batch epoch).
#include <mpi.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <CLI/CLI.hpp>

#include "pdesym/common/error.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/surrogates/train.hpp"

using namespace pdesym;

namespace {
datasets::Split synthetic(int n, int nt, int nx) {
  datasets::Split s;
  s.name = "train";
  s.resize(n, nt, nx);
  const double L = 128.0, dt = 100.0 / (nt - 1);
  for (int i = 0; i < n; ++i) {
    Rng rng(1, static_cast<std::uint64_t>(i));
    double a[4], p[4];
    for (int k = 0; k < 4; ++k) {
      a[k] = rng.uniform(-0.5, 0.5);
      p[k] = rng.uniform(0, 6.283185307179586);
    }
    for (int n_ = 0; n_ < nt; ++n_)
      for (int j = 0; j < nx; ++j) {
        const double x = j * L / nx, t = n_ * dt;
        double v = 0;
        for (int k = 0; k < 4; ++k) v += a[k] * std::sin(6.283185307179586 * (k + 1) * (x - 0.3 * t) / L + p[k]);
        s.traj(i)[static_cast<std::size_t>(n_) * nx + j] = v;
      }
    for (int j = 0; j < nx; ++j) s.x[static_cast<std::size_t>(i) * nx + j] = j * L / nx;
    for (int n_ = 0; n_ < nt; ++n_) s.t[static_cast<std::size_t>(i) * nt + n_] = n_ * dt;
    s.dx[i] = L / nx;
    s.dt[i] = dt;
  }
  return s;
}
}  // namespace

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rc = 0;
  try {
    CLI::App app{"bench_train: surrogate training samples per second"};
    surrogates::TrainOptions o;
    int samples = 128, nx = 256;
    app.add_option("--model", o.model.kind);
    app.add_option("--width", o.model.width);
    app.add_option("--modes", o.model.modes);
    app.add_option("--layers", o.model.layers);
    app.add_option("--batch-size", o.batch_size);
    app.add_option("--samples", samples, "timed training samples (global)");
    app.add_option("--nx", nx);
    app.add_option("--threads", o.threads, "torch threads per rank (0: cores / ranks)");
    app.add_option("--augment", o.augment);
    try {
      app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
      rc = app.exit(e);
      MPI_Finalize();
      return rc;
    }
    const int rank = surrogates::world_rank(), size = surrogates::world_size();
    const int nt = 140;
    // n trajectories x 1 window each = one epoch of exactly `samples` samples.
    const int n = samples;
    const datasets::Split full = synthetic(n, nt, nx);
    const surrogates::ShardedSplit shard = surrogates::shard_of(full, rank, size);
    o.windows_per_trajectory = 1;
    o.progress = false;
    o.seed = 1;
    o.lr = 1e-4;
    o.out = std::string(PDESYM_BINARY_DIR) + "/bench_train_checkpoint.pt";
    // Warm-up: one short epoch (allocations, first-touch), not timed.
    {
      surrogates::TrainOptions w = o;
      w.epochs = 1;
      const surrogates::ShardedSplit ws = surrogates::shard_of(synthetic(o.batch_size, nt, nx), rank, size);
      surrogates::train(ws, nullptr, w);
    }
    o.epochs = 1;
    const surrogates::TrainResult r = surrogates::train(shard, nullptr, o);
    const double sps = r.history.back().samples_per_second;
    if (rank == 0) {
      const std::string sz = o.model.kind == "fno"
                                 ? "width " + std::to_string(o.model.width) + ", modes " + std::to_string(o.model.modes) +
                                       ", layers " + std::to_string(o.model.layers)
                                 : "width " + std::to_string(o.model.width) + ", blocks " +
                                       std::to_string(o.model.layers) + ", kernel " + std::to_string(o.model.kernel_size);
      std::printf("| %s | %s | %d | %d | %d | %d | %.1f |\n", o.model.kind.c_str(), sz.c_str(), nx, size, o.threads,
                  o.batch_size, sps);
      std::remove(o.out.c_str());
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_train: %s\n", e.what());
    rc = 2;
    MPI_Abort(MPI_COMM_WORLD, rc);
  }
  MPI_Finalize();
  return rc;
}
