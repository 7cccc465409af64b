// Symbolic jet-space polynomials, total derivatives and the linearised symmetry condition (prolong.hpp).
#include "pdesym/symmetry/prolong.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "pdesym/common/error.hpp"

namespace pdesym::symmetry {

JetSpace::JetSpace(int max_x) : max_x_(max_x) {
  PDESYM_CHECK(max_x >= 1 && max_x <= 60, "jet order " << max_x << " out of range");
}

int JetSpace::u(int i, int j) const {
  PDESYM_CHECK(i >= 0 && i <= max_x_ && (j == 0 || j == 1),
               "jet variable u_{" << i << "," << j << "} beyond the jet space (max x-order " << max_x_ << ")");
  return 2 + j * (max_x_ + 1) + i;
}

std::string JetSpace::name(int var) const {
  if (var == 0) return "x";
  if (var == 1) return "t";
  const int k = var - 2;
  const int j = k / (max_x_ + 1), i = k % (max_x_ + 1);
  if (i == 0 && j == 0) return "u";
  return "u_" + std::string(static_cast<std::size_t>(i), 'x') + std::string(static_cast<std::size_t>(j), 't');
}

// ---------------------------------------------------------------------------------------------------------

JetPoly JetPoly::constant(const JetSpace& s, double c) {
  JetPoly p(s);
  p.add_term(Exponents(static_cast<std::size_t>(s.size()), 0), c);
  return p;
}

JetPoly JetPoly::variable(const JetSpace& s, int var, double c) {
  JetPoly p(s);
  Exponents e(static_cast<std::size_t>(s.size()), 0);
  e[static_cast<std::size_t>(var)] = 1;
  p.add_term(e, c);
  return p;
}

void JetPoly::add_term(const Exponents& e, double c) {
  if (c == 0.0) return;
  auto it = terms_.find(e);
  if (it == terms_.end()) {
    terms_.emplace(e, c);
  } else {
    it->second += c;
    if (it->second == 0.0) terms_.erase(it);
  }
}

JetPoly& JetPoly::operator+=(const JetPoly& o) {
  for (const auto& [e, c] : o.terms_) add_term(e, c);
  return *this;
}
JetPoly& JetPoly::operator-=(const JetPoly& o) {
  for (const auto& [e, c] : o.terms_) add_term(e, -c);
  return *this;
}
JetPoly JetPoly::operator+(const JetPoly& o) const {
  JetPoly r = *this;
  r += o;
  return r;
}
JetPoly JetPoly::operator-(const JetPoly& o) const {
  JetPoly r = *this;
  r -= o;
  return r;
}
JetPoly JetPoly::operator*(double c) const {
  JetPoly r(space_);
  if (c == 0.0) return r;
  for (const auto& [e, v] : terms_) r.terms_.emplace(e, v * c);
  return r;
}
JetPoly JetPoly::operator*(const JetPoly& o) const {
  JetPoly r(space_);
  Exponents e(static_cast<std::size_t>(space_.size()));
  for (const auto& [ea, ca] : terms_)
    for (const auto& [eb, cb] : o.terms_) {
      for (std::size_t v = 0; v < e.size(); ++v) {
        const int s = ea[v] + eb[v];
        PDESYM_CHECK(s < 255, "jet polynomial exponent overflow");
        e[v] = static_cast<std::uint8_t>(s);
      }
      r.add_term(e, ca * cb);
    }
  return r;
}

JetPoly JetPoly::diff(int var) const {
  JetPoly r(space_);
  for (const auto& [e, c] : terms_) {
    const int p = e[static_cast<std::size_t>(var)];
    if (p == 0) continue;
    Exponents f = e;
    f[static_cast<std::size_t>(var)] = static_cast<std::uint8_t>(p - 1);
    r.add_term(f, c * p);
  }
  return r;
}

JetPoly JetPoly::total_dx() const {
  JetPoly r(space_);
  const int m = space_.max_x();
  for (const auto& [e, c] : terms_) {
    for (int v = 0; v < space_.size(); ++v) {
      const int p = e[static_cast<std::size_t>(v)];
      if (p == 0 || v == JetSpace::t()) continue;
      Exponents f = e;
      f[static_cast<std::size_t>(v)] = static_cast<std::uint8_t>(p - 1);
      if (v != JetSpace::x()) {
        const int k = v - 2, j = k / (m + 1), i = k % (m + 1);
        const int w = space_.u(i + 1, j);  // throws if the jet space is too small
        f[static_cast<std::size_t>(w)] = static_cast<std::uint8_t>(f[static_cast<std::size_t>(w)] + 1);
      }
      r.add_term(f, c * p);
    }
  }
  return r;
}

JetPoly JetPoly::total_dt() const {
  JetPoly r(space_);
  const int u = space_.u(0, 0), ut = space_.u(0, 1);
  for (const auto& [e, c] : terms_) {
    for (int v = 0; v < space_.size(); ++v) {
      const int p = e[static_cast<std::size_t>(v)];
      if (p == 0 || v == JetSpace::x()) continue;
      PDESYM_CHECK(v == JetSpace::t() || v == u, "total_dt is only implemented for functions of (x, t, u)");
      Exponents f = e;
      f[static_cast<std::size_t>(v)] = static_cast<std::uint8_t>(p - 1);
      if (v == u) f[static_cast<std::size_t>(ut)] = static_cast<std::uint8_t>(f[static_cast<std::size_t>(ut)] + 1);
      r.add_term(f, c * p);
    }
  }
  return r;
}

JetPoly JetPoly::substitute(int var, const JetPoly& rep) const {
  JetPoly r(space_);
  std::vector<JetPoly> pw{JetPoly::constant(space_, 1.0)};
  for (const auto& [e, c] : terms_) {
    const int p = e[static_cast<std::size_t>(var)];
    if (p == 0) {
      r.add_term(e, c);
      continue;
    }
    while (static_cast<int>(pw.size()) <= p) pw.push_back(pw.back() * rep);
    Exponents f = e;
    f[static_cast<std::size_t>(var)] = 0;
    JetPoly rest(space_);
    rest.add_term(f, c);
    r += rest * pw[static_cast<std::size_t>(p)];
  }
  return r;
}

bool JetPoly::depends_on(int var) const {
  for (const auto& kv : terms_)
    if (kv.first[static_cast<std::size_t>(var)] > 0) return true;
  return false;
}

double JetPoly::eval(const double* values) const {
  double s = 0.0;
  for (const auto& [e, c] : terms_) {
    double t = c;
    for (std::size_t v = 0; v < e.size(); ++v)
      for (int k = 0; k < e[v]; ++k) t *= values[v];
    s += t;
  }
  return s;
}

std::string JetPoly::str() const {
  if (terms_.empty()) return "0";
  std::ostringstream os;
  os.precision(10);
  bool first = true;
  for (const auto& [e, c] : terms_) {
    os << (first ? (c < 0 ? "-" : "") : (c < 0 ? " - " : " + ")) << std::abs(c);
    for (std::size_t v = 0; v < e.size(); ++v) {
      if (e[v] == 0) continue;
      os << "*" << space_.name(static_cast<int>(v));
      if (e[v] > 1) os << "^" << static_cast<int>(e[v]);
    }
    first = false;
  }
  return os.str();
}

// ---------------------------------------------------------------------------------------------------------

JetPoly equation_poly(const IdentifiedEquation& eq, const JetSpace& space) {
  JetPoly F(space);
  for (std::size_t i = 0; i < eq.terms.size(); ++i) {
    JetPoly term = JetPoly::constant(space, eq.coeffs[i]);
    const auto& pw = eq.terms[i].powers;
    for (std::size_t k = 0; k < pw.size(); ++k)
      for (int p = 0; p < pw[k]; ++p) term = term * JetPoly::variable(space, space.u(static_cast<int>(k), 0));
    F += term;
  }
  return F;
}

SymmetryCondition::SymmetryCondition(const IdentifiedEquation& eq, const PolynomialBasis& basis)
    : n_(eq.order()), space_(std::max(2 * eq.order(), eq.order() + 1)) {
  const JetSpace& S = space_;
  const JetPoly F = equation_poly(eq, S);
  std::vector<JetPoly> dF, DxF{F};
  for (int k = 0; k <= n_; ++k) dF.push_back(F.diff(S.u(k, 0)));
  for (int i = 1; i <= n_; ++i) DxF.push_back(DxF.back().total_dx());
  const JetPoly ux = JetPoly::variable(S, S.u(1, 0)), ut = JetPoly::variable(S, S.u(0, 1));

  for (int b = 0; b < basis.size(); ++b) {
    const Monomial& m = basis.monomial(b);
    JetPoly mono = JetPoly::constant(S, 1.0);
    for (int k = 0; k < m.a; ++k) mono = mono * JetPoly::variable(S, JetSpace::x());
    for (int k = 0; k < m.b; ++k) mono = mono * JetPoly::variable(S, JetSpace::t());
    for (int k = 0; k < m.c; ++k) mono = mono * JetPoly::variable(S, S.u(0, 0));
    JetPoly xi(S), tau(S), phi(S);
    switch (basis.component(b)) {
      case Component::Xi: xi = mono; break;
      case Component::Tau: tau = mono; break;
      case Component::Phi: phi = mono; break;
    }
    // phi^t = D_t phi - u_x D_t xi - u_t D_t tau
    JetPoly E = phi.total_dt() - ux * xi.total_dt() - ut * tau.total_dt();
    // - sum_k dF/du_k phi^(k), phi^(k) = D_x^k Q + xi u_{k+1} + tau u_{k,t}
    const JetPoly Q = phi - xi * ux - tau * ut;
    JetPoly DkQ = Q;
    for (int k = 0; k <= n_; ++k) {
      if (k > 0) DkQ = DkQ.total_dx();
      if (dF[static_cast<std::size_t>(k)].is_zero()) continue;
      const JetPoly phik = k == 0 ? phi
                                  : DkQ + xi * JetPoly::variable(S, S.u(k + 1, 0)) +
                                        tau * JetPoly::variable(S, S.u(k, 1));
      E -= dF[static_cast<std::size_t>(k)] * phik;
    }
    // On solutions: u_{i,t} = D_x^i F.
    for (int i = n_; i >= 0; --i) E = E.substitute(S.u(i, 1), DxF[static_cast<std::size_t>(i)]);
    for (int i = 0; i <= S.max_x(); ++i)
      PDESYM_CHECK(!E.depends_on(S.u(i, 1)), "symmetry condition still depends on " << S.name(S.u(i, 1)));
    cols_.push_back(std::move(E));
  }
}

Eigen::MatrixXd SymmetryCondition::evaluate(const Eigen::MatrixXd& points) const {
  const int nfree = 3 + space_.max_x();  // x, t, u_0..u_max
  PDESYM_REQUIRE(points.cols() >= nfree, "symmetry condition needs points with x, t and u_0..u_" << space_.max_x()
                                                                                     << " (" << nfree << " columns), got "
                                                                                     << points.cols());
  // Compile: each term as a coefficient and (point column, power) factors.
  struct Term {
    double c;
    std::vector<std::pair<int, int>> f;
  };
  std::vector<std::vector<Term>> cols;
  int maxp = 1;
  for (const auto& P : cols_) {
    std::vector<Term> ts;
    for (const auto& [e, c] : P.terms()) {
      Term t{c, {}};
      for (int v = 0; v < space_.size(); ++v) {
        const int p = e[static_cast<std::size_t>(v)];
        if (p == 0) continue;
        PDESYM_CHECK(v < nfree, "unexpected t-derivative in the substituted symmetry condition");
        t.f.push_back({v, p});
        maxp = std::max(maxp, p);
      }
      ts.push_back(std::move(t));
    }
    cols.push_back(std::move(ts));
  }
  Eigen::MatrixXd A(points.rows(), static_cast<int>(cols_.size()));
  std::vector<double> pw(static_cast<std::size_t>(nfree * (maxp + 1)));
  for (int r = 0; r < points.rows(); ++r) {
    for (int v = 0; v < nfree; ++v) {
      double acc = 1.0;
      for (int p = 0; p <= maxp; ++p) {
        pw[static_cast<std::size_t>(v * (maxp + 1) + p)] = acc;
        acc *= points(r, v);
      }
    }
    for (std::size_t c = 0; c < cols.size(); ++c) {
      double s = 0.0;
      for (const auto& t : cols[c]) {
        double v = t.c;
        for (const auto& [var, p] : t.f) v *= pw[static_cast<std::size_t>(var * (maxp + 1) + p)];
        s += v;
      }
      A(r, static_cast<int>(c)) = s;
    }
  }
  return A;
}

JetPoly SymmetryCondition::residual(const Eigen::VectorXd& v) const {
  PDESYM_CHECK(v.size() == static_cast<int>(cols_.size()), "generator size does not match the basis");
  JetPoly r(space_);
  for (std::size_t i = 0; i < cols_.size(); ++i)
    if (v[static_cast<int>(i)] != 0.0) r += cols_[i] * v[static_cast<int>(i)];
  return r;
}

}  // namespace pdesym::symmetry
