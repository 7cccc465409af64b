#include "adamw_kernel.hpp"

#include <cmath>

namespace pdesym::surrogates::detail {

template <class T>
void adamw_update(T* __restrict p, const T* __restrict g, T* __restrict m, T* __restrict v, std::int64_t n, T decay,
                  T b1, T a1, T b2, T a2, T sqrt_bc2, T eps, T neg_step) {
  for (std::int64_t j = 0; j < n; ++j) {
    const T pj = p[j] * decay;                      // p.mul_(1 - lr wd)
    const T mj = m[j] * b1 + a1 * g[j];             // exp_avg.mul_(beta1).add_(grad, 1 - beta1)
    const T vj = v[j] * b2 + a2 * g[j] * g[j];      // exp_avg_sq.mul_(beta2).addcmul_(grad, grad, 1 - beta2)
    const T den = std::sqrt(vj) / sqrt_bc2 + eps;   // (exp_avg_sq.sqrt() / sqrt(bc2)).add_(eps)
    p[j] = pj + neg_step * (mj / den);              // p.addcdiv_(exp_avg, denom, -lr / bc1)
    m[j] = mj;
    v[j] = vj;
  }
}

template void adamw_update<float>(float*, const float*, float*, float*, std::int64_t, float, float, float, float, float,
                                  float, float, float);
template void adamw_update<double>(double*, const double*, double*, double*, std::int64_t, double, double, double,
                                   double, double, double, double, double);

}  // namespace pdesym::surrogates::detail
