#include "pdesym/solvers/system_pde.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <set>
#include <sstream>
#include <tuple>

#include "ipow.hpp"
#include "pdesym/common/error.hpp"
#include "simd.hpp"

namespace pdesym::solvers {

bool Factor::operator<(const Factor& o) const { return std::tie(comp, dx, dy) < std::tie(o.comp, o.dx, o.dy); }

PolynomialSystem::PolynomialSystem(std::string name, std::vector<std::string> components,
                                   std::vector<LinearTerm> linear, std::vector<ProductTerm> nonlinear,
                                   std::map<std::string, double> named, std::string eq, std::vector<int> dims)
    : name_(std::move(name)), components_(std::move(components)), linear_(std::move(linear)),
      products_(std::move(nonlinear)), named_(std::move(named)), eq_(std::move(eq)), dims_(std::move(dims)) {
  const int nc = static_cast<int>(components_.size());
  PDESYM_REQUIRE(nc >= 1 && nc <= 16, name_ << ": a system needs 1..16 components, got " << nc);
  std::set<std::string> seen;
  for (const auto& c : components_) {
    PDESYM_REQUIRE(!c.empty(), name_ << ": component names must not be empty");
    PDESYM_REQUIRE(seen.insert(c).second, name_ << ": component '" << c << "' appears twice");
  }
  bool uses_y = false;
  for (const auto& t : linear_) {
    PDESYM_REQUIRE(t.eq >= 0 && t.eq < nc && t.comp >= 0 && t.comp < nc, name_ << ": linear term component out of range");
    PDESYM_REQUIRE(t.dx >= 0 && t.dy >= 0 && t.dx + t.dy <= 8, name_ << ": linear derivative orders must be >= 0 with sum <= 8");
    PDESYM_REQUIRE(std::isfinite(t.coeff), name_ << ": linear coefficient is not finite");
    uses_y = uses_y || t.dy > 0;
  }
  for (const auto& p : products_) {
    PDESYM_REQUIRE(p.eq >= 0 && p.eq < nc, name_ << ": product term equation out of range");
    PDESYM_REQUIRE(!p.factors.empty() && p.factors.size() <= 6, name_ << ": a product term has 1..6 factors");
    PDESYM_REQUIRE(p.dx >= 0 && p.dx <= 4 && p.dy >= 0 && p.dy <= 4, name_ << ": outer derivative orders must be in 0..4");
    PDESYM_REQUIRE(std::isfinite(p.coeff), name_ << ": product coefficient is not finite");
    uses_y = uses_y || p.dy > 0;
    for (const auto& f : p.factors) {
      PDESYM_REQUIRE(f.comp >= 0 && f.comp < nc, name_ << ": factor component out of range");
      PDESYM_REQUIRE(f.dx >= 0 && f.dx <= 4 && f.dy >= 0 && f.dy <= 4, name_ << ": factor derivative orders must be in 0..4");
      uses_y = uses_y || f.dy > 0;
    }
  }
  if (dims_.empty()) dims_ = uses_y ? std::vector<int>{2} : std::vector<int>{1, 2};
  // Distinct factors (each costs one c2r per evaluation) and (equation, outer derivative) groups (one r2c each).
  std::set<Factor> fs;
  for (const auto& p : products_) fs.insert(p.factors.begin(), p.factors.end());
  factors_.assign(fs.begin(), fs.end());
  for (std::size_t i = 0; i < products_.size(); ++i) {
    const auto& p = products_[i];
    std::vector<int> idx;
    for (const auto& f : p.factors)
      idx.push_back(static_cast<int>(std::lower_bound(factors_.begin(), factors_.end(), f) - factors_.begin()));
    term_factors_.push_back(idx);
    auto g = std::find_if(groups_.begin(), groups_.end(),
                          [&](const Group& gr) { return gr.eq == p.eq && gr.dx == p.dx && gr.dy == p.dy; });
    if (g == groups_.end()) groups_.push_back(Group{p.eq, p.dx, p.dy, {i}});
    else g->terms.push_back(i);
  }
  std::vector<int> uses(static_cast<std::size_t>(nc), 0);
  for (const auto& f : factors_) ++uses[static_cast<std::size_t>(f.comp)];
  for (const auto& f : factors_) sole_use_.push_back(f.dx + f.dy == 0 && uses[static_cast<std::size_t>(f.comp)] == 1);
  eq_has_group_.assign(static_cast<std::size_t>(nc), 0);
  for (const auto& gr : groups_) eq_has_group_[static_cast<std::size_t>(gr.eq)] = 1;
  std::size_t reads = 0;
  for (const auto& idx : term_factors_) reads += idx.size();
  prescale_ = !factors_.empty() && reads >= 3 * factors_.size();
}

std::string factor_text(const Factor& f, const std::vector<std::string>& components) {
  std::string s = components.at(static_cast<std::size_t>(f.comp));
  if (f.dx + f.dy > 0) s += "_" + std::string(static_cast<std::size_t>(f.dx), 'x') + std::string(static_cast<std::size_t>(f.dy), 'y');
  return s;
}

std::string PolynomialSystem::equation() const {
  if (!eq_.empty()) return eq_;
  std::ostringstream os;
  for (int a = 0; a < nc(); ++a) {
    if (a) os << "; ";
    os << components_[a] << "_t =";
    bool first = true;
    auto term = [&](double c, const std::string& what) {
      os << (first ? " " : (c < 0 ? " - " : " + ")) << (first ? c : std::abs(c)) << "*" << what;
      first = false;
    };
    for (const auto& t : linear_)
      if (t.eq == a) term(t.coeff, factor_text(Factor{t.comp, t.dx, t.dy}, components_));
    for (const auto& p : products_) {
      if (p.eq != a) continue;
      std::string prod;
      for (const auto& f : p.factors) prod += (prod.empty() ? "" : "*") + factor_text(f, components_);
      if (p.dx + p.dy > 0)
        prod = "d_" + std::string(static_cast<std::size_t>(p.dx), 'x') + std::string(static_cast<std::size_t>(p.dy), 'y') +
               "(" + prod + ")";
      term(p.coeff, prod);
    }
    if (first) os << " 0";
  }
  return os.str();
}

void PolynomialSystem::linear_block(double kx, double ky, cdouble* L) const {
  const int n = nc();
  for (int i = 0; i < n * n; ++i) L[i] = 0.0;
  for (const auto& t : linear_) L[t.eq * n + t.comp] += t.coeff * derivative_symbol(kx, ky, t.dx, t.dy);
}

bool PolynomialSystem::linear_diagonal() const {
  return std::all_of(linear_.begin(), linear_.end(), [](const LinearTerm& t) { return t.eq == t.comp; });
}

namespace {
using detail::kAdd;
using detail::kAddToZero;
using detail::kAssign;
using detail::Write;

// The factor of a pass read from an array of nk values.
struct ArrayFactor {
  const double* __restrict f;
  PDESYM_ALWAYS_INLINE double operator()(std::size_t m) const { return f[m]; }
#ifdef PDESYM_VECTOR_TYPES
  PDESYM_ALWAYS_INLINE void four(std::size_t m, detail::V4& v) const { std::memcpy(&v, f + m, sizeof v); }
#endif
};

// o (=|+=) f * i^Rot * z per mode on interleaved doubles (detail::rotated_pass): i^Rot only swaps/negates parts.
// Rot and W are template parameters so that the loop has no data-dependent indexing or branches and vectorises.
// Over the modes [m0, m1).
template <int Rot, int W>
PDESYM_SIMD_CLONES void add_rotated(const double* __restrict f, const double* __restrict z, double* __restrict o, std::size_t m0,
                                    std::size_t m1) {
  detail::rotated_pass<Rot, W>(ArrayFactor{f}, z, o, m0, m1);
}
using AddRotated = void (*)(const double*, const double*, double*, std::size_t, std::size_t);
constexpr AddRotated kAddRotated[4][3] = {
    {add_rotated<0, kAssign>, add_rotated<0, kAdd>, add_rotated<0, kAddToZero>},
    {add_rotated<1, kAssign>, add_rotated<1, kAdd>, add_rotated<1, kAddToZero>},
    {add_rotated<2, kAssign>, add_rotated<2, kAdd>, add_rotated<2, kAddToZero>},
    {add_rotated<3, kAssign>, add_rotated<3, kAdd>, add_rotated<3, kAddToZero>}};

// out[m] (=|+=) mask[m]? * (i kx)^dx (i ky)^dy * in[m] on interleaved doubles; i^(dx+dy) as a swap/negation. The
// real factor mask kx^dx ky^dy goes through `fac` (nk values) in passes over the modes, each value multiplied in the
// same order as the per-mode formula f = mask; f *= kx ...; f *= ky ... (bit-identical to it). The mask alone (no
// derivative) or a single kx or ky (unmasked, first order) is used as the factor directly (the same values, no pass).
// Masked, only the kept modes are formed: the dropped ones are set to zero (assigned) or left as they are (added to,
// x + 0 == x).
PDESYM_SIMD_CLONES void apply_symbol(const cdouble* in, cdouble* out, const SpectralWorkspace& ws, int dx, int dy, bool masked, Write w,
                  double* __restrict fac) {
  const int nk = ws.nk;
  const double* __restrict kx = ws.kx.data();
  const double* __restrict ky = ws.ky.data();
  const double* __restrict mask = ws.mask.data();
  const double* f = fac;
  if (masked && dx + dy == 0) {
    f = mask;
  } else if (!masked && dx + dy == 1) {
    f = dx ? kx : ky;  // 1.0 * k == k
  } else {
    if (masked) {
      for (int m = 0; m < nk; ++m) fac[m] = mask[m];
    } else {
      for (int m = 0; m < nk; ++m) fac[m] = 1.0;
    }
    for (int e = 0; e < dx; ++e)
      for (int m = 0; m < nk; ++m) fac[m] *= kx[m];
    for (int e = 0; e < dy; ++e)
      for (int m = 0; m < nk; ++m) fac[m] *= ky[m];
  }
  const AddRotated pass = kAddRotated[(dx + dy) % 4][w];
  const double* z = reinterpret_cast<const double*>(in);
  double* o = reinterpret_cast<double*>(out);
  if (!masked) {
    pass(f, z, o, 0, static_cast<std::size_t>(nk));
    return;
  }
  for (const ModeRun r : ws.kept) pass(f, z, o, r.begin, r.end);
  if (w != kAdd)
    for (const ModeRun r : ws.dropped) std::fill(out + r.begin, out + r.end, cdouble(0.0));
}

// acc (+)= c (f_0 s) (f_1 s) ... (NF factors) over np points: f_k are c2r outputs and, with Scale, s the 1/n the
// inverse transform would have applied to them (without Scale the factors are stored scaled). Per point the
// operations of f_k = raw_k * s, p = c; p *= f_0; p *= f_1 ...; acc = (first ? 0.0 : acc) + p, in that order
// (bit-identical to scaling the factors in their own pass first).
template <int NF, bool Scale>
PDESYM_SIMD_CLONES void product_term(double* __restrict acc, const double* const* f, double c, double s, bool first, std::size_t np) {
  const double* __restrict g[NF];
  for (int k = 0; k < NF; ++k) g[k] = f[k];
  if (first) {
    for (std::size_t j = 0; j < np; ++j) {
      double p = c;
      for (int k = 0; k < NF; ++k) p *= Scale ? g[k][j] * s : g[k][j];
      acc[j] = 0.0 + p;
    }
  } else {
    for (std::size_t j = 0; j < np; ++j) {
      double p = c;
      for (int k = 0; k < NF; ++k) p *= Scale ? g[k][j] * s : g[k][j];
      acc[j] = acc[j] + p;
    }
  }
}
// A whole group of NT terms of NF factors each in one pass: per point t = 0.0 + p_0; t = t + p_1 ...; acc = t, with
// p_i = c_i (f_i0 s) (f_i1 s) ... -- the values of product_term's passes one after the other (bit-identical), with
// one read and write of acc instead of NT. f holds NT * NF factor pointers, term by term.
template <int NT, int NF, bool Scale>
PDESYM_SIMD_CLONES void product_group(double* __restrict acc, const double* const* f, const double* c, double s, std::size_t np) {
  const double* __restrict g[NT * NF];
  double cc[NT];
  for (int k = 0; k < NT * NF; ++k) g[k] = f[k];
  for (int t = 0; t < NT; ++t) cc[t] = c[t];
  for (std::size_t j = 0; j < np; ++j) {
    double sum = 0.0;
    for (int t = 0; t < NT; ++t) {
      double p = cc[t];
      for (int k = 0; k < NF; ++k) p *= Scale ? g[t * NF + k][j] * s : g[t * NF + k][j];
      sum = sum + p;
    }
    acc[j] = sum;
  }
}
using ProductGroupFn = void (*)(double*, const double* const*, const double*, double, std::size_t);
// [Scale][NT - 2][NF - 1] for groups of 2..4 terms of 1..3 factors each.
constexpr ProductGroupFn kProductGroup[2][3][3] = {
    {{product_group<2, 1, false>, product_group<2, 2, false>, product_group<2, 3, false>},
     {product_group<3, 1, false>, product_group<3, 2, false>, product_group<3, 3, false>},
     {product_group<4, 1, false>, product_group<4, 2, false>, product_group<4, 3, false>}},
    {{product_group<2, 1, true>, product_group<2, 2, true>, product_group<2, 3, true>},
     {product_group<3, 1, true>, product_group<3, 2, true>, product_group<3, 3, true>},
     {product_group<4, 1, true>, product_group<4, 2, true>, product_group<4, 3, true>}}};

using ProductTermFn = void (*)(double*, const double* const*, double, double, bool, std::size_t);
constexpr ProductTermFn kProductTerm[2][6] = {
    {product_term<1, false>, product_term<2, false>, product_term<3, false>, product_term<4, false>,
     product_term<5, false>, product_term<6, false>},
    {product_term<1, true>, product_term<2, true>, product_term<3, true>, product_term<4, true>, product_term<5, true>,
     product_term<6, true>}};

// x *= s over n values (the inverse transform's 1/n, applied once to a factor the products read many times).
PDESYM_SIMD_CLONES void scale_in_place(double* __restrict x, double s, std::size_t n) {
  for (std::size_t j = 0; j < n; ++j) x[j] = x[j] * s;
}
}  // namespace

void PolynomialSystem::nonlinear(const cdouble* u_hat, cdouble* n_hat, SpectralWorkspace& ws) const {
  evaluate(u_hat, nullptr, n_hat, ws);
}

void PolynomialSystem::nonlinear_consuming(cdouble* u_hat, cdouble* n_hat, SpectralWorkspace& ws) const {
  evaluate(u_hat, u_hat, n_hat, ws);
}

void PolynomialSystem::evaluate(const cdouble* u_hat, cdouble* consumable, cdouble* n_hat, SpectralWorkspace& ws) const {
  const std::size_t nk = static_cast<std::size_t>(ws.nk), np = static_cast<std::size_t>(ws.n);
  if (products_.empty()) {
    std::fill(n_hat, n_hat + nc() * nk, cdouble(0.0));
    return;
  }
  // Physical factors: real(1 + i) holds factor i. On the unpadded grid they are kept unscaled and the product pass
  // applies the inverse transform's 1/n per read (the same multiplication, one pass fewer), unless the products read
  // them so often (prescale_) that a scaling pass of their own is cheaper; the padded inverse scales on the spectral
  // side, so its factors are stored scaled.
  const bool raw = !ws.fft.padded();
  const double s = raw ? 1.0 / static_cast<double>(np) : 1.0;
  cdouble* spec = ws.spectral(0);
  for (std::size_t i = 0; i < factors_.size(); ++i) {
    const Factor& f = factors_[i];
    double* out = ws.real(static_cast<int>(1 + i));
    const std::size_t off = static_cast<std::size_t>(f.comp) * nk;
    if (f.dx + f.dy > 0) {
      apply_symbol(u_hat + off, spec, ws, f.dx, f.dy, false, kAssign, ws.real(0));  // real(0) is free until the products
      if (raw) ws.fft.inverse_unscaled_destroy(spec, out);  // spec is scratch
      else ws.fft.inverse(spec, out);
    } else if (!raw) {
      ws.fft.inverse(u_hat + off, out);
    } else if (consumable && sole_use_[i]) {
      ws.fft.inverse_unscaled_destroy(consumable + off, out);  // no other factor reads this component
    } else {
      ws.fft.inverse_unscaled(u_hat + off, out);
    }
  }
  const bool scale = raw && !prescale_;  // the products apply s per read; else the factors hold scaled values
  if (raw && prescale_)
    for (std::size_t i = 0; i < factors_.size(); ++i) scale_in_place(ws.real(static_cast<int>(1 + i)), s, np);
  double* __restrict acc = ws.real(0);
  bool written[16] = {};
  for (const auto& g : groups_) {
    const std::size_t nt = g.terms.size(), nf = term_factors_[g.terms[0]].size();
    bool uniform = nt >= 2 && nt <= 4 && nf <= 3;
    for (std::size_t ti : g.terms) uniform = uniform && term_factors_[ti].size() == nf;
    if (uniform) {  // all terms in one pass
      const double* f[12] = {};
      double c[4] = {};
      for (std::size_t t = 0; t < nt; ++t) {
        c[t] = products_[g.terms[t]].coeff;
        for (std::size_t k = 0; k < nf; ++k) f[t * nf + k] = ws.real(1 + term_factors_[g.terms[t]][k]);
      }
      kProductGroup[scale][nt - 2][nf - 1](acc, f, c, s, np);
    } else {
      bool first = true;
      for (std::size_t ti : g.terms) {  // acc (+)= c * f0 * f1 * ... in one pass per term
        const std::vector<int>& idx = term_factors_[ti];
        const double* f[6] = {};
        for (std::size_t k = 0; k < idx.size(); ++k) f[k] = ws.real(1 + idx[k]);
        kProductTerm[scale][idx.size() - 1](acc, f, products_[ti].coeff, s, first, np);
        first = false;
      }
    }
    cdouble* out = n_hat + static_cast<std::size_t>(g.eq) * nk;
    if (!written[g.eq] && g.dx + g.dy == 0) {  // N = mask * FFT(acc), the mask 0 or 1: the transform writes N itself
      ws.fft.forward_low(acc, out);  // the columns from low_columns() on are zeroed there
      for (const ModeRun r : ws.dropped_low) std::fill(out + r.begin, out + r.end, cdouble(0.0));
    } else {
      ws.fft.forward_low(acc, spec);  // apply_symbol reads only the kept modes
      apply_symbol(spec, out, ws, g.dx, g.dy, true, written[g.eq] ? kAdd : kAddToZero, acc);  // acc is spent
    }
    written[g.eq] = true;
  }
  for (int a = 0; a < nc(); ++a)
    if (!eq_has_group_[static_cast<std::size_t>(a)]) std::fill(n_hat + a * nk, n_hat + (a + 1) * nk, cdouble(0.0));
}

Factor parse_factor(const std::string& text, const std::vector<std::string>& components, const std::string& where) {
  auto comp_index = [&](const std::string& name) {
    auto it = std::find(components.begin(), components.end(), name);
    return it == components.end() ? -1 : static_cast<int>(it - components.begin());
  };
  if (int c = comp_index(text); c >= 0) return Factor{c, 0, 0};
  const auto us = text.find_last_of('_');
  std::string list;
  for (const auto& c : components) list += (list.empty() ? "" : ", ") + c;
  PDESYM_REQUIRE(us != std::string::npos && us + 1 < text.size(),
                 where << ": '" << text << "' is not a component (" << list << ") or component_<x/y letters>");
  const int c = comp_index(text.substr(0, us));
  PDESYM_REQUIRE(c >= 0, where << ": '" << text << "': unknown component '" << text.substr(0, us) << "' (components: "
                               << list << ")");
  Factor f{c, 0, 0};
  for (char ch : text.substr(us + 1)) {
    PDESYM_REQUIRE(ch == 'x' || ch == 'y', where << ": '" << text << "': derivative letters must be x or y");
    (ch == 'x' ? f.dx : f.dy) += 1;
  }
  return f;
}

std::unique_ptr<PolynomialSystem> parse_polynomial_system(const Config& p) {
  PDESYM_REQUIRE(p.is_map(), p.where() << ": must be a mapping with components and equations");
  p.require_only({"name", "components", "equations"});
  const Config cs = p["components"];
  PDESYM_REQUIRE(cs.is_sequence() && cs.size() >= 1, cs.where() << ": must be a non-empty list of component names");
  std::vector<std::string> comps;
  for (std::size_t i = 0; i < cs.size(); ++i) comps.push_back(cs.at(i).as<std::string>());
  std::set<std::string> seen;
  for (const auto& c : comps) PDESYM_REQUIRE(seen.insert(c).second, cs.where() << ": component '" << c << "' appears twice");
  const Config eqs = p["equations"];
  PDESYM_REQUIRE(eqs.is_map(), eqs.where() << ": must map component names to {linear, nonlinear}");
  eqs.require_only(comps);
  std::vector<LinearTerm> lin;
  std::vector<ProductTerm> prods;
  std::map<std::string, double> named;
  auto order = [](const Config& c, const char* key) {
    const int o = c.get_or<int>(key, 0);
    PDESYM_REQUIRE(o >= 0 && o <= 4, c[key].where() << ": derivative order must be in 0..4, got " << o);
    return o;
  };
  for (int a = 0; a < static_cast<int>(comps.size()); ++a) {
    const Config e = eqs.child_or_empty(comps[a]);
    if (e.is_null()) continue;
    e.require_only({"linear", "nonlinear"});
    const Config l = e.child_or_empty("linear");
    PDESYM_REQUIRE(l.is_null() || l.is_map(), l.where() << ": must map factors (e.g. v_xx) to coefficients");
    for (const auto& key : l.is_null() ? std::vector<std::string>{} : l.keys()) {
      const Factor f = parse_factor(key, comps, l.where() + "." + key);
      PDESYM_REQUIRE(f.dx + f.dy <= 8, l.where() << "." << key << ": linear derivative order must be <= 8");
      const double c = l.get<double>(key);
      PDESYM_REQUIRE(std::isfinite(c), l[key].where() << ": coefficient is not finite");
      lin.push_back(LinearTerm{a, f.comp, f.dx, f.dy, c});
      named[comps[a] + "." + key] = c;
    }
    const Config nl = e.child_or_empty("nonlinear");
    PDESYM_REQUIRE(nl.is_null() || nl.is_sequence(), nl.where() << ": must be a list of {coeff, factors, dx, dy}");
    for (std::size_t i = 0; !nl.is_null() && i < nl.size(); ++i) {
      const Config t = nl.at(i);
      t.require_only({"coeff", "factors", "dx", "dy"});
      ProductTerm pt;
      pt.eq = a;
      pt.coeff = t.get<double>("coeff");
      PDESYM_REQUIRE(std::isfinite(pt.coeff), t["coeff"].where() << ": coefficient is not finite");
      const Config fl = t["factors"];
      PDESYM_REQUIRE(fl.is_sequence() && fl.size() >= 1 && fl.size() <= 6, fl.where() << ": must be a list of 1..6 factors");
      for (std::size_t k = 0; k < fl.size(); ++k) {
        const Factor f = parse_factor(fl.at(k).as<std::string>(), comps, fl.at(k).where());
        PDESYM_REQUIRE(f.dx <= 4 && f.dy <= 4, fl.at(k).where() << ": factor derivative orders must be <= 4");
        pt.factors.push_back(f);
      }
      pt.dx = order(t, "dx");
      pt.dy = order(t, "dy");
      prods.push_back(pt);
      named[comps[a] + ".nl" + std::to_string(i)] = pt.coeff;
    }
  }
  PDESYM_REQUIRE(!lin.empty() || !prods.empty(), p.where() << ": a custom system needs linear or nonlinear terms");
  return std::make_unique<PolynomialSystem>(p.get_or<std::string>("name", "custom"), comps, lin, prods, named);
}

}  // namespace pdesym::solvers
