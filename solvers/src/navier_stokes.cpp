// 2-D incompressible Navier–Stokes in vorticity form (field_pde.hpp).
#include <cmath>
#include <sstream>

#include "pdesym/common/error.hpp"
#include "pdesym/solvers/field_pde.hpp"
#include "simd.hpp"
#include "text.hpp"

namespace pdesym::solvers {

namespace {

// The passes of N as free functions (the AVX2 clones of simd.hpp; virtual members cannot be cloned).
// Spectra of u = psi_y, v = -psi_x, omega_x, omega_y (psi_hat = omega_hat / |k|^2, 0 at k = 0) in one pass over
// the modes, on interleaved doubles (i z = (-Im z, Re z)).
PDESYM_SIMD_CLONES void ns_spectra(const double* __restrict w, const double* __restrict kxs, const double* __restrict kys,
                                   double* __restrict s0, double* __restrict s1, double* __restrict s2,
                                   double* __restrict s3, int nk) {
  for (int m = 0; m < nk; ++m) {
    const double kx = kxs[m], ky = kys[m], k2 = kx * kx + ky * ky;
    const double inv = k2 > 0 ? 1.0 / k2 : 0.0;
    const double wr = w[2 * m], wi = w[2 * m + 1];
    s0[2 * m] = -ky * inv * wi;
    s0[2 * m + 1] = ky * inv * wr;
    s1[2 * m] = kx * inv * wi;
    s1[2 * m + 1] = -kx * inv * wr;
    s2[2 * m] = -kx * wi;
    s2[2 * m + 1] = kx * wr;
    s3[2 * m] = -ky * wi;
    s3[2 * m + 1] = ky * wr;
  }
}

// acc = -(u wx + v wy) with each field f = raw * s (s: the inverse transform's 1/n, or 1.0 for scaled fields):
// per point the operations of scaling the fields in their own pass first (bit-identical).
PDESYM_SIMD_CLONES void ns_advection(const double* __restrict u, const double* __restrict v, const double* __restrict wx,
                                     const double* __restrict wy, double s, double* __restrict acc, int np) {
  for (int j = 0; j < np; ++j) acc[j] = -((u[j] * s) * (wx[j] * s) + (v[j] * s) * (wy[j] * s));
}

// n_hat = mask * z per mode (real mask times each part, as mask * std::complex).
PDESYM_SIMD_CLONES void masked_copy(const double* __restrict mask, const double* __restrict z, double* __restrict o, int nk) {
  for (int m = 0; m < nk; ++m) {
    o[2 * m] = z[2 * m] * mask[m];
    o[2 * m + 1] = z[2 * m + 1] * mask[m];
  }
}

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
    // Spectra of u = psi_y, v = -psi_x, omega_x, omega_y in one pass, then 4 c2r (the spectra are scratch: on the
    // unpadded grid FFTW may destroy them, and the 1/n goes into the product pass).
    cdouble* sp[4] = {ws.spectral(0), ws.spectral(1), ws.spectral(2), ws.spectral(3)};
    double* ph[4] = {ws.real(0), ws.real(1), ws.real(2), ws.real(3)};
    auto D = [](cdouble* z) { return reinterpret_cast<double*>(z); };
    ns_spectra(reinterpret_cast<const double*>(w_hat), ws.kx.data(), ws.ky.data(), D(sp[0]), D(sp[1]), D(sp[2]),
               D(sp[3]), nk);
    const bool raw = !ws.fft.padded();
    for (int p = 0; p < 4; ++p) {
      if (raw) ws.fft.inverse_unscaled_destroy(sp[p], ph[p]);
      else ws.fft.inverse(sp[p], ph[p]);
    }
    double* acc = ws.u.data();
    ns_advection(ph[0], ph[1], ph[2], ph[3], raw ? 1.0 / static_cast<double>(np) : 1.0, acc, np);
    cdouble* s = sp[0];
    ws.fft.forward_low(acc, s);  // masked below: the kept columns suffice
    masked_copy(ws.mask.data(), D(s), reinterpret_cast<double*>(n_hat), nk);
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
