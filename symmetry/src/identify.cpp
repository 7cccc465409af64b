// Jets from trajectory data and sparse identification of u_t = F(u, u_x, ...). See identify.hpp for the two
// pre-processing regimes.
#include "pdesym/symmetry/identify.hpp"
#include "regression.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <numeric>

#include "pdesym/common/error.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/solvers/spectral.hpp"

namespace pdesym::symmetry {

using solvers::cdouble;
using solvers::cvec;
using solvers::rvec;

// ---------------------------------------------------------------------------------------------------------
// Jet monomials and the identified equation
// ---------------------------------------------------------------------------------------------------------

namespace {
std::string jet_name(int k) { return k == 0 ? "u" : "u_" + std::string(static_cast<std::size_t>(k), 'x'); }

std::string format_coeff(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}
}  // namespace

std::string JetMonomial::name() const {
  std::string s;
  for (std::size_t k = 0; k < powers.size(); ++k) {
    if (powers[k] == 0) continue;
    if (!s.empty()) s += "*";
    s += jet_name(static_cast<int>(k));
    if (powers[k] > 1) s += "^" + std::to_string(powers[k]);
  }
  return s.empty() ? "1" : s;
}

int JetMonomial::degree() const { return std::accumulate(powers.begin(), powers.end(), 0); }

int JetMonomial::order() const {
  for (int k = static_cast<int>(powers.size()) - 1; k >= 0; --k)
    if (powers[static_cast<std::size_t>(k)] > 0) return k;
  return -1;
}

double JetMonomial::eval(const double* jet) const {
  double v = 1.0;
  for (std::size_t k = 0; k < powers.size(); ++k)
    for (int p = 0; p < powers[k]; ++p) v *= jet[k];
  return v;
}

std::string IdentifiedEquation::text() const {
  std::string s = "u_t =";
  if (terms.empty()) return s + " 0";
  for (std::size_t i = 0; i < terms.size(); ++i) {
    const double c = coeffs[i];
    const std::string mag = format_coeff(std::abs(c));
    if (i == 0)
      s += c < 0 ? " -" : " ";
    else
      s += c < 0 ? " - " : " + ";
    s += mag;
    if (terms[i].name() != "1") s += "*" + terms[i].name();
  }
  return s;
}

double IdentifiedEquation::eval(const double* jet) const {
  double f = 0.0;
  for (std::size_t i = 0; i < terms.size(); ++i) f += coeffs[i] * terms[i].eval(jet);
  return f;
}

double IdentifiedEquation::coefficient(const std::string& term) const {
  for (std::size_t i = 0; i < terms.size(); ++i)
    if (terms[i].name() == term) return coeffs[i];
  return 0.0;
}

int IdentifiedEquation::order() const {
  int o = 0;
  for (const auto& t : terms) o = std::max(o, t.order());
  return o;
}

std::vector<JetMonomial> jet_library(int max_order, int max_degree) {
  PDESYM_REQUIRE(max_order >= 0 && max_order <= 8, "library derivative order must be in 0..8, got " << max_order);
  PDESYM_REQUIRE(max_degree >= 1 && max_degree <= 5, "library degree must be in 1..5, got " << max_degree);
  const int nv = max_order + 1;
  std::vector<JetMonomial> lib;
  // Enumerate exponent vectors by total degree; within a degree, lexicographically descending in u_0.
  for (int d = 0; d <= max_degree; ++d) {
    std::vector<int> p(static_cast<std::size_t>(nv), 0);
    std::function<void(int, int)> rec = [&](int var, int left) {
      if (var == nv - 1) {
        p[static_cast<std::size_t>(var)] = left;
        lib.push_back({p});
        return;
      }
      for (int e = left; e >= 0; --e) {
        p[static_cast<std::size_t>(var)] = e;
        rec(var + 1, left - e);
      }
    };
    rec(0, d);
  }
  return lib;
}

// ---------------------------------------------------------------------------------------------------------
// Validation and pre-processing choice
// ---------------------------------------------------------------------------------------------------------

void validate_split(const datasets::Split& d) {
  const std::string where = "split '" + d.name + "'";
  PDESYM_REQUIRE(d.n >= 1, where << " has no trajectories");
  PDESYM_REQUIRE(d.dim == 1 && d.nc == 1, where << ": identification and nullspace discovery need 1-D scalar data; "
                                                << "this split holds " << d.shape().describe() << " fields");
  PDESYM_REQUIRE(d.nx >= 8 && d.nx % 2 == 0, where << ": nx must be even and >= 8 for spectral derivatives, got "
                                                   << d.nx);
  PDESYM_REQUIRE(d.nt >= 9, where << ": need at least 9 stored time steps to differentiate in t, got " << d.nt);
  d.validate("data");
}

namespace {
double traj_dt(const datasets::Split& d, int i) {
  const double* t = d.t.data() + static_cast<std::size_t>(i) * d.nt;
  return (t[d.nt - 1] - t[0]) / (d.nt - 1);
}
}  // namespace

JetPreprocessing choose_preprocessing(const datasets::Split& d, double noise_filter, int t_halfwidth) {
  validate_split(d);
  JetPreprocessing pre;
  const int nx = d.nx, nk = nx / 2 + 1;
  // Time-averaged power spectrum over all rows of all trajectories (unnormalised FFT: white noise of variance
  // s^2 gives E|u_m|^2 = nx s^2 for every m).
  solvers::Fft1d fft(nx);
  cvec uh(static_cast<std::size_t>(nk));
  rvec P(static_cast<std::size_t>(nk), 0.0);
  double sum = 0, sum2 = 0;
  const std::size_t rows = static_cast<std::size_t>(d.n) * d.nt;
  for (std::size_t r = 0; r < rows; ++r) {
    const double* u = d.u.data() + r * nx;
    fft.forward(u, uh.data());
    for (int m = 0; m < nk; ++m) P[static_cast<std::size_t>(m)] += std::norm(uh[static_cast<std::size_t>(m)]);
    for (int j = 0; j < nx; ++j) {
      sum += u[j];
      sum2 += u[j] * u[j];
    }
  }
  for (double& p : P) p /= static_cast<double>(rows);
  const double N = static_cast<double>(rows) * nx;
  const double var = std::max(0.0, sum2 / N - (sum / N) * (sum / N));
  // Noise floor: median power of the top 30% of modes (Nyquist excluded).
  const int m0 = static_cast<int>(0.7 * (nk - 1));
  std::vector<double> top(P.begin() + m0, P.begin() + (nk - 1));
  std::nth_element(top.begin(), top.begin() + static_cast<long>(top.size() / 2), top.end());
  const double floor = top.empty() ? 0.0 : top[top.size() / 2];
  pre.noise_rel = var > 0 ? std::sqrt(floor / nx) / std::sqrt(var) : 0.0;

  const bool weak = noise_filter > 0 || (noise_filter < 0 && pre.noise_rel > 1e-6);
  if (!weak) return pre;
  pre.weak = true;
  if (noise_filter > 0) {
    pre.cutoff_mode = std::max(1, static_cast<int>(std::lround(noise_filter * (nk - 1))));
  } else {
    // Keep modes up to the last one whose power stands clearly (x4) above the floor.
    int mc = 1;
    for (int m = 1; m < nk - 1; ++m)
      if (P[static_cast<std::size_t>(m)] > 4.0 * floor) mc = m;
    pre.cutoff_mode = mc;
  }
  pre.x_taper_modes = std::max(1.0, pre.cutoff_mode / 3.0);
  // Automatic time kernel: a fifth of the stored time range on each side. The weak form is exact whatever the
  // width, so a wide kernel only trades time resolution for noise suppression; at 1% noise on the test data
  // (KdV, Burgers, KS) widths of 1/8..1/3 of the range all give coefficients within ~1e-3.
  pre.t_halfwidth = t_halfwidth > 0 ? t_halfwidth : std::max(4, (d.nt - 1) / 5);
  PDESYM_REQUIRE(d.nt >= 2 * pre.t_halfwidth + 1,
                 "split '" << d.name << "': the noisy-data regime needs at least " << 2 * pre.t_halfwidth + 1
                           << " stored time steps (time kernel half-width " << pre.t_halfwidth << "), got " << d.nt);
  return pre;
}

// ---------------------------------------------------------------------------------------------------------
// Per-trajectory fields
// ---------------------------------------------------------------------------------------------------------

namespace {

// Spectral filter + derivative of every row of a [nt][nx] field: out = d^order/dx^order (g(m) * u_m).
class RowFilter {
 public:
  RowFilter(int nx, double L) : nx_(nx), fft_(nx), k_(solvers::Grid(nx, L).wavenumbers()), uh_(nx / 2 + 1) {}
  // gain[m] multiplies mode m (size nx/2+1).
  void apply(const double* in, double* out, int order, const rvec& gain) {
    fft_.forward(in, uh_.data());
    const cdouble I(0.0, 1.0);
    for (int m = 0; m < nx_ / 2 + 1; ++m) {
      cdouble f = gain[static_cast<std::size_t>(m)];
      if (order > 0) f *= (m == nx_ / 2) ? cdouble(0.0) : std::pow(I * k_[static_cast<std::size_t>(m)], order);
      uh_[static_cast<std::size_t>(m)] *= f;
    }
    fft_.inverse(uh_.data(), out);
  }

 private:
  int nx_;
  solvers::Fft1d fft_;
  rvec k_;
  cvec uh_;
};

rvec cutoff_gain(int nx, int cutoff) {
  rvec g(static_cast<std::size_t>(nx / 2 + 1), 1.0);
  if (cutoff >= 0)
    for (int m = cutoff + 1; m <= nx / 2; ++m) g[static_cast<std::size_t>(m)] = 0.0;
  return g;
}

// Jets u_0..u_order of every row of trajectory i after the cut-off: jets[k][row*nx + j].
std::vector<rvec> trajectory_jets(const datasets::Split& d, int i, int order, int cutoff) {
  RowFilter f(d.nx, d.L(i));
  const rvec gain = cutoff_gain(d.nx, cutoff);
  std::vector<rvec> jets(static_cast<std::size_t>(order + 1), rvec(static_cast<std::size_t>(d.nt) * d.nx));
  const double* u = d.traj(i);
  for (int r = 0; r < d.nt; ++r)
    for (int k = 0; k <= order; ++k)
      f.apply(u + static_cast<std::size_t>(r) * d.nx, jets[static_cast<std::size_t>(k)].data() +
                                                          static_cast<std::size_t>(r) * d.nx, k, gain);
  return jets;
}

struct SamplePoint {
  int row, col;
};

// n sample points of trajectory i, rows in [lo, hi].
std::vector<SamplePoint> draw_points(int n, int lo, int hi, int nx, Rng& rng) {
  std::vector<SamplePoint> p(static_cast<std::size_t>(n));
  for (auto& s : p) {
    s.row = static_cast<int>(rng.uniform_int(lo, hi));
    s.col = static_cast<int>(rng.uniform_int(0, nx - 1));
  }
  return p;
}

// Splits `total` samples over n trajectories as evenly as possible.
int share(int total, int n, int i) { return total / n + (i < total % n ? 1 : 0); }

// 8th-order central difference weights for d/dt at offsets -4..4 (times 1/dt).
constexpr double kFd8[9] = {1.0 / 280, -4.0 / 105, 1.0 / 5, -4.0 / 5, 0.0, 4.0 / 5, -1.0 / 5, 4.0 / 105, -1.0 / 280};

// Time kernel K(s) = (1 - s^2)^q on s in [-1, 1] at offsets -W..W (s = offset/W), normalised to sum 1, and the
// weights that give the kernel-smoothed time derivative by integration by parts:
// sum_n K_n f'(t_n) = -sum_n K'_n f(t_n) with K'_n = dK/dt at the offsets.
struct TimeKernel {
  std::vector<double> w, dw;
  int W = 0;
  TimeKernel(int W_, double dt) : W(W_) {
    const int q = 8;
    double z = 0;
    for (int o = -W; o <= W; ++o) {
      const double s = static_cast<double>(o) / W;
      const double k = std::pow(1.0 - s * s, q);
      w.push_back(k);
      dw.push_back(q * std::pow(1.0 - s * s, q - 1) * (-2.0 * s) / (W * dt));
      z += k;
    }
    for (double& v : w) v /= z;
    for (double& v : dw) v = -v / z;  // minus sign of the integration by parts
  }
};

}  // namespace

Eigen::MatrixXd sample_jet_points(const datasets::Split& d, int order, int n, std::uint64_t seed,
                                  const JetPreprocessing& pre) {
  validate_split(d);
  PDESYM_REQUIRE(n >= 1, "number of sample points must be >= 1");
  Eigen::MatrixXd out(n, 3 + order);
  int row0 = 0;
  for (int i = 0; i < d.n; ++i) {
    const int ni = share(n, d.n, i);
    if (ni == 0) continue;
    Rng rng(seed, 0x5a11, static_cast<std::uint64_t>(i));
    const auto pts = draw_points(ni, 0, d.nt - 1, d.nx, rng);
    const auto jets = trajectory_jets(d, i, order, pre.cutoff_mode);
    const double* x = d.x.data() + static_cast<std::size_t>(i) * d.nx;
    const double* t = d.t.data() + static_cast<std::size_t>(i) * d.nt;
    for (int s = 0; s < ni; ++s) {
      const auto& p = pts[static_cast<std::size_t>(s)];
      out(row0 + s, 0) = x[p.col];
      out(row0 + s, 1) = t[p.row];
      for (int k = 0; k <= order; ++k)
        out(row0 + s, 2 + k) = jets[static_cast<std::size_t>(k)][static_cast<std::size_t>(p.row) * d.nx + p.col];
    }
    row0 += ni;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Assembly: the sampled library columns and the response
// ---------------------------------------------------------------------------------------------------------

RegressionData assemble_regression(const datasets::Split& d, const IdentifyOptions& opt, const JetPreprocessing& pre) {
  RegressionData reg;
  reg.library = jet_library(opt.max_order, opt.max_degree);
  const auto& lib = reg.library;
  const int p = static_cast<int>(lib.size());
  const int N = opt.max_samples;
  reg.theta.resize(N, p);
  reg.y.resize(N);
  reg.traj.assign(static_cast<std::size_t>(N), 0);
  reg.row.assign(static_cast<std::size_t>(N), 0);
  Eigen::MatrixXd& Theta = reg.theta;
  Eigen::VectorXd& y = reg.y;

  int row0 = 0;
  std::vector<double> jet(static_cast<std::size_t>(opt.max_order + 1));
  for (int i = 0; i < d.n; ++i) {
    const int ni = share(N, d.n, i);
    if (ni == 0) continue;
    Rng rng(opt.seed, 0x1d, static_cast<std::uint64_t>(i));
    const double dt = traj_dt(d, i);
    const auto jets = trajectory_jets(d, i, opt.max_order, pre.cutoff_mode);
    const std::size_t nx = static_cast<std::size_t>(d.nx);
    if (!pre.weak) {
      // Clean regime: pointwise jets, u_t by the 8th-order central difference.
      const auto pts = draw_points(ni, 4, d.nt - 5, d.nx, rng);
      const double* u = d.traj(i);
      for (int s = 0; s < ni; ++s) {
        const auto& pt = pts[static_cast<std::size_t>(s)];
        const std::size_t at = static_cast<std::size_t>(pt.row) * nx + pt.col;
        for (int k = 0; k <= opt.max_order; ++k) jet[static_cast<std::size_t>(k)] = jets[static_cast<std::size_t>(k)][at];
        for (int c = 0; c < p; ++c) Theta(row0 + s, c) = lib[static_cast<std::size_t>(c)].eval(jet.data());
        double ut = 0;
        for (int o = -4; o <= 4; ++o) ut += kFd8[o + 4] * u[at + static_cast<std::size_t>(o) * nx];
        y[row0 + s] = ut / dt;
        reg.traj[static_cast<std::size_t>(row0 + s)] = i;
        reg.row[static_cast<std::size_t>(row0 + s)] = pt.row;
      }
    } else {
      // Weak regime: S Theta_c and S u_t at the sample points, S = time kernel o x taper.
      const TimeKernel K(pre.t_halfwidth, dt);
      const auto pts = draw_points(ni, pre.t_halfwidth, d.nt - 1 - pre.t_halfwidth, d.nx, rng);
      RowFilter f(d.nx, d.L(i));
      rvec taper(nx / 2 + 1);
      for (std::size_t m = 0; m < taper.size(); ++m) {
        const double r = static_cast<double>(m) / pre.x_taper_modes;
        taper[m] = std::exp(-0.5 * r * r);
      }
      // smoothT holds the x-smoothed field transposed ([col][row]) so that the time sums are contiguous.
      const std::size_t nt = static_cast<std::size_t>(d.nt);
      rvec field(nt * nx), row(nx), smoothT(field.size());
      auto smooth_rows = [&]() {
        for (std::size_t r = 0; r < nt; ++r) {
          f.apply(field.data() + r * nx, row.data(), 0, taper);
          for (std::size_t j = 0; j < nx; ++j) smoothT[j * nt + r] = row[j];
        }
      };
      auto kernel_sum = [&](const std::vector<double>& w, const SamplePoint& pt) {
        double v = 0;
        for (int o = -K.W; o <= K.W; ++o)
          v += w[static_cast<std::size_t>(o + K.W)] *
               smoothT[static_cast<std::size_t>(pt.col) * nt + static_cast<std::size_t>(pt.row + o)];
        return v;
      };
      for (int c = 0; c < p; ++c) {
        for (std::size_t at = 0; at < field.size(); ++at) {
          for (int k = 0; k <= opt.max_order; ++k) jet[static_cast<std::size_t>(k)] = jets[static_cast<std::size_t>(k)][at];
          field[at] = lib[static_cast<std::size_t>(c)].eval(jet.data());
        }
        smooth_rows();
        for (int s = 0; s < ni; ++s) Theta(row0 + s, c) = kernel_sum(K.w, pts[static_cast<std::size_t>(s)]);
      }
      field = jets[0];
      smooth_rows();
      for (int s = 0; s < ni; ++s) {
        y[row0 + s] = kernel_sum(K.dw, pts[static_cast<std::size_t>(s)]);
        reg.traj[static_cast<std::size_t>(row0 + s)] = i;
        reg.row[static_cast<std::size_t>(row0 + s)] = pts[static_cast<std::size_t>(s)].row;
      }
    }
    row0 += ni;
  }
  return reg;
}

double model_residual(const RegressionData& reg, const IdentifiedEquation& eq) {
  Eigen::VectorXd r = reg.y;
  for (std::size_t j = 0; j < eq.terms.size(); ++j) {
    const std::string name = eq.terms[j].name();
    int col = -1;
    for (std::size_t c = 0; c < reg.library.size(); ++c)
      if (reg.library[c].name() == name) col = static_cast<int>(c);
    PDESYM_CHECK(col >= 0, "term " << name << " is not in the regression library");
    r -= eq.coeffs[j] * reg.theta.col(col);
  }
  const double yn = reg.y.norm();
  return yn > 0 ? r.norm() / yn : 0.0;
}

double time_difference_error(const datasets::Split& d, int samples, std::uint64_t seed) {
  d.validate("time differences");
  PDESYM_REQUIRE(d.nt >= 9, "split '" << d.name << "': need at least 9 stored time steps, got " << d.nt);
  // 6th-order central difference weights at offsets -3..3; compared with the 8th-order one on rows 4..nt-5.
  constexpr double kFd6[7] = {-1.0 / 60, 3.0 / 20, -3.0 / 4, 0.0, 3.0 / 4, -3.0 / 20, 1.0 / 60};
  double num = 0, den = 0;
  const std::size_t P = static_cast<std::size_t>(d.ny) * d.nx;
  for (int i = 0; i < d.n; ++i) {
    const int ni = share(samples, d.n, i);
    if (ni == 0) continue;
    Rng rng(seed, 0x7e, static_cast<std::uint64_t>(i));
    for (int s = 0; s < ni; ++s) {
      const int a = static_cast<int>(rng.uniform_int(0, d.nc - 1));
      const int row = static_cast<int>(rng.uniform_int(4, d.nt - 5));
      const std::size_t at = static_cast<std::size_t>(row) * P + static_cast<std::size_t>(rng.uniform_int(0, static_cast<long>(P) - 1));
      const double* u = d.traj(i) + static_cast<std::size_t>(a) * d.nt * P;
      double x8 = 0, x6 = 0;
      for (int o = -4; o <= 4; ++o) x8 += kFd8[o + 4] * u[at + static_cast<std::size_t>(o) * P];
      for (int o = -3; o <= 3; ++o) x6 += kFd6[o + 3] * u[at + static_cast<std::size_t>(o) * P];
      num += (x8 - x6) * (x8 - x6);
      den += x8 * x8;
    }
  }
  return den > 0 ? std::sqrt(num / den) : 0.0;
}


namespace {
IdentifiedEquation identify_with(const datasets::Split& d, const IdentifyOptions& opt, const JetPreprocessing& pre) {
  const RegressionData reg = assemble_regression(d, opt, pre);
  {
    // u_t at rounding level (a constant or stationary field) cannot be identified.
    double umax = 0, dtmin = 1e300;
    for (double v : d.u) umax = std::max(umax, std::abs(v));
    for (int i = 0; i < d.n; ++i) dtmin = std::min(dtmin, traj_dt(d, i));
    PDESYM_REQUIRE(reg.y.norm() / std::sqrt(static_cast<double>(reg.y.size())) > 1e-13 * umax / dtmin,
                   "split '" << d.name << "': u_t vanishes identically, nothing to identify");
  }
  const SparseFit fit = fit_sparse(reg, d, opt);
  IdentifiedEquation eq;
  eq.max_order = opt.max_order;
  eq.samples = static_cast<int>(reg.y.size());
  eq.library_size = static_cast<int>(reg.library.size());
  eq.preprocessing = pre;
  for (std::size_t j = 0; j < fit.support.size(); ++j) {
    eq.terms.push_back(reg.library[static_cast<std::size_t>(fit.support[j])]);
    eq.coeffs.push_back(fit.coeffs[j]);
  }
  eq.residual_rel = fit.residual;
  eq.library_residual_rel = fit.library_residual;
  return eq;
}
}  // namespace

IdentifiedEquation identify_equation(const datasets::Split& d, const IdentifyOptions& opt) {
  PDESYM_REQUIRE(opt.max_samples >= 10, "identification needs at least 10 samples, got " << opt.max_samples);
  PDESYM_REQUIRE(opt.threshold >= 0 && opt.threshold < 1, "STLSQ threshold must be in [0, 1), got " << opt.threshold);
  PDESYM_REQUIRE(opt.cv_tolerance >= 0 && opt.cv_slack >= 0 && opt.cv_term_penalty >= 0,
                 "cv_tolerance, cv_slack and cv_term_penalty must be >= 0");
  const JetPreprocessing pre = choose_preprocessing(d, opt.noise_filter, opt.t_halfwidth);
  IdentifiedEquation eq = identify_with(d, opt, pre);
  // Automatic mode on data without detectable noise: if the pointwise fit is poor (typically a coarse stored time
  // step, where the 8th-order difference is inaccurate for fast, e.g. dispersive, modes), also try the weak form
  // with all Fourier modes kept and keep whichever fits better.
  const int W = opt.t_halfwidth > 0 ? opt.t_halfwidth : std::max(4, (d.nt - 1) / 5);
  if (opt.noise_filter < 0 && !pre.weak && eq.residual_rel > 1e-6 && d.nt >= 2 * W + 1) {
    JetPreprocessing weak = pre;
    weak.weak = true;
    weak.cutoff_mode = -1;
    weak.x_taper_modes = std::max(1.0, (d.nx / 2) / 3.0);
    weak.t_halfwidth = W;
    IdentifiedEquation alt = identify_with(d, opt, weak);
    alt.preprocessing.pointwise_residual = eq.residual_rel;
    if (alt.residual_rel < eq.residual_rel) return alt;
    eq.preprocessing.weak_residual = alt.residual_rel;
  }
  return eq;
}

}  // namespace pdesym::symmetry
