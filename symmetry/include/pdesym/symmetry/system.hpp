#pragma once
// Equations and symmetry conditions in several variables: d = 1 or 2 space dimensions (x; x, y), time t, and nc
// dependent components (u; u, v; ...), for evolution systems u^a_t = F^a and second-order equations u_tt = F (wave),
// with F^a polynomial in the spatial jets u^b_J (J a multi-index in x, y).
//
// Prolongation (shared/docs/science.md): for V = sum_i xi^i d_{x_i} + tau d_t + sum_a phi^a d_{u^a} with
// components polynomial in (x, y, t, u, v, ...),
//   phi^a_{J+k} = D_k phi^a_J - sum_i u^a_{J+i} D_k xi^i - u^a_{J+t} D_k tau,      phi^a_{()} = phi^a,
// with D_k the total derivative in direction k (x, y or t). The condition of an evolution system is
//   E^a = phi^a_t - sum_{b,J} dF^a/du^b_J phi^b_J   for every component a,
// of a second-order equation E = phi_tt - sum_J dF/du_J phi_J; then the time derivatives are replaced from the
// equation (u^a_{J,t} -> D_J F^a, and u_tt -> F), so that each E^a is a polynomial in the free variables
// x, (y), t and the spatial jets u^b_J (plus u_{J,t} for a second-order equation) that vanishes identically for
// every symmetry. Each basis field thus contributes nc rows per sample point.
#include <Eigen/Dense>

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pdesym/datasets/dataset.hpp"
#include "pdesym/symmetry/basis.hpp"
#include "pdesym/symmetry/identify.hpp"

namespace pdesym::symmetry {

/// Layout of the spatial jets of the data: u^a_J for components a < nc and multi-indices J = (jx, jy) with
/// jx + jy <= order (jy = 0 in 1-D); flat index ordered by component, then order |J|, then jx descending.
class SpatialJets {
 public:
  SpatialJets(int dim, int nc, int order, std::vector<std::string> names = {});
  int dim() const { return dim_; }
  int nc() const { return nc_; }
  int order() const { return order_; }
  int size() const { return static_cast<int>(idx_.size()); }
  int index(int comp, int jx, int jy = 0) const;  ///< -1 if beyond the layout
  int comp(int k) const { return idx_[static_cast<std::size_t>(k)][0]; }
  int jx(int k) const { return idx_[static_cast<std::size_t>(k)][1]; }
  int jy(int k) const { return idx_[static_cast<std::size_t>(k)][2]; }
  const std::vector<std::string>& names() const { return names_; }
  std::string name(int k) const;  ///< "u", "v_xx", "u_xy", ...

 private:
  int dim_, nc_, order_;
  std::vector<std::string> names_;
  std::vector<std::array<int, 3>> idx_;
};

/// One term c * prod_k (jet_k)^{powers[k]} of a right-hand side, over a SpatialJets layout.
struct SystemTerm {
  double coeff = 0;
  std::vector<int> powers;
};

/// u^a_t = F^a (time_order 1) or u_tt = F (time_order 2, nc = 1), F^a = sum of terms over `jets`.
struct SystemEquation {
  SpatialJets jets{1, 1, 4};
  int time_order = 1;
  std::vector<std::vector<SystemTerm>> rhs;  ///< [nc] terms
  /// Highest spatial derivative order present (0 if none).
  int order() const;
  /// "u_t = 0.5*u_xx + 0.5*u_yy; v_t = ..." (coefficients with 10 significant digits)
  std::string text() const;
  /// F^a at one point (values indexed like `jets`).
  double eval(int a, const double* jet) const;
};

/// The 1-D scalar equation u_t = F of identify_equation (identify.hpp) over the layout (x; u) with jets up to
/// eq.max_order: the same equation in the general form, so that its symmetry condition is SystemCondition's.
SystemEquation system_equation(const IdentifiedEquation& eq);

/// Name of a monomial over a SpatialJets layout: "1", "u_xx", "u^2*v".
std::string jet_term_name(const SpatialJets& jets, const std::vector<int>& powers);

/// Pre-processing of n-D data. Clean data: spectral jets, 8th-order time differences. Noisy data (relative noise
/// estimated from the flat top of the x spectrum > 1e-6): the field is cut off in Fourier space where the spectrum
/// of each direction reaches 4x the noise floor; every library term and the response are smoothed in space with
/// a Gaussian taper (width a third of the cut-off) and in time with the bump kernel (1 - s^2)^8 of half-width
/// t_halfwidth rows, the response by differentiating the kernel (integration by parts, twice for u_tt), as in
/// identify.hpp.
struct SystemPreprocessing {
  double noise_rel = 0;
  bool weak = false;
  int cutoff_x = -1, cutoff_y = -1;  ///< highest kept mode per direction (-1: all)
  int t_halfwidth = 0;
};
SystemPreprocessing choose_system_preprocessing(const datasets::Split& data);

/// Result of identify_system: the equation and, per component, the fit.
struct SystemIdentification {
  SystemEquation eq;
  SystemPreprocessing pre;
  std::vector<double> residuals, library_residuals;  ///< per component, relative (as IdentifiedEquation)
  std::vector<double> untied_residuals;  ///< per component, before the structure-preserving refit
  std::vector<std::vector<int>> tie_groups;  ///< per component and term of eq.rhs: index of its shared magnitude
  int free_magnitudes = 0;               ///< distinct magnitudes after the refit (= number of terms if none tied)
  int samples = 0, library_size = 0;
  double residual() const;          ///< largest over the components
  double library_residual() const;  ///< largest over the components
  std::vector<std::string> term_names() const;  ///< "u_t: u_xx", "v_t: u^2*v", ...
};

/// Identifies u^a_t = F^a (opt.time_order 1) or u_tt = F (2, one component) from clean data of any dimension and
/// number of components: spectral spatial jets (BoxDerivative), time derivatives by 8th-order central
/// differences, a library of all monomials of degree <= opt.max_degree in the spatial jets of order <= opt.max_order
/// (1-D) or opt.max_order_2d (2-D), and the sparse regression of identify.hpp per component; noisy data as in
/// SystemPreprocessing (time_order 2: clean data only). The selected models of all components are then refitted with
/// equal magnitudes tied together (IdentifyOptions::tie_tolerance).
SystemIdentification identify_system(const datasets::Split& data, const IdentifyOptions& opt);

/// Symmetry condition of a SystemEquation for every element of a basis over (x, [y], t, u, [v, ...]).
class SystemCondition {
 public:
  SystemCondition(const SystemEquation& eq, const PolynomialBasis& basis);
  /// Layout of the free spatial jets the sample points must provide (order max(2n, n+1)).
  const SpatialJets& free_jets() const { return free_; }
  /// Columns of a sample point: x, (y), t, then free_jets() values, then (time_order 2) the free_jets() layout of
  /// component 0's u_t jets.
  int point_size() const;
  /// Rows = points x components (point-major), columns = basis elements.
  Eigen::MatrixXd evaluate(const Eigen::MatrixXd& points) const;
  /// Largest |coefficient| of the condition polynomial sum_i v_i E_i over all components, relative to
  /// max |v| (0 for an exact symmetry of the equation).
  double symbolic_residual(const Eigen::VectorXd& v) const;
  int columns() const { return static_cast<int>(cols_.size()); }

 private:
  struct Term {
    double c;
    std::vector<std::pair<int, int>> f;  ///< (point column, power)
  };
  SpatialJets free_;
  int time_order_, nc_;
  std::vector<std::vector<std::map<std::vector<std::uint8_t>, double>>> cols_;  ///< [basis][component] polynomial
  std::vector<int> var_to_point_;  ///< jet-space variable -> point column
};

/// Sample points for `cond` from the data: n random (trajectory, time level, grid point) triples, time levels away
/// from the first and last 4 (the time differences of the wave equation's u_t need them).
Eigen::MatrixXd sample_system_points(const datasets::Split& data, const SystemCondition& cond, int time_order, int n,
                                     std::uint64_t seed, const SystemPreprocessing& pre = {});

}  // namespace pdesym::symmetry
