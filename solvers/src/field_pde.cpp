// FieldPde registry: built-in field equations and make_field_pde (config parsing).
#include "pdesym/solvers/field_pde.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "pdesym/common/error.hpp"
#include "pdesym/solvers/pde.hpp"
#include "pdesym/solvers/system_pde.hpp"

namespace pdesym::solvers {

bool FieldPde::supports_dim(int d) const {
  const auto ds = dims();
  return std::find(ds.begin(), ds.end(), d) != ds.end();
}

namespace {

std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
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
      PDESYM_REQUIRE(3 * mode_ <= b.ny, "navier_stokes: forcing_mode " << mode_ << " is dealiased away on ny = " << b.ny);
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

std::unique_ptr<FieldPde> make_heat2d(double nu) {
  PDESYM_REQUIRE(nu > 0, "heat2d diffusivity nu must be positive, got " << nu);
  return std::make_unique<PolynomialSystem>("heat2d", std::vector<std::string>{"u"},
                                            std::vector<LinearTerm>{{0, 0, 2, 0, nu}, {0, 0, 0, 2, nu}},
                                            std::vector<ProductTerm>{}, std::map<std::string, double>{{"nu", nu}},
                                            "u_t = " + num(nu) + "*(u_xx + u_yy)", std::vector<int>{2});
}

std::unique_ptr<FieldPde> make_nls() {
  const Factor u{0, 0, 0}, v{1, 0, 0};
  std::vector<LinearTerm> lin = {{0, 1, 2, 0, -1.0}, {0, 1, 0, 2, -1.0}, {1, 0, 2, 0, 1.0}, {1, 0, 0, 2, 1.0}};
  std::vector<ProductTerm> nl = {{0, -1.0, {u, u, v}, 0, 0}, {0, -1.0, {v, v, v}, 0, 0},
                                 {1, 1.0, {u, u, u}, 0, 0},  {1, 1.0, {u, v, v}, 0, 0}};
  return std::make_unique<PolynomialSystem>(
      "nls", std::vector<std::string>{"u", "v"}, lin, nl, std::map<std::string, double>{},
      "i psi_t + Lap psi + |psi|^2 psi = 0, psi = u + i v: u_t = -Lap v - (u^2 + v^2) v, v_t = Lap u + (u^2 + v^2) u",
      std::vector<int>{1, 2});
}

std::unique_ptr<FieldPde> make_lambda_omega(double d, double beta) {
  PDESYM_REQUIRE(d > 0, "lambda_omega diffusivity d must be positive, got " << d);
  const Factor u{0, 0, 0}, v{1, 0, 0};
  std::vector<LinearTerm> lin = {{0, 0, 2, 0, d}, {0, 0, 0, 2, d}, {0, 0, 0, 0, 1.0},
                                 {1, 1, 2, 0, d}, {1, 1, 0, 2, d}, {1, 1, 0, 0, 1.0}};
  // u_t = d Lap u + (1 - A^2) u + beta A^2 v,  v_t = d Lap v - beta A^2 u + (1 - A^2) v.
  std::vector<ProductTerm> nl = {{0, -1.0, {u, u, u}, 0, 0},   {0, -1.0, {u, v, v}, 0, 0},
                                 {0, beta, {u, u, v}, 0, 0},   {0, beta, {v, v, v}, 0, 0},
                                 {1, -beta, {u, u, u}, 0, 0},  {1, -beta, {u, v, v}, 0, 0},
                                 {1, -1.0, {u, u, v}, 0, 0},   {1, -1.0, {v, v, v}, 0, 0}};
  return std::make_unique<PolynomialSystem>(
      "lambda_omega", std::vector<std::string>{"u", "v"}, lin, nl,
      std::map<std::string, double>{{"d", d}, {"beta", beta}},
      "u_t = " + num(d) + "*Lap u + lambda(A) u - omega(A) v, v_t = " + num(d) +
          "*Lap v + omega(A) u + lambda(A) v, A^2 = u^2 + v^2, lambda = 1 - A^2, omega = -" + num(beta) + "*A^2",
      std::vector<int>{1, 2});
}

std::unique_ptr<FieldPde> make_wave(double c) {
  PDESYM_REQUIRE(c > 0 && std::isfinite(c), "wave speed c must be positive, got " << c);
  std::vector<LinearTerm> lin = {{0, 1, 0, 0, 1.0}, {1, 0, 2, 0, c * c}, {1, 0, 0, 2, c * c}};
  return std::make_unique<PolynomialSystem>("wave", std::vector<std::string>{"u", "u_t"}, lin,
                                            std::vector<ProductTerm>{}, std::map<std::string, double>{{"c", c}},
                                            "u_tt = " + num(c * c) + "*Lap u, as the system (u, u_t)",
                                            std::vector<int>{1, 2});
}

std::unique_ptr<FieldPde> make_navier_stokes(double nu, double forcing_amplitude, int forcing_mode, double drag) {
  PDESYM_REQUIRE(nu > 0 && std::isfinite(nu), "navier_stokes viscosity nu must be positive, got " << nu);
  PDESYM_REQUIRE(std::isfinite(forcing_amplitude), "navier_stokes forcing_amplitude must be finite");
  PDESYM_REQUIRE(forcing_mode >= 1, "navier_stokes forcing_mode must be >= 1, got " << forcing_mode);
  PDESYM_REQUIRE(drag >= 0 && std::isfinite(drag), "navier_stokes drag must be >= 0, got " << drag);
  return std::make_unique<NavierStokes>(nu, forcing_amplitude, forcing_mode, drag);
}

std::unique_ptr<FieldPde> make_ks2d() {
  std::vector<LinearTerm> lin = {{0, 0, 2, 0, -1.0}, {0, 0, 0, 2, -1.0}, {0, 0, 4, 0, -1.0},
                                 {0, 0, 0, 4, -1.0}, {0, 0, 2, 2, -2.0}};
  std::vector<ProductTerm> nl = {{0, -0.5, {Factor{0, 1, 0}, Factor{0, 1, 0}}, 0, 0},
                                 {0, -0.5, {Factor{0, 0, 1}, Factor{0, 0, 1}}, 0, 0}};
  return std::make_unique<PolynomialSystem>("ks2d", std::vector<std::string>{"u"}, lin, nl,
                                            std::map<std::string, double>{},
                                            "u_t + Lap u + Lap^2 u + (1/2)|grad u|^2 = 0", std::vector<int>{2});
}

std::vector<std::string> known_field_equations() {
  return {"heat2d", "nls", "lambda_omega", "wave", "navier_stokes", "ks2d"};
}

bool is_field_equation(const std::string& name) {
  const auto k = known_field_equations();
  return std::find(k.begin(), k.end(), name) != k.end();
}

bool is_field_config(const Config& cfg) {
  const std::string eq = cfg.get<std::string>("equation");
  if (is_field_equation(eq)) return true;
  if (eq != "custom") return false;
  const Config p = cfg.child_or_empty("pde");
  return p.is_map() && p.has("components");
}

std::unique_ptr<FieldPde> make_field_pde(const Config& cfg) {
  const std::string eq = cfg.get<std::string>("equation");
  if (!is_field_config(cfg)) {
    const auto scalar = known_equations();
    if (std::find(scalar.begin(), scalar.end(), eq) == scalar.end()) {
      std::string list;
      for (const auto& n : scalar) list += (list.empty() ? "" : ", ") + n;
      for (const auto& n : known_field_equations()) list += ", " + n;
      throw InputError(cfg["equation"].where() + ": unknown equation '" + eq + "' (known: " + list + ")");
    }
    return make_pde(cfg);
  }
  const Config coef = cfg.child_or_empty("coefficients");
  PDESYM_REQUIRE(coef.is_null() || coef.is_map(), coef.where() << ": must be a mapping of coefficient names to values");
  auto get = [&](const char* key, double def) {
    const double v = coef.is_null() ? def : coef.get_or<double>(key, def);
    PDESYM_REQUIRE(std::isfinite(v), coef[key].where() << ": must be finite");
    return v;
  };
  auto positive = [&](const char* key, double def) {
    const double v = get(key, def);
    PDESYM_REQUIRE(v > 0, coef[key].where() << ": must be positive, got " << v);
    return v;
  };
  auto only = [&](const std::vector<std::string>& keys) {
    if (!coef.is_null()) coef.require_only(keys);
  };
  if (eq == "custom") {
    only({});
    return parse_polynomial_system(cfg["pde"]);
  }
  if (eq == "heat2d") {
    only({"nu"});
    return make_heat2d(positive("nu", 0.01));
  }
  if (eq == "nls") {
    only({});
    return make_nls();
  }
  if (eq == "lambda_omega") {
    only({"d", "beta"});
    return make_lambda_omega(positive("d", 0.1), get("beta", 1.0));
  }
  if (eq == "wave") {
    only({"c"});
    return make_wave(positive("c", 1.0));
  }
  if (eq == "navier_stokes") {
    only({"nu", "forcing_amplitude", "forcing_mode", "drag"});
    const double nu = positive("nu", 0.01), A = get("forcing_amplitude", 0.0), drag = get("drag", 0.0);
    const int mode = coef.is_null() ? 4 : coef.get_or<int>("forcing_mode", 4);
    PDESYM_REQUIRE(mode >= 1, coef["forcing_mode"].where() << ": must be an integer >= 1, got " << mode);
    PDESYM_REQUIRE(drag >= 0, coef["drag"].where() << ": must be >= 0, got " << drag);
    return make_navier_stokes(nu, A, mode, drag);
  }
  PDESYM_CHECK(eq == "ks2d", "unhandled field equation " << eq);
  only({});
  return make_ks2d();
}

}  // namespace pdesym::solvers
