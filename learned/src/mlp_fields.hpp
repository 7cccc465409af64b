#pragma once
// The neural field model of the validity method (field "mlp"): G independent vector fields, each an affine map
// plus an MLP in hat coordinates, evaluated on points or on jets. Included only by learned/src/*.cpp after the
// precompiled <torch/torch.h>.
#include <torch/torch.h>

#include <array>
#include <cmath>

#include "jet.hpp"
#include "torch_common.hpp"

namespace pdesym::learned::detail {

using torch::Tensor;

/// G independent fields, each an affine map plus an MLP (3 -> H -> H -> 3, tanh) in hat coordinates,
/// evaluated as one batched computation ([G, B, 3] tensors, or jets with [G, B] coefficients). The affine
/// skip path makes the (mostly affine) symmetries of evolution equations easy to represent; the MLP adds
/// any nonlinear dependence.
struct FieldBankImpl : torch::nn::Module {
  FieldBankImpl(int G, int H) {
    auto w = [&](long in, long out, long rows, double scale) {
      return torch::randn({G, rows, out}, f64()) * (scale / std::sqrt(static_cast<double>(in)));
    };
    A = register_parameter("A", w(3, 3, 3, 1.0));
    a0 = register_parameter("a0", w(3, 3, 1, 1.0));
    W1 = register_parameter("W1", w(3, H, 3, 1.0));
    b1 = register_parameter("b1", w(3, H, 1, 0.5));
    W2 = register_parameter("W2", w(H, H, H, 1.0));
    b2 = register_parameter("b2", w(H, H, 1, 0.5));
    W3 = register_parameter("W3", w(H, 3, H, 0.05));
  }
  /// z [G, B, 3] -> [G, B, 3]
  Tensor forward(const Tensor& z) {
    Tensor h = torch::tanh(torch::baddbmm(b1, z, W1));
    h = torch::tanh(torch::baddbmm(b2, h, W2));
    return torch::baddbmm(a0, z, A) + torch::bmm(h, W3);
  }
  /// Same map on jets (coefficients [G, B]).
  std::array<Jet, 3> forward(const std::array<Jet, 3>& z) {
    // Stack the three input jets into jets of [G, B, 3] tensors.
    Jet zs;
    for (std::size_t i = 0; i < z[0].c.size(); ++i) zs.c.push_back(torch::stack({z[0].c[i], z[1].c[i], z[2].c[i]}, -1));
    zs.b = torch::stack({z[0].b, z[1].b, z[2].b}, -1);
    Jet h = jet_tanh(jet_affine(zs, W1, b1));
    h = jet_tanh(jet_affine(h, W2, b2));
    const Jet out = jet_affine(zs, A, a0) + jet_affine(h, W3, Tensor());
    std::array<Jet, 3> r;
    for (int c = 0; c < 3; ++c) r[static_cast<std::size_t>(c)] = map_linear(out, [c](const Tensor& t) { return t.select(-1, c); });
    return r;
  }
  Tensor A, a0, W1, b1, W2, b2, W3;
};
TORCH_MODULE(FieldBank);

}  // namespace pdesym::learned::detail
