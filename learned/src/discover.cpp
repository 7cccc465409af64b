// The registry of learned discovery methods and learned::discover (no LibTorch here; the methods live in their
// own translation units).
#include "pdesym/learned/discover.hpp"

#include <algorithm>
#include <sstream>

#include "internal.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/learned/validity.hpp"

namespace pdesym::learned {

Eigen::MatrixXd normalised_generators(const datasets::Split& data, const Eigen::MatrixXd& gens,
                                      const symmetry::PolynomialBasis& basis) {
  detail::check_split(data, "normalised generators");
  PDESYM_REQUIRE(gens.rows() == basis.size(), "normalised generators: generators have " << gens.rows()
                                                  << " coefficients but the basis has " << basis.size());
  Eigen::MatrixXd h = detail::raw_to_hat(basis, detail::make_frame(data)) * gens;
  for (Eigen::Index g = 0; g < h.cols(); ++g)
    if (h.col(g).norm() > 0) h.col(g).normalize();
  return h;
}

namespace {

/// LieGAN and joint do not train on the equation; they report the validity scores of what they found.
symmetry::SymmetryResult with_scores(const datasets::Split& data, const LearnedOptions& opt,
                                              const symmetry::PolynomialBasis& basis,
                                              const symmetry::IdentifiedEquation& eq,
                                              symmetry::SymmetryResult r) {
  ValidityOptions vo;
  vo.samples = std::min(opt.samples, 4096);
  vo.seed = opt.seed * 7919 + 3;
  const Eigen::VectorXd s = validity_scores(data, r.generators, basis, eq, vo);
  r.extra["validity_scores"] = std::vector<double>(s.data(), s.data() + s.size());
  r.extra["equation"] = eq.text();
  return r;
}

}  // namespace

const std::vector<LearnedMethod>& learned_method_registry() {
  static const std::vector<LearnedMethod> registry = [] {
    std::vector<LearnedMethod> m;
    m.push_back({"validity", "vector fields minimising the validity score of the equation (Ko et al. 2024)", 60,
                 0.05, 256,
                 [](const datasets::Split& d, const LearnedOptions& o, const symmetry::PolynomialBasis& b,
                    const symmetry::IdentifiedEquation& eq) { return detail::run_validity(d, o, b, eq); }});
    m.push_back({"liegan", "Lie algebra generators against a patch discriminator (Yang et al. 2023)", 150, 2e-3, 256,
                 [](const datasets::Split& d, const LearnedOptions& o, const symmetry::PolynomialBasis& b,
                    const symmetry::IdentifiedEquation& eq) {
                   return with_scores(d, o, b, eq, detail::run_liegan(d, o, b));
                 }});
    m.push_back({"joint", "augmentation generators learned jointly with an FNO surrogate (LieAugmenter-style)", 60,
                 3e-3, 32,
                 [](const datasets::Split& d, const LearnedOptions& o, const symmetry::PolynomialBasis& b,
                    const symmetry::IdentifiedEquation& eq) {
                   symmetry::SymmetryResult r = with_scores(d, o, b, eq, detail::run_joint(d, o, b));
                   r.trust = detail::joint_verdict(r.extra.at("equivariance_error").get<std::vector<double>>(),
                                                   r.extra.at("relative_step_change").get<double>(),
                                                   r.extra.at("validity_scores").get<std::vector<double>>());
                   return r;
                 }});
    return m;
  }();
  return registry;
}

const LearnedMethod& learned_method(const std::string& name) {
  const auto& reg = learned_method_registry();
  for (const auto& m : reg)
    if (m.name == name) return m;
  std::ostringstream known;
  for (const auto& m : reg) known << (known.tellp() > 0 ? ", " : "") << m.name;
  throw InputError("unknown learned discovery method '" + name + "' (expected one of " + known.str() + ")");
}

std::vector<std::string> learned_methods() {
  std::vector<std::string> names;
  for (const auto& m : learned_method_registry()) names.push_back(m.name);
  return names;
}

symmetry::SymmetryResult discover(const datasets::Split& data, const LearnedOptions& opt,
                                  const symmetry::PolynomialBasis& basis) {
  const LearnedMethod& method = learned_method(opt.method);
  detail::check_options(opt);
  detail::check_split(data, "learned discovery (" + opt.method + ")");
  LearnedOptions o = opt;
  if (o.epochs == 0) o.epochs = method.epochs;
  if (o.lr == 0) o.lr = method.lr;
  if (o.batch == 0) o.batch = std::min(method.batch, o.samples);

  // The equation: given, or identified from the data.
  symmetry::IdentifiedEquation eq;
  std::string identified;
  if (opt.equation) {
    eq = *opt.equation;
  } else {
    eq = symmetry::identify_equation(data);
    identified = eq.text();
  }
  symmetry::SymmetryResult r = method.run(data, o, basis, eq);
  r.identified_equation = identified;
  if (data.nt >= 5) r.extra["equation_residual"] = equation_residual(data, eq);
  return r;
}

}  // namespace pdesym::learned
