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

std::string Generator::label() const {
  if (!is_discrete()) return field.label();
  std::string s = elements.size() == 8 || elements.size() == 2 ? "d4" : "rot90";
  if (!parity.empty()) {
    s += "(";
    for (std::size_t c = 0; c < parity.size(); ++c)
      s += (c ? "," : "") + std::string(parity[c] == Parity::Scalar ? "scalar" : "pseudoscalar");
    s += ")";
  }
  return s;
}

std::string rescaled_spacings(const VectorField& v) {
  const Eigen::MatrixXd& A = v.affine_generator();
  const int D = v.dim();
  std::string scaled;
  for (int q = 0; q <= D && q < A.rows(); ++q)
    if (A(q, q) != 0.0) scaled += std::string(scaled.empty() ? "" : ", ") + (q == D ? "dt" : q == 0 ? "dx" : "dy");
  return scaled;
}

std::string GeneratorSet::describe() const {
  std::ostringstream os;
  if (generators.empty()) os << "no augmentation (" << source << ")\n";
  for (std::size_t k = 0; k < generators.size(); ++k) {
    const Generator& g = generators[k];
    os << "  V" << k + 1 << " = " << g.label() << "  [";
    if (g.is_discrete())
      os << "discrete, one of " << g.elements.size() << " box symmetries";
    else if (g.field.kind() == FlowKind::LinearPhase)
      os << to_string(g.field.kind()) << ", eps on the representable lattice within [-" << g.eps_max << ", "
         << g.eps_max << "] (at least one step)";
    else
      os << to_string(g.field.kind()) << ", eps "
         << (g.full_period ? std::string("uniform over one period")
                           : "in [-" + std::to_string(g.eps_max) + ", " + std::to_string(g.eps_max) + "]");
    if (!g.is_discrete()) {  // a scaling of x or t changes a sample's spacings, which the models take as inputs
      const std::string scaled = rescaled_spacings(g.field);
      if (!scaled.empty()) os << "; rescales each sample's " << scaled;
    }
    os << "]\n";
  }
  for (const auto& note : notes) os << "  note: " << note << "\n";
  return os.str();
}

namespace {

std::string trim(const std::string& w) {
  const auto a = w.find_first_not_of(" \t"), b = w.find_last_not_of(" \t");
  return a == std::string::npos ? "" : w.substr(a, b - a + 1);
}

// "d4", "rot90", "d4(scalar,pseudoscalar)": a discrete entry over `vars`; false if `piece` is none of these.
bool parse_discrete(const std::string& piece, const symmetry::Variables& vars, Generator& g) {
  const std::string p = trim(piece);
  const auto open = p.find('(');
  const std::string head = trim(p.substr(0, open));
  if (head != "d4" && head != "rot90") return false;
  if (open != std::string::npos) {
    PDESYM_REQUIRE(p.back() == ')', "augmentation entry '" << p << "': missing ')'");
    g.parity = parse_parities(p.substr(open + 1, p.size() - open - 2));
    PDESYM_REQUIRE(static_cast<int>(g.parity.size()) == vars.nc,
                   "augmentation entry '" << p << "': " << g.parity.size() << " parities for the " << vars.nc
                                          << " components of " << vars.describe());
  }
  PDESYM_REQUIRE(head == "d4" || vars.dim == 2, "augmentation entry '" << p << "': rotations by 90 degrees need 2-D "
                                                                       "data, the generators live on "
                                                                       << vars.describe());
  for (const BoxSymmetry& e : BoxSymmetry::group(vars.dim))
    if (head == "d4" || !e.reflect) g.elements.push_back(e);
  return true;
}

}  // namespace

GeneratorSet load_generators(const std::string& spec, const AugmentOptions& opt) {
  GeneratorSet set;
  set.source = spec;
  set.variables = opt.variables;
  if (spec == "none") return set;
  PDESYM_REQUIRE(!spec.empty(), "empty augmentation: use none, known:<equation>, gen:<generators> or a sym.json path");
  PDESYM_REQUIRE(opt.eps > 0 && std::isfinite(opt.eps), "augmentation eps must be positive (got " << opt.eps << ")");
  symmetry::PolynomialBasis basis(2);
  Eigen::MatrixXd G;
  std::vector<Generator> discrete;
  bool canonical = false;
  auto parse_list = [&](const std::vector<std::string>& pieces) {
    std::vector<Eigen::VectorXd> cols;
    for (const std::string& piece : pieces) {
      if (piece.find_first_not_of(" \t") == std::string::npos) continue;
      Generator d;
      if (parse_discrete(piece, basis.variables(), d))
        discrete.push_back(std::move(d));
      else
        cols.push_back(symmetry::parse_generator(piece, basis));
    }
    G.resize(basis.size(), static_cast<int>(cols.size()));
    for (std::size_t k = 0; k < cols.size(); ++k) G.col(static_cast<int>(k)) = cols[k];
  };
  if (spec.rfind("known:", 0) == 0) {
    const std::string name = spec.substr(6);
    std::string names;
    for (const auto& n : symmetry::known_algebra_names()) names += (names.empty() ? "" : ", ") + n;
    PDESYM_REQUIRE(!name.empty(), "augmentation 'known:' needs an equation name (" << names << ", navier_stokes)");
    if (name == "navier_stokes") {
      // 2-D vorticity form: translations, time translation and the box's D4 (vorticity a pseudo-scalar).
      set.variables = symmetry::Variables::of(2, 1);
      basis = symmetry::PolynomialBasis(2, set.variables);
      parse_list({"d_t", "d_x", "d_y", "d4(pseudoscalar)"});
    } else {
      set.variables = symmetry::known_algebra_variables(name);
      basis = symmetry::PolynomialBasis(2, set.variables);
      G = symmetry::known_algebra(name, basis);
    }
  } else if (spec.rfind("gen:", 0) == 0) {
    basis = symmetry::PolynomialBasis(2, opt.variables);
    std::vector<std::string> pieces;
    std::stringstream ss(spec.substr(4));
    std::string piece;
    while (std::getline(ss, piece, ';')) pieces.push_back(piece);
    parse_list(pieces);
    PDESYM_REQUIRE(G.cols() > 0 || !discrete.empty(), "augmentation '" << spec << "' lists no generators");
  } else {
    PDESYM_REQUIRE(file_exists(spec), "augmentation '" << spec
                                                       << "' is not 'none', 'known:<equation>' or 'gen:<generators>', "
                                                          "and no sym.json file of that name exists");
    symmetry::SymmetryResult r = symmetry::read_sym_json(spec);
    basis = r.basis;
    set.variables = basis.variables();
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
      set.skipped.push_back(vf);
      continue;
    }
    if (opt.keep_grid) {
      const std::string scaled = rescaled_spacings(vf);
      if (!scaled.empty()) {
        set.notes.push_back(name + " skipped: it rescales each sample's " + scaled + " (keep-grid)");
        continue;
      }
    }
    Generator g;
    g.field = vf;
    g.eps_max = opt.eps;
    g.full_period = opt.full_period_translations && vf.pure_translation_axis() >= 0;
    set.generators.push_back(std::move(g));
  }
  for (Generator& d : discrete) set.generators.push_back(std::move(d));
  if (set.generators.empty()) {
    std::string all;
    for (const auto& n : set.notes) all += "\n  " + n;
    throw InputError("generator set '" + spec + "': none of its generators can be applied:" + all);
  }
  return set;
}

GeneratorSet load_generators(const std::string& spec, const FieldShape& data, AugmentOptions opt) {
  opt.variables = symmetry::Variables::of(data.dim, data.nc);
  GeneratorSet set = load_generators(spec, opt);
  const symmetry::Variables& v = set.variables;
  PDESYM_REQUIRE(spec == "none" || (v.dim == data.dim && v.nc == data.nc),
                 "augmentation '" << spec << "': its generators live on " << v.describe() << " (" << v.dim << "-D, "
                                  << v.nc << " component" << (v.nc == 1 ? "" : "s") << ") but the data are "
                                  << data.describe());
  return set;
}

// ---- Augmenter ---------------------------------------------------------------------------------------------

Augmenter::Augmenter(GeneratorSet set, TransformOptions topt) : set_(std::move(set)), topt_(topt) {}

namespace {
void require_variables(const GeneratorSet& set, const Field& in, const std::string& where) {
  const symmetry::Variables& v = set.variables;
  PDESYM_REQUIRE(v.dim == in.dim() && v.nc == in.nc(),
                 where << ": the generators of '" << set.source << "' live on " << v.describe() << " (" << v.dim
                       << "-D, " << v.nc << " component" << (v.nc == 1 ? "" : "s") << ") but the trajectory is "
                       << in.shape.describe());
}

// The representable eps nearest to `eps` for a LinearPhase generator on data `f` (0 if none).
double round_to_quantum(const VectorField& V, const Field& f, double eps) {
  const double q = V.phase_quantum({f.Lx(), f.Ly()});
  return q > 0 ? q * std::round(eps / q) : 0.0;
}
}  // namespace

Field Augmenter::apply(const Field& in, const std::vector<double>& eps) const {
  PDESYM_CHECK(eps.size() == set_.generators.size(),
               eps.size() << " eps values for " << set_.generators.size() << " generators");
  validate(in, "trajectory");
  if (set_.empty()) return in;
  require_variables(set_, in, "trajectory");
  if (!set_.variables.scalar_1d()) {
    // n-D / systems: one generator after the other (each exact or general, transform_nd); runs of consecutive
    // affine generators are composed into one matrix on (z, 1) and applied in one pass (not in the reference path).
    Field cur = in;
    const bool fuse = !topt_.reference_nd && !topt_.force_general;
    const int n = set_.variables.count();
    Eigen::MatrixXd M = Eigen::MatrixXd::Identity(n + 1, n + 1);
    bool pending = false;
    auto flush = [&] {
      if (pending) cur = detail::transform_affine_nd(cur, M);
      M.setIdentity();
      pending = false;
    };
    for (std::size_t k = 0; k < eps.size(); ++k) {
      const Generator& g = set_.generators[k];
      if (g.is_discrete()) {
        const long idx = std::lround(eps[k]);
        PDESYM_CHECK(idx >= 0 && idx < static_cast<long>(g.elements.size()),
                     "element index " << eps[k] << " of " << g.label());
        if (idx == 0) continue;
        flush();
        cur = augment::apply(cur, g.elements[idx], g.parity);
        continue;
      }
      if (eps[k] == 0.0 || g.field.kind() == FlowKind::Identity) continue;
      if (fuse && g.field.kind() == FlowKind::Affine) {
        M = expm_general(eps[k] * g.field.affine_generator()) * M;  // later generators act on the image
        pending = true;
        continue;
      }
      flush();
      double e = eps[k];
      if (g.field.kind() == FlowKind::LinearPhase) e = round_to_quantum(g.field, cur, e);
      if (e == 0.0) continue;
      cur = transform(cur, g.field, e, topt_);
    }
    flush();
    return cur;
  }
  detail::require_transformable(in, "trajectory");
  Field cur = in;
  Eigen::Matrix4d M = Eigen::Matrix4d::Identity();
  bool pending = false;
  for (std::size_t k = 0; k < eps.size(); ++k) {
    const Generator& g = set_.generators[k];
    const VectorField& V = g.field;
    if (g.is_discrete()) {  // 1-D: the reflection x -> -x
      if (pending) {
        cur = detail::transform_affine(cur, M);
        M.setIdentity();
        pending = false;
      }
      const long idx = std::lround(eps[k]);
      PDESYM_CHECK(idx >= 0 && idx < static_cast<long>(g.elements.size()), "element index " << eps[k]);
      if (idx != 0) cur = augment::apply(cur, g.elements[idx], g.parity);
      continue;
    }
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
  if (!set_.empty()) require_variables(set_, in, "trajectory");
  std::vector<double> eps(set_.generators.size());
  // Periods of the trajectory as seen by generator k (scalings before it change them).
  double L[2] = {in.Lx(), in.Ly()};
  for (std::size_t k = 0; k < eps.size(); ++k) {
    const Generator& g = set_.generators[k];
    if (g.is_discrete()) {
      eps[k] = static_cast<double>(rng.uniform_int(0, static_cast<long>(g.elements.size()) - 1));
      if (g.elements[static_cast<std::size_t>(eps[k])].rotations % 2 != 0) std::swap(L[0], L[1]);
      continue;
    }
    const int axis = g.field.pure_translation_axis();
    if (g.full_period && axis >= 0) {
      const double c = g.field.affine_generator()(axis, g.field.count());
      eps[k] = rng.uniform(0.0, L[axis]) / c;
    } else if (g.field.kind() == FlowKind::LinearPhase) {
      const double q = g.field.phase_quantum({L[0], L[1]});
      const long K = q > 0 ? std::max(1L, static_cast<long>(std::floor(g.eps_max / q + 1e-9))) : 0;
      eps[k] = q * static_cast<double>(rng.uniform_int(-K, K));
    } else {
      eps[k] = rng.uniform(-g.eps_max, g.eps_max);
    }
    for (int i = 0; i < g.field.dim(); ++i) L[i] *= std::exp(eps[k] * g.field.scale_rate(i));
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
    validate(f, in.name + "/" + std::to_string(i));
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
