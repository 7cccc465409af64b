// Validity-score discovery (after Ko et al. 2024): G vector fields chosen so that moving the data along them
// keeps the PDE residual small, measured infinitesimally by the prolonged action on data jets
// (validity_core.hpp). Two field models: "polynomial" (the fields are polynomials of the basis degree in hat
// coordinates, the hypothesis class the result is reported in) and "mlp" (affine map plus MLP, projected onto
// the basis afterwards). See docs/learned.md.
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "internal.hpp"
#include "mlp_fields.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/progress.hpp"
#include "torch_common.hpp"
#include "validity_core.hpp"

namespace pdesym::learned::detail {
namespace {

using torch::Tensor;

/// What a field model hands to the common output stage.
struct TrainedFields {
  Eigen::MatrixXd hat;                     ///< columns: generators as hat coefficients over the basis
  std::vector<double> history;             ///< per-epoch mean loss
  std::vector<double> projection_residuals;
  double projection_condition = 1;
  std::vector<double> model_scores;        ///< scores of the trained model's own fields (fresh samples)
  std::vector<double> full_batch_scores;   ///< polynomial model: the G + 1 smallest generalised eigenvalues
                                           ///< (the G-th to the (G+1)-th is the gap to the first non-symmetry)
};

/// Cosine decay of the learning rate from lr0 to 5% over the run.
void set_lr(torch::optim::Adam& adam, double lr0, int epoch, int epochs) {
  const double lr = lr0 * (0.05 + 0.95 * 0.5 * (1 + std::cos(M_PI * epoch / epochs)));
  for (auto& group : adam.param_groups()) static_cast<torch::optim::AdamOptions&>(group.options()).lr(lr);
}

constexpr double kFloor = 1e-8, kRidge = 1e-6, kOrth = 0.1, kSmooth = 0.1;

/// Subspace loss: sum of log generalised eigenvalues plus the orthogonality penalty on the characteristics.
Tensor subspace_loss(const Residual& r, double w2, int G) {
  const SubspaceScores sub = subspace_scores(r, w2, kRidge);
  Tensor loss = torch::log(sub.lambda + kFloor).sum();
  if (G > 1) loss = loss + kOrth * (sub.S - torch::eye(G, f64())).pow(2).sum();
  return loss;
}

/// Polynomial fields: generator g is a combination of the hat basis elements e_p. R and Q are linear in the
/// coefficients, so over the training sample the validity score of a combination c is the generalised Rayleigh
/// quotient c^T A c / c^T S c (A, S: Gram matrices of the basis elements' residuals and characteristics), and
/// the subspace loss is minimised exactly by the G lowest generalised eigenvectors of (A, S). They are computed
/// directly: S is diagonalised first and directions that do not move the data (S eigenvalues below 1e-12 of
/// the largest) are dropped. `epochs`, `lr` and `batch` are not used.
TrainedFields fit_polynomial(const JetTensors& J, const JetTensors& Je, const Frame& fr,
                               const symmetry::PolynomialBasis& basis, const LearnedOptions& opt, double w2) {
  const int G = opt.generators, P = basis.size();
  const Tensor Cb = coeff_tensor(basis, Eigen::MatrixXd::Identity(P, P));
  auto features = [&](const JetTensors& jt) {
    torch::NoGradGuard ng;
    return characteristic_residual([&](const std::array<Jet, 3>& z) { return poly_field_jet(basis, Cb, z); }, P, jt,
                                   fr);
  };
  const Residual F = features(J);  // [P, S]
  const double count = static_cast<double>(J.size());
  const Eigen::MatrixXd Sm = to_eigen(torch::matmul(F.Q, F.Q.transpose(0, 1))) / count;
  const Eigen::MatrixXd Am = to_eigen(torch::matmul(F.R, F.R.transpose(0, 1))) / (count * w2);
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> es(Sm);
  const Eigen::VectorXd ev = es.eigenvalues();
  std::vector<Eigen::Index> keep;
  for (Eigen::Index i = 0; i < ev.size(); ++i)
    if (ev[i] > 1e-12 * ev.maxCoeff()) keep.push_back(i);
  const int rank = static_cast<int>(keep.size());
  PDESYM_REQUIRE(rank >= G, "validity: only " << rank << " combinations of the degree-" << basis.degree()
                                               << " basis move the data; asked for " << G << " generators");
  Eigen::MatrixXd T(P, rank);  // whitened coordinates -> hat coefficients (T^T S T = I)
  for (int k = 0; k < rank; ++k) {
    const Eigen::Index i = keep[static_cast<std::size_t>(k)];
    T.col(k) = es.eigenvectors().col(i) / std::sqrt(ev[i]);
  }
  const Eigen::MatrixXd Aw = T.transpose() * Am * T;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> ea(0.5 * (Aw + Aw.transpose()));
  TrainedFields out;
  out.hat = T * ea.eigenvectors().leftCols(G);
  for (int k = 0; k < std::min(G + 1, rank); ++k) out.full_batch_scores.push_back(ea.eigenvalues()[k]);
  const Tensor Wh = to_tensor(out.hat).transpose(0, 1);  // [G, P]
  const Residual Fe = features(Je);
  const Tensor se = scores_of({torch::matmul(Wh, Fe.R), torch::matmul(Wh, Fe.Q)}, rate2(Je));
  for (int g = 0; g < G; ++g) out.model_scores.push_back(se[g].item<double>());
  out.projection_residuals.assign(static_cast<std::size_t>(G), 0.0);
  return out;
}

Tensor grad_or_zero(const Tensor& y, const Tensor& x) {
  auto g = torch::autograd::grad({y}, {x}, /*grad_outputs=*/{}, /*retain_graph=*/true, /*create_graph=*/true,
                                 /*allow_unused=*/true);
  return g[0].defined() ? g[0] : torch::zeros_like(x);
}

/// Neural fields (mlp_fields.hpp), trained with the subspace loss plus a smoothness penalty (Dirichlet energy in
/// hat coordinates relative to the field's magnitude), then projected onto the basis at points of the data graph.
TrainedFields train_mlp(const datasets::Split& data, const JetTensors& J, const JetTensors& Je, const Frame& fr,
                        const symmetry::PolynomialBasis& basis, const LearnedOptions& opt, double w2) {
  const int G = opt.generators;
  FieldBank bank(G, opt.hidden);
  torch::optim::Adam adam(bank->parameters(), torch::optim::AdamOptions(opt.lr));
  const long S = J.size();
  const int steps = std::max<int>(1, static_cast<int>(S / opt.batch));
  const auto field = [&](const std::array<Jet, 3>& z) { return bank->forward(z); };
  TrainedFields out;
  ProgressBar bar("validity", static_cast<std::size_t>(opt.epochs), opt.progress);
  for (int epoch = 0; epoch < opt.epochs; ++epoch) {
    set_lr(adam, opt.lr, epoch, opt.epochs);
    const Tensor perm = torch::randperm(S, torch::TensorOptions().dtype(torch::kLong));
    double epoch_loss = 0;
    for (int s = 0; s < steps; ++s) {
      const JetTensors Jb = J.select(perm.slice(0, static_cast<long>(s) * opt.batch, static_cast<long>(s + 1) * opt.batch));
      Tensor loss = subspace_loss(characteristic_residual(field, G, Jb, fr), w2, G);
      const Tensor zs = torch::stack({(Jb.x - fr.cx) / fr.sx, (Jb.t - fr.ct) / fr.st, (Jb.ux[0] - fr.cu) / fr.su}, -1)
                            .unsqueeze(0).expand({G, Jb.size(), 3}).clone().requires_grad_(true);
      const Tensor V = bank->forward(zs);
      Tensor dir = torch::zeros({G}, f64());
      for (int c = 0; c < 3; ++c) dir = dir + grad_or_zero(V.select(-1, c).sum(), zs).pow(2).sum(-1).mean(1);
      loss = loss + kSmooth * (dir / (V.pow(2).sum(-1).mean(1) + 1e-30)).sum();
      adam.zero_grad();
      loss.backward();
      adam.step();
      epoch_loss += loss.item<double>();
    }
    out.history.push_back(epoch_loss / steps);
    bar.tick();
  }
  bar.finish();

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
  out.hat = proj.hat;
  out.projection_residuals = proj.residual;
  out.projection_condition = proj.condition;
  const Tensor mlp = scores_of(characteristic_residual(field, G, Je, fr), rate2(Je)).detach();
  for (int g = 0; g < G; ++g) out.model_scores.push_back(mlp[g].item<double>());
  return out;
}

}  // namespace

symmetry::SymmetryResult run_validity(const datasets::Split& data, const LearnedOptions& opt,
                                      const symmetry::PolynomialBasis& basis,
                                      const symmetry::IdentifiedEquation& eq) {
  PDESYM_REQUIRE(opt.field == "polynomial" || opt.field == "mlp",
                 "validity: field model must be 'polynomial' or 'mlp', got '" << opt.field << "'");
  Stopwatch clock;
  torch_setup(opt);
  torch::AutoGradMode grad_on(true);
  const Frame fr = make_frame(data);
  const JetPoly F(eq);
  const JetTensors J = to_tensors(sample_jets(data, F, opt.samples, opt.seed * 7919 + 1));
  const JetTensors Je = to_tensors(sample_jets(data, F, std::min(opt.samples, 4096), opt.seed * 7919 + 3));
  const TrainedFields tf = opt.field == "polynomial" ? fit_polynomial(J, Je, fr, basis, opt, rate2(J))
                                                     : train_mlp(data, J, Je, fr, basis, opt, rate2(J));
  const Eigen::MatrixXd raw = to_raw_normalised(basis, fr, tf.hat);

  // Rayleigh-Ritz rotation of the projected span on fresh samples (generalised eigenvectors of the residual and
  // characteristic Gram matrices): columns come out ordered by validity score, best first.
  const double w2e = rate2(Je);
  const Residual pr = polynomial_residual(Je, fr, basis, raw);
  const Eigen::MatrixXd Sm = to_eigen(torch::matmul(pr.Q, pr.Q.transpose(0, 1)).detach());
  const Eigen::MatrixXd Am = to_eigen(torch::matmul(pr.R, pr.R.transpose(0, 1)).detach()) / w2e;
  Eigen::GeneralizedSelfAdjointEigenSolver<Eigen::MatrixXd> ges(Am, Sm);
  Eigen::MatrixXd rotated = raw * ges.eigenvectors();
  for (Eigen::Index g = 0; g < rotated.cols(); ++g) rotated.col(g).normalize();
  const Eigen::VectorXd proj_scores = scores_of_polynomials(Je, fr, basis, rotated);

  symmetry::SymmetryResult res;
  res.method = "validity";
  res.basis = basis;
  res.generators = rotated;
  res.extra["validity_scores"] = std::vector<double>(proj_scores.data(), proj_scores.data() + proj_scores.size());
  res.extra["model_validity_scores"] = tf.model_scores;
  if (!tf.full_batch_scores.empty()) res.extra["full_batch_scores"] = tf.full_batch_scores;
  res.extra["projection_residuals"] = tf.projection_residuals;
  res.extra["projection_condition"] = tf.projection_condition;
  res.extra["loss_history"] = thin_history(tf.history);
  res.extra["final_loss"] = tf.history.empty() ? 0.0 : tf.history.back();
  res.extra["field"] = opt.field;
  if (opt.field == "mlp") {
    res.extra["epochs"] = opt.epochs;
    res.extra["lr"] = opt.lr;
    res.extra["hidden"] = opt.hidden;
    res.extra["batch"] = opt.batch;
  }
  res.extra["samples"] = opt.samples;
  res.extra["equation"] = F.text();
  res.extra["frame"] = {{"cx", fr.cx}, {"sx", fr.sx}, {"ct", fr.ct}, {"st", fr.st}, {"cu", fr.cu}, {"su", fr.su}};
  res.extra["seconds"] = clock.seconds();
  return res;
}

}  // namespace pdesym::learned::detail
