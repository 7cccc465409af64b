#include <gtest/gtest.h>

#include <cmath>

#include "pdesym/common/error.hpp"
#include "pdesym/solvers/spectral.hpp"

using namespace pdesym::solvers;

TEST(Spectral, RoundTripIsIdentity) {
  Grid g(64, 10.0);
  Fft1d fft(g.nx);
  rvec u(g.nx), back(g.nx);
  for (int j = 0; j < g.nx; ++j) u[j] = std::sin(0.3 * j) + 0.1 * j * j / 4096.0;
  cvec uh(g.nk());
  fft.forward(u.data(), uh.data());
  fft.inverse(uh.data(), back.data());
  for (int j = 0; j < g.nx; ++j) EXPECT_NEAR(back[j], u[j], 1e-14);
}

TEST(Spectral, DerivativesOfTrigonometricPolynomialAreExact) {
  const double L = 7.0;
  Grid g(48, L);
  SpectralDerivative D(g);
  const rvec x = g.x();
  const double k = 2 * M_PI * 3 / L;
  rvec u(g.nx);
  for (int j = 0; j < g.nx; ++j) u[j] = std::sin(k * x[j]) + 0.5 * std::cos(2 * k * x[j]);
  std::vector<rvec> jets;
  D.jets(u.data(), 4, jets);
  for (int j = 0; j < g.nx; ++j) {
    const double s = std::sin(k * x[j]), c = std::cos(k * x[j]);
    const double s2 = std::sin(2 * k * x[j]), c2 = std::cos(2 * k * x[j]);
    EXPECT_NEAR(jets[0][j], u[j], 1e-12);
    EXPECT_NEAR(jets[1][j], k * c - k * s2, 1e-11);
    EXPECT_NEAR(jets[2][j], -k * k * s - 2 * k * k * c2, 1e-10);
    EXPECT_NEAR(jets[3][j], -k * k * k * c + 4 * k * k * k * s2, 1e-9);
    EXPECT_NEAR(jets[4][j], std::pow(k, 4) * s + 8 * std::pow(k, 4) * c2, 1e-8);
  }
  rvec d3(g.nx);
  D.apply(u.data(), d3.data(), 3);
  for (int j = 0; j < g.nx; ++j) EXPECT_NEAR(d3[j], jets[3][j], 1e-12);
}

TEST(Spectral, DealiasMaskFollowsTwoThirdsRule) {
  Grid g(12, 1.0);
  rvec m = g.dealias_mask();
  ASSERT_EQ(m.size(), 7u);
  for (int i = 0; i <= 4; ++i) EXPECT_EQ(m[i], 1.0) << i;
  EXPECT_EQ(m[5], 0.0);
  EXPECT_EQ(m[6], 0.0);
}

TEST(Spectral, BadGridIsRejected) {
  EXPECT_THROW(Grid(7, 1.0), pdesym::InputError);
  EXPECT_THROW(Grid(8, -1.0), pdesym::InputError);
}
