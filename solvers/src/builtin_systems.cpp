// Built-in polynomial field equations (field_pde.hpp): instances of PolynomialSystem.
#include <cmath>
#include <sstream>

#include "pdesym/common/error.hpp"
#include "pdesym/solvers/field_pde.hpp"
#include "pdesym/solvers/system_pde.hpp"
#include "text.hpp"

namespace pdesym::solvers {

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

std::unique_ptr<FieldPde> make_ks2d() {
  std::vector<LinearTerm> lin = {{0, 0, 2, 0, -1.0}, {0, 0, 0, 2, -1.0}, {0, 0, 4, 0, -1.0},
                                 {0, 0, 0, 4, -1.0}, {0, 0, 2, 2, -2.0}};
  std::vector<ProductTerm> nl = {{0, -0.5, {Factor{0, 1, 0}, Factor{0, 1, 0}}, 0, 0},
                                 {0, -0.5, {Factor{0, 0, 1}, Factor{0, 0, 1}}, 0, 0}};
  return std::make_unique<PolynomialSystem>("ks2d", std::vector<std::string>{"u"}, lin, nl,
                                            std::map<std::string, double>{},
                                            "u_t + Lap u + Lap^2 u + (1/2)|grad u|^2 = 0", std::vector<int>{2});
}

}  // namespace pdesym::solvers
