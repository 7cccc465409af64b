// Multiplication by i^r on interleaved (re, im) doubles as a swap/negation of the parts, and the pass
// o (=|+=) f i^R z over modes that the symbol loops of pde.cpp and system_pde.cpp share.
#pragma once

#include <cstddef>
#include <cstring>

#include "simd.hpp"

namespace pdesym::solvers::detail {

/// i^R z = (sign_re * z[src_re], sign_im * z[src_im]) for z = (z[0], z[1]) = (re, im):
/// R mod 4 = 0 -> (re, im), 1 -> (-im, re), 2 -> (-re, -im), 3 -> (im, -re).
template <int R>
struct IPow {
  static constexpr int rot = R % 4;
  static constexpr int src_re = (rot % 2 == 0) ? 0 : 1, src_im = 1 - src_re;
  static constexpr double sign_re = (rot == 1 || rot == 2) ? -1.0 : 1.0;
  static constexpr double sign_im = (rot == 2 || rot == 3) ? -1.0 : 1.0;
};

/// How a pass writes its output o: o = x, o += x, or o = 0.0 + x (the value of zero-filling o first and adding,
/// -0.0 turned into +0.0 included, without the fill pass).
enum Write : int { kAssign = 0, kAdd = 1, kAddToZero = 2 };

/// o[m] (=|+=|= 0.0 +) f(m) * i^R * z[m] for m in [m0, m1), z and o interleaved (re, im) doubles. Fac provides the
/// real factor per mode, `double operator()(std::size_t m)`, and (GCC) for four modes at once, `void four(std::size_t
/// m, V4& f)`, each lane computed by the same operations in the same order as the scalar one. Per mode the value is
/// (f * sign) * z_part, as the scalar formula f * sign_re * z[src_re] reads: the two forms are bit-identical. With
/// GCC the main loop runs on four modes per iteration in vector types (the factor duplicated into the (re, im)
/// slots by a shuffle, the parts swapped in place), which the auto-vectoriser did not find: it split the pairs into
/// re and im vectors and interleaved them back (eight shuffles per four modes, six lane-crossing). Call it from a
/// PDESYM_SIMD_CLONES function (it is inlined and compiled for each clone's target).
#if defined(__GNUC__) && !defined(__clang__)
#define PDESYM_VECTOR_TYPES 1
typedef double V4 __attribute__((vector_size(32)));
typedef long long V4i __attribute__((vector_size(32)));
#endif

template <int R, int W, class Fac>
PDESYM_ALWAYS_INLINE void rotated_pass(const Fac& fac, const double* __restrict z, double* __restrict o, std::size_t m0,
                                      std::size_t m1) {
  using P = IPow<R>;
  constexpr int src_re = P::src_re, src_im = P::src_im;
  constexpr double sign_re = P::sign_re, sign_im = P::sign_im;
  std::size_t m = m0;
#ifdef PDESYM_VECTOR_TYPES
  const V4 sign = {sign_re, sign_im, sign_re, sign_im};
  for (; m + 4 <= m1; m += 4) {
    V4 f;
    fac.four(m, f);
    V4 z0, z1;
    std::memcpy(&z0, z + 2 * m, sizeof z0);
    std::memcpy(&z1, z + 2 * m + 4, sizeof z1);
    if (src_re == 1) {  // (im, re) per mode
      z0 = __builtin_shuffle(z0, V4i{1, 0, 3, 2});
      z1 = __builtin_shuffle(z1, V4i{1, 0, 3, 2});
    }
    V4 r0 = __builtin_shuffle(f, V4i{0, 0, 1, 1}) * sign * z0;
    V4 r1 = __builtin_shuffle(f, V4i{2, 2, 3, 3}) * sign * z1;
    if (W != kAssign) {
      V4 o0, o1;
      if (W == kAdd) {
        std::memcpy(&o0, o + 2 * m, sizeof o0);
        std::memcpy(&o1, o + 2 * m + 4, sizeof o1);
      } else {
        o0 = V4{0.0, 0.0, 0.0, 0.0};
        o1 = o0;
      }
      r0 = o0 + r0;
      r1 = o1 + r1;
    }
    std::memcpy(o + 2 * m, &r0, sizeof r0);
    std::memcpy(o + 2 * m + 4, &r1, sizeof r1);
  }
#endif
  for (; m < m1; ++m) {
    const double f = fac(m);
    const double zr = z[2 * m], zi = z[2 * m + 1];  // both loaded, then picked: a loop the vectoriser takes
    const double re = f * sign_re * (src_re == 0 ? zr : zi), im = f * sign_im * (src_im == 0 ? zr : zi);
    if (W == kAdd) {
      o[2 * m] += re;
      o[2 * m + 1] += im;
    } else if (W == kAddToZero) {
      o[2 * m] = 0.0 + re;
      o[2 * m + 1] = 0.0 + im;
    } else {
      o[2 * m] = re;
      o[2 * m + 1] = im;
    }
  }
}

}  // namespace pdesym::solvers::detail
