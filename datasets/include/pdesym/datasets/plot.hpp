#pragma once
// Heatmaps of trajectories, with axis ticks, colorbars with values, and a title. Diverging blue-white-red map
// (symmetric about 0) when the values change sign, viridis otherwise.
//   1-D scalar data: one space-time heatmap u(x, t), x horizontal, t increasing upwards.
//   1-D systems (several components): one such space-time heatmap per component, side by side.
//   2-D data: snapshots, one row per component and one column per time (`PlotOptions::times` levels spread
//   evenly from the first to the last), x horizontal, y upwards, one colour range and colorbar per component.
#include <limits>
#include <string>
#include <vector>

#include "pdesym/common/png.hpp"
#include "pdesym/datasets/dataset.hpp"

namespace pdesym::datasets {

struct PlotOptions {
  int width = 960;                  ///< whole image, pixels
  int height = 720;
  std::string colormap = "auto";    ///< auto | diverging | viridis
  /// Colour range; both finite: fixed (values outside are clamped), so that several panels compare; otherwise
  /// the trajectory's own range (diverging maps symmetric about 0).
  double vmin = std::numeric_limits<double>::quiet_NaN(), vmax = std::numeric_limits<double>::quiet_NaN();
  int times = 4;                    ///< 2-D data: snapshot columns (at most nt)
};

/// Renders trajectory `index` of `split` (title lines: `title`, then `label` (default "<split>/<index>") with
/// the trajectory's L, T, nx, nt and value range). Throws InputError if index is out of range or the colormap
/// is unknown. Image size: opt.width x opt.height; 1-D systems: nc panels of max(400, opt.width / nc) x opt.height
/// side by side; 2-D: opt.width x (84 + nc * row height), at most opt.height, the rows as tall as panels of
/// equal x and y scales need.
Image plot_trajectory(const Split& split, int index, const std::string& title, const PlotOptions& opt = {},
                      const std::string& label = "");

/// Reads one trajectory from a dataset file (only that one) and writes the heatmap PNG atomically.
/// The title names the equation from the file's attributes.
void plot_dataset_trajectory(const std::string& data_file, const std::string& split, int index,
                             const std::string& out_png, const PlotOptions& opt = {});

/// "Nice" tick values (1, 2, 5 x 10^k steps) covering [lo, hi], about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target = 6);

}  // namespace pdesym::datasets
