#pragma once
// Internal helpers of pdesym::learned shared by the method translation units. Nothing here includes LibTorch:
// data framing, jets of the data, the equation as a polynomial in jets, and the projection of sampled vector
// fields onto the polynomial basis.
#include <Eigen/Dense>

#include <cstdint>
#include <string>
#include <vector>

#include "pdesym/datasets/dataset.hpp"
#include "pdesym/learned/discover.hpp"
#include "pdesym/symmetry/basis.hpp"
#include "pdesym/symmetry/identify.hpp"

namespace pdesym::learned::detail {

/// Affine normalisation of the data domain: zhat = (z - c) / s for z = x, t, u. Networks and learned
/// coefficients work in these O(1) coordinates; a field in hat units (xi_hat, tau_hat, phi_hat) is the raw
/// field (s_x xi_hat, s_t tau_hat, s_u phi_hat).
struct Frame {
  double cx = 0, sx = 1, ct = 0, st = 1, cu = 0, su = 1;
  double scale(int component) const { return component == 0 ? sx : component == 1 ? st : su; }
};

/// Validates a split (non-empty, consistent sizes, finite values, positive dx/dt) naming `what` in errors.
void check_split(const datasets::Split& data, const std::string& what);
Frame make_frame(const datasets::Split& data);

/// u_t = F(u_0, ..., u_m) as a polynomial in the jet variables u_k = d^k u / dx^k.
class JetPoly {
 public:
  explicit JetPoly(const symmetry::IdentifiedEquation& eq);
  int order() const { return order_; }   ///< highest k that appears (0 if F only depends on u or is 0)
  int width() const { return width_; }   ///< number of jet entries eval() reads (order()+1)
  double eval(const double* jet) const;
  double deriv(int k, const double* jet) const;  ///< dF/du_k
  /// The total x-derivative D_x F = sum_k dF/du_k u_{k+1}, again a polynomial in jets (order + 1).
  JetPoly total_x() const;
  std::string text() const { return text_; }

 private:
  struct Term {
    double c;
    std::vector<int> p;
  };
  JetPoly() = default;
  std::vector<Term> terms_;
  int order_ = 0, width_ = 1;
  std::string text_;
};

/// Jets at sampled grid points (trajectory, time index, x index) of a split, on the prolonged solution manifold
/// of u_t = F: u_{x^i} (i = 0..max(n+1, 2n)) spectrally; u_{x^i t} = D_x^i F (i = 0..n), u_tt = D_t F and
/// dF/du_k (k = 0..n) from them by the chain rule at the point, where n = F's order. Only the x-jets come from
/// the data; everything with a t is a polynomial in them, so the jets satisfy the prolonged equation to
/// rounding whatever the resolution of the data (no aliasing of products of F), and the linearised residual
/// of every point symmetry of u_t = F vanishes at them to rounding.
struct JetSamples {
  int order = 0;
  int count = 0;
  std::vector<double> x, t;
  std::vector<std::vector<double>> ux;   ///< [n+2][count]
  std::vector<std::vector<double>> uxt;  ///< [n+1][count]
  std::vector<double> utt;
  std::vector<std::vector<double>> dF;   ///< [n+1][count]
};
JetSamples sample_jets(const datasets::Split& data, const JetPoly& F, int count, std::uint64_t seed);

/// Random points (x, t, u) of the data (the graph of the stored solutions), for projections.
Eigen::MatrixXd sample_graph_points(const datasets::Split& data, int count, std::uint64_t seed);

/// raw = hat_to_raw * hat for coefficient vectors over `basis`: hat coefficients describe the field in hat
/// coordinates and hat units (see Frame); raw ones the same field in the data's units.
Eigen::MatrixXd hat_to_raw(const symmetry::PolynomialBasis& basis, const Frame& f);
Eigen::MatrixXd raw_to_hat(const symmetry::PolynomialBasis& basis, const Frame& f);

/// Monomials of the basis evaluated at hat points (rows of zh: x_hat, t_hat, u_hat): N x monomials.
Eigen::MatrixXd monomial_design(const symmetry::PolynomialBasis& basis, const Eigen::MatrixXd& zh);

struct Projection {
  Eigen::MatrixXd hat;            ///< columns: projected generators, hat coefficients
  std::vector<double> residual;   ///< relative L2 misfit of each field by its projection
  double condition = 0;           ///< 2-norm condition number of the monomial design matrix
};
/// Least-squares projection of sampled fields onto the basis. zh: N x 3 hat points; fields[g]: N x 3 values
/// (xi_hat, tau_hat, phi_hat) of generator g at those points.
Projection project_fields(const symmetry::PolynomialBasis& basis, const Eigen::MatrixXd& zh,
                          const std::vector<Eigen::MatrixXd>& fields);

/// Converts hat generators (columns) to raw ones and normalises each column to unit Euclidean norm.
Eigen::MatrixXd to_raw_normalised(const symmetry::PolynomialBasis& basis, const Frame& f,
                                  const Eigen::MatrixXd& hat);

/// Keeps at most `max_points` evenly spaced entries of a per-epoch history (for sym.json).
std::vector<double> thin_history(const std::vector<double>& h, int max_points = 50);

void check_options(const LearnedOptions& opt);

/// Verdict on the joint method's generators (SymmetryResult::trust; docs/learned.md, Joint, "Verdict").
/// Generator g is trusted if its relative equivariance error is below 0.15 x `change` (the data's relative
/// change per judge step modulo translations) and its validity score with the identified equation below 1e-2.
/// "trusted" if all are, "doubtful" if only the leading ones are, "not trusted" otherwise; reasons name each
/// untrusted generator with its numbers, notes say which generators to trust.
nlohmann::json joint_verdict(const std::vector<double>& error, double change, const std::vector<double>& scores);

// ---- the methods (LibTorch translation units); `opt` has the registry defaults filled in ----
symmetry::SymmetryResult run_validity(const datasets::Split& data, const LearnedOptions& opt,
                                      const symmetry::PolynomialBasis& basis,
                                      const symmetry::IdentifiedEquation& eq);
symmetry::SymmetryResult run_liegan(const datasets::Split& data, const LearnedOptions& opt,
                                    const symmetry::PolynomialBasis& basis);
symmetry::SymmetryResult run_joint(const datasets::Split& data, const LearnedOptions& opt,
                                   const symmetry::PolynomialBasis& basis);

}  // namespace pdesym::learned::detail
