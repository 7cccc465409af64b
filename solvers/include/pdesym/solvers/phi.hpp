#pragma once
// ETDRK4 coefficients (Cox & Matthews 2002, Kassam & Trefethen 2005) of one linear block A = h L(k), an
// nc x nc complex matrix, kept complex throughout (dispersive operators):
//   E = exp(A),  E2 = exp(A/2),  Q = h (exp(A/2) - I) A^-1 = (h/2) phi1(A/2),
//   f1 = h (-4 - A + e^A (4 - 3A + A^2)) A^-3 = h (phi1 - 3 phi2 + 4 phi3)(A),
//   f2 = h ( 2 + A + e^A (A - 2)) A^-3        = h (phi2 - 2 phi3)(A),
//   f3 = h (-4 - 3A - A^2 + e^A (4 - A)) A^-3 = h (-phi2 + 4 phi3)(A).
// Methods:
//   scalar (nc = 1, and each entry of a diagonal block): mean of the closed forms over M points on a circle of
//     radius R around z (full circle, half-point shifted; Kassam–Trefethen's contour mean).
//   coupled, eigenvalues pairwise farther apart than R and an eigenvector matrix with condition number < 1e8:
//     A = V D V^-1, f(A) = V f(D) V^-1 with the scalar contour mean per eigenvalue.
//   coupled otherwise (clustered eigenvalues, defective blocks such as the wave block [[0, h], [0, 0]] at
//     k = 0): matrix contour f(A) = (1/M') sum_j f(z_j) (z_j - c) (z_j I - A)^-1 (the trapezoid rule of the
//     Cauchy integral; for a scalar it is the contour mean above) on the circle of radius
//     max(R + s, 2 s) around the eigenvalue mean c = trace(A)/nc, s = max |lambda_i - c|, with M' = max(M, 64)
//     points: the quadrature error is below (s / radius)^M' <= 2^-64. Accuracy degrades only for
//     ill-conditioned blocks with a large spread (round-off ~ e^s eps).
// Blocks of 2 x 2 use fixed-size Eigen matrices; nc <= 16.
#include <complex>
#include <vector>

namespace pdesym::solvers {

using cdouble = std::complex<double>;

struct Etdrk4Options {
  int contour_points = 32;      ///< M: points on the full circle
  double contour_radius = 1.0;  ///< R: radius of the circle around each eigenvalue
};

/// The six coefficient matrices of one block, each nc*nc row-major.
struct BlockCoefficients {
  std::vector<cdouble> E, E2, Q, f1, f2, f3;
};

/// Scalar coefficients of z = h*L (the Kassam–Trefethen contour mean); out = {E, E2, Q, f1, f2, f3}. For real z
/// (a real symbol: diffusion, KS, Burgers) the six values are real: their imaginary parts are exactly zero (the
/// contour's conjugate points cancel them in exact arithmetic; the roundoff residue is dropped).
void scalar_etdrk4_coefficients(cdouble z, double h, const Etdrk4Options& opt, cdouble out[6]);

/// Coefficients of the block A = hL (nc x nc, row-major) by the method chosen as described above. For a real A
/// (a real coupling: NLS written as (u, v) = (Re psi, Im psi), the wave system) the six matrices are real: phi_k
/// of a real matrix is real, and the imaginary roundoff of the complex eigenvectors or contour is dropped.
BlockCoefficients block_etdrk4_coefficients(const std::vector<cdouble>& hL, int nc, double h,
                                            const Etdrk4Options& opt);

/// Which method block_etdrk4_coefficients uses for hL (for tests): 0 diagonal/scalar, 1 eigen, 2 matrix contour.
int block_method(const std::vector<cdouble>& hL, int nc, const Etdrk4Options& opt);

}  // namespace pdesym::solvers
