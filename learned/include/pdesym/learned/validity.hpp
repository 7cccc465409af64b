#pragma once
// The validity score of a vector field V = xi d_x + tau d_t + phi d_u with respect to an evolution equation
// u_t = F(u, u_x, ..., u_{x^n}) on gridded data (docs/learned.md):
//
//   score(V) = mean_samples |pr V_Q (u_t - F)|^2 / mean_samples |Q|^2,   Q = phi - xi u_x - tau u_t,
//
// i.e. the first-order change of the PDE residual when the data is moved along exp(eps V), relative to how
// far the data moves. It is invariant under V -> c V, is zero (up to discretisation error) for every Lie point
// symmetry and positive otherwise. Jets come from spectral x-derivatives of the data; t-derivatives are
// obtained through the equation (u_t = F, u_xt = D_x F, u_tt = D_t F), so no time differencing is needed.
#include <cstdint>

#include <Eigen/Dense>

#include "pdesym/datasets/dataset.hpp"
#include "pdesym/symmetry/basis.hpp"
#include "pdesym/symmetry/identify.hpp"

namespace pdesym::learned {

struct ValidityOptions {
  int samples = 4096;       ///< sampled (trajectory, t, x) points
  std::uint64_t seed = 12345;
};

/// Validity score of the polynomial generator `coeffs` (over `basis`, raw data units) for `data` and the
/// equation `eq`. Throws InputError if the sizes do not match, the split is empty, or the generator is zero.
double validity_score(const datasets::Split& data, const Eigen::VectorXd& coeffs,
                      const symmetry::PolynomialBasis& basis, const symmetry::IdentifiedEquation& eq,
                      const ValidityOptions& opt = {});

/// Scores of several generators (columns of `gens`) on the same sampled points (one jet evaluation).
Eigen::VectorXd validity_scores(const datasets::Split& data, const Eigen::MatrixXd& gens,
                                const symmetry::PolynomialBasis& basis, const symmetry::IdentifiedEquation& eq,
                                const ValidityOptions& opt = {});

/// Relative equation residual of the data, ||u_t - F|| / ||u_t|| with u_t from a 4th-order central time
/// difference at interior time steps (a sanity check of `eq` against the data; reported by discover()).
double equation_residual(const datasets::Split& data, const symmetry::IdentifiedEquation& eq,
                         const ValidityOptions& opt = {});

/// The generators (columns, raw coefficients over `basis`) rewritten in the data's normalised coordinates
/// x_hat = (x - c_x)/s_x, t_hat, u_hat (centre and half-range of x and t, mean and two standard deviations
/// of u) and normalised units (xi/s_x, tau/s_t, phi/s_u), each column scaled to unit norm. Principal angles
/// between such matrices do not depend on the units of the data, unlike angles between raw coefficient
/// vectors, where terms with large monomials (x^2 ~ L^2) get tiny coefficients.
Eigen::MatrixXd normalised_generators(const datasets::Split& data, const Eigen::MatrixXd& gens,
                                      const symmetry::PolynomialBasis& basis);

}  // namespace pdesym::learned
