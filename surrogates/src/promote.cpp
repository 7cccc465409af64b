// Promotion (Lie-derivative penalty through the exact affine window action) and enforcement (group averaging over
// a finite grid group); see promote.hpp.
#include "pdesym/surrogates/promote.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <sstream>

#include "pdesym/common/error.hpp"

namespace pdesym::surrogates {

namespace {

constexpr double kPi = 3.14159265358979323846;

// [B, T, nx] (1-D scalar) or [B, T, nc, ny, nx] -> [B, T, nc, ny, nx].
torch::Tensor to5(const torch::Tensor& u) { return u.dim() == 3 ? u.unsqueeze(2).unsqueeze(3) : u; }
// Back to the model's layout: 3-D when `like` is.
torch::Tensor from5(const torch::Tensor& u5, const torch::Tensor& like) {
  return like.dim() == 3 ? u5.squeeze(3).squeeze(2) : u5;
}

std::string trim(const std::string& w) {
  const auto a = w.find_first_not_of(" \t"), b = w.find_last_not_of(" \t");
  return a == std::string::npos ? "" : w.substr(a, b - a + 1);
}

}  // namespace

// ---- promotion ---------------------------------------------------------------------------------------------

AffineWindowAction::AffineWindowAction(const augment::VectorField& V)
    : dim_(V.dim()), nc_(V.nc()), A_(V.affine_generator()), label_(V.label()) {
  PDESYM_REQUIRE(V.kind() == augment::FlowKind::Affine,
                 "generator " << V.label() << " is not affine (" << augment::to_string(V.kind()) << ")");
  A_(dim_, A_.cols() - 1) = 0.0;  // e d_t: the window map does not see t
}

Window AffineWindowAction::apply(const Window& w, double eps, int n0) const {
  const Eigen::MatrixXd E = augment::expm_general(eps * A_);
  const int it = dim_, i1 = static_cast<int>(E.cols()) - 1, u0 = dim_ + 1;
  const auto opts = w.u.options();
  const long T = w.u.size(1);
  // Local times of the levels: s [B, T].
  const torch::Tensor s = w.dt.unsqueeze(1) * torch::arange(n0, n0 + T, opts).unsqueeze(0);
  torch::Tensor u = w.u;
  // Fourier shift of level n along axis i by (E_it s_n + E_i1) / E_ii (in the original frame's units).
  const std::vector<torch::Tensor> spacing = {w.dx, w.dy};
  torch::Tensor phase;  // [B, T, 1, ny, nx] angle
  for (int i = 0; i < dim_; ++i) {
    if (E(i, it) == 0.0 && E(i, i1) == 0.0) continue;
    const int axis = 4 - i;  // x: last, y: the one before
    const long n = u.size(axis);
    const torch::Tensor shift = (E(i, it) * s + E(i, i1)) / E(i, i);                  // [B, T]
    const torch::Tensor k = torch::fft::fftfreq(n, 1.0, opts) * (2 * kPi);            // per grid unit
    const torch::Tensor ang = -(shift / spacing[i].unsqueeze(1)).unsqueeze(2).unsqueeze(3).unsqueeze(4) *
                              (axis == 4 ? k.view({1, 1, 1, 1, n}) : k.view({1, 1, 1, n, 1}));
    phase = phase.defined() ? phase + ang : ang;
  }
  if (phase.defined()) {
    const std::vector<int64_t> dims = dim_ == 2 ? std::vector<int64_t>{3, 4} : std::vector<int64_t>{4};
    u = torch::real(torch::fft::ifftn(torch::fft::fftn(u, c10::nullopt, dims) * torch::polar(torch::ones_like(phase), phase),
                                      c10::nullopt, dims));
  }
  // Components: u'_a = sum_b E_ab u_b + E_at s + E_a1.
  const Eigen::MatrixXd F = E.block(u0, u0, nc_, nc_);
  if (!F.isIdentity(0.0)) {
    torch::Tensor Ft = torch::empty({nc_, nc_}, opts.dtype(torch::kFloat64));
    for (int a = 0; a < nc_; ++a)
      for (int b = 0; b < nc_; ++b) Ft[a][b] = F(a, b);
    u = torch::einsum("ab,ntbyx->ntayx", {Ft.to(opts.dtype()), u});
  }
  for (int a = 0; a < nc_; ++a) {
    const double g = E(u0 + a, it), c = E(u0 + a, i1);
    if (g == 0.0 && c == 0.0) continue;
    torch::Tensor add = torch::zeros({1, 1, nc_, 1, 1}, opts);
    add[0][0][a][0][0] = 1.0;
    u = u + add * (g * s + c).unsqueeze(2).unsqueeze(3).unsqueeze(4);
  }
  Window out{u, w.dx * E(0, 0), dim_ == 2 ? w.dy * E(1, 1) : w.dy, w.dt * E(it, it)};
  return out;
}

namespace {

// A 1-D scalar field's f(t, u) = xi(0, t, u) and h(t, u) = phi(0, t, u) at u = `u`.
std::array<double, 2> f_and_h(const augment::VectorField& V, double t, double u) {
  const auto e = V.eval(0.0, t, u);
  return {e[0], e[2]};
}

// Inverse of the Vandermonde matrix V_jk = u_j^k on the nodes u_j = j - D / 2 (coefficients from node values).
Eigen::MatrixXd vandermonde_inverse(int D) {
  Eigen::MatrixXd W(D + 1, D + 1);
  for (int j = 0; j <= D; ++j)
    for (int k = 0; k <= D; ++k) W(j, k) = std::pow(j - D / 2.0, k);
  return W.inverse();
}

// [D + 1, 2]: f and h at time t on the nodes u_j = j - D / 2.
Eigen::MatrixXd node_values(const augment::VectorField& V, double t, int D) {
  Eigen::MatrixXd vals(D + 1, 2);
  for (int j = 0; j <= D; ++j) {
    const auto fh = f_and_h(V, t, j - D / 2.0);
    vals(j, 0) = fh[0];
    vals(j, 1) = fh[1];
  }
  return vals;
}

}  // namespace

FirstOrderWindowAction::FirstOrderWindowAction(const augment::VectorField& V) : V_(V), label_(V.label()) {
  PDESYM_REQUIRE(V.dim() == 1 && V.nc() == 1, "generator " << V.label() << ": first-order promotion needs 1-D scalar data");
  const bool ok = V.kind() == augment::FlowKind::Affine ||
                  (V.kind() == augment::FlowKind::PeriodicGeneral && V.tau_affine());
  PDESYM_REQUIRE(ok, "generator " << V.label() << " (" << augment::to_string(V.kind())
                                  << "): first-order promotion needs xi = a x + f(t, u), tau = d t + e, phi = h(t, u)");
  a_ = V.eval(1.0, 0.0, 0.0)[0] - V.eval(0.0, 0.0, 0.0)[0];
  d_ = V.tau(1.0) - V.tau(0.0);
  // Degree in u: fit degree 8 on u = -4..4 at a few times, keep the coefficients above round-off, then check the
  // polynomial of that degree at points off the nodes.
  constexpr int kMax = 8;
  const Eigen::MatrixXd Vinv = vandermonde_inverse(kMax);
  const double ts[] = {0.0, 0.7, 1.9, -2.3};
  for (double t : ts) {
    const Eigen::MatrixXd c = Vinv * node_values(V, t, kMax);
    const double scale = std::max(1.0, c.cwiseAbs().maxCoeff());
    for (int k = kMax; k > degree_; --k)
      if (std::abs(c(k, 0)) > 1e-9 * scale || std::abs(c(k, 1)) > 1e-9 * scale) degree_ = k;
  }
  vinv_ = vandermonde_inverse(degree_);
  for (double t : ts)
    for (double u : {0.37, -1.61, 2.9}) {
      const Eigen::MatrixXd c = vinv_ * node_values(V, t, degree_);
      const auto want = f_and_h(V, t, u);
      double pf = 0, ph = 0;
      for (int k = degree_; k >= 0; --k) {
        pf = pf * u + c(k, 0);
        ph = ph * u + c(k, 1);
      }
      PDESYM_REQUIRE(std::abs(pf - want[0]) <= 1e-8 * (1 + std::abs(want[0])) &&
                         std::abs(ph - want[1]) <= 1e-8 * (1 + std::abs(want[1])),
                     "generator " << V.label() << ": xi or phi is not a polynomial of degree <= " << kMax << " in u");
    }
}

torch::Tensor FirstOrderWindowAction::characteristic(const torch::Tensor& u, const torch::Tensor& dx,
                                                     const torch::Tensor& dt, int n0) const {
  const long B = u.size(0), T = u.size(1), n = u.size(2);
  const int D = degree_;
  // Coefficients of f and h in u per (sample, level): [B, T, D + 1] each, from the field at the nodes.
  const torch::Tensor dtd = dt.detach().to(torch::kFloat64).contiguous();
  const double* dtp = dtd.data_ptr<double>();
  torch::Tensor cf = torch::empty({B, T, D + 1}, torch::kFloat64), ch = torch::empty({B, T, D + 1}, torch::kFloat64);
  auto af = cf.accessor<double, 3>();
  auto ah = ch.accessor<double, 3>();
  for (long b = 0; b < B; ++b)
    for (long k = 0; k < T; ++k) {
      const Eigen::MatrixXd c = vinv_ * node_values(V_, (n0 + k) * dtp[b], D);
      for (int m = 0; m <= D; ++m) {
        af[b][k][m] = c(m, 0);
        ah[b][k][m] = c(m, 1);
      }
    }
  cf = cf.to(u.options());
  ch = ch.to(u.options());
  // Horner in u.
  torch::Tensor f = cf.select(2, D).unsqueeze(2).expand_as(u), h = ch.select(2, D).unsqueeze(2).expand_as(u);
  for (int m = D - 1; m >= 0; --m) {
    f = f * u + cf.select(2, m).unsqueeze(2);
    h = h * u + ch.select(2, m).unsqueeze(2);
  }
  // Spectral u_x (the Nyquist mode of an even grid has no derivative).
  torch::Tensor k = torch::fft::rfftfreq(n, 1.0, u.options()) * (2 * kPi);
  if (n % 2 == 0) k[k.size(0) - 1].fill_(0.0);
  const torch::Tensor ux =
      torch::fft::irfft(torch::fft::rfft(u, c10::nullopt, 2) * torch::complex(torch::zeros_like(k), k), n, 2) /
      dx.view({B, 1, 1});
  return h - f * ux;
}

Promoter::Promoter(const augment::GeneratorSet& set, double h) : h_(h) {
  PDESYM_REQUIRE(h > 0 && std::isfinite(h), "promotion step must be positive (got " << h << ")");
  for (const augment::Generator& g : set.generators) {
    if (g.is_discrete()) {
      notes_.push_back(g.label() + ": discrete; not promoted (use --enforce for finite groups)");
      continue;
    }
    const augment::VectorField& V = g.field;
    if (V.kind() == augment::FlowKind::PeriodicGeneral) {
      if (V.dim() == 1 && V.nc() == 1 && V.tau_affine()) {
        first_order_.emplace_back(V);
      } else {
        notes_.push_back(V.label() + ": " + augment::to_string(V.kind()) + " flow; not promoted (first-order " +
                         (V.dim() == 1 && V.nc() == 1 ? "promotion needs tau affine in t)" : "promotion: 1-D scalar data only)"));
      }
      continue;
    }
    if (V.kind() != augment::FlowKind::Affine) {
      notes_.push_back(V.label() + ": " + augment::to_string(V.kind()) +
                       " flow; not promoted (no exact or first-order window action)");
      continue;
    }
    AffineWindowAction a(V);
    Eigen::MatrixXd A = V.affine_generator();
    A(V.dim(), A.cols() - 1) = 0.0;
    if (A.isZero(0.0)) {
      notes_.push_back(V.label() + ": time translation only; the window map does not see t (nothing to promote)");
      continue;
    }
    actions_.push_back(std::move(a));
  }
  for (const std::string& n : set.notes) notes_.push_back(n);
}

std::string Promoter::describe() const {
  std::ostringstream os;
  for (const auto& a : actions_) os << "  promote " << a.label() << " (step " << h_ << ")\n";
  for (const auto& a : first_order_)
    os << "  promote " << a.label() << " (first order, central difference, step " << h_ << ")\n";
  for (const auto& n : notes_) os << "  note: " << n << "\n";
  return os.str();
}

torch::Tensor Promoter::penalty(Surrogate& model, const torch::Tensor& X, const torch::Tensor& dx,
                                const torch::Tensor& dy, const torch::Tensor& dt, const torch::Tensor& fX,
                                double norm) const {
  const int tw = static_cast<int>(X.size(1));
  const Window w{to5(X), dx, dy, dt};
  const torch::Tensor f5 = to5(fX);
  torch::Tensor total = torch::zeros({}, X.options());
  for (const AffineWindowAction& a : actions_) {
    const Window wp = a.apply(w, h_, 0);
    const torch::Tensor yp = to5(model.step(from5(wp.u, X), wp.dx, wp.dy, wp.dt));
    const Window back = a.apply({yp, wp.dx, wp.dy, wp.dt}, -h_, tw);
    const torch::Tensor r = (back.u - f5) / h_;
    total = total + r.pow(2).mean({1, 2, 3, 4}).sum() / norm;
  }
  for (const FirstOrderWindowAction& a : first_order_) {
    const torch::Tensor q = a.characteristic(X, dx, dt, 0);
    const double sx = std::exp(h_ * a.x_rate()), st = std::exp(h_ * a.t_rate());
    const torch::Tensor fp = model.step(X + h_ * q, dx * sx, dy, dt * st);
    const torch::Tensor fm = model.step(X - h_ * q, dx / sx, dy, dt / st);
    const torch::Tensor r = (fp - fm) / (2 * h_) - a.characteristic(fX, dx, dt, tw);
    total = total + r.pow(2).flatten(1).mean(1).sum() / norm;
  }
  return total;
}

// ---- finite grid groups ------------------------------------------------------------------------------------

std::vector<GridElement> parse_grid_group(const std::string& spec, int dim, int nc) {
  PDESYM_REQUIRE(!trim(spec).empty() && spec != "none", "empty group for --enforce");
  bool reflect = false, rot = false, flip = false, phase = false;
  std::vector<augment::Parity> parity(nc, augment::Parity::Scalar);
  std::stringstream ss(spec);
  std::string piece;
  while (std::getline(ss, piece, ';')) {
    const std::string p = trim(piece);
    if (p.empty()) continue;
    const auto open = p.find('(');
    const std::string head = trim(p.substr(0, open));
    if (open != std::string::npos) {
      PDESYM_REQUIRE(p.back() == ')', "group entry '" << p << "': missing ')'");
      PDESYM_REQUIRE(head == "reflect" || head == "rot90" || head == "d4",
                     "group entry '" << p << "': only reflect, rot90 and d4 take parities");
      parity = augment::parse_parities(p.substr(open + 1, p.size() - open - 2));
      PDESYM_REQUIRE(static_cast<int>(parity.size()) == nc,
                     "group entry '" << p << "': " << parity.size() << " parities for " << nc << " components");
    }
    if (head == "reflect") {
      reflect = true;
    } else if (head == "rot90") {
      PDESYM_REQUIRE(dim == 2, "group entry 'rot90' needs 2-D data");
      rot = true;
    } else if (head == "d4") {
      reflect = true;
      rot = dim == 2;
    } else if (head == "flip") {
      flip = true;
    } else if (head == "phase4") {
      PDESYM_REQUIRE(nc == 2, "group entry 'phase4' (quarter turns of (u, v)) needs 2 components, the data have " << nc);
      phase = true;
    } else {
      throw InputError("unknown group entry '" + p + "' (expected reflect, rot90, d4, flip or phase4, ';'-separated)");
    }
  }
  Eigen::MatrixXd P = Eigen::MatrixXd::Identity(nc, nc);
  for (int c = 0; c < nc; ++c)
    if (parity[c] == augment::Parity::Pseudoscalar) P(c, c) = -1;
  std::vector<GridElement> space;
  for (int r = 0; r < (reflect ? 2 : 1); ++r)
    for (int k = 0; k < (rot ? 4 : 1); ++k) {
      GridElement e;
      e.rotations = k;
      e.reflect = r == 1;
      e.C = e.reflect ? P : Eigen::MatrixXd::Identity(nc, nc);
      augment::BoxSymmetry b;
      b.rotations = k;
      b.reflect = e.reflect;
      e.label = b.label();
      space.push_back(e);
    }
  std::vector<std::pair<Eigen::MatrixXd, std::string>> comp = {{Eigen::MatrixXd::Identity(nc, nc), ""}};
  if (phase) {
    Eigen::MatrixXd J(2, 2);
    J << 0, 1, -1, 0;  // exp(pi/2 (v d_u - u d_v)): (u, v) -> (v, -u)
    comp = {{Eigen::MatrixXd::Identity(2, 2), ""}, {J, "phase90"}, {-Eigen::MatrixXd::Identity(2, 2), "phase180"},
            {-J, "phase270"}};
  } else if (flip) {
    comp.push_back({-Eigen::MatrixXd::Identity(nc, nc), "flip"});
  }
  std::vector<GridElement> out;
  for (const auto& s : space)
    for (const auto& c : comp) {
      GridElement e = s;
      e.C = c.first * s.C;
      if (!c.second.empty()) e.label = e.label == "identity" ? c.second : e.label + "*" + c.second;
      out.push_back(e);
    }
  return out;
}

std::string finite_subgroup_spec(const augment::GeneratorSet& set) {
  const int dim = set.variables.dim, nc = set.variables.nc;
  std::vector<std::string> parts;
  auto add = [&](const std::string& s) {
    for (const auto& p : parts)
      if (p == s) return;
    parts.push_back(s);
  };
  auto parities = [&](const std::vector<augment::Parity>& p) {
    if (p.empty()) return std::string();
    std::string s = "(";
    for (std::size_t c = 0; c < p.size(); ++c)
      s += std::string(c ? "," : "") + (p[c] == augment::Parity::Pseudoscalar ? "pseudoscalar" : "scalar");
    return s + ")";
  };
  auto is_rotation = [&](const augment::VectorField& V) {
    if (V.dim() != 2) return false;
    const Eigen::MatrixXd& A = V.affine_generator();
    Eigen::MatrixXd R = Eigen::MatrixXd::Zero(A.rows(), A.cols());
    R(0, 1) = A(0, 1);
    R(1, 0) = A(1, 0);
    return A(0, 1) != 0 && A(0, 1) == -A(1, 0) && (A - R).isZero(1e-12);
  };
  auto is_phase = [&](const augment::VectorField& V) {
    if (V.nc() != 2) return false;
    const Eigen::MatrixXd& A = V.affine_generator();
    const int u = V.dim() + 1;
    Eigen::MatrixXd R = Eigen::MatrixXd::Zero(A.rows(), A.cols());
    R(u, u + 1) = A(u, u + 1);
    R(u + 1, u) = A(u + 1, u);
    return V.kind() == augment::FlowKind::Affine && A(u, u + 1) != 0 && A(u, u + 1) == -A(u + 1, u) &&
           (A - R).isZero(1e-12);
  };
  for (const augment::Generator& g : set.generators) {
    if (g.is_discrete()) {
      add((g.elements.size() == 8 || (dim == 1 && g.elements.size() == 2) ? "d4" : "rot90") + parities(g.parity));
    } else if (is_phase(g.field)) {
      add("phase4");
    }
  }
  for (const augment::VectorField& V : set.skipped)
    if (is_rotation(V)) add("rot90");
  const std::string src = set.source;
  if (src == "known:burgers" || src == "known:ks") add("reflect(pseudoscalar)");
  if (src == "known:mkdv" || src == "known:heat2d") add("flip");
  if (src == "known:nls") add("reflect");
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ";") + p;
  if (!out.empty()) (void)parse_grid_group(out, dim, nc);  // consistent with the data shape
  return out;
}

namespace {

// x -> -x about index 0 along `axis`: out[j] = in[(-j) mod n].
torch::Tensor reflect_axis(const torch::Tensor& u, int64_t axis) { return torch::roll(torch::flip(u, {axis}), 1, axis); }
// Quarter turn counter-clockwise: (R u)(x, y) = u(y, -x), i.e. out[iy][ix] = in[(-ix) mod n][iy].
torch::Tensor quarter_turn(const torch::Tensor& u) { return reflect_axis(u.transpose(3, 4), 4); }
// Component map: out_a = sum_b C_ab u_b.
torch::Tensor mix(const Eigen::MatrixXd& C, const torch::Tensor& u) {
  if (C.isIdentity(0.0)) return u;
  const long nc = C.rows();
  torch::Tensor Ct = torch::empty({nc, nc}, torch::kFloat64);
  for (long a = 0; a < nc; ++a)
    for (long b = 0; b < nc; ++b) Ct[a][b] = C(a, b);
  return torch::einsum("ab,ntbyx->ntayx", {Ct.to(u.dtype()), u});
}

}  // namespace

torch::Tensor act(const GridElement& g, const torch::Tensor& u5) {
  torch::Tensor u = u5;
  if (g.reflect) u = reflect_axis(u, u.size(3) > 1 ? 3 : 4);  // 2-D: y -> -y (augment::BoxSymmetry's P); 1-D: x -> -x
  for (int k = 0; k < g.rotations % 4; ++k) u = quarter_turn(u);
  return mix(g.C, u);
}

torch::Tensor act_inverse(const GridElement& g, const torch::Tensor& u5) {
  torch::Tensor u = mix(g.C.inverse(), u5);
  for (int k = 0; k < (4 - g.rotations % 4) % 4; ++k) u = quarter_turn(u);
  if (g.reflect) u = reflect_axis(u, u.size(3) > 1 ? 3 : 4);
  return u;
}

Symmetrized::Symmetrized(const ModelConfig& cfg, std::shared_ptr<Surrogate> inner)
    : Surrogate(cfg), inner_(register_module("inner", std::move(inner))),
      group_(parse_grid_group(cfg.enforce, cfg.dim, cfg.nc)) {}

torch::Tensor Symmetrized::forward(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) {
  return step(u, dx, dx, dt);
}

torch::Tensor Symmetrized::step(const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dy,
                                const torch::Tensor& dt) {
  const torch::Tensor u5 = to5(u);
  torch::Tensor sum;
  for (const GridElement& g : group_) {
    if (g.rotations % 2 == 1)
      PDESYM_REQUIRE(u5.size(3) == u5.size(4), "rotations by 90 degrees need a square grid (got "
                                                   << u5.size(3) << " x " << u5.size(4) << ")");
    const torch::Tensor y = act_inverse(g, to5(inner_->step(from5(act(g, u5), u), dx, dy, dt)));
    sum = sum.defined() ? sum + y : y;
  }
  return from5(sum / static_cast<double>(group_.size()), u);
}

}  // namespace pdesym::surrogates
