// pdesym generate --config FILE --out FILE.h5 [--train N --valid N --test N] [--seed S] [--resume]
// Testing hook: PDESYM_TEST_INTERRUPT_AFTER=K makes each rank raise SIGTERM (or PDESYM_TEST_INTERRUPT_SIGNAL)
// after finishing K trajectories.
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <optional>

#include "commands.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/config.hpp"
#include "pdesym/datasets/generate.hpp"

namespace pdesym::cli {

namespace {
struct GenerateArgs {
  std::string config, out;
  int train = -1, valid = -1, test = -1;
  long long seed = -1;
  bool no_progress = false, resume = false;
};
}  // namespace

void register_generate(CLI::App& app) {
  auto args = std::make_shared<GenerateArgs>();
  auto* cmd = app.add_subcommand("generate", "Generate an HDF5 dataset: LPSDA layout for 1-D scalar equations, pdesym-nd for 2-D and systems (run under mpirun for parallel)");
  cmd->add_option("--config", args->config, "generation config (YAML), e.g. configs/kdv.yaml")->required();
  cmd->add_option("--out", args->out, "output HDF5 file")->required();
  cmd->add_option("--train", args->train, "override splits.train")->check(CLI::NonNegativeNumber);
  cmd->add_option("--valid", args->valid, "override splits.valid")->check(CLI::NonNegativeNumber);
  cmd->add_option("--test", args->test, "override splits.test")->check(CLI::NonNegativeNumber);
  cmd->add_option("--seed", args->seed, "override seed")->check(CLI::NonNegativeNumber);
  cmd->add_flag("--no-progress", args->no_progress, "no progress bar");
  cmd->add_flag("--resume", args->resume,
                "continue an interrupted run from <out>.partial (made from the same config); without it the "
                "partial file is replaced");
  cmd->callback([args] {
    check_output_path(args->out, "--out");
    datasets::GenerateOverrides o;
    if (args->train >= 0) o.train = args->train;
    if (args->valid >= 0) o.valid = args->valid;
    if (args->test >= 0) o.test = args->test;
    if (args->seed >= 0) o.seed = args->seed;
    const Config cfg = datasets::apply_overrides(Config::load(args->config), o);
    datasets::GenerateOptions go;
    go.progress = !args->no_progress;
    go.resume = args->resume;
    if (const char* k = std::getenv("PDESYM_TEST_INTERRUPT_AFTER")) go.interrupt_after = std::atoi(k);
    if (const char* s = std::getenv("PDESYM_TEST_INTERRUPT_SIGNAL")) go.interrupt_signal = std::atoi(s);
    const auto sum = datasets::generate(datasets::GenerationConfig::from_config(cfg), args->out, MPI_COMM_WORLD, go);
    if (mpi_rank() == 0) std::printf("%s\n", sum.line().c_str());
  });
}

}  // namespace pdesym::cli
