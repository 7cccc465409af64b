// Helper for test_surrogate_train: trains a tiny FNO on the same in-memory KdV data on every rank of
// COMM_WORLD (each rank keeps its shard) and writes each rank's final parameters to <prefix>.rank<r>.bin.
// With "2d": a tiny FNO-2d on 2-D two-component plane waves instead (no augmentation); with "promote": the 1-D
// run with the KdV algebra promoted and the model averaged over x -> -x.
// Usage: surrogates_mpi_helper <prefix> [epochs [2d|promote]]
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "pdesym/common/error.hpp"
#include "pdesym/surrogates/train.hpp"
#include "tiny_data.hpp"

int main(int argc, char** argv) {
  MPI_Init(&argc, &argv);
  int rc = 0;
  try {
    if (argc < 2) throw pdesym::InputError("usage: surrogates_mpi_helper <prefix> [epochs [2d]]");
    const std::string prefix = argv[1];
    using namespace pdesym::surrogates;
    const int rank = world_rank(), size = world_size();
    const bool two_d = argc > 3 && std::string(argv[3]) == "2d";
    const bool promote = argc > 3 && std::string(argv[3]) == "promote";
    const auto train_full = two_d ? pdesym::testdata::tiny_waves2d("train", 6, 5) : pdesym::testdata::tiny_kdv("train", 6, 5);
    const auto valid_full = two_d ? pdesym::testdata::tiny_waves2d("valid", 3, 6) : pdesym::testdata::tiny_kdv("valid", 3, 6);
    const ShardedSplit tr = shard_of(train_full, rank, size), va = shard_of(valid_full, rank, size);
    TrainOptions o;
    o.model.kind = "fno";
    o.model.time_window = 4;
    o.model.width = 8;
    o.model.modes = 6;
    o.model.layers = 2;
    o.model.proj_hidden = 16;
    o.epochs = argc > 2 ? std::atoi(argv[2]) : 2;
    o.batch_size = 5;
    o.lr = 3e-3;
    o.windows_per_trajectory = 4;
    o.seed = 17;
    o.augment = two_d ? "none" : "known:kdv";
    if (two_d) o.model.modes = 4;
    if (promote) {
      o.promote = "known:kdv";
      o.enforce = "reflect";
      if (argc > 5) o.enforce = argv[5];
    }
    o.rollout_steps = 8;
    o.out = prefix + ".pt";
    o.progress = false;
    o.threads = 1;
    o.collect_parameters = true;
    const TrainResult r = train(tr, &va, o);
    const std::string file = prefix + ".rank" + std::to_string(rank) + ".bin";
    std::FILE* f = std::fopen(file.c_str(), "wb");
    if (!f) throw pdesym::Error("cannot write " + file);
    std::fwrite(r.parameters.data(), sizeof(float), r.parameters.size(), f);
    std::fclose(f);
    if (rank == 0) std::printf("final train loss %.9e valid %.9e\n", r.history.back().train_loss,
                               r.history.back().valid_accumulated_mse);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "surrogates_mpi_helper: %s\n", e.what());
    rc = 1;
  }
  MPI_Finalize();
  return rc;
}
