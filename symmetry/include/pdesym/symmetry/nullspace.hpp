#pragma once
// Lie-derivative nullspace discovery: identify u_t = F from the data, build the linear
// symmetry condition of every polynomial basis field symbolically (system.hpp), evaluate it at sampled data
// points, and take the nullspace of the stacked, column-normalised matrix by an SVD in double precision.
//
// Nullspace (gap) criterion: with singular values s_1 >= ... >= s_m of the column-normalised matrix and
// r_i = s_i / s_1, the candidate gaps are the i with r_i / max(r_{i+1}, 1e-18) >= gap_threshold and
// r_{i+1} <= null_tol, the ratio measured against rounding at most (r_{i+1} floored at 1e-13, so exact zeros do
// not make a gap below approximate symmetries at 1e-10 look deep); the candidate with the largest ratio wins
// and the nullity is m - i. If there is none,
// the nullity is 0 (no symmetry in the basis). The decision, the ratio and the singular values are reported in
// sym.json (extra.nullspace).
//
// Readable generators: the null vectors (unscaled back to raw monomial coefficients) are put in reduced row
// echelon form with pivots taken in basis order, each scaled so its pivot is 1, and sorted by (highest monomial
// degree, number of terms, pivot position): KdV reads d_x, d_t, t*d_x + d_u, x*d_x + 3*t*d_t - 2*u*d_u.
//
// Convention: coefficients are in the raw monomial basis of (x, t, u) in the data's own units; principal angles
// (basis.hpp) compare spans of such vectors, each normalised to unit length.
#include <cstdint>
#include <vector>

#include "pdesym/datasets/dataset.hpp"
#include "pdesym/symmetry/basis.hpp"
#include "pdesym/symmetry/identify.hpp"
#include "pdesym/symmetry/system.hpp"
#include "pdesym/symmetry/trust.hpp"

namespace pdesym::symmetry {

struct NullspaceOptions {
  int degree = 2;                ///< polynomial degree of xi, tau, phi in (x, t, u)
  IdentifyOptions identify;      ///< equation identification
  int samples = 4000;            ///< sample points (rows of the condition matrix)
  std::uint64_t seed = 0;        ///< sample points' random stream
  double gap_threshold = 1e3;    ///< smallest accepted ratio s_i / s_{i+1} at the gap
  double null_tol = 1e-6;        ///< null singular values must be below this fraction of the largest
  int nullity = -1;              ///< >= 0: take this many null vectors whatever the gap (for experiments)
  TrustOptions trust;            ///< the verdict's measurements (trust.hpp); trust.resamples = 0 skips stability
};

struct GapDecision {
  int nullity = 0;
  int gap_index = -1;       ///< i (0-based): s_i / s_{i+1} is the accepted gap; -1 if none
  double gap_ratio = 0.0;   ///< that ratio (0 if none)
};

/// Applies the gap criterion (see the top of this file) to singular values sorted descending.
GapDecision choose_nullity(const std::vector<double>& singular_values, double gap_threshold, double null_tol);

/// Gauss-Jordan elimination with partial pivoting on the rows of `rows`, in place, columns taken in order;
/// a column whose largest remaining entry is <= pivot_tol (absolute) gets no pivot. Returns the pivot columns;
/// the first (returned size) rows are then the reduced row echelon form of the row space.
std::vector<int> reduce_rows(Eigen::MatrixXd& rows, double pivot_tol);

/// Reduced row echelon form of the span of the columns of `null_vectors`, as described above (columns = result).
Eigen::MatrixXd readable_generators(const Eigen::MatrixXd& null_vectors, const PolynomialBasis& basis,
                                    double pivot_tol = 1e-8);

/// Symmetries of a given equation: the condition evaluated at `points` (columns x, t, u_0..u_k with k >= the
/// condition's free order). extra.nullspace holds the decision.
SymmetryResult nullspace_of_equation(const IdentifiedEquation& eq, const Eigen::MatrixXd& points,
                                     const NullspaceOptions& opt);

/// Symmetries of a system (system.hpp) in the basis over the data's variables, with sample points drawn from
/// `data` (time_order 2: u_tt = F).
SymmetryResult nullspace_of_system(const SystemEquation& eq, const datasets::Split& data, const NullspaceOptions& opt,
                                   int time_order, const SystemPreprocessing& pre = {});

/// The whole method on a split (1-D scalar evolution equations; data in 2-D, with several components or with
/// opt.identify.time_order = 2 take the n-D path of system.hpp, clean data only): identification, sampling, nullspace, trust verdict (trust.hpp; in `trust`). extra
/// holds the identified equation in detail (terms, coefficients, residual, pre-processing), the nullspace
/// decision and timings.
SymmetryResult discover_nullspace(const datasets::Split& data, const NullspaceOptions& opt = {});

}  // namespace pdesym::symmetry
