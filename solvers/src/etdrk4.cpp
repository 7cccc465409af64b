#include "pdesym/solvers/etdrk4.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include "pdesym/common/error.hpp"
#include "simd.hpp"

namespace pdesym::solvers {

Etdrk4::Etdrk4(const Pde& pde, const Grid& grid, double h, Etdrk4Options opt, Dealias dealias)
    : Etdrk4(static_cast<const FieldPde&>(pde), Box::of(grid), h, opt, dealias) {}

Etdrk4::Etdrk4(const FieldPde& pde, const Box& box, double h, Etdrk4Options opt, Dealias dealias)
    : pde_(pde), ws_(box, dealias), h_(h), nc_(pde.nc()), nk_(static_cast<int>(box.modes())), diagonal_(pde.linear_diagonal()),
      real_state_(pde.keeps_real_dealiased_state()) {
  PDESYM_REQUIRE(h > 0 && std::isfinite(h), "time step must be positive, got " << h);
  PDESYM_REQUIRE(opt.contour_points >= 4, "contour_points must be >= 4");
  PDESYM_REQUIRE(pde.supports_dim(box.dim), pde.name() << " is not defined in " << box.dim << "-D");
  PDESYM_CHECK(nc_ >= 1, "a PDE needs at least one component");
  const std::size_t nc = static_cast<std::size_t>(nc_), nk = static_cast<std::size_t>(nk_);
  const std::size_t planes = diagonal_ ? nc : nc * nc;
  for (auto* v : {&E_, &E2_, &Q_, &f1_, &f2_, &f3_}) v->assign(planes * nk, 0.0);
  cvec* outs[6] = {&E_, &E2_, &Q_, &f1_, &f2_, &f3_};
  std::vector<cdouble> L(nc * nc), hL(nc * nc);
  for (std::size_t m = 0; m < nk; ++m) {
    pde.linear_block(ws_.kx[m], ws_.ky[m], L.data());
    if (diagonal_) {
      for (std::size_t c = 0; c < nc; ++c) {
        cdouble r[6];
        scalar_etdrk4_coefficients(h * L[c * nc + c], h, opt, r);
        for (int f = 0; f < 6; ++f) (*outs[f])[c * nk + m] = r[f];
      }
    } else {
      for (std::size_t i = 0; i < nc * nc; ++i) hL[i] = h * L[i];
      const BlockCoefficients bc = block_etdrk4_coefficients(hL, nc_, h, opt);
      const std::vector<cdouble>* src[6] = {&bc.E, &bc.E2, &bc.Q, &bc.f1, &bc.f2, &bc.f3};
      for (int f = 0; f < 6; ++f)
        for (std::size_t i = 0; i < nc * nc; ++i) (*outs[f])[i * nk + m] = (*src[f])[i];
    }
  }
  for (auto* v : {&Nv_, &a_, &Na_, &b_, &Nb_, &c_, &Nc_}) v->assign(nc * nk, 0.0);
  for (int f = 0; f < 6; ++f) {
    same_[f].resize(planes);
    for (std::size_t p = 0; p < planes; ++p) {
      same_[f][p] = p;
      for (std::size_t q = 0; q < p; ++q)
        if (std::memcmp(outs[f]->data() + q * nk, outs[f]->data() + p * nk, nk * sizeof(cdouble)) == 0) {
          same_[f][p] = q;
          break;
        }
    }
  }
  // Real coefficients (a real symbol or a real coupling): per component of a diagonal L, or for the whole 2 x 2 block
  // (nc > 2 blocks keep the complex products). Each distinct real plane is stored once as (re, re) pairs.
  real_.assign(diagonal_ ? nc : 1, 0);
  auto plane_real = [&](int f, std::size_t p) {
    for (std::size_t m = 0; m < nk; ++m)
      if ((*outs[f])[p * nk + m].imag() != 0.0) return false;
    return true;
  };
  for (std::size_t u = 0; u < real_.size() && (diagonal_ || nc == 2); ++u) {
    bool real = true;
    for (int f = 0; f < 6; ++f)
      for (std::size_t p = diagonal_ ? u : 0; p < (diagonal_ ? u + 1 : planes); ++p) real = real && plane_real(f, p);
    real_[u] = real;
  }
  std::size_t slots = 0;
  for (int f = 0; f < 6; ++f) {
    real_slot_[f].assign(planes, kComplexPlane);
    std::vector<std::size_t> slot_of(planes, kComplexPlane);  // per first plane of a bitwise-equal set
    for (std::size_t p = 0; p < planes; ++p) {
      if (!real_[diagonal_ ? p : 0]) continue;
      const std::size_t q = same_[f][p];
      if (slot_of[q] == kComplexPlane) slot_of[q] = slots++;
      real_slot_[f][p] = slot_of[q];
    }
  }
  real_planes_.assign(2 * slots * nk, 0.0);
  for (int f = 0; f < 6; ++f)
    for (std::size_t p = 0; p < planes; ++p)
      if (real_slot_[f][p] != kComplexPlane)
        for (std::size_t m = 0; m < nk; ++m) {
          double* d = real_planes_.data() + 2 * (real_slot_[f][p] * nk + m);
          d[0] = d[1] = (*outs[f])[p * nk + m].real();
        }
  // A complex array whose planes are all read from real slots is not read again (coefficients() rebuilds it).
  for (int f = 0; f < 6; ++f)
    if (std::none_of(real_slot_[f].begin(), real_slot_[f].end(), [](std::size_t q) { return q == kComplexPlane; }))
      cvec().swap(*outs[f]);
}

cvec Etdrk4::coefficients(int f) const {
  PDESYM_CHECK(f >= 0 && f < 6, "coefficient index must be 0..5, got " << f);
  const std::size_t nk = static_cast<std::size_t>(nk_), planes = real_slot_[f].size();
  cvec out(planes * nk);
  for (std::size_t p = 0; p < planes; ++p) {
    const double* d = coef_plane(f, p);
    const bool real = real_slot_[f][p] != kComplexPlane;
    for (std::size_t m = 0; m < nk; ++m) out[p * nk + m] = cdouble(d[2 * m], real ? 0.0 : d[2 * m + 1]);
  }
  return out;
}

std::size_t Etdrk4::bytes() const {
  std::size_t b = real_planes_.capacity() * sizeof(double) + ws_.bytes();
  for (const cvec* v : {&E_, &E2_, &Q_, &f1_, &f2_, &f3_, &Nv_, &a_, &Na_, &b_, &Nb_, &c_, &Nc_, &w_, &d_})
    b += v->capacity() * sizeof(cdouble);
  for (int f = 0; f < 6; ++f) b += (same_[f].capacity() + real_slot_[f].capacity()) * sizeof(std::size_t);
  return b;
}

inline const double* Etdrk4::coef_plane(int f, std::size_t p) const {
  static constexpr cvec Etdrk4::*kArrays[6] = {&Etdrk4::E_, &Etdrk4::E2_, &Etdrk4::Q_, &Etdrk4::f1_, &Etdrk4::f2_, &Etdrk4::f3_};
  const std::size_t nk = static_cast<std::size_t>(nk_);
  if (real_slot_[f][p] != kComplexPlane) return real_planes_.data() + 2 * real_slot_[f][p] * nk;
  return reinterpret_cast<const double*>((this->*kArrays[f]).data() + same_[f][p] * nk);
}

namespace {
// The kernels below do complex arithmetic on interleaved (re, im) doubles: the same products as std::complex,
// without the NaN-recovery branch of complex multiplication, so the loops vectorise. NaNs still propagate (and are
// caught by the finiteness check of integrate()).
inline const double* D(const cvec& v) { return reinterpret_cast<const double*>(v.data()); }
inline double* D(cvec& v) { return reinterpret_cast<double*>(v.data()); }

// Coefficient planes on interleaved doubles. Plane::mul(c, m, xr, xi, r, i) is the product of plane c at mode m with
// xr + i xi: ComplexPlane for (re, im) planes, RealPlane for the (re, re) planes of real coefficients (the values of
// the complex product with a zero imaginary part, up to the sign of a zero).
struct ComplexPlane {
  static PDESYM_ALWAYS_INLINE void mul(const double* c, std::size_t m, double xr, double xi, double& r, double& i) {
    r = c[2 * m] * xr - c[2 * m + 1] * xi;
    i = c[2 * m] * xi + c[2 * m + 1] * xr;
  }
};
struct RealPlane {
  static PDESYM_ALWAYS_INLINE void mul(const double* c, std::size_t m, double xr, double xi, double& r, double& i) {
    r = c[2 * m] * xr;
    i = c[2 * m + 1] * xi;
  }
};

// The four planes (entries 00, 01, 10, 11) of 2 x 2 blocks, interleaved doubles.
struct Planes4 {
  const double* p[4];
};
inline Planes4 planes_of(const cvec& A, std::size_t nk) {
  const double* a = D(A);
  return {{a, a + 2 * nk, a + 4 * nk, a + 6 * nk}};
}

// Two components of one mode, (re, im) of component 0 and 1.
struct Pair2 {
  double r0, i0, r1, i1;
};
PDESYM_ALWAYS_INLINE Pair2 load2(const double* x, std::size_t P, std::size_t m) {
  return {x[2 * m], x[2 * m + 1], x[P + 2 * m], x[P + 2 * m + 1]};
}
// The four plane pointers as locals of a kernel (copied from its Planes4 argument before the loop, not reloaded per
// mode). GCC does not use restrict on members: the real loops below carry `#pragma GCC ivdep` instead (their outputs
// never overlap their inputs, as the __restrict parameters state), without which they do not vectorise across modes.
struct Block2 {
  const double* __restrict a0;
  const double* __restrict a1;
  const double* __restrict a2;
  const double* __restrict a3;
  explicit Block2(const Planes4& A) : a0(A.p[0]), a1(A.p[1]), a2(A.p[2]), a3(A.p[3]) {}
};
// The complex 2 x 2 block product A x at mode m: row a is (A_a0 x_0) + (A_a1 x_1).
PDESYM_ALWAYS_INLINE Pair2 prod2(const Block2& A, std::size_t m, const Pair2& x) {
  double r00, i00, r01, i01, r10, i10, r11, i11;
  ComplexPlane::mul(A.a0, m, x.r0, x.i0, r00, i00);
  ComplexPlane::mul(A.a1, m, x.r1, x.i1, r01, i01);
  ComplexPlane::mul(A.a2, m, x.r0, x.i0, r10, i10);
  ComplexPlane::mul(A.a3, m, x.r1, x.i1, r11, i11);
  return {r00 + r01, i00 + i01, r10 + r11, i10 + i11};
}
PDESYM_ALWAYS_INLINE void add_to(Pair2& o, const Pair2& t) {
  o.r0 += t.r0;
  o.i0 += t.i0;
  o.r1 += t.r1;
  o.i1 += t.i1;
}
PDESYM_ALWAYS_INLINE void store2(double* o, std::size_t P, std::size_t m, const Pair2& t) {
  o[2 * m] = t.r0;
  o[2 * m + 1] = t.i0;
  o[P + 2 * m] = t.r1;
  o[P + 2 * m + 1] = t.i1;
}

// The 2 x 2 kernels below exist twice, for complex blocks and for real ones (a real coupling: all four entries of
// all six coefficients real, stored as (re, re) planes); the public functions pick one with `real`. With real
// blocks every output double is a real combination of the inputs' doubles at the same position (re with re, im with
// im: the complex products' values with zero imaginary parts), so those loops run over the interleaved doubles
// [2 m0, 2 m1) and vectorise across modes.
PDESYM_ALWAYS_INLINE void real_rows(const Block2& A, std::size_t j, double x0, double x1, double& o0, double& o1) {
  o0 = A.a0[j] * x0 + A.a1[j] * x1;
  o1 = A.a2[j] * x0 + A.a3[j] * x1;
}

// out_a (+)= sum_b (A_ab x_b + B_ab y_b) in one pass over the modes [m0, m1) (B, y may be null).
PDESYM_ALWAYS_INLINE void block2_mul_add_complex(const Planes4& A, const cdouble* x, const Planes4* B, const cdouble* y,
                                              cdouble* out, std::size_t nk, bool accumulate, std::size_t m0,
                                              std::size_t m1) {
  const double* __restrict xd = reinterpret_cast<const double*>(x);
  const double* __restrict yd = reinterpret_cast<const double*>(y);
  double* __restrict o = reinterpret_cast<double*>(out);
  const std::size_t P = 2 * nk;  // doubles per plane
  const Block2 a(A), b(B ? *B : A);
  for (std::size_t m = m0; m < m1; ++m) {
    Pair2 t = prod2(a, m, load2(xd, P, m));
    if (B) add_to(t, prod2(b, m, load2(yd, P, m)));
    if (accumulate) {
      Pair2 acc = load2(o, P, m);
      add_to(acc, t);
      store2(o, P, m, acc);
    } else {
      store2(o, P, m, t);
    }
  }
}
template <bool HasB, bool Accumulate>
PDESYM_ALWAYS_INLINE void block2_mul_add_real(const Planes4& A, const cdouble* x, const Planes4* B, const cdouble* y,
                                              cdouble* out, std::size_t nk, std::size_t m0, std::size_t m1) {
  const double* __restrict xd = reinterpret_cast<const double*>(x);
  const double* __restrict yd = reinterpret_cast<const double*>(y);
  double* __restrict o = reinterpret_cast<double*>(out);
  const std::size_t P = 2 * nk;
  const Block2 a(A), b(HasB ? *B : A);
#pragma GCC ivdep
  for (std::size_t j = 2 * m0; j < 2 * m1; ++j) {
    double t0, t1;
    real_rows(a, j, xd[j], xd[P + j], t0, t1);
    if (HasB) {
      double q0, q1;
      real_rows(b, j, yd[j], yd[P + j], q0, q1);
      t0 += q0;
      t1 += q1;
    }
    if (Accumulate) {
      o[j] += t0;
      o[P + j] += t1;
    } else {
      o[j] = t0;
      o[P + j] = t1;
    }
  }
}
PDESYM_SIMD_CLONES void block2_mul_add(bool real, const Planes4& A, const cdouble* x, const Planes4* B, const cdouble* y,
                                       cdouble* out, std::size_t nk, bool accumulate, std::size_t m0, std::size_t m1) {
  if (!real) block2_mul_add_complex(A, x, B, y, out, nk, accumulate, m0, m1);
  else if (B && accumulate) block2_mul_add_real<true, true>(A, x, B, y, out, nk, m0, m1);
  else if (B) block2_mul_add_real<true, false>(A, x, B, y, out, nk, m0, m1);
  else if (accumulate) block2_mul_add_real<false, true>(A, x, B, y, out, nk, m0, m1);
  else block2_mul_add_real<false, false>(A, x, B, y, out, nk, m0, m1);
}

// Stage c of a 2 x 2 system in one pass: c = E2 a + Q w, w = 2 N(b) - N(v) formed per mode (the values of
// w = 2.0 * Nb - Nv in its own pass, then block2_mul_add).
PDESYM_SIMD_CLONES void block2_stage_c(bool real, const Planes4& e2, const cvec& A, const Planes4& q, const cvec& Nb,
                                       const cvec& Nv, cvec& C, std::size_t nk, std::size_t m0, std::size_t m1) {
  const double* __restrict a = D(A);
  const double* __restrict nb = D(Nb);
  const double* __restrict nv = D(Nv);
  double* __restrict o = D(C);
  const std::size_t P = 2 * nk;
  const Block2 E2(e2), Q(q);
  if (real) {
#pragma GCC ivdep
    for (std::size_t j = 2 * m0; j < 2 * m1; ++j) {
      double t0, t1, q0, q1;
      real_rows(E2, j, a[j], a[P + j], t0, t1);
      real_rows(Q, j, 2.0 * nb[j] - nv[j], 2.0 * nb[P + j] - nv[P + j], q0, q1);
      o[j] = t0 + q0;
      o[P + j] = t1 + q1;
    }
    return;
  }
  for (std::size_t m = m0; m < m1; ++m) {
    const std::size_t r = 2 * m;
    const Pair2 w = {2.0 * nb[r] - nv[r], 2.0 * nb[r + 1] - nv[r + 1], 2.0 * nb[P + r] - nv[P + r],
                     2.0 * nb[P + r + 1] - nv[P + r + 1]};
    Pair2 t = prod2(E2, m, load2(a, P, m));
    add_to(t, prod2(Q, m, w));
    store2(o, P, m, t);
  }
}

// The update of a 2 x 2 system in one pass: out = E v + f1 N(v) + f2 s + f3 N(c), s = 2 (N(a) + N(b)) formed per
// mode, each sum in the order of the separate passes (block2_mul_add, then two accumulating block2_mul_add).
PDESYM_SIMD_CLONES void block2_update(bool real, const Planes4& e, const cvec& V, const Planes4& f1, const cvec& Nv,
                                      const Planes4& f2, const cvec& Na, const cvec& Nb, const Planes4& f3,
                                      const cvec& Nc, cvec& out, std::size_t nk, std::size_t m0, std::size_t m1) {
  const double* __restrict v = D(V);
  const double* __restrict nv = D(Nv);
  const double* __restrict na = D(Na);
  const double* __restrict nb = D(Nb);
  const double* __restrict nc = D(Nc);
  double* __restrict o = D(out);
  const std::size_t P = 2 * nk;
  const Block2 E(e), F1(f1), F2(f2), F3(f3);
  if (real) {
#pragma GCC ivdep
    for (std::size_t j = 2 * m0; j < 2 * m1; ++j) {
      double t0, t1, q0, q1;
      real_rows(E, j, v[j], v[P + j], t0, t1);
      real_rows(F1, j, nv[j], nv[P + j], q0, q1);
      t0 += q0;
      t1 += q1;
      real_rows(F2, j, 2.0 * (na[j] + nb[j]), 2.0 * (na[P + j] + nb[P + j]), q0, q1);
      t0 += q0;
      t1 += q1;
      real_rows(F3, j, nc[j], nc[P + j], q0, q1);
      o[j] = t0 + q0;
      o[P + j] = t1 + q1;
    }
    return;
  }
  for (std::size_t m = m0; m < m1; ++m) {
    const std::size_t r = 2 * m;
    const Pair2 sab = {2.0 * (na[r] + nb[r]), 2.0 * (na[r + 1] + nb[r + 1]), 2.0 * (na[P + r] + nb[P + r]),
                       2.0 * (na[P + r + 1] + nb[P + r + 1])};
    Pair2 t = prod2(E, m, load2(v, P, m));
    add_to(t, prod2(F1, m, load2(nv, P, m)));
    add_to(t, prod2(F2, m, sab));
    add_to(t, prod2(F3, m, load2(nc, P, m)));
    store2(o, P, m, t);
  }
}

// Block products for full (coupled) coefficients, planes [a][b][nk]: out_a = sum_b (A_ab x_b + B_ab y_b).
PDESYM_SIMD_CLONES void block_mul_add(const cvec& A, const cdouble* x, const cvec& B, const cdouble* y, cdouble* out, int nc, std::size_t nk) {
  if (nc == 2) {
    const Planes4 b = planes_of(B, nk);
    block2_mul_add(false, planes_of(A, nk), x, &b, y, out, nk, false, 0, nk);
    return;
  }
  const double* __restrict Ad = D(A);
  const double* __restrict Bd = D(B);
  const double* __restrict xd = reinterpret_cast<const double*>(x);
  const double* __restrict yd = reinterpret_cast<const double*>(y);
  double* __restrict o = reinterpret_cast<double*>(out);
  for (int a = 0; a < nc; ++a) {
    double* __restrict oa = o + 2 * a * nk;
    for (std::size_t m = 0; m < 2 * nk; ++m) oa[m] = 0.0;
    for (int b = 0; b < nc; ++b) {
      const double* __restrict Aab = Ad + 2 * (static_cast<std::size_t>(a) * nc + b) * nk;
      const double* __restrict Bab = Bd + 2 * (static_cast<std::size_t>(a) * nc + b) * nk;
      const double* __restrict xb = xd + 2 * b * nk;
      const double* __restrict yb = yd + 2 * b * nk;
      for (std::size_t m = 0; m < nk; ++m) {
        oa[2 * m] += (Aab[2 * m] * xb[2 * m] - Aab[2 * m + 1] * xb[2 * m + 1]) +
                     (Bab[2 * m] * yb[2 * m] - Bab[2 * m + 1] * yb[2 * m + 1]);
        oa[2 * m + 1] += (Aab[2 * m] * xb[2 * m + 1] + Aab[2 * m + 1] * xb[2 * m]) +
                         (Bab[2 * m] * yb[2 * m + 1] + Bab[2 * m + 1] * yb[2 * m]);
      }
    }
  }
}

// out_a += sum_b A_ab x_b.
PDESYM_SIMD_CLONES void block_mul_acc(const cvec& A, const cdouble* x, cdouble* out, int nc, std::size_t nk) {
  if (nc == 2) {
    block2_mul_add(false, planes_of(A, nk), x, nullptr, nullptr, out, nk, true, 0, nk);
    return;
  }
  const double* __restrict Ad = D(A);
  const double* __restrict xd = reinterpret_cast<const double*>(x);
  double* __restrict o = reinterpret_cast<double*>(out);
  for (int a = 0; a < nc; ++a) {
    double* __restrict oa = o + 2 * a * nk;
    for (int b = 0; b < nc; ++b) {
      const double* __restrict Aab = Ad + 2 * (static_cast<std::size_t>(a) * nc + b) * nk;
      const double* __restrict xb = xd + 2 * b * nk;
      for (std::size_t m = 0; m < nk; ++m) {
        oa[2 * m] += Aab[2 * m] * xb[2 * m] - Aab[2 * m + 1] * xb[2 * m + 1];
        oa[2 * m + 1] += Aab[2 * m] * xb[2 * m + 1] + Aab[2 * m + 1] * xb[2 * m];
      }
    }
  }
}

// The stage kernels of a diagonal L, per component, on interleaved doubles, with the plane products of ComplexPlane
// or RealPlane (a real component). Each sum is formed left to right in the order written. Inlined into the SIMD
// clones of step_diagonal.
using Runs = std::vector<ModeRun>;

// out = A x + B y on the runs.
template <class P>
PDESYM_ALWAYS_INLINE void mul_add_runs(const double* __restrict A, const double* __restrict x, const double* __restrict B,
                                       const double* __restrict y, double* __restrict out, const Runs& runs) {
  for (const ModeRun r : runs)
    for (std::size_t m = r.begin; m < r.end; ++m) {
      double pr, pi, qr, qi;
      P::mul(A, m, x[2 * m], x[2 * m + 1], pr, pi);
      P::mul(B, m, y[2 * m], y[2 * m + 1], qr, qi);
      out[2 * m] = pr + qr;
      out[2 * m + 1] = pi + qi;
    }
}

// out = A x on the runs (out may be x).
template <class P>
PDESYM_ALWAYS_INLINE void mul_runs(const double* __restrict A, const double* x, double* out, const Runs& runs) {
  for (const ModeRun r : runs)
    for (std::size_t m = r.begin; m < r.end; ++m) {
      double pr, pi;
      P::mul(A, m, x[2 * m], x[2 * m + 1], pr, pi);
      out[2 * m] = pr;
      out[2 * m + 1] = pi;
    }
}

// Stage c: out = E2 a + Q w, w = 2 N(b) - N(v) formed per mode.
template <class P>
PDESYM_ALWAYS_INLINE void stage_c_runs(const double* __restrict E2, const double* __restrict a, const double* __restrict Q,
                                       const double* __restrict Nb, const double* __restrict Nv, double* __restrict out,
                                       const Runs& runs) {
  for (const ModeRun r : runs)
    for (std::size_t m = r.begin; m < r.end; ++m) {
      const double wr = 2.0 * Nb[2 * m] - Nv[2 * m], wi = 2.0 * Nb[2 * m + 1] - Nv[2 * m + 1];
      double pr, pi, qr, qi;
      P::mul(E2, m, a[2 * m], a[2 * m + 1], pr, pi);
      P::mul(Q, m, wr, wi, qr, qi);
      out[2 * m] = pr + qr;
      out[2 * m + 1] = pi + qi;
    }
}

// The update, in place: v = E v + f1 N(v) + f2 s + f3 N(c), s = 2 (N(a) + N(b)) formed per mode.
template <class P>
PDESYM_ALWAYS_INLINE void update_runs(const double* __restrict E, const double* __restrict F1, const double* __restrict F2,
                                      const double* __restrict F3, double* __restrict v, const double* __restrict Nv,
                                      const double* __restrict Na, const double* __restrict Nb, const double* __restrict Nc,
                                      const Runs& runs) {
  for (const ModeRun r : runs)
    for (std::size_t m = r.begin; m < r.end; ++m) {
      const double sr = 2.0 * (Na[2 * m] + Nb[2 * m]), si = 2.0 * (Na[2 * m + 1] + Nb[2 * m + 1]);
      double er, ei, ar, ai, br, bi, cr, ci;
      P::mul(E, m, v[2 * m], v[2 * m + 1], er, ei);
      P::mul(F1, m, Nv[2 * m], Nv[2 * m + 1], ar, ai);
      P::mul(F2, m, sr, si, br, bi);
      P::mul(F3, m, Nc[2 * m], Nc[2 * m + 1], cr, ci);
      v[2 * m] = er + ar + br + cr;
      v[2 * m + 1] = ei + ai + bi + ci;
    }
}
// The embedded estimate of a diagonal L's component: out = f3 (N1 - N0) on the runs.
template <class Plane>
PDESYM_ALWAYS_INLINE void estimate_runs(const double* __restrict F3, const double* __restrict N1,
                                        const double* __restrict N0, double* __restrict out, const Runs& runs) {
  for (const ModeRun r : runs)
    for (std::size_t m = r.begin; m < r.end; ++m)
      Plane::mul(F3, m, N1[2 * m] - N0[2 * m], N1[2 * m + 1] - N0[2 * m + 1], out[2 * m], out[2 * m + 1]);
}
PDESYM_SIMD_CLONES void embedded_estimate(bool real, const double* F3, const double* N1, const double* N0, double* out,
                                          const Runs& runs) {
  if (real) estimate_runs<RealPlane>(F3, N1, N0, out, runs);
  else estimate_runs<ComplexPlane>(F3, N1, N0, out, runs);
}
}  // namespace

void Etdrk4::step(cvec& v) {
  if (real_state_) zero_dropped(v);  // the projection onto the kept modes (integrate()'s states are projected already)
  if (diagonal_) step_diagonal(v, false);
  else step_full(v, false);
  if (real_state_)
    for (int c = 0; c < nc_; ++c) symmetrise_real_spectrum(ws_.box, v.data() + static_cast<std::size_t>(c) * nk_);
}

void Etdrk4::step_embedded(cvec& v, cvec& Nv, cvec& est) {
  const std::size_t n = static_cast<std::size_t>(nc_) * nk_;
  PDESYM_CHECK(v.size() == n, "step_embedded: state has " << v.size() << " entries, expected " << n);
  est.assign(n, 0.0);
  if (pde_.linear_only()) {
    step(v);
    return;
  }
  if (real_state_) zero_dropped(v);
  if (Nv.size() == n) Nv_.swap(Nv);
  else pde_.nonlinear(v.data(), Nv_.data(), ws_);
  if (diagonal_) step_diagonal(v, true);
  else step_full(v, true);
  if (real_state_)
    for (int c = 0; c < nc_; ++c) symmetrise_real_spectrum(ws_.box, v.data() + static_cast<std::size_t>(c) * nk_);
  Nv.resize(n);
  pde_.nonlinear(v.data(), Nv.data(), ws_);  // first same as last: N(v) of the next step
  if (diagonal_) {  // est = f3 (N(v_new) - N(c)), in one pass per component; zero where N is (the removed modes)
    const std::size_t nk = static_cast<std::size_t>(nk_);
    for (std::size_t p = 0; p < static_cast<std::size_t>(nc_); ++p)
      embedded_estimate(real_[p], coef_plane(5, p), D(Nv) + 2 * p * nk, D(Nc_) + 2 * p * nk, D(est) + 2 * p * nk, ws_.kept);
  } else {
    d_.resize(n);
    for (std::size_t m = 0; m < n; ++m) d_[m] = Nv[m] - Nc_[m];
    if (nc_ == 2) {  // through coef_plane, as step_full: a real coupling's (re, re) planes
      const Planes4 F3{{coef_plane(5, 0), coef_plane(5, 1), coef_plane(5, 2), coef_plane(5, 3)}};
      block2_mul_add(real_[0], F3, d_.data(), nullptr, nullptr, est.data(), static_cast<std::size_t>(nk_), true, 0,
                     static_cast<std::size_t>(nk_));
    } else {
      block_mul_acc(f3_, d_.data(), est.data(), nc_, nk_);
    }
  }
}

void Etdrk4::zero_dropped(cvec& x) const {
  const std::size_t nk = static_cast<std::size_t>(nk_);
  for (std::size_t p = 0; p < x.size() / nk; ++p)
    for (const ModeRun r : ws_.dropped) std::fill(x.begin() + p * nk + r.begin, x.begin() + p * nk + r.end, cdouble(0.0));
}

PDESYM_SIMD_CLONES void Etdrk4::step_diagonal(cvec& v, bool have_nv) {
  // Diagonal L: every entry of the [nc][nk] state is an independent scalar ETDRK4 combination, component by
  // component with that component's coefficient planes (coef_plane: a plane equal to an earlier one is read there;
  // a real component's (re, re) planes take the RealPlane kernels). On the modes the mask removes N is zero, so
  // there the stages are their linear parts (the same values: x + 0 == x), computed only for a state that is not
  // kept dealiased; a dealiased (projected) one keeps zeros there (stages consumed by N(b), N(c) are re-zeroed).
  const std::size_t nk = static_cast<std::size_t>(nk_), nc = static_cast<std::size_t>(nc_);
  auto plane = [&](const cvec& x, std::size_t k) { return D(x) + 2 * k * nk; };
  auto out_plane = [&](cvec& x, std::size_t k) { return D(x) + 2 * k * nk; };
  if (pde_.linear_only()) {
    const Runs all{{0, nk}};
    for (std::size_t k = 0; k < nc; ++k) {
      if (real_[k]) {
        mul_runs<RealPlane>(coef_plane(0, k), plane(v, k), out_plane(v, k), all);
      } else {
        for (std::size_t m = k * nk; m < (k + 1) * nk; ++m) v[m] *= E_[m];
      }
    }
    return;
  }
  const bool tail = !real_state_;
  const Runs& kept = ws_.kept;
  const Runs& dropped = ws_.dropped;
  // Stages a and b: out = E2 v + Q N (inlined, as the kernels it calls, into each clone).
  auto stage_ab = [&](const cvec& N, cvec& out) PDESYM_LAMBDA_ALWAYS_INLINE {
    for (std::size_t k = 0; k < nc; ++k) {
      const double *E2 = coef_plane(1, k), *Q = coef_plane(2, k), *V = plane(v, k), *Nk = plane(N, k);
      double* O = out_plane(out, k);
      if (real_[k]) {
        mul_add_runs<RealPlane>(E2, V, Q, Nk, O, kept);
        if (tail) mul_runs<RealPlane>(E2, V, O, dropped);
      } else {
        mul_add_runs<ComplexPlane>(E2, V, Q, Nk, O, kept);
        if (tail) mul_runs<ComplexPlane>(E2, V, O, dropped);
      }
    }
  };
  if (!have_nv) pde_.nonlinear(v.data(), Nv_.data(), ws_);
  stage_ab(Nv_, a_);  // a = E2 v + Q N(v)
  pde_.nonlinear(a_.data(), Na_.data(), ws_);
  stage_ab(Na_, b_);  // b = E2 v + Q N(a)
  if (!tail) zero_dropped(b_);  // the last N(b) may have overwritten them
  pde_.nonlinear_consuming(b_.data(), Nb_.data(), ws_);  // b is not needed after N(b)
  for (std::size_t k = 0; k < nc; ++k) {  // c = E2 a + Q (2 N(b) - N(v))
    const double *E2 = coef_plane(1, k), *Q = coef_plane(2, k), *A = plane(a_, k), *Nb = plane(Nb_, k), *Nv = plane(Nv_, k);
    double* C = out_plane(c_, k);
    if (real_[k]) {
      stage_c_runs<RealPlane>(E2, A, Q, Nb, Nv, C, kept);
      if (tail) mul_runs<RealPlane>(E2, A, C, dropped);
    } else {
      stage_c_runs<ComplexPlane>(E2, A, Q, Nb, Nv, C, kept);
      if (tail) mul_runs<ComplexPlane>(E2, A, C, dropped);
    }
  }
  if (!tail) zero_dropped(c_);
  pde_.nonlinear_consuming(c_.data(), Nc_.data(), ws_);  // nor c after N(c)
  for (std::size_t k = 0; k < nc; ++k) {  // v = E v + f1 N(v) + 2 f2 (N(a) + N(b)) + f3 N(c)
    const double *E = coef_plane(0, k), *F1 = coef_plane(3, k), *F2 = coef_plane(4, k), *F3 = coef_plane(5, k);
    const double *Nv = plane(Nv_, k), *Na = plane(Na_, k), *Nb = plane(Nb_, k), *Nc = plane(Nc_, k);
    double* V = out_plane(v, k);
    if (real_[k]) {
      update_runs<RealPlane>(E, F1, F2, F3, V, Nv, Na, Nb, Nc, kept);
      if (tail) mul_runs<RealPlane>(E, V, V, dropped);
    } else {
      update_runs<ComplexPlane>(E, F1, F2, F3, V, Nv, Na, Nb, Nc, kept);
      if (tail) mul_runs<ComplexPlane>(E, V, V, dropped);
    }
  }
}

void Etdrk4::step_full(cvec& v, bool have_nv) {
  // Coupled blocks: the same four stages with block matrix-vector products per wavevector.
  const std::size_t nk = static_cast<std::size_t>(nk_), n = static_cast<std::size_t>(nc_) * nk;
  w_.resize(n);
  auto pl = [&](int f) { return Planes4{{coef_plane(f, 0), coef_plane(f, 1), coef_plane(f, 2), coef_plane(f, 3)}}; };
  if (pde_.linear_only()) {
    std::fill(w_.begin(), w_.end(), cdouble(0.0));
    if (nc_ == 2) block2_mul_add(real_[0], pl(0), v.data(), nullptr, nullptr, w_.data(), nk, true, 0, nk);
    else block_mul_acc(E_, v.data(), w_.data(), nc_, nk);
    v.swap(w_);
    return;
  }
  if (!have_nv) pde_.nonlinear(v.data(), Nv_.data(), ws_);
  if (nc_ == 2) {  // 2 x 2 blocks, read through coef_plane (bitwise repeated planes once)
    const Planes4 E = pl(0), E2 = pl(1), Q = pl(2), F1 = pl(3), F2 = pl(4), F3 = pl(5);
    const bool rb = real_[0];  // a real coupling: (re, re) planes
    // On the removed modes N is zero: the linear parts there for a state not kept dealiased, else zeros (as in
    // step_diagonal).
    const bool linear_tail = !real_state_;
    for (const ModeRun r : ws_.kept)  // a = E2 v + Q N(v)
      block2_mul_add(rb, E2, v.data(), &Q, Nv_.data(), a_.data(), nk, false, r.begin, r.end);
    if (linear_tail)
      for (const ModeRun r : ws_.dropped) block2_mul_add(rb, E2, v.data(), nullptr, nullptr, a_.data(), nk, false, r.begin, r.end);
    pde_.nonlinear(a_.data(), Na_.data(), ws_);
    for (const ModeRun r : ws_.kept)  // b = E2 v + Q N(a)
      block2_mul_add(rb, E2, v.data(), &Q, Na_.data(), b_.data(), nk, false, r.begin, r.end);
    if (linear_tail)
      for (const ModeRun r : ws_.dropped) block2_mul_add(rb, E2, v.data(), nullptr, nullptr, b_.data(), nk, false, r.begin, r.end);
    else
      zero_dropped(b_);  // the last N(b) may have overwritten them
    pde_.nonlinear_consuming(b_.data(), Nb_.data(), ws_);  // b is not needed after N(b)
    for (const ModeRun r : ws_.kept) block2_stage_c(rb, E2, a_, Q, Nb_, Nv_, c_, nk, r.begin, r.end);  // c = E2 a + Q (2 N(b) - N(v))
    if (linear_tail)
      for (const ModeRun r : ws_.dropped) block2_mul_add(rb, E2, a_.data(), nullptr, nullptr, c_.data(), nk, false, r.begin, r.end);
    else
      zero_dropped(c_);
    pde_.nonlinear_consuming(c_.data(), Nc_.data(), ws_);  // nor c after N(c)
    for (const ModeRun r : ws_.kept)  // v = E v + f1 N(v) + 2 f2 (N(a) + N(b)) + f3 N(c)
      block2_update(rb, E, v, F1, Nv_, F2, Na_, Nb_, F3, Nc_, w_, nk, r.begin, r.end);
    if (linear_tail)  // else w_ holds the previous (projected) state there, or the zeros of its first resize
      for (const ModeRun r : ws_.dropped) block2_mul_add(rb, E, v.data(), nullptr, nullptr, w_.data(), nk, false, r.begin, r.end);
    v.swap(w_);
    return;
  }
  block_mul_add(E2_, v.data(), Q_, Nv_.data(), a_.data(), nc_, nk);  // a = E2 v + Q N(v)
  pde_.nonlinear(a_.data(), Na_.data(), ws_);
  block_mul_add(E2_, v.data(), Q_, Na_.data(), b_.data(), nc_, nk);  // b = E2 v + Q N(a)
  pde_.nonlinear_consuming(b_.data(), Nb_.data(), ws_);  // b is not needed after N(b)
  for (std::size_t m = 0; m < n; ++m) w_[m] = 2.0 * Nb_[m] - Nv_[m];
  block_mul_add(E2_, a_.data(), Q_, w_.data(), c_.data(), nc_, nk);  // c = E2 a + Q (2 N(b) - N(v))
  pde_.nonlinear_consuming(c_.data(), Nc_.data(), ws_);  // nor c after N(c)
  // v = E v + f1 N(v) + 2 f2 (N(a) + N(b)) + f3 N(c)
  for (std::size_t m = 0; m < n; ++m) Na_[m] = 2.0 * (Na_[m] + Nb_[m]);
  block_mul_add(E_, v.data(), f1_, Nv_.data(), w_.data(), nc_, nk);
  block_mul_acc(f2_, Na_.data(), w_.data(), nc_, nk);
  block_mul_acc(f3_, Nc_.data(), w_.data(), nc_, nk);
  v.swap(w_);
}

namespace {
// Smallest ladder value ceil(2^(k/4)) >= x (x >= 1).
long ladder_up(double x) {
  for (int k = 0;; ++k) {
    const long s = static_cast<long>(std::ceil(std::pow(2.0, k / 4.0) - 1e-9));
    if (static_cast<double>(s) >= x - 1e-9) return s;
  }
}

// Upper bound of max_x |e(x)| over the components of the spectral state e ([nc][nk], FFTW's unnormalised
// half spectrum of each real component): |e(x)| <= (1/np) sum over the full spectrum |e_k| <= (2/np) sum over
// the half spectrum. Two partial sums (the error control needs no particular summation order).
double sup_bound(const cvec& e, int nc, std::size_t nk, std::size_t np) {
  double m = 0;
  for (int c = 0; c < nc; ++c) {
    const double* __restrict d = reinterpret_cast<const double*>(e.data() + static_cast<std::size_t>(c) * nk);
    double s0 = 0, s1 = 0;
    std::size_t k = 0;
    for (; k + 2 <= nk; k += 2) {
      s0 += std::sqrt(d[2 * k] * d[2 * k] + d[2 * k + 1] * d[2 * k + 1]);
      s1 += std::sqrt(d[2 * k + 2] * d[2 * k + 2] + d[2 * k + 3] * d[2 * k + 3]);
    }
    if (k < nk) s0 += std::sqrt(d[2 * k] * d[2 * k] + d[2 * k + 1] * d[2 * k + 1]);
    m = std::max(m, 2.0 * (s0 + s1) / static_cast<double>(np));
  }
  return m;
}
}  // namespace

bool StepperCache::Entry::matches(const FieldPde& p, const Box& b, double step, const Etdrk4Options& o,
                                  Dealias d) const {
  return pde == &p && h == step && box.dim == b.dim && box.nx == b.nx && box.ny == b.ny && box.Lx == b.Lx &&
         box.Ly == b.Ly && opt.contour_points == o.contour_points && opt.contour_radius == o.contour_radius &&
         dealias == d;
}

Etdrk4& StepperCache::get(const FieldPde& pde, const Box& box, double h, const Etdrk4Options& opt, Dealias dealias) {
  ++clock_;
  for (auto& e : entries_)
    if (e.matches(pde, box, h, opt, dealias)) {
      e.used = clock_;
      return *e.stepper;
    }
  auto stepper = std::make_unique<Etdrk4>(pde, box, h, opt, dealias);
  ++built_;
  // Drop the least recently used until the new one fits both bounds. The sizes are read now: a stepper's scratch
  // grows on its first steps.
  const std::size_t b = stepper->bytes();
  std::size_t held = bytes();
  while (!entries_.empty() && (entries_.size() + 1 > max_ || held + b > max_bytes_)) {
    auto lru = std::min_element(entries_.begin(), entries_.end(),
                                [](const Entry& x, const Entry& y) { return x.used < y.used; });
    held -= lru->stepper->bytes();
    entries_.erase(lru);
  }
  entries_.push_back({&pde, box, h, opt, dealias, std::move(stepper), clock_});
  return *entries_.back().stepper;
}

std::size_t StepperCache::bytes() const {
  std::size_t b = 0;
  for (const auto& e : entries_) b += e.stepper->bytes();
  return b;
}

Etdrk4& StepperCache::fixed(const FieldPde& pde, const Box& box, double h, const Etdrk4Options& opt, Dealias dealias) {
  if (fixed_ && fixed_->matches(pde, box, h, opt, dealias)) return *fixed_->stepper;
  fixed_.reset();  // the old stepper goes before the new one is built: one at a time
  fixed_ = Entry{&pde, box, h, opt, dealias, std::make_unique<Etdrk4>(pde, box, h, opt, dealias)};
  return *fixed_->stepper;
}

Field integrate(const FieldPde& pde, const Box& box, const std::vector<double>& u0, double T, int nt,
                const IntegrateOptions& opt, IntegrateStats* stats) {
  box.validate();
  PDESYM_REQUIRE(pde.supports_dim(box.dim), opt.label << ": " << pde.name() << " is not defined in " << box.dim << "-D");
  const int nc = pde.nc();
  const std::size_t np = box.points(), nk = box.modes();
  PDESYM_REQUIRE(u0.size() == nc * np, opt.label << ": initial condition has " << u0.size() << " values, the "
                                                 << nc << "-component field on a " << box.ny << " x " << box.nx
                                                 << " box needs " << nc * np);
  PDESYM_REQUIRE(nt >= 2, "need at least 2 stored time steps, got " << nt);
  PDESYM_REQUIRE(T > 0 && std::isfinite(T), "final time T must be positive, got " << T);
  PDESYM_REQUIRE(opt.dt_max > 0, "dt_max must be positive, got " << opt.dt_max);
  PDESYM_REQUIRE(opt.rtol >= 0 && std::isfinite(opt.rtol), "rtol must be >= 0 and finite, got " << opt.rtol);
  PDESYM_REQUIRE(opt.atol >= 0 && std::isfinite(opt.atol), "atol must be >= 0 and finite, got " << opt.atol);
  PDESYM_REQUIRE(opt.rtol > 0 || opt.atol == 0, "atol needs rtol > 0 (error control), got atol " << opt.atol);
  for (double v : u0) PDESYM_REQUIRE(std::isfinite(v), opt.label << ": initial condition is not finite");

  const double dt_out = T / (nt - 1);
  const bool adaptive = opt.rtol > 0;
  const int sub = adaptive ? 1 : std::max(1, static_cast<int>(std::ceil(dt_out / opt.dt_max - 1e-12)));
  // Steppers of h = dt_out / s (adaptive path: cached per s) and the fixed path's one, kept in opt.steppers if given
  // (shared by a dataset's trajectories), else per call.
  StepperCache local;
  StepperCache& cache = opt.steppers ? *opt.steppers : local;
  Etdrk4* fixed = adaptive ? nullptr : &cache.fixed(pde, box, dt_out / sub, opt.etd, opt.dealias);
  IntegrateStats st;

  Field f;
  f.shape = FieldShape{box.dim, nc, nt, box.ny, box.nx};
  f.components = pde.component_names();
  PDESYM_CHECK(static_cast<int>(f.components.size()) == nc, pde.name() << " names " << f.components.size()
                                                                         << " components, has " << nc);
  f.data.resize(f.shape.size());
  f.x = box.x();
  f.y = box.y();
  f.dx = box.Lx / box.nx;
  f.dy = box.dim == 2 ? box.Ly / box.ny : 0.0;
  f.dt = dt_out;
  f.t.resize(nt);
  for (int n = 0; n < nt; ++n) f.t[n] = n * dt_out;

  FftBox fft(box);
  cvec v(nc * nk);
  for (int c = 0; c < nc; ++c) {
    fft.forward(u0.data() + c * np, v.data() + c * nk);
    if (pde.keeps_real_dealiased_state()) {  // store the state that is integrated
      project_dealiased(box, v.data() + c * nk, opt.dealias);
      fft.inverse(v.data() + c * nk, f.snapshot(c, 0));
    } else {
      std::copy(u0.begin() + c * np, u0.begin() + (c + 1) * np, f.snapshot(c, 0));
    }
  }
  auto stepper_for = [&](long s) -> Etdrk4& { return cache.get(pde, box, dt_out / static_cast<double>(s), opt.etd, opt.dealias); };
  const long s_min = std::isfinite(opt.dt_max) ? ladder_up(std::max(1.0, std::ceil(dt_out / opt.dt_max - 1e-12))) : 1;
  constexpr long s_limit = 1L << 20;
  long s_cur = s_min;
  // The error is measured as the check measures it: max_x |est| (bounded by sup_bound) against
  // rtol max_{t' <= t, x} |u| + atol, the largest value stored so far (all components).
  double u_max = 0;
  for (int c = 0; c < nc; ++c)
    for (std::size_t j = 0; j < np; ++j) u_max = std::max(u_max, std::abs(f.snapshot(c, 0)[j]));
  cvec Nv, v0, Nv0, est;
  std::set<long> sizes;
  double h_last = dt_out / sub;
  for (int n = 1; n < nt; ++n) {
    if (!adaptive) {
      for (int s = 0; s < sub; ++s) fixed->step(v);
      st.steps += sub;
    } else {
      v0 = v;
      Nv0 = Nv;
      for (;;) {
        Etdrk4& stepper = stepper_for(s_cur);
        sizes.insert(s_cur);
        const double h = dt_out / static_cast<double>(s_cur);
        double err = 0;
        long done = 0;
        while (done < s_cur) {
          stepper.step_embedded(v, Nv, est);
          ++done;
          const double num = sup_bound(est, nc, nk, np) * (nt - 1.0);
          const double e = num == 0 ? 0.0 : num / (opt.rtol * u_max + opt.atol);
          err = std::isfinite(e) ? std::max(err, e) : 1e30;
          if (err > 1.0) break;
        }
        st.steps += done;
        if (err <= 1.0) {
          const double fac = std::clamp(0.9 * std::pow(std::max(err, 1e-10), -1.0 / 3.0), 0.2, 5.0);
          st.accepted += s_cur;
          h_last = h;
          s_cur = std::max(s_min, ladder_up(std::max(1.0, static_cast<double>(s_cur) / fac)));
          break;
        }
        ++st.rejected;
        v = v0;
        Nv = Nv0;
        const double fac = std::clamp(0.9 * std::pow(err, -1.0 / 3.0), 0.2, 0.9);
        s_cur = std::max(ladder_up(static_cast<double>(s_cur) / fac), ladder_up(s_cur + 1.0));
        if (s_cur > s_limit) {
          std::ostringstream os;
          os << opt.label << ": " << pde.name() << " error control failed at t = " << (n - 1) * dt_out
             << " (step below dt_out / " << s_limit << " for rtol = " << opt.rtol << ", atol = " << opt.atol
             << "); the solution is probably blowing up";
          throw BlowUpError(os.str());
        }
      }
    }
    for (int c = 0; c < nc; ++c) {
      double* snap = f.snapshot(c, n);
      fft.inverse(v.data() + c * nk, snap);
      for (std::size_t j = 0; j < np; ++j) {
        u_max = std::max(u_max, std::abs(snap[j]));
        if (!std::isfinite(snap[j])) {
          std::ostringstream os;
          os << opt.label << ": " << pde.name() << " solution blew up (non-finite value) at t = " << f.t[n]
             << " (stored step " << n << " of " << nt - 1 << ", internal dt = " << h_last
             << "); reduce solver.dt (or solver.rtol) or the initial amplitude";
          throw BlowUpError(os.str());
        }
      }
    }
  }
  if (!adaptive) st.accepted = st.steps;
  st.step_sizes = adaptive ? static_cast<int>(sizes.size()) : 1;
  if (stats) *stats = st;
  return f;
}

Field integrate(const Pde& pde, const Grid& grid, const rvec& u0, double T, int nt, const IntegrateOptions& opt,
                IntegrateStats* stats) {
  PDESYM_REQUIRE(static_cast<int>(u0.size()) == grid.nx,
                 "initial condition has " << u0.size() << " points, grid has " << grid.nx);
  return integrate(static_cast<const FieldPde&>(pde), Box::of(grid), u0, T, nt, opt, stats);
}

}  // namespace pdesym::solvers
