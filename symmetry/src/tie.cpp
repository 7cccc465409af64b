// Structure-preserving refit of identified models (regression.hpp: tie_coefficients).
#include <algorithm>
#include <cmath>
#include <limits>

#include "pdesym/common/error.hpp"
#include "regression.hpp"

namespace pdesym::symmetry {

namespace {

struct Term {
  int comp, col;
  double sign;
};

// Joint least squares of the magnitudes for a partition of the terms; returns per-component coefficients and
// relative residuals.
void solve_tied(const Eigen::MatrixXd& theta, const Eigen::MatrixXd& Y, const std::vector<Term>& terms,
                const std::vector<int>& group, int ng, const std::vector<double>& ynorm, std::vector<double>& mag,
                std::vector<double>& resid) {
  const Eigen::Index N = theta.rows();
  const int nc = static_cast<int>(Y.cols());
  Eigen::MatrixXd A = Eigen::MatrixXd::Zero(N * nc, ng);
  Eigen::VectorXd b(N * nc);
  for (int a = 0; a < nc; ++a) b.segment(a * N, N) = Y.col(a) / ynorm[static_cast<std::size_t>(a)];
  for (std::size_t k = 0; k < terms.size(); ++k) {
    const Term& t = terms[k];
    A.block(t.comp * N, group[k], N, 1) += theta.col(t.col) * (t.sign / ynorm[static_cast<std::size_t>(t.comp)]);
  }
  const Eigen::VectorXd g = A.colPivHouseholderQr().solve(b);
  mag.assign(g.data(), g.data() + g.size());
  const Eigen::VectorXd r = b - A * g;
  resid.assign(static_cast<std::size_t>(nc), 0.0);
  for (int a = 0; a < nc; ++a) resid[static_cast<std::size_t>(a)] = r.segment(a * N, N).norm();  // b_a has unit norm
}

}  // namespace

TiedFit tie_coefficients(const Eigen::MatrixXd& theta, const Eigen::MatrixXd& Y,
                         const std::vector<std::vector<int>>& support, const std::vector<std::vector<double>>& coeffs,
                         const std::vector<double>& residuals, const IdentifyOptions& opt) {
  const int nc = static_cast<int>(Y.cols());
  PDESYM_CHECK(static_cast<int>(support.size()) == nc && coeffs.size() == support.size() &&
                   residuals.size() == support.size(),
               "tie_coefficients: one model per response column");
  std::vector<Term> terms;
  std::vector<double> mag;
  for (int a = 0; a < nc; ++a)
    for (std::size_t j = 0; j < support[static_cast<std::size_t>(a)].size(); ++j) {
      const double c = coeffs[static_cast<std::size_t>(a)][j];
      terms.push_back({a, support[static_cast<std::size_t>(a)][j], c < 0 ? -1.0 : 1.0});
      mag.push_back(std::abs(c));
    }
  TiedFit out;
  out.terms = static_cast<int>(terms.size());
  out.coeffs = coeffs;
  out.residuals = residuals;
  std::vector<int> group(terms.size());
  for (std::size_t k = 0; k < terms.size(); ++k) group[k] = static_cast<int>(k);
  int ng = static_cast<int>(terms.size());
  std::vector<double> ynorm(static_cast<std::size_t>(nc));
  for (int a = 0; a < nc; ++a) ynorm[static_cast<std::size_t>(a)] = std::max(Y.col(a).norm(), 1e-300);

  if (opt.tie_tolerance > 0 && ng > 1) {
    std::vector<double> gmag = mag;  // magnitude per group
    std::vector<std::pair<int, int>> refused;
    for (;;) {
      // Closest pair of groups (relative difference of magnitudes) not yet refused.
      int bg = -1, bh = -1;
      double best = std::numeric_limits<double>::infinity();
      for (int g = 0; g < ng; ++g)
        for (int h = g + 1; h < ng; ++h) {
          const double big = std::max(std::abs(gmag[static_cast<std::size_t>(g)]), std::abs(gmag[static_cast<std::size_t>(h)]));
          if (!(big > 0)) continue;
          const double rel = std::abs(gmag[static_cast<std::size_t>(g)] - gmag[static_cast<std::size_t>(h)]) / big;
          if (rel > opt.tie_tolerance || rel >= best) continue;
          if (std::find(refused.begin(), refused.end(), std::make_pair(g, h)) != refused.end()) continue;
          best = rel;
          bg = g;
          bh = h;
        }
      if (bg < 0) break;
      std::vector<int> trial = group;
      for (int& v : trial) {
        if (v == bh) v = bg;
        else if (v > bh) --v;
      }
      std::vector<double> tmag, tres;
      solve_tied(theta, Y, terms, trial, ng - 1, ynorm, tmag, tres);
      bool ok = true;
      for (int a = 0; a < nc; ++a)
        ok = ok && tres[static_cast<std::size_t>(a)] <=
                       residuals[static_cast<std::size_t>(a)] * (1 + opt.tie_residual) + opt.cv_slack;
      if (!ok) {
        refused.emplace_back(bg, bh);
        continue;
      }
      // Accepted: renumber the refused pairs for the merged numbering.
      std::vector<std::pair<int, int>> keep;
      for (auto [g, h] : refused) {
        if (g == bh || h == bh) continue;  // the merged group is a new one: its pairs are tried again
        if (g == bg || h == bg) continue;
        keep.emplace_back(g > bh ? g - 1 : g, h > bh ? h - 1 : h);
      }
      refused = keep;
      group = trial;
      --ng;
      gmag = tmag;
      out.residuals = tres;
    }
    // Coefficients from the final magnitudes (unchanged when no merge was accepted).
    if (ng < static_cast<int>(terms.size())) {
      std::size_t k = 0;
      for (int a = 0; a < nc; ++a)
        for (std::size_t j = 0; j < support[static_cast<std::size_t>(a)].size(); ++j, ++k)
          out.coeffs[static_cast<std::size_t>(a)][j] = terms[k].sign * gmag[static_cast<std::size_t>(group[k])];
    }
  }
  out.groups = ng;
  out.group.resize(static_cast<std::size_t>(nc));
  std::size_t k = 0;
  for (int a = 0; a < nc; ++a)
    for (std::size_t j = 0; j < support[static_cast<std::size_t>(a)].size(); ++j, ++k)
      out.group[static_cast<std::size_t>(a)].push_back(group[k]);
  return out;
}

}  // namespace pdesym::symmetry
