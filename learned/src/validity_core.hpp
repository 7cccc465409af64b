#pragma once
// The validity score's building blocks (docs/learned.md, "Validity score"): jets of the data as tensors, the
// linearised equation residual R = pr V_Q (u_t - F) of vector fields evaluated on jets, per-field scores and
// the subspace (Rayleigh-Ritz) scores of several fields. Implemented in validity_score.cpp; included only by
// learned/src/*.cpp after the precompiled <torch/torch.h>.
#include <torch/torch.h>

#include <Eigen/Dense>

#include <array>
#include <functional>

#include "internal.hpp"
#include "jet.hpp"
#include "pdesym/symmetry/basis.hpp"

namespace pdesym::learned::detail {

/// Jet samples as tensors (all [B], float64).
struct JetTensors {
  int order = 0;
  torch::Tensor x, t, utt;
  std::vector<torch::Tensor> ux, uxt, dF;
  long size() const { return x.size(0); }
  JetTensors select(const torch::Tensor& idx) const;
};
JetTensors to_tensors(const JetSamples& s);

/// A vector field in hat coordinates and hat units, acting on jets: (x_hat, t_hat, u_hat) -> (xi_hat, tau_hat,
/// phi_hat). Coefficient tensors are [G, B] (one field per generator g).
using FieldFn = std::function<std::array<Jet, 3>(const std::array<Jet, 3>&)>;

struct Residual {
  torch::Tensor R;  ///< [G, B] pr V_Q (u_t - F) at the samples
  torch::Tensor Q;  ///< [G, B] characteristic phi - xi u_x - tau u_t (in units of s_u)
};

/// The linearised residual of the equation under G fields at each jet sample. The solution near a sample is
/// its Taylor polynomial U(a, b); the characteristic Q(x + a, t + b, U, U_a, U_b) is propagated as a jet, and
/// D_x^k Q = k! [a^k] Q, D_t Q = [b] Q at the sample.
Residual characteristic_residual(const FieldFn& field, int G, const JetTensors& J, const Frame& f);

/// Squared characteristic rate of the data, mean(u_t^2) / mean((u - mean u)^2): divides raw scores so that
/// they do not depend on the time unit.
double rate2(const JetTensors& J);

/// Per-field scores [G]: mean R^2 / (mean Q^2 omega2).
torch::Tensor scores_of(const Residual& r, double omega2);

/// Subspace form: S = <Q_g, Q_h>, A = <R_g, R_h> / omega2 over the samples, both with unit-diagonal scaling
/// of S. The generalised eigenvalues of (A, S) are the validity scores of the best-separated combinations of
/// the fields (a Rayleigh-Ritz step); they blow up when two fields become dependent.
struct SubspaceScores {
  torch::Tensor S;       ///< [G, G] normalised Gram matrix of the characteristics
  torch::Tensor lambda;  ///< [G] ascending generalised eigenvalues
};
SubspaceScores subspace_scores(const Residual& r, double omega2, double ridge);

/// Polynomial fields (coefficient tensor C [G, 3, M] in hat coordinates, see coeff_tensor) acting on jets.
std::array<Jet, 3> poly_field_jet(const symmetry::PolynomialBasis& basis, const torch::Tensor& C,
                                  const std::array<Jet, 3>& z);

/// Residuals of polynomial generators given by raw coefficients (columns over `basis`).
Residual polynomial_residual(const JetTensors& J, const Frame& f, const symmetry::PolynomialBasis& basis,
                             const Eigen::MatrixXd& raw);

/// Validity scores of raw polynomial generators; InputError for a zero generator or one with Q = 0.
Eigen::VectorXd scores_of_polynomials(const JetTensors& J, const Frame& f, const symmetry::PolynomialBasis& basis,
                                      const Eigen::MatrixXd& raw);

}  // namespace pdesym::learned::detail
