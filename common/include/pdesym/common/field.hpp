#pragma once
// The one trajectory type of pdesym: a real field with nc components on a periodic box in d = 1 or 2 space
// dimensions, sampled at nt uniform times. Solvers produce it, datasets store batches of it (datasets::Split),
// and symmetry, augment, surrogates and learned consume it. A complex field is two real components.
//
// Storage: data[c][n][j][i] (component c, time level n, y index j, x index i; x fastest), so the 1-D scalar
// case (nc = 1, ny = 1) is the plain [nt][nx] row-major array. Grids: x_i = x[0] + i dx with period
// Lx = nx dx, y_j = y[0] + j dy with period Ly = ny dy (1-D: ny = 1, y = {0}, dy = 0), t_n = t[0] + n dt.
#include <cstddef>
#include <string>
#include <vector>

namespace pdesym {

/// Shape of a field: space dimension, components, time levels, grid points.
struct FieldShape {
  int dim = 1;  ///< space dimensions, 1 or 2
  int nc = 1;   ///< real components
  int nt = 0;   ///< time levels
  int ny = 1;   ///< grid points in y (1 when dim == 1)
  int nx = 0;   ///< grid points in x
  std::size_t points() const { return static_cast<std::size_t>(ny) * nx; }        ///< one snapshot of one component
  std::size_t component_size() const { return static_cast<std::size_t>(nt) * points(); }
  std::size_t size() const { return static_cast<std::size_t>(nc) * component_size(); }
  bool operator==(const FieldShape& o) const {
    return dim == o.dim && nc == o.nc && nt == o.nt && ny == o.ny && nx == o.nx;
  }
  bool operator!=(const FieldShape& o) const { return !(*this == o); }
  /// "1-D, 1 component, 140 x 256" / "2-D, 2 components (u, v), 50 x 64 x 64" (nt x ny x nx).
  std::string describe() const;
};

/// Default component names: {"u"} for one component, {"u", "v"} for two, {"u0", "u1", ...} beyond.
std::vector<std::string> default_component_names(int nc);

struct Field {
  FieldShape shape;
  std::vector<std::string> components;  ///< nc names ("u"; "u", "v"; "omega")
  std::vector<double> data;             ///< [nc][nt][ny][nx]
  std::vector<double> t;                ///< [nt], uniform
  std::vector<double> x;                ///< [nx]
  std::vector<double> y;                ///< [ny] ({0} in 1-D)
  double dx = 0, dy = 0, dt = 0;        ///< dy = 0 in 1-D

  Field() = default;
  /// Allocates a zero field of this shape with default component names, x_i = i dx, y_j = j dy, t_n = t0 + n dt.
  Field(const FieldShape& s, double dx, double dy, double dt, double t0 = 0.0);

  int dim() const { return shape.dim; }
  int nc() const { return shape.nc; }
  int nt() const { return shape.nt; }
  int ny() const { return shape.ny; }
  int nx() const { return shape.nx; }
  double Lx() const { return dx * shape.nx; }
  double Ly() const { return dy * shape.ny; }

  /// Component c as [nt][ny][nx].
  const double* component(int c) const { return data.data() + static_cast<std::size_t>(c) * shape.component_size(); }
  double* component(int c) { return data.data() + static_cast<std::size_t>(c) * shape.component_size(); }
  /// Snapshot of component c at level n as [ny][nx].
  const double* snapshot(int c, int n) const { return component(c) + static_cast<std::size_t>(n) * shape.points(); }
  double* snapshot(int c, int n) { return component(c) + static_cast<std::size_t>(n) * shape.points(); }
  /// 1-D scalar convenience: row n (= snapshot(0, n)).
  const double* row(int n) const { return snapshot(0, n); }
  double* row(int n) { return snapshot(0, n); }
  double at(int c, int n, int j, int i) const { return snapshot(c, n)[static_cast<std::size_t>(j) * shape.nx + i]; }
  /// Time levels [n0, n0 + count) of every component (copies).
  Field window(int n0, int count) const;
};

/// Problems of a field as human-readable sentences (empty: valid). Checks: dim in {1, 2}; nc >= 1 with nc
/// component names; nt >= 1, nx >= 2 (ny == 1 in 1-D, >= 2 in 2-D); array sizes; finite values (naming the
/// component, time level and point of the first non-finite one); dx, dt (if nt > 1) and, in 2-D, dy finite and
/// positive; x and y uniform with steps dx and dy; t uniform with step dt (each to 1e-4 of the step).
std::vector<std::string> field_problems(const FieldShape& shape, const std::vector<std::string>& components,
                                        const double* data, const double* t, const double* x, const double* y,
                                        double dx, double dy, double dt);

/// The one validator: throws InputError "<where>: <first problem>" if the field is not valid. `where` names
/// the file, split and trajectory ("kdv.h5: train/17").
void validate(const Field& f, const std::string& where);

}  // namespace pdesym
