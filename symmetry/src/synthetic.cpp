#include "pdesym/symmetry/synthetic.hpp"

#include <cmath>

#include "pdesym/common/error.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/solvers/etdrk4.hpp"
#include "pdesym/solvers/field_ic.hpp"

namespace pdesym::symmetry {

datasets::Split simulate_split(const solvers::Pde& pde, const SimulateOptions& opt) {
  PDESYM_REQUIRE(opt.n >= 1 && opt.nt >= 2 && opt.T > 0 && opt.t_skip >= 0,
                 "simulate_split: need n >= 1, nt >= 2, T > 0, t_skip >= 0");
  const solvers::Grid g(opt.nx, opt.L);
  datasets::Split s;
  s.name = opt.name;
  s.n = opt.n;
  s.nt = opt.nt;
  s.nx = opt.nx;
  const std::size_t per = static_cast<std::size_t>(opt.nt) * opt.nx;
  s.u.resize(per * opt.n);
  s.x.resize(static_cast<std::size_t>(opt.n) * opt.nx);
  s.t.resize(static_cast<std::size_t>(opt.n) * opt.nt);
  s.dx.assign(static_cast<std::size_t>(opt.n), g.dx());
  s.dt.assign(static_cast<std::size_t>(opt.n), opt.T / (opt.nt - 1));
  const solvers::rvec x = g.x();
  for (int i = 0; i < opt.n; ++i) {
    Rng rng(opt.seed, 0x517, static_cast<std::uint64_t>(i));
    solvers::rvec u0 = opt.ic.sample(g, rng);
    if (opt.mean_spread > 0) {
      const double c = rng.uniform(-opt.mean_spread, opt.mean_spread);
      for (double& v : u0) v += c;
    }
    solvers::IntegrateOptions io;
    io.dt_max = opt.dt_max;
    io.label = pde.name() + " trajectory " + std::to_string(i);
    if (opt.t_skip > 0) {
      const Field pre = solvers::integrate(pde, g, u0, opt.t_skip, 2, io);
      u0.assign(pre.row(1), pre.row(1) + opt.nx);
    }
    const Field tr = solvers::integrate(pde, g, u0, opt.T, opt.nt, io);
    std::copy(tr.data.begin(), tr.data.end(), s.u.begin() + static_cast<long>(per * i));
    std::copy(x.begin(), x.end(), s.x.begin() + static_cast<long>(i) * opt.nx);
    for (int n = 0; n < opt.nt; ++n) s.t[static_cast<std::size_t>(i) * opt.nt + n] = tr.t[static_cast<std::size_t>(n)];
  }
  return s;
}

datasets::Split simulate_field_split(const solvers::FieldPde& pde, const FieldSimulateOptions& opt) {
  PDESYM_REQUIRE(opt.n >= 1 && opt.nt >= 2 && opt.T > 0, "simulate_field_split: need n >= 1, nt >= 2, T > 0");
  opt.box.validate();
  std::vector<int> keep = opt.keep;
  if (keep.empty())
    for (int a = 0; a < pde.nc(); ++a) keep.push_back(a);
  solvers::FieldIc ic;
  ic.type = solvers::FieldIc::Type::random_modes;
  ic.amplitude = opt.amplitude;
  ic.k_min = opt.k_min;
  ic.k_max = opt.k_max;
  ic.nc = pde.nc();
  ic.zero.assign(static_cast<std::size_t>(pde.nc()), false);
  datasets::Split s;
  s.name = opt.name;
  std::vector<std::string> names;
  const auto all = pde.component_names();
  for (int a : keep) names.push_back(all[static_cast<std::size_t>(a)]);
  s.resize(opt.n, FieldShape{opt.box.dim, static_cast<int>(keep.size()), opt.nt, opt.box.ny, opt.box.nx}, names);
  for (int i = 0; i < opt.n; ++i) {
    Rng rng(opt.seed, 0x518, static_cast<std::uint64_t>(i));
    const std::vector<double> u0 = ic.sample(opt.box, rng);
    solvers::IntegrateOptions io;
    io.dt_max = opt.dt_max;
    io.label = pde.name() + " trajectory " + std::to_string(i);
    const Field tr = solvers::integrate(pde, opt.box, u0, opt.T, opt.nt, io);
    Field f(FieldShape{opt.box.dim, static_cast<int>(keep.size()), opt.nt, opt.box.ny, opt.box.nx}, tr.dx, tr.dy,
            tr.dt, tr.t.empty() ? 0.0 : tr.t[0]);
    f.components = names;
    f.x = tr.x;
    f.y = tr.y;
    f.t = tr.t;
    for (std::size_t k = 0; k < keep.size(); ++k)
      std::copy(tr.component(keep[k]), tr.component(keep[k]) + tr.shape.component_size(), f.component(static_cast<int>(k)));
    s.set_field(i, f, "simulate_field_split");
  }
  return s;
}

double add_noise(datasets::Split& data, double rel, std::uint64_t seed) {
  PDESYM_REQUIRE(rel >= 0 && std::isfinite(rel), "noise level must be >= 0, got " << rel);
  if (rel == 0 || data.u.empty()) return 0.0;
  double sum = 0, sum2 = 0;
  for (double v : data.u) {
    sum += v;
    sum2 += v * v;
  }
  const double N = static_cast<double>(data.u.size());
  const double sd = std::sqrt(std::max(0.0, sum2 / N - (sum / N) * (sum / N)));
  const double sigma = rel * sd;
  const std::size_t per = data.traj_size();
  for (int i = 0; i < data.n; ++i) {
    Rng rng(seed, 0x2013e, static_cast<std::uint64_t>(i));
    double* u = data.traj(i);
    for (std::size_t k = 0; k < per; ++k) u[k] += sigma * rng.normal();
  }
  return sigma;
}

}  // namespace pdesym::symmetry
