// Polynomial vector-field basis, readable labels and their parser, the known algebras, principal angles and
// sym.json (de)serialisation.
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

// ---------------------------------------------------------------------------------------------------------
// Labels
// ---------------------------------------------------------------------------------------------------------

namespace {
std::string format_number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  std::string s(buf);
  if (s == "-0") s = "0";
  return s;
}
}  // namespace

std::string label(const Eigen::VectorXd& coeffs, const PolynomialBasis& basis, double tol) {
  PDESYM_CHECK(coeffs.size() == basis.size(), "label: coefficient vector has " << coeffs.size()
                                                  << " entries, basis has " << basis.size());
  const double vmax = coeffs.size() ? coeffs.cwiseAbs().maxCoeff() : 0.0;
  if (!(vmax > 0) || !std::isfinite(vmax)) return std::isfinite(vmax) ? "0" : "nan";
  Eigen::VectorXd v = coeffs;
  for (int i = 0; i < v.size(); ++i)
    if (std::abs(v[i]) <= tol * vmax) v[i] = 0.0;
  int first = 0;
  while (v[first] == 0.0) ++first;
  v /= v[first];

  const int m = basis.monomials_per_component();
  std::string out;
  for (int c = 0; c < basis.variables().count(); ++c) {
    std::vector<std::pair<double, std::string>> terms;
    for (int k = 0; k < m; ++k)
      if (v[c * m + k] != 0.0) terms.push_back({v[c * m + k], basis.monomial_name(k)});
    if (terms.empty()) continue;
    const std::string op = basis.component_operator(c);
    // Factor out the sign of the first term (and, for a single term, its magnitude).
    const double sign = terms[0].first < 0 ? -1.0 : 1.0;
    std::string body;
    if (terms.size() == 1) {
      const double a = std::abs(terms[0].first);
      const std::string num = format_number(a);
      const std::string& mono = terms[0].second;
      if (mono == "1")
        body = (num == "1" ? "" : num + "*") + op;
      else
        body = (num == "1" ? "" : num + "*") + mono + "*" + op;
    } else {
      body = "(";
      for (std::size_t j = 0; j < terms.size(); ++j) {
        const double a = sign * terms[j].first;
        const std::string num = format_number(std::abs(a));
        if (j == 0)
          body += "";
        else
          body += a < 0 ? " - " : " + ";
        const std::string& mono = terms[j].second;
        if (mono == "1")
          body += num;
        else
          body += (num == "1" ? "" : num + "*") + mono;
      }
      body += ")*" + op;
    }
    if (out.empty())
      out = (sign < 0 ? "-" : "") + body;
    else
      out += (sign < 0 ? " - " : " + ") + body;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Parser: sums of products of numbers, x, t, u (with integer powers), parentheses and exactly one of
// d_x, d_t, d_u per expanded term. Multiplication may be written '*' or left implicit ("x t d_x").
// ---------------------------------------------------------------------------------------------------------

namespace {

// Key: component (-1 for none yet) and the monomial exponents over the variables.
using TermKey = std::pair<int, std::vector<int>>;
using Expr = std::map<TermKey, double>;

class GeneratorParser {
 public:
  GeneratorParser(const std::string& text, std::vector<std::string> vars) : s_(text), vars_(std::move(vars)) {}

  Expr parse() {
    skip_ws();
    PDESYM_REQUIRE(pos_ < s_.size(), "cannot parse generator '" << s_ << "': it is empty");
    Expr e = parse_sum();
    skip_ws();
    if (pos_ < s_.size()) fail("unexpected '" + std::string(1, s_[pos_]) + "'");
    return e;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw InputError("cannot parse generator '" + s_ + "': " + what + " at position " + std::to_string(pos_ + 1));
  }
  void skip_ws() {
    while (pos_ < s_.size() && std::isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  bool starts_factor() const {
    if (pos_ >= s_.size()) return false;
    const char c = s_[pos_];
    return std::isdigit(static_cast<unsigned char>(c)) || c == '.' || std::isalpha(static_cast<unsigned char>(c)) ||
           c == '(';
  }

  static Expr add(Expr a, const Expr& b, double sb) {
    for (const auto& [k, v] : b) a[k] += sb * v;
    return a;
  }
  Expr mul(const Expr& a, const Expr& b) const {
    Expr r;
    for (const auto& [ka, va] : a)
      for (const auto& [kb, vb] : b) {
        const int ca = ka.first, cb = kb.first;
        if (ca >= 0 && cb >= 0) fail("a term multiplies two of " + operators());
        TermKey k{std::max(ca, cb), ka.second};
        for (std::size_t v = 0; v < k.second.size(); ++v) k.second[v] += kb.second[v];
        r[k] += va * vb;
      }
    return r;
  }

  Expr parse_sum() {
    skip_ws();
    double sign = 1.0;
    if (pos_ < s_.size() && (s_[pos_] == '+' || s_[pos_] == '-')) {
      sign = s_[pos_] == '-' ? -1.0 : 1.0;
      ++pos_;
    }
    Expr e = add(Expr{}, parse_product(), sign);
    for (;;) {
      skip_ws();
      if (pos_ >= s_.size() || (s_[pos_] != '+' && s_[pos_] != '-')) break;
      const double sg = s_[pos_] == '-' ? -1.0 : 1.0;
      ++pos_;
      e = add(std::move(e), parse_product(), sg);
    }
    return e;
  }

  Expr parse_product() {
    Expr e = parse_power();
    for (;;) {
      skip_ws();
      if (pos_ < s_.size() && s_[pos_] == '*') {
        ++pos_;
        e = mul(e, parse_power());
      } else if (pos_ < s_.size() && s_[pos_] == '/') {
        ++pos_;
        const Expr d = parse_power();
        if (d.size() != 1 || d.begin()->first != one()) fail("can only divide by a number");
        const double den = d.begin()->second;
        if (den == 0.0) fail("division by zero");
        for (auto& kv : e) kv.second /= den;
      } else if (starts_factor()) {
        e = mul(e, parse_power());  // implicit multiplication: "3 t d_t"
      } else {
        break;
      }
    }
    return e;
  }

  Expr parse_power() {
    Expr base = parse_primary();
    skip_ws();
    if (pos_ < s_.size() && s_[pos_] == '^') {
      ++pos_;
      skip_ws();
      std::size_t start = pos_;
      while (pos_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[pos_]))) ++pos_;
      if (start == pos_) fail("expected a non-negative integer exponent after '^'");
      const int p = std::stoi(s_.substr(start, pos_ - start));
      if (p > 16) fail("exponent too large");
      Expr r{{one(), 1.0}};
      for (int i = 0; i < p; ++i) r = mul(r, base);
      return r;
    }
    return base;
  }

  Expr parse_primary() {
    skip_ws();
    if (pos_ >= s_.size()) fail("unexpected end of text");
    const char c = s_[pos_];
    if (c == '(') {
      ++pos_;
      Expr e = parse_sum();
      skip_ws();
      if (pos_ >= s_.size() || s_[pos_] != ')') fail("missing ')'");
      ++pos_;
      return e;
    }
    if (std::isdigit(static_cast<unsigned char>(c)) || c == '.') {
      const char* begin = s_.c_str() + pos_;
      char* end = nullptr;
      const double v = std::strtod(begin, &end);
      if (end == begin) fail("bad number");
      pos_ += static_cast<std::size_t>(end - begin);
      if (!std::isfinite(v)) fail("number is not finite");
      return Expr{{one(), v}};
    }
    if (std::isalpha(static_cast<unsigned char>(c))) {
      const std::size_t start = pos_;
      while (pos_ < s_.size() && (std::isalnum(static_cast<unsigned char>(s_[pos_])) || s_[pos_] == '_')) ++pos_;
      const std::string id = s_.substr(start, pos_ - start);
      for (std::size_t v = 0; v < vars_.size(); ++v) {
        if (id == vars_[v]) {
          TermKey k = one();
          k.second[v] = 1;
          return Expr{{k, 1.0}};
        }
        if (id == "d_" + vars_[v]) {
          TermKey k = one();
          k.first = static_cast<int>(v);
          return Expr{{k, 1.0}};
        }
      }
      pos_ = start;
      std::string expected;
      for (const auto& v : vars_) expected += v + ", ";
      fail("unknown symbol '" + id + "' (expected " + expected + operators() + " or a number)");
    }
    fail("unexpected '" + std::string(1, c) + "'");
  }

  TermKey one() const { return {-1, std::vector<int>(vars_.size(), 0)}; }
  std::string operators() const {
    std::string o;
    for (const auto& v : vars_) o += (o.empty() ? "d_" : ", d_") + v;
    return o;
  }

  std::string s_;
  std::vector<std::string> vars_;
  std::size_t pos_ = 0;
};

}  // namespace

Eigen::VectorXd parse_generator(const std::string& text, const PolynomialBasis& basis) {
  const auto names = basis.variables().names();
  const Expr e = GeneratorParser(text, names).parse();
  Eigen::VectorXd v = Eigen::VectorXd::Zero(basis.size());
  for (const auto& [k, val] : e) {
    if (val == 0.0) continue;
    std::string mono;
    int deg = 0;
    for (std::size_t q = 0; q < names.size(); ++q) {
      deg += k.second[q];
      if (k.second[q] == 0) continue;
      mono += (mono.empty() ? "" : "*") + names[q] + (k.second[q] > 1 ? "^" + std::to_string(k.second[q]) : "");
    }
    if (mono.empty()) mono = "1";
    if (k.first < 0) {
      std::string ops;
      for (std::size_t q = 0; q < names.size(); ++q)
        ops += (q == 0 ? "d_" : q + 1 == names.size() ? " or d_" : ", d_") + names[q];
      throw InputError("generator '" + text + "': the term " + mono + " is not multiplied by " + ops);
    }
    const int i = basis.index(k.first, k.second);
    PDESYM_REQUIRE(i >= 0, "generator '" << text << "': the monomial " << mono << " has degree " << deg
                                         << ", beyond the basis degree " << basis.degree());
    v[i] += val;
  }
  return v;
}

// ---------------------------------------------------------------------------------------------------------
// Known algebras (shared/docs/science.md)
// ---------------------------------------------------------------------------------------------------------

namespace {
struct KnownAlgebra {
  int dim, nc;
  std::vector<std::string> generators;
};
const std::map<std::string, KnownAlgebra>& algebra_table() {
  static const std::map<std::string, KnownAlgebra> table = {
      {"kdv", {1, 1, {"d_x", "d_t", "t*d_x + d_u", "x*d_x + 3*t*d_t - 2*u*d_u"}}},
      {"burgers",
       {1, 1, {"d_x", "d_t", "t*d_x + d_u", "x*d_x + 2*t*d_t - u*d_u", "x*t*d_x + t^2*d_t + (x - t*u)*d_u"}}},
      {"ks", {1, 1, {"d_x", "d_t", "t*d_x + d_u"}}},
      {"mkdv", {1, 1, {"d_x", "d_t", "x*d_x + 3*t*d_t - u*d_u"}}},
      // psi = u + i v, i psi_t + psi_xx + |psi|^2 psi = 0.
      {"nls",
       {1, 2, {"d_t", "d_x", "v*d_u - u*d_v", "2*t*d_t + x*d_x - u*d_u - v*d_v", "2*t*d_x - x*v*d_u + x*u*d_v"}}},
      // u_t = (u_xx + u_yy) / 2.
      {"heat2d",
       {2, 1, {"d_t", "d_x", "d_y", "y*d_x - x*d_y", "2*t*d_t + x*d_x + y*d_y", "u*d_u", "t*d_x - x*u*d_u",
               "t*d_y - y*u*d_u", "d_u", "x*d_u", "y*d_u", "x*y*d_u", "(x^2 + t)*d_u", "(y^2 + t)*d_u"}}},
      {"nls2d",
       {2, 2, {"d_t", "d_x", "d_y", "y*d_x - x*d_y", "v*d_u - u*d_v", "2*t*d_t + x*d_x + y*d_y - u*d_u - v*d_v",
               "2*t*d_x - x*v*d_u + x*u*d_v", "2*t*d_y - y*v*d_u + y*u*d_v"}}},
      {"lambda-omega", {2, 2, {"d_t", "d_x", "d_y", "y*d_x - x*d_y", "v*d_u - u*d_v"}}},
      // u_tt = u_xx + u_yy: Poincare (6), dilation, u d_u, special conformal (3), superposition (9).
      {"wave2d",
       {2, 1, {"d_t", "d_x", "d_y", "y*d_x - x*d_y", "x*d_t + t*d_x", "y*d_t + t*d_y", "t*d_t + x*d_x + y*d_y",
               "u*d_u", "(t^2 + x^2 + y^2)*d_t + 2*t*x*d_x + 2*t*y*d_y - t*u*d_u",
               "2*t*x*d_t + (t^2 + x^2 - y^2)*d_x + 2*x*y*d_y - x*u*d_u",
               "2*t*y*d_t + 2*x*y*d_x + (t^2 - x^2 + y^2)*d_y - y*u*d_u", "d_u", "t*d_u", "x*d_u", "y*d_u",
               "t*x*d_u", "t*y*d_u", "x*y*d_u", "(t^2 + x^2)*d_u", "(t^2 + y^2)*d_u"}}},
  };
  return table;
}
const KnownAlgebra& algebra_entry(const std::string& name) {
  const auto& table = algebra_table();
  const auto it = table.find(name);
  if (it == table.end()) {
    std::string list;
    for (const auto& kv : table) list += (list.empty() ? "" : ", ") + kv.first;
    throw InputError("unknown algebra '" + name + "' (known: " + list + ")");
  }
  return it->second;
}
}  // namespace

std::vector<std::string> known_algebra_names() {
  std::vector<std::string> n;
  for (const auto& kv : algebra_table()) n.push_back(kv.first);
  return n;
}

std::vector<std::string> known_algebra_generators(const std::string& name) { return algebra_entry(name).generators; }

Variables known_algebra_variables(const std::string& name) {
  const KnownAlgebra& a = algebra_entry(name);
  return Variables::of(a.dim, a.nc);
}

Eigen::MatrixXd known_algebra(const std::string& name, const PolynomialBasis& basis) {
  const KnownAlgebra& a = algebra_entry(name);
  const Variables vars = Variables::of(a.dim, a.nc);
  PDESYM_REQUIRE(basis.variables().dim == vars.dim && basis.variables().nc == vars.nc,
                 "the " << name << " algebra lives on " << vars.describe() << ", the basis on "
                        << basis.variables().describe());
  // Parsed with the default field names; the layout depends on (dim, nc, degree) only.
  const PolynomialBasis named(basis.degree(), vars);
  const std::vector<std::string>& gens = a.generators;
  Eigen::MatrixXd M(basis.size(), static_cast<int>(gens.size()));
  for (std::size_t j = 0; j < gens.size(); ++j) {
    try {
      M.col(static_cast<int>(j)) = parse_generator(gens[j], named);
    } catch (const InputError& e) {
      throw InputError("the " + name + " algebra does not fit a basis of degree " + std::to_string(basis.degree()) +
                       ": " + e.what());
    }
  }
  return M;
}

Eigen::MatrixXd change_basis(const Eigen::MatrixXd& G, const PolynomialBasis& from, const PolynomialBasis& to) {
  PDESYM_REQUIRE(G.rows() == from.size(), "generators have " << G.rows() << " coefficients, the degree-"
                                                             << from.degree() << " basis has " << from.size());
  Eigen::MatrixXd R = Eigen::MatrixXd::Zero(to.size(), G.cols());
  PDESYM_REQUIRE(from.variables() == to.variables(), "cannot compare generators over " << from.variables().describe()
                                                      << " with generators over " << to.variables().describe());
  for (int i = 0; i < from.size(); ++i) {
    const int j = to.index(from.component_index(i), from.exponents(i));
    for (int g = 0; g < G.cols(); ++g) {
      if (G(i, g) == 0.0) continue;
      PDESYM_REQUIRE(j >= 0, "generator " << g + 1 << " uses " << from.name(i) << ", which a degree-" << to.degree()
                                          << " basis cannot represent");
      R(j, g) = G(i, g);
    }
  }
  return R;
}

// ---------------------------------------------------------------------------------------------------------
// Principal angles
// ---------------------------------------------------------------------------------------------------------

namespace {
// Orthonormal basis of the column span (left singular vectors above a relative rank tolerance).
Eigen::MatrixXd orthonormal_span(const Eigen::MatrixXd& A) {
  if (A.cols() == 0 || A.rows() == 0) return Eigen::MatrixXd(A.rows(), 0);
  PDESYM_REQUIRE(A.allFinite(), "principal angles: a generator has non-finite coefficients");
  // Normalise columns first so that the rank decision does not depend on how each generator is scaled.
  Eigen::MatrixXd B = A;
  for (int j = 0; j < B.cols(); ++j) {
    const double n = B.col(j).norm();
    if (n > 0) B.col(j) /= n;
  }
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(B, Eigen::ComputeThinU);
  const auto& s = svd.singularValues();
  const double tol = std::max<double>(B.rows(), B.cols()) * std::numeric_limits<double>::epsilon() * 16.0 *
                     (s.size() ? s[0] : 0.0);
  int r = 0;
  while (r < s.size() && s[r] > tol) ++r;
  return svd.matrixU().leftCols(r);
}
}  // namespace

std::vector<double> principal_angles(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
  PDESYM_REQUIRE(A.rows() == B.rows(), "principal angles: the spaces live in different dimensions ("
                                           << A.rows() << " vs " << B.rows() << " coefficients)");
  Eigen::MatrixXd Qa = orthonormal_span(A), Qb = orthonormal_span(B);
  if (Qa.cols() < Qb.cols()) std::swap(Qa, Qb);  // Qb is the smaller space
  const int q = static_cast<int>(Qb.cols());
  if (q == 0) return {};
  // Cosines from svd(Qa^T Qb) are inaccurate for small angles (cos ~ 1 - theta^2/2); sines from the
  // component of Qb orthogonal to span(Qa) are accurate there (Knyazev & Argentati 2002). Use sines for
  // angles below pi/4 and cosines above.
  const Eigen::MatrixXd M = Qa.transpose() * Qb;
  Eigen::JacobiSVD<Eigen::MatrixXd> sc(M);
  const Eigen::MatrixXd R = Qb - Qa * M;
  Eigen::JacobiSVD<Eigen::MatrixXd> ss(R);
  std::vector<double> cosv(static_cast<std::size_t>(q)), sinv(static_cast<std::size_t>(q));
  for (int i = 0; i < q; ++i) cosv[static_cast<std::size_t>(i)] = std::min(1.0, sc.singularValues()[i]);  // descending
  for (int i = 0; i < q; ++i) {
    // singularValues() has min(rows, cols) = q entries here (R is n x q, n >= q); ascending order wanted.
    sinv[static_cast<std::size_t>(i)] = std::min(1.0, ss.singularValues()[q - 1 - i]);
  }
  std::vector<double> ang(static_cast<std::size_t>(q));
  for (int i = 0; i < q; ++i) {
    const double s = sinv[static_cast<std::size_t>(i)];
    ang[static_cast<std::size_t>(i)] =
        (s * s < 0.5) ? std::asin(s) : std::acos(std::max(0.0, cosv[static_cast<std::size_t>(i)]));
  }
  std::sort(ang.begin(), ang.end());
  return ang;
}

double grassmann_distance(const Eigen::MatrixXd& A, const Eigen::MatrixXd& B) {
  const std::vector<double> ang = principal_angles(A, B);
  const long ra = orthonormal_span(A).cols(), rb = orthonormal_span(B).cols();
  double s = 0.0;
  for (double a : ang) s += a * a;
  s += static_cast<double>(std::labs(ra - rb)) * (M_PI / 2) * (M_PI / 2);
  return std::sqrt(s);
}

// ---------------------------------------------------------------------------------------------------------
// sym.json
// ---------------------------------------------------------------------------------------------------------

namespace {
constexpr const char* kFormat = "pdesym-sym";
constexpr int kFormatVersion = 2;  // 2: basis.variables (several variables); 1: (x, t, u) only
constexpr const char* kConvention =
    "V = sum_i xi^i d_{x_i} + tau d_t + sum_a phi^a d_{u^a} (1-D scalar: xi(x,t,u) d_x + tau d_t + phi d_u), "
    "components named xi, eta, tau, phi, psi for x, y, t, u, v; coefficients over the monomials of the basis in "
    "the data's own units (as stored in the dataset); principal angles compare spans in this raw "
    "coefficient space, each generator normalised to unit Euclidean norm";

nlohmann::ordered_json to_ordered_json(const SymmetryResult& r) {
  nlohmann::ordered_json j;
  j["format"] = kFormat;
  j["format_version"] = kFormatVersion;
  j["method"] = r.method;
  j["identified_equation"] = r.identified_equation;
  const Variables& vars = r.basis.variables();
  j["basis"] = {{"degree", r.basis.degree()},
                {"variables", {{"space", vars.dim == 1 ? std::vector<std::string>{"x"} : std::vector<std::string>{"x", "y"}},
                               {"fields", vars.fields}}},
                {"names", r.basis.names()},
                {"convention", kConvention}};
  PDESYM_CHECK(r.generators.rows() == r.basis.size() || r.generators.cols() == 0,
               "generators have " << r.generators.rows() << " rows, basis has " << r.basis.size());
  nlohmann::ordered_json gens = nlohmann::ordered_json::array();
  const int m = r.basis.monomials_per_component();
  for (int g = 0; g < r.generators.cols(); ++g) {
    const Eigen::VectorXd v = r.generators.col(g);
    nlohmann::ordered_json G;
    G["label"] = label(v, r.basis);
    std::vector<double> c(v.data(), v.data() + v.size());
    G["coefficients"] = c;
    for (int comp = 0; comp < r.basis.variables().count(); ++comp) {
      nlohmann::ordered_json part = nlohmann::ordered_json::object();
      for (int k = 0; k < m; ++k) part[r.basis.monomial_name(k)] = v[comp * m + k];
      G[r.basis.component_name(comp)] = part;
    }
    gens.push_back(G);
  }
  j["generators"] = gens;
  j["singular_values"] = r.singular_values;
  if (!r.trust.is_null()) j["trust"] = nlohmann::ordered_json::parse(r.trust.dump());
  j["extra"] = nlohmann::ordered_json::parse(r.extra.dump());
  return j;
}

double json_number(const nlohmann::json& v, const std::string& where) {
  PDESYM_REQUIRE(v.is_number(), "sym.json: " << where << " must be a number, got " << v.dump());
  const double d = v.get<double>();
  PDESYM_REQUIRE(std::isfinite(d), "sym.json: " << where << " is not finite");
  return d;
}
}  // namespace

nlohmann::json to_json(const SymmetryResult& r) { return nlohmann::json::parse(to_ordered_json(r).dump()); }

SymmetryResult from_json(const nlohmann::json& j) {
  PDESYM_REQUIRE(j.is_object(), "sym.json: the document must be a JSON object");
  if (j.contains("format"))
    PDESYM_REQUIRE(j["format"] == kFormat, "sym.json: format is " << j["format"].dump() << ", expected \""
                                                                   << kFormat << "\"");
  if (j.contains("format_version")) {
    PDESYM_REQUIRE(j["format_version"].is_number_integer() && j["format_version"].get<int>() <= kFormatVersion,
                   "sym.json: unsupported format_version " << j["format_version"].dump());
  }
  SymmetryResult r;
  PDESYM_REQUIRE(j.contains("method") && j["method"].is_string(), "sym.json: missing string key 'method'");
  r.method = j["method"].get<std::string>();
  PDESYM_REQUIRE(j.contains("basis") && j["basis"].is_object(), "sym.json: missing object key 'basis'");
  const auto& b = j["basis"];
  PDESYM_REQUIRE(b.contains("degree") && b["degree"].is_number_integer(),
                 "sym.json: basis.degree must be an integer");
  Variables vars;  // format_version 1 and files without `variables`: (x, t, u)
  if (b.contains("variables")) {
    const auto& v = b["variables"];
    PDESYM_REQUIRE(v.is_object() && v.contains("space") && v["space"].is_array() && v.contains("fields") &&
                       v["fields"].is_array() && (v["space"].size() == 1 || v["space"].size() == 2) &&
                       !v["fields"].empty(),
                   "sym.json: basis.variables must be {\"space\": [\"x\"] or [\"x\", \"y\"], \"fields\": [names]}");
    vars.dim = static_cast<int>(v["space"].size());
    vars.nc = static_cast<int>(v["fields"].size());
    vars.fields.clear();
    for (const auto& f : v["fields"]) {
      PDESYM_REQUIRE(f.is_string(), "sym.json: basis.variables.fields must hold strings");
      vars.fields.push_back(f.get<std::string>());
    }
  }
  r.basis = PolynomialBasis(b["degree"].get<int>(), vars);
  if (b.contains("names")) {
    PDESYM_REQUIRE(b["names"].is_array(), "sym.json: basis.names must be an array");
    const auto expect = r.basis.names();
    PDESYM_REQUIRE(b["names"].size() == expect.size(), "sym.json: basis.names has " << b["names"].size()
                                                           << " entries, a degree-" << r.basis.degree()
                                                           << " basis has " << expect.size());
    for (std::size_t i = 0; i < expect.size(); ++i)
      PDESYM_REQUIRE(b["names"][i] == expect[i], "sym.json: basis.names[" << i << "] is " << b["names"][i].dump()
                                                                          << ", expected \"" << expect[i]
                                                                          << "\" (unknown basis ordering)");
  }
  PDESYM_REQUIRE(j.contains("generators") && j["generators"].is_array(), "sym.json: missing array 'generators'");
  const auto& gens = j["generators"];
  const int n = r.basis.size(), m = r.basis.monomials_per_component();
  r.generators.resize(n, static_cast<int>(gens.size()));
  for (std::size_t g = 0; g < gens.size(); ++g) {
    const auto& G = gens[g];
    const std::string where = "generators[" + std::to_string(g) + "]";
    PDESYM_REQUIRE(G.is_object(), "sym.json: " << where << " must be an object");
    Eigen::VectorXd v = Eigen::VectorXd::Zero(n);
    if (G.contains("coefficients")) {
      const auto& c = G["coefficients"];
      PDESYM_REQUIRE(c.is_array() && static_cast<int>(c.size()) == n,
                     "sym.json: " << where << ".coefficients must be an array of " << n << " numbers");
      for (int i = 0; i < n; ++i) v[i] = json_number(c[static_cast<std::size_t>(i)], where + ".coefficients[" +
                                                                                        std::to_string(i) + "]");
    } else if ([&] {
                 for (int comp = 0; comp < r.basis.variables().count(); ++comp)
                   if (G.contains(r.basis.component_name(comp))) return true;
                 return false;
               }()) {
      // Hand-written files may give only the name->coefficient maps.
      for (int comp = 0; comp < r.basis.variables().count(); ++comp) {
        const std::string cname = r.basis.component_name(comp);
        if (!G.contains(cname)) continue;
        PDESYM_REQUIRE(G[cname].is_object(), "sym.json: " << where << "." << cname << " must be an object");
        for (const auto& [key, val] : G[cname].items()) {
          int k = -1;
          for (int q = 0; q < m; ++q)
            if (r.basis.monomial_name(q) == key) k = q;
          PDESYM_REQUIRE(k >= 0, "sym.json: " << where << "." << cname << " has unknown monomial '" << key << "'");
          v[comp * m + k] = json_number(val, where + "." + cname + "." + key);
        }
      }
    } else if (G.contains("label")) {
      PDESYM_REQUIRE(G["label"].is_string(), "sym.json: " << where << ".label must be a string");
      v = parse_generator(G["label"].get<std::string>(), r.basis);
    } else {
      throw InputError("sym.json: " + where + " has none of 'coefficients', 'xi'/'tau'/'phi', 'label'");
    }
    r.generators.col(static_cast<int>(g)) = v;
  }
  if (j.contains("singular_values")) {
    PDESYM_REQUIRE(j["singular_values"].is_array(), "sym.json: singular_values must be an array");
    for (std::size_t i = 0; i < j["singular_values"].size(); ++i)
      r.singular_values.push_back(
          json_number(j["singular_values"][i], "singular_values[" + std::to_string(i) + "]"));
  }
  if (j.contains("identified_equation")) {
    PDESYM_REQUIRE(j["identified_equation"].is_string(), "sym.json: identified_equation must be a string");
    r.identified_equation = j["identified_equation"].get<std::string>();
  }
  if (j.contains("trust")) {
    PDESYM_REQUIRE(j["trust"].is_object(), "sym.json: trust must be an object");
    r.trust = j["trust"];
  }
  if (j.contains("extra")) {
    PDESYM_REQUIRE(j["extra"].is_object(), "sym.json: extra must be an object");
    r.extra = j["extra"];
  }
  return r;
}

void write_sym_json(const std::string& path, const SymmetryResult& r) {
  write_text_atomic(path, to_ordered_json(r).dump(2) + "\n");
}

SymmetryResult read_sym_json(const std::string& path) {
  const std::string text = read_text(path);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    throw InputError("'" + path + "' is not valid JSON: " + e.what());
  }
  try {
    return from_json(j);
  } catch (const InputError& e) {
    throw InputError("'" + path + "': " + e.what());
  }
}

}  // namespace pdesym::symmetry
