#include "pdesym/datasets/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <vector>

#include "pdesym/common/error.hpp"

namespace pdesym::datasets {

namespace {

double nice_step(double range, int target) {
  const double raw = range / std::max(1, target);
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  const double m = f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10;
  return m * mag;
}

std::string tick_label(double v, double step) {
  int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  if (std::abs(v) < step * 1e-6) v = 0.0;  // no "-0"
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
  return buf;
}

std::string fmt(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

const Rgb kBlack{0, 0, 0}, kGrey{90, 90, 90}, kWhite{255, 255, 255};

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int target) {
  std::vector<double> out;
  if (!(hi > lo) || !std::isfinite(lo) || !std::isfinite(hi)) return out;
  const double step = nice_step(hi - lo, target);
  const double first = std::ceil(lo / step - 1e-9) * step;
  for (int k = 0; k < 1000; ++k) {
    double v = first + k * step;
    if (v > hi + step * 1e-9) break;
    out.push_back(v);
  }
  return out;
}

Image plot_trajectory(const Split& s, int index, const std::string& title, const PlotOptions& opt,
                      const std::string& label) {
  PDESYM_REQUIRE(index >= 0 && index < s.n, "split '" << s.name << "' has " << s.n << " trajectories, index "
                                                       << index << " is out of range");
  PDESYM_REQUIRE(opt.colormap == "auto" || opt.colormap == "diverging" || opt.colormap == "viridis",
                 "unknown colormap '" << opt.colormap << "' (auto, diverging, viridis)");
  PDESYM_REQUIRE(opt.width >= 400 && opt.height >= 300,
                 "plot size must be at least 400x300, got " << opt.width << "x" << opt.height);
  const int nt = s.nt, nx = s.nx;
  const double* u = s.traj(index);
  double lo = INFINITY, hi = -INFINITY;
  bool finite = true;
  for (std::size_t k = 0; k < static_cast<std::size_t>(nt) * nx; ++k) {
    if (!std::isfinite(u[k])) {
      finite = false;
      continue;
    }
    lo = std::min(lo, u[k]);
    hi = std::max(hi, u[k]);
  }
  if (!(lo <= hi)) lo = hi = 0.0;  // all non-finite
  const bool fixed = std::isfinite(opt.vmin) && std::isfinite(opt.vmax);
  PDESYM_REQUIRE(!fixed || opt.vmax > opt.vmin, "plot colour range must have vmax > vmin (got [" << opt.vmin << ", "
                                                                                             << opt.vmax << "])");
  const double clo = fixed ? opt.vmin : lo, chi = fixed ? opt.vmax : hi;
  const bool div = opt.colormap == "diverging" || (opt.colormap == "auto" && clo < 0 && chi > 0);
  double vmin = clo, vmax = chi;
  if (div) {
    vmax = std::max(std::abs(clo), std::abs(chi));
    if (vmax == 0) vmax = 1;
    vmin = -vmax;
  } else if (vmax - vmin <= 0) {
    vmin -= 1;
    vmax += 1;
  }
  auto colour = [&](double v) -> Rgb {
    if (!std::isfinite(v)) return Rgb{255, 0, 255};
    return div ? diverging(std::clamp(v / vmax, -1.0, 1.0)) : viridis(std::clamp((v - vmin) / (vmax - vmin), 0.0, 1.0));
  };

  const double L = s.dx[index] * nx;
  const double* t = s.t.data() + static_cast<std::size_t>(index) * nt;
  const double dt = nt > 1 ? t[1] - t[0] : 1.0;
  const double tlo = t[0] - dt / 2, thi = t[nt - 1] + dt / 2;  // cell n covers [t_n - dt/2, t_n + dt/2]

  const int S = 2;  // text scale: 12 px per character, 14 px tall
  Image img(opt.width, opt.height, kWhite);
  const int left = 96, right = opt.width - 170, top = 76, bottom = opt.height - 76;
  const int pw = right - left, ph = bottom - top;

  // Heatmap: nearest cell for every pixel.
  for (int py = 0; py < ph; ++py) {
    const double tv = thi - (py + 0.5) / ph * (thi - tlo);
    int n = static_cast<int>(std::floor((tv - tlo) / (thi - tlo) * nt));
    n = std::clamp(n, 0, nt - 1);
    for (int px = 0; px < pw; ++px) {
      int j = std::clamp(static_cast<int>(static_cast<long>(px) * nx / pw), 0, nx - 1);
      img.set(left + px, top + py, colour(u[static_cast<std::size_t>(n) * nx + j]));
    }
  }
  img.rect(left - 1, top - 1, right, bottom, kBlack);

  // x axis (bottom).
  for (double xv : nice_ticks(0.0, L, 6)) {
    int px = left + static_cast<int>(std::lround(xv / L * pw));
    img.line(px, bottom, px, bottom + 6, kBlack);
    std::string lab = tick_label(xv, nice_step(L, 6));
    img.text(px - Image::text_width(lab, S) / 2, bottom + 12, lab, kBlack, S);
  }
  img.text(left + pw / 2 - Image::text_width("x", S) / 2, bottom + 40, "x", kBlack, S);
  // t axis (left, increasing upwards).
  const double tstep = nice_step(t[nt - 1] - t[0], 6);
  for (double tv : nice_ticks(t[0], t[nt - 1], 6)) {
    int py = bottom - static_cast<int>(std::lround((tv - tlo) / (thi - tlo) * ph));
    img.line(left - 7, py, left - 1, py, kBlack);
    std::string lab = tick_label(tv, tstep);
    img.text(left - 12 - Image::text_width(lab, S), py - 7, lab, kBlack, S);
  }
  img.text(16, top + ph / 2 - 7, "t", kBlack, S);

  // Colorbar.
  const int cb0 = right + 28, cb1 = cb0 + 26;
  for (int py = 0; py < ph; ++py) {
    const double v = vmax - (py + 0.5) / ph * (vmax - vmin);
    for (int px = cb0; px < cb1; ++px) img.set(px, top + py, colour(v));
  }
  img.rect(cb0 - 1, top - 1, cb1, bottom, kBlack);
  const double vstep = nice_step(vmax - vmin, 6);
  for (double v : nice_ticks(vmin, vmax, 6)) {
    int py = top + static_cast<int>(std::lround((vmax - v) / (vmax - vmin) * ph));
    img.line(cb1, py, cb1 + 5, py, kBlack);
    img.text(cb1 + 9, py - 7, tick_label(v, vstep), kBlack, S);
  }
  img.text(cb0 + 7, top - 24, "u", kBlack, S);

  // Title: the given line, then the trajectory's own numbers.
  std::string line2 = (label.empty() ? s.name + "/" + std::to_string(index) : label) + "   L=" + fmt(L) + "  T=" + fmt(t[nt - 1]) +
                      "  nx=" + std::to_string(nx) + "  nt=" + std::to_string(nt) + "  u in [" + fmt(lo) + ", " +
                      fmt(hi) + "]" + (finite ? "" : "  (non-finite values in magenta)");
  auto fit = [&](std::string str) {
    const std::size_t max_chars = static_cast<std::size_t>((opt.width - 20) / (6 * S));
    if (str.size() > max_chars) str = str.substr(0, max_chars - 3) + "...";
    return str;
  };
  img.text(10, 12, fit(title), kBlack, S);
  img.text(10, 38, fit(line2), kGrey, S);
  return img;
}

void plot_dataset_trajectory(const std::string& data_file, const std::string& split, int index,
                             const std::string& out_png, const PlotOptions& opt) {
  PDESYM_REQUIRE(index >= 0, "trajectory index must be >= 0, got " << index);
  const Split one = read_split(data_file, split, index, 1);  // validated, range-checked, reads one trajectory
  const Attributes a = read_attributes(data_file);
  const std::string title = a.equation.empty() ? std::string("u(x,t)") : a.equation + ":  " + a.equation_text;
  write_png(out_png, plot_trajectory(one, 0, title, opt, split + "/" + std::to_string(index)));
}

}  // namespace pdesym::datasets
