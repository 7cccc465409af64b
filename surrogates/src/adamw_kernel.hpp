#pragma once
// The element loop of the fused AdamW (adamw.hpp), without LibTorch: compiled with -fno-math-errno so that the
// square root vectorises (results unchanged: sqrt is correctly rounded either way).
#include <cstdint>

namespace pdesym::surrogates::detail {

/// For j < n, in LibTorch AdamW's operation order: p = p decay; m = m b1 + a1 g; v = v b2 + a2 g g;
/// p = p + neg_step (m / (sqrt(v) / sqrt_bc2 + eps)).
template <class T>
void adamw_update(T* p, const T* g, T* m, T* v, std::int64_t n, T decay, T b1, T a1, T b2, T a2, T sqrt_bc2, T eps,
                  T neg_step);

}  // namespace pdesym::surrogates::detail
