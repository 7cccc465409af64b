// pdesym plot --data FILE.h5 [--split train] [--index 0] --out traj.png
#include "commands.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/datasets/plot.hpp"

namespace pdesym::cli {

namespace {
struct PlotArgs {
  std::string data, split = "train", out, colormap = "auto";
  int index = 0;
};
}  // namespace

void register_plot(CLI::App& app) {
  auto args = std::make_shared<PlotArgs>();
  auto* cmd = app.add_subcommand("plot", "Space-time heatmap u(x,t) of one trajectory of a dataset, as PNG");
  cmd->add_option("--data", args->data, "dataset file (HDF5, LPSDA layout)")->required();
  cmd->add_option("--split", args->split, "split (group) to read")->capture_default_str();
  cmd->add_option("--index", args->index, "trajectory index in the split")->capture_default_str();
  cmd->add_option("--out", args->out, "output PNG")->required();
  cmd->add_option("--colormap", args->colormap, "auto | diverging | viridis")->capture_default_str();
  cmd->callback([args] {
    if (mpi_rank() != 0) return;  // one writer is enough
    check_output_path(args->out, "--out");
    datasets::PlotOptions opt;
    opt.colormap = args->colormap;
    datasets::plot_dataset_trajectory(args->data, args->split, args->index, args->out, opt);
  });
}

}  // namespace pdesym::cli
