#pragma once
// Small datasets for the surrogate tests: 1-D KdV made with the solver, 2-D two-component plane waves.
#include <cmath>
#include <string>

#include "pdesym/common/rng.hpp"
#include "pdesym/datasets/dataset.hpp"
#include "pdesym/solvers/etdrk4.hpp"
#include "pdesym/solvers/initial.hpp"
#include "pdesym/surrogates/train.hpp"

namespace pdesym::testdata {

/// A small model of `kind` for 1-D scalar data (set dim / nc for n-D): width 8, 2 layers, kernel 3, hidden 16.
inline surrogates::ModelConfig tiny_model(const std::string& kind, int modes, int time_window = 4) {
  surrogates::ModelConfig c;
  c.kind = kind;
  c.time_window = time_window;
  c.width = 8;
  c.modes = modes;
  c.layers = 2;
  c.kernel_size = 3;
  c.proj_hidden = 16;
  return c;
}

/// n KdV trajectories (sine-sum initial conditions) on a periodic grid of nx points, L = 32, nt levels over T.
inline datasets::Split tiny_kdv(const std::string& name, int n, std::uint64_t seed, int nx = 32, int nt = 24,
                                double T = 12.0) {
  auto kdv = solvers::make_kdv();
  const solvers::Grid g(nx, 32.0);
  solvers::SineSumIc ic;
  datasets::Split s;
  s.name = name;
  s.resize(n, nt, nx);
  for (int i = 0; i < n; ++i) {
    Rng rng(seed, 7, static_cast<std::uint64_t>(i));
    const Field tr = solvers::integrate(*kdv, g, ic.sample(g, rng), T, nt);
    std::copy(tr.data.begin(), tr.data.end(), s.traj(i));
    std::copy(tr.x.begin(), tr.x.end(), s.x.begin() + static_cast<std::ptrdiff_t>(i) * nx);
    std::copy(tr.t.begin(), tr.t.end(), s.t.begin() + static_cast<std::ptrdiff_t>(i) * nt);
    s.dx[i] = tr.dx;
    s.dt[i] = tr.dt;
  }
  return s;
}

/// n 2-D two-component trajectories on a 16 x 16 (default) periodic box [0, 2 pi)^2: u + i v = psi, a sum of
/// two plane waves psi = sum_j A_j exp(i (k_j . x - |k_j|^2 t / 2 + phi_j)), an exact solution of the linear
/// Schroedinger equation i psi_t = -(1/2) lap psi. Wave numbers in {-2..2}^2, A_j in [0.5, 1], dt = 0.1.
/// ny = 1: 1-D two-component data on [0, 2 pi) (k_y = 0).
inline datasets::Split tiny_waves2d(const std::string& name, int n, std::uint64_t seed, int nx = 16, int ny = 16,
                                    int nt = 24) {
  const int dim = ny == 1 ? 1 : 2;
  const double pi = 3.14159265358979323846, dx = 2 * pi / nx, dy = dim == 2 ? 2 * pi / ny : 0.0, dt = 0.1;
  datasets::Split s;
  s.name = name;
  s.resize(n, FieldShape{dim, 2, nt, ny, nx}, {"u", "v"});
  for (int i = 0; i < n; ++i) {
    Rng rng(seed, 11, static_cast<std::uint64_t>(i));
    double kx[2], ky[2], A[2], ph[2];
    for (int j = 0; j < 2; ++j) {
      kx[j] = static_cast<double>(rng.uniform_int(-2, 2));
      ky[j] = static_cast<double>(rng.uniform_int(-2, 2)) * (dim - 1);
      A[j] = 0.5 + 0.5 * rng.uniform();
      ph[j] = 2 * pi * rng.uniform();
    }
    Field f(s.shape(), dx, dy, dt);
    for (int n_ = 0; n_ < nt; ++n_)
      for (int jy = 0; jy < ny; ++jy)
        for (int ix = 0; ix < nx; ++ix) {
          double re = 0, im = 0;
          for (int j = 0; j < 2; ++j) {
            const double th = kx[j] * ix * dx + ky[j] * jy * dy - 0.5 * (kx[j] * kx[j] + ky[j] * ky[j]) * n_ * dt + ph[j];
            re += A[j] * std::cos(th);
            im += A[j] * std::sin(th);
          }
          const std::size_t p = static_cast<std::size_t>(jy) * nx + ix;
          f.snapshot(0, n_)[p] = re;
          f.snapshot(1, n_)[p] = im;
        }
    f.components = {"u", "v"};
    s.set_field(i, f, name);
  }
  return s;
}

}  // namespace pdesym::testdata
