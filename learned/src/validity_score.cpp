// The validity score (docs/learned.md): jets as tensors, the linearised residual of vector fields on them,
// per-field and subspace scores, and the public scoring functions of validity.hpp.
#include <torch/torch.h>

#include <cmath>

#include "internal.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/learned/validity.hpp"
#include "torch_common.hpp"
#include "validity_core.hpp"

namespace pdesym::learned {
namespace detail {

using torch::Tensor;

JetTensors JetTensors::select(const Tensor& idx) const {
  JetTensors o;
  o.order = order;
  o.x = x.index_select(0, idx);
  o.t = t.index_select(0, idx);
  o.utt = utt.index_select(0, idx);
  for (const auto& v : ux) o.ux.push_back(v.index_select(0, idx));
  for (const auto& v : uxt) o.uxt.push_back(v.index_select(0, idx));
  for (const auto& v : dF) o.dF.push_back(v.index_select(0, idx));
  return o;
}

JetTensors to_tensors(const JetSamples& s) {
  JetTensors J;
  J.order = s.order;
  J.x = to_tensor(s.x);
  J.t = to_tensor(s.t);
  J.utt = to_tensor(s.utt);
  for (const auto& v : s.ux) J.ux.push_back(to_tensor(v));
  for (const auto& v : s.uxt) J.uxt.push_back(to_tensor(v));
  for (const auto& v : s.dF) J.dF.push_back(to_tensor(v));
  return J;
}

Residual characteristic_residual(const FieldFn& field, int G, const JetTensors& J, const Frame& f) {
  const int n = J.order;
  const long B = J.size();
  const Tensor zero = torch::zeros({G, B}, f64());
  auto full = [&](const Tensor& v) { return v.unsqueeze(0).expand({G, B}); };
  auto constant = [&](double v) { return torch::full({G, B}, v, f64()); };
  Jet xh, th, uh, Ua, Ub;
  double fact = 1;
  for (int i = 0; i <= n; ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    if (i > 0) fact *= i;
    xh.c.push_back(i == 0 ? full((J.x - f.cx) / f.sx) : i == 1 ? constant(1 / f.sx) : zero);
    th.c.push_back(i == 0 ? full((J.t - f.ct) / f.st) : zero);
    uh.c.push_back(full((i == 0 ? J.ux[0] - f.cu : J.ux[k]) / (f.su * fact)));
    Ua.c.push_back(full(J.ux[k + 1] / fact));
    Ub.c.push_back(full(J.uxt[k] / fact));
  }
  xh.b = zero;
  th.b = constant(1 / f.st);
  uh.b = full(J.uxt[0] / f.su);
  Ua.b = full(J.uxt.size() > 1 ? J.uxt[1] : torch::zeros_like(J.x));
  Ub.b = full(J.utt);
  const auto V = field({xh, th, uh});
  const Jet Q = V[2] - (f.sx / f.su) * (V[0] * Ua) - (f.st / f.su) * (V[1] * Ub);
  Tensor R = Q.b - J.dF[0] * Q.c[0];
  fact = 1;
  for (int k = 1; k <= n; ++k) {
    fact *= k;
    R = R - fact * J.dF[static_cast<std::size_t>(k)] * Q.c[static_cast<std::size_t>(k)];
  }
  return {R, Q.c[0]};
}

double rate2(const JetTensors& J) {
  const double ut2 = J.uxt[0].pow(2).mean().item<double>();
  const double u2 = (J.ux[0] - J.ux[0].mean()).pow(2).mean().item<double>();
  return (ut2 > 0 && u2 > 0) ? ut2 / u2 : 1.0;
}

Tensor scores_of(const Residual& r, double omega2) { return r.R.pow(2).mean(1) / (r.Q.pow(2).mean(1) * omega2); }

SubspaceScores subspace_scores(const Residual& r, double omega2, double ridge) {
  const double B = static_cast<double>(r.Q.size(1));
  const Tensor d = torch::rsqrt(r.Q.pow(2).mean(1) + 1e-300);  // [G]
  const Tensor Qn = r.Q * d.unsqueeze(1), Rn = r.R * d.unsqueeze(1);
  const Tensor S = torch::matmul(Qn, Qn.transpose(0, 1)) / B;
  const Tensor A = torch::matmul(Rn, Rn.transpose(0, 1)) / (B * omega2);
  const long G = S.size(0);
  const Tensor L = torch::linalg::cholesky(S + ridge * torch::eye(G, f64()));
  const Tensor X = torch::linalg::solve_triangular(L, A, /*upper=*/false, /*left=*/true, /*unitriangular=*/false);
  const Tensor M = torch::linalg::solve_triangular(L, X.transpose(0, 1), false, true, false);
  return {S, torch::linalg::eigvalsh(0.5 * (M + M.transpose(0, 1)), "L")};
}

std::array<Jet, 3> poly_field_jet(const symmetry::PolynomialBasis& basis, const Tensor& C, const std::array<Jet, 3>& z) {
  const int deg = basis.degree();
  std::vector<Jet> px{map_linear(z[0], [](const Tensor& t) { return torch::zeros_like(t); })};
  px[0].c[0] = torch::ones_like(z[0].c[0]);
  std::vector<Jet> pt{px[0]}, pu{px[0]};
  for (int d = 1; d <= deg; ++d) {
    px.push_back(px.back() * z[0]);
    pt.push_back(pt.back() * z[1]);
    pu.push_back(pu.back() * z[2]);
  }
  std::array<Jet, 3> r;
  const auto& mons = basis.monomials();
  for (int comp = 0; comp < 3; ++comp) {
    Jet acc = map_linear(z[0], [](const Tensor& t) { return torch::zeros_like(t); });
    for (std::size_t m = 0; m < mons.size(); ++m) {
      const Tensor coef = C.select(1, comp).select(1, static_cast<long>(m)).unsqueeze(1);  // [G, 1]
      const Jet mono = px[static_cast<std::size_t>(mons[m].a)] * pt[static_cast<std::size_t>(mons[m].b)] *
                       pu[static_cast<std::size_t>(mons[m].c)];
      acc = acc + map_linear(mono, [&](const Tensor& t) { return coef * t; });
    }
    r[static_cast<std::size_t>(comp)] = acc;
  }
  return r;
}

Residual polynomial_residual(const JetTensors& J, const Frame& f, const symmetry::PolynomialBasis& basis,
                             const Eigen::MatrixXd& raw) {
  const Tensor C = coeff_tensor(basis, raw_to_hat(basis, f) * raw);
  return characteristic_residual([&](const std::array<Jet, 3>& z) { return poly_field_jet(basis, C, z); },
                                 static_cast<int>(raw.cols()), J, f);
}

Eigen::VectorXd scores_of_polynomials(const JetTensors& J, const Frame& f, const symmetry::PolynomialBasis& basis,
                                      const Eigen::MatrixXd& raw) {
  for (Eigen::Index g = 0; g < raw.cols(); ++g)
    PDESYM_REQUIRE(raw.col(g).norm() > 0, "validity score: generator " << g << " is zero");
  const Residual r = polynomial_residual(J, f, basis, raw);
  const Tensor q2 = r.Q.pow(2).mean(1);
  for (Eigen::Index g = 0; g < raw.cols(); ++g)
    PDESYM_REQUIRE(q2[g].item<double>() > 0, "validity score: generator " << g << " ("
                                                 << symmetry::label(raw.col(g), basis)
                                                 << ") does not move the data (Q = 0 at every sample)");
  const Tensor s = scores_of(r, rate2(J));
  Eigen::VectorXd out(raw.cols());
  for (Eigen::Index g = 0; g < raw.cols(); ++g) out[g] = s[g].item<double>();
  return out;
}

namespace {

void check_generator_args(const datasets::Split& data, const Eigen::MatrixXd& gens,
                          const symmetry::PolynomialBasis& basis) {
  check_split(data, "validity score");
  PDESYM_REQUIRE(gens.cols() > 0, "validity score: no generators given");
  PDESYM_REQUIRE(gens.rows() == basis.size(), "validity score: generator has " << gens.rows()
                                                  << " coefficients but the degree-" << basis.degree()
                                                  << " basis has " << basis.size());
  PDESYM_REQUIRE(gens.allFinite(), "validity score: generator coefficients are not finite");
}

}  // namespace
}  // namespace detail

Eigen::VectorXd validity_scores(const datasets::Split& data, const Eigen::MatrixXd& gens,
                                const symmetry::PolynomialBasis& basis, const symmetry::IdentifiedEquation& eq,
                                const ValidityOptions& opt) {
  using namespace detail;
  check_generator_args(data, gens, basis);
  PDESYM_REQUIRE(opt.samples > 0, "validity score: samples must be positive, got " << opt.samples);
  torch::AutoGradMode grad_on(true);
  const Frame fr = make_frame(data);
  const JetPoly F(eq);
  const JetTensors J = to_tensors(sample_jets(data, F, opt.samples, opt.seed));
  return scores_of_polynomials(J, fr, basis, gens);
}

double validity_score(const datasets::Split& data, const Eigen::VectorXd& coeffs,
                      const symmetry::PolynomialBasis& basis, const symmetry::IdentifiedEquation& eq,
                      const ValidityOptions& opt) {
  Eigen::MatrixXd m(coeffs.size(), 1);
  m.col(0) = coeffs;
  return validity_scores(data, m, basis, eq, opt)[0];
}

}  // namespace pdesym::learned
