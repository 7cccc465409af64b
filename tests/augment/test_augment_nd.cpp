// Finite symmetry transformations of 1-D systems and 2-D fields: exact solutions (2-D heat modes, NLS plane waves
// and soliton, lambda-omega plane waves) and solver trajectories (2-D NLS, lambda-omega, Navier-Stokes) mapped by
// group elements must still satisfy their PDE at solver accuracy; non-symmetries must not; generators the periodic
// box cannot represent are refused with InputErrors naming them.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <functional>
#include <string>
#include <vector>

#include "pdesym/augment/augment.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/solvers/box.hpp"
#include "pdesym/solvers/etdrk4.hpp"
#include "pdesym/solvers/field_pde.hpp"

#include "../support/expect_error.hpp"

using namespace pdesym;
using namespace pdesym::augment;
using pdesym_test::expect_input_error;
using solvers::Box;
using solvers::BoxDerivative;
using solvers::cdouble;

namespace {

constexpr double kPi = 3.14159265358979323846;

// f(c, x, y, t) sampled on a dim-D box with nc components.
using Fn = std::function<double(int, double, double, double)>;
Field sample(const Fn& f, int dim, int nc, int nx, int ny, double Lx, double Ly, double t0, double dt, int nt) {
  Field F(FieldShape{dim, nc, nt, dim == 2 ? ny : 1, nx}, Lx / nx, dim == 2 ? Ly / ny : 0.0, dt, t0);
  for (int c = 0; c < nc; ++c)
    for (int n = 0; n < nt; ++n)
      for (int j = 0; j < F.ny(); ++j)
        for (int i = 0; i < nx; ++i)
          F.snapshot(c, n)[static_cast<std::size_t>(j) * nx + i] = f(c, F.x[i], F.y[j], F.t[n]);
  return F;
}

Box box_of(const Field& F) { return F.dim() == 2 ? Box::plane(F.nx(), F.ny(), F.Lx(), F.Ly()) : Box::line(F.nx(), F.Lx()); }

std::vector<double> laplacian(const Field& F, int c, int n) {
  BoxDerivative D(box_of(F));
  std::vector<double> a(F.shape.points()), b(F.shape.points());
  D.apply(F.snapshot(c, n), a.data(), 2, 0);
  if (F.dim() == 2) {
    D.apply(F.snapshot(c, n), b.data(), 0, 2);
    for (std::size_t p = 0; p < a.size(); ++p) a[p] += b[p];
  }
  return a;
}

// rhs[c][p] of u^c_t = F^c(u) at level n.
using Rhs = std::function<void(const Field&, int, std::vector<std::vector<double>>&)>;

const double kD1[5] = {0.0, 4.0 / 5, -1.0 / 5, 4.0 / 105, -1.0 / 280};

// Relative residual max|u_t - F(u)| / max(|u_t|, |F|) over interior levels; u_t by 8th-order central differences.
double residual(const Field& F, const Rhs& rhs) {
  std::vector<std::vector<double>> r;
  double rmax = 0, scale = 0;
  for (int n = 4; n < F.nt() - 4; ++n) {
    rhs(F, n, r);
    for (int c = 0; c < F.nc(); ++c)
      for (std::size_t p = 0; p < F.shape.points(); ++p) {
        double ut = 0;
        for (int k = 1; k <= 4; ++k) ut += kD1[k] * (F.snapshot(c, n + k)[p] - F.snapshot(c, n - k)[p]);
        ut /= F.dt;
        rmax = std::max(rmax, std::abs(ut - r[c][p]));
        scale = std::max({scale, std::abs(ut), std::abs(r[c][p])});
      }
  }
  return rmax / scale;
}

Rhs heat(double nu) {
  return [nu](const Field& F, int n, std::vector<std::vector<double>>& r) {
    r.assign(1, laplacian(F, 0, n));
    for (double& v : r[0]) v *= nu;
  };
}

// u_t = -Lap v - (u^2+v^2) v, v_t = Lap u + (u^2+v^2) u.
Rhs nls() {
  return [](const Field& F, int n, std::vector<std::vector<double>>& r) {
    const auto lu = laplacian(F, 0, n), lv = laplacian(F, 1, n);
    r.assign(2, std::vector<double>(F.shape.points()));
    for (std::size_t p = 0; p < lu.size(); ++p) {
      const double u = F.snapshot(0, n)[p], v = F.snapshot(1, n)[p], a2 = u * u + v * v;
      r[0][p] = -lv[p] - a2 * v;
      r[1][p] = lu[p] + a2 * u;
    }
  };
}

Rhs lambda_omega(double d, double beta) {
  return [=](const Field& F, int n, std::vector<std::vector<double>>& r) {
    const auto lu = laplacian(F, 0, n), lv = laplacian(F, 1, n);
    r.assign(2, std::vector<double>(F.shape.points()));
    for (std::size_t p = 0; p < lu.size(); ++p) {
      const double u = F.snapshot(0, n)[p], v = F.snapshot(1, n)[p], a2 = u * u + v * v;
      const double lam = 1 - a2, om = -beta * a2;
      r[0][p] = d * lu[p] + lam * u - om * v;
      r[1][p] = d * lv[p] + om * u + lam * v;
    }
  };
}

// omega_t = -(vel . grad) omega + nu Lap omega, Lap psi = -omega, vel = (psi_y, -psi_x).
Rhs navier_stokes(double nu) {
  return [nu](const Field& F, int n, std::vector<std::vector<double>>& r) {
    const Box b = box_of(F);
    solvers::FftBox fft(b);
    const auto kx = solvers::wavenumbers_x(b), ky = solvers::wavenumbers_y(b);
    const int nkx = b.nkx();
    std::vector<cdouble> w(b.modes()), vx(b.modes()), vy(b.modes()), gx(b.modes()), gy(b.modes());
    fft.forward(F.snapshot(0, n), w.data());
    for (int j = 0; j < b.ny; ++j)
      for (int m = 0; m < nkx; ++m) {
        const std::size_t q = static_cast<std::size_t>(j) * nkx + m;
        const double k2 = kx[m] * kx[m] + ky[j] * ky[j];
        const cdouble psi = k2 > 0 ? w[q] / k2 : cdouble(0);
        vx[q] = cdouble(0, ky[j]) * psi;
        vy[q] = -cdouble(0, kx[m]) * psi;
        gx[q] = cdouble(0, kx[m]) * w[q];
        gy[q] = cdouble(0, ky[j]) * w[q];
      }
    std::vector<double> ux(b.points()), uy(b.points()), wx(b.points()), wy(b.points());
    fft.inverse(vx.data(), ux.data());
    fft.inverse(vy.data(), uy.data());
    fft.inverse(gx.data(), wx.data());
    fft.inverse(gy.data(), wy.data());
    const auto lw = laplacian(F, 0, n);
    r.assign(1, std::vector<double>(b.points()));
    for (std::size_t p = 0; p < lw.size(); ++p) r[0][p] = -(ux[p] * wx[p] + uy[p] * wy[p]) + nu * lw[p];
  };
}

symmetry::PolynomialBasis basis(int dim, int nc) { return symmetry::PolynomialBasis(2, symmetry::Variables::of(dim, nc)); }
VectorField gen(const std::string& s, int dim, int nc) {
  const auto B = basis(dim, nc);
  return VectorField(symmetry::parse_generator(s, B), B);
}

double max_diff(const Field& A, const Field& B) {
  double d = 0;
  for (std::size_t i = 0; i < A.data.size(); ++i) d = std::max(d, std::abs(A.data[i] - B.data[i]));
  return d;
}

struct Case {
  const char* gen;
  double eps;
};

// 2-D heat u_t = (u_xx + u_yy)/2: two decaying modes.
Fn heat_modes() {
  return [](int, double x, double y, double t) {
    return std::exp(-0.5 * 5 * t) * std::cos(x + 2 * y + 0.3) + 0.5 * std::exp(-0.5 * 10 * t) * std::sin(3 * x - y);
  };
}

// psi = sqrt(2) b sech(b (x - x0)) e^{i b^2 t} solves i psi_t + psi_xx + |psi|^2 psi = 0.
Fn nls_soliton(double b, double x0) {
  return [=](int c, double x, double, double t) {
    const double a = std::sqrt(2.0) * b / std::cosh(b * (x - x0));
    return c == 0 ? a * std::cos(b * b * t) : a * std::sin(b * b * t);
  };
}

// psi = A e^{i (k.x - w t)}, w = |k|^2 - A^2.
Fn nls_plane_wave(double A, double kx, double ky) {
  return [=](int c, double x, double y, double t) {
    const double ph = kx * x + ky * y - (kx * kx + ky * ky - A * A) * t;
    return c == 0 ? A * std::cos(ph) : A * std::sin(ph);
  };
}

// Smooth random initial condition: a few low Fourier modes per component.
std::vector<double> low_modes(const Box& b, int nc, std::uint64_t seed, double amp, double mean = 0.0) {
  Rng rng(seed);
  std::vector<double> u(static_cast<std::size_t>(nc) * b.points(), mean);
  const auto x = b.x(), y = b.y();
  for (int c = 0; c < nc; ++c)
    for (int k = 0; k < 4; ++k) {
      const int mx = static_cast<int>(rng.uniform_int(-2, 2)), my = static_cast<int>(rng.uniform_int(-2, 2));
      const double a = amp * rng.uniform(-1, 1), ph = rng.uniform(0, 2 * kPi);
      for (int j = 0; j < b.ny; ++j)
        for (int i = 0; i < b.nx; ++i)
          u[c * b.points() + static_cast<std::size_t>(j) * b.nx + i] +=
              a * std::cos(2 * kPi * (mx * x[i] / b.Lx + my * y[j] / b.Ly) + ph);
    }
  return u;
}

}  // namespace

TEST(AugmentNd, ClassifiesGeneratorsOnSeveralVariables) {
  EXPECT_EQ(gen("d_y", 2, 1).kind(), FlowKind::Affine);
  EXPECT_EQ(gen("d_y", 2, 1).pure_translation_axis(), 1);
  EXPECT_EQ(gen("2*t*d_t + x*d_x + y*d_y", 2, 1).kind(), FlowKind::Affine);
  EXPECT_EQ(gen("v*d_u - u*d_v", 1, 2).kind(), FlowKind::Affine);
  EXPECT_EQ(gen("2*t*d_x - x*v*d_u + x*u*d_v", 1, 2).kind(), FlowKind::LinearPhase);
  EXPECT_EQ(gen("2*t*d_y - y*v*d_u + y*u*d_v", 2, 2).kind(), FlowKind::LinearPhase);
  EXPECT_EQ(gen("u^2*d_u", 2, 1).kind(), FlowKind::PeriodicGeneral);
  const VectorField rot = gen("y*d_x - x*d_y", 2, 1);
  EXPECT_EQ(rot.kind(), FlowKind::NonPeriodic);
  EXPECT_NE(rot.reason().find("rotation"), std::string::npos) << rot.reason();
  const VectorField heat_boost = gen("t*d_x - x*u*d_u", 2, 1);
  EXPECT_EQ(heat_boost.kind(), FlowKind::NonPeriodic);
  EXPECT_NE(heat_boost.reason().find("not a rotation"), std::string::npos) << heat_boost.reason();
  EXPECT_EQ(gen("x*d_u", 2, 1).kind(), FlowKind::NonPeriodic);
  EXPECT_EQ(gen("x*d_t", 2, 2).kind(), FlowKind::Unsupported);
  // A pseudo-conformal-type field (degree 3: xi = t x) is not periodic.
  const auto B3 = symmetry::PolynomialBasis(3, symmetry::Variables::of(1, 2));
  const VectorField pc(
      symmetry::parse_generator("t^2*d_t + t*x*d_x - 0.5*t*u*d_u - 0.5*t*v*d_v - 0.25*x^2*v*d_u + 0.25*x^2*u*d_v", B3), B3);
  EXPECT_EQ(pc.kind(), FlowKind::NonPeriodic) << pc.reason();
  // The boost's representable eps on a box of period L: eps L in 2 pi Z.
  EXPECT_NEAR(gen("2*t*d_x - x*v*d_u + x*u*d_v", 1, 2).phase_quantum({64.0}), 2 * kPi / 64, 1e-15);
}

TEST(AugmentNd, Heat2dModesUnderTranslationsScalingAndRefusals) {
  const Field F = sample(heat_modes(), 2, 1, 32, 32, 2 * kPi, 2 * kPi, 0.0, 0.01, 41);
  const double base = residual(F, heat(0.5));
  std::printf("2-D heat modes residual: untransformed %.2e\n", base);
  EXPECT_LT(base, 1e-10);
  for (const Case& c : {Case{"d_x", 1.3}, Case{"d_y", -0.7}, Case{"d_t", 0.4}, Case{"2*t*d_t + x*d_x + y*d_y", 0.2},
                        Case{"2*t*d_t + x*d_x + y*d_y", -0.25}, Case{"u*d_u", 0.3}, Case{"d_u", 0.5},
                        Case{"d_x - 0.5*d_y + 0.2*d_t + 0.3*(2*t*d_t + x*d_x + y*d_y) - 0.4*u*d_u", 0.7}}) {
    const Field G = transform(F, gen(c.gen, 2, 1), c.eps);
    const double r = residual(G, heat(0.5));
    std::printf("2-D heat residual after exp(%g (%s)): %.2e\n", c.eps, c.gen, r);
    EXPECT_LT(r, 1e-9) << c.gen;
    double change = std::abs(G.dx - F.dx) + std::abs(G.t[0] - F.t[0]) + max_diff(F, G);
    EXPECT_GT(change, 1e-2) << "transformation did nothing: " << c.gen;
  }
  // Exact values: the shift and the scaled grid.
  const Field S = transform(F, gen("2*t*d_t + x*d_x + y*d_y", 2, 1), 0.2);
  EXPECT_NEAR(S.dy, F.dy * std::exp(0.2), 1e-15);
  EXPECT_NEAR(S.dt, F.dt * std::exp(0.4), 1e-15);
  const Field T = transform(F, gen("d_x + 2*d_y", 2, 1), 0.3);
  const Fn ex = heat_modes();
  double err = 0;
  for (int n = 0; n < T.nt(); n += 10)
    for (int j = 0; j < T.ny(); ++j)
      for (int i = 0; i < T.nx(); ++i)
        err = std::max(err, std::abs(T.at(0, n, j, i) - ex(0, T.x[i] - 0.3, T.y[j] - 0.6, T.t[n])));
  EXPECT_LT(err, 1e-13);
  // Non-symmetries.
  for (const char* bad : {"x*d_x + y*d_y", "x*d_x + 2*t*d_t"}) {
    const double r = residual(transform(F, gen(bad, 2, 1), 0.2), heat(0.5));
    std::printf("2-D heat residual after exp(0.2 (%s)) [not a symmetry]: %.2e\n", bad, r);
    EXPECT_GT(r, 1e-2) << bad;
  }
  // The continuous rotation and the Galilean-type field t d_x - x u d_u (u -> u e^{-eps x - eps^2 t/2}) are
  // symmetries, but their images are not periodic on the box: refused, naming the generator.
  expect_input_error([&] { transform(F, gen("y*d_x - x*d_y", 2, 1), 0.3); }, {"y*d_x - x*d_y", "rotation"});
  expect_input_error([&] { transform(F, gen("t*d_x - x*u*d_u", 2, 1), 0.3); }, {"t*d_x - x*u*d_u", "periodic"});
  expect_input_error([&] { transform(F, gen("x*d_u", 2, 1), 0.3); }, {"x*d_u"});
}

TEST(AugmentNd, Heat2dGeneralFlowAgreesWithExactPathAndResamplesUDependentFlows) {
  const Field F = sample(heat_modes(), 2, 1, 24, 24, 2 * kPi, 2 * kPi, 0.1, 0.01, 9);
  TransformOptions general;
  general.force_general = true;
  for (const char* s : {"d_x - 0.5*d_y + 0.2*d_t", "2*t*d_t + x*d_x + y*d_y - 0.4*u*d_u + d_u"}) {
    const Field A = transform(F, gen(s, 2, 1), 0.3), G = transform(F, gen(s, 2, 1), 0.3, general);
    EXPECT_LT(max_diff(A, G), 1e-10) << s;
    EXPECT_NEAR(A.dt, G.dt, 1e-13) << s;
    EXPECT_NEAR(A.dy, G.dy, 1e-13) << s;
  }
  // u d_y: y' = y + eps u, u' = u: the pre-image of (X, Y) is (X, Y - eps u'), carrying u'.
  const Field H = transform(F, gen("u*d_y", 2, 1), 0.2);
  const Fn ex = heat_modes();
  double err = 0;
  for (int n = 0; n < H.nt(); n += 4)
    for (int j = 0; j < H.ny(); ++j)
      for (int i = 0; i < H.nx(); ++i) {
        const double u = H.at(0, n, j, i);
        err = std::max(err, std::abs(u - ex(0, H.x[i], H.y[j] - 0.2 * u, H.t[n])));
      }
  std::printf("2-D u*d_y resampling error: %.2e\n", err);
  EXPECT_LT(err, 1e-10);
  // t^2 d_t: t' = t/(1 - eps t), resampled on a uniform t' grid by interpolating the spectra in time.
  const Field Fl = sample(heat_modes(), 2, 1, 16, 16, 2 * kPi, 2 * kPi, 0.0, 0.01, 41);
  const Field Q = transform(Fl, gen("t^2*d_t", 2, 1), 0.3);
  EXPECT_NEAR(Q.t.back(), 0.4 / (1 - 0.3 * 0.4), 1e-9);
  double errq = 0;
  for (int n = 0; n < Q.nt(); ++n) {
    const double tau = Q.t[n] / (1 + 0.3 * Q.t[n]);
    for (int j = 0; j < Q.ny(); ++j)
      for (int i = 0; i < Q.nx(); ++i) errq = std::max(errq, std::abs(Q.at(0, n, j, i) - ex(0, Q.x[i], Q.y[j], tau)));
  }
  std::printf("2-D t^2 d_t resampling error: %.2e\n", errq);
  EXPECT_LT(errq, 1e-9);
}

TEST(AugmentNd, NlsSolitonAndPlaneWaveUnderPhaseBoostScaling) {
  const double L = 64.0;
  const Field F = sample(nls_soliton(1.0, 32.0), 1, 2, 512, 1, L, 0, 0.0, 0.005, 41);
  const double base = residual(F, nls());
  std::printf("NLS soliton residual: untransformed %.2e\n", base);
  EXPECT_LT(base, 1e-10);
  const double q = 2 * kPi / L;  // representable boost parameters: multiples of q (velocity 2 q)
  const char* boost = "2*t*d_x - x*v*d_u + x*u*d_v";
  for (const Case& c : {Case{"d_x", 5.3}, Case{"d_t", 0.4}, Case{"v*d_u - u*d_v", 0.9},
                        Case{"2*t*d_t + x*d_x - u*d_u - v*d_v", 0.15}, Case{"2*t*d_t + x*d_x - u*d_u - v*d_v", -0.1},
                        Case{boost, 3 * q}, Case{boost, -2 * q}, Case{"d_x + 2*t*d_x - x*v*d_u + x*u*d_v", q}}) {
    const Field G = transform(F, gen(c.gen, 1, 2), c.eps);
    const double r = residual(G, nls());
    std::printf("NLS soliton residual after exp(%g (%s)): %.2e\n", c.eps, c.gen, r);
    EXPECT_LT(r, 1e-9) << c.gen;
    EXPECT_GT(std::abs(G.dx - F.dx) + std::abs(G.t[0] - F.t[0]) + max_diff(F, G), 1e-2) << c.gen;
  }
  // An unrepresentable velocity is refused, naming the generator and the representable eps.
  expect_input_error([&] { transform(F, gen(boost, 1, 2), 0.05); }, {"t*d_x - 0.5*x*v*d_u", "multiples of", "periodic"});
  // Non-symmetries: amplitude scaling alone, and the boost without its phase.
  for (const char* bad : {"u*d_u + v*d_v", "2*t*d_x"}) {
    const double r = residual(transform(F, gen(bad, 1, 2), 3 * q), nls());
    std::printf("NLS soliton residual after exp(%g (%s)) [not a symmetry]: %.2e\n", 3 * q, bad, r);
    EXPECT_GT(r, 1e-2) << bad;
  }
  // Plane wave on [0, 2 pi): the boost with eps = 1 turns k = 2 into k = 3.
  const Field P = sample(nls_plane_wave(0.8, 2, 0), 1, 2, 32, 1, 2 * kPi, 0, 0.0, 0.002, 41);
  const Field Pb = transform(P, gen(boost, 1, 2), 1.0);
  const Fn k3 = nls_plane_wave(0.8, 3, 0);
  double err = 0;
  for (int n = 0; n < P.nt(); ++n)
    for (int i = 0; i < P.nx(); ++i)
      for (int c = 0; c < 2; ++c) err = std::max(err, std::abs(Pb.at(c, n, 0, i) - k3(c, Pb.x[i], 0, Pb.t[n])));
  std::printf("NLS plane wave: residual %.2e, boosted residual %.2e, error vs k=3 wave %.2e\n", residual(P, nls()),
              residual(Pb, nls()), err);
  EXPECT_LT(err, 1e-13);
  EXPECT_LT(residual(Pb, nls()), 1e-10);
  // The exact boost agrees with the general flow (RK4 + Newton).
  TransformOptions general;
  general.force_general = true;
  general.substeps = 1024;
  const Field small = P.window(0, 6);
  const double dgen = max_diff(transform(small, gen(boost, 1, 2), 1.0), transform(small, gen(boost, 1, 2), 1.0, general));
  std::printf("NLS boost: exact vs general flow %.2e\n", dgen);
  EXPECT_LT(dgen, 1e-9);
}

TEST(AugmentNd, Nls2dPlaneWaveAndRefusals) {
  const Field F = sample(nls_plane_wave(0.7, 1, -2), 2, 2, 16, 16, 2 * kPi, 2 * kPi, 0.0, 0.002, 41);
  const double base = residual(F, nls());
  std::printf("2-D NLS plane wave residual: untransformed %.2e\n", base);
  EXPECT_LT(base, 1e-10);
  for (const Case& c : {Case{"d_x", 0.8}, Case{"d_y", 2.1}, Case{"v*d_u - u*d_v", -1.2},
                        Case{"2*t*d_t + x*d_x + y*d_y - u*d_u - v*d_v", 0.2}, Case{"2*t*d_x - x*v*d_u + x*u*d_v", 1.0},
                        Case{"2*t*d_y - y*v*d_u + y*u*d_v", -2.0}}) {
    const double r = residual(transform(F, gen(c.gen, 2, 2), c.eps), nls());
    std::printf("2-D NLS plane wave residual after exp(%g (%s)): %.2e\n", c.eps, c.gen, r);
    EXPECT_LT(r, 1e-10) << c.gen;
  }
  expect_input_error([&] { transform(F, gen("2*t*d_y - y*v*d_u + y*u*d_v", 2, 2), 0.5); }, {"t*d_y", "multiples of 1 "});
  expect_input_error([&] { transform(F, gen("y*d_x - x*d_y", 2, 2), 0.5); }, {"y*d_x - x*d_y"});
  // Boost combined with a scaling of x: the phase over one period is not a whole turn for this eps.
  expect_input_error([&] { transform(F, gen("x*d_x + 2*t*d_x - x*v*d_u + x*u*d_v", 2, 2), 0.3); }, {"periodic"});
  // Generators over other variables than the data's.
  expect_input_error([&] { transform(F, gen("d_x", 1, 2), 0.5); }, {"(x, t, u, v)", "2-D"});
  expect_input_error([&] { transform(F, gen("d_x", 2, 1), 0.5); }, {"(x, y, t, u)", "2 components"});
  // known:nls2d loads the 7 generators the box represents, skipping the rotation with a note.
  const GeneratorSet set = load_generators("known:nls2d");
  EXPECT_EQ(set.generators.size(), 7u) << set.describe();
  ASSERT_EQ(set.notes.size(), 1u);
  EXPECT_NE(set.notes[0].find("y*d_x - x*d_y"), std::string::npos) << set.notes[0];
  const Augmenter aug(set);
  const Field scalar = sample(heat_modes(), 2, 1, 16, 16, 2 * kPi, 2 * kPi, 0, 0.1, 3);
  Rng r1(1);
  expect_input_error([&] { aug(scalar, r1); }, {"known:nls2d", "(x, y, t, u, v)", "2-D, 1 component"});
  AugmentOptions strict;
  strict.skip_incompatible = false;
  expect_input_error([&] { load_generators("known:heat2d", strict); }, {"y*d_x - x*d_y"});
  // known:heat2d: d_t, d_x, d_y, the scaling, u d_u and d_u act on the box; the rotation, the two Galilean-type
  // fields and the x/y-dependent superpositions are skipped with notes.
  const GeneratorSet heat2d = load_generators("known:heat2d");
  EXPECT_EQ(heat2d.generators.size(), 6u) << heat2d.describe();
  EXPECT_EQ(heat2d.notes.size(), 8u) << heat2d.describe();
  // Loading for a data shape: gen: specs use its variables, other algebras are refused naming both.
  EXPECT_EQ(load_generators("gen:d_y; u*d_u", FieldShape{2, 1, 5, 8, 8}).variables, symmetry::Variables::of(2, 1));
  expect_input_error([&] { load_generators("known:kdv", F.shape); }, {"known:kdv", "(x, t, u)", "2-D, 2 components"});
  // A sym.json over (x, y, t, u, v) holding a rotated nls2d algebra: canonicalised, the rotation dropped.
  {
    symmetry::SymmetryResult r;
    r.method = "nullspace";
    r.basis = basis(2, 2);
    const Eigen::MatrixXd K = symmetry::known_algebra("nls2d", r.basis);
    Eigen::MatrixXd Q = Eigen::MatrixXd::Random(8, 8);
    Q = Eigen::HouseholderQR<Eigen::MatrixXd>(Q).householderQ();
    r.generators = K * Q;
    const std::string path = std::string(PDESYM_BINARY_DIR) + "/test_augment_nd_sym.json";
    symmetry::write_sym_json(path, r);
    const GeneratorSet fromfile = load_generators(path, F.shape);
    EXPECT_EQ(fromfile.generators.size(), 7u) << fromfile.describe();
    int boosts = 0;
    for (const auto& g : fromfile.generators) boosts += g.field.kind() == FlowKind::LinearPhase;
    EXPECT_EQ(boosts, 2) << fromfile.describe();
    expect_input_error([&] { load_generators(path, FieldShape{1, 2, 5, 1, 16}); }, {"(x, y, t, u, v)", "1-D"});
    std::remove(path.c_str());
  }
  AugmentOptions two_d;
  two_d.variables = symmetry::Variables::of(2, 2);
  EXPECT_EQ(load_generators("gen:d_x; v*d_u - u*d_v; rot90", two_d).generators.size(), 3u);
}

TEST(AugmentNd, LambdaOmegaPlaneWaveUnderTranslationsAndPhase) {
  const double d = 0.1, beta = 1.0, R = std::sqrt(1 - d * 2);
  const Fn wave = [=](int c, double x, double y, double t) {
    const double ph = x + y - beta * R * R * t;
    return c == 0 ? R * std::cos(ph) : R * std::sin(ph);
  };
  const Field F = sample(wave, 2, 2, 16, 16, 2 * kPi, 2 * kPi, 0.0, 0.01, 41);
  const double base = residual(F, lambda_omega(d, beta));
  std::printf("lambda-omega plane wave residual: untransformed %.2e\n", base);
  EXPECT_LT(base, 1e-10);
  for (const Case& c : {Case{"d_x", 0.8}, Case{"d_y", -2.1}, Case{"d_t", 0.3}, Case{"v*d_u - u*d_v", 1.1}}) {
    const double r = residual(transform(F, gen(c.gen, 2, 2), c.eps), lambda_omega(d, beta));
    std::printf("lambda-omega residual after exp(%g (%s)): %.2e\n", c.eps, c.gen, r);
    EXPECT_LT(r, 1e-10) << c.gen;
  }
  for (const char* bad : {"u*d_u + v*d_v", "2*t*d_t + x*d_x + y*d_y - u*d_u - v*d_v"}) {
    const double r = residual(transform(F, gen(bad, 2, 2), 0.2), lambda_omega(d, beta));
    std::printf("lambda-omega residual after exp(0.2 (%s)) [not a symmetry]: %.2e\n", bad, r);
    EXPECT_GT(r, 1e-2) << bad;
  }
}

// Solver trajectories on small 2-D grids mapped by random group elements keep the residual at the solver's own
// accuracy (compared with the untransformed residual), as the 1-D SolverTrajectoryResidualStaysAtSolverAccuracy.
TEST(AugmentNd, SolverTrajectoriesKeepSolverAccuracyUnderRandomGroupElements) {
  solvers::IntegrateOptions io;
  io.dt_max = 0.0025;
  struct Run {
    const char* name;
    std::unique_ptr<solvers::FieldPde> pde;
    Rhs rhs;
    const char* spec;
    double amp, mean;
  };
  std::vector<Run> runs;
  runs.push_back({"nls2d", solvers::make_nls(), nls(), "known:nls2d", 0.1, 0.0});
  runs.push_back({"lambda-omega", solvers::make_lambda_omega(0.1, 1.0), lambda_omega(0.1, 1.0), "known:lambda-omega", 0.1, 0.2});
  runs.push_back({"navier_stokes", solvers::make_navier_stokes(0.01), navier_stokes(0.01), "known:navier_stokes", 1.0, 0.0});
  for (Run& run : runs) {
    const Box b = Box::plane(32, 32, 2 * kPi, 2 * kPi);
    const Field F = solvers::integrate(*run.pde, b, low_modes(b, run.pde->nc(), 7, run.amp, run.mean), 0.2, 41, io);
    const double base = residual(F, run.rhs);
    const Augmenter aug(load_generators(run.spec));
    TransformOptions ref_opt;
    ref_opt.reference_nd = true;  // generator by generator, RK4 period check, per-point phase exponentials
    const Augmenter ref(load_generators(run.spec), ref_opt);
    double worst = 0, worst_vs_ref = 0;
    for (int k = 0; k < 4; ++k) {
      Rng r(100 + k);
      std::vector<double> eps;
      const Field G = aug(F, r, &eps);
      worst = std::max(worst, residual(G, run.rhs));
      // The fused exact path (one pass per run of affine generators, factored phases) is the reference's map.
      const Field H = ref.apply(F, eps);
      double diff = std::abs(G.dx - H.dx) + std::abs(G.dy - H.dy) + std::abs(G.dt - H.dt), scale = 0;
      for (std::size_t q = 0; q < G.data.size(); ++q) {
        diff = std::max(diff, std::abs(G.data[q] - H.data[q]));
        scale = std::max(scale, std::abs(H.data[q]));
      }
      for (int n = 0; n < G.nt(); ++n) diff = std::max(diff, std::abs(G.t[n] - H.t[n]));
      worst_vs_ref = std::max(worst_vs_ref, diff / scale);
    }
    std::printf("%s solver trajectory residual: original %.2e, worst of 4 random group elements %.2e; fused vs "
                "reference path %.2e\n", run.name, base, worst, worst_vs_ref);
    EXPECT_LT(base, 1e-6) << run.name;
    EXPECT_LT(worst, 3 * base + 1e-10) << run.name;
    EXPECT_LT(worst_vs_ref, 1e-11) << run.name;
  }
  // The vorticity is a pseudo-scalar: reflecting it as a scalar is not a symmetry.
  const auto ns = solvers::make_navier_stokes(0.01);
  const Box b = Box::plane(32, 32, 2 * kPi, 2 * kPi);
  const Field W = solvers::integrate(*ns, b, low_modes(b, 1, 9, 1.0), 0.2, 41, io);
  const double ok = residual(apply(W, BoxSymmetry{1, true}, {Parity::Pseudoscalar}), navier_stokes(0.01));
  const double bad = residual(apply(W, BoxSymmetry{1, true}, {Parity::Scalar}), navier_stokes(0.01));
  std::printf("Navier-Stokes rot90*reflect: pseudo-scalar %.2e, as a scalar [not a symmetry] %.2e\n", ok, bad);
  EXPECT_LT(ok, 3 * residual(W, navier_stokes(0.01)) + 1e-10);
  EXPECT_GT(bad, 1e-2);
}

TEST(AugmentNd, DiscreteEntriesInOneDimension) {
  // 1-D: "d4" is {identity, x -> -x}; the KdV soliton reflected is not a KdV solution, Burgers' u -> -u(-x) is.
  const GeneratorSet set = load_generators("gen:d_x; d4");
  ASSERT_EQ(set.generators.size(), 2u);
  EXPECT_TRUE(set.generators[1].is_discrete());
  EXPECT_EQ(set.generators[1].elements.size(), 2u);
  const Field F = sample([](int, double x, double, double t) { return std::sin(x - 0.3 * t); }, 1, 1, 16, 1, 2 * kPi, 0,
                         0.0, 0.1, 3);
  const Field R = Augmenter(set).apply(F, {0.0, 1.0});
  for (int i = 0; i < 16; ++i) EXPECT_NEAR(R.at(0, 2, 0, i), std::sin(-F.x[i] - 0.3 * F.t[2]), 1e-14);
  expect_input_error([] { load_generators("gen:rot90"); }, {"rot90", "2-D"});
  AugmentOptions two;
  two.variables = symmetry::Variables::of(2, 2);
  expect_input_error([&] { load_generators("gen:d4(pseudoscalar)", two); }, {"1 parities", "2 components"});
}

TEST(AugmentNd, AugmenterRoundsBoostsAndSplitsWork) {
  const Field F = sample(nls_soliton(1.0, 32.0), 1, 2, 256, 1, 64.0, 0, 0.0, 0.01, 12);
  const GeneratorSet set = load_generators("known:nls");
  ASSERT_EQ(set.generators.size(), 5u) << set.describe();
  const Augmenter aug(set);
  const double q = 2 * kPi / 64.0;
  // Generator order of known:nls: d_t, d_x, phase, scaling, boost. An eps of 2.3 q for the boost becomes 2 q.
  const Field A = aug.apply(F, {0, 0, 0, 0, 2.3 * q});
  const Field B = transform(F, set.generators[4].field, 2 * q);
  EXPECT_EQ(A.data, B.data);
  // Random draws put the boost on the lattice k q.
  for (int s = 0; s < 6; ++s) {
    Rng r(s);
    std::vector<double> eps;
    aug(F, r, &eps);
    const double qs = q * std::exp(-eps[3]);  // the scaling before the boost stretches the period
    EXPECT_NEAR(eps[4] / qs, std::round(eps[4] / qs), 1e-9);
  }
  // Dataset augmentation of 2-D systems, seeded.
  datasets::Split s;
  s.name = "train";
  const Field P = sample(nls_plane_wave(0.7, 1, -2), 2, 2, 16, 16, 2 * kPi, 2 * kPi, 0.0, 0.01, 5);
  s.resize(2, P.shape, P.components);
  s.set_field(0, P);
  s.set_field(1, P);
  const Augmenter a2(load_generators("known:nls2d"));
  const datasets::Split out = augment_split(s, a2, 2, 42), again = augment_split(s, a2, 2, 42);
  EXPECT_EQ(out.n, 6);
  EXPECT_EQ(out.field(3).data, P.data);
  EXPECT_EQ(out.u, again.u);
  EXPECT_NE(out.field(4).data, P.data);
  const Augmenter heat(load_generators("known:heat2d"));
  expect_input_error([&] { augment_split(s, heat, 1, 1); }, {"known:heat2d", "2 components"});
}
