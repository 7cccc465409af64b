// Sparse regression (regression.hpp): the library on unit-RMS columns factorised once, cross-validation folds, STLSQ
// along a threshold path, model selection (penalised CV or BIC) and the least-squares refit.
#include "regression.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

#include "pdesym/common/error.hpp"

namespace pdesym::symmetry {

namespace {

// A support found on the threshold path; score = CV error (cross-validation) or fit residual (BIC).
struct ModelCandidate {
  std::vector<int> support;
  double score;
  double lambda;
};

// Upper-triangular factor (min(rows, cols) x cols) of a QR decomposition of A.
Eigen::MatrixXd triangular_factor(const Eigen::MatrixXd& A) {
  const int k = static_cast<int>(std::min(A.rows(), A.cols()));
  if (k == 0) return Eigen::MatrixXd::Zero(0, A.cols());
  Eigen::HouseholderQR<Eigen::MatrixXd> qr(A);
  return qr.matrixQR().topRows(k).triangularView<Eigen::Upper>();
}

// Least squares over columns `cols` of the factor R = [R_A c] (last column = right-hand side): min ||R_S xi - c||.
// Column-pivoted QR keeps nearly collinear library columns harmless.
Eigen::VectorXd reduced_solve(const Eigen::MatrixXd& R, const std::vector<int>& cols) {
  if (cols.empty()) return Eigen::VectorXd();
  const int p = static_cast<int>(R.cols()) - 1;
  Eigen::MatrixXd A(R.rows(), static_cast<int>(cols.size()));
  for (std::size_t j = 0; j < cols.size(); ++j) A.col(static_cast<int>(j)) = R.col(cols[j]);
  return A.colPivHouseholderQr().solve(R.col(p));
}

// ||R_S xi - c||^2 = the squared residual of the rows behind R, up to the constant rho^2 that is part of R's
// last diagonal entry (included here since R carries the augmented column).
double reduced_residual2(const Eigen::MatrixXd& R, const std::vector<int>& cols, const Eigen::VectorXd& xi) {
  const int p = static_cast<int>(R.cols()) - 1;
  Eigen::VectorXd r = R.col(p);
  for (std::size_t j = 0; j < cols.size(); ++j) r -= xi[static_cast<int>(j)] * R.col(cols[j]);
  return r.squaredNorm();
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// Sparse regression: fold factors, STLSQ along a threshold path, model selection
// ---------------------------------------------------------------------------------------------------------

namespace {

// The regression on unit-RMS columns, factorised once. Every least-squares problem over a subset of columns and
// a union of folds is solved on the small triangular factor of that union: with [Theta y] = Q [R c; 0 rho],
// ||Theta_S xi - y||^2 = ||R_S xi - c||^2 + rho^2 (no squaring of the condition number), and the factor of a
// union of folds is the QR factor of the stacked factors of the folds.
struct FoldedRegression {
  int p = 0, nfolds = 1;
  Eigen::VectorXd scale;            ///< RMS of each raw library column (0: column identically zero)
  std::vector<int> active;          ///< columns with scale > 0
  double ynorm = 0;
  std::vector<Eigen::MatrixXd> fold_R;   ///< factor of each fold
  std::vector<Eigen::MatrixXd> train_R;  ///< factor of all folds but one (cross-validation)
  Eigen::MatrixXd R_all;                 ///< factor of all rows
};

// Folds: trajectories modulo nfolds (at most 4), or the two time halves of a single trajectory.
FoldedRegression fold_regression(const RegressionData& reg, const datasets::Split& d, int nfolds) {
  FoldedRegression fr;
  const int N = static_cast<int>(reg.y.size());
  fr.p = static_cast<int>(reg.theta.cols());
  fr.nfolds = nfolds;
  fr.scale.resize(fr.p);
  for (int c = 0; c < fr.p; ++c) {
    fr.scale[c] = reg.theta.col(c).norm() / std::sqrt(static_cast<double>(N));
    if (fr.scale[c] > 0) fr.active.push_back(c);
  }
  fr.ynorm = reg.y.norm();
  std::vector<std::vector<int>> rows(static_cast<std::size_t>(nfolds));
  for (int s = 0; s < N; ++s) {
    const int f = nfolds == 1 ? 0
                  : d.n >= 2  ? reg.traj[static_cast<std::size_t>(s)] % nfolds
                              : (reg.row[static_cast<std::size_t>(s)] < d.nt / 2 ? 0 : 1);
    rows[static_cast<std::size_t>(f)].push_back(s);
  }
  for (const auto& rs : rows) {
    Eigen::MatrixXd A(static_cast<int>(rs.size()), fr.p + 1);
    for (std::size_t r = 0; r < rs.size(); ++r) {
      for (int c = 0; c < fr.p; ++c)
        A(static_cast<int>(r), c) = fr.scale[c] > 0 ? reg.theta(rs[r], c) / fr.scale[c] : 0.0;
      A(static_cast<int>(r), fr.p) = reg.y[rs[r]];
    }
    fr.fold_R.push_back(triangular_factor(A));
  }
  auto union_factor = [&](int skip) {
    int n = 0;
    for (int f = 0; f < nfolds; ++f)
      if (f != skip) n += static_cast<int>(fr.fold_R[static_cast<std::size_t>(f)].rows());
    Eigen::MatrixXd S(n, fr.p + 1);
    int at = 0;
    for (int f = 0; f < nfolds; ++f) {
      if (f == skip) continue;
      const auto& R = fr.fold_R[static_cast<std::size_t>(f)];
      S.middleRows(at, R.rows()) = R;
      at += static_cast<int>(R.rows());
    }
    return triangular_factor(S);
  };
  fr.R_all = nfolds == 1 ? fr.fold_R[0] : union_factor(-1);
  if (nfolds > 1)
    for (int g = 0; g < nfolds; ++g) fr.train_R.push_back(union_factor(g));
  return fr;
}

// Sequentially thresholded least squares on R: drop coefficients below lambda times the largest, refit, repeat.
std::vector<int> stlsq(const FoldedRegression& fr, double lambda) {
  std::vector<int> support = fr.active;
  Eigen::VectorXd xi = reduced_solve(fr.R_all, support);
  for (int iter = 0; iter < 50; ++iter) {
    const double big = xi.size() ? xi.cwiseAbs().maxCoeff() : 0.0;
    std::vector<int> keep;
    for (std::size_t j = 0; j < support.size(); ++j)
      if (std::abs(xi[static_cast<int>(j)]) >= lambda * big) keep.push_back(support[j]);
    if (keep.size() == support.size()) break;
    support = keep;
    xi = reduced_solve(fr.R_all, support);
  }
  return support;
}

// Relative residual ||Theta_S xi - y|| / ||y|| of the least-squares fit on all rows.
double fit_residual(const FoldedRegression& fr, const std::vector<int>& cols) {
  const Eigen::VectorXd xi = reduced_solve(fr.R_all, cols);
  return fr.ynorm > 0 ? std::sqrt(reduced_residual2(fr.R_all, cols, xi)) / fr.ynorm : 0.0;
}

double cv_error(const FoldedRegression& fr, const std::vector<int>& cols) {
  double e2 = 0;
  for (int g = 0; g < fr.nfolds; ++g) {
    const Eigen::VectorXd xi = reduced_solve(fr.train_R[static_cast<std::size_t>(g)], cols);
    e2 += reduced_residual2(fr.fold_R[static_cast<std::size_t>(g)], cols, xi);
  }
  return std::sqrt(e2) / fr.ynorm;
}

// The distinct supports of STLSQ for thresholds lo * 10^(k/4) < 1, each with its score: the cross-validation
// error, or the fit residual when the criterion is an information criterion.
std::vector<ModelCandidate> threshold_path(const FoldedRegression& fr, const IdentifyOptions& opt) {
  std::vector<ModelCandidate> cands;
  const double lo = std::max(opt.threshold, 1e-10);
  for (int k = 0;; ++k) {
    const double lambda = lo * std::pow(10.0, 0.25 * k);
    if (lambda >= 1.0) break;
    std::vector<int> sup = stlsq(fr, lambda);
    bool seen = false;
    for (const auto& c : cands) seen = seen || c.support == sup;
    if (seen) continue;
    const double score = opt.criterion == Criterion::CrossValidation ? cv_error(fr, sup) : fit_residual(fr, sup);
    cands.push_back({sup, score, lambda});
  }
  return cands;
}

// Cross-validation rule: the sparsest support whose penalised CV error (times (1 + cv_term_penalty)^terms) is
// within (1 + cv_tolerance) of the best plus cv_slack. Information criterion: the smallest
// N log(r^2 + floor^2) + terms * log N (BIC) with r the relative fit residual and floor = cv_slack.
const ModelCandidate& select_model(const std::vector<ModelCandidate>& cands, const IdentifyOptions& opt, int N) {
  PDESYM_CHECK(!cands.empty(), "no candidate model");
  const ModelCandidate* pick = nullptr;
  if (opt.criterion == Criterion::Bic) {
    double best = 1e300;
    for (const auto& c : cands) {
      const double r2 = c.score * c.score + opt.cv_slack * opt.cv_slack;
      const double bic = N * std::log(r2) + static_cast<double>(c.support.size()) * std::log(static_cast<double>(N));
      if (bic < best) {
        best = bic;
        pick = &c;
      }
    }
    return *pick;
  }
  auto penalised = [&](const ModelCandidate& c) {
    return c.score * std::pow(1.0 + opt.cv_term_penalty, static_cast<double>(c.support.size()));
  };
  double best = 1e300;
  for (const auto& c : cands) best = std::min(best, penalised(c));
  for (const auto& c : cands)
    if (penalised(c) <= best * (1.0 + opt.cv_tolerance) + opt.cv_slack &&
        (!pick || c.support.size() < pick->support.size() ||
         (c.support.size() == pick->support.size() && c.score < pick->score)))
      pick = &c;
  PDESYM_CHECK(pick, "no candidate model");
  return *pick;
}

}  // namespace

SparseFit fit_sparse(const RegressionData& reg, const datasets::Split& d, const IdentifyOptions& opt) {
  const int N = static_cast<int>(reg.y.size());
  const bool cv = opt.select && opt.criterion == Criterion::CrossValidation;
  const FoldedRegression fr = fold_regression(reg, d, cv ? (d.n >= 2 ? std::min(d.n, 4) : 2) : 1);
  SparseFit fit;
  if (!opt.select) {
    fit.support = stlsq(fr, opt.threshold);
  } else {
    const std::vector<ModelCandidate> cands = threshold_path(fr, opt);
    fit.support = select_model(cands, opt, N).support;
    if (std::getenv("PDESYM_DEBUG_IDENTIFY")) {
      for (const auto& c : cands) {
        std::fprintf(stderr, "  lambda %.2e  score %.4e  terms %zu:", c.lambda, c.score, c.support.size());
        for (std::size_t j = 0; j < c.support.size() && j < 8; ++j)
          if (!reg.library.empty())
            std::fprintf(stderr, " %s", reg.library[static_cast<std::size_t>(c.support[j])].name().c_str());
        std::fprintf(stderr, "\n");
      }
    }
  }
  const Eigen::VectorXd xi = reduced_solve(fr.R_all, fit.support);
  for (std::size_t j = 0; j < fit.support.size(); ++j)
    fit.coeffs.push_back(xi[static_cast<int>(j)] / fr.scale[fit.support[j]]);
  fit.residual = fit_residual(fr, fit.support);
  fit.library_residual = fit_residual(fr, fr.active);
  return fit;
}

}  // namespace pdesym::symmetry
