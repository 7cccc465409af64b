// Polynomial vector-field basis (basis.hpp): monomials, variables, the basis and its indexing.
#include "pdesym/symmetry/basis.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <sstream>
#include <tuple>

#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"

namespace pdesym::symmetry {

// ---------------------------------------------------------------------------------------------------------
// Monomials and the basis
// ---------------------------------------------------------------------------------------------------------

double Monomial::eval(double x, double t, double u) const {
  double v = 1.0;
  for (int i = 0; i < a; ++i) v *= x;
  for (int i = 0; i < b; ++i) v *= t;
  for (int i = 0; i < c; ++i) v *= u;
  return v;
}

std::string Monomial::name() const {
  std::string s;
  auto add = [&](const char* var, int p) {
    if (p == 0) return;
    if (!s.empty()) s += "*";
    s += var;
    if (p > 1) s += "^" + std::to_string(p);
  };
  add("x", a);
  add("t", b);
  add("u", c);
  return s.empty() ? "1" : s;
}

Variables Variables::of(int dim, int nc) {
  PDESYM_REQUIRE(dim == 1 || dim == 2, "space dimension must be 1 or 2, got " << dim);
  PDESYM_REQUIRE(nc >= 1 && nc <= 8, "number of components must be in 1..8, got " << nc);
  Variables v;
  v.dim = dim;
  v.nc = nc;
  v.fields.clear();
  if (nc == 1) v.fields = {"u"};
  else if (nc == 2) v.fields = {"u", "v"};
  else
    for (int a = 0; a < nc; ++a) v.fields.push_back("u" + std::to_string(a));
  return v;
}

std::vector<std::string> Variables::names() const {
  std::vector<std::string> n = {"x"};
  if (dim == 2) n.push_back("y");
  n.push_back("t");
  n.insert(n.end(), fields.begin(), fields.end());
  return n;
}

std::string Variables::describe() const {
  std::string s = "(";
  for (const auto& n : names()) s += (s.size() > 1 ? ", " : "") + n;
  return s + ")";
}

PolynomialBasis::PolynomialBasis(int degree) : PolynomialBasis(degree, Variables{}) {}

PolynomialBasis::PolynomialBasis(int degree, const Variables& vars) : degree_(degree), vars_(vars) {
  PDESYM_REQUIRE(degree >= 0 && degree <= 8, "polynomial basis degree must be in 0..8, got " << degree);
  PDESYM_REQUIRE((vars.dim == 1 || vars.dim == 2) && vars.nc >= 1 && static_cast<int>(vars.fields.size()) == vars.nc,
                 "basis variables: dimension 1 or 2 and one name per component");
  const int nv = vars.count();
  // Total degree ascending; within a degree, exponents of earlier variables descending.
  std::vector<int> e(static_cast<std::size_t>(nv), 0);
  for (int d = 0; d <= degree; ++d) {
    std::function<void(int, int)> rec = [&](int v, int left) {
      if (v == nv - 1) {
        e[static_cast<std::size_t>(v)] = left;
        exps_.push_back(e);
        return;
      }
      for (int p = left; p >= 0; --p) {
        e[static_cast<std::size_t>(v)] = p;
        rec(v + 1, left - p);
      }
    };
    rec(0, d);
  }
  if (vars.scalar_1d())
    for (const auto& x : exps_) monomials_.push_back({x[0], x[1], x[2]});
}

int PolynomialBasis::component_index(int i) const {
  PDESYM_CHECK(i >= 0 && i < size(), "basis index " << i << " out of range 0.." << size() - 1);
  return i / monomials_per_component();
}

const std::vector<int>& PolynomialBasis::exponents(int i) const {
  PDESYM_CHECK(i >= 0 && i < size(), "basis index " << i << " out of range 0.." << size() - 1);
  return exps_[static_cast<std::size_t>(i % monomials_per_component())];
}

std::string PolynomialBasis::monomial_name(int k) const {
  const auto& e = exps_[static_cast<std::size_t>(k)];
  const auto names = vars_.names();
  std::string s;
  for (std::size_t v = 0; v < e.size(); ++v) {
    if (e[v] == 0) continue;
    if (!s.empty()) s += "*";
    s += names[v];
    if (e[v] > 1) s += "^" + std::to_string(e[v]);
  }
  return s.empty() ? "1" : s;
}

int PolynomialBasis::index(int component, const std::vector<int>& e) const {
  if (component < 0 || component >= vars_.count() || static_cast<int>(e.size()) != vars_.count()) return -1;
  int deg = 0;
  for (int p : e) {
    if (p < 0) return -1;
    deg += p;
  }
  if (deg > degree_) return -1;
  for (std::size_t k = 0; k < exps_.size(); ++k)
    if (exps_[k] == e) return component * monomials_per_component() + static_cast<int>(k);
  return -1;
}

std::string PolynomialBasis::component_name(int c) const {
  const auto names = vars_.names();
  const std::string& v = names[static_cast<std::size_t>(c)];
  if (c < vars_.dim) return c == 0 ? "xi" : "eta";
  if (c == vars_.dim) return "tau";
  const int a = c - vars_.dim - 1;
  if (a == 0) return "phi";
  if (a == 1) return "psi";
  return "phi_" + v;
}

std::string PolynomialBasis::component_operator(int c) const {
  return "d_" + vars_.names()[static_cast<std::size_t>(c)];
}

Component PolynomialBasis::component(int i) const {
  PDESYM_CHECK(vars_.scalar_1d(), "PolynomialBasis::component: a basis over " << vars_.describe()
                                                                              << " has no xi/tau/phi triple");
  return static_cast<Component>(component_index(i));
}

const Monomial& PolynomialBasis::monomial(int i) const {
  PDESYM_CHECK(vars_.scalar_1d(), "PolynomialBasis::monomial: a basis over " << vars_.describe()
                                                                             << " has no (x, t, u) monomials");
  PDESYM_CHECK(i >= 0 && i < size(), "basis index " << i << " out of range 0.." << size() - 1);
  return monomials_[static_cast<std::size_t>(i % monomials_per_component())];
}

int PolynomialBasis::index(Component c, Monomial m) const {
  PDESYM_CHECK(vars_.scalar_1d(), "PolynomialBasis::index(Component, Monomial) needs a basis over (x, t, u)");
  return index(static_cast<int>(c), std::vector<int>{m.a, m.b, m.c});
}

std::string PolynomialBasis::name(int i) const {
  return component_name(component_index(i)) + ":" + monomial_name(i % monomials_per_component());
}

std::vector<std::string> PolynomialBasis::names() const {
  std::vector<std::string> n;
  for (int i = 0; i < size(); ++i) n.push_back(name(i));
  return n;
}

std::array<double, 3> PolynomialBasis::eval(const Eigen::VectorXd& coeffs, double x, double t, double u) const {
  PDESYM_CHECK(vars_.scalar_1d(), "PolynomialBasis::eval needs a basis over (x, t, u)");
  PDESYM_CHECK(coeffs.size() == size(), "coefficient vector has " << coeffs.size() << " entries, basis has "
                                                                  << size());
  std::array<double, 3> r{0.0, 0.0, 0.0};
  const int m = monomials_per_component();
  for (int k = 0; k < m; ++k) {
    const double v = monomials_[static_cast<std::size_t>(k)].eval(x, t, u);
    for (int c = 0; c < 3; ++c) r[static_cast<std::size_t>(c)] += coeffs[c * m + k] * v;
  }
  return r;
}

}  // namespace pdesym::symmetry
