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

/// Range of the finite values among u[0..n); `finite` says whether all were finite. (0, 0) if none is.
void value_range(const double* u, std::size_t n, double& lo, double& hi, bool& finite) {
  lo = INFINITY;
  hi = -INFINITY;
  finite = true;
  for (std::size_t k = 0; k < n; ++k) {
    if (!std::isfinite(u[k])) {
      finite = false;
      continue;
    }
    lo = std::min(lo, u[k]);
    hi = std::max(hi, u[k]);
  }
  if (!(lo <= hi)) lo = hi = 0.0;  // all non-finite
}

/// Value -> colour for data in [lo, hi] under `opt` (fixed range, colormap choice).
struct ColourScale {
  bool div = false;
  double vmin = 0, vmax = 1;
  ColourScale(double lo, double hi, const PlotOptions& opt) {
    const bool fixed = std::isfinite(opt.vmin) && std::isfinite(opt.vmax);
    PDESYM_REQUIRE(!fixed || opt.vmax > opt.vmin, "plot colour range must have vmax > vmin (got [" << opt.vmin << ", "
                                                                                               << opt.vmax << "])");
    const double clo = fixed ? opt.vmin : lo, chi = fixed ? opt.vmax : hi;
    div = opt.colormap == "diverging" || (opt.colormap == "auto" && clo < 0 && chi > 0);
    vmin = clo;
    vmax = chi;
    if (div) {
      vmax = std::max(std::abs(clo), std::abs(chi));
      if (vmax == 0) vmax = 1;
      vmin = -vmax;
    } else if (vmax - vmin <= 0) {
      vmin -= 1;
      vmax += 1;
    }
  }
  Rgb operator()(double v) const {
    if (!std::isfinite(v)) return Rgb{255, 0, 255};
    return div ? diverging(std::clamp(v / vmax, -1.0, 1.0)) : viridis(std::clamp((v - vmin) / (vmax - vmin), 0.0, 1.0));
  }
};

/// Vertical colorbar in [x0, x0 + 26) x [top, bottom) with tick labels on its right.
void draw_colorbar(Image& img, const ColourScale& cs, int x0, int top, int bottom, int scale) {
  const int ph = bottom - top, x1 = x0 + 26;
  for (int py = 0; py < ph; ++py) {
    const double v = cs.vmax - (py + 0.5) / ph * (cs.vmax - cs.vmin);
    for (int px = x0; px < x1; ++px) img.set(px, top + py, cs(v));
  }
  img.rect(x0 - 1, top - 1, x1, bottom, kBlack);
  const double vstep = nice_step(cs.vmax - cs.vmin, ph < 200 ? 4 : 6);
  for (double v : nice_ticks(cs.vmin, cs.vmax, ph < 200 ? 4 : 6)) {
    int py = top + static_cast<int>(std::lround((cs.vmax - v) / (cs.vmax - cs.vmin) * ph));
    img.line(x1, py, x1 + 5, py, kBlack);
    img.text(x1 + 9, py - 7 * scale / 2, tick_label(v, vstep), kBlack, scale);
  }
}

std::string fit_text(std::string str, int width, int scale) {
  const std::size_t max_chars = static_cast<std::size_t>(std::max(4, (width - 20) / (6 * scale)));
  if (str.size() > max_chars) str = str.substr(0, max_chars - 3) + "...";
  return str;
}

/// Component c of trajectory `index` as a 1-D scalar split of one trajectory (named like the component).
Split component_split(const Split& s, int index, int c) {
  Split one;
  one.name = s.name;
  one.resize(1, FieldShape{1, 1, s.nt, 1, s.nx}, {s.components[c]});
  const double* src = s.traj(index) + static_cast<std::size_t>(c) * s.shape().component_size();
  std::copy(src, src + one.u.size(), one.u.begin());
  std::copy(s.x.begin() + static_cast<std::ptrdiff_t>(index) * s.nx, s.x.begin() + static_cast<std::ptrdiff_t>(index + 1) * s.nx,
            one.x.begin());
  std::copy(s.t.begin() + static_cast<std::ptrdiff_t>(index) * s.nt, s.t.begin() + static_cast<std::ptrdiff_t>(index + 1) * s.nt,
            one.t.begin());
  one.dx[0] = s.dx[index];
  one.dt[0] = s.dt[index];
  return one;
}

/// 2-D snapshots: rows = components, columns = time levels (see plot.hpp).
Image plot_snapshots(const Split& s, int index, const std::string& title, const PlotOptions& opt,
                     const std::string& label) {
  PDESYM_REQUIRE(opt.times >= 1, "plot: times must be >= 1, got " << opt.times);
  const int nc = s.nc, nt = s.nt, nx = s.nx, ny = s.ny;
  const int cols = std::min(opt.times, nt);
  std::vector<int> levels(static_cast<std::size_t>(cols));
  for (int k = 0; k < cols; ++k)
    levels[k] = cols == 1 ? 0 : static_cast<int>(std::lround(static_cast<double>(k) * (nt - 1) / (cols - 1)));
  const double* t = s.t.data() + static_cast<std::size_t>(index) * nt;
  const double Lx = s.dx[index] * nx, Ly = s.dy[index] * ny;
  const int S = 2;
  const int top = 76, bottom_margin = 8, left_margin = 10, cb_w = 120;
  const int cell_w = (opt.width - left_margin - cb_w) / cols, cell_h_max = (opt.height - top - bottom_margin) / nc;
  // Inside a cell: label band above, x ticks below, y ticks left.
  const int in_top = 24, in_bottom = 28, in_left = 58, in_right = 8;
  const int pw_max = cell_w - in_left - in_right, ph_max = cell_h_max - in_top - in_bottom;
  PDESYM_REQUIRE(pw_max >= 16 && ph_max >= 16, "plot size " << opt.width << "x" << opt.height << " is too small for "
                                                             << cols << " times x " << nc << " components");
  // Equal scales in x and y (Lx : Ly preserved), as large as the cell allows.
  const double scale = std::min(pw_max / Lx, ph_max / Ly);
  const int pw = std::clamp(static_cast<int>(Lx * scale), 8, pw_max), ph = std::clamp(static_cast<int>(Ly * scale), 8, ph_max);
  const int cell_h = in_top + ph + in_bottom;  // rows as tall as the panels need: the image is at most opt.height
  Image img(opt.width, top + nc * cell_h + bottom_margin, kWhite);
  double all_lo = INFINITY, all_hi = -INFINITY;
  bool all_finite = true;
  for (int c = 0; c < nc; ++c) {
    const double* u = s.traj(index) + static_cast<std::size_t>(c) * s.shape().component_size();
    double lo = 0, hi = 0;
    bool finite = true;
    value_range(u, s.shape().component_size(), lo, hi, finite);
    all_lo = std::min(all_lo, lo);
    all_hi = std::max(all_hi, hi);
    all_finite = all_finite && finite;
    const ColourScale cs(lo, hi, opt);
    const int row_top = top + c * cell_h;
    for (int k = 0; k < cols; ++k) {
      const int x0 = left_margin + k * cell_w + in_left, y0 = row_top + in_top;
      const double* snap = u + static_cast<std::size_t>(levels[k]) * s.shape().points();
      for (int py = 0; py < ph; ++py) {
        const int j = std::clamp(static_cast<int>(static_cast<long>(ph - 1 - py) * ny / ph), 0, ny - 1);  // y upwards
        for (int px = 0; px < pw; ++px) {
          const int i = std::clamp(static_cast<int>(static_cast<long>(px) * nx / pw), 0, nx - 1);
          img.set(x0 + px, y0 + py, cs(snap[static_cast<std::size_t>(j) * nx + i]));
        }
      }
      img.rect(x0 - 1, y0 - 1, x0 + pw, y0 + ph, kBlack);
      img.text(x0, row_top + 4, fit_text(s.components[c] + ", t=" + fmt(t[levels[k]]), cell_w + 20, S),
               kBlack, S);
      for (double xv : nice_ticks(0.0, Lx, 3)) {
        const int px = x0 + static_cast<int>(std::lround(xv / Lx * pw));
        img.line(px, y0 + ph, px, y0 + ph + 4, kBlack);
        const std::string lab = tick_label(xv, nice_step(Lx, 3));
        img.text(px - Image::text_width(lab, 1) / 2, y0 + ph + 7, lab, kBlack, 1);
      }
      for (double yv : nice_ticks(0.0, Ly, 3)) {
        const int py = y0 + ph - static_cast<int>(std::lround(yv / Ly * ph));
        img.line(x0 - 5, py, x0 - 1, py, kBlack);
        const std::string lab = tick_label(yv, nice_step(Ly, 3));
        img.text(x0 - 8 - Image::text_width(lab, 1), py - 3, lab, kBlack, 1);
      }
      if (k == 0) img.text(x0 - in_left + 2, y0 + ph / 2 - 7, "y", kBlack, S);
      img.text(x0 + pw + 12, y0 + ph + 7, "x", kBlack, 1);
    }
    draw_colorbar(img, cs, left_margin + cols * cell_w + 12, row_top + in_top, row_top + in_top + ph, 1);
    img.text(left_margin + cols * cell_w + 12, row_top + 4, fit_text(s.components[c], cb_w, S), kBlack, S);
  }
  const std::string line2 = (label.empty() ? s.name + "/" + std::to_string(index) : label) + "   Lx=" + fmt(Lx) +
                            "  Ly=" + fmt(Ly) + "  T=" + fmt(t[nt - 1]) + "  nx=" + std::to_string(nx) +
                            "  ny=" + std::to_string(ny) + "  nt=" + std::to_string(nt) + "  values in [" +
                            fmt(all_lo) + ", " + fmt(all_hi) + "]" +
                            (all_finite ? "" : "  (non-finite values in magenta)");
  img.text(10, 12, fit_text(title, opt.width, S), kBlack, S);
  img.text(10, 38, fit_text(line2, opt.width, S), kGrey, S);
  return img;
}

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
  PDESYM_REQUIRE(static_cast<int>(s.components.size()) == s.nc,
                 "split '" << s.name << "' has " << s.components.size() << " component names for " << s.nc);
  if (s.dim == 2) return plot_snapshots(s, index, title, opt, label);
  if (s.nc > 1) {
    // 1-D system: one space-time panel per component.
    PlotOptions po = opt;
    po.width = std::max(400, opt.width / s.nc);
    std::vector<Image> panels;
    for (int c = 0; c < s.nc; ++c)
      panels.push_back(plot_trajectory(component_split(s, index, c), 0, title, po,
                                       (label.empty() ? s.name + "/" + std::to_string(index) : label) + " " +
                                           s.components[c]));
    return hconcat(panels);
  }
  const int nt = s.nt, nx = s.nx;
  const double* u = s.traj(index);
  double lo = 0, hi = 0;
  bool finite = true;
  value_range(u, static_cast<std::size_t>(nt) * nx, lo, hi, finite);
  const ColourScale cs(lo, hi, opt);
  const double vmin = cs.vmin, vmax = cs.vmax;
  const ColourScale& colour = cs;

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

  // Colorbar, labelled with the component's name.
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
  img.text(cb0 + 7, top - 24, s.components.empty() ? std::string("u") : s.components.front(), kBlack, S);

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
