#pragma once
// Truncated Taylor polynomials ("jets") of tensors in two offsets (a, b) around a sample point: coefficients of
// a^0..a^n and of b, arithmetic modulo (a^{n+1}, a b, b^2). That is exactly what the total derivatives D_x^k
// (k <= n) and D_t at the sample need. Each coefficient is a tensor of any shape; propagating jets through a
// function is forward-mode ("Taylor mode") differentiation, so one ordinary backward pass trains through it.
// Included only by learned/src/*.cpp after the precompiled <torch/torch.h>.
#include <torch/torch.h>

#include <vector>

namespace pdesym::learned::detail {

struct Jet {
  std::vector<torch::Tensor> c;  ///< c[i]: coefficient of a^i
  torch::Tensor b;               ///< coefficient of b
  int n() const { return static_cast<int>(c.size()) - 1; }
};

inline Jet operator+(const Jet& p, const Jet& q) {
  Jet r;
  for (std::size_t i = 0; i < p.c.size(); ++i) r.c.push_back(p.c[i] + q.c[i]);
  r.b = p.b + q.b;
  return r;
}

inline Jet operator-(const Jet& p, const Jet& q) {
  Jet r;
  for (std::size_t i = 0; i < p.c.size(); ++i) r.c.push_back(p.c[i] - q.c[i]);
  r.b = p.b - q.b;
  return r;
}

inline Jet operator*(const Jet& p, const Jet& q) {
  Jet r;
  const int n = p.n();
  for (int k = 0; k <= n; ++k) {
    torch::Tensor s = p.c[0] * q.c[static_cast<std::size_t>(k)];
    for (int i = 1; i <= k; ++i) s = s + p.c[static_cast<std::size_t>(i)] * q.c[static_cast<std::size_t>(k - i)];
    r.c.push_back(s);
  }
  r.b = p.c[0] * q.b + p.b * q.c[0];
  return r;
}

inline Jet operator*(double s, const Jet& p) {
  Jet r;
  for (const auto& t : p.c) r.c.push_back(s * t);
  r.b = s * p.b;
  return r;
}

/// Applies the same linear map to every coefficient.
template <class Fn>
Jet map_linear(const Jet& p, Fn fn) {
  Jet r;
  for (const auto& t : p.c) r.c.push_back(fn(t));
  r.b = fn(p.b);
  return r;
}

/// Batched affine map t @ W + bias on a jet (the bias only enters the constant coefficient).
inline Jet jet_affine(const Jet& p, const torch::Tensor& W, const torch::Tensor& bias) {
  Jet r = map_linear(p, [&](const torch::Tensor& t) { return torch::bmm(t, W); });
  if (bias.defined()) r.c[0] = r.c[0] + bias;
  return r;
}

/// tanh of a jet: y' = (1 - y^2) p' gives k y_k = sum_{j=1..k} j p_j w_{k-j} with w = 1 - y^2.
inline Jet jet_tanh(const Jet& p) {
  const int n = p.n();
  Jet y;
  y.c.push_back(torch::tanh(p.c[0]));
  std::vector<torch::Tensor> w;
  for (int k = 1; k <= n; ++k) {
    const int m = k - 1;  // w_{k-1} from y_0..y_{k-1}
    torch::Tensor wm = -y.c[0] * y.c[static_cast<std::size_t>(m)];
    for (int i = 1; i <= m; ++i) wm = wm - y.c[static_cast<std::size_t>(i)] * y.c[static_cast<std::size_t>(m - i)];
    if (m == 0) wm = wm + 1.0;
    w.push_back(wm);
    torch::Tensor yk = p.c[1] * w[static_cast<std::size_t>(k - 1)];
    for (int j = 2; j <= k; ++j)
      yk = yk + static_cast<double>(j) * p.c[static_cast<std::size_t>(j)] * w[static_cast<std::size_t>(k - j)];
    y.c.push_back(yk / static_cast<double>(k));
  }
  y.b = (1.0 - y.c[0] * y.c[0]) * p.b;
  return y;
}

}  // namespace pdesym::learned::detail
