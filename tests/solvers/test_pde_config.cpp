#include <gtest/gtest.h>

#include "pdesym/common/error.hpp"
#include "pdesym/solvers/etdrk4.hpp"
#include "pdesym/solvers/pde.hpp"

using namespace pdesym;
using namespace pdesym::solvers;

TEST(PdeConfig, BuiltinsHaveTheRightSymbols) {
  auto kdv = make_kdv(1.0, 2.0);
  EXPECT_NEAR(std::abs(kdv->linear_symbol(3.0) - cdouble(0, 54.0)), 0, 1e-12);  // -2 (i k)^3 = 2 i k^3
  auto ks = make_ks();
  EXPECT_NEAR(std::abs(ks->linear_symbol(2.0) - cdouble(4.0 - 16.0, 0)), 0, 1e-12);
  auto b = make_burgers(0.1);
  EXPECT_NEAR(std::abs(b->linear_symbol(3.0) - cdouble(-0.9, 0)), 0, 1e-12);
}

TEST(PdeConfig, CustomEquationFromConfigMatchesBuiltin) {
  Config c = Config::parse(R"(
equation: custom
pde:
  name: my_kdv
  linear: {3: -1.0}
  nonlinear: [{coeff: -0.5, power: 2, derivative: 1}]
)");
  auto custom = make_pde(c);
  auto kdv = make_kdv();
  Grid g(64, 32.0);
  rvec u0(g.nx);
  const rvec x = g.x();
  for (int j = 0; j < g.nx; ++j) u0[j] = 0.5 * std::sin(2 * M_PI * x[j] / g.L);
  pdesym::Field a = integrate(*custom, g, u0, 2.0, 3), b = integrate(*kdv, g, u0, 2.0, 3);
  for (std::size_t i = 0; i < a.data.size(); ++i) EXPECT_EQ(a.data[i], b.data[i]);
  EXPECT_EQ(custom->name(), "my_kdv");
}

TEST(PdeConfig, BadConfigsGiveClearErrors) {
  auto expect_msg = [](const std::string& yaml, const std::string& needle) {
    try {
      make_pde(Config::parse(yaml, "test.yaml"));
      ADD_FAILURE() << "no error for " << yaml;
    } catch (const InputError& e) {
      EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
    }
  };
  expect_msg("equation: navier", "unknown equation 'navier'");
  expect_msg("foo: 1", "missing required key 'equation'");
  expect_msg("equation: burgers\ncoefficients: {nu: -1}", "viscosity nu must be positive");
  expect_msg("equation: kdv\ncoefficients: {alfa: 2}", "unknown key 'alfa'");
  expect_msg("equation: burgers\ncoefficients: {nu: abc}", "coefficients.nu");
}

TEST(PdeConfig, MissingConfigFileIsAnInputError) {
  EXPECT_THROW(Config::load("/nonexistent/config.yaml"), InputError);
}
