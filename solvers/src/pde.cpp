#include "pdesym/solvers/pde.hpp"

#include <cmath>
#include <algorithm>
#include <cstring>
#include <set>
#include <sstream>

#include "ipow.hpp"
#include "simd.hpp"
#include "pdesym/common/error.hpp"

namespace pdesym::solvers {

PolynomialPde::PolynomialPde(std::string name, std::map<int, double> linear, std::vector<NonlinearTerm> nonlinear,
                             std::map<std::string, double> named, std::string eq)
    : name_(std::move(name)), linear_(std::move(linear)), terms_(std::move(nonlinear)), named_(std::move(named)),
      eq_(std::move(eq)) {
  for (const auto& [order, c] : linear_) {
    PDESYM_REQUIRE(order >= 0 && order <= 8, "linear term order must be in 0..8, got " << order);
    PDESYM_REQUIRE(std::isfinite(c), "linear coefficient of d_x^" << order << " is not finite");
  }
  for (const auto& t : terms_) {
    PDESYM_REQUIRE(t.power >= 1 && t.power <= 5, "nonlinear term power must be in 1..5, got " << t.power);
    PDESYM_REQUIRE(t.derivative >= 0 && t.derivative <= 4,
                   "nonlinear term derivative must be in 0..4, got " << t.derivative);
    PDESYM_REQUIRE(std::isfinite(t.coeff), "nonlinear coefficient is not finite");
  }
  // Sort terms by power so nonlinear() computes each power of u once.
  std::stable_sort(terms_.begin(), terms_.end(),
                   [](const NonlinearTerm& a, const NonlinearTerm& b) { return a.power < b.power; });
}

std::string PolynomialPde::equation() const {
  if (!eq_.empty()) return eq_;
  std::ostringstream os;
  os << "u_t =";
  bool first = true;
  auto term = [&](double c, const std::string& what) {
    os << (first ? " " : (c < 0 ? " - " : " + ")) << (first ? c : std::abs(c)) << "*" << what;
    first = false;
  };
  for (const auto& [o, c] : linear_) term(c, o == 0 ? std::string("u") : "d_x^" + std::to_string(o) + " u");
  for (const auto& t : terms_)
    term(t.coeff, (t.derivative ? "d_x^" + std::to_string(t.derivative) + " " : std::string()) + "(u^" +
                      std::to_string(t.power) + ")");
  if (first) os << " 0";
  return os.str();
}

cdouble PolynomialPde::linear_symbol(double k) const {
  cdouble s = 0.0;
  const cdouble ik(0.0, k);
  for (const auto& [o, c] : linear_) s += c * std::pow(ik, o);
  // std::pow(0, 0) == 1, so the order-0 term is handled too.
  return s;
}

namespace {
// out (=|+=) coeff mask k^D * i^D * z per mode, on interleaved (re, im) doubles: multiplying by i^D only
// swaps/negates parts (detail::rotated_pass). D and Assign are template parameters so that the loop has no
// data-dependent indexing or branches and vectorises. Over the modes [m0, m1) (the caller passes the mask's kept
// runs; N is zero elsewhere). The factor per mode: f = mask coeff; f *= k (D times).
template <int D>
struct TermFactor {
  const double* __restrict mask;
  const double* __restrict kk;
  double coeff;
  PDESYM_ALWAYS_INLINE double operator()(std::size_t m) const {
    double f = mask[m] * coeff;
    for (int e = 0; e < D; ++e) f *= kk[m];
    return f;
  }
#ifdef PDESYM_VECTOR_TYPES
  PDESYM_ALWAYS_INLINE void four(std::size_t m, detail::V4& f) const {
    detail::V4 k;
    std::memcpy(&f, mask + m, sizeof f);
    f = f * coeff;
    if (D > 0) std::memcpy(&k, kk + m, sizeof k);
    for (int e = 0; e < D; ++e) f *= k;
  }
#endif
};
template <int D, bool Assign>
PDESYM_SIMD_CLONES void add_term(double coeff, const double* __restrict mask, const double* __restrict kk, const double* __restrict z,
              double* __restrict out, std::size_t m0, std::size_t m1) {
  detail::rotated_pass<D, Assign ? detail::kAssign : detail::kAdd>(TermFactor<D>{mask, kk, coeff}, z, out, m0, m1);
}
using AddTerm = void (*)(double, const double*, const double*, const double*, double*, std::size_t, std::size_t);
constexpr AddTerm kAddTerm[5][2] = {{add_term<0, false>, add_term<0, true>}, {add_term<1, false>, add_term<1, true>},
                                    {add_term<2, false>, add_term<2, true>}, {add_term<3, false>, add_term<3, true>},
                                    {add_term<4, false>, add_term<4, true>}};

// up = u^p (p >= 1) as p = u; p *= u ... per point; with scale_u, u = scale * raw is formed and stored first
// (one pass over raw, u and up together; for p = 2 without keep_u the scaled u is not stored, nothing reads it).
PDESYM_SIMD_CLONES void power_of(double* __restrict u, double* __restrict up, int n, int p, double scale, bool scale_u,
                                 bool keep_u) {
  if (scale_u) {
    if (p == 2 && !keep_u) {
      for (int j = 0; j < n; ++j) {
        const double v = u[j] * scale;
        up[j] = v * v;
      }
      return;
    }
    if (p == 2) {
      for (int j = 0; j < n; ++j) {
        const double v = u[j] * scale;
        u[j] = v;
        up[j] = v * v;
      }
      return;
    }
    for (int j = 0; j < n; ++j) u[j] *= scale;
  }
  if (p == 1) {
    for (int j = 0; j < n; ++j) up[j] = u[j];
    return;
  }
  for (int j = 0; j < n; ++j) up[j] = u[j] * u[j];
  for (int e = 2; e < p; ++e)
    for (int j = 0; j < n; ++j) up[j] *= u[j];
}
}  // namespace

void PolynomialPde::nonlinear(const cdouble* u_hat, cdouble* n_hat, SpectralWorkspace& ws) const {
  evaluate(u_hat, nullptr, n_hat, ws);
}

void PolynomialPde::nonlinear_consuming(cdouble* u_hat, cdouble* n_hat, SpectralWorkspace& ws) const {
  evaluate(u_hat, u_hat, n_hat, ws);
}

void PolynomialPde::evaluate(const cdouble* u_hat, cdouble* consumable, cdouble* n_hat, SpectralWorkspace& ws) const {
  const int nk = ws.nk, nx = ws.n;
  if (terms_.empty()) {
    for (int m = 0; m < nk; ++m) n_hat[m] = 0.0;
    return;
  }
  // The hot loop of every solver: written on the real and imaginary parts (std::complex arrays are laid out as
  // double[2]), so that it vectorises and avoids the NaN-recovery path of complex multiplication. The factor
  // coeff * mask * (i k)^d is coeff * mask * k^d times i^d. The inverse transform's 1/n is applied in the pass
  // that forms the first power. Each value's operations are those of the scalar formulas u = raw / n,
  // p = u; p *= u ..., f = mask coeff; f *= k ..., in the same order: results are bit-identical to them.
  if (consumable) ws.fft.inverse_unscaled_destroy(consumable, ws.u.data());
  else ws.fft.inverse_unscaled(u_hat, ws.u.data());
  const double scale = 1.0 / static_cast<double>(nx);
  double* __restrict out = reinterpret_cast<double*>(n_hat);
  int have_power = 0;
  bool first = true, scaled = false;
  for (std::size_t i = 0; i < terms_.size(); ++i) {
    const auto& t = terms_[i];
    if (t.power != have_power) {
      power_of(ws.u.data(), ws.up.data(), nx, t.power, scale, !scaled, terms_.back().power != t.power);
      scaled = true;
      ws.fft.forward(ws.up.data(), ws.tmp.data());
      have_power = t.power;
    }
    for (const ModeRun r : ws.kept)
      kAddTerm[t.derivative][first ? 1 : 0](t.coeff, ws.mask.data(), ws.kx.data(),
                                             reinterpret_cast<const double*>(ws.tmp.data()), out, r.begin, r.end);
    first = false;
  }
  for (const ModeRun r : ws.dropped) std::fill(n_hat + r.begin, n_hat + r.end, cdouble(0.0));  // the mask's zeros
}

std::unique_ptr<PolynomialPde> make_kdv(double alpha, double beta) {
  std::ostringstream eq;
  eq << "u_t + " << alpha << "*u*u_x + " << beta << "*u_xxx = 0";
  return std::make_unique<PolynomialPde>("kdv", std::map<int, double>{{3, -beta}},
                                         std::vector<NonlinearTerm>{{-alpha / 2.0, 2, 1}},
                                         std::map<std::string, double>{{"alpha", alpha}, {"beta", beta}}, eq.str());
}

std::unique_ptr<PolynomialPde> make_mkdv(double alpha, double beta) {
  std::ostringstream eq;
  eq << "u_t + " << alpha << "*u^2*u_x + " << beta << "*u_xxx = 0";
  return std::make_unique<PolynomialPde>("mkdv", std::map<int, double>{{3, -beta}},
                                         std::vector<NonlinearTerm>{{-alpha / 3.0, 3, 1}},
                                         std::map<std::string, double>{{"alpha", alpha}, {"beta", beta}}, eq.str());
}

std::unique_ptr<PolynomialPde> make_burgers(double nu) {
  PDESYM_REQUIRE(nu > 0, "Burgers viscosity nu must be positive, got " << nu);
  std::ostringstream eq;
  eq << "u_t + u*u_x = " << nu << "*u_xx";
  return std::make_unique<PolynomialPde>("burgers", std::map<int, double>{{2, nu}},
                                         std::vector<NonlinearTerm>{{-0.5, 2, 1}},
                                         std::map<std::string, double>{{"nu", nu}}, eq.str());
}

std::unique_ptr<PolynomialPde> make_ks() {
  return std::make_unique<PolynomialPde>("ks", std::map<int, double>{{2, -1.0}, {4, -1.0}},
                                         std::vector<NonlinearTerm>{{-0.5, 2, 1}}, std::map<std::string, double>{},
                                         "u_t + u*u_x + u_xx + u_xxxx = 0");
}

std::unique_ptr<PolynomialPde> make_heat(double nu) {
  PDESYM_REQUIRE(nu > 0, "heat diffusivity nu must be positive, got " << nu);
  std::ostringstream eq;
  eq << "u_t = " << nu << "*u_xx";
  return std::make_unique<PolynomialPde>("heat", std::map<int, double>{{2, nu}}, std::vector<NonlinearTerm>{},
                                         std::map<std::string, double>{{"nu", nu}}, eq.str());
}

std::vector<std::string> known_equations() { return {"kdv", "mkdv", "burgers", "ks", "heat", "custom"}; }

std::unique_ptr<PolynomialPde> make_pde(const Config& cfg) {
  const std::string eq = cfg.get<std::string>("equation");
  Config coef = cfg.child_or_empty("coefficients");
  auto c = [&](const char* key, double def) { return coef.get_or<double>(key, def); };
  if (eq == "kdv" || eq == "mkdv") {
    if (!coef.is_null()) coef.require_only({"alpha", "beta"});
    return eq == "kdv" ? make_kdv(c("alpha", 1.0), c("beta", 1.0)) : make_mkdv(c("alpha", 1.0), c("beta", 1.0));
  }
  if (eq == "burgers" || eq == "heat") {
    if (!coef.is_null()) coef.require_only({"nu"});
    return eq == "burgers" ? make_burgers(c("nu", 0.01)) : make_heat(c("nu", 0.01));
  }
  if (eq == "ks") {
    if (!coef.is_null()) coef.require_only({});
    return make_ks();
  }
  if (eq == "custom") {
    Config p = cfg["pde"];
    p.require_only({"name", "linear", "nonlinear"});
    std::map<int, double> lin;
    std::map<std::string, double> named;
    Config l = p.child_or_empty("linear");
    for (const auto& key : l.keys()) {
      int order = -1;
      try {
        order = std::stoi(key);
      } catch (...) {
      }
      PDESYM_REQUIRE(order >= 0, l.where() << ": keys must be derivative orders (0, 1, 2, ...), got '" << key << "'");
      lin[order] = l.get<double>(key);
      named["linear_d" + key] = lin[order];
    }
    std::vector<NonlinearTerm> terms;
    Config nl = p.child_or_empty("nonlinear");
    PDESYM_REQUIRE(nl.is_null() || nl.is_sequence(), nl.where() << ": must be a list of {coeff, power, derivative}");
    for (std::size_t i = 0; !nl.is_null() && i < nl.size(); ++i) {
      Config t = nl.at(i);
      t.require_only({"coeff", "power", "derivative"});
      NonlinearTerm term{t.get<double>("coeff"), t.get_or<int>("power", 2), t.get_or<int>("derivative", 1)};
      terms.push_back(term);
      std::string id = "nl" + std::to_string(i);
      named[id + "_coeff"] = term.coeff;
      named[id + "_power"] = term.power;
      named[id + "_derivative"] = term.derivative;
    }
    PDESYM_REQUIRE(!lin.empty() || !terms.empty(), p.where() << ": a custom PDE needs linear or nonlinear terms");
    return std::make_unique<PolynomialPde>(p.get_or<std::string>("name", "custom"), lin, terms, named);
  }
  std::string list;
  for (const auto& n : known_equations()) list += (list.empty() ? "" : ", ") + n;
  throw InputError(cfg["equation"].where() + ": unknown equation '" + eq + "' (known: " + list + ")");
}

}  // namespace pdesym::solvers
