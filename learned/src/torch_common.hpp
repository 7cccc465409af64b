#pragma once
// LibTorch helpers shared by the method translation units (included only by learned/src/*.cpp, after the
// precompiled <torch/torch.h>).
#include <torch/torch.h>

#include <Eigen/Dense>

#include <chrono>
#include <cstring>
#include <vector>

#include "internal.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/symmetry/basis.hpp"

namespace pdesym::learned::detail {

inline torch::TensorOptions f64() { return torch::TensorOptions().dtype(torch::kFloat64); }

inline torch::Tensor to_tensor(const std::vector<double>& v) {
  return torch::from_blob(const_cast<double*>(v.data()), {static_cast<long>(v.size())}, f64()).clone();
}

inline torch::Tensor to_tensor(const Eigen::MatrixXd& m) {
  // Eigen is column-major; build a row-major tensor of the same shape.
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r = m;
  return torch::from_blob(r.data(), {static_cast<long>(m.rows()), static_cast<long>(m.cols())}, f64()).clone();
}

inline Eigen::MatrixXd to_eigen(const torch::Tensor& t) {
  torch::Tensor c = t.detach().to(torch::kFloat64).contiguous();
  PDESYM_CHECK(c.dim() == 2, "expected a matrix");
  Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> r(c.size(0), c.size(1));
  std::memcpy(r.data(), c.data_ptr<double>(), sizeof(double) * static_cast<std::size_t>(c.numel()));
  return r;
}

/// Monomials of `basis` at hat points zh [..., 3] -> [..., M] (same order as basis.monomials()).
inline torch::Tensor monomials(const symmetry::PolynomialBasis& basis, const torch::Tensor& zh) {
  const int deg = basis.degree();
  const torch::Tensor x = zh.select(-1, 0), t = zh.select(-1, 1), u = zh.select(-1, 2);
  std::vector<torch::Tensor> px{torch::ones_like(x)}, pt{torch::ones_like(x)}, pu{torch::ones_like(x)};
  for (int d = 1; d <= deg; ++d) {
    px.push_back(px.back() * x);
    pt.push_back(pt.back() * t);
    pu.push_back(pu.back() * u);
  }
  std::vector<torch::Tensor> cols;
  for (const auto& m : basis.monomials())
    cols.push_back(px[static_cast<std::size_t>(m.a)] * pt[static_cast<std::size_t>(m.b)] * pu[static_cast<std::size_t>(m.c)]);
  return torch::stack(cols, -1);
}

/// Polynomial fields in hat coordinates: zh [G, B, 3], coefficient tensor C [G, 3, M] (rows xi, tau, phi)
/// -> [G, B, 3]. Also accepts zh [B, 3] with C [3, M].
inline torch::Tensor poly_field(const symmetry::PolynomialBasis& basis, const torch::Tensor& C, const torch::Tensor& zh) {
  return torch::matmul(monomials(basis, zh), C.transpose(-2, -1));
}

/// Hat coefficient vectors (columns, size basis.size()) as a [G, 3, M] tensor.
inline torch::Tensor coeff_tensor(const symmetry::PolynomialBasis& basis, const Eigen::MatrixXd& hat) {
  const int M = basis.monomials_per_component();
  std::vector<torch::Tensor> gs;
  for (Eigen::Index g = 0; g < hat.cols(); ++g) {
    Eigen::MatrixXd C(3, M);
    for (int c = 0; c < 3; ++c)
      for (int m = 0; m < M; ++m) C(c, m) = hat(c * M + m, g);
    gs.push_back(to_tensor(C));
  }
  return torch::stack(gs, 0);
}

struct Stopwatch {
  std::chrono::steady_clock::time_point t0 = std::chrono::steady_clock::now();
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  }
};

/// Applies opt.threads / opt.seed to torch's global state.
inline void torch_setup(const LearnedOptions& opt) {
  if (opt.threads > 0) torch::set_num_threads(opt.threads);
  torch::manual_seed(opt.seed);
}

}  // namespace pdesym::learned::detail
