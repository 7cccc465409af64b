// Identification of systems and second-order equations in 1 or 2 space dimensions, and sample points for their
// symmetry condition (system.hpp).
#include <algorithm>
#include <cmath>
#include <functional>

#include "pdesym/common/error.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/solvers/box.hpp"
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

// Jets of one trajectory: out[k] = [nt][ny][nx] values of jet k of `J`; `src(a)` gives component a's [nt][ny][nx].
std::vector<std::vector<double>> jets_of(const datasets::Split& d, int i, const SpatialJets& J,
                                         const std::function<const double*(int)>& src, int rows) {
  solvers::BoxDerivative D(box_of(d, i));
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

SystemIdentification identify_system(const datasets::Split& d, const IdentifyOptions& opt) {
  d.validate("identification");
  PDESYM_REQUIRE(d.nt >= 9, "split '" << d.name << "': need at least 9 stored time steps, got " << d.nt);
  PDESYM_REQUIRE(opt.time_order == 1 || (opt.time_order == 2 && d.nc == 1),
                 "a second-order equation in time (u_tt = F) needs one component, the data have " << d.nc);
  PDESYM_REQUIRE(opt.max_samples >= 10, "identification needs at least 10 samples, got " << opt.max_samples);
  const int order = d.dim == 2 ? opt.max_order_2d : opt.max_order;
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
    const auto jets = jets_of(d, i, J, [&](int a) { return component(d, i, a); }, d.nt);
    Rng rng(opt.seed, 0x2d1, static_cast<std::uint64_t>(i));
    for (int s = 0; s < ni; ++s) {
      const int row = static_cast<int>(rng.uniform_int(4, d.nt - 5));
      const std::size_t pt = static_cast<std::size_t>(rng.uniform_int(0, static_cast<long>(P) - 1));
      const std::size_t at = static_cast<std::size_t>(row) * P + pt;
      for (int k = 0; k < J.size(); ++k) jet[static_cast<std::size_t>(k)] = jets[static_cast<std::size_t>(k)][at];
      for (int c = 0; c < p; ++c) {
        double v = 1;
        for (int k = 0; k < J.size(); ++k)
          for (int q = 0; q < lib[static_cast<std::size_t>(c)][static_cast<std::size_t>(k)]; ++q) v *= jet[static_cast<std::size_t>(k)];
        reg.theta(row0 + s, c) = v;
      }
      for (int a = 0; a < d.nc; ++a) Y(row0 + s, a) = time_derivative(d, i, a, row, pt, opt.time_order);
      reg.traj[static_cast<std::size_t>(row0 + s)] = i;
      reg.row[static_cast<std::size_t>(row0 + s)] = row;
    }
    row0 += ni;
  }

  SystemIdentification out;
  out.eq.jets = J;
  out.eq.time_order = opt.time_order;
  out.samples = N;
  out.library_size = p;
  for (int a = 0; a < d.nc; ++a) {
    reg.y = Y.col(a);
    PDESYM_REQUIRE(reg.y.norm() > 0, "split '" << d.name << "': the time derivative of component "
                                               << d.components[static_cast<std::size_t>(a)] << " vanishes");
    const SparseFit fit = fit_sparse(reg, d, opt);
    std::vector<SystemTerm> terms;
    for (std::size_t j = 0; j < fit.support.size(); ++j)
      terms.push_back({fit.coeffs[j], lib[static_cast<std::size_t>(fit.support[j])]});
    out.eq.rhs.push_back(terms);
    out.residuals.push_back(fit.residual);
    out.library_residuals.push_back(fit.library_residual);
  }
  return out;
}

Eigen::MatrixXd sample_system_points(const datasets::Split& d, const SystemCondition& cond, int time_order, int n,
                                     std::uint64_t seed) {
  const SpatialJets& F = cond.free_jets();
  PDESYM_REQUIRE(F.dim() == d.dim && F.nc() == d.nc, "sample points: the condition does not match the data");
  const std::size_t P = static_cast<std::size_t>(d.ny) * d.nx;
  Eigen::MatrixXd out(n, cond.point_size());
  int row0 = 0;
  for (int i = 0; i < d.n; ++i) {
    const int ni = share(n, d.n, i);
    if (ni == 0) continue;
    const auto jets = jets_of(d, i, F, [&](int a) { return component(d, i, a); }, d.nt);
    std::vector<std::vector<double>> tjets;
    if (time_order == 2) {
      // Spatial jets of u_t (8th-order difference), on every level (edges left at zero, never sampled).
      std::vector<double> ut(static_cast<std::size_t>(d.nt) * P, 0.0);
      for (int r = 4; r < d.nt - 4; ++r)
        for (std::size_t q = 0; q < P; ++q) ut[static_cast<std::size_t>(r) * P + q] = time_derivative(d, i, 0, r, q, 1);
      const SpatialJets F0(F.dim(), 1, F.order(), {F.names()[0]});
      tjets = jets_of(d, i, F0, [&](int) { return ut.data(); }, d.nt);
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
