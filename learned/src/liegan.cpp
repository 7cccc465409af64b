// LieGAN-style discovery (after Yang et al. 2023): a generator holds G Lie-algebra basis elements L_g (polynomial
// vector fields over the basis, in hat coordinates); it samples V = sum_g z_g L_g, moves point-cloud patches of
// the data along exp(V), and a discriminator is trained to tell transformed from real patches by their local jets
// and extent. What survives are the symmetries of the data *distribution* (docs/learned.md discusses what that
// means for PDE data, and where it falls short).
#include <torch/torch.h>

#include <algorithm>
#include <cmath>

#include "internal.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/progress.hpp"
#include "pdesym/common/rng.hpp"
#include "torch_common.hpp"

namespace pdesym::learned::detail {
namespace {

using torch::Tensor;

/// Patches: for each sampled centre (trajectory i, time row n, grid index j) the graph points
/// (x_{j + m sx}, t_{n + q st}, u) for m = -r..r, q = q0..q0+2 (q0 = 0 for the "points" discriminator input,
/// -1 for "jets"), in hat coordinates. The stencil is fixed in grid units, so on data whose trajectories have
/// different L and T it covers a proportionally different physical window -- as a scaling x -> lambda x,
/// t -> lambda^3 t of the patch would.
struct Patches {
  Tensor z;        ///< [N, P, 3] hat coordinates
  Tensor period;   ///< [N] period L of the patch's trajectory (raw units)
  int centre = 0;  ///< index of the centre point (m = 0, q = 0) within a patch
  double hx = 1, ht = 1;  ///< "points": the stencil of trajectory 0; "jets": typical half-widths (geometric means)
};

Patches sample_patches(const datasets::Split& d, const Frame& f, int count, std::uint64_t seed, bool centred) {
  const int r = 3, K = 3;
  const int sxs = std::max(1, d.nx / 64);
  const int sts = std::max(1, d.nt / 40);
  PDESYM_REQUIRE(d.nt > (K - 1) * sts, "liegan: split '" << d.name << "' has too few time steps (" << d.nt
                                                           << ") for a " << K << "-level patch");
  const int P = (2 * r + 1) * K;
  const int q0 = centred ? -1 : 0;
  std::vector<double> z(static_cast<std::size_t>(count) * P * 3), per(static_cast<std::size_t>(count));
  Rng rng(seed, 0x1a6, 0);
  for (int k = 0; k < count; ++k) {
    const int i = static_cast<int>(rng.uniform_int(0, d.n - 1));
    const int n = static_cast<int>(rng.uniform_int(-q0 * sts, d.nt - 1 - (K - 1 + q0) * sts));
    const int j = static_cast<int>(rng.uniform_int(0, d.nx - 1));
    per[static_cast<std::size_t>(k)] = d.L(i);
    int p = 0;
    for (int q = q0; q < q0 + K; ++q)
      for (int m = -r; m <= r; ++m, ++p) {
        const int jj = ((j + m * sxs) % d.nx + d.nx) % d.nx;
        const int nn = n + q * sts;
        // Unwrapped x (the stencil stays contiguous across the periodic boundary).
        const double x = d.x[static_cast<std::size_t>(i) * d.nx + j] + m * sxs * d.dx[i];
        const double t = d.t[static_cast<std::size_t>(i) * d.nt + nn];
        const double u = d.traj(i)[static_cast<std::size_t>(nn) * d.nx + jj];
        double* o = &z[(static_cast<std::size_t>(k) * P + p) * 3];
        o[0] = (x - f.cx) / f.sx;
        o[1] = (t - f.ct) / f.st;
        o[2] = (u - f.cu) / f.su;
      }
  }
  Patches out;
  out.z = torch::from_blob(z.data(), {count, P, 3}, f64()).clone();
  out.period = to_tensor(per);
  out.centre = -q0 * (2 * r + 1) + r;  // q = 0, m = 0
  if (!centred) {
    out.hx = r * sxs * (d.dx[0]);
    out.ht = std::max(1e-12, (K - 1) * sts * (d.nt > 1 ? d.t[1] - d.t[0] : 1.0));
    return out;
  }
  double lx = 0, lt = 0;
  for (int i = 0; i < d.n; ++i) {
    const double* ti = d.t.data() + static_cast<std::size_t>(i) * d.nt;
    lx += std::log(r * sxs * d.dx[i]);
    lt += std::log(std::max(1e-12, sts * (ti[1] - ti[0])));
  }
  out.hx = std::exp(lx / d.n);
  out.ht = std::exp(lt / d.n);
  return out;
}

/// "points" input: the centre's position (periodic encoding of x, t_hat) and every point relative to the centre
/// (scaled by the stencil size) with its u_hat.
Tensor point_features(const Tensor& z, const Tensor& period, int centre, const Frame& f, double hx, double ht) {
  const Tensor c = z.select(1, centre);                       // [B, 3]
  const Tensor xc = c.select(1, 0) * f.sx + f.cx;             // raw
  const Tensor ang = 2 * M_PI * xc / period;
  const Tensor rel_x = (z.select(2, 0) - c.select(1, 0).unsqueeze(1)) * (f.sx / hx);
  const Tensor rel_t = (z.select(2, 1) - c.select(1, 1).unsqueeze(1)) * (f.st / ht);
  const Tensor uh = z.select(2, 2);
  return torch::cat({torch::stack({torch::cos(ang), torch::sin(ang), c.select(1, 1)}, 1), rel_x, rel_t, uh}, 1)
      .to(torch::kFloat32);
}

/// "jets" input: local jets of (possibly transformed) patches: the least-squares polynomial u_hat = sum c_ab X^a T^b (a <= 3,
/// b <= 2) through the patch's points, X, T their offsets from the centre point in raw units over the typical
/// stencil size. The coefficients describe the function whose graph the points sample, at the centre, in
/// physical units -- not where its samples lie -- so a transformation that moves the points along the graph of
/// a solution of the data's distribution gives jets of that distribution, whatever it does to the stencil
/// (a shear, a stretch). Translations of the patch leave them unchanged by construction. Returns [B, 14],
/// float64: the 12 coefficients, then log sX and log sT (the patch's RMS offsets, see below).
Tensor jets(const Tensor& z, int centre, const Frame& f, double hx, double ht) {
  const Tensor c = z.select(1, centre);  // [B, 3]
  const Tensor X = (z.select(2, 0) - c.select(1, 0).unsqueeze(1)) * (f.sx / hx);
  const Tensor T = (z.select(2, 1) - c.select(1, 1).unsqueeze(1)) * (f.st / ht);
  const Tensor U = z.select(2, 2);
  // Fit in the patch's own standardised offsets (X / sX, T / sT: a well-conditioned normal matrix whatever the
  // patch's size), then rescale the coefficients to the common units: c_ab = c'_ab / (sX^a sT^b).
  const Tensor sX = torch::sqrt((X * X).mean(1, true) + 1e-12), sT = torch::sqrt((T * T).mean(1, true) + 1e-12);
  const Tensor Xs = X / sX, Ts = T / sT;
  std::vector<Tensor> px{torch::ones_like(X)}, pt{torch::ones_like(T)}, qx{torch::ones_like(sX)}, qt{torch::ones_like(sT)};
  for (int a = 1; a <= 3; ++a) {
    px.push_back(px.back() * Xs);
    qx.push_back(qx.back() * sX);
  }
  for (int b = 1; b <= 2; ++b) {
    pt.push_back(pt.back() * Ts);
    qt.push_back(qt.back() * sT);
  }
  std::vector<Tensor> cols, scale;
  for (int b = 0; b <= 2; ++b)
    for (int a = 0; a <= 3; ++a) {
      cols.push_back(px[static_cast<std::size_t>(a)] * pt[static_cast<std::size_t>(b)]);
      scale.push_back(qx[static_cast<std::size_t>(a)] * qt[static_cast<std::size_t>(b)]);
    }
  const Tensor D = torch::stack(cols, -1);  // [B, P, 12]
  const Tensor Dt = D.transpose(1, 2);
  // A small ridge keeps degenerate point sets (a candidate that collapses the stencil onto a line) solvable.
  const Tensor normal = torch::matmul(Dt, D) + 1e-6 * torch::eye(12, f64());
  const Tensor cs = torch::linalg::solve(normal, torch::matmul(Dt, U.unsqueeze(2)), true).squeeze(2);  // [B, 12]
  // The patch's own extent (log sX, log sT) as well: with a stencil fixed in grid units it encodes the physical
  // scale of the trajectory the patch came from.
  return torch::cat({cs / torch::cat(scale, 1), torch::log(sX), torch::log(sT)}, 1);
}

/// exp(V) applied to points z [B, P, 3] with per-sample polynomial fields C [B, 3, M]: RK4 in s on [0, 1].
Tensor flow(const symmetry::PolynomialBasis& basis, const Tensor& C, Tensor z, int steps) {
  const double h = 1.0 / steps;
  for (int s = 0; s < steps; ++s) {
    const Tensor k1 = poly_field(basis, C, z);
    const Tensor k2 = poly_field(basis, C, z + 0.5 * h * k1);
    const Tensor k3 = poly_field(basis, C, z + 0.5 * h * k2);
    const Tensor k4 = poly_field(basis, C, z + h * k3);
    // Quadratic fields can blow up in finite time; keep the points in a box well outside the data (|z_hat| <= 1
    // on the data) so a bad candidate is simply recognised as unrealistic instead of producing NaNs.
    z = torch::clamp(z + (h / 6) * (k1 + 2 * k2 + 2 * k3 + k4), -5.0, 5.0);
  }
  return z;
}

}  // namespace

symmetry::SymmetryResult run_liegan(const datasets::Split& data, const LearnedOptions& opt,
                                    const symmetry::PolynomialBasis& basis) {
  Stopwatch clock;
  torch_setup(opt);
  const Frame fr = make_frame(data);
  const int G = opt.liegan_probe.empty() ? opt.generators : static_cast<int>(opt.liegan_probe.size());
  const int P = basis.size(), M = basis.monomials_per_component();
  const int epochs = opt.epochs;
  const double lr = opt.lr;
  PDESYM_REQUIRE(opt.liegan_input == "points" || opt.liegan_input == "jets",
                 "liegan: discriminator input must be 'points' or 'jets', got '" << opt.liegan_input << "'");
  const bool use_jets = opt.liegan_input == "jets";
  const Patches pat = sample_patches(data, fr, opt.samples, opt.seed * 7919 + 11, use_jets);
  const int np = static_cast<int>(pat.z.size(1));

  // Data inner product of fields: <V, W> = mean over data points of V(z).W(z) (hat units), so that every
  // generator moves the data by the same RMS amount and "distinct" means distinct on the data.
  const Tensor A = monomials(basis, pat.z.reshape({-1, 3}));     // [N P, M]
  const Tensor gram = torch::matmul(A.transpose(0, 1), A) / static_cast<double>(A.size(0));  // [M, M]
  auto data_inner = [&](const Tensor& L1, const Tensor& L2) {  // [G1, P], [G2, P] -> [G1, G2]
    Tensor s = torch::zeros({L1.size(0), L2.size(0)}, f64());
    for (int c = 0; c < 3; ++c) {
      const Tensor a = L1.slice(1, c * M, (c + 1) * M), b = L2.slice(1, c * M, (c + 1) * M);
      s = s + torch::matmul(torch::matmul(a, gram), b.transpose(0, 1));
    }
    return s;
  };

  Tensor Lraw = (torch::randn({G, P}, f64()) * 0.5).requires_grad_(true);
  // Probe mode (a diagnostic): the given generators, held fixed.
  const bool probe = !opt.liegan_probe.empty();
  if (probe) {
    Eigen::MatrixXd raw(P, G);
    for (int g = 0; g < G; ++g) raw.col(g) = symmetry::parse_generator(opt.liegan_probe[static_cast<std::size_t>(g)], basis);
    const Eigen::MatrixXd h = raw_to_hat(basis, fr) * raw;
    Lraw = to_tensor(Eigen::MatrixXd(h.transpose())).requires_grad_(true);
  }
  // Discriminator input: the patch's jets and extent, standardised with the real patches' statistics (fixed).
  Tensor jmu, jsd;
  if (use_jets) {
    torch::NoGradGuard ng;
    const Tensor j = jets(pat.z, pat.centre, fr, pat.hx, pat.ht);
    jmu = j.mean(0);
    jsd = j.std(0) + 1e-12;
  }
  auto features = [&](const Tensor& z, const Tensor& period) {
    if (!use_jets) return point_features(z, period, pat.centre, fr, pat.hx, pat.ht);
    // asinh compresses the jets of candidates that wreck the patch (up to 1e6 standard deviations) while keeping
    // a gradient (a tanh clip saturates and leaves the generator without one).
    return torch::asinh((jets(z, pat.centre, fr, pat.hx, pat.ht) - jmu) / jsd).to(torch::kFloat32);
  };
  const int in_features = use_jets ? 14 : 3 + 3 * np;
  torch::nn::Sequential disc(torch::nn::Linear(in_features, opt.hidden * 2), torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)),
                             torch::nn::Linear(opt.hidden * 2, opt.hidden * 2), torch::nn::LeakyReLU(torch::nn::LeakyReLUOptions().negative_slope(0.2)),
                             torch::nn::Linear(opt.hidden * 2, 1));
  torch::optim::Adam opt_d(disc->parameters(), torch::optim::AdamOptions(lr).betas({0.5, 0.999}));
  torch::optim::Adam opt_g(std::vector<Tensor>{Lraw}, torch::optim::AdamOptions(lr * 5).betas({0.5, 0.999}));
  // Std of the random coefficients z_g (RMS displacement of the data, hat units). With jets, 0.3 lets
  // non-symmetries wreck the patches and the generator then settled on u-dependent fields (u d_x, u d_t);
  // 0.1 keeps the transformations local (docs/learned.md).
  const double sigma = use_jets ? 0.1 : 0.3;
  const double w_dist = 1.0;
  const long N = pat.z.size(0);
  const int batch = opt.batch;
  const int steps = std::max<int>(1, static_cast<int>(N / batch));
  auto bce = [](const Tensor& logits, double target) {
    return torch::binary_cross_entropy_with_logits(logits, torch::full_like(logits, target));
  };
  auto normalised = [&]() {
    const Tensor n2 = torch::diagonal(data_inner(Lraw, Lraw));
    return Lraw / torch::sqrt(n2 + 1e-30).unsqueeze(1);
  };
  auto to_coeffs = [&](const Tensor& L, const Tensor& z) {  // z [B, G] -> C [B, 3, M]
    return torch::matmul(z, L).reshape({-1, 3, M});
  };

  std::vector<double> hist_d, hist_g;
  ProgressBar bar("liegan", static_cast<std::size_t>(epochs), opt.progress);
  for (int epoch = 0; epoch < epochs; ++epoch) {
    const Tensor perm = torch::randperm(N, torch::TensorOptions().dtype(torch::kLong));
    double ld_sum = 0, lg_sum = 0;
    for (int s = 0; s + 1 < 2 * steps; s += 2) {
      const long b0 = static_cast<long>(s / 2) * batch;
      const Tensor idx_real = perm.slice(0, b0, b0 + batch / 2);
      const Tensor idx_fake = perm.slice(0, b0 + batch / 2, b0 + batch);
      const Tensor zr = pat.z.index_select(0, idx_real), pr = pat.period.index_select(0, idx_real);
      const Tensor zf = pat.z.index_select(0, idx_fake), pf = pat.period.index_select(0, idx_fake);
      const Tensor coef = torch::randn({zf.size(0), G}, f64()) * sigma;
      const Tensor L = normalised();
      const Tensor moved = flow(basis, to_coeffs(L, coef), zf, 4);
      const Tensor f_real = features(zr, pr);
      const Tensor f_fake = features(moved, pf);
      // Discriminator step.
      const Tensor ld = bce(disc->forward(f_real), 1.0) + bce(disc->forward(f_fake.detach()), 0.0);
      opt_d.zero_grad();
      ld.backward();
      opt_d.step();
      // Generator step: fool the discriminator, keep the basis elements distinct (cosines in the data inner
      // product); their size is fixed by the normalisation, so the trivial solution L = 0 is excluded.
      Tensor lg = bce(disc->forward(f_fake), 1.0);
      if (G > 1) {
        const Tensor cosm = data_inner(L, L);
        lg = lg + w_dist * (cosm - torch::diag(torch::diag(cosm))).pow(2).sum() / 2;
      }
      opt_g.zero_grad();
      lg.backward();
      if (!probe) opt_g.step();
      ld_sum += ld.item<double>();
      lg_sum += lg.item<double>();
    }
    hist_d.push_back(ld_sum / steps);
    hist_g.push_back(lg_sum / steps);
    bar.tick();
  }
  bar.finish();

  // Result: the normalised basis elements, from hat to raw coefficients. Also how well the final
  // discriminator separates real from transformed patches for each generator alone (accuracy 0.5 = fooled).
  torch::NoGradGuard ng;
  const Tensor L = normalised();
  const Eigen::MatrixXd hat = to_eigen(L).transpose();  // [P, G]
  const Eigen::MatrixXd raw = to_raw_normalised(basis, fr, hat);
  std::vector<double> acc;
  {
    const long B = std::min<long>(N, 2048);
    const Tensor zr = pat.z.slice(0, 0, B), pr = pat.period.slice(0, 0, B);
    const double real_ok = (disc->forward(features(zr, pr)) > 0).to(torch::kFloat64).mean().item<double>();
    for (int g = 0; g < G; ++g) {
      Tensor coef = torch::zeros({B, G}, f64());
      coef.select(1, g).copy_(torch::randn({B}, f64()) * sigma);
      const Tensor moved = flow(basis, to_coeffs(L, coef), zr, 4);
      const double fake_ok = (disc->forward(features(moved, pr)) <= 0).to(torch::kFloat64).mean().item<double>();
      acc.push_back(0.5 * (real_ok + fake_ok));
    }
  }
  symmetry::SymmetryResult res;
  res.method = "liegan";
  res.basis = basis;
  res.generators = raw;
  res.extra["discriminator_accuracy"] = acc;
  res.extra["loss_history"] = thin_history(hist_g);
  res.extra["discriminator_loss_history"] = thin_history(hist_d);
  res.extra["epochs"] = epochs;
  res.extra["lr"] = lr;
  res.extra["patches"] = N;
  res.extra["batch"] = batch;
  res.extra["patch_points"] = np;
  res.extra["sigma"] = sigma;
  res.extra["discriminator_input"] = opt.liegan_input;
  res.extra["seconds"] = clock.seconds();
  return res;
}

}  // namespace pdesym::learned::detail
