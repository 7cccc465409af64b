// FieldPde: the registry of built-in field equations and make_field_pde (config parsing).
#include "pdesym/solvers/field_pde.hpp"

#include <algorithm>
#include <cmath>
#include <functional>

#include "pdesym/common/error.hpp"
#include "pdesym/solvers/pde.hpp"
#include "pdesym/solvers/system_pde.hpp"

namespace pdesym::solvers {

bool FieldPde::supports_dim(int d) const {
  const auto ds = dims();
  return std::find(ds.begin(), ds.end(), d) != ds.end();
}

namespace {

/// Reads the `coefficients:` map of one equation (defaults for absent keys; errors name file and key).
class Coefficients {
 public:
  explicit Coefficients(Config c) : c_(std::move(c)) {
    PDESYM_REQUIRE(c_.is_null() || c_.is_map(), c_.where() << ": must be a mapping of coefficient names to values");
  }
  double real(const char* key, double def) const {
    const double v = c_.is_null() ? def : c_.get_or<double>(key, def);
    PDESYM_REQUIRE(std::isfinite(v), c_[key].where() << ": must be finite");
    return v;
  }
  double positive(const char* key, double def) const {
    const double v = real(key, def);
    PDESYM_REQUIRE(v > 0, c_[key].where() << ": must be positive, got " << v);
    return v;
  }
  double non_negative(const char* key, double def) const {
    const double v = real(key, def);
    PDESYM_REQUIRE(v >= 0, c_[key].where() << ": must be >= 0, got " << v);
    return v;
  }
  int integer_at_least(const char* key, int def, int lo) const {
    const int v = c_.is_null() ? def : c_.get_or<int>(key, def);
    PDESYM_REQUIRE(v >= lo, c_[key].where() << ": must be an integer >= " << lo << ", got " << v);
    return v;
  }
  void require_only(const std::vector<std::string>& keys) const {
    if (!c_.is_null()) c_.require_only(keys);
  }

 private:
  Config c_;
};

/// One built-in field equation: its name, coefficient keys and factory.
struct FieldEquation {
  std::string name;
  std::vector<std::string> keys;
  std::function<std::unique_ptr<FieldPde>(const Coefficients&)> make;
};

const std::vector<FieldEquation>& registry() {
  static const std::vector<FieldEquation> r = {
      {"heat2d", {"nu"}, [](const Coefficients& c) { return make_heat2d(c.positive("nu", 0.01)); }},
      {"nls", {}, [](const Coefficients&) { return make_nls(); }},
      {"lambda_omega", {"d", "beta"},
       [](const Coefficients& c) { return make_lambda_omega(c.positive("d", 0.1), c.real("beta", 1.0)); }},
      {"wave", {"c"}, [](const Coefficients& c) { return make_wave(c.positive("c", 1.0)); }},
      {"navier_stokes", {"nu", "forcing_amplitude", "forcing_mode", "drag"},
       [](const Coefficients& c) {
         return make_navier_stokes(c.positive("nu", 0.01), c.real("forcing_amplitude", 0.0),
                                   c.integer_at_least("forcing_mode", 4, 1), c.non_negative("drag", 0.0));
       }},
      {"ks2d", {}, [](const Coefficients&) { return make_ks2d(); }},
  };
  return r;
}

}  // namespace

std::vector<std::string> known_field_equations() {
  std::vector<std::string> names;
  for (const auto& e : registry()) names.push_back(e.name);
  return names;
}

bool is_field_equation(const std::string& name) {
  const auto k = known_field_equations();
  return std::find(k.begin(), k.end(), name) != k.end();
}

bool is_field_config(const Config& cfg) {
  const std::string eq = cfg.get<std::string>("equation");
  if (is_field_equation(eq)) return true;
  if (eq != "custom") return false;
  const Config p = cfg.child_or_empty("pde");
  return p.is_map() && p.has("components");
}

std::unique_ptr<FieldPde> make_field_pde(const Config& cfg) {
  const std::string eq = cfg.get<std::string>("equation");
  const Coefficients coef(cfg.child_or_empty("coefficients"));
  if (eq == "custom" && is_field_config(cfg)) {
    coef.require_only({});
    return parse_polynomial_system(cfg["pde"]);
  }
  for (const auto& e : registry()) {
    if (e.name != eq) continue;
    coef.require_only(e.keys);
    return e.make(coef);
  }
  const auto scalar = known_equations();
  if (std::find(scalar.begin(), scalar.end(), eq) != scalar.end()) return make_pde(cfg);
  std::string list;
  for (const auto& n : scalar) list += (list.empty() ? "" : ", ") + n;
  for (const auto& n : known_field_equations()) list += ", " + n;
  throw InputError(cfg["equation"].where() + ": unknown equation '" + eq + "' (known: " + list + ")");
}

}  // namespace pdesym::solvers
