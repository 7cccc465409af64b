// The fused stage kernels of Etdrk4 and the consuming evaluation of N (FieldPde::nonlinear_consuming) change no
// bit: the stepper is compared with the plain ETDRK4 formulas written out here on the full coefficient arrays
// (E(), E2(), Q(), f1(), f2(), f3()) and N evaluated by nonlinear(), in the operation order the kernels promise;
// and nonlinear_consuming with nonlinear on random real spectra, for every dealiasing.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <string>
#include <vector>

#include "pdesym/common/config.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/solvers/etdrk4.hpp"
#include "pdesym/solvers/field_ic.hpp"
#include "pdesym/solvers/field_pde.hpp"

using namespace pdesym;
using namespace pdesym::solvers;

namespace {

// A coupled system with derivative factors, an outer derivative, a component read by several factors and one
// read by a single underived factor (the cases nonlinear_consuming treats differently).
const char* kCoupled = R"(equation: custom
pde:
  components: [u, v]
  equations:
    u:
      linear: {u_xx: 0.05, u_yy: 0.05, v_x: 0.3}
      nonlinear:
        - {coeff: -1.0, factors: [u, u_x]}
        - {coeff: -1.0, factors: [v, u_y]}
        - {coeff: 0.2, factors: [v, v], dx: 1}
    v:
      linear: {v_xx: 0.05, v_yy: 0.05, u_x: -0.3}
      nonlinear:
        - {coeff: -1.0, factors: [u, u, v]}
)";

struct Case {
  std::string config;
  int dim;
  double h;
};

const std::vector<Case>& cases() {
  static const std::vector<Case> c = {
      {"equation: nls", 2, 0.002},
      {"equation: nls", 1, 0.002},
      {"equation: lambda_omega", 2, 0.05},
      {"equation: navier_stokes\ncoefficients: {nu: 0.01, forcing_amplitude: 0.1, forcing_mode: 2, drag: 0.1}", 2, 0.01},
      {"equation: ks2d", 2, 0.01},
      {kCoupled, 2, 0.01},
      {"equation: kdv", 1, 0.001},
      {"equation: ks", 1, 0.01},
  };
  return c;
}

Box box_of(int dim) { return dim == 1 ? Box::line(32, 2 * M_PI) : Box::plane(16, 12, 2 * M_PI, 2 * M_PI); }

// Spectrum [nc][nk] of a random real, dealiased initial state.
cvec initial_spectrum(const FieldPde& pde, const Box& box, Dealias d) {
  Rng rng(5, 1, 2);
  const bool scalar = dynamic_cast<const Pde*>(&pde) != nullptr;  // 1-D scalar equations draw sine sums
  const auto u0 = FieldIc::from_config(Config::parse(scalar ? "{type: sine_sum, terms: 3, amplitude: 0.5, l_min: 1, l_max: 2}"
                                                            : "{amplitude: 0.5, k_max: 3}"),
                                       pde, box)
                      .sample(box, rng);
  FftBox fft(box);
  const std::size_t nk = box.modes(), np = box.points();
  cvec v(pde.nc() * nk);
  for (int c = 0; c < pde.nc(); ++c) {
    fft.forward(u0.data() + c * np, v.data() + c * nk);
    project_dealiased(box, v.data() + c * nk, d);
  }
  return v;
}

bool same_bits(const cvec& a, const cvec& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(cdouble)) == 0;
}

// One ETDRK4 step written out on the full coefficient arrays (the formulas of etdrk4.cpp before the fused kernels).
void reference_step(const FieldPde& pde, const Etdrk4& st, SpectralWorkspace& ws, cvec& v) {
  const std::size_t nc = static_cast<std::size_t>(st.nc()), nk = st.box().modes(), n = nc * nk;
  cvec Nv(n), a(n), Na(n), b(n), Nb(n), c(n), Nc(n), w(n);
  auto re = [](const cvec& x, std::size_t i) { return x[i].real(); };
  auto im = [](const cvec& x, std::size_t i) { return x[i].imag(); };
  // out_a = sum_b (A_ab x_b) [+ (B_ab y_b)], per mode; diagonal: one entry.
  auto block = [&](const cvec& A, const cvec& x, const cvec* B, const cvec* y, cvec& out, bool acc) {
    for (std::size_t p = 0; p < nc; ++p)
      for (std::size_t m = 0; m < nk; ++m) {
        double orr = 0, oi = 0;
        if (st.diagonal()) {
          const std::size_t i = p * nk + m;
          orr = re(A, i) * re(x, i) - im(A, i) * im(x, i);
          oi = re(A, i) * im(x, i) + im(A, i) * re(x, i);
          if (B) {
            orr = orr + (re(*B, i) * re(*y, i) - im(*B, i) * im(*y, i));
            oi = oi + (re(*B, i) * im(*y, i) + im(*B, i) * re(*y, i));
          }
        } else {
          for (std::size_t q = 0; q < nc; ++q) {
            const std::size_t ia = (p * nc + q) * nk + m, ix = q * nk + m;
            const double tr = re(A, ia) * re(x, ix) - im(A, ia) * im(x, ix);
            const double ti = re(A, ia) * im(x, ix) + im(A, ia) * re(x, ix);
            orr = q == 0 ? tr : orr + tr;
            oi = q == 0 ? ti : oi + ti;
          }
          if (B) {
            double sr = 0, si = 0;
            for (std::size_t q = 0; q < nc; ++q) {
              const std::size_t ia = (p * nc + q) * nk + m, ix = q * nk + m;
              const double tr = re(*B, ia) * re(*y, ix) - im(*B, ia) * im(*y, ix);
              const double ti = re(*B, ia) * im(*y, ix) + im(*B, ia) * re(*y, ix);
              sr = q == 0 ? tr : sr + tr;
              si = q == 0 ? ti : si + ti;
            }
            orr = orr + sr;
            oi = oi + si;
          }
        }
        cdouble& o = out[p * nk + m];
        o = acc ? cdouble(o.real() + orr, o.imag() + oi) : cdouble(orr, oi);
      }
  };
  const cvec E = st.E(), E2 = st.E2(), Q = st.Q(), F1 = st.f1(), F2 = st.f2(), F3 = st.f3();
  pde.nonlinear(v.data(), Nv.data(), ws);
  block(E2, v, &Q, &Nv, a, false);
  pde.nonlinear(a.data(), Na.data(), ws);
  block(E2, v, &Q, &Na, b, false);
  pde.nonlinear(b.data(), Nb.data(), ws);
  for (std::size_t i = 0; i < n; ++i) w[i] = cdouble(2.0 * Nb[i].real() - Nv[i].real(), 2.0 * Nb[i].imag() - Nv[i].imag());
  block(E2, a, &Q, &w, c, false);
  pde.nonlinear(c.data(), Nc.data(), ws);
  for (std::size_t i = 0; i < n; ++i)
    w[i] = cdouble(2.0 * (Na[i].real() + Nb[i].real()), 2.0 * (Na[i].imag() + Nb[i].imag()));
  cvec out(n);
  block(E, v, &F1, &Nv, out, false);
  block(F2, w, nullptr, nullptr, out, true);
  block(F3, Nc, nullptr, nullptr, out, true);
  v.swap(out);
  if (pde.keeps_real_dealiased_state())
    for (std::size_t p = 0; p < nc; ++p) symmetrise_real_spectrum(st.box(), v.data() + p * nk);
}

}  // namespace

TEST(StageKernels, ConsumingNonlinearIsBitIdenticalToNonlinear) {
  for (const auto& c : cases())
    for (Dealias d : {Dealias::TwoThirds, Dealias::None, Dealias::ThreeHalves}) {
      const auto pde = make_field_pde(Config::parse(c.config));
      const Box box = box_of(c.dim);
      SpectralWorkspace ws(box, d);
      const cvec u = initial_spectrum(*pde, box, d);
      cvec n1(u.size()), n2(u.size()), scratch = u;
      pde->nonlinear(u.data(), n1.data(), ws);
      pde->nonlinear_consuming(scratch.data(), n2.data(), ws);
      double norm = 0;
      for (const auto& z : n1) norm += std::norm(z);
      EXPECT_GT(norm, 0.0) << pde->name() << ": N vanishes, the comparison would be empty";
      EXPECT_TRUE(same_bits(n1, n2)) << pde->name() << " " << c.dim << "-D, dealias " << dealias_name(d);
    }
}

TEST(StageKernels, StepIsBitIdenticalToThePlainFormulas) {
  for (const auto& c : cases())
    for (Dealias d : {Dealias::TwoThirds, Dealias::ThreeHalves}) {
      const auto pde = make_field_pde(Config::parse(c.config));
      const Box box = box_of(c.dim);
      Etdrk4 st(*pde, box, c.h, {}, d);
      SpectralWorkspace ws(box, d);
      cvec v = initial_spectrum(*pde, box, d), ref = v;
      for (int s = 0; s < 3; ++s) {
        st.step(v);
        reference_step(*pde, st, ws, ref);
      }
      EXPECT_FALSE(same_bits(v, initial_spectrum(*pde, box, d))) << pde->name() << ": the state did not move";
      EXPECT_TRUE(same_bits(v, ref)) << pde->name() << " " << c.dim << "-D (" << (st.diagonal() ? "diagonal" : "coupled")
                                     << "), dealias " << dealias_name(d);
    }
}

// FieldPde's contract the stepper relies on: N is exactly zero on the modes the mask removes (ws.dropped), for any
// input spectrum (here one with every mode set, not dealiased); kept and dropped partition the modes.
TEST(StageKernels, NonlinearIsZeroOnTheDroppedModes) {
  for (const auto& c : cases())
    for (Dealias d : {Dealias::TwoThirds, Dealias::None, Dealias::ThreeHalves}) {
      const auto pde = make_field_pde(Config::parse(c.config));
      const Box box = box_of(c.dim);
      SpectralWorkspace ws(box, d);
      const std::size_t nk = box.modes();
      std::size_t next = 0, dropped = 0;
      std::vector<ModeRun> runs = ws.kept;
      runs.insert(runs.end(), ws.dropped.begin(), ws.dropped.end());
      std::sort(runs.begin(), runs.end(), [](const ModeRun& a, const ModeRun& b) { return a.begin < b.begin; });
      for (const ModeRun& r : runs) {
        EXPECT_EQ(r.begin, next);
        EXPECT_LT(r.begin, r.end);
        next = r.end;
      }
      EXPECT_EQ(next, nk);
      for (const ModeRun& r : ws.dropped)
        for (std::size_t m = r.begin; m < r.end; ++m) {
          EXPECT_EQ(ws.mask[m], 0.0);
          ++dropped;
        }
      if (d == Dealias::TwoThirds) {
        EXPECT_GT(dropped, nk / 4) << pde->name() << " " << c.dim << "-D";
      }
      cvec u = initial_spectrum(*pde, box, Dealias::None);
      Rng rng(9, 0, 1);
      for (auto& z : u) z += cdouble(1e-3 * rng.normal(), 1e-3 * rng.normal());  // every mode, the masked ones too
      for (int comp = 0; comp < pde->nc(); ++comp) symmetrise_real_spectrum(box, u.data() + comp * nk);
      cvec n(u.size(), cdouble(7.0, 7.0));
      pde->nonlinear(u.data(), n.data(), ws);
      double kept_norm = 0;
      for (int comp = 0; comp < pde->nc(); ++comp) {
        for (const ModeRun& r : ws.dropped)
          for (std::size_t m = r.begin; m < r.end; ++m)
            EXPECT_EQ(n[comp * nk + m], cdouble(0.0)) << pde->name() << " " << c.dim << "-D, dealias " << dealias_name(d)
                                                      << ", component " << comp << ", mode " << m;
        for (const ModeRun& r : ws.kept)
          for (std::size_t m = r.begin; m < r.end; ++m) kept_norm += std::norm(n[comp * nk + m]);
      }
      EXPECT_GT(kept_norm, 0.0) << pde->name();
    }
}

// A state kept dealiased (field equations) is stepped as its projection onto the kept modes (the removed modes of
// the result are zero); the 1-D scalar Pde's removed modes evolve by the linear part alone (v <- E v).
TEST(StageKernels, RemovedModesOfTheStateAreProjectedOrEvolveLinearly) {
  for (const auto& c : cases()) {
    const auto pde = make_field_pde(Config::parse(c.config));
    const Box box = box_of(c.dim);
    Etdrk4 st(*pde, box, c.h);
    SpectralWorkspace ws(box);
    const std::size_t nk = box.modes(), nc = static_cast<std::size_t>(pde->nc());
    cvec v = initial_spectrum(*pde, box, Dealias::None);
    Rng rng(11, 0, 1);
    for (int comp = 0; comp < pde->nc(); ++comp) {
      for (const ModeRun& r : ws.dropped)
        for (std::size_t m = r.begin; m < r.end; ++m) v[comp * nk + m] = cdouble(1e-2 * rng.normal(), 1e-2 * rng.normal());
      symmetrise_real_spectrum(box, v.data() + comp * nk);
    }
    cvec projected = v;
    for (std::size_t comp = 0; comp < nc; ++comp) project_dealiased(box, projected.data() + comp * nk, Dealias::TwoThirds);
    cvec stepped = v;
    st.step(stepped);
    if (pde->keeps_real_dealiased_state()) {
      st.step(projected);
      EXPECT_TRUE(same_bits(stepped, projected)) << pde->name() << " " << c.dim << "-D";
    } else {
      ASSERT_TRUE(st.diagonal());
      const cvec E = st.E();
      for (const ModeRun& r : ws.dropped)
        for (std::size_t m = r.begin; m < r.end; ++m) {
          const cdouble e = E[m], x = v[m];
          const cdouble want(e.real() * x.real() - e.imag() * x.imag(), e.real() * x.imag() + e.imag() * x.real());
          EXPECT_EQ(stepped[m], want) << pde->name() << " mode " << m;
          EXPECT_NE(stepped[m], cdouble(0.0)) << pde->name() << " mode " << m;
        }
    }
  }
}
