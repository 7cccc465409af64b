// Dispatch of the learned discovery methods (no LibTorch here; the methods live in their own translation units).
#include "pdesym/learned/discover.hpp"

#include <algorithm>

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

std::vector<std::string> learned_methods() { return {"validity", "liegan", "joint"}; }

symmetry::SymmetryResult discover(const datasets::Split& data, const LearnedOptions& opt,
                                  const symmetry::PolynomialBasis& basis) {
  const auto methods = learned_methods();
  PDESYM_REQUIRE(std::find(methods.begin(), methods.end(), opt.method) != methods.end(),
                 "unknown learned discovery method '" << opt.method << "' (expected validity, liegan or joint)");
  detail::check_options(opt);
  detail::check_split(data, "learned discovery (" + opt.method + ")");

  // The equation: given, or identified from the data. The validity method trains on its residual; the other
  // methods use it only to report the validity scores of what they found.
  symmetry::IdentifiedEquation eq;
  std::string identified;
  if (opt.equation) {
    eq = *opt.equation;
  } else {
    eq = symmetry::identify_equation(data);
    identified = eq.text();
  }

  symmetry::SymmetryResult r;
  if (opt.method == "validity") {
    r = detail::run_validity(data, opt, basis, eq);
  } else {
    r = opt.method == "liegan" ? detail::run_liegan(data, opt, basis) : detail::run_joint(data, opt, basis);
    ValidityOptions vo;
    vo.samples = std::min(opt.samples, 4096);
    vo.seed = opt.seed * 7919 + 3;
    const Eigen::VectorXd s = validity_scores(data, r.generators, basis, eq, vo);
    r.extra["validity_scores"] = std::vector<double>(s.data(), s.data() + s.size());
    r.extra["equation"] = eq.text();
  }
  r.identified_equation = identified;
  if (data.nt >= 5) r.extra["equation_residual"] = equation_residual(data, eq);
  return r;
}

}  // namespace pdesym::learned
