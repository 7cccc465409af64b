// sym.json (de)serialisation of SymmetryResult (basis.hpp).
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
