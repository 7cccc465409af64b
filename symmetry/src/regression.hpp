#pragma once
// Internal seam between the assembly of a regression problem (1-D jets in identify.cpp, n-D jets in
// identify_system.cpp) and the sparse regression that selects its terms (regression.cpp), and the tied refit of
// several selected models (tie.cpp).
#include <vector>

#include <Eigen/Dense>

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

/// Structure-preserving refit of several selected models (one per component, sharing the samples): coefficients whose
/// magnitudes agree within `opt.tie_tolerance` (relative) are merged into one magnitude with their signs kept,
/// closest pair first, and the tied models refitted jointly by least squares; a merge is kept only if no
/// component's relative residual exceeds its untied value times (1 + opt.tie_residual) plus opt.cv_slack. Y holds
/// one response column per component; `support`/`coeffs` are the untied models (columns of theta), `residuals`
/// their relative residuals.
struct TiedFit {
  std::vector<std::vector<double>> coeffs;  ///< per component, same order as the support
  std::vector<double> residuals;            ///< per component, relative
  std::vector<std::vector<int>> group;      ///< per component and term: index of its shared magnitude
  int groups = 0;                           ///< free magnitudes after the merges
  int terms = 0;                            ///< terms before
};
TiedFit tie_coefficients(const Eigen::MatrixXd& theta, const Eigen::MatrixXd& Y,
                         const std::vector<std::vector<int>>& support, const std::vector<std::vector<double>>& coeffs,
                         const std::vector<double>& residuals, const IdentifyOptions& opt);

}  // namespace pdesym::symmetry
