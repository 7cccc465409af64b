#pragma once
// Internal seam between the assembly of a regression problem (1-D jets in identify.cpp, n-D jets in
// identify_system.cpp) and the sparse regression that selects its terms (identify.cpp).
#include <vector>

#include "pdesym/datasets/dataset.hpp"
#include "pdesym/symmetry/identify.hpp"

namespace pdesym::symmetry {

struct SparseFit {
  std::vector<int> support;     ///< selected library columns, ascending
  std::vector<double> coeffs;   ///< their coefficients in raw (unscaled) units
  double residual = 0;          ///< ||y - Theta_S c|| / ||y||
  double library_residual = 0;  ///< the same for the least-squares fit over all columns
};

/// STLSQ along the threshold path (or one threshold), selection by `opt.criterion`, refit. Uses reg.theta,
/// reg.y and, for the cross-validation folds, reg.traj / reg.row with d.n and d.nt; reg.library may be empty.
SparseFit fit_sparse(const RegressionData& reg, const datasets::Split& d, const IdentifyOptions& opt);

}  // namespace pdesym::symmetry
