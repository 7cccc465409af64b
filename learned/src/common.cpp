// Non-torch helpers of pdesym::learned: data framing, jets on the solution manifold, basis changes between
// hat (normalised) and raw coordinates, least-squares projection of sampled fields onto the basis, and the
// equation residual of the data.
#include <algorithm>
#include <cmath>
#include <map>
#include <memory>
#include <sstream>

#include "internal.hpp"
#include "pdesym/learned/validity.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/solvers/spectral.hpp"

namespace pdesym::learned::detail {

using symmetry::Component;
using symmetry::Monomial;
using symmetry::PolynomialBasis;

void check_split(const datasets::Split& d, const std::string& what) {
  PDESYM_REQUIRE(d.n > 0 && d.nt > 0 && d.nx > 0,
                 what << ": split '" << d.name << "' is empty (n=" << d.n << ", nt=" << d.nt << ", nx=" << d.nx << ")");
  PDESYM_REQUIRE(d.dim == 1 && d.nc == 1, what << ": learned discovery methods need 1-D scalar data; split '" << d.name
                                               << "' holds " << d.shape().describe() << " fields");
  PDESYM_REQUIRE(d.nx >= 8 && d.nx % 2 == 0,
                 what << ": split '" << d.name << "' has nx=" << d.nx << "; need an even nx >= 8 for spectral derivatives");
  d.validate(what);
}

Frame make_frame(const datasets::Split& d) {
  Frame f;
  double xmin = 1e300, xmax = -1e300, tmin = 1e300, tmax = -1e300;
  for (int i = 0; i < d.n; ++i) {
    const double* xi = d.x.data() + static_cast<std::size_t>(i) * d.nx;
    xmin = std::min(xmin, xi[0]);
    xmax = std::max(xmax, xi[d.nx - 1] + d.dx[i]);
    const double* ti = d.t.data() + static_cast<std::size_t>(i) * d.nt;
    tmin = std::min(tmin, ti[0]);
    tmax = std::max(tmax, ti[d.nt - 1]);
  }
  f.cx = 0.5 * (xmin + xmax);
  f.sx = 0.5 * (xmax - xmin);
  if (!(f.sx > 0)) f.sx = 1;
  f.ct = 0.5 * (tmin + tmax);
  f.st = 0.5 * (tmax - tmin);
  if (!(f.st > 0)) f.st = 1;
  double s = 0, s2 = 0;
  for (double v : d.u) s += v;
  f.cu = s / static_cast<double>(d.u.size());
  for (double v : d.u) s2 += (v - f.cu) * (v - f.cu);
  f.su = 2.0 * std::sqrt(s2 / static_cast<double>(d.u.size()));
  if (!(f.su > 1e-12)) f.su = 1;
  return f;
}

// ---------------------------------------------------------------------------------------------------------
// The equation as a polynomial in jets
// ---------------------------------------------------------------------------------------------------------

JetPoly::JetPoly(const symmetry::IdentifiedEquation& eq) {
  PDESYM_REQUIRE(eq.terms.size() == eq.coeffs.size(),
                 "equation has " << eq.terms.size() << " terms but " << eq.coeffs.size() << " coefficients");
  order_ = 0;
  for (std::size_t i = 0; i < eq.terms.size(); ++i) {
    if (eq.coeffs[i] == 0.0) continue;
    PDESYM_REQUIRE(std::isfinite(eq.coeffs[i]), "equation coefficient " << i << " is not finite");
    Term t{eq.coeffs[i], eq.terms[i].powers};
    for (std::size_t k = 0; k < t.p.size(); ++k) {
      PDESYM_REQUIRE(t.p[k] >= 0, "equation term " << i << " has a negative power");
      if (t.p[k] > 0) order_ = std::max(order_, static_cast<int>(k));
    }
    terms_.push_back(std::move(t));
  }
  PDESYM_REQUIRE(order_ <= 8, "equation order " << order_ << " is too high (at most 8 supported)");
  width_ = order_ + 1;
  for (auto& t : terms_) t.p.resize(static_cast<std::size_t>(width_), 0);
  text_ = eq.text();
}

double JetPoly::eval(const double* jet) const {
  double f = 0;
  for (const auto& t : terms_) {
    double m = t.c;
    for (int k = 0; k < width_; ++k)
      for (int e = 0; e < t.p[static_cast<std::size_t>(k)]; ++e) m *= jet[k];
    f += m;
  }
  return f;
}

double JetPoly::deriv(int kk, const double* jet) const {
  if (kk < 0 || kk >= width_) return 0.0;
  double f = 0;
  for (const auto& t : terms_) {
    const int pk = t.p[static_cast<std::size_t>(kk)];
    if (pk == 0) continue;
    double m = t.c * pk;
    for (int k = 0; k < width_; ++k) {
      const int e_max = t.p[static_cast<std::size_t>(k)] - (k == kk ? 1 : 0);
      for (int e = 0; e < e_max; ++e) m *= jet[k];
    }
    f += m;
  }
  return f;
}

JetPoly JetPoly::total_x() const {
  JetPoly d;
  d.order_ = order_ + 1;
  d.width_ = width_ + 1;
  for (const auto& t : terms_)
    for (int k = 0; k < width_; ++k) {
      const int pk = t.p[static_cast<std::size_t>(k)];
      if (pk == 0) continue;
      Term e{t.c * pk, t.p};
      e.p.resize(static_cast<std::size_t>(d.width_), 0);
      e.p[static_cast<std::size_t>(k)] -= 1;
      e.p[static_cast<std::size_t>(k + 1)] += 1;
      d.terms_.push_back(std::move(e));
    }
  d.text_ = "D_x(" + text_ + ")";
  return d;
}

// ---------------------------------------------------------------------------------------------------------
// Jets on the solution manifold
// ---------------------------------------------------------------------------------------------------------

JetSamples sample_jets(const datasets::Split& d, const JetPoly& F, int count, std::uint64_t seed) {
  PDESYM_REQUIRE(count > 0, "number of jet samples must be positive, got " << count);
  const int n = F.order();
  const int top = std::max(n + 1, 2 * n);  // highest x-derivative: u_{x^n t} = D_x^n F reads u_{x^{2n}}
  JetSamples s;
  s.order = n;
  s.count = count;
  s.x.resize(count);
  s.t.resize(count);
  s.ux.assign(n + 2, std::vector<double>(count));
  s.uxt.assign(n + 1, std::vector<double>(count));
  s.utt.resize(count);
  s.dF.assign(n + 1, std::vector<double>(count));
  std::vector<JetPoly> DF{F};  // DF[i] = D_x^i F
  for (int i = 1; i <= n; ++i) DF.push_back(DF.back().total_x());

  // Draw points, then group them by (trajectory, time row) so that each row's x-jets are computed once.
  Rng rng(seed, 0x1e7, 0);
  std::map<std::pair<int, int>, std::vector<std::pair<int, int>>> rows;  // (traj, n) -> [(sample, j)]
  for (int k = 0; k < count; ++k) {
    const int i = static_cast<int>(rng.uniform_int(0, d.n - 1));
    const int r = static_cast<int>(rng.uniform_int(0, d.nt - 1));
    const int j = static_cast<int>(rng.uniform_int(0, d.nx - 1));
    rows[{i, r}].push_back({k, j});
  }
  std::map<int, std::unique_ptr<solvers::SpectralDerivative>> deriv;
  std::vector<solvers::rvec> ju;
  std::vector<double> jet(static_cast<std::size_t>(top + 1));
  for (const auto& [key, pts] : rows) {
    const int i = key.first, r = key.second;
    auto& D = deriv[i];
    if (!D) D = std::make_unique<solvers::SpectralDerivative>(solvers::Grid(d.nx, d.L(i)));
    D->jets(d.traj(i) + static_cast<std::size_t>(r) * d.nx, top, ju);
    for (const auto& [k, j] : pts) {
      const std::size_t jj = static_cast<std::size_t>(j);
      s.x[k] = d.x[static_cast<std::size_t>(i) * d.nx + jj];
      s.t[k] = d.t[static_cast<std::size_t>(i) * d.nt + r];
      for (int q = 0; q <= top; ++q) jet[static_cast<std::size_t>(q)] = ju[static_cast<std::size_t>(q)][jj];
      for (int q = 0; q <= n + 1; ++q) s.ux[q][k] = jet[static_cast<std::size_t>(q)];
      for (int q = 0; q <= n; ++q) s.uxt[q][k] = DF[static_cast<std::size_t>(q)].eval(jet.data());
      double utt = 0;
      for (int q = 0; q <= n; ++q) {
        s.dF[q][k] = F.deriv(q, jet.data());
        utt += s.dF[q][k] * s.uxt[q][k];
      }
      s.utt[k] = utt;
    }
  }
  return s;
}

Eigen::MatrixXd sample_graph_points(const datasets::Split& d, int count, std::uint64_t seed) {
  Rng rng(seed, 0x9a7, 0);
  Eigen::MatrixXd z(count, 3);
  for (int k = 0; k < count; ++k) {
    const int i = static_cast<int>(rng.uniform_int(0, d.n - 1));
    const int r = static_cast<int>(rng.uniform_int(0, d.nt - 1));
    const int j = static_cast<int>(rng.uniform_int(0, d.nx - 1));
    z(k, 0) = d.x[static_cast<std::size_t>(i) * d.nx + j];
    z(k, 1) = d.t[static_cast<std::size_t>(i) * d.nt + r];
    z(k, 2) = d.traj(i)[static_cast<std::size_t>(r) * d.nx + j];
  }
  return z;
}

// ---------------------------------------------------------------------------------------------------------
// Basis changes
// ---------------------------------------------------------------------------------------------------------

namespace {

double binom(int n, int k) {
  double r = 1;
  for (int i = 1; i <= k; ++i) r = r * (n - k + i) / i;
  return r;
}

/// Coefficients of (alpha + beta w)^a as a polynomial in w: e[i] multiplies w^i.
std::vector<double> expand(int a, double alpha, double beta) {
  std::vector<double> e(static_cast<std::size_t>(a + 1));
  for (int i = 0; i <= a; ++i) e[static_cast<std::size_t>(i)] = binom(a, i) * std::pow(alpha, a - i) * std::pow(beta, i);
  return e;
}

/// Matrix of the substitution z = alpha + beta w per variable (x, t, u), component c scaled by comp_scale[c]:
/// a coefficient on the monomial x^a t^b u^c in z becomes coefficients on monomials in w.
Eigen::MatrixXd substitution(const PolynomialBasis& basis, const double alpha[3], const double beta[3],
                             const double comp_scale[3]) {
  const int P = basis.size();
  Eigen::MatrixXd T = Eigen::MatrixXd::Zero(P, P);
  for (int h = 0; h < P; ++h) {
    const Component comp = basis.component(h);
    const Monomial& m = basis.monomial(h);
    const auto ex = expand(m.a, alpha[0], beta[0]);
    const auto et = expand(m.b, alpha[1], beta[1]);
    const auto eu = expand(m.c, alpha[2], beta[2]);
    const double sc = comp_scale[static_cast<int>(comp)];
    for (int i = 0; i <= m.a; ++i)
      for (int j = 0; j <= m.b; ++j)
        for (int k = 0; k <= m.c; ++k) {
          const int r = basis.index(comp, Monomial{i, j, k});
          PDESYM_CHECK(r >= 0, "monomial of lower degree missing from the basis");
          T(r, h) += sc * ex[static_cast<std::size_t>(i)] * et[static_cast<std::size_t>(j)] * eu[static_cast<std::size_t>(k)];
        }
  }
  return T;
}

}  // namespace

Eigen::MatrixXd hat_to_raw(const PolynomialBasis& basis, const Frame& f) {
  // zhat = (z - c)/s = -c/s + (1/s) z; raw component = s_comp * hat component.
  const double alpha[3] = {-f.cx / f.sx, -f.ct / f.st, -f.cu / f.su};
  const double beta[3] = {1 / f.sx, 1 / f.st, 1 / f.su};
  const double sc[3] = {f.sx, f.st, f.su};
  return substitution(basis, alpha, beta, sc);
}

Eigen::MatrixXd raw_to_hat(const PolynomialBasis& basis, const Frame& f) {
  const double alpha[3] = {f.cx, f.ct, f.cu};
  const double beta[3] = {f.sx, f.st, f.su};
  const double sc[3] = {1 / f.sx, 1 / f.st, 1 / f.su};
  return substitution(basis, alpha, beta, sc);
}

Eigen::MatrixXd monomial_design(const PolynomialBasis& basis, const Eigen::MatrixXd& zh) {
  const int M = basis.monomials_per_component();
  Eigen::MatrixXd A(zh.rows(), M);
  for (Eigen::Index r = 0; r < zh.rows(); ++r)
    for (int m = 0; m < M; ++m) A(r, m) = basis.monomials()[static_cast<std::size_t>(m)].eval(zh(r, 0), zh(r, 1), zh(r, 2));
  return A;
}

Projection project_fields(const PolynomialBasis& basis, const Eigen::MatrixXd& zh,
                          const std::vector<Eigen::MatrixXd>& fields) {
  const Eigen::MatrixXd A = monomial_design(basis, zh);
  const int M = basis.monomials_per_component();
  PDESYM_REQUIRE(A.rows() >= M, "projection needs at least " << M << " sample points, got " << A.rows());
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(A, Eigen::ComputeThinU | Eigen::ComputeThinV);
  const Eigen::VectorXd& sv = svd.singularValues();
  Projection p;
  p.condition = sv[sv.size() - 1] > 0 ? sv[0] / sv[sv.size() - 1] : INFINITY;
  svd.setThreshold(1e-12);
  p.hat = Eigen::MatrixXd::Zero(basis.size(), static_cast<Eigen::Index>(fields.size()));
  for (std::size_t g = 0; g < fields.size(); ++g) {
    const Eigen::MatrixXd& Y = fields[g];
    PDESYM_CHECK(Y.rows() == A.rows() && Y.cols() == 3, "field samples have the wrong shape");
    double num = 0, den = 0;
    for (int c = 0; c < 3; ++c) {
      const Eigen::VectorXd h = svd.solve(Y.col(c));
      p.hat.block(c * M, static_cast<Eigen::Index>(g), M, 1) = h;
      num += (A * h - Y.col(c)).squaredNorm();
      den += Y.col(c).squaredNorm();
    }
    p.residual.push_back(den > 0 ? std::sqrt(num / den) : 0.0);
  }
  return p;
}

Eigen::MatrixXd to_raw_normalised(const PolynomialBasis& basis, const Frame& f, const Eigen::MatrixXd& hat) {
  Eigen::MatrixXd raw = hat_to_raw(basis, f) * hat;
  for (Eigen::Index g = 0; g < raw.cols(); ++g) {
    const double n = raw.col(g).norm();
    if (n > 0) raw.col(g) /= n;
  }
  return raw;
}

std::vector<double> thin_history(const std::vector<double>& h, int max_points) {
  if (static_cast<int>(h.size()) <= max_points) return h;
  std::vector<double> out;
  for (int k = 0; k < max_points; ++k) {
    const std::size_t i = static_cast<std::size_t>(std::llround(static_cast<double>(k) * (h.size() - 1) / (max_points - 1)));
    out.push_back(h[i]);
  }
  return out;
}

void check_options(const LearnedOptions& o) {
  PDESYM_REQUIRE(o.generators >= 1 && o.generators <= 16,
                 "learned discovery: number of generators must be in 1..16, got " << o.generators);
  PDESYM_REQUIRE(o.epochs >= 0, "learned discovery: epochs must be >= 0 (0: method default), got " << o.epochs);
  PDESYM_REQUIRE(o.lr >= 0 && std::isfinite(o.lr),
                 "learned discovery: learning rate must be >= 0 (0: method default), got " << o.lr);
  PDESYM_REQUIRE(o.threads >= 0, "learned discovery: threads must be >= 0, got " << o.threads);
  PDESYM_REQUIRE(o.hidden >= 2 && o.hidden <= 4096, "learned discovery: hidden width must be in 2..4096, got " << o.hidden);
  PDESYM_REQUIRE(o.batch == 0 || o.batch >= 8, "learned discovery: batch size must be >= 8 (0: method default), got "
                                                   << o.batch);
  PDESYM_REQUIRE(o.samples >= std::max(o.batch, 64),
                 "learned discovery: samples (" << o.samples << ") must be at least 64 and the batch size (" << o.batch << ")");
}

}  // namespace pdesym::learned::detail

namespace pdesym::learned {

using detail::check_split;
using detail::JetPoly;

double equation_residual(const datasets::Split& data, const symmetry::IdentifiedEquation& eq,
                         const ValidityOptions& opt) {
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

namespace pdesym::learned::detail {

nlohmann::json joint_verdict(const std::vector<double>& error, double change, const std::vector<double>& scores) {
  // Thresholds set from the bench cases (docs/learned.md): the boost on KdV with spread means has error / change
  // 0.089-0.095 and score 3.4e-3-4.0e-3; the lowest untrue second directions 0.12 (zero-mean KdV, nx = 256) and
  // 0.33 (zero-mean KdV, bench), scores 1.7e-2 and 0.22.
  constexpr double kErrorPerChange = 0.15, kScore = 1e-2;
  nlohmann::json per = nlohmann::json::array(), reasons = nlohmann::json::array(), notes = nlohmann::json::array();
  int trusted = 0;
  bool leading = true;
  for (std::size_t g = 0; g < error.size(); ++g) {
    const double rel = change > 0 ? error[g] / change : error[g];
    const bool has_score = g < scores.size();
    const bool ok_error = rel < kErrorPerChange, ok_score = !has_score || scores[g] < kScore;
    leading = leading && ok_error && ok_score;
    trusted += leading ? 1 : 0;
    nlohmann::json entry = {{"error_per_change", rel}, {"trusted", ok_error && ok_score}};
    if (has_score) entry["validity_score"] = scores[g];
    per.push_back(entry);
    if (ok_error && ok_score) continue;
    std::ostringstream why;
    why.precision(3);
    why << "V" << g + 1 << ":";
    if (!ok_error)
      why << " relative equivariance error " << error[g] << " = " << rel
          << " x the data's relative change per judge step (trusted below " << kErrorPerChange
          << "): the learned dynamics do not commute with it;";
    if (!ok_score)
      why << " validity score " << scores[g] << " with the identified equation (trusted below " << kScore << ");";
    why << " not a symmetry the data support";
    reasons.push_back(why.str());
  }
  const int G = static_cast<int>(error.size());
  if (trusted < G)
    notes.push_back(trusted == 0 ? std::string("trust none of the generators")
                                 : "trust V1" + (trusted > 1 ? "..V" + std::to_string(trusted) : std::string()) + " only");
  if (scores.empty()) notes.push_back("no validity scores: judged by the equivariance error alone");
  return {{"verdict", trusted == G ? "trusted" : trusted > 0 ? "doubtful" : "not trusted"},
          {"trusted_generators", trusted},
          {"threshold_error_per_change", kErrorPerChange},
          {"threshold_validity_score", kScore},
          {"relative_step_change", change},
          {"per_generator", per},
          {"reasons", reasons},
          {"notes", notes}};
}

}  // namespace pdesym::learned::detail
