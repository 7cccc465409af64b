#pragma once
// ETDRK4 (Cox & Matthews 2002) with phi-functions evaluated by a contour mean (Kassam & Trefethen 2005).
// Coefficients are kept complex, so imaginary linear operators (KdV: L(k) = i k^3) are handled exactly.
#include <string>
#include <vector>

#include "pdesym/solvers/pde.hpp"

namespace pdesym::solvers {

struct Etdrk4Options {
  int contour_points = 32;      ///< points on the full circle around each h*L(k)
  double contour_radius = 1.0;  ///< radius of that circle
};

class Etdrk4 {
 public:
  Etdrk4(const Pde& pde, const Grid& grid, double h, Etdrk4Options opt = {});
  double h() const { return h_; }
  const Grid& grid() const { return ws_.grid; }
  /// Advances u_hat (size nk) by one step of size h.
  void step(cvec& u_hat);
  /// Coefficient access for tests: E = exp(hL), Q = h*phi_1(hL/2)/2, f1..f3 the Kassam–Trefethen weights.
  const cvec& E() const { return E_; }
  const cvec& Q() const { return Q_; }
  const cvec& f1() const { return f1_; }
  const cvec& f2() const { return f2_; }
  const cvec& f3() const { return f3_; }

 private:
  const Pde& pde_;
  SpectralWorkspace ws_;
  double h_;
  cvec E_, E2_, Q_, f1_, f2_, f3_;
  cvec Nv_, a_, Na_, b_, Nb_, c_, Nc_;
};

/// A trajectory u(t_n, x_j) stored row-major [nt][nx], t_0 = 0.
struct Trajectory {
  int nt = 0, nx = 0;
  double L = 0, T = 0;
  rvec t, x, u;
  double dt() const { return nt > 1 ? t[1] - t[0] : 0.0; }
  double dx() const { return L / nx; }
  double at(int n, int j) const { return u[static_cast<std::size_t>(n) * nx + j]; }
  const double* row(int n) const { return u.data() + static_cast<std::size_t>(n) * nx; }
};

struct IntegrateOptions {
  double dt_max = 0.01;      ///< largest internal step; the step is dt_out / ceil(dt_out / dt_max)
  Etdrk4Options etd;
  std::string label = "trajectory";  ///< named in blow-up errors
};

/// Integrates u_t = L u + N(u) from u0 (size grid.nx) and stores nt snapshots at t = n*T/(nt-1).
/// Throws BlowUpError naming `opt.label` and the time if the solution stops being finite.
Trajectory integrate(const Pde& pde, const Grid& grid, const rvec& u0, double T, int nt,
                     const IntegrateOptions& opt = {});

}  // namespace pdesym::solvers
