// MPI data parallelism of train(): thread counts, gradient and parameter exchange between ranks.
#include <mpi.h>

#include <algorithm>
#include <thread>

#include "train_detail.hpp"

namespace pdesym::surrogates::detail {

namespace {

// Real views of all parameters (complex ones as [..., 2]).
std::vector<torch::Tensor> real_views(const std::vector<torch::Tensor>& ts) {
  std::vector<torch::Tensor> out;
  out.reserve(ts.size());
  for (const auto& t : ts) out.push_back(t.is_complex() ? torch::view_as_real(t) : t);
  return out;
}

}  // namespace

void set_threads(int requested, int size) {
  int n = requested;
  if (n <= 0) {
    const int hw = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
    n = std::max(1, hw / std::max(1, size));
  }
  torch::set_num_threads(n);
}

void allreduce_doubles(double* v, int n, int size) {
  if (size > 1) MPI_Allreduce(MPI_IN_PLACE, v, n, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

// Sums the gradients of all ranks (MPI_Allreduce on one flat float buffer) and divides by nothing: each rank's
// loss is already scaled by 1/global_batch, so the sum is the gradient of the global mean loss.
void allreduce_gradients(const std::vector<torch::Tensor>& params, int size) {
  if (size <= 1) return;
  std::vector<torch::Tensor> grads;
  for (const auto& p : params) {
    torch::Tensor g = p.grad();
    if (!g.defined()) g = torch::zeros_like(p);
    grads.push_back((g.is_complex() ? torch::view_as_real(g) : g).reshape({-1}));
  }
  torch::Tensor flat = torch::cat(grads).contiguous();
  MPI_Allreduce(MPI_IN_PLACE, flat.data_ptr<float>(), static_cast<int>(flat.numel()), MPI_FLOAT, MPI_SUM,
                MPI_COMM_WORLD);
  long off = 0;
  for (const auto& p : params) {
    const long n = p.numel() * (p.is_complex() ? 2 : 1);
    torch::Tensor chunk = flat.narrow(0, off, n);
    off += n;
    // Fresh (non-view) gradient tensors: the optimizer's zero_grad() detaches them in place.
    if (p.is_complex()) {
      std::vector<int64_t> shp(p.sizes().begin(), p.sizes().end());
      shp.push_back(2);
      const_cast<torch::Tensor&>(p).mutable_grad() = torch::view_as_complex(chunk.reshape(shp)).clone();
    } else {
      const_cast<torch::Tensor&>(p).mutable_grad() = chunk.reshape(p.sizes()).clone();
    }
  }
}

// Rank 0's parameters on every rank.
void broadcast_parameters(Surrogate& model, int size) {
  if (size <= 1) return;
  torch::NoGradGuard ng;
  auto params = real_views(model.parameters());
  std::vector<torch::Tensor> flat_pieces;
  for (const auto& p : params) flat_pieces.push_back(p.reshape({-1}));
  torch::Tensor flat = torch::cat(flat_pieces).contiguous();
  MPI_Bcast(flat.data_ptr<float>(), static_cast<int>(flat.numel()), MPI_FLOAT, 0, MPI_COMM_WORLD);
  long off = 0;
  for (auto& p : params) {
    p.copy_(flat.narrow(0, off, p.numel()).reshape(p.sizes()));
    off += p.numel();
  }
}

void copy_parameters(Surrogate& dst, Surrogate& src) {
  torch::NoGradGuard ng;
  auto d = dst.parameters(), s = src.parameters();
  for (std::size_t i = 0; i < d.size(); ++i) d[i].copy_(s[i]);
}

}  // namespace pdesym::surrogates::detail
