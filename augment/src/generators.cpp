// Generator sets (known algebras, sym.json files, written generators), the Augmenter and dataset augmentation.
#include <algorithm>
#include <cmath>
#include <sstream>

#include "internal.hpp"
#include "pdesym/augment/generators.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/symmetry/nullspace.hpp"

namespace pdesym::augment {

// ---- generator sets ----------------------------------------------------------------------------------------

Eigen::MatrixXd canonical_generators(const Eigen::MatrixXd& G, double tol) {
  Eigen::MatrixXd R = G.transpose();
  const int k = static_cast<int>(R.rows()), n = static_cast<int>(R.cols());
  if (k == 0 || n == 0) return G;
  const double maxabs = R.cwiseAbs().maxCoeff();
  if (maxabs == 0.0) return Eigen::MatrixXd(G.rows(), 0);
  const int row = static_cast<int>(symmetry::reduce_rows(R, std::max(tol, 1e-12) * maxabs).size());
  R.conservativeResize(row, n);
  if (tol > 0) {
    for (int r = 0; r < row; ++r) {
      const double m = R.row(r).cwiseAbs().maxCoeff();
      for (int c = 0; c < n; ++c)
        if (std::abs(R(r, c)) < tol * m) R(r, c) = 0.0;
    }
  }
  return R.transpose();
}

std::string GeneratorSet::describe() const {
  std::ostringstream os;
  if (generators.empty()) os << "no augmentation (" << source << ")\n";
  for (std::size_t k = 0; k < generators.size(); ++k) {
    const Generator& g = generators[k];
    os << "  V" << k + 1 << " = " << g.field.label() << "  [" << to_string(g.field.kind()) << ", eps "
       << (g.full_period ? std::string("uniform over one period") : "in [-" + std::to_string(g.eps_max) + ", " +
                                                                        std::to_string(g.eps_max) + "]")
       << "]\n";
  }
  for (const auto& note : notes) os << "  note: " << note << "\n";
  return os.str();
}

GeneratorSet load_generators(const std::string& spec, const AugmentOptions& opt) {
  GeneratorSet set;
  set.source = spec;
  if (spec == "none") return set;
  PDESYM_REQUIRE(!spec.empty(), "empty augmentation: use none, known:<equation>, gen:<generators> or a sym.json path");
  PDESYM_REQUIRE(opt.eps > 0 && std::isfinite(opt.eps), "augmentation eps must be positive (got " << opt.eps << ")");
  symmetry::PolynomialBasis basis(2);
  Eigen::MatrixXd G;
  bool canonical = false;
  if (spec.rfind("known:", 0) == 0) {
    const std::string name = spec.substr(6);
    std::string names;
    for (const auto& n : symmetry::known_algebra_names()) names += (names.empty() ? "" : ", ") + n;
    PDESYM_REQUIRE(!name.empty(), "augmentation 'known:' needs an equation name (" << names << ")");
    G = symmetry::known_algebra(name, basis);
  } else if (spec.rfind("gen:", 0) == 0) {
    std::vector<Eigen::VectorXd> cols;
    std::stringstream ss(spec.substr(4));
    std::string piece;
    while (std::getline(ss, piece, ';')) {
      if (piece.find_first_not_of(" \t") == std::string::npos) continue;
      cols.push_back(symmetry::parse_generator(piece, basis));
    }
    PDESYM_REQUIRE(!cols.empty(), "augmentation '" << spec << "' lists no generators");
    G.resize(basis.size(), static_cast<int>(cols.size()));
    for (std::size_t k = 0; k < cols.size(); ++k) G.col(static_cast<int>(k)) = cols[k];
  } else {
    PDESYM_REQUIRE(file_exists(spec), "augmentation '" << spec
                                                       << "' is not 'none', 'known:<equation>' or 'gen:<generators>', "
                                                          "and no sym.json file of that name exists");
    symmetry::SymmetryResult r = symmetry::read_sym_json(spec);
    basis = r.basis;
    G = r.generators;
    PDESYM_REQUIRE(G.cols() > 0, "sym.json file '" << spec << "' contains no generators");
    if (opt.canonical_tol >= 0) {
      G = canonical_generators(G, opt.canonical_tol);
      canonical = true;
    }
  }
  for (int k = 0; k < G.cols(); ++k) {
    VectorField vf(G.col(k), basis, canonical ? opt.canonical_tol : 1e-12);
    const std::string name = "generator " + std::to_string(k + 1) + " (" + vf.label() + ")";
    if (vf.kind() == FlowKind::Identity) {
      set.notes.push_back(name + " is zero; skipped");
      continue;
    }
    if (vf.kind() == FlowKind::NonPeriodic || vf.kind() == FlowKind::Unsupported) {
      PDESYM_REQUIRE(opt.skip_incompatible, "augmentation '" << spec << "': " << name << ": " << vf.reason());
      set.notes.push_back(name + " skipped: " + vf.reason());
      continue;
    }
    Generator g;
    g.field = vf;
    g.eps_max = opt.eps;
    g.full_period = opt.full_period_translations && vf.is_pure_x_translation();
    set.generators.push_back(std::move(g));
  }
  if (set.generators.empty()) {
    std::string all;
    for (const auto& n : set.notes) all += "\n  " + n;
    throw InputError("augmentation '" + spec + "': none of its generators can act on periodic trajectories:" + all);
  }
  return set;
}

// ---- Augmenter ---------------------------------------------------------------------------------------------

Augmenter::Augmenter(GeneratorSet set, TransformOptions topt) : set_(std::move(set)), topt_(topt) {}

Field Augmenter::apply(const Field& in, const std::vector<double>& eps) const {
  PDESYM_CHECK(eps.size() == set_.generators.size(),
               eps.size() << " eps values for " << set_.generators.size() << " generators");
  detail::require_transformable(in, "trajectory");
  Field cur = in;
  Eigen::Matrix4d M = Eigen::Matrix4d::Identity();
  bool pending = false;
  for (std::size_t k = 0; k < eps.size(); ++k) {
    const VectorField& V = set_.generators[k].field;
    if (eps[k] == 0.0 || V.kind() == FlowKind::Identity) continue;
    if (V.kind() == FlowKind::Affine && !topt_.force_general) {
      M = expm(eps[k] * V.affine_matrix()) * M;  // later generators act on the image of earlier ones
      pending = true;
      continue;
    }
    if (pending) {
      cur = detail::transform_affine(cur, M);
      M.setIdentity();
      pending = false;
    }
    cur = transform(cur, V, eps[k], topt_);
  }
  if (pending) cur = detail::transform_affine(cur, M);
  return cur;
}

Field Augmenter::operator()(const Field& in, Rng& rng, std::vector<double>* eps_out) const {
  std::vector<double> eps(set_.generators.size());
  // Period of the trajectory as seen by generator k (scalings before it change it).
  double L = in.Lx();
  for (std::size_t k = 0; k < eps.size(); ++k) {
    const Generator& g = set_.generators[k];
    if (g.full_period) {
      const double c = g.field.affine_matrix()(0, 3);
      eps[k] = rng.uniform(0.0, L) / c;
    } else {
      eps[k] = rng.uniform(-g.eps_max, g.eps_max);
    }
    L *= std::exp(eps[k] * g.field.x_scale_rate());
  }
  if (eps_out) *eps_out = eps;
  return apply(in, eps);
}

datasets::Split augment_split(const datasets::Split& in, const Augmenter& aug, int copies, std::uint64_t seed,
                              bool keep_original) {
  PDESYM_REQUIRE(copies >= 0, "number of copies must be non-negative (got " << copies << ")");
  const int per = copies + (keep_original ? 1 : 0);
  PDESYM_REQUIRE(per >= 1, "nothing to write: no copies and originals dropped");
  datasets::Split out;
  out.name = in.name;
  out.resize(in.n * per, in.shape(), in.components);
  for (int i = 0; i < in.n; ++i) {
    const Field f = in.field(i);
    detail::require_transformable(f, in.name + "/" + std::to_string(i));
    int o = i * per;
    if (keep_original) out.set_field(o++, f);
    for (int c = 0; c < copies; ++c) {
      Rng rng(seed, static_cast<std::uint64_t>(i), static_cast<std::uint64_t>(c) + 1);
      out.set_field(o++, aug(f, rng), in.name + "/" + std::to_string(i));
    }
  }
  return out;
}

}  // namespace pdesym::augment
