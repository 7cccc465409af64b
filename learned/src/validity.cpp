// Validity-score discovery (after Ko et al. 2024): neural vector fields V_g(x, t, u) trained so that moving
// the data along them keeps the PDE residual small, measured infinitesimally by the prolonged action on
// data jets. See docs/learned.md for the formulation.
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <functional>
#include <map>
#include <memory>
#include <numeric>

#include "internal.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/progress.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/learned/validity.hpp"
#include "pdesym/solvers/spectral.hpp"
#include "torch_common.hpp"

namespace pdesym::learned {
namespace detail {
namespace {

using torch::Tensor;

/// Jet samples as tensors (all [B], float64).
struct JetTensors {
  int order = 0;
  Tensor x, t, utt;
  std::vector<Tensor> ux, uxt, dF;
  long size() const { return x.size(0); }
  JetTensors select(const Tensor& idx) const {
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
};

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

/// Truncated Taylor polynomial in two offsets (a, b) around a sample: coefficients of a^0..a^n and of b,
/// arithmetic modulo (a^{n+1}, a b, b^2) -- exactly what the total derivatives D_x^k (k <= n) and D_t at the
/// sample need. Each coefficient is a tensor (any shape); this is forward-mode ("Taylor mode") differentiation,
/// so a single ordinary backward pass trains through it.
struct Jet {
  std::vector<Tensor> c;  ///< c[i]: coefficient of a^i
  Tensor b;               ///< coefficient of b
  int n() const { return static_cast<int>(c.size()) - 1; }
};

Jet operator+(const Jet& p, const Jet& q) {
  Jet r;
  for (std::size_t i = 0; i < p.c.size(); ++i) r.c.push_back(p.c[i] + q.c[i]);
  r.b = p.b + q.b;
  return r;
}
Jet operator-(const Jet& p, const Jet& q) {
  Jet r;
  for (std::size_t i = 0; i < p.c.size(); ++i) r.c.push_back(p.c[i] - q.c[i]);
  r.b = p.b - q.b;
  return r;
}
Jet operator*(const Jet& p, const Jet& q) {
  Jet r;
  const int n = p.n();
  for (int k = 0; k <= n; ++k) {
    Tensor s = p.c[0] * q.c[static_cast<std::size_t>(k)];
    for (int i = 1; i <= k; ++i) s = s + p.c[static_cast<std::size_t>(i)] * q.c[static_cast<std::size_t>(k - i)];
    r.c.push_back(s);
  }
  r.b = p.c[0] * q.b + p.b * q.c[0];
  return r;
}
Jet operator*(double s, const Jet& p) {
  Jet r;
  for (const auto& t : p.c) r.c.push_back(s * t);
  r.b = s * p.b;
  return r;
}
/// Applies the same function to every coefficient (linear maps only).
template <class Fn>
Jet map_linear(const Jet& p, Fn fn) {
  Jet r;
  for (const auto& t : p.c) r.c.push_back(fn(t));
  r.b = fn(p.b);
  return r;
}
/// Batched affine map t @ W + bias on a jet (the bias only enters the constant coefficient).
Jet jet_affine(const Jet& p, const Tensor& W, const Tensor& bias) {
  Jet r = map_linear(p, [&](const Tensor& t) { return torch::bmm(t, W); });
  if (bias.defined()) r.c[0] = r.c[0] + bias;
  return r;
}
/// tanh of a jet: y' = (1 - y^2) p' gives k y_k = sum_{j=1..k} j p_j w_{k-j} with w = 1 - y^2.
Jet jet_tanh(const Jet& p) {
  const int n = p.n();
  Jet y;
  y.c.push_back(torch::tanh(p.c[0]));
  std::vector<Tensor> w;
  for (int k = 1; k <= n; ++k) {
    // w_{k-1} from y_0..y_{k-1}
    const int m = k - 1;
    Tensor wm = -y.c[0] * y.c[static_cast<std::size_t>(m)];
    for (int i = 1; i <= m; ++i) wm = wm - y.c[static_cast<std::size_t>(i)] * y.c[static_cast<std::size_t>(m - i)];
    if (m == 0) wm = wm + 1.0;
    w.push_back(wm);
    Tensor yk = p.c[1] * w[static_cast<std::size_t>(k - 1)];
    for (int j = 2; j <= k; ++j) yk = yk + static_cast<double>(j) * p.c[static_cast<std::size_t>(j)] * w[static_cast<std::size_t>(k - j)];
    y.c.push_back(yk / static_cast<double>(k));
  }
  y.b = (1.0 - y.c[0] * y.c[0]) * p.b;
  return y;
}

/// A vector field in hat coordinates and hat units, acting on jets: (x_hat, t_hat, u_hat) -> (xi_hat, tau_hat,
/// phi_hat). Coefficient tensors are [G, B] (one field per generator g).
using FieldFn = std::function<std::array<Jet, 3>(const std::array<Jet, 3>&)>;

struct Residual {
  Tensor R;  ///< [G, B] pr V_Q (u_t - F) at the samples
  Tensor Q;  ///< [G, B] characteristic phi - xi u_x - tau u_t (in units of s_u)
};

/// The linearised residual of the equation under G fields at each jet sample. The solution near a sample is
/// its Taylor polynomial U(a, b); the characteristic Q(x + a, t + b, U, U_a, U_b) is propagated as a jet, and
/// D_x^k Q = k! [a^k] Q, D_t Q = [b] Q at the sample.
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

Tensor grad_or_zero(const Tensor& y, const Tensor& x) {
  auto g = torch::autograd::grad({y}, {x}, /*grad_outputs=*/{}, /*retain_graph=*/true, /*create_graph=*/true,
                                 /*allow_unused=*/true);
  return g[0].defined() ? g[0] : torch::zeros_like(x);
}

/// Squared characteristic rate of the data, mean(u_t^2) / mean((u - mean u)^2): divides raw scores so that
/// they do not depend on the time unit.
double rate2(const JetTensors& J) {
  const double ut2 = J.uxt[0].pow(2).mean().item<double>();
  const double u2 = (J.ux[0] - J.ux[0].mean()).pow(2).mean().item<double>();
  return (ut2 > 0 && u2 > 0) ? ut2 / u2 : 1.0;
}

/// Per-generator scores [G].
Tensor scores_of(const Residual& r, double omega2) { return r.R.pow(2).mean(1) / (r.Q.pow(2).mean(1) * omega2); }

/// Subspace form: S = <Q_g, Q_h>, A = <R_g, R_h> / omega2 over the samples, both with unit-diagonal scaling
/// of S. The generalised eigenvalues of (A, S) are the validity scores of the best-separated combinations of
/// the fields (a Rayleigh-Ritz step); they blow up when two fields become dependent.
struct SubspaceScores {
  Tensor S;        ///< [G, G] normalised Gram matrix of the characteristics
  Tensor lambda;   ///< [G] ascending generalised eigenvalues
};
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

/// G independent fields, each an affine map plus an MLP (3 -> H -> H -> 3, tanh) in hat coordinates,
/// evaluated as one batched computation ([G, B, 3] tensors, or jets with [G, B] coefficients). The affine
/// skip path makes the (mostly affine) symmetries of evolution equations easy to represent; the MLP adds
/// any nonlinear dependence.
struct FieldBankImpl : torch::nn::Module {
  FieldBankImpl(int G, int H) {
    auto w = [&](long in, long out, long rows, double scale) {
      return torch::randn({G, rows, out}, f64()) * (scale / std::sqrt(static_cast<double>(in)));
    };
    A = register_parameter("A", w(3, 3, 3, 1.0));
    a0 = register_parameter("a0", w(3, 3, 1, 1.0));
    W1 = register_parameter("W1", w(3, H, 3, 1.0));
    b1 = register_parameter("b1", w(3, H, 1, 0.5));
    W2 = register_parameter("W2", w(H, H, H, 1.0));
    b2 = register_parameter("b2", w(H, H, 1, 0.5));
    W3 = register_parameter("W3", w(H, 3, H, 0.05));
  }
  /// z [G, B, 3] -> [G, B, 3]
  Tensor forward(const Tensor& z) {
    Tensor h = torch::tanh(torch::baddbmm(b1, z, W1));
    h = torch::tanh(torch::baddbmm(b2, h, W2));
    return torch::baddbmm(a0, z, A) + torch::bmm(h, W3);
  }
  /// Same map on jets (coefficients [G, B]).
  std::array<Jet, 3> forward(const std::array<Jet, 3>& z) {
    // Stack the three input jets into jets of [G, B, 3] tensors.
    Jet zs;
    for (std::size_t i = 0; i < z[0].c.size(); ++i) zs.c.push_back(torch::stack({z[0].c[i], z[1].c[i], z[2].c[i]}, -1));
    zs.b = torch::stack({z[0].b, z[1].b, z[2].b}, -1);
    Jet h = jet_tanh(jet_affine(zs, W1, b1));
    h = jet_tanh(jet_affine(h, W2, b2));
    const Jet out = jet_affine(zs, A, a0) + jet_affine(h, W3, Tensor());
    std::array<Jet, 3> r;
    for (int c = 0; c < 3; ++c) r[static_cast<std::size_t>(c)] = map_linear(out, [c](const Tensor& t) { return t.select(-1, c); });
    return r;
  }
  Tensor A, a0, W1, b1, W2, b2, W3;
};
TORCH_MODULE(FieldBank);

/// Polynomial fields (coefficient tensor C [G, 3, M] in hat coordinates) acting on jets.
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

symmetry::SymmetryResult run_validity(const datasets::Split& data, const LearnedOptions& opt,
                                      const symmetry::PolynomialBasis& basis,
                                      const symmetry::IdentifiedEquation& eq) {
  Stopwatch clock;
  torch_setup(opt);
  torch::AutoGradMode grad_on(true);
  const Frame fr = make_frame(data);
  const JetPoly F(eq);
  const JetTensors J = to_tensors(sample_jets(data, F, opt.samples, opt.seed * 7919 + 1));
  const double w2 = rate2(J);
  const int G = opt.generators;

  const int epochs = opt.epochs > 0 ? opt.epochs : 60;
  const double lr0 = opt.lr > 0 ? opt.lr : 0.05;
  FieldBank bank(G, opt.hidden);
  torch::optim::Adam adam(bank->parameters(), torch::optim::AdamOptions(lr0));
  const long S = J.size();
  const int batch = opt.batch > 0 ? opt.batch : 256;
  const int steps = std::max<int>(1, static_cast<int>(S / batch));
  const double w_orth = 0.1, w_smooth = 0.1, floor = 1e-8, ridge = 1e-6;
  const auto field = [&](const std::array<Jet, 3>& z) { return bank->forward(z); };

  std::vector<double> history;
  ProgressBar bar("validity", static_cast<std::size_t>(epochs), opt.progress);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    // Cosine decay of the learning rate to 5% over the run.
    const double lr = lr0 * (0.05 + 0.95 * 0.5 * (1 + std::cos(M_PI * epoch / epochs)));
    for (auto& group : adam.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
    const Tensor perm = torch::randperm(S, torch::TensorOptions().dtype(torch::kLong));
    double epoch_loss = 0;
    for (int s = 0; s < steps; ++s) {
      const JetTensors Jb = J.select(perm.slice(0, static_cast<long>(s) * batch, static_cast<long>(s + 1) * batch));
      const Residual r = characteristic_residual(field, G, Jb, fr);
      const SubspaceScores sub = subspace_scores(r, w2, ridge);
      Tensor loss = torch::log(sub.lambda + floor).sum();
      if (G > 1) loss = loss + w_orth * (sub.S - torch::eye(G, f64())).pow(2).sum();
      // Smoothness: Dirichlet energy of each field in hat coordinates relative to its magnitude.
      const Tensor zs = torch::stack({(Jb.x - fr.cx) / fr.sx, (Jb.t - fr.ct) / fr.st, (Jb.ux[0] - fr.cu) / fr.su}, -1)
                            .unsqueeze(0).expand({G, Jb.size(), 3}).clone().requires_grad_(true);
      const Tensor V = bank->forward(zs);
      Tensor dir = torch::zeros({G}, f64());
      for (int c = 0; c < 3; ++c) dir = dir + grad_or_zero(V.select(-1, c).sum(), zs).pow(2).sum(-1).mean(1);
      loss = loss + w_smooth * (dir / (V.pow(2).sum(-1).mean(1) + 1e-30)).sum();
      adam.zero_grad();
      loss.backward();
      adam.step();
      epoch_loss += loss.item<double>();
    }
    history.push_back(epoch_loss / steps);
    bar.tick();
  }
  bar.finish();

  // Project the learned fields onto the basis at points of the data graph.
  const Eigen::MatrixXd pts = sample_graph_points(data, std::max(opt.samples, 4096), opt.seed * 7919 + 2);
  Eigen::MatrixXd zh(pts.rows(), 3);
  zh.col(0) = (pts.col(0).array() - fr.cx) / fr.sx;
  zh.col(1) = (pts.col(1).array() - fr.ct) / fr.st;
  zh.col(2) = (pts.col(2).array() - fr.cu) / fr.su;
  std::vector<Eigen::MatrixXd> fields;
  {
    torch::NoGradGuard ng;
    const Tensor V = bank->forward(to_tensor(zh).unsqueeze(0).expand({G, zh.rows(), 3}).contiguous());
    for (int g = 0; g < G; ++g) fields.push_back(to_eigen(V[g]));
  }
  const Projection proj = project_fields(basis, zh, fields);
  const Eigen::MatrixXd raw = to_raw_normalised(basis, fr, proj.hat);

  // Scores on fresh samples: of the networks, and of the projected span after a Rayleigh-Ritz rotation
  // (generalised eigenvectors of the residual and characteristic Gram matrices), best first.
  const JetTensors Je = to_tensors(sample_jets(data, F, std::min(opt.samples, 4096), opt.seed * 7919 + 3));
  const double w2e = rate2(Je);
  const Tensor mlp = scores_of(characteristic_residual(field, G, Je, fr), w2e).detach();
  const Residual pr = polynomial_residual(Je, fr, basis, raw);
  const Eigen::MatrixXd Sm = to_eigen(torch::matmul(pr.Q, pr.Q.transpose(0, 1)).detach());
  const Eigen::MatrixXd Am = to_eigen(torch::matmul(pr.R, pr.R.transpose(0, 1)).detach()) / w2e;
  Eigen::GeneralizedSelfAdjointEigenSolver<Eigen::MatrixXd> ges(Am, Sm);
  Eigen::MatrixXd rotated = raw * ges.eigenvectors();  // columns ascending in score
  for (Eigen::Index g = 0; g < rotated.cols(); ++g) rotated.col(g).normalize();
  const Eigen::VectorXd proj_scores = scores_of_polynomials(Je, fr, basis, rotated);

  symmetry::SymmetryResult res;
  res.method = "validity";
  res.basis = basis;
  res.generators = rotated;
  std::vector<double> msc;
  for (int g = 0; g < G; ++g) msc.push_back(mlp[g].item<double>());
  res.extra["validity_scores"] = std::vector<double>(proj_scores.data(), proj_scores.data() + proj_scores.size());
  res.extra["mlp_validity_scores"] = msc;
  res.extra["projection_residuals"] = proj.residual;
  res.extra["projection_condition"] = proj.condition;
  res.extra["loss_history"] = thin_history(history);
  res.extra["final_loss"] = history.empty() ? 0.0 : history.back();
  res.extra["epochs"] = epochs;
  res.extra["lr"] = lr0;
  res.extra["hidden"] = opt.hidden;
  res.extra["samples"] = opt.samples;
  res.extra["batch"] = batch;
  res.extra["equation"] = F.text();
  res.extra["frame"] = {{"cx", fr.cx}, {"sx", fr.sx}, {"ct", fr.ct}, {"st", fr.st}, {"cu", fr.cu}, {"su", fr.su}};
  res.extra["seconds"] = clock.seconds();
  return res;
}

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

double equation_residual(const datasets::Split& data, const symmetry::IdentifiedEquation& eq,
                         const ValidityOptions& opt) {
  using namespace detail;
  check_split(data, "equation residual");
  PDESYM_REQUIRE(data.nt >= 5, "equation residual: need at least 5 time steps, split '" << data.name << "' has "
                                                                                     << data.nt);
  const JetPoly F(eq);
  Rng rng(opt.seed, 0x5e5, 0);
  std::vector<solvers::rvec> jets;
  std::vector<double> jet(static_cast<std::size_t>(F.width()));
  double num = 0, den = 0;
  // Whole rows: a few random (trajectory, interior time) rows, every x.
  const int rows = std::max(1, opt.samples / data.nx);
  std::map<int, std::unique_ptr<solvers::SpectralDerivative>> deriv;
  for (int k = 0; k < rows; ++k) {
    const int i = static_cast<int>(rng.uniform_int(0, data.n - 1));
    const int r = static_cast<int>(rng.uniform_int(2, data.nt - 3));
    auto& D = deriv[i];
    if (!D) D = std::make_unique<solvers::SpectralDerivative>(solvers::Grid(data.nx, data.L(i)));
    const double* u = data.traj(i);
    const std::size_t nx = static_cast<std::size_t>(data.nx);
    D->jets(u + r * nx, F.order(), jets);
    const double dt = data.t[static_cast<std::size_t>(i) * data.nt + r + 1] - data.t[static_cast<std::size_t>(i) * data.nt + r];
    PDESYM_REQUIRE(dt > 0, "equation residual: times of trajectory " << i << " are not increasing");
    for (std::size_t j = 0; j < nx; ++j) {
      const double ut = (-u[(r + 2) * nx + j] + 8 * u[(r + 1) * nx + j] - 8 * u[(r - 1) * nx + j] + u[(r - 2) * nx + j]) / (12 * dt);
      for (int q = 0; q < F.width(); ++q) jet[static_cast<std::size_t>(q)] = jets[static_cast<std::size_t>(q)][j];
      const double e = ut - F.eval(jet.data());
      num += e * e;
      den += ut * ut;
    }
  }
  return den > 0 ? std::sqrt(num / den) : 0.0;
}

}  // namespace pdesym::learned
