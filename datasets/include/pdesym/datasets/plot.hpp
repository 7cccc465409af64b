#pragma once
// Space-time heatmaps of trajectories: u(x, t) with x horizontal, t increasing upwards, axis ticks, a
// colorbar with values, and a title. Diverging blue-white-red map (symmetric about 0) when u changes sign,
// viridis otherwise.
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
};

/// Renders trajectory `index` of `split` (title lines: `title`, then `label` (default "<split>/<index>") with
/// the trajectory's L, T, nx, nt and value range). Throws InputError if index is out of range or the colormap
/// is unknown.
Image plot_trajectory(const Split& split, int index, const std::string& title, const PlotOptions& opt = {},
                      const std::string& label = "");

/// Reads one trajectory from a dataset file (only that one) and writes the heatmap PNG atomically.
/// The title names the equation from the file's attributes.
void plot_dataset_trajectory(const std::string& data_file, const std::string& split, int index,
                             const std::string& out_png, const PlotOptions& opt = {});

/// "Nice" tick values (1, 2, 5 x 10^k steps) covering [lo, hi], about `target` of them.
std::vector<double> nice_ticks(double lo, double hi, int target = 6);

}  // namespace pdesym::datasets
