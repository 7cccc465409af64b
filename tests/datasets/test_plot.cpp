// Trajectory heatmaps: tick placement, colours at known cells, the colorbar, and the `pdesym plot` command.
#include <cmath>

#include "pdesym/datasets/dataset.hpp"
#include "pdesym/datasets/plot.hpp"
#include "test_util.hpp"

using namespace pdesym;
using namespace pdesym::datasets;
using pdesym_test::expect_input_error;
using pdesym_test::ScratchDir;

namespace {

/// u(x, t) = A sin(2 pi x / L) on nt x nx, L = 16, T = 4.
Split sine_split(double A, double shift = 0.0) {
  Split s;
  s.name = "train";
  s.resize(1, 9, 32);
  s.dx[0] = 16.0 / 32;
  s.dt[0] = 0.5;
  for (int j = 0; j < 32; ++j) s.x[j] = j * s.dx[0];
  for (int n = 0; n < 9; ++n) s.t[n] = n * 0.5;
  for (int n = 0; n < 9; ++n)
    for (int j = 0; j < 32; ++j) s.u[n * 32 + j] = shift + A * std::sin(2 * M_PI * j / 32.0);
  return s;
}

bool same(Rgb a, Rgb b) { return a.r == b.r && a.g == b.g && a.b == b.b; }
bool near(Rgb a, Rgb b, int tol = 3) {
  return std::abs(a.r - b.r) <= tol && std::abs(a.g - b.g) <= tol && std::abs(a.b - b.b) <= tol;
}

}  // namespace

TEST(Plot, NiceTicks) {
  EXPECT_EQ(nice_ticks(0, 128, 6), (std::vector<double>{0, 20, 40, 60, 80, 100, 120}));
  EXPECT_EQ(nice_ticks(0, 100, 6), (std::vector<double>{0, 20, 40, 60, 80, 100}));
  const auto t = nice_ticks(-2.5, 2.5, 6);
  ASSERT_EQ(t.size(), 5u);  // step 1
  EXPECT_DOUBLE_EQ(t.front(), -2.0);
  EXPECT_DOUBLE_EQ(t[2], 0.0);
  EXPECT_DOUBLE_EQ(t.back(), 2.0);
  EXPECT_TRUE(nice_ticks(1, 1).empty());
}

TEST(Plot, HeatmapColoursAxesAndColorbar) {
  const Split s = sine_split(2.0);
  PlotOptions opt;
  const Image img = plot_trajectory(s, 0, "test title", opt);
  ASSERT_EQ(img.width(), opt.width);
  ASSERT_EQ(img.height(), opt.height);
  // Plot area as laid out by plot_trajectory: x in [96, width-170), y in [76, height-76).
  const int left = 96, right = opt.width - 170, top = 76, bottom = opt.height - 76;
  const int pw = right - left;
  // Cell j = 8 (x = L/4) has u = +2 = vmax: deep red; j = 24 has u = -2: deep blue; j = 0: white.
  auto pixel_of_cell = [&](int j) { return left + static_cast<int>((j + 0.5) * pw / 32.0); };
  const int ymid = (top + bottom) / 2;
  EXPECT_TRUE(same(img.get(pixel_of_cell(8), ymid), diverging(1.0)));
  EXPECT_TRUE(same(img.get(pixel_of_cell(24), ymid), diverging(-1.0)));
  EXPECT_TRUE(same(img.get(pixel_of_cell(0), ymid), diverging(0.0)));
  // Colorbar: top is the maximum, bottom the minimum.
  const int cb = right + 28 + 10;
  EXPECT_TRUE(near(img.get(cb, top + 1), diverging(1.0)));
  EXPECT_TRUE(near(img.get(cb, bottom - 2), diverging(-1.0)));
  EXPECT_TRUE(near(img.get(cb, (top + bottom) / 2), diverging(0.0)));
  // Frame, and text drawn in the title band and under the x axis (tick labels).
  EXPECT_TRUE(same(img.get(left + 10, bottom), Rgb{0, 0, 0}));
  auto dark_pixels = [&](int x0, int y0, int x1, int y1) {
    int n = 0;
    for (int y = y0; y < y1; ++y)
      for (int x = x0; x < x1; ++x) {
        const Rgb c = img.get(x, y);
        n += (c.r < 128 && c.g < 128 && c.b < 128);
      }
    return n;
  };
  EXPECT_GT(dark_pixels(0, 0, opt.width, 30), 50);                  // title
  EXPECT_GT(dark_pixels(left, bottom + 10, right, bottom + 30), 50);  // x tick labels
  EXPECT_GT(dark_pixels(0, top, left - 8, bottom), 50);              // t tick labels
  EXPECT_GT(dark_pixels(right + 56, top, opt.width, bottom), 50);    // colorbar labels
}

TEST(Plot, OneSignedDataUsesViridis) {
  const Split s = sine_split(1.0, 3.0);  // u in [2, 4]
  const Image img = plot_trajectory(s, 0, "t");
  const int left = 96, right = PlotOptions{}.width - 170, top = 76, bottom = PlotOptions{}.height - 76;
  const int pw = right - left;
  const int x8 = left + static_cast<int>(8.5 * pw / 32.0), x24 = left + static_cast<int>(24.5 * pw / 32.0);
  EXPECT_TRUE(same(img.get(x8, (top + bottom) / 2), viridis(1.0)));
  EXPECT_TRUE(same(img.get(x24, (top + bottom) / 2), viridis(0.0)));
}

TEST(Plot, BadArguments) {
  const Split s = sine_split(1.0);
  expect_input_error([&] { plot_trajectory(s, 1, "t"); }, {"split 'train' has 1 trajectories, index 1"});
  PlotOptions o;
  o.colormap = "jet";
  expect_input_error([&] { plot_trajectory(s, 0, "t", o); }, {"unknown colormap 'jet'"});
}

TEST(Plot, CommandWritesAPngAndNamesBadIndices) {
  ScratchDir dir;
  const std::string data = dir / "d.h5";
  Attributes a;
  a.equation = "kdv";
  a.equation_text = "u_t + 1*u*u_x + 1*u_xxx = 0";
  write_dataset(data, {sine_split(1.5)}, a);
  const std::string png = dir / "traj.png";
  auto r = pdesym_test::run_pdesym(1, "plot --data " + data + " --split train --index 0 --out " + png, dir / "log");
  ASSERT_EQ(r.rc, 0) << r.output;
  const std::string bytes = pdesym_test::read_file(png);
  ASSERT_GT(bytes.size(), 1000u);
  EXPECT_EQ(bytes.substr(1, 3), "PNG");
  EXPECT_FALSE(pdesym_test::exists(png + ".tmp"));
  r = pdesym_test::run_pdesym(1, "plot --data " + data + " --index 3 --out " + png, dir / "log");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.output.find(data + ": split 'train' has 1 trajectories"), std::string::npos) << r.output;
  r = pdesym_test::run_pdesym(1, "plot --data " + data + " --split valid --out " + png, dir / "log");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.output.find("no group 'valid'"), std::string::npos) << r.output;
}

TEST(Plot, FixedColourRangeComparesPanelsAndHconcat) {
  // Amplitude 1 drawn on the range [-2, 2]: the crest gets the colour of +1 on that scale, not full red.
  const Split s = sine_split(1.0);
  PlotOptions opt;
  opt.vmin = -2;
  opt.vmax = 2;
  const Image img = plot_trajectory(s, 0, "fixed", opt);
  const int left = 96, right = opt.width - 170, top = 76, bottom = opt.height - 76;
  const int x8 = left + static_cast<int>(8.5 * (right - left) / 32.0), ymid = (top + bottom) / 2;
  EXPECT_TRUE(same(img.get(x8, ymid), diverging(0.5)));
  // The same picture as amplitude 2 on its own range, for the amplitude-2 field.
  PlotOptions own;
  own.vmin = -2;
  own.vmax = 2;
  const Image a = plot_trajectory(sine_split(2.0), 0, "t", own), b = plot_trajectory(sine_split(2.0), 0, "t");
  EXPECT_EQ(a.data(), b.data());
  // Values beyond the range are clamped to the end colours.
  PlotOptions narrow;
  narrow.vmin = -0.5;
  narrow.vmax = 0.5;
  EXPECT_TRUE(same(plot_trajectory(s, 0, "t", narrow).get(x8, ymid), diverging(1.0)));
  PlotOptions bad;
  bad.vmin = 1;
  bad.vmax = 1;
  expect_input_error([&] { plot_trajectory(s, 0, "t", bad); }, {"vmax > vmin"});

  const Image h = hconcat({a, img});
  ASSERT_EQ(h.width(), a.width() + img.width());
  ASSERT_EQ(h.height(), a.height());
  EXPECT_TRUE(same(h.get(a.width() + x8, ymid), img.get(x8, ymid)));
  EXPECT_TRUE(same(h.get(x8, ymid), a.get(x8, ymid)));
}
