// Block ETDRK4 coefficients (phi.hpp) against high-precision references: Taylor series in long double for
// small blocks (including the defective wave block at k = 0), and the closed forms on the eigenvalues for
// diagonalisable ones (NLS blocks A = s [[0, 1], [-1, 0]]: f(A) = alpha I + beta A).
#include <gtest/gtest.h>

#include <cmath>
#include <complex>
#include <vector>

#include "pdesym/solvers/phi.hpp"

using namespace pdesym::solvers;

namespace {
using lc = std::complex<long double>;
using LMat = std::vector<lc>;  // row-major n x n

LMat mul(const LMat& a, const LMat& b, int n) {
  LMat c(static_cast<std::size_t>(n) * n, 0.0L);
  for (int i = 0; i < n; ++i)
    for (int k = 0; k < n; ++k)
      for (int j = 0; j < n; ++j) c[i * n + j] += a[i * n + k] * b[k * n + j];
  return c;
}

/// phi_k(A) = sum_m A^m / (m + k)! in long double (|A| small enough for 80 terms).
LMat phi(const LMat& A, int n, int k) {
  LMat sum(static_cast<std::size_t>(n) * n, 0.0L), term(static_cast<std::size_t>(n) * n, 0.0L);
  for (int i = 0; i < n; ++i) term[i * n + i] = 1.0L;
  long double fact = 1.0L;
  for (int j = 2; j <= k; ++j) fact *= j;
  for (int m = 0; m < 80; ++m) {
    for (std::size_t i = 0; i < sum.size(); ++i) sum[i] += term[i] / fact;
    term = mul(term, A, n);
    fact *= (m + k + 1);
  }
  return sum;
}

/// The six coefficients by Taylor series: E, E2, Q, f1, f2, f3 (phi.hpp).
std::vector<LMat> taylor_coefficients(const std::vector<cdouble>& hL, int n, double h) {
  LMat A(hL.size()), A2(hL.size());
  for (std::size_t i = 0; i < hL.size(); ++i) {
    A[i] = lc(hL[i].real(), hL[i].imag());
    A2[i] = A[i] / 2.0L;
  }
  const LMat p1 = phi(A, n, 1), p2 = phi(A, n, 2), p3 = phi(A, n, 3), q = phi(A2, n, 1);
  std::vector<LMat> out(6, LMat(hL.size()));
  const LMat e = phi(A, n, 0), e2 = phi(A2, n, 0);
  const long double H = h;
  for (std::size_t i = 0; i < hL.size(); ++i) {
    out[0][i] = e[i];
    out[1][i] = e2[i];
    out[2][i] = H / 2.0L * q[i];
    out[3][i] = H * (p1[i] - 3.0L * p2[i] + 4.0L * p3[i]);
    out[4][i] = H * (p2[i] - 2.0L * p3[i]);
    out[5][i] = H * (-p2[i] + 4.0L * p3[i]);
  }
  return out;
}

double max_rel_diff(const BlockCoefficients& bc, const std::vector<LMat>& ref) {
  const std::vector<cdouble>* got[6] = {&bc.E, &bc.E2, &bc.Q, &bc.f1, &bc.f2, &bc.f3};
  double worst = 0;
  for (int f = 0; f < 6; ++f) {
    long double scale = 0, diff = 0;
    for (std::size_t i = 0; i < ref[f].size(); ++i) {
      scale = std::max(scale, std::abs(ref[f][i]));
      diff = std::max(diff, std::abs(lc((*got[f])[i].real(), (*got[f])[i].imag()) - ref[f][i]));
    }
    worst = std::max(worst, static_cast<double>(diff / scale));
  }
  return worst;
}
}  // namespace

TEST(BlockPhi, DefectiveWaveBlockAtZeroWavenumberMatchesTaylor) {
  // u_t' = v, v' = -c^2 k^2 u: at k = 0, hL = [[0, h], [0, 0]] is nilpotent (no eigenvector basis).
  for (double h : {0.01, 0.5, 2.0}) {
    const std::vector<cdouble> hL = {0.0, h, 0.0, 0.0};
    EXPECT_EQ(block_method(hL, 2, {}), 2) << "defective blocks use the matrix contour";
    const auto bc = block_etdrk4_coefficients(hL, 2, h, {});
    EXPECT_LT(max_rel_diff(bc, taylor_coefficients(hL, 2, h)), 1e-13) << "h = " << h;
  }
}

TEST(BlockPhi, ClusteredWaveBlocksMatchTaylor) {
  // Small k: eigenvalues +-i h c k close together (matrix contour around their mean).
  for (double hk : {1e-8, 1e-4, 0.05, 0.3}) {
    const double h = 0.1, k = hk / h;
    const std::vector<cdouble> hL = {0.0, h, -h * k * k, 0.0};
    const auto bc = block_etdrk4_coefficients(hL, 2, h, {});
    EXPECT_LT(max_rel_diff(bc, taylor_coefficients(hL, 2, h)), 1e-13) << "h k = " << hk;
  }
}

TEST(BlockPhi, NlsBlocksMatchClosedFormsOnTheEigenvalues) {
  // hL = s [[0, 1], [-1, 0]] (NLS: u_t = |k|^2 v, v_t = -|k|^2 u), A^2 = -s^2 I, so f(A) = alpha I + beta A with
  // alpha = (f(is) + f(-is)) / 2, beta = (f(is) - f(-is)) / (2 i s); closed forms are accurate for s >= 1.
  const double h = 0.05;
  for (double s : {1.0, 3.0, 20.0, 400.0}) {
    const std::vector<cdouble> hL = {0.0, s, -s, 0.0};
    EXPECT_EQ(block_method(hL, 2, {}), 1) << "well-separated eigenvalues use V f(D) V^-1";
    const auto bc = block_etdrk4_coefficients(hL, 2, h, {});
    auto closed = [&](lc z, int f) -> lc {
      const lc ez = std::exp(z), ez2 = std::exp(z / 2.0L), z3 = z * z * z;
      const long double H = h;
      switch (f) {
        case 0: return ez;
        case 1: return ez2;
        case 2: return H * (ez2 - 1.0L) / z;
        case 3: return H * (-4.0L - z + ez * (4.0L - 3.0L * z + z * z)) / z3;
        case 4: return H * (2.0L + z + ez * (-2.0L + z)) / z3;
        default: return H * (-4.0L - 3.0L * z - z * z + ez * (4.0L - z)) / z3;
      }
    };
    std::vector<LMat> ref(6, LMat(4));
    const lc is(0.0L, s);
    for (int f = 0; f < 6; ++f) {
      const lc alpha = (closed(is, f) + closed(-is, f)) / 2.0L, beta = (closed(is, f) - closed(-is, f)) / (2.0L * is);
      ref[f] = {alpha, beta * (long double)s, -beta * (long double)s, alpha};
    }
    EXPECT_LT(max_rel_diff(bc, ref), 1e-12) << "s = " << s;
  }
}

TEST(BlockPhi, SmallNlsAndGeneralBlocksMatchTaylor) {
  const double h = 0.2;
  for (double s : {1e-6, 0.1, 0.4, 1.5}) {
    const std::vector<cdouble> hL = {0.0, s, -s, 0.0};
    EXPECT_LT(max_rel_diff(block_etdrk4_coefficients(hL, 2, h, {}), taylor_coefficients(hL, 2, h)), 1e-13) << s;
  }
  // A non-normal complex 3 x 3 block (coupled diffusion/dispersion) of moderate norm.
  const std::vector<cdouble> hL = {cdouble(-0.7, 0.2), 0.3, cdouble(0, 0.1), cdouble(0.05, 0), cdouble(-0.2, -0.9), 0.4,
                                   0.0, cdouble(0.1, 0.1), cdouble(-1.5, 0)};
  EXPECT_LT(max_rel_diff(block_etdrk4_coefficients(hL, 3, h, {}), taylor_coefficients(hL, 3, h)), 1e-13);
  // A diagonal block is the scalar contour mean per entry.
  const std::vector<cdouble> diag = {cdouble(-2.0, 0.5), 0.0, 0.0, cdouble(0.0, -3.0)};
  EXPECT_EQ(block_method(diag, 2, {}), 0);
  EXPECT_LT(max_rel_diff(block_etdrk4_coefficients(diag, 2, h, {}), taylor_coefficients(diag, 2, h)), 1e-13);
}
