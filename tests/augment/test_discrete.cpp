// Discrete symmetries of the periodic box: the group law of D4 on the grid and the action on known functions.
#include <gtest/gtest.h>

#include <cmath>

#include "pdesym/augment/discrete.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/solvers/etdrk4.hpp"

using pdesym::Field;
using pdesym::FieldShape;
using pdesym::InputError;
using namespace pdesym::augment;

namespace {

// Two components on a 16 x 16 box of side 2 pi, sampled from f0 and f1 at two time levels.
template <class F0, class F1>
Field sample2d(F0 f0, F1 f1, int n = 16) {
  const double h = 2 * M_PI / n;
  Field f(FieldShape{2, 2, 2, n, n}, h, h, 0.1);
  for (int l = 0; l < 2; ++l)
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) {
        f.snapshot(0, l)[j * n + i] = (1 + l) * f0(f.x[i], f.y[j]);
        f.snapshot(1, l)[j * n + i] = (1 + l) * f1(f.x[i], f.y[j]);
      }
  return f;
}

double max_diff(const Field& a, const Field& b) {
  double d = 0;
  for (std::size_t k = 0; k < a.data.size(); ++k) d = std::max(d, std::abs(a.data[k] - b.data[k]));
  return d;
}

}  // namespace

TEST(BoxSymmetry, ActsOnKnownFunctions) {
  // (g u)(x, y) = u(g^-1 (x, y)); R^-1 (x, y) = (y, -x), P (x, y) = (x, -y).
  auto f = [](double x, double y) { return std::sin(x) + 0.5 * std::cos(2 * y) + 0.25 * std::sin(x + 3 * y); };
  auto g = [](double x, double y) { return std::cos(x) * std::sin(y) + 0.3 * std::sin(2 * x - y); };
  const Field F = sample2d(f, g);
  const Field R = apply(F, BoxSymmetry{1, false}, {Parity::Scalar, Parity::Pseudoscalar});
  const Field expect_R = sample2d([&](double x, double y) { return f(y, -x); }, [&](double x, double y) { return g(y, -x); });
  EXPECT_LT(max_diff(R, expect_R), 1e-14);
  // Reflection: the pseudo-scalar component changes sign.
  const Field P = apply(F, BoxSymmetry{0, true}, {Parity::Scalar, Parity::Pseudoscalar});
  const Field expect_P =
      sample2d([&](double x, double y) { return f(x, -y); }, [&](double x, double y) { return -g(x, -y); });
  EXPECT_LT(max_diff(P, expect_P), 1e-14);
  // R P: first reflect, then rotate: (R P u)(x, y) = u(P R^-1 (x, y)) = u(y, x).
  const Field RP = apply(F, BoxSymmetry{1, true});
  const Field expect_RP = sample2d([&](double x, double y) { return f(y, x); }, [&](double x, double y) { return g(y, x); });
  EXPECT_LT(max_diff(RP, expect_RP), 1e-14);
}

TEST(BoxSymmetry, GroupLaw) {
  auto f = [](double x, double y) { return std::sin(x + 0.3) * std::cos(2 * y) + std::sin(3 * x - y); };
  const Field F = sample2d(f, f);
  const std::vector<Parity> par{Parity::Pseudoscalar, Parity::Scalar};
  Field cur = F;
  for (int k = 1; k <= 4; ++k) {
    cur = apply(cur, BoxSymmetry{1, false}, par);
    const Field direct = apply(F, BoxSymmetry{k, false}, par);
    EXPECT_EQ(cur.data, direct.data) << "rot^" << k;
  }
  EXPECT_EQ(cur.data, F.data);  // R^4 = 1
  const Field PP = apply(apply(F, BoxSymmetry{0, true}, par), BoxSymmetry{0, true}, par);
  EXPECT_EQ(PP.data, F.data);  // P^2 = 1
  // P R P = R^-1.
  const Field PRP = apply(apply(apply(F, BoxSymmetry{0, true}, par), BoxSymmetry{1, false}, par), BoxSymmetry{0, true}, par);
  EXPECT_EQ(PRP.data, apply(F, BoxSymmetry{3, false}, par).data);
  // 8 distinct elements on a generic field.
  const auto G = BoxSymmetry::group(2);
  ASSERT_EQ(G.size(), 8u);
  for (std::size_t a = 0; a < G.size(); ++a)
    for (std::size_t b = a + 1; b < G.size(); ++b)
      EXPECT_GT(max_diff(apply(F, G[a], par), apply(F, G[b], par)), 0.1) << G[a].label() << " vs " << G[b].label();
  EXPECT_EQ(BoxSymmetry::group(1).size(), 2u);
  EXPECT_EQ((BoxSymmetry{3, true}).label(), "rot270*reflect");
}

TEST(BoxSymmetry, OneDimensionalReflection) {
  Field f(FieldShape{1, 1, 1, 1, 8}, 0.5, 0.0, 0.0);
  for (int i = 0; i < 8; ++i) f.data[i] = i;
  const Field r = apply(f, BoxSymmetry{0, true});
  const std::vector<double> expect{0, 7, 6, 5, 4, 3, 2, 1};
  EXPECT_EQ(r.data, expect);
}

TEST(BoxSymmetry, RejectsWhatTheGridCannotRepresent) {
  Field rect(FieldShape{2, 1, 1, 8, 16}, 0.5, 0.5, 0.0);
  EXPECT_THROW(apply(rect, BoxSymmetry{1, false}), InputError);
  EXPECT_NO_THROW(apply(rect, BoxSymmetry{0, true}));  // reflections need no square grid
  Field aniso(FieldShape{2, 1, 1, 8, 8}, 0.5, 0.25, 0.0);
  EXPECT_THROW(apply(aniso, BoxSymmetry{2, false}), InputError);
  Field line(FieldShape{1, 1, 1, 1, 8}, 0.5, 0.0, 0.0);
  EXPECT_THROW(apply(line, BoxSymmetry{1, false}), InputError);
  EXPECT_THROW(apply(rect, BoxSymmetry{0, true}, {Parity::Scalar, Parity::Scalar}), InputError);
  EXPECT_THROW(parse_parities("scalar,vector"), InputError);
  EXPECT_EQ(parse_parities("scalar, pseudoscalar").size(), 2u);
}

// The Navier-Stokes solver is equivariant under D4 with the vorticity a pseudo-scalar: the image of a
// trajectory equals the trajectory of the image of its initial condition (to round-off); treating the vorticity
// as a scalar breaks this for reflections, so the test can tell a right parity from a wrong one.
TEST(BoxSymmetry, NavierStokesTrajectoriesMapToTrajectories) {
  const int n = 32;
  const auto pde = pdesym::solvers::make_navier_stokes(0.02);
  const auto box = pdesym::solvers::Box::plane(n, n, 2 * M_PI, 2 * M_PI);
  pdesym::Rng rng(7);
  Field ic(FieldShape{2, 1, 1, n, n}, box.dx(), box.dy(), 0.0);
  for (int m = 0; m < 6; ++m) {
    const int kx = rng.uniform_int(-3, 3), ky = rng.uniform_int(-3, 3);
    const double a = rng.uniform(-1.0, 1.0), ph = rng.uniform(0.0, 2 * M_PI);
    for (int j = 0; j < n; ++j)
      for (int i = 0; i < n; ++i) ic.data[j * n + i] += a * std::cos(kx * ic.x[i] + ky * ic.y[j] + ph);
  }
  pdesym::solvers::IntegrateOptions io;
  io.dt_max = 0.01;
  const Field traj = pdesym::solvers::integrate(*pde, box, ic.data, 1.0, 5, io);
  double scale = 0;
  for (double v : traj.data) scale = std::max(scale, std::abs(v));
  const std::vector<Parity> right{Parity::Pseudoscalar}, wrong{Parity::Scalar};
  for (const auto& g : BoxSymmetry::group(2)) {
    const Field mapped = apply(traj, g, right);
    const Field again = pdesym::solvers::integrate(*pde, box, apply(ic, g, right).data, 1.0, 5, io);
    EXPECT_LT(max_diff(mapped, again), 1e-10 * scale) << g.label();
    if (g.reflect) {
      const Field bad = pdesym::solvers::integrate(*pde, box, apply(ic, g, wrong).data, 1.0, 5, io);
      EXPECT_GT(max_diff(apply(traj, g, wrong), bad), 1e-3 * scale) << g.label();
    }
  }
}
