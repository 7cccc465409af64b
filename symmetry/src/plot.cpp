#include "pdesym/symmetry/plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "pdesym/common/error.hpp"
#include "pdesym/common/png.hpp"

namespace pdesym::symmetry {

PlotDomain PlotDomain::of(const datasets::Split& d) {
  PlotDomain p;
  if (d.n <= 0 || d.u.empty()) return p;
  double L = 0;
  for (int i = 0; i < d.n; ++i) L = std::max(L, d.L(i));
  p.x = {0.0, L};
  p.t = {*std::min_element(d.t.begin(), d.t.end()), *std::max_element(d.t.begin(), d.t.end())};
  p.u = {*std::min_element(d.u.begin(), d.u.end()), *std::max_element(d.u.begin(), d.u.end())};
  for (auto* r : {&p.x, &p.t, &p.u})
    if (!((*r)[1] > (*r)[0])) (*r)[1] = (*r)[0] + 1.0;
  return p;
}

PlotDomain PlotDomain::from_extra(const nlohmann::json& extra) {
  PlotDomain p;
  if (!extra.is_object() || !extra.contains("domain") || !extra["domain"].is_object()) return p;
  const auto& d = extra["domain"];
  auto read = [&](const char* k, std::array<double, 2>& r) {
    if (d.contains(k) && d[k].is_array() && d[k].size() == 2 && d[k][0].is_number() && d[k][1].is_number()) {
      const double a = d[k][0].get<double>(), b = d[k][1].get<double>();
      if (std::isfinite(a) && std::isfinite(b) && b > a) r = {a, b};
    }
  };
  read("x", p.x);
  read("t", p.t);
  read("u", p.u);
  return p;
}

nlohmann::json PlotDomain::to_json() const { return {{"x", x}, {"t", t}, {"u", u}}; }

namespace {

constexpr int kPanelW = 300, kPanelH = 200, kMargin = 36, kTitleH = 22, kGap = 40;
constexpr int kCols = 13, kRows = 9;
const Rgb kInk{40, 40, 40}, kFrame{150, 150, 150};

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.3g", v);
  return b;
}

void arrow(Image& img, double x0, double y0, double dx, double dy, Rgb c) {
  const double len = std::hypot(dx, dy);
  const int xa = static_cast<int>(std::lround(x0 - dx / 2)), ya = static_cast<int>(std::lround(y0 - dy / 2));
  const int xb = static_cast<int>(std::lround(x0 + dx / 2)), yb = static_cast<int>(std::lround(y0 + dy / 2));
  if (len < 1.5) {  // (near) zero field: a dot
    img.fill_rect(xa - 1, ya - 1, xa + 1, ya + 1, c);
    return;
  }
  img.line(xa, ya, xb, yb, c, 2);
  const double h = std::min(7.0, 0.4 * len), ux = dx / len, uy = dy / len;
  for (double s : {-1.0, 1.0}) {
    const double hx = xb - h * (ux * 0.87 - s * uy * 0.5), hy = yb - h * (uy * 0.87 + s * ux * 0.5);
    img.line(xb, yb, static_cast<int>(std::lround(hx)), static_cast<int>(std::lround(hy)), c, 2);
  }
}

// One panel at (px, py): horizontal axis `ha` (x), vertical axis `va` (t or u, increasing upwards); the field
// components (fh, fv) at plane point (a, b) come from `field`.
template <class Field>
void panel(Image& img, int px, int py, const std::array<double, 2>& ha, const std::array<double, 2>& va,
           const std::string& hname, const std::string& vname, const std::string& title, Field field) {
  img.rect(px, py, px + kPanelW, py + kPanelH, kFrame);
  const double cw = static_cast<double>(kPanelW) / kCols, ch = static_cast<double>(kPanelH) / kRows;
  std::vector<std::array<double, 4>> arrows;  // screen centre and screen components
  double big = 0;
  for (int i = 0; i < kCols; ++i)
    for (int j = 0; j < kRows; ++j) {
      const double a = ha[0] + (i + 0.5) / kCols * (ha[1] - ha[0]);
      const double b = va[0] + (j + 0.5) / kRows * (va[1] - va[0]);
      const auto f = field(a, b);
      const double sx = f[0] / (ha[1] - ha[0]) * kPanelW, sy = -f[1] / (va[1] - va[0]) * kPanelH;
      const double cx = px + (i + 0.5) * cw, cy = py + kPanelH - (j + 0.5) * ch;
      arrows.push_back({cx, cy, sx, sy});
      big = std::max(big, std::hypot(sx, sy));
    }
  const double scale = big > 0 ? 0.9 * std::min(cw, ch) / big : 0.0;
  for (const auto& a : arrows) {
    const double rel = big > 0 ? std::hypot(a[2], a[3]) / big : 0.0;
    arrow(img, a[0], a[1], a[2] * scale, a[3] * scale, viridis(0.1 + 0.8 * rel));
  }
  img.text(px, py - 11, title, kInk);
  img.text(px + kPanelW / 2 - 3, py + kPanelH + 14, hname, kInk);
  img.text(px, py + kPanelH + 4, fmt(ha[0]), kInk);
  const std::string hr = fmt(ha[1]);
  img.text(px + kPanelW - Image::text_width(hr), py + kPanelH + 4, hr, kInk);
  img.text(px - 8 - Image::text_width(vname) + 2, py + kPanelH / 2 - 3, vname, kInk);
  const std::string v0 = fmt(va[0]), v1 = fmt(va[1]);
  img.text(px - 2 - Image::text_width(v0), py + kPanelH - 7, v0, kInk);
  img.text(px - 2 - Image::text_width(v1), py, v1, kInk);
}

}  // namespace

void plot_generators(const std::string& path, const SymmetryResult& r, const PlotDomain& dom) {
  const int ng = static_cast<int>(r.generators.cols());
  PDESYM_REQUIRE(ng > 0, "nothing to plot: the result has no generators");
  PDESYM_REQUIRE(r.generators.rows() == r.basis.size(), "generators do not match the basis");
  PDESYM_REQUIRE(r.basis.variables().scalar_1d(), "plots of generators are drawn for (x, t, u) only; this result lives on "
                                                      << r.basis.variables().describe());
  const int rowH = kTitleH + 14 + kPanelH + 30;
  const int W = kMargin + kPanelW + kGap + kMargin + kPanelW + 20;
  const int H = 30 + ng * rowH;
  Image img(W, H);
  img.text(8, 8, "pdesym discover: " + r.method + " generators (arrows in axis units)", kInk, 1);
  const double u_mid = 0.5 * (dom.u[0] + dom.u[1]), t_mid = 0.5 * (dom.t[0] + dom.t[1]);
  for (int g = 0; g < ng; ++g) {
    const Eigen::VectorXd v = r.generators.col(g);
    const int y0 = 30 + g * rowH;
    img.text(8, y0 + 2, std::to_string(g + 1) + ": " + label(v, r.basis), Rgb{0, 0, 0}, 1);
    const int py = y0 + kTitleH + 12;
    panel(img, kMargin, py, dom.x, dom.t, "x", "t", "(xi, tau) at u=" + fmt(u_mid), [&](double x, double t) {
      const auto f = r.basis.eval(v, x, t, u_mid);
      return std::array<double, 2>{f[0], f[1]};
    });
    panel(img, kMargin + kPanelW + kGap + kMargin, py, dom.x, dom.u, "x", "u", "(xi, phi) at t=" + fmt(t_mid),
          [&](double x, double u) {
            const auto f = r.basis.eval(v, x, t_mid, u);
            return std::array<double, 2>{f[0], f[2]};
          });
  }
  write_png(path, img);
}

}  // namespace pdesym::symmetry
