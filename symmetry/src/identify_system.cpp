// Identification of systems and second-order equations in 1 or 2 space dimensions, and sample points for their
// symmetry condition (system.hpp).
#include <algorithm>
#include <cmath>
#include <functional>

#include "pdesym/common/error.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/solvers/box.hpp"
#include "pdesym/solvers/spectral.hpp"
#include "pdesym/symmetry/system.hpp"
#include "regression.hpp"

namespace pdesym::symmetry {

namespace {

// 8th-order central differences at offsets -4..4 (times 1/dt and 1/dt^2).
constexpr double kD1[9] = {1.0 / 280, -4.0 / 105, 1.0 / 5, -4.0 / 5, 0.0, 4.0 / 5, -1.0 / 5, 4.0 / 105, -1.0 / 280};
constexpr double kD2[9] = {-1.0 / 560, 8.0 / 315, -1.0 / 5, 8.0 / 5, -205.0 / 72, 8.0 / 5, -1.0 / 5, 8.0 / 315, -1.0 / 560};

double traj_dt(const datasets::Split& d, int i) {
  const double* t = d.t.data() + static_cast<std::size_t>(i) * d.nt;
  return (t[d.nt - 1] - t[0]) / (d.nt - 1);
}

solvers::Box box_of(const datasets::Split& d, int i) {
  return d.dim == 1 ? solvers::Box::line(d.nx, d.L(i)) : solvers::Box::plane(d.nx, d.ny, d.L(i), d.Ly(i));
}

// Spatial derivatives after a Fourier cut-off (modes |m| <= cx in x and |j'| <= cy in y kept; -1: all).
class FilteredDerivative {
 public:
  // taper > 0: modes are further multiplied by exp(-(m / (taper cx))^2 / 2 - (j' / (taper cy))^2 / 2).
  FilteredDerivative(const solvers::Box& b, int cx, int cy, double taper = 0)
      : fft_(b), kx_(solvers::wavenumbers_x(b)), ky_(solvers::wavenumbers_y(b)), nkx_(b.nkx()), ny_(b.ny),
        uh_(static_cast<std::size_t>(b.modes())), wh_(uh_.size()), keep_(uh_.size(), 1.0) {
    for (int j = 0; j < ny_; ++j)
      for (int m = 0; m < nkx_; ++m) {
        const int jj = j <= ny_ / 2 ? j : ny_ - j;
        double& g = keep_[static_cast<std::size_t>(j * nkx_ + m)];
        if ((cx >= 0 && m > cx) || (b.dim == 2 && cy >= 0 && jj > cy)) g = 0.0;
        if (taper > 0 && cx > 0) g *= std::exp(-0.5 * std::pow(m / (taper * cx), 2));
        if (taper > 0 && b.dim == 2 && cy > 0) g *= std::exp(-0.5 * std::pow(jj / (taper * cy), 2));
      }
  }
  void apply_many(const double* u, const std::vector<std::pair<int, int>>& orders, std::vector<solvers::rvec>& out) {
    fft_.forward(u, uh_.data());
    out.resize(orders.size());
    for (std::size_t q = 0; q < orders.size(); ++q) {
      for (int j = 0; j < ny_; ++j)
        for (int m = 0; m < nkx_; ++m) {
          const std::size_t k = static_cast<std::size_t>(j * nkx_ + m);
          wh_[k] = keep_[k] == 0.0 ? solvers::cdouble(0.0)
                                   : uh_[k] * solvers::derivative_symbol(kx_[static_cast<std::size_t>(m)],
                                                                         ky_[static_cast<std::size_t>(j)],
                                                                         orders[q].first, orders[q].second);
        }
      out[q].resize(fft_.points());
      fft_.inverse(wh_.data(), out[q].data());
    }
  }

 private:
  solvers::FftBox fft_;
  solvers::rvec kx_, ky_;
  int nkx_, ny_;
  std::vector<solvers::cdouble> uh_, wh_;
  std::vector<double> keep_;
};

// Jets of one trajectory: out[k] = [nt][ny][nx] values of jet k of `J`; `src(a)` gives component a's [nt][ny][nx].
std::vector<std::vector<double>> jets_of(const datasets::Split& d, int i, const SpatialJets& J,
                                         const std::function<const double*(int)>& src, int rows,
                                         const SystemPreprocessing& pre) {
  FilteredDerivative D(box_of(d, i), pre.cutoff_x, pre.cutoff_y);
  const std::size_t P = static_cast<std::size_t>(d.ny) * d.nx;
  std::vector<std::vector<double>> out(static_cast<std::size_t>(J.size()), std::vector<double>(P * rows));
  for (int a = 0; a < J.nc(); ++a) {
    std::vector<std::pair<int, int>> orders;
    std::vector<int> ks;
    for (int k = 0; k < J.size(); ++k)
      if (J.comp(k) == a) {
        orders.push_back({J.jx(k), J.jy(k)});
        ks.push_back(k);
      }
    std::vector<solvers::rvec> res;
    for (int r = 0; r < rows; ++r) {
      D.apply_many(src(a) + static_cast<std::size_t>(r) * P, orders, res);
      for (std::size_t q = 0; q < ks.size(); ++q)
        std::copy(res[q].begin(), res[q].end(), out[static_cast<std::size_t>(ks[q])].begin() + static_cast<long>(r * P));
    }
  }
  return out;
}

// Bump kernel K(s) = (1 - s^2)^8 at offsets -W..W normalised to sum 1, and the weights giving the kernel-smoothed
// first and second time derivatives by integration by parts: sum K f' = -sum K' f, sum K f'' = sum K'' f.
struct Kernel {
  std::vector<double> w, d1, d2;
  Kernel(int W, double dt) {
    const int q = 8;
    double z = 0;
    for (int o = -W; o <= W; ++o) {
      const double s = static_cast<double>(o) / W, g = 1.0 - s * s;
      w.push_back(std::pow(g, q));
      d1.push_back(-q * std::pow(g, q - 1) * (-2.0 * s) / (W * dt));
      d2.push_back((q * (q - 1) * std::pow(g, q - 2) * 4.0 * s * s - 2.0 * q * std::pow(g, q - 1)) / (W * dt * W * dt));
      z += w.back();
    }
    for (auto* v : {&w, &d1, &d2})
      for (double& x : *v) x /= z;
  }
};

const double* component(const datasets::Split& d, int i, int a) {
  return d.traj(i) + static_cast<std::size_t>(a) * d.nt * d.ny * d.nx;
}

// Time derivative of order `o` (1 or 2) of component a at (row, point) by the 8th-order central difference.
double time_derivative(const datasets::Split& d, int i, int a, int row, std::size_t point, int o) {
  const std::size_t P = static_cast<std::size_t>(d.ny) * d.nx;
  const double* u = component(d, i, a);
  const double h = traj_dt(d, i);
  double s = 0;
  for (int q = -4; q <= 4; ++q) s += (o == 1 ? kD1 : kD2)[q + 4] * u[static_cast<std::size_t>(row + q) * P + point];
  return o == 1 ? s / h : s / (h * h);
}

// Monomials of total degree <= deg in nv variables, constant first, by degree.
std::vector<std::vector<int>> monomials(int nv, int deg) {
  std::vector<std::vector<int>> out;
  std::vector<int> p(static_cast<std::size_t>(nv), 0);
  for (int d = 0; d <= deg; ++d) {
    std::function<void(int, int)> rec = [&](int v, int left) {
      if (v == nv - 1) {
        p[static_cast<std::size_t>(v)] = left;
        out.push_back(p);
        return;
      }
      for (int e = left; e >= 0; --e) {
        p[static_cast<std::size_t>(v)] = e;
        rec(v + 1, left - e);
      }
    };
    rec(0, d);
  }
  return out;
}

int share(int total, int n, int i) { return total / n + (i < total % n ? 1 : 0); }

}  // namespace

std::string jet_term_name(const SpatialJets& J, const std::vector<int>& powers) {
  std::string s;
  for (int k = 0; k < J.size(); ++k) {
    const int p = powers[static_cast<std::size_t>(k)];
    if (p == 0) continue;
    s += (s.empty() ? "" : "*") + J.name(k) + (p > 1 ? "^" + std::to_string(p) : "");
  }
  return s.empty() ? "1" : s;
}

double SystemIdentification::residual() const {
  return residuals.empty() ? 0.0 : *std::max_element(residuals.begin(), residuals.end());
}
double SystemIdentification::library_residual() const {
  return library_residuals.empty() ? 0.0 : *std::max_element(library_residuals.begin(), library_residuals.end());
}
std::vector<std::string> SystemIdentification::term_names() const {
  std::vector<std::string> n;
  for (int a = 0; a < eq.jets.nc(); ++a)
    for (const auto& t : eq.rhs[static_cast<std::size_t>(a)])
      n.push_back(eq.jets.names()[static_cast<std::size_t>(a)] + (eq.time_order == 2 ? "_tt: " : "_t: ") +
                  jet_term_name(eq.jets, t.powers));
  return n;
}

SystemPreprocessing choose_system_preprocessing(const datasets::Split& d) {
  SystemPreprocessing pre;
  // Time-averaged power spectra along x and (2-D) y over all lines of all components and trajectories; the noise
  // floor is the median power of the top 30% of the x modes (white noise of variance s^2: nx s^2 per mode).
  auto spectrum = [&](bool along_y, int len) {
    solvers::Fft1d fft(len);
    solvers::cvec uh(static_cast<std::size_t>(len / 2 + 1));
    std::vector<double> P(uh.size(), 0.0), line(static_cast<std::size_t>(len));
    const std::size_t plane = static_cast<std::size_t>(d.ny) * d.nx, planes = d.u.size() / plane;
    std::size_t lines = 0;
    for (std::size_t p = 0; p < planes; ++p) {
      const int count = along_y ? d.nx : d.ny;
      for (int l = 0; l < count; ++l, ++lines) {
        for (int q = 0; q < len; ++q)
          line[static_cast<std::size_t>(q)] =
              along_y ? d.u[p * plane + static_cast<std::size_t>(q) * d.nx + l] : d.u[p * plane + static_cast<std::size_t>(l) * d.nx + q];
        fft.forward(line.data(), uh.data());
        for (std::size_t m = 0; m < uh.size(); ++m) P[m] += std::norm(uh[m]);
      }
    }
    for (double& v : P) v /= static_cast<double>(std::max<std::size_t>(lines, 1));
    return P;
  };
  auto floor_of = [](const std::vector<double>& P) {
    const int nk = static_cast<int>(P.size());
    std::vector<double> top(P.begin() + static_cast<int>(0.7 * (nk - 1)), P.begin() + (nk - 1));
    if (top.empty()) return 0.0;
    std::nth_element(top.begin(), top.begin() + static_cast<long>(top.size() / 2), top.end());
    return top[top.size() / 2];
  };
  auto cutoff = [](const std::vector<double>& P, double floor) {
    int mc = 1;
    for (int m = 1; m + 1 < static_cast<int>(P.size()); ++m)
      if (P[static_cast<std::size_t>(m)] > 4.0 * floor) mc = m;
    return mc;
  };
  const std::vector<double> Px = spectrum(false, d.nx);
  double sum = 0, sum2 = 0;
  for (double v : d.u) {
    sum += v;
    sum2 += v * v;
  }
  const double N = static_cast<double>(d.u.size());
  const double var = std::max(0.0, sum2 / N - (sum / N) * (sum / N));
  const double fx = floor_of(Px);
  pre.noise_rel = var > 0 ? std::sqrt(fx / d.nx) / std::sqrt(var) : 0.0;
  if (pre.noise_rel <= 1e-6) return pre;
  pre.weak = true;
  pre.cutoff_x = cutoff(Px, fx);
  if (d.dim == 2) {
    const std::vector<double> Py = spectrum(true, d.ny);
    pre.cutoff_y = cutoff(Py, floor_of(Py));
  }
  pre.t_halfwidth = std::max(4, (d.nt - 1) / 5);
  return pre;
}

SystemIdentification identify_system(const datasets::Split& d, const IdentifyOptions& opt) {
  d.validate("identification");
  PDESYM_REQUIRE(d.nt >= 9, "split '" << d.name << "': need at least 9 stored time steps, got " << d.nt);
  PDESYM_REQUIRE(opt.time_order == 1 || (opt.time_order == 2 && d.nc == 1),
                 "a second-order equation in time (u_tt = F) needs one component, the data have " << d.nc);
  PDESYM_REQUIRE(opt.max_samples >= 10, "identification needs at least 10 samples, got " << opt.max_samples);
  const int order = d.dim == 2 ? opt.max_order_2d : opt.max_order;
  const SystemPreprocessing pre = choose_system_preprocessing(d);
  PDESYM_REQUIRE(!pre.weak || opt.time_order == 1 || d.nt >= 2 * pre.t_halfwidth + 1,
                 "split '" << d.name << "': too few time levels for the noisy-data regime");
  const SpatialJets J(d.dim, d.nc, order, d.components);
  const auto lib = monomials(J.size(), opt.max_degree);
  const int p = static_cast<int>(lib.size());
  const int N = opt.max_samples;
  const std::size_t P = static_cast<std::size_t>(d.ny) * d.nx;

  RegressionData reg;
  reg.theta.resize(N, p);
  reg.traj.assign(static_cast<std::size_t>(N), 0);
  reg.row.assign(static_cast<std::size_t>(N), 0);
  Eigen::MatrixXd Y(N, d.nc);
  int row0 = 0;
  std::vector<double> jet(static_cast<std::size_t>(J.size()));
  for (int i = 0; i < d.n; ++i) {
    const int ni = share(N, d.n, i);
    if (ni == 0) continue;
    const auto jets = jets_of(d, i, J, [&](int a) { return component(d, i, a); }, d.nt, pre);
    Rng rng(opt.seed, 0x2d1, static_cast<std::uint64_t>(i));
    const int W = pre.weak ? pre.t_halfwidth : 0;
    const Kernel K(std::max(W, 1), traj_dt(d, i));
    auto term = [&](int c, std::size_t at) {
      double v = 1;
      for (int k = 0; k < J.size(); ++k)
        for (int q = 0; q < lib[static_cast<std::size_t>(c)][static_cast<std::size_t>(k)]; ++q)
          v *= jets[static_cast<std::size_t>(k)][at];
      return v;
    };
    std::vector<std::size_t> ats(static_cast<std::size_t>(ni));
    for (int s = 0; s < ni; ++s) {
      const int row = pre.weak ? static_cast<int>(rng.uniform_int(W, d.nt - 1 - W)) : static_cast<int>(rng.uniform_int(4, d.nt - 5));
      const std::size_t pt = static_cast<std::size_t>(rng.uniform_int(0, static_cast<long>(P) - 1));
      ats[static_cast<std::size_t>(s)] = static_cast<std::size_t>(row) * P + pt;
      reg.traj[static_cast<std::size_t>(row0 + s)] = i;
      reg.row[static_cast<std::size_t>(row0 + s)] = row;
      if (pre.weak) continue;
      for (int c = 0; c < p; ++c) reg.theta(row0 + s, c) = term(c, ats[static_cast<std::size_t>(s)]);
      for (int a = 0; a < d.nc; ++a) Y(row0 + s, a) = time_derivative(d, i, a, row, pt, opt.time_order);
    }
    if (pre.weak) {
      // Weak regime: every library term and the response are evaluated on whole levels, smoothed in space with a
      // Gaussian taper (a third of the cut-off) and in time with the kernel (its derivatives for the response).
      FilteredDerivative S(box_of(d, i), pre.cutoff_x, pre.cutoff_y, 1.0 / 3.0);
      std::vector<double> field(static_cast<std::size_t>(d.nt) * P), smooth(field.size());
      std::vector<solvers::rvec> res;
      auto smooth_levels = [&]() {
        for (int r = 0; r < d.nt; ++r) {
          S.apply_many(field.data() + static_cast<std::size_t>(r) * P, {{0, 0}}, res);
          std::copy(res[0].begin(), res[0].end(), smooth.begin() + static_cast<long>(static_cast<std::size_t>(r) * P));
        }
      };
      auto kernel_sum = [&](const std::vector<double>& w, std::size_t at) {
        double v = 0;
        for (int o = -W; o <= W; ++o)
          v += w[static_cast<std::size_t>(o + W)] * smooth[at + static_cast<std::size_t>(o + W) * P - static_cast<std::size_t>(W) * P];
        return v;
      };
      for (int c = 0; c < p; ++c) {
        for (std::size_t at = 0; at < field.size(); ++at) field[at] = term(c, at);
        smooth_levels();
        for (int s = 0; s < ni; ++s) reg.theta(row0 + s, c) = kernel_sum(K.w, ats[static_cast<std::size_t>(s)]);
      }
      for (int a = 0; a < d.nc; ++a) {
        field = jets[static_cast<std::size_t>(J.index(a, 0, 0))];
        smooth_levels();
        for (int s = 0; s < ni; ++s)
          Y(row0 + s, a) = kernel_sum(opt.time_order == 1 ? K.d1 : K.d2, ats[static_cast<std::size_t>(s)]);
      }
    }
    row0 += ni;
  }

  SystemIdentification out;
  out.pre = pre;
  out.eq.jets = J;
  out.eq.time_order = opt.time_order;
  out.samples = N;
  out.library_size = p;
  std::vector<std::vector<int>> supports;
  std::vector<std::vector<double>> coeffs;
  for (int a = 0; a < d.nc; ++a) {
    reg.y = Y.col(a);
    PDESYM_REQUIRE(reg.y.norm() > 0, "split '" << d.name << "': the time derivative of component "
                                               << d.components[static_cast<std::size_t>(a)] << " vanishes");
    const SparseFit fit = fit_sparse(reg, d, opt);
    supports.push_back(fit.support);
    coeffs.push_back(fit.coeffs);
    out.untied_residuals.push_back(fit.residual);
    out.library_residuals.push_back(fit.library_residual);
  }
  const TiedFit tied = tie_coefficients(reg.theta, Y, supports, coeffs, out.untied_residuals, opt);
  out.residuals = tied.residuals;
  out.tie_groups = tied.group;
  out.free_magnitudes = tied.groups;
  for (int a = 0; a < d.nc; ++a) {
    std::vector<SystemTerm> terms;
    const auto& sup = supports[static_cast<std::size_t>(a)];
    for (std::size_t j = 0; j < sup.size(); ++j)
      terms.push_back({tied.coeffs[static_cast<std::size_t>(a)][j], lib[static_cast<std::size_t>(sup[j])]});
    out.eq.rhs.push_back(terms);
  }
  return out;
}

Eigen::MatrixXd sample_system_points(const datasets::Split& d, const SystemCondition& cond, int time_order, int n,
                                     std::uint64_t seed, const SystemPreprocessing& pre) {
  const SpatialJets& F = cond.free_jets();
  PDESYM_REQUIRE(F.dim() == d.dim && F.nc() == d.nc, "sample points: the condition does not match the data");
  const std::size_t P = static_cast<std::size_t>(d.ny) * d.nx;
  Eigen::MatrixXd out(n, cond.point_size());
  int row0 = 0;
  for (int i = 0; i < d.n; ++i) {
    const int ni = share(n, d.n, i);
    if (ni == 0) continue;
    const auto jets = jets_of(d, i, F, [&](int a) { return component(d, i, a); }, d.nt, pre);
    std::vector<std::vector<double>> tjets;
    if (time_order == 2) {
      // Spatial jets of u_t (8th-order difference), on every level (edges left at zero, never sampled).
      std::vector<double> ut(static_cast<std::size_t>(d.nt) * P, 0.0);
      for (int r = 4; r < d.nt - 4; ++r)
        for (std::size_t q = 0; q < P; ++q) ut[static_cast<std::size_t>(r) * P + q] = time_derivative(d, i, 0, r, q, 1);
      const SpatialJets F0(F.dim(), 1, F.order(), {F.names()[0]});
      tjets = jets_of(d, i, F0, [&](int) { return ut.data(); }, d.nt, pre);
    }
    const double* x = d.x.data() + static_cast<std::size_t>(i) * d.nx;
    const double* y = d.y.data() + static_cast<std::size_t>(i) * d.ny;
    const double* t = d.t.data() + static_cast<std::size_t>(i) * d.nt;
    Rng rng(seed, 0x5a12, static_cast<std::uint64_t>(i));
    for (int s = 0; s < ni; ++s) {
      const int row = static_cast<int>(rng.uniform_int(4, d.nt - 5));
      const std::size_t pt = static_cast<std::size_t>(rng.uniform_int(0, static_cast<long>(P) - 1));
      const std::size_t at = static_cast<std::size_t>(row) * P + pt;
      int c = 0;
      out(row0 + s, c++) = x[pt % static_cast<std::size_t>(d.nx)];
      if (d.dim == 2) out(row0 + s, c++) = y[pt / static_cast<std::size_t>(d.nx)];
      out(row0 + s, c++) = t[row];
      for (int k = 0; k < F.size(); ++k) out(row0 + s, c++) = jets[static_cast<std::size_t>(k)][at];
      for (std::size_t k = 0; k < tjets.size(); ++k) out(row0 + s, c++) = tjets[k][at];
    }
    row0 += ni;
  }
  return out;
}

}  // namespace pdesym::symmetry
