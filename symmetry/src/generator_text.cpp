// Generators as text (basis.hpp): readable labels and their parser.
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

}  // namespace pdesym::symmetry
