// Dealiasing modes (solver.dealias, box.hpp): "2/3" (the default mask), "none" (every mode below Nyquist) and
// "3/2" (products on a zero-padded grid). Checks: the masks and padded sizes; the padded transform round trip;
// quadratic nonlinear terms (1-D Burgers, 2-D KS, Navier–Stokes) equal to an alias-free reference on the kept
// modes with "3/2" and visibly aliased with "none"; exact solutions (KdV soliton, 2-D NLS plane wave, a 2-D heat
// mode above the 2/3 cutoff) in every mode where they are meaningful; parse errors; the pruned 2-D transforms
// (y passes only on the kept columns) against FFTW's own 2-D plans, bit for bit.
#include <fftw3.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <random>

#include "pdesym/common/error.hpp"
#include "pdesym/solvers/etdrk4.hpp"
#include "../support/expect_error.hpp"
#include "box_fields.hpp"

using namespace pdesym;
using namespace pdesym::solvers;

namespace {

constexpr double kTwoPi = 2 * M_PI;
using pdesym_test::Fn;
using pdesym_test::rel_err;
std::vector<double> sample(const Box& b, const Fn& f) { return pdesym_test::sample(b, {f}); }

// Fourier coefficients (spectrum / points) of N(u) on `b` with dealiasing `d`.
cvec nonlinear_coefficients(const FieldPde& pde, const Box& b, Dealias d, const Fn& u) {
  SpectralWorkspace ws(b, d);
  FftBox fft(b);
  const std::vector<double> u0 = sample(b, u);
  cvec uh(b.modes()), nh(b.modes());
  fft.forward(u0.data(), uh.data());
  pde.nonlinear(uh.data(), nh.data(), ws);
  for (auto& c : nh) c /= static_cast<double>(b.points());
  return nh;
}

// max over the modes `d` keeps of |N_d - N_exact| / max |N_exact|, N_exact from a 4x finer grid (no aliasing for
// the band-limited u below) truncated to the modes of b.
double aliasing_error(const FieldPde& pde, const Box& b, Dealias d, const Fn& u) {
  const Box fine = b.dim == 1 ? Box::line(4 * b.nx, b.Lx) : Box::plane(4 * b.nx, 4 * b.ny, b.Lx, b.Ly);
  const cvec ref = nonlinear_coefficients(pde, fine, Dealias::None, u);
  const cvec got = nonlinear_coefficients(pde, b, d, u);
  const rvec mx = dealias_mask_x(b, d), my = dealias_mask_y(b, d);
  double num = 0, den = 0;
  for (int j = 0; j < b.ny; ++j)
    for (int m = 0; m < b.nkx(); ++m) {
      if (mx[m] * my[j] == 0.0) continue;
      const int jq = j <= b.ny / 2 ? j : j - b.ny;
      const int jf = jq >= 0 ? jq : jq + fine.ny;
      const cdouble r = ref[static_cast<std::size_t>(jf) * fine.nkx() + m];
      num = std::max(num, std::abs(got[static_cast<std::size_t>(j) * b.nkx() + m] - r));
      den = std::max(den, std::abs(r));
    }
  return num / den;
}

const Dealias kAll[] = {Dealias::TwoThirds, Dealias::None, Dealias::ThreeHalves};

}  // namespace

// forward_low() zeroes the columns from low_columns() on; the workspace's dropped_low runs are the rest of the
// mask's zeros: together exactly the modes the mask drops, each once (the direct-N path zeroes no more than that).
TEST(Dealias, ForwardLowAndDroppedLowRunsZeroExactlyTheMasksZeros) {
  for (const Box& b : {Box::plane(48, 40, 2.0, 3.0), Box::plane(30, 72, 2.0, 3.0), Box::plane(16, 16, 1.0, 1.0),
                       Box::line(96, 5.0)})
    for (Dealias d : kAll) {
      SpectralWorkspace ws(b, d);
      const std::size_t nk = b.modes(), nkx = static_cast<std::size_t>(b.nkx());
      const std::size_t low = static_cast<std::size_t>(ws.fft.low_columns());
      const std::string what = std::to_string(b.ny) + " x " + std::to_string(b.nx) + " " + dealias_name(d);
      std::vector<int> zeroed(nk, 0);
      for (std::size_t i = 0; i < nk; ++i) zeroed[i] += i % nkx >= low;
      for (const ModeRun r : ws.dropped_low)
        for (std::size_t i = r.begin; i < r.end; ++i) ++zeroed[i];
      for (std::size_t i = 0; i < nk; ++i) ASSERT_EQ(zeroed[i], ws.mask[i] == 0.0 ? 1 : 0) << what << " mode " << i;
    }
}

// FftBox skips the y-transforms of the columns a dealiased spectrum leaves zero (forward_low, and every inverse
// whose input is zero there). FFTW's 2-D plans run the same 1-D transforms, so with FFTW_ESTIMATE plans the results
// equal those of fftw_plan_dft_{r2c,c2r}_2d bit for bit, on square and rectangular boxes, sizes divisible by 3 or
// not, for both unpadded dealias rules.
TEST(Dealias, PrunedTwoDimensionalTransformsEqualFftwsPlansBitForBit) {
  auto same = [](const void* a, const void* b, std::size_t bytes) { return std::memcmp(a, b, bytes) == 0; };
  std::mt19937_64 gen(5);
  std::uniform_real_distribution<double> uni(-1.0, 1.0);
  for (const auto& [ny, nx] : std::vector<std::pair<int, int>>{{64, 64}, {96, 96}, {48, 40}, {30, 72}, {128, 128}})
    for (Dealias d : {Dealias::TwoThirds, Dealias::None}) {
      const Box b = Box::plane(nx, ny, 2.0, 3.0);
      FftBox fft(b, d);
      const std::size_t np = b.points(), nk = b.modes(), nkx = static_cast<std::size_t>(b.nkx());
      const std::size_t low = static_cast<std::size_t>(fft.low_columns());
      const std::string what = std::to_string(ny) + " x " + std::to_string(nx) + " " + dealias_name(d);
      EXPECT_EQ(low, d == Dealias::TwoThirds ? static_cast<std::size_t>(nx / 3 + 1) : nkx - 1) << what;
      AlignedReal f(np), r(np), out(np);
      AlignedComplex ref(nk), got(nk), c(nk);
      for (auto& v : f) v = uni(gen);
      // References from FFTW's 2-D plans (planned on the arrays they run on).
      fftw_plan pf = fftw_plan_dft_r2c_2d(ny, nx, r.data(), reinterpret_cast<fftw_complex*>(c.data()), FFTW_ESTIMATE);
      fftw_plan pi = fftw_plan_dft_c2r_2d(ny, nx, reinterpret_cast<fftw_complex*>(c.data()), r.data(), FFTW_ESTIMATE);
      std::copy(f.begin(), f.end(), r.begin());
      fftw_execute(pf);
      std::copy(c.begin(), c.end(), ref.begin());
      fft.forward(f.data(), got.data());
      EXPECT_TRUE(same(got.data(), ref.data(), nk * sizeof(cdouble))) << what;
      fft.forward_low(f.data(), got.data());
      for (std::size_t j = 0; j < static_cast<std::size_t>(ny); ++j) {
        EXPECT_TRUE(same(got.data() + j * nkx, ref.data() + j * nkx, low * sizeof(cdouble))) << what << " row " << j;
        for (std::size_t m = low; m < nkx; ++m) EXPECT_EQ(got[j * nkx + m], cdouble(0.0)) << what;
      }
      // A dealiased spectrum (its Hermitian-consistent columns 0 and Nyquist kept as computed).
      cvec spec(ref.begin(), ref.end());
      project_dealiased(b, spec.data(), d);
      std::copy(spec.begin(), spec.end(), c.begin());
      fftw_execute(pi);
      const AlignedReal want(r.begin(), r.end());
      fft.inverse_unscaled(spec.data(), out.data());
      EXPECT_TRUE(same(out.data(), want.data(), np * sizeof(double))) << what;
      std::copy(spec.begin(), spec.end(), got.begin());
      fft.inverse_unscaled_destroy(got.data(), out.data());
      EXPECT_TRUE(same(out.data(), want.data(), np * sizeof(double))) << what;
      fft.inverse(spec.data(), out.data());
      for (std::size_t i = 0; i < np; ++i)
        ASSERT_EQ(out[i], want[i] * (1.0 / static_cast<double>(np))) << what << " point " << i;
      // With a nonzero high column the full plan runs: the same values as FFTW's.
      spec[nkx - 1] = cdouble(0.25, 0.0);  // row 0, Nyquist column: above the cut for both rules
      std::copy(spec.begin(), spec.end(), c.begin());
      fftw_execute(pi);
      fft.inverse_unscaled(spec.data(), out.data());
      EXPECT_TRUE(same(out.data(), r.data(), np * sizeof(double))) << what;
      fftw_destroy_plan(pf);
      fftw_destroy_plan(pi);
    }
}

TEST(Dealias, MasksPaddedSizesAndNames) {
  const Box b = Box::line(12, 1.0);
  EXPECT_EQ(dealias_mask_x(b), (rvec{1, 1, 1, 1, 1, 0, 0}));  // 3 m <= 12
  EXPECT_EQ(dealias_mask_x(b, Dealias::None), (rvec{1, 1, 1, 1, 1, 1, 0}));  // m < 6: Nyquist dropped
  EXPECT_EQ(dealias_mask_x(b, Dealias::ThreeHalves), dealias_mask_x(b, Dealias::None));
  const Box p = Box::plane(8, 12, 1.0, 1.0);
  EXPECT_EQ(dealias_mask_y(p, Dealias::None), (rvec{1, 1, 1, 1, 1, 1, 0, 1, 1, 1, 1, 1}));
  EXPECT_EQ(padded_size(256, Dealias::ThreeHalves), 384);
  EXPECT_EQ(padded_size(10, Dealias::ThreeHalves), 16);  // 15 rounded up to even
  EXPECT_EQ(padded_size(1, Dealias::ThreeHalves), 1);
  EXPECT_EQ(padded_size(256, Dealias::None), 256);
  for (Dealias d : kAll) EXPECT_EQ(parse_dealias(dealias_name(d), "w"), d);
  pdesym_test::expect_input_error([] { parse_dealias("1/2", "cfg.yaml: solver.dealias"); },
                                  {"solver.dealias", "\"3/2\"", "1/2"});
}

TEST(Dealias, PaddedTransformRoundTripAndInterpolant) {
  const Box b = Box::plane(8, 6, kTwoPi, kTwoPi);
  FftBox plain(b), padded(b, Dealias::ThreeHalves);
  EXPECT_EQ(padded.points(), 12u * 10u);  // 8 -> 12, 6 -> 9 -> 10
  EXPECT_EQ(padded.modes(), b.modes());
  const Fn f = [](double x, double y) { return 1.0 + std::cos(3 * x - 2 * y) + 0.5 * std::sin(x + y); };
  const std::vector<double> u = sample(b, f);
  cvec uh(b.modes()), back(b.modes());
  plain.forward(u.data(), uh.data());
  std::vector<double> up(padded.points());
  padded.inverse(uh.data(), up.data());
  const Box fine = Box::plane(12, 10, kTwoPi, kTwoPi);
  const std::vector<double> exact = sample(fine, f);
  for (std::size_t i = 0; i < up.size(); ++i) EXPECT_NEAR(up[i], exact[i], 1e-13) << i;
  padded.forward(up.data(), back.data());
  for (std::size_t i = 0; i < uh.size(); ++i) EXPECT_LT(std::abs(back[i] - uh[i]), 1e-12) << i;
}

TEST(Dealias, QuadraticTermsExactWithThreeHalvesAliasedWithout) {
  // Modes near Nyquist, so that products fold back onto kept modes on the unpadded grid.
  auto burgers = make_burgers(0.1);
  const Box line = Box::line(32, kTwoPi);
  const Fn u1 = [](double x, double) { return std::cos(13 * x) + std::sin(11 * x) + 0.5 * std::cos(3 * x + 1); };
  EXPECT_LT(aliasing_error(*burgers, line, Dealias::ThreeHalves, u1), 1e-13);
  EXPECT_GT(aliasing_error(*burgers, line, Dealias::None, u1), 0.1);
  // The 2/3 rule is alias-free for fields within its band (|m| <= 10 here); "none" is not.
  const Fn u_band = [](double x, double) { return std::cos(10 * x) + std::sin(9 * x); };
  EXPECT_LT(aliasing_error(*burgers, line, Dealias::TwoThirds, u_band), 1e-13);
  EXPECT_GT(aliasing_error(*burgers, line, Dealias::None, u_band), 0.1);

  const Box plane = Box::plane(16, 16, kTwoPi, kTwoPi);
  const Fn u2 = [](double x, double y) { return std::cos(7 * x + 5 * y) + std::sin(6 * x - 7 * y) + 0.3 * std::cos(2 * y); };
  for (const auto& pde : {make_ks2d(), make_navier_stokes(0.01)}) {
    EXPECT_LT(aliasing_error(*pde, plane, Dealias::ThreeHalves, u2), 1e-13) << pde->name();
    EXPECT_GT(aliasing_error(*pde, plane, Dealias::None, u2), 0.1) << pde->name();
  }
}

TEST(Dealias, KdvSolitonInEveryMode) {
  const Grid g(512, 128.0);
  auto kdv = make_kdv();
  const double c = 1.0, x0 = 40.0, T = 20.0;
  auto soliton = [&](double t) {
    rvec u(g.nx);
    const rvec x = g.x();
    for (int j = 0; j < g.nx; ++j) {
      const double s = 1.0 / std::cosh(0.5 * std::sqrt(c) * (x[j] - c * t - x0));
      u[j] = 3 * c * s * s;
    }
    return u;
  };
  for (Dealias d : kAll) {
    IntegrateOptions opt;
    opt.dt_max = 0.005;
    opt.dealias = d;
    const Field f = integrate(*kdv, g, soliton(0.0), T, 11, opt);
    double worst = 0;
    for (int n = 0; n < f.nt(); ++n) worst = std::max(worst, rel_err(f, n, soliton(f.t[n])));
    EXPECT_LT(worst, 1e-8) << dealias_name(d);
  }
}

TEST(Dealias, Nls2dPlaneWaveAndHeatModeAboveTheTwoThirdsCutoff) {
  const Box b = Box::plane(32, 32, kTwoPi, kTwoPi);
  auto nls = make_nls();
  const double a = 1.2, kx = 1, ky = 2, w = kx * kx + ky * ky - a * a, T = 1.0;
  auto plane_wave = [&](double t) {
    std::vector<double> s = sample(b, [&](double x, double y) { return a * std::cos(kx * x + ky * y - w * t); });
    const std::vector<double> v = sample(b, [&](double x, double y) { return a * std::sin(kx * x + ky * y - w * t); });
    s.insert(s.end(), v.begin(), v.end());
    return s;
  };
  // heat2d with the mode (14, 3): dropped by the 2/3 projection of u0, kept exactly by "none" and "3/2".
  auto heat = make_heat2d(0.001);
  const Fn mode = [](double x, double y) { return std::cos(14 * x + 3 * y) + 0.5 * std::sin(2 * x); };
  const Fn decayed = [](double x, double y) {
    return std::exp(-0.001 * 205 * 2.0) * std::cos(14 * x + 3 * y) + 0.5 * std::exp(-0.001 * 4 * 2.0) * std::sin(2 * x);
  };
  for (Dealias d : kAll) {
    IntegrateOptions o;
    o.dt_max = 0.002;
    o.dealias = d;
    EXPECT_LT(rel_err(integrate(*nls, b, plane_wave(0), T, 2, o), 1, plane_wave(T)), 1e-10) << dealias_name(d);
    o.dt_max = 0.5;
    const double e = rel_err(integrate(*heat, b, sample(b, mode), 2.0, 3, o), 2, sample(b, decayed));
    if (d == Dealias::TwoThirds) EXPECT_GT(e, 0.5);
    else EXPECT_LT(e, 1e-13) << dealias_name(d);
  }
}
