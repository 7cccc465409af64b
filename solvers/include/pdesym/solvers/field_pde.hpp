#pragma once
// Physics of n-D, multi-component evolution equations  u_t = L u + N(u)  on a periodic Box (box.hpp), for
// u = (u_0, ..., u_{nc-1}) real components in d = 1 or 2 dimensions (a complex field is two components).
//
//   L: constant-coefficient linear operator, given per wavevector k = (kx, ky) as an nc x nc complex matrix
//      symbol L(k) (row a = equation of component a, column b = component b). It may couple components (NLS,
//      wave) and be complex (dispersive terms).
//   N: nonlinear part, evaluated pseudo-spectrally from all components' spectra and returned dealiased
//      (the workspace's Dealias: 2/3 rule in each direction by default; box.hpp): exactly zero on every mode
//      where the workspace's mask is 0 (ws.dropped), which the steppers rely on. Constant forcing belongs
//      to N (on kept modes).
//
// Time steppers (etdrk4.hpp) see only this interface (the exponax/Dedalus split: the stepper sees h, L, N).
// The 1-D scalar equations (pde.hpp: Pde, PolynomialPde) are FieldPdes with nc = 1 and dims {1}.
//
// Built-in equations (equation names for configs; coefficients with defaults):
//   heat2d          u_t = nu Lap u                                             nu = 0.01       dims {2}
//   nls             i psi_t + Lap psi + |psi|^2 psi = 0, psi = u + i v:        (none)          dims {1, 2}
//                   u_t = -Lap v - (u^2+v^2) v,  v_t = Lap u + (u^2+v^2) u
//   lambda_omega    u_t = d Lap u + lambda(A) u - omega(A) v,                  d = 0.1, beta = 1   dims {1, 2}
//                   v_t = d Lap v + omega(A) u + lambda(A) v,  A^2 = u^2+v^2, lambda = 1 - A^2, omega = -beta A^2
//   wave            u_tt = c^2 Lap u as the system (u, u_t): u_t' = u_t, (u_t)' = c^2 Lap u   c = 1   dims {1, 2}
//   navier_stokes   omega_t + (vel . grad) omega = nu Lap omega - mu omega + f,   dims {2}
//                   Lap psi = -omega, vel = (psi_y, -psi_x), Kolmogorov forcing f = A kf cos(kf y),
//                   kf = 2 pi n / Ly; nu = 0.01, forcing_amplitude A = 0, forcing_mode n = 4, drag mu = 0
//   ks2d            u_t + Lap u + Lap^2 u + (1/2)|grad u|^2 = 0                 (none)          dims {2}
//   custom          a system from the `pde:` block (system_pde.hpp), or the 1-D scalar schema of pde.hpp
// plus the 1-D scalar equations of pde.hpp (kdv, mkdv, burgers, ks, heat).
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "pdesym/common/config.hpp"
#include "pdesym/solvers/box.hpp"

namespace pdesym::solvers {

class FieldPde {
 public:
  virtual ~FieldPde() = default;
  /// Short name ("nls", "navier_stokes", "kdv", ...).
  virtual std::string name() const = 0;
  /// Human-readable equation text.
  virtual std::string equation() const = 0;
  /// Named coefficients (stored as HDF5 attributes).
  virtual std::map<std::string, double> coefficients() const = 0;
  /// Number of real components.
  virtual int nc() const = 0;
  /// Component names (nc of them): {"u"}, {"u", "v"}, {"u", "u_t"}, {"omega"}.
  virtual std::vector<std::string> component_names() const = 0;
  /// Space dimensions this equation is defined in (subset of {1, 2}).
  virtual std::vector<int> dims() const = 0;
  bool supports_dim(int d) const;
  /// L(kx, ky) as an nc x nc row-major complex matrix written to `L` (nc*nc entries). In 1-D ky = 0.
  virtual void linear_block(double kx, double ky, cdouble* L) const = 0;
  /// Whether L(k) is diagonal for every k (lets the stepper use scalar phi-functions per component).
  virtual bool linear_diagonal() const = 0;
  /// n_hat = dealiased spectrum of N(u) given u_hat; both [nc][nk] (component planes of ws.nk modes). n_hat
  /// may hold anything on entry. Uses the scratch of `ws` only.
  virtual void nonlinear(const cdouble* u_hat, cdouble* n_hat, SpectralWorkspace& ws) const = 0;
  /// nonlinear() for a u_hat the caller no longer needs (a stepper's scratch stage): u_hat may be overwritten,
  /// which lets an equation hand it to FFTW's c2r without a copy. n_hat must not alias u_hat. The result is
  /// bit-identical to nonlinear(u_hat, ...); the default simply calls it.
  virtual void nonlinear_consuming(cdouble* u_hat, cdouble* n_hat, SpectralWorkspace& ws) const {
    nonlinear(u_hat, n_hat, ws);
  }
  /// Whether N is identically zero (lets steppers skip work).
  virtual bool linear_only() const { return false; }
  /// Whether the spectral state is kept exactly that of a real, dealiased field: integrate() projects the
  /// initial state onto the dealiased modes (the dropped modes then stay exactly zero, since N is dealiased and
  /// L acts per wavevector), and the stepper restores after every step the symmetry c2r assumes
  /// (symmetrise_real_spectrum). Without this, round-off in what c2r does not see (a dropped mode, or the
  /// imaginary part of the k = 0 mode) grows wherever Re L > 0 there (lambda-omega's +u, 2-D KS rows at the
  /// Nyquist ky, where ky = 0) and eventually feeds back through N. True for field equations; the 1-D scalar
  /// Pde keeps the former behaviour (bit-identical datasets; its built-in symbols are <= 0 at k = 0 and Nyquist).
  virtual bool keeps_real_dealiased_state() const { return true; }
};

/// Builds the PDE of a generation config from its `equation`, `coefficients` and (for custom) `pde` keys.
/// Works for every equation name: the 1-D scalar ones (pde.hpp: kdv, mkdv, burgers, ks, heat, custom with the
/// scalar schema) and the field equations above (custom with the system schema of system_pde.hpp). Unknown
/// equations, unknown coefficient keys and bad values throw InputError naming the file and key.
std::unique_ptr<FieldPde> make_field_pde(const Config& cfg);

/// Equation names that need the n-D/system path (heat2d, nls, lambda_omega, wave, navier_stokes, ks2d).
/// "custom" is not among them: it is a field equation iff its `pde:` block uses the system schema; ask
/// is_field_config for a whole config.
std::vector<std::string> known_field_equations();
bool is_field_equation(const std::string& equation_name);
/// True if the config's equation is a field equation or a custom system (pde.components present).
bool is_field_config(const Config& cfg);

// Built-in field equations (see the table above).
std::unique_ptr<FieldPde> make_heat2d(double nu);
std::unique_ptr<FieldPde> make_nls();
std::unique_ptr<FieldPde> make_lambda_omega(double d, double beta);
std::unique_ptr<FieldPde> make_wave(double c);
std::unique_ptr<FieldPde> make_navier_stokes(double nu, double forcing_amplitude = 0.0, int forcing_mode = 4,
                                             double drag = 0.0);
std::unique_ptr<FieldPde> make_ks2d();

}  // namespace pdesym::solvers
