// Lie-derivative nullspace discovery (nullspace.hpp).
#include "pdesym/symmetry/nullspace.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>

#include "pdesym/common/error.hpp"
#include "pdesym/symmetry/plot.hpp"
#include "pdesym/symmetry/system.hpp"

namespace pdesym::symmetry {

namespace {
double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

nlohmann::json preprocessing_json(const JetPreprocessing& p) {
  return {{"noise_rel_estimate", p.noise_rel},
          {"regime", !p.weak                    ? "pointwise (clean data)"
                     : p.pointwise_residual >= 0 ? "weak-form (poor pointwise fit: coarse time step?)"
                                                 : "weak-form (noisy data)"},
          {"pointwise_residual", p.pointwise_residual},
          {"weak_residual", p.weak_residual},
          {"cutoff_mode", p.cutoff_mode},
          {"x_taper_modes", p.x_taper_modes},
          {"t_halfwidth_rows", p.t_halfwidth}};
}
}  // namespace

GapDecision choose_nullity(const std::vector<double>& sv, double gap_threshold, double null_tol) {
  GapDecision g;
  const int m = static_cast<int>(sv.size());
  if (m == 0) return g;
  if (!(sv[0] > 0)) {  // the condition vanishes identically: everything is a symmetry
    g.nullity = m;
    return g;
  }
  // Ratios are measured against rounding at most (kRounding): a gap between approximate symmetries at 1e-9 (from
  // identified coefficients accurate to ~1e-8) and exact ones at 0 must not look deeper than the gap that
  // separates both from the non-null values.
  constexpr double kRounding = 1e-13;
  for (int i = 0; i + 1 < m; ++i) {
    const double a = sv[static_cast<std::size_t>(i)] / sv[0];
    const double b = sv[static_cast<std::size_t>(i + 1)] / sv[0];
    const double ratio = a / std::max(b, kRounding);
    if (ratio >= gap_threshold && b <= null_tol && ratio > g.gap_ratio) {
      g.gap_ratio = ratio;
      g.gap_index = i;
      g.nullity = m - i - 1;
    }
  }
  return g;
}

std::vector<int> reduce_rows(Eigen::MatrixXd& M, double pivot_tol) {
  const int r = static_cast<int>(M.rows()), n = static_cast<int>(M.cols());
  std::vector<int> pivots;
  int row = 0;
  for (int col = 0; col < n && row < r; ++col) {
    int p = row;
    for (int i = row + 1; i < r; ++i)
      if (std::abs(M(i, col)) > std::abs(M(p, col))) p = i;
    if (std::abs(M(p, col)) <= pivot_tol) continue;
    M.row(row).swap(M.row(p));
    M.row(row) /= M(row, col);
    for (int i = 0; i < r; ++i)
      if (i != row && M(i, col) != 0.0) M.row(i) -= M(i, col) * M.row(row);
    pivots.push_back(col);
    ++row;
  }
  return pivots;
}

Eigen::MatrixXd readable_generators(const Eigen::MatrixXd& null_vectors, const PolynomialBasis& basis,
                                    double pivot_tol) {
  const int n = static_cast<int>(null_vectors.rows()), r = static_cast<int>(null_vectors.cols());
  PDESYM_CHECK(n == basis.size(), "null vectors have " << n << " rows, basis has " << basis.size());
  if (r == 0) return Eigen::MatrixXd(n, 0);
  Eigen::MatrixXd M = null_vectors.transpose();  // rows = generators
  for (int i = 0; i < r; ++i) {
    const double nr = M.row(i).norm();
    if (nr > 0) M.row(i) /= nr;
  }
  const std::vector<int> pivots = reduce_rows(M, pivot_tol);
  const int row = static_cast<int>(pivots.size());
  // Rows beyond `row` would mean a rank-deficient input; keep what has a pivot.
  struct Key {
    int degree, terms, pivot, row;
  };
  std::vector<Key> keys;
  for (int i = 0; i < row; ++i) {
    const double big = M.row(i).cwiseAbs().maxCoeff();
    int deg = 0, terms = 0;
    for (int c = 0; c < n; ++c)
      if (std::abs(M(i, c)) > 1e-8 * big) {
        ++terms;
        int dc = 0;
        for (int e : basis.exponents(c)) dc += e;
        deg = std::max(deg, dc);
      }
    keys.push_back({deg, terms, pivots[static_cast<std::size_t>(i)], i});
  }
  std::sort(keys.begin(), keys.end(), [](const Key& a, const Key& b) {
    return std::tie(a.degree, a.terms, a.pivot) < std::tie(b.degree, b.terms, b.pivot);
  });
  Eigen::MatrixXd G(n, static_cast<int>(keys.size()));
  for (std::size_t k = 0; k < keys.size(); ++k) G.col(static_cast<int>(k)) = M.row(keys[k].row).transpose();
  return G;
}

namespace {
// The nullspace of the condition matrix A (rows = sample points x equations, columns = basis fields): column
// normalisation, SVD, gap decision, readable generators; fills res.singular_values, res.generators and
// extra.nullspace.
void nullspace_from_matrix(Eigen::MatrixXd A, const NullspaceOptions& opt, SymmetryResult& res) {
  PDESYM_REQUIRE(A.allFinite(), "the symmetry condition is not finite at the sample points (overflow in the jets?)");
  const int m = static_cast<int>(A.cols());
  PDESYM_REQUIRE(A.rows() >= m, "the nullspace method needs at least as many sample points (" << A.rows()
                                                                                               << ") as basis fields ("
                                                                                               << m << ")");
  Eigen::VectorXd colnorm(m);
  for (int c = 0; c < m; ++c) {
    colnorm[c] = A.col(c).norm();
    if (colnorm[c] > 0) A.col(c) /= colnorm[c];
    else colnorm[c] = 1.0;  // identically satisfied: an exact null direction, nothing to scale
  }
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(A, Eigen::ComputeThinV);
  const Eigen::VectorXd s = svd.singularValues();
  res.singular_values.assign(s.data(), s.data() + s.size());
  GapDecision gap = choose_nullity(res.singular_values, opt.gap_threshold, opt.null_tol);
  if (opt.nullity >= 0) {
    PDESYM_REQUIRE(opt.nullity <= m, "requested nullity " << opt.nullity << " exceeds the basis size " << m);
    gap.nullity = opt.nullity;
    gap.gap_index = m - opt.nullity - 1;
    gap.gap_ratio = (gap.gap_index >= 0 && gap.gap_index + 1 < m)
                        ? s[gap.gap_index] / std::max(s[gap.gap_index + 1], 1e-18 * s[0])
                        : 0.0;
  }
  // Null vectors of the scaled matrix -> raw coefficients: A_raw = A_scaled * diag(colnorm), so v_raw =
  // diag(1/colnorm) v_scaled.
  Eigen::MatrixXd Nv = svd.matrixV().rightCols(gap.nullity);
  for (int c = 0; c < m; ++c) Nv.row(c) /= colnorm[c];
  res.generators = readable_generators(Nv, res.basis);

  // How well each generator satisfies the (scaled) condition: ||A diag(colnorm) v|| / ||diag(colnorm) v||.
  std::vector<double> gen_resid;
  for (int g = 0; g < res.generators.cols(); ++g) {
    const Eigen::VectorXd w = res.generators.col(g).cwiseProduct(colnorm);
    gen_resid.push_back((A * w).norm() / w.norm());
  }
  std::vector<double> srel;
  for (int i = 0; i < s.size(); ++i) srel.push_back(s[0] > 0 ? s[i] / s[0] : 0.0);
  res.extra["nullspace"] = {
      {"criterion",
       "largest ratio r_i/r_{i+1} of consecutive relative singular values r = s/s_max with ratio >= gap_threshold "
       "and r_{i+1} <= null_tol; nullity = count after the gap"},
      {"gap_threshold", opt.gap_threshold},
      {"null_tol", opt.null_tol},
      {"forced_nullity", opt.nullity >= 0},
      {"rows", static_cast<int>(A.rows())},
      {"basis_size", m},
      {"rank", m - gap.nullity},
      {"nullity", gap.nullity},
      {"gap_index", gap.gap_index},
      {"gap_ratio", gap.gap_ratio},
      {"singular_values_relative", srel},
      {"generator_residuals", gen_resid},
      {"note", "singular_values are those of the condition matrix with unit-norm columns, descending"}};
}
}  // namespace

SymmetryResult nullspace_of_equation(const IdentifiedEquation& eq, const Eigen::MatrixXd& points,
                                     const NullspaceOptions& opt) {
  PDESYM_REQUIRE(opt.gap_threshold > 1, "nullspace gap threshold must be > 1, got " << opt.gap_threshold);
  PDESYM_REQUIRE(opt.null_tol > 0 && opt.null_tol < 1, "nullspace null_tol must be in (0, 1), got " << opt.null_tol);
  const auto t0 = std::chrono::steady_clock::now();
  SymmetryResult res;
  res.method = "nullspace";
  res.basis = PolynomialBasis(opt.degree);
  res.identified_equation = eq.text();
  const SystemCondition cond(system_equation(eq), res.basis);
  const double t_symbolic = seconds_since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  nullspace_from_matrix(cond.evaluate(points), opt, res);
  const double t_svd = seconds_since(t1);
  res.extra["nullspace"]["samples"] = static_cast<int>(points.rows());
  res.extra["nullspace"]["equation_order"] = eq.order();
  res.extra["timings_s"] = {{"symbolic", t_symbolic}, {"evaluate_svd", t_svd}};
  return res;
}

SymmetryResult nullspace_of_system(const SystemEquation& eq, const datasets::Split& data, const NullspaceOptions& opt,
                                   int time_order, const SystemPreprocessing& pre) {
  PDESYM_REQUIRE(opt.gap_threshold > 1, "nullspace gap threshold must be > 1, got " << opt.gap_threshold);
  PDESYM_REQUIRE(opt.null_tol > 0 && opt.null_tol < 1, "nullspace null_tol must be in (0, 1), got " << opt.null_tol);
  const auto t0 = std::chrono::steady_clock::now();
  SymmetryResult res;
  res.method = "nullspace";
  Variables vars;
  vars.dim = data.dim;
  vars.nc = data.nc;
  vars.fields = data.components;
  res.basis = PolynomialBasis(opt.degree, vars);
  res.identified_equation = eq.text();
  const SystemCondition cond(eq, res.basis);
  const double t_symbolic = seconds_since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  const Eigen::MatrixXd points = sample_system_points(data, cond, time_order, opt.samples, opt.seed, pre);
  const double t_sample = seconds_since(t1);
  const auto t2 = std::chrono::steady_clock::now();
  nullspace_from_matrix(cond.evaluate(points), opt, res);
  res.extra["nullspace"]["samples"] = static_cast<int>(points.rows());
  res.extra["nullspace"]["equation_order"] = eq.order();
  res.extra["timings_s"] = {{"symbolic", t_symbolic}, {"sample_jets", t_sample}, {"evaluate_svd", seconds_since(t2)}};
  return res;
}

namespace {
SymmetryResult discover_system(const datasets::Split& data, const NullspaceOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  const SystemIdentification id = identify_system(data, opt.identify);
  const double t_identify = seconds_since(t0);
  SymmetryResult res = nullspace_of_system(id.eq, data, opt, opt.identify.time_order, id.pre);
  nlohmann::json terms = nlohmann::json::array();
  for (int a = 0; a < id.eq.jets.nc(); ++a)
    for (std::size_t j = 0; j < id.eq.rhs[static_cast<std::size_t>(a)].size(); ++j) {
      const auto& t = id.eq.rhs[static_cast<std::size_t>(a)][j];
      terms.push_back({{"component", id.eq.jets.names()[static_cast<std::size_t>(a)]},
                       {"term", jet_term_name(id.eq.jets, t.powers)},
                       {"coefficient", t.coeff},
                       {"magnitude_group", id.tie_groups[static_cast<std::size_t>(a)][j]}});
    }
  res.extra["identification"] = {
      {"equation", id.eq.text()},
      {"terms", terms},
      {"time_order", id.eq.time_order},
      {"residual_rel", id.residual()},
      {"library_residual_rel", id.library_residual()},
      {"tied_refit",
       {{"rule", "magnitudes within tie_tolerance tied (signs kept), refitted jointly; a tie is kept if every "
                 "component's residual stays <= untied * (1 + tie_residual) + cv_slack"},
        {"tie_tolerance", opt.identify.tie_tolerance},
        {"tie_residual", opt.identify.tie_residual},
        {"free_magnitudes", id.free_magnitudes},
        {"untied_residuals_per_component", id.untied_residuals}}},
      {"residuals_per_component", id.residuals},
      {"samples", id.samples},
      {"library_size", id.library_size},
      {"library_max_order", id.eq.jets.order()},
      {"library_max_degree", opt.identify.max_degree},
      {"criterion", opt.identify.select ? (opt.identify.criterion == Criterion::Bic ? "bic" : "cv") : "fixed threshold"},
      {"threshold", opt.identify.threshold},
      {"preprocessing",
       {{"regime", id.pre.weak ? "weak-form in t, Fourier cut-off in space (noisy data; n-D path)"
                               : "pointwise (clean data; n-D path)"},
        {"noise_rel_estimate", id.pre.noise_rel},
        {"cutoff_x", id.pre.cutoff_x},
        {"cutoff_y", id.pre.cutoff_y},
        {"t_halfwidth_rows", id.pre.t_halfwidth}}}};
  const auto t2 = std::chrono::steady_clock::now();
  res.trust = assess_trust_system(data, id, res.generators, res.singular_values, opt).to_json();
  res.extra["timings_s"]["trust"] = seconds_since(t2);
  res.extra["timings_s"]["identify"] = t_identify;
  res.extra["timings_s"]["total"] = seconds_since(t0);
  res.extra["data"] = {{"split", data.name}, {"trajectories", data.n}, {"dim", data.dim}, {"components", data.components},
                       {"nt", data.nt}, {"ny", data.ny}, {"nx", data.nx}};
  return res;
}
}  // namespace

SymmetryResult discover_nullspace(const datasets::Split& data, const NullspaceOptions& opt) {
  PDESYM_REQUIRE(opt.samples >= 1, "nullspace samples must be >= 1, got " << opt.samples);
  if (data.dim != 1 || data.nc != 1 || opt.identify.time_order != 1) return discover_system(data, opt);
  const auto t0 = std::chrono::steady_clock::now();
  const IdentifiedEquation eq = identify_equation(data, opt.identify);
  const double t_identify = seconds_since(t0);
  const auto t1 = std::chrono::steady_clock::now();
  const int free_order = std::max(2 * eq.order(), eq.order() + 1);
  const Eigen::MatrixXd points = sample_jet_points(data, free_order, opt.samples, opt.seed, eq.preprocessing);
  const double t_sample = seconds_since(t1);
  SymmetryResult res = nullspace_of_equation(eq, points, opt);

  nlohmann::json terms = nlohmann::json::array();
  for (std::size_t i = 0; i < eq.terms.size(); ++i)
    terms.push_back({{"term", eq.terms[i].name()}, {"coefficient", eq.coeffs[i]}});
  res.extra["identification"] = {{"equation", eq.text()},
                                 {"terms", terms},
                                 {"residual_rel", eq.residual_rel},
                                 {"library_residual_rel", eq.library_residual_rel},
                                 {"criterion", opt.identify.select ? (opt.identify.criterion == Criterion::Bic ? "bic" : "cv")
                                                                   : "fixed threshold"},
                                 {"threshold", opt.identify.threshold},
                                 {"samples", eq.samples},
                                 {"library_size", eq.library_size},
                                 {"library_max_order", opt.identify.max_order},
                                 {"library_max_degree", opt.identify.max_degree},
                                 {"preprocessing", preprocessing_json(eq.preprocessing)}};
  const auto t2 = std::chrono::steady_clock::now();
  res.trust = assess_trust(data, eq, res.generators, res.singular_values, opt).to_json();
  res.extra["timings_s"]["trust"] = seconds_since(t2);
  res.extra["timings_s"]["identify"] = t_identify;
  res.extra["timings_s"]["sample_jets"] = t_sample;
  res.extra["timings_s"]["total"] = seconds_since(t0);
  res.extra["data"] = {{"split", data.name}, {"trajectories", data.n}, {"nt", data.nt}, {"nx", data.nx}};
  res.extra["domain"] = PlotDomain::of(data).to_json();
  return res;
}

}  // namespace pdesym::symmetry
