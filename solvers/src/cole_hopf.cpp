#include "pdesym/solvers/cole_hopf.hpp"

#include <cmath>
#include <sstream>

#include "pdesym/common/error.hpp"

namespace pdesym::solvers {

namespace {
void map_row(const double* psi, double* u, SpectralDerivative& d, double nu, rvec& psi_x, int level) {
  const int nx = d.grid().nx;
  for (int j = 0; j < nx; ++j)
    PDESYM_REQUIRE(std::isfinite(psi[j]) && psi[j] > 0,
                   "Cole-Hopf map needs a positive heat solution psi, but psi = "
                       << psi[j] << " at point " << j << (level >= 0 ? " of time level " + std::to_string(level) : ""));
  d.apply(psi, psi_x.data(), 1);
  for (int j = 0; j < nx; ++j) u[j] = -2.0 * nu * psi_x[j] / psi[j];
}
}  // namespace

rvec cole_hopf(const rvec& psi, const Grid& g, double nu) {
  PDESYM_REQUIRE(static_cast<int>(psi.size()) == g.nx, "Cole-Hopf map: psi has " << psi.size() << " values for a grid of "
                                                                                 << g.nx);
  SpectralDerivative d(g);
  rvec u(psi.size()), psi_x(psi.size());
  map_row(psi.data(), u.data(), d, nu, psi_x, -1);
  return u;
}

void cole_hopf_in_place(Field& psi, double nu) {
  PDESYM_REQUIRE(psi.dim() == 1 && psi.nc() == 1,
                 "Cole-Hopf map needs a 1-D scalar heat solution, got " << psi.shape.describe());
  SpectralDerivative d(Grid(psi.nx(), psi.Lx()));
  rvec u(static_cast<std::size_t>(psi.nx())), psi_x(u.size());
  for (int n = 0; n < psi.nt(); ++n) {
    map_row(psi.row(n), u.data(), d, nu, psi_x, n);
    std::copy(u.begin(), u.end(), psi.row(n));
  }
}

}  // namespace pdesym::solvers
