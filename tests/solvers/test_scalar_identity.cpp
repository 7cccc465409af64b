// The 1-D scalar path of the general stepper reproduces the former scalar ETDRK4 bit for bit: checksums of
// trajectories computed by the scalar-only implementation (commit 987bf17, solvers::Trajectory) before it was
// folded into the nc x nc stepper. Equations with a real symbol and a nonlinear term (KS, Burgers) are the
// exception: their coefficients are exactly real (phi.hpp) where the former ones carried roundoff imaginary parts,
// so they are checked against the former stepper's last snapshot within roundoff (values printed by the stepper of
// ab06150, which matched the checksums) and by the checksum of this stepper. Also the Field shape that replaced solvers::Trajectory.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <utility>
#include <vector>

#include "pdesym/solvers/etdrk4.hpp"
#include "pdesym/solvers/initial.hpp"

using namespace pdesym;
using namespace pdesym::solvers;

namespace {
std::uint64_t fnv(const std::vector<double>& v) {
  std::uint64_t h = 1469598103934665603ULL;
  for (double d : v) {
    unsigned char b[8];
    std::memcpy(b, &d, 8);
    for (int i = 0; i < 8; ++i) {
      h ^= b[i];
      h *= 1099511628211ULL;
    }
  }
  return h;
}

void expect_hashes(const Field& f, std::uint64_t u, std::uint64_t x, std::uint64_t t, const char* what) {
  EXPECT_EQ(fnv(f.data), u) << what << ": data differ from the scalar stepper";
  EXPECT_EQ(fnv(f.x), x) << what << ": x differs";
  EXPECT_EQ(fnv(f.t), t) << what << ": t differs";
}

// The last snapshot at points j agrees with the former stepper's values within 1e-14 of its maximum.
void expect_near_former(const Field& f, int nx, const std::vector<std::pair<int, double>>& former, double former_max,
                        const char* what) {
  const std::size_t last = f.data.size() - static_cast<std::size_t>(nx);
  for (const auto& [j, u] : former)
    EXPECT_NEAR(f.data[last + static_cast<std::size_t>(j)], u, 1e-14 * former_max) << what << " at x index " << j;
}
}  // namespace

TEST(ScalarPath, BitIdenticalToTheFormerScalarStepper) {
  SineSumIc ic;
  {
    Grid g(256, 128.0);
    Rng rng(42, 0, 0);
    IntegrateOptions o;
    o.dt_max = 0.005;
    expect_hashes(integrate(*make_kdv(), g, ic.sample(g, rng), 5.0, 11, o), 0x55334552d17a40bfULL,
                  0xee46028bbfdafe52ULL, 0x0091418025f7f0f4ULL, "kdv");
  }
  {
    Grid g(128, 32 * M_PI);
    rvec u0(g.nx);
    const rvec x = g.x();
    for (int j = 0; j < g.nx; ++j) u0[j] = std::cos(x[j] / 16) * (1 + std::sin(x[j] / 16));
    IntegrateOptions o;
    o.dt_max = 0.25 / 4;
    const Field f = integrate(*make_ks(), g, u0, 10.0, 6, o);
    expect_near_former(f, g.nx,
                       {{0, 0.58889311504017772}, {16, 1.1252630610661964}, {32, 4.2047011974778977e-15},
                        {64, -0.58889311504017861}, {80, -0.11790791451813032}, {127, 0.55362885079652491}},
                       2.3856539432073234, "ks");
    expect_hashes(f, 0x66744bbb3e927b47ULL, 0xbbdb8a02f80a4a7eULL, 0x43b4583965cc961fULL, "ks");
  }
  {
    Grid g(128, 2 * M_PI);
    Rng rng(7, 1, 2);
    IntegrateOptions o;
    o.dt_max = 1e-3;
    const Field f = integrate(*make_burgers(0.1), g, ic.sample(g, rng), 1.0, 5, o);
    expect_near_former(f, g.nx,
                       {{0, -0.068324783071943548}, {16, -0.22993018277739469}, {32, 0.017835227701103365},
                        {64, -0.28156037969410913}, {80, -0.15035946772031297}, {127, -0.019416304513247384}},
                       0.42890852227933662, "burgers");
    expect_hashes(f, 0x9c8eec2575db0f00ULL, 0xcc34a648ede773a6ULL, 0xd52232f9c22ad99bULL, "burgers");
  }
  {
    Grid g(64, 32.0);
    Rng rng(3, 0, 5);
    IntegrateOptions o;
    o.dt_max = 0.02;
    expect_hashes(integrate(*make_mkdv(), g, ic.sample(g, rng), 2.0, 3, o), 0x2d3ce17e08f6d97cULL,
                  0x1f225c7bc191a752ULL, 0x6e56e3ccaf5923daULL, "mkdv");
  }
  {
    Grid g(32, 2 * M_PI);
    Rng rng(3, 0, 6);
    expect_hashes(integrate(*make_heat(0.3), g, ic.sample(g, rng), 1.0, 5), 0x1b4fb9532cb770efULL,
                  0xc0fd191cd8273bc6ULL, 0xd52232f9c22ad99bULL, "heat");
  }
  {
    Config c = Config::parse(
        "equation: custom\npde:\n  linear: {2: 0.1, 4: -0.01, 3: -0.2}\n  nonlinear: [{coeff: 0.02, power: 3, "
        "derivative: 2}, {coeff: -0.5, power: 2, derivative: 1}, {coeff: 0.1, power: 1, derivative: 0}]\n");
    Grid g(64, 20.0);
    Rng rng(11, 2, 3);
    IntegrateOptions o;
    o.dt_max = 0.01;
    expect_hashes(integrate(*make_pde(c), g, ic.sample(g, rng), 1.0, 4, o), 0xf110e27ed420b978ULL,
                  0xa51d5c6771efbbc1ULL, 0xcdaf41eb8f31816aULL, "custom");
  }
  {
    Grid g(96, 50.0);
    Rng rng(5, 1, 1);
    IntegrateOptions o;
    o.dt_max = 0.003;
    o.etd.contour_points = 16;
    o.etd.contour_radius = 0.5;
    expect_hashes(integrate(*make_kdv(0.7, 1.3), g, ic.sample(g, rng), 0.5, 3, o), 0xf35ff41b450fc285ULL,
                  0xff5f0f4c449ba81aULL, 0x813d2ef7206554b3ULL, "kdv with contour options");
  }
}

TEST(ScalarPath, FieldShapeOfA1dScalarTrajectory) {
  Grid g(32, 10.0);
  rvec u0(g.nx, 0.0);
  for (int j = 0; j < g.nx; ++j) u0[j] = std::sin(2 * M_PI * j / g.nx);
  const Field f = integrate(*make_kdv(), g, u0, 2.0, 5);
  EXPECT_EQ(f.shape, (FieldShape{1, 1, 5, 1, 32}));
  EXPECT_EQ(f.components, std::vector<std::string>{"u"});
  EXPECT_EQ(f.y, std::vector<double>{0.0});
  EXPECT_EQ(f.dy, 0.0);
  EXPECT_EQ(f.dx, 10.0 / 32);
  EXPECT_EQ(f.dt, 0.5);
  EXPECT_EQ(f.t[4], 2.0);
  EXPECT_EQ(f.x[3], 3 * 10.0 / 32);
  for (int j = 0; j < g.nx; ++j) EXPECT_EQ(f.row(0)[j], u0[j]);
  EXPECT_NO_THROW(pdesym::validate(f, "kdv"));
}
