// FNO-1d layers as real GEMMs (see fno_kernels.hpp).
#include "fno_kernels.hpp"

#include <cmath>
#include <limits>
#include <map>
#include <mutex>
#include <tuple>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "pdesym/common/error.hpp"

#ifdef PDESYM_HAVE_DNNL_SGEMM
// oneDNN's documented C API (dnnl.h), declared here because distributions ship the library with LibTorch but
// not always its headers. Row-major: C = alpha op(A) op(B) + beta C; returns dnnl_success (0) on success.
extern "C" int dnnl_sgemm(char transa, char transb, std::int64_t M, std::int64_t N, std::int64_t K, float alpha,
                          const float* A, std::int64_t lda, const float* B, std::int64_t ldb, float beta, float* C,
                          std::int64_t ldc);
#endif

namespace pdesym::surrogates::detail {

namespace {

using torch::Tensor;
using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

bool unit_last_stride(const Tensor& t) { return t.dim() == 2 && (t.stride(1) == 1 || t.size(1) <= 1); }
#ifdef PDESYM_HAVE_DNNL_SGEMM
std::int64_t leading(const Tensor& t) { return t.size(0) <= 1 ? std::max<std::int64_t>(1, t.size(1)) : t.stride(0); }
#endif

}  // namespace

void retain_freed_memory() {
#if defined(__GLIBC__)
  static std::once_flag once;
  std::call_once(once, [] {
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
  });
#endif
}

bool gemm_uses_dnnl() {
#ifdef PDESYM_HAVE_DNNL_SGEMM
  return true;
#else
  return false;
#endif
}

void gemm(const Tensor& A, bool ta, const Tensor& B, bool tb, const Tensor& C, double beta) {
  PDESYM_CHECK(unit_last_stride(A) && unit_last_stride(B) && unit_last_stride(C), "gemm: operands need unit stride");
  const std::int64_t M = ta ? A.size(1) : A.size(0), K = ta ? A.size(0) : A.size(1);
  const std::int64_t N = tb ? B.size(0) : B.size(1);
  PDESYM_CHECK((tb ? B.size(1) : B.size(0)) == K && C.size(0) == M && C.size(1) == N, "gemm: shape mismatch");
  if (M == 0 || N == 0) return;
#ifdef PDESYM_HAVE_DNNL_SGEMM
  if (A.scalar_type() == torch::kFloat32 && B.scalar_type() == torch::kFloat32 &&
      C.scalar_type() == torch::kFloat32) {
    if (K == 0) {
      if (beta == 0) C.zero_();
      return;
    }
    const int st = dnnl_sgemm(ta ? 'T' : 'N', tb ? 'T' : 'N', M, N, K, 1.0f, A.data_ptr<float>(), leading(A),
                              B.data_ptr<float>(), leading(B), static_cast<float>(beta), C.data_ptr<float>(),
                              leading(C));
    PDESYM_CHECK(st == 0, "dnnl_sgemm failed with status " << st);
    return;
  }
#endif
  Tensor p = torch::mm(ta ? A.t() : A, tb ? B.t() : B);
  if (beta == 0)
    C.copy_(p);
  else
    C.add_(p);
}

namespace {

struct DftKey {
  long nx, modes;
  torch::ScalarType dtype;
  bool operator<(const DftKey& o) const {
    return std::tie(nx, modes, dtype) < std::tie(o.nx, o.modes, o.dtype);
  }
};

std::mutex dft_mutex;
std::map<DftKey, std::pair<Tensor, Tensor>> dft_cache;

const std::pair<Tensor, Tensor>& dft_pair(long nx, long modes, torch::ScalarType dtype) {
  std::lock_guard<std::mutex> lock(dft_mutex);
  const DftKey key{nx, modes, dtype};
  auto it = dft_cache.find(key);
  if (it != dft_cache.end()) return it->second;
  Tensor F = torch::empty({2 * modes, nx}, torch::kFloat64), G = torch::empty({nx, 2 * modes}, torch::kFloat64);
  auto f = F.accessor<double, 2>();
  auto g = G.accessor<double, 2>();
  const double two_pi = 6.283185307179586476925286766559;
  for (long m = 0; m < modes; ++m) {
    const double c = (m == 0 || 2 * m == nx) ? 1.0 / nx : 2.0 / nx;
    for (long j = 0; j < nx; ++j) {
      const double a = two_pi * static_cast<double>((m * j) % nx) / static_cast<double>(nx);  // exact reduction
      const double cs = std::cos(a), sn = std::sin(a);
      f[m][j] = cs;
      f[modes + m][j] = -sn;
      g[j][m] = c * cs;
      g[j][modes + m] = -c * sn;
    }
  }
  return dft_cache.emplace(key, std::make_pair(F.to(dtype), G.to(dtype))).first->second;
}

// Fourier layer y = [spectral(x)] + [pointwise(x)] on the batch-major layout; either part (and the bias) may be
// absent, passed as an empty tensor (Function::apply needs defined tensors). Backward computes exactly the
// adjoint GEMMs of the forward (no autograd graph inside).
class LayerFn : public torch::autograd::Function<LayerFn> {
 public:
  static Tensor forward(AutogradContext* ctx, const Tensor& x_in, std::int64_t nx, const Tensor& ws_in,
                        const Tensor& wp_in, const Tensor& bp) {
    const Tensor x = x_in.contiguous();
    const std::int64_t R = x.size(0), C = x.size(1), B = R / nx;
    const bool spec = ws_in.numel() > 0, pw = wp_in.numel() > 0, has_bias = pw && bp.numel() > 0;
    const std::int64_t out = spec ? ws_in.size(3) : wp_in.size(0);
    Tensor y = torch::empty({R, out}, x.options());
    bool have = false;  // whether y holds values yet
    if (pw) {
      const Tensor wp = wp_in.reshape({out, C});
      if (has_bias) {
        y.copy_(bp.reshape({1, out}).expand({R, out}));
        have = true;
      }
      gemm(x, false, wp, true, y, have ? 1.0 : 0.0);
      have = true;
      ctx->saved_data["has_bias"] = has_bias;
    }
    Tensor A, ws;
    if (spec) {
      const std::int64_t modes = ws_in.size(0);
      ws = ws_in.contiguous().view({modes, 2 * C, out});
      const Tensor& F = dft_forward(nx, modes, x.scalar_type());
      const Tensor& G = dft_inverse(nx, modes, x.scalar_type());
      // Per sample b: T[b] = F x[b]  ([2 modes, C]: real parts of the kept modes, then imaginary parts).
      Tensor T = torch::empty({B, 2 * modes, C}, x.options());
      const Tensor xs = x.view({B, nx, C});
      for (std::int64_t b = 0; b < B; ++b) gemm(F, false, xs[b], false, T[b], 0.0);
      auto T4 = T.view({B, 2, modes, C}).permute({1, 2, 0, 3});  // [(re|im), modes, B, C]
      const Tensor xr = T4[0], xi = T4[1];
      // A[m] = [[xr, -xi]; [xi, xr]]  [modes, 2B, 2C]
      A = torch::cat({torch::cat({xr, -xi}, 2), torch::cat({xi, xr}, 2)}, 1);
      Tensor Y = torch::empty({modes, 2 * B, out}, x.options());
      for (std::int64_t m = 0; m < modes; ++m) gemm(A[m], false, ws[m], false, Y[m], 0.0);
      // [modes, (re|im), B, out] -> [B, (re|im) * modes, out]; per sample y[b] += G Yp[b]
      const Tensor Yp = Y.view({modes, 2, B, out}).permute({2, 1, 0, 3}).contiguous().view({B, 2 * modes, out});
      const Tensor ys = y.view({B, nx, out});
      for (std::int64_t b = 0; b < B; ++b) gemm(G, false, Yp[b], false, ys[b], have ? 1.0 : 0.0);
      have = true;
    }
    ctx->save_for_backward({x, spec ? A : x.new_empty({0}), spec ? ws : x.new_empty({0}),
                            pw ? wp_in.reshape({out, C}) : x.new_empty({0})});
    ctx->saved_data["nx"] = nx;
    ctx->saved_data["spec"] = spec;
    ctx->saved_data["pw"] = pw;
    return y;
  }

  // needs_input_grad counts tensor inputs only (x 0, ws 1, wp 2, bp 3); the result has one entry per forward
  // argument, nx included.
  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const Tensor &x = saved[0], &A = saved[1], &ws = saved[2], &wp = saved[3];
    const std::int64_t nx = ctx->saved_data["nx"].toInt();
    const bool spec = ctx->saved_data["spec"].toBool(), pw = ctx->saved_data["pw"].toBool();
    const Tensor dy = grads[0].contiguous();
    const std::int64_t R = x.size(0), C = x.size(1), B = R / nx, out = dy.size(1);
    const bool need_x = ctx->needs_input_grad(0);
    Tensor dx = need_x ? torch::empty({R, C}, x.options()) : Tensor();
    bool have = false;
    Tensor dws, dwp, dbp;
    if (pw) {
      if (need_x) {
        gemm(dy, false, wp, false, dx, 0.0);
        have = true;
      }
      if (ctx->needs_input_grad(2)) {
        dwp = torch::empty({out, C}, x.options());
        gemm(dy, true, x, false, dwp, 0.0);
        dwp = dwp.view({out, C, 1});
      }
      if (ctx->saved_data["has_bias"].toBool() && ctx->needs_input_grad(3)) dbp = dy.sum(0);
    }
    if (spec) {
      const std::int64_t modes = ws.size(0);
      const Tensor& F = dft_forward(nx, modes, x.scalar_type());
      const Tensor& G = dft_inverse(nx, modes, x.scalar_type());
      Tensor dYp = torch::empty({B, 2 * modes, out}, x.options());
      const Tensor dys = dy.view({B, nx, out});
      for (std::int64_t b = 0; b < B; ++b) gemm(G, true, dys[b], false, dYp[b], 0.0);
      // [B, (re|im), modes, out] -> [modes, (re|im) * B, out]
      const Tensor dY = dYp.view({B, 2, modes, out}).permute({2, 1, 0, 3}).contiguous().view({modes, 2 * B, out});
      if (ctx->needs_input_grad(1)) {
        dws = torch::empty({modes, 2 * C, out}, x.options());
        for (std::int64_t m = 0; m < modes; ++m) gemm(A[m], true, dY[m], false, dws[m], 0.0);
        dws = dws.view({modes, 2, C, out});
      }
      if (need_x) {
        Tensor dA = torch::empty({modes, 2 * B, 2 * C}, x.options());
        for (std::int64_t m = 0; m < modes; ++m) gemm(dY[m], false, ws[m], true, dA[m], 0.0);
        auto d = dA.view({modes, 2, B, 2, C});  // [m, row block, b, column block, i]
        const Tensor dxr = d.select(1, 0).select(2, 0) + d.select(1, 1).select(2, 1);  // [modes, B, C]
        const Tensor dxi = d.select(1, 1).select(2, 0) - d.select(1, 0).select(2, 1);
        // [(re|im), modes, B, C] -> [B, (re|im) * modes, C]; per sample dx[b] += F^T dT[b]
        const Tensor dT = torch::stack({dxr, dxi}, 0).permute({2, 0, 1, 3}).contiguous().view({B, 2 * modes, C});
        const Tensor dxs = dx.view({B, nx, C});
        for (std::int64_t b = 0; b < B; ++b) gemm(F, true, dT[b], false, dxs[b], have ? 1.0 : 0.0);
      }
    }
    return {dx, Tensor(), dws, dwp, dbp};
  }
};

}  // namespace

const Tensor& dft_forward(long nx, long modes, torch::ScalarType dtype) { return dft_pair(nx, modes, dtype).first; }
const Tensor& dft_inverse(long nx, long modes, torch::ScalarType dtype) { return dft_pair(nx, modes, dtype).second; }

torch::Tensor pointwise(const Tensor& x, const Tensor& weight, const Tensor& bias) {
  return LayerFn::apply(x, static_cast<std::int64_t>(x.size(0)), x.new_empty({0}), weight, bias);
}

torch::Tensor spectral(const Tensor& x, long nx, const Tensor& weight) {
  return LayerFn::apply(x, static_cast<std::int64_t>(nx), weight, x.new_empty({0}), x.new_empty({0}));
}

torch::Tensor fourier_layer(const Tensor& x, long nx, const Tensor& spectral_weight, const Tensor& pointwise_weight,
                            const Tensor& pointwise_bias) {
  return LayerFn::apply(x, static_cast<std::int64_t>(nx), spectral_weight, pointwise_weight, pointwise_bias);
}

}  // namespace pdesym::surrogates::detail
