// Equations and symmetry conditions in several variables (system.hpp).
#include "pdesym/symmetry/system.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>

#include "pdesym/common/error.hpp"

namespace pdesym::symmetry {

// ---------------------------------------------------------------------------------------------------------
// Spatial jets and equations
// ---------------------------------------------------------------------------------------------------------

SpatialJets::SpatialJets(int dim, int nc, int order, std::vector<std::string> names)
    : dim_(dim), nc_(nc), order_(order), names_(std::move(names)) {
  PDESYM_REQUIRE(dim == 1 || dim == 2, "space dimension must be 1 or 2, got " << dim);
  PDESYM_REQUIRE(nc >= 1 && nc <= 8, "number of components must be in 1..8, got " << nc);
  PDESYM_REQUIRE(order >= 0 && order <= 12, "jet order must be in 0..12, got " << order);
  if (names_.empty()) {
    if (nc == 1) names_ = {"u"};
    else if (nc == 2) names_ = {"u", "v"};
    else
      for (int a = 0; a < nc; ++a) names_.push_back("u" + std::to_string(a));
  }
  PDESYM_REQUIRE(static_cast<int>(names_.size()) == nc, names_.size() << " component names for " << nc << " components");
  for (int a = 0; a < nc; ++a)
    for (int o = 0; o <= order; ++o)
      for (int jx = o; jx >= 0; --jx) {
        const int jy = o - jx;
        if (dim == 1 && jy > 0) continue;
        idx_.push_back({a, jx, jy});
      }
}

int SpatialJets::index(int comp, int jx, int jy) const {
  if (comp < 0 || comp >= nc_ || jx < 0 || jy < 0 || jx + jy > order_ || (dim_ == 1 && jy > 0)) return -1;
  for (std::size_t k = 0; k < idx_.size(); ++k)
    if (idx_[k][0] == comp && idx_[k][1] == jx && idx_[k][2] == jy) return static_cast<int>(k);
  return -1;
}

std::string SpatialJets::name(int k) const {
  const auto& e = idx_[static_cast<std::size_t>(k)];
  std::string s = names_[static_cast<std::size_t>(e[0])];
  if (e[1] + e[2] > 0) s += "_" + std::string(static_cast<std::size_t>(e[1]), 'x') + std::string(static_cast<std::size_t>(e[2]), 'y');
  return s;
}

int SystemEquation::order() const {
  int o = 0;
  for (const auto& terms : rhs)
    for (const auto& t : terms)
      for (int k = 0; k < jets.size(); ++k)
        if (t.powers[static_cast<std::size_t>(k)] > 0) o = std::max(o, jets.jx(k) + jets.jy(k));
  return o;
}

SystemEquation system_equation(const IdentifiedEquation& eq) {
  SystemEquation s;
  s.jets = SpatialJets(1, 1, eq.max_order);
  s.rhs.resize(1);
  for (std::size_t i = 0; i < eq.terms.size(); ++i) {
    const auto& p = eq.terms[i].powers;
    PDESYM_REQUIRE(static_cast<int>(p.size()) <= s.jets.size(), "term " << eq.terms[i].name()
                                                                  << " beyond the equation's max_order " << eq.max_order);
    SystemTerm t;
    t.coeff = eq.coeffs[i];
    t.powers.assign(static_cast<std::size_t>(s.jets.size()), 0);
    for (std::size_t k = 0; k < p.size(); ++k) t.powers[static_cast<std::size_t>(s.jets.index(0, static_cast<int>(k)))] = p[k];
    s.rhs[0].push_back(t);
  }
  return s;
}

std::string SystemEquation::text() const {
  std::string s;
  for (int a = 0; a < jets.nc(); ++a) {
    if (a > 0) s += "; ";
    s += jets.names()[static_cast<std::size_t>(a)] + (time_order == 2 ? "_tt =" : "_t =");
    const auto& terms = rhs[static_cast<std::size_t>(a)];
    if (terms.empty()) s += " 0";
    for (std::size_t i = 0; i < terms.size(); ++i) {
      const double c = terms[i].coeff;
      char buf[64];
      std::snprintf(buf, sizeof buf, "%.10g", std::abs(c));
      s += i == 0 ? (c < 0 ? " -" : " ") : (c < 0 ? " - " : " + ");
      s += buf;
      for (int k = 0; k < jets.size(); ++k) {
        const int p = terms[i].powers[static_cast<std::size_t>(k)];
        if (p == 0) continue;
        s += "*" + jets.name(k);
        if (p > 1) s += "^" + std::to_string(p);
      }
    }
  }
  return s;
}

double SystemEquation::eval(int a, const double* jet) const {
  double f = 0;
  for (const auto& t : rhs[static_cast<std::size_t>(a)]) {
    double v = t.coeff;
    for (std::size_t k = 0; k < t.powers.size(); ++k)
      for (int p = 0; p < t.powers[k]; ++p) v *= jet[k];
    f += v;
  }
  return f;
}

// ---------------------------------------------------------------------------------------------------------
// Symbolic jet polynomials in x, (y), t and u^a_{J, jt}
// ---------------------------------------------------------------------------------------------------------

namespace {

using Exps = std::vector<std::uint8_t>;
using Poly = std::map<Exps, double>;

class Space {
 public:
  Space(int dim, int nc, int S, int T) : dim_(dim), nc_(nc), S_(S), T_(T), jets_(dim, nc, S) {
    n_ = dim + 1 + jets_.size() * (T + 1);
  }
  int size() const { return n_; }
  int dim() const { return dim_; }
  int t() const { return dim_; }
  const SpatialJets& jets() const { return jets_; }
  /// u^a_{(jx,jy), jt}; -1 if beyond the space.
  int u(int a, int jx, int jy, int jt) const {
    const int k = jets_.index(a, jx, jy);
    if (k < 0 || jt < 0 || jt > T_) return -1;
    return dim_ + 1 + jt * jets_.size() + k;
  }
  /// Decomposes a jet variable: returns false for x_i / t.
  bool decode(int var, int& a, int& jx, int& jy, int& jt) const {
    if (var <= dim_) return false;
    const int k = (var - dim_ - 1) % jets_.size();
    jt = (var - dim_ - 1) / jets_.size();
    a = jets_.comp(k);
    jx = jets_.jx(k);
    jy = jets_.jy(k);
    return true;
  }
  Poly constant(double c) const { return c == 0 ? Poly{} : Poly{{Exps(static_cast<std::size_t>(n_), 0), c}}; }
  Poly var(int v) const {
    PDESYM_CHECK(v >= 0 && v < n_, "jet variable beyond the jet space");
    Exps e(static_cast<std::size_t>(n_), 0);
    e[static_cast<std::size_t>(v)] = 1;
    return Poly{{e, 1.0}};
  }

 private:
  int dim_, nc_, S_, T_, n_;
  SpatialJets jets_;
};

void add_to(Poly& p, const Exps& e, double c) {
  if (c == 0) return;
  auto it = p.find(e);
  if (it == p.end()) {
    p.emplace(e, c);
  } else {
    it->second += c;
    if (it->second == 0) p.erase(it);
  }
}
Poly operator+(Poly a, const Poly& b) {
  for (const auto& [e, c] : b) add_to(a, e, c);
  return a;
}
Poly operator-(Poly a, const Poly& b) {
  for (const auto& [e, c] : b) add_to(a, e, -c);
  return a;
}
Poly operator*(const Poly& a, const Poly& b) {
  Poly r;
  if (a.empty() || b.empty()) return r;
  Exps e(a.begin()->first.size());
  for (const auto& [ea, ca] : a)
    for (const auto& [eb, cb] : b) {
      for (std::size_t v = 0; v < e.size(); ++v) e[v] = static_cast<std::uint8_t>(ea[v] + eb[v]);
      add_to(r, e, ca * cb);
    }
  return r;
}
Poly scale(const Poly& a, double s) {
  Poly r;
  if (s == 0) return r;
  for (const auto& [e, c] : a) r.emplace(e, c * s);
  return r;
}
Poly diff(const Poly& a, int v) {
  Poly r;
  for (const auto& [e, c] : a) {
    const int p = e[static_cast<std::size_t>(v)];
    if (p == 0) continue;
    Exps f = e;
    f[static_cast<std::size_t>(v)] = static_cast<std::uint8_t>(p - 1);
    add_to(r, f, c * p);
  }
  return r;
}
// Total derivative in direction k (0..dim-1: space, dim: t).
Poly total(const Space& S, const Poly& a, int k) {
  Poly r;
  for (const auto& [e, c] : a)
    for (int v = 0; v < S.size(); ++v) {
      const int p = e[static_cast<std::size_t>(v)];
      if (p == 0) continue;
      int target = -2;  // -2: explicit variable
      int comp, jx, jy, jt;
      if (S.decode(v, comp, jx, jy, jt)) {
        target = S.u(comp, jx + (k == 0), jy + (k == 1 && k < S.dim()), jt + (k == S.t()));
        PDESYM_CHECK(target >= 0, "total derivative leaves the jet space (increase its order)");
      } else if (v != k) {
        continue;
      }
      Exps f = e;
      f[static_cast<std::size_t>(v)] = static_cast<std::uint8_t>(p - 1);
      if (target >= 0) f[static_cast<std::size_t>(target)] = static_cast<std::uint8_t>(f[static_cast<std::size_t>(target)] + 1);
      add_to(r, f, c * p);
    }
  return r;
}
Poly substitute(const Poly& a, int v, const Poly& rep) {
  Poly r;
  std::vector<Poly> pw;
  for (const auto& [e, c] : a) {
    const int p = e[static_cast<std::size_t>(v)];
    if (p == 0) {
      add_to(r, e, c);
      continue;
    }
    if (pw.empty()) {
      Exps one(e.size(), 0);
      pw.push_back(Poly{{one, 1.0}});
    }
    while (static_cast<int>(pw.size()) <= p) pw.push_back(pw.back() * rep);
    Exps f = e;
    f[static_cast<std::size_t>(v)] = 0;
    r = r + Poly{{f, c}} * pw[static_cast<std::size_t>(p)];
  }
  return r;
}
bool depends_on(const Poly& a, int v) {
  for (const auto& kv : a)
    if (kv.first[static_cast<std::size_t>(v)] > 0) return true;
  return false;
}

}  // namespace

// ---------------------------------------------------------------------------------------------------------
// The symmetry condition
// ---------------------------------------------------------------------------------------------------------

SystemCondition::SystemCondition(const SystemEquation& eq, const PolynomialBasis& basis)
    : free_(eq.jets.dim(), eq.jets.nc(), std::max(2 * eq.order(), eq.order() + 1), eq.jets.names()),
      time_order_(eq.time_order),
      nc_(eq.jets.nc()) {
  const int dim = eq.jets.dim(), nc = eq.jets.nc(), n = eq.order();
  const Variables& vars = basis.variables();
  PDESYM_REQUIRE(vars.dim == dim && vars.nc == nc,
                 "the basis lives in " << vars.dim << "-D with " << vars.nc << " component(s), the equation in "
                                       << dim << "-D with " << nc);
  PDESYM_REQUIRE(eq.time_order == 1 || (eq.time_order == 2 && nc == 1),
                 "equations must be first order in time (systems) or second order (one component)");
  PDESYM_REQUIRE(static_cast<int>(eq.rhs.size()) == nc, "the equation has " << eq.rhs.size() << " right-hand sides for "
                                                                            << nc << " components");
  const int S = free_.order();
  const Space J(dim, nc, S, eq.time_order);

  // F^a as polynomials, their derivatives by the jets they use, and D_J F^a.
  std::vector<Poly> F(static_cast<std::size_t>(nc));
  for (int a = 0; a < nc; ++a)
    for (const auto& t : eq.rhs[static_cast<std::size_t>(a)]) {
      Poly term = J.constant(t.coeff);
      for (int k = 0; k < eq.jets.size(); ++k)
        for (int p = 0; p < t.powers[static_cast<std::size_t>(k)]; ++p)
          term = term * J.var(J.u(eq.jets.comp(k), eq.jets.jx(k), eq.jets.jy(k), 0));
      F[static_cast<std::size_t>(a)] = F[static_cast<std::size_t>(a)] + term;
    }
  std::map<std::array<int, 3>, Poly> DF;  // (a, jx, jy) -> D_J F^a
  std::function<const Poly&(int, int, int)> DJF = [&](int a, int jx, int jy) -> const Poly& {
    const std::array<int, 3> key{a, jx, jy};
    auto it = DF.find(key);
    if (it != DF.end()) return it->second;
    Poly p = jx > 0 ? total(J, DJF(a, jx - 1, jy), 0) : jy > 0 ? total(J, DJF(a, 0, jy - 1), 1) : F[static_cast<std::size_t>(a)];
    return DF.emplace(key, std::move(p)).first->second;
  };
  // Multi-indices of order <= n present in the layout.
  std::vector<std::array<int, 2>> Js;
  for (int o = 0; o <= n; ++o)
    for (int jx = o; jx >= 0; --jx)
      if (dim == 2 || jx == o) Js.push_back({jx, o - jx});

  const int ncomp = vars.count();
  for (int b = 0; b < basis.size(); ++b) {
    // The basis field's components as polynomials in (x, y, t, u^a).
    const std::vector<int>& ex = basis.exponents(b);
    Poly mono = J.constant(1.0);
    for (int v = 0; v < ncomp; ++v)
      for (int p = 0; p < ex[static_cast<std::size_t>(v)]; ++p)
        mono = mono * J.var(v <= dim ? v : J.u(v - dim - 1, 0, 0, 0));
    const int c = basis.component_index(b);
    std::vector<Poly> xi(static_cast<std::size_t>(dim)), phi(static_cast<std::size_t>(nc));
    Poly tau;
    if (c < dim) xi[static_cast<std::size_t>(c)] = mono;
    else if (c == dim) tau = mono;
    else phi[static_cast<std::size_t>(c - dim - 1)] = mono;
    // D_k of xi^i and tau, k over space and time.
    std::vector<std::vector<Poly>> Dxi(static_cast<std::size_t>(dim), std::vector<Poly>(static_cast<std::size_t>(dim + 1)));
    std::vector<Poly> Dtau(static_cast<std::size_t>(dim + 1));
    for (int k = 0; k <= dim; ++k) {
      for (int i = 0; i < dim; ++i) Dxi[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)] = total(J, xi[static_cast<std::size_t>(i)], k);
      Dtau[static_cast<std::size_t>(k)] = total(J, tau, k);
    }
    // One prolongation step: phi^a_{J+k} from phi^a_J, with J = (jx, jy, jt).
    auto step = [&](const Poly& pJ, int a, int jx, int jy, int jt, int k) {
      Poly r = total(J, pJ, k);
      for (int i = 0; i < dim; ++i)
        r = r - J.var(J.u(a, jx + (i == 0), jy + (i == 1), jt)) * Dxi[static_cast<std::size_t>(i)][static_cast<std::size_t>(k)];
      return r - J.var(J.u(a, jx, jy, jt + 1)) * Dtau[static_cast<std::size_t>(k)];
    };
    std::vector<Poly> E(static_cast<std::size_t>(nc));
    for (int a = 0; a < nc; ++a) {
      // phi^a_J for spatial J up to order n.
      std::map<std::array<int, 2>, Poly> pj;
      pj[{0, 0}] = phi[static_cast<std::size_t>(a)];
      for (const auto& Jm : Js) {
        if (Jm[0] + Jm[1] == 0) continue;
        if (Jm[0] > 0) pj[Jm] = step(pj[{Jm[0] - 1, Jm[1]}], a, Jm[0] - 1, Jm[1], 0, 0);
        else pj[Jm] = step(pj[{0, Jm[1] - 1}], a, 0, Jm[1] - 1, 0, 1);
      }
      Poly lhs = step(phi[static_cast<std::size_t>(a)], a, 0, 0, 0, dim);  // phi^a_t
      if (eq.time_order == 2) lhs = step(lhs, a, 0, 0, 1, dim);             // phi^a_tt
      Poly Ea = lhs;
      for (const auto& Jm : Js)
        for (int bcomp = 0; bcomp < nc; ++bcomp) {
          const Poly dF = diff(F[static_cast<std::size_t>(a)], J.u(bcomp, Jm[0], Jm[1], 0));
          if (dF.empty()) continue;
          // phi^b_J of the other component b (computed on demand for b != a).
          if (bcomp == a) {
            Ea = Ea - dF * pj[Jm];
          } else {
            std::map<std::array<int, 2>, Poly> pb;
            pb[{0, 0}] = phi[static_cast<std::size_t>(bcomp)];
            for (const auto& Jn : Js) {
              if (Jn[0] + Jn[1] == 0) continue;
              if (Jn[0] > 0) pb[Jn] = step(pb[{Jn[0] - 1, Jn[1]}], bcomp, Jn[0] - 1, Jn[1], 0, 0);
              else pb[Jn] = step(pb[{0, Jn[1] - 1}], bcomp, 0, Jn[1] - 1, 0, 1);
            }
            Ea = Ea - dF * pb[Jm];
          }
        }
      E[static_cast<std::size_t>(a)] = std::move(Ea);
    }
    // On solutions: replace time derivatives from the equation.
    for (auto& Ea : E) {
      if (eq.time_order == 1) {
        for (int k = J.jets().size() - 1; k >= 0; --k) {
          const int v = J.u(J.jets().comp(k), J.jets().jx(k), J.jets().jy(k), 1);
          if (depends_on(Ea, v)) Ea = substitute(Ea, v, DJF(J.jets().comp(k), J.jets().jx(k), J.jets().jy(k)));
        }
      } else {
        const int v = J.u(0, 0, 0, 2);
        if (depends_on(Ea, v)) Ea = substitute(Ea, v, F[0]);
        for (int k = 0; k < J.jets().size(); ++k)
          PDESYM_CHECK(k == 0 || !depends_on(Ea, J.u(0, J.jets().jx(k), J.jets().jy(k), 2)),
                       "second-order condition still depends on a second time derivative");
      }
    }
    cols_.push_back(std::move(E));
  }

  // Point columns of the free variables.
  var_to_point_.assign(static_cast<std::size_t>(J.size()), -1);
  for (int v = 0; v <= dim; ++v) var_to_point_[static_cast<std::size_t>(v)] = v;
  for (int k = 0; k < free_.size(); ++k) {
    var_to_point_[static_cast<std::size_t>(J.u(free_.comp(k), free_.jx(k), free_.jy(k), 0))] = dim + 1 + k;
    if (eq.time_order == 2) var_to_point_[static_cast<std::size_t>(J.u(free_.comp(k), free_.jx(k), free_.jy(k), 1))] = dim + 1 + free_.size() + k;
  }
}

int SystemCondition::point_size() const {
  return free_.dim() + 1 + free_.size() * (time_order_ == 2 ? 2 : 1);
}

Eigen::MatrixXd SystemCondition::evaluate(const Eigen::MatrixXd& points) const {
  PDESYM_REQUIRE(points.cols() >= point_size(), "symmetry condition needs " << point_size() << " columns per point, got "
                                                                             << points.cols());
  std::vector<std::vector<std::vector<Term>>> comp(cols_.size());
  int maxp = 1;
  for (std::size_t b = 0; b < cols_.size(); ++b)
    for (const auto& P : cols_[b]) {
      std::vector<Term> ts;
      for (const auto& [e, c] : P) {
        Term t{c, {}};
        for (std::size_t v = 0; v < e.size(); ++v) {
          if (e[v] == 0) continue;
          const int col = var_to_point_[v];
          PDESYM_CHECK(col >= 0, "the symmetry condition depends on a variable the sample points do not hold");
          t.f.push_back({col, e[v]});
          maxp = std::max(maxp, static_cast<int>(e[v]));
        }
        ts.push_back(std::move(t));
      }
      comp[b].push_back(std::move(ts));
    }
  const int np = point_size();
  Eigen::MatrixXd A(points.rows() * nc_, static_cast<int>(cols_.size()));
  std::vector<double> pw(static_cast<std::size_t>(np * (maxp + 1)));
  for (int r = 0; r < points.rows(); ++r) {
    for (int v = 0; v < np; ++v) {
      double acc = 1;
      for (int p = 0; p <= maxp; ++p) {
        pw[static_cast<std::size_t>(v * (maxp + 1) + p)] = acc;
        acc *= points(r, v);
      }
    }
    for (std::size_t b = 0; b < comp.size(); ++b)
      for (int a = 0; a < nc_; ++a) {
        double s = 0;
        for (const auto& t : comp[b][static_cast<std::size_t>(a)]) {
          double v = t.c;
          for (const auto& [col, p] : t.f) v *= pw[static_cast<std::size_t>(col * (maxp + 1) + p)];
          s += v;
        }
        A(r * nc_ + a, static_cast<int>(b)) = s;
      }
  }
  return A;
}

double SystemCondition::symbolic_residual(const Eigen::VectorXd& v) const {
  PDESYM_CHECK(v.size() == columns(), "generator size does not match the basis");
  double worst = 0;
  const double vmax = v.cwiseAbs().maxCoeff();
  for (int a = 0; a < nc_; ++a) {
    Poly sum;
    for (int b = 0; b < columns(); ++b)
      if (v[b] != 0) sum = sum + scale(cols_[static_cast<std::size_t>(b)][static_cast<std::size_t>(a)], v[b]);
    for (const auto& kv : sum) worst = std::max(worst, std::abs(kv.second));
  }
  return vmax > 0 ? worst / vmax : 0.0;
}

}  // namespace pdesym::symmetry
