// Multiplication by i^r on interleaved (re, im) doubles as a swap/negation of the parts, shared by the
// vectorised symbol loops of pde.cpp and system_pde.cpp.
#pragma once

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

}  // namespace pdesym::solvers::detail
