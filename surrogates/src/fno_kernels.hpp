#pragma once
// Internal to pdesym_surrogates: the FNO-1d's layers as real GEMMs on a batch-major activation layout.
//
// Layout: an activation of B samples, nx grid points and C channels is a row-major matrix [B * nx, C] whose row
// b * nx + j holds grid point j of sample b ("batch-major"). Then
//  * a pointwise (1x1) convolution is one GEMM  Y = X W^T + b;
//  * the real DFT of the kept modes is one GEMM per sample  T_b = F X_b  with X_b = rows b * nx ... b * nx + nx - 1
//    ([nx, C]) and F = [cos; -sin] [2 modes, nx] (no FFT of all nx/2 + 1 modes, no zero-filled spectrum). Per
//    sample rather than one GEMM over an [nx, B * C] view: a leading dimension B * C that is a power of two makes
//    the GEMM's panels alias in the cache (half the rate; docs/surrogates.md).
//  * the complex product of mode m, Y_m[b, o] = sum_i X_m[b, i] W_m[i, o], is one real GEMM per mode
//    [[Xr, -Xi]; [Xi, Xr]] (2B x 2C) * [Wr; Wi] (2C x out) = [Yr; Yi] (2B x out), with the weights stored
//    modes-major as [modes, 2, in, out] (so [Wr; Wi] of mode m is one contiguous block, used as stored);
//  * irfft(n = nx) of the kept modes is one GEMM per sample  Z_b += G Y_b  with G = [c_m cos, -c_m sin] [nx, 2 modes],
//    c_m = 1/nx for m = 0 and m = nx/2, else 2/nx (the imaginary parts of those two modes are dropped, as irfft
//    does).
// Float32 GEMMs go to oneDNN's dnnl_sgemm when pdesym was built with it (PDESYM_HAVE_DNNL_SGEMM; LibTorch's own
// float matmul uses the system BLAS, the reference BLAS on Debian), other dtypes (the float64 tests) to
// torch::mm.
#include <torch/torch.h>

namespace pdesym::surrogates::detail {

/// C = op(A) op(B) + beta C for 2-D tensors of one dtype with unit stride in their last dimension (A is [K, M]
/// when ta, B is [N, K] when tb). beta is 0 or 1; with beta = 0 C's previous contents are ignored.
void gemm(const torch::Tensor& A, bool ta, const torch::Tensor& B, bool tb, const torch::Tensor& C, double beta);

/// Makes glibc's malloc keep freed memory for reuse (once per process; no-op without glibc): no trimming of the
/// heap top, and a fixed mmap threshold of 32 MiB (the largest glibc accepts) instead of the dynamic one. A
/// training step frees and reallocates its activations and gradients (4-17 MiB blocks at full size) every step;
/// with glibc's defaults the freed heap top goes back to the kernel and is faulted in again page by page
/// (docs/surrogates.md). Cost: the process keeps its peak heap.
void retain_freed_memory();

/// Whether float32 GEMMs use oneDNN (else LibTorch's matmul).
bool gemm_uses_dnnl();

/// The forward real-DFT matrix F [2 modes, nx] and the inverse G [nx, 2 modes] described above, in `dtype`
/// (computed in double, cached per (nx, modes, dtype)).
const torch::Tensor& dft_forward(long nx, long modes, torch::ScalarType dtype);
const torch::Tensor& dft_inverse(long nx, long modes, torch::ScalarType dtype);

/// Pointwise layer on the batch-major layout: x [R, in], weight [out, in, 1] (a Conv1d's), bias [out] -> [R, out].
torch::Tensor pointwise(const torch::Tensor& x, const torch::Tensor& weight, const torch::Tensor& bias);

/// Spectral convolution alone on the batch-major layout: x [B * nx, in], weight [modes, 2, in, out] -> [B * nx, out].
torch::Tensor spectral(const torch::Tensor& x, long nx, const torch::Tensor& weight);

/// One Fourier layer before its activation: spectral(x) + pointwise(x), computed into one output buffer.
torch::Tensor fourier_layer(const torch::Tensor& x, long nx, const torch::Tensor& spectral_weight,
                            const torch::Tensor& pointwise_weight, const torch::Tensor& pointwise_bias);

}  // namespace pdesym::surrogates::detail
