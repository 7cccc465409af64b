// 2-D incompressible Navier–Stokes in vorticity form (field_pde.hpp).
#include <cmath>
#include <sstream>

#include "pdesym/common/error.hpp"
#include "pdesym/solvers/field_pde.hpp"
#include "text.hpp"

namespace pdesym::solvers {

namespace {

/// 2-D incompressible Navier–Stokes in vorticity form (see field_pde.hpp). N = -(vel . grad) omega + f with
/// psi_hat = omega_hat / |k|^2 (0 at k = 0), vel = (psi_y, -psi_x): four c2r and one r2c per evaluation.
class NavierStokes : public FieldPde {
 public:
  NavierStokes(double nu, double A, int mode, double drag) : nu_(nu), A_(A), mode_(mode), drag_(drag) {}
  std::string name() const override { return "navier_stokes"; }
  std::string equation() const override {
    return "omega_t + u*omega_x + v*omega_y = " + num(nu_) + "*(omega_xx + omega_yy) - " + num(drag_) +
           "*omega + " + num(A_) + "*kf*cos(kf*y), kf = 2*pi*" + std::to_string(mode_) +
           "/Ly, psi_xx + psi_yy = -omega, (u, v) = (psi_y, -psi_x)";
  }
  std::map<std::string, double> coefficients() const override {
    return {{"nu", nu_}, {"forcing_amplitude", A_}, {"forcing_mode", mode_}, {"drag", drag_}};
  }
  int nc() const override { return 1; }
  std::vector<std::string> component_names() const override { return {"omega"}; }
  std::vector<int> dims() const override { return {2}; }
  void linear_block(double kx, double ky, cdouble* L) const override { L[0] = -nu_ * (kx * kx + ky * ky) - drag_; }
  bool linear_diagonal() const override { return true; }
  void nonlinear(const cdouble* w_hat, cdouble* n_hat, SpectralWorkspace& ws) const override {
    const int nk = ws.nk, np = ws.n;
    // Spectra of u = psi_y, v = -psi_x, omega_x, omega_y in one pass (i z = (-Im z, Re z)), then 4 c2r.
    cdouble* sp[4] = {ws.spectral(0), ws.spectral(1), ws.spectral(2), ws.spectral(3)};
    double* ph[4] = {ws.real(0), ws.real(1), ws.real(2), ws.real(3)};
    for (int m = 0; m < nk; ++m) {
      const double kx = ws.kx[m], ky = ws.ky[m], k2 = kx * kx + ky * ky;
      const double inv = k2 > 0 ? 1.0 / k2 : 0.0;
      const double wr = w_hat[m].real(), wi = w_hat[m].imag();
      sp[0][m] = cdouble(-ky * inv * wi, ky * inv * wr);
      sp[1][m] = cdouble(kx * inv * wi, -kx * inv * wr);
      sp[2][m] = cdouble(-kx * wi, kx * wr);
      sp[3][m] = cdouble(-ky * wi, ky * wr);
    }
    for (int p = 0; p < 4; ++p) ws.fft.inverse(sp[p], ph[p]);
    double* __restrict acc = ws.u.data();
    const double *__restrict u = ph[0], *__restrict v = ph[1], *__restrict wx = ph[2], *__restrict wy = ph[3];
    for (int j = 0; j < np; ++j) acc[j] = -(u[j] * wx[j] + v[j] * wy[j]);
    cdouble* s = sp[0];
    ws.fft.forward(acc, s);
    for (int m = 0; m < nk; ++m) n_hat[m] = ws.mask[m] * s[m];
    if (A_ != 0.0) {
      const Box& b = ws.box;
      PDESYM_REQUIRE(mode_ < b.ny && ws.mask[static_cast<std::size_t>(mode_) * b.nkx()] != 0.0,
                     "navier_stokes: forcing_mode " << mode_ << " is dealiased away on ny = " << b.ny << " (dealias "
                                                    << dealias_name(ws.dealias) << ")");
      const double kf = 2.0 * M_PI * mode_ / b.Ly;
      // f = A kf cos(kf y): unnormalised DFT = A kf (nx ny / 2) at (ky = +-kf, kx = 0).
      const double amp = A_ * kf * 0.5 * static_cast<double>(b.points());
      n_hat[static_cast<std::size_t>(mode_) * b.nkx()] += amp;
      n_hat[static_cast<std::size_t>(b.ny - mode_) * b.nkx()] += amp;
    }
  }

 private:
  double nu_, A_;
  int mode_;
  double drag_;
};

}  // namespace

std::unique_ptr<FieldPde> make_navier_stokes(double nu, double forcing_amplitude, int forcing_mode, double drag) {
  PDESYM_REQUIRE(nu > 0 && std::isfinite(nu), "navier_stokes viscosity nu must be positive, got " << nu);
  PDESYM_REQUIRE(std::isfinite(forcing_amplitude), "navier_stokes forcing_amplitude must be finite");
  PDESYM_REQUIRE(forcing_mode >= 1, "navier_stokes forcing_mode must be >= 1, got " << forcing_mode);
  PDESYM_REQUIRE(drag >= 0 && std::isfinite(drag), "navier_stokes drag must be >= 0, got " << drag);
  return std::make_unique<NavierStokes>(nu, forcing_amplitude, forcing_mode, drag);
}

}  // namespace pdesym::solvers
