#pragma once
// LPSDA-compatible trajectory datasets in HDF5.
//
// File layout (all float64):
//   /<split>/pde_{nt}-{nx}   [n, nt, nx]   u(t, x) for each trajectory, split in {train, valid, test}
//   /<split>/x               [n, nx]       grid of each trajectory (L may be jittered per trajectory)
//   /<split>/t               [n, nt]       output times
//   /<split>/dx              [n]
//   /<split>/dt              [n]
// Root attributes: equation (string), equation_text (string), coefficients as attributes "coef_<name>"
// (double), seed (int64), version (string, the pdesym version), config (the YAML text it was made from).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pdesym/common/field.hpp"

namespace pdesym::datasets {

/// One split (HDF5 group) held in memory: n trajectories of one shape, each a pdesym::Field (field.hpp), stored
/// contiguously. The 1-D scalar case (dim 1, nc 1, ny 1) is exactly LPSDA's [n][nt][nx] array.
struct Split {
  std::string name;          ///< "train", "valid", "test", ...
  int n = 0, nt = 0, nx = 0;
  int dim = 1, nc = 1, ny = 1;             ///< space dimension, components, y points (1 in 1-D)
  std::vector<std::string> components = {"u"};  ///< nc names
  std::vector<double> u;     ///< [n][nc][nt][ny][nx]
  std::vector<double> x;     ///< [n][nx]
  std::vector<double> y;     ///< [n][ny] (zeros in 1-D)
  std::vector<double> t;     ///< [n][nt]
  std::vector<double> dx;    ///< [n]
  std::vector<double> dy;    ///< [n] (zeros in 1-D)
  std::vector<double> dt;    ///< [n]

  FieldShape shape() const { return FieldShape{dim, nc, nt, ny, nx}; }
  std::size_t traj_size() const { return shape().size(); }
  const double* traj(int i) const { return u.data() + static_cast<std::size_t>(i) * traj_size(); }
  double* traj(int i) { return u.data() + static_cast<std::size_t>(i) * traj_size(); }
  double L(int i) const { return dx[i] * nx; }
  double Ly(int i) const { return dy[i] * ny; }
  /// Name of the data set holding u in the 1-D LPSDA layout: "pde_{nt}-{nx}".
  std::string pde_name() const { return "pde_" + std::to_string(nt) + "-" + std::to_string(nx); }
  /// Allocates storage for n 1-D scalar trajectories of nt x nx.
  void resize(int n_, int nt_, int nx_);
  /// Allocates storage for n trajectories of `s` with component names `names` (default names if empty).
  void resize(int n_, const FieldShape& s, const std::vector<std::string>& names = {});
  /// Trajectory i as a Field (copies).
  Field field(int i) const;
  /// Time levels [n0, n0 + count) of trajectory i as a Field (copies only those levels).
  Field field_window(int i, int n0, int count) const;
  /// Stores `f` as trajectory i (its shape must equal shape(); InputError naming `where` otherwise).
  void set_field(int i, const Field& f, const std::string& where = "trajectory");
  /// The one validator (pdesym::field_problems) on every trajectory: InputError "<where>: <name>/<i>: <problem>".
  void validate(const std::string& where) const;
};

struct Attributes {
  std::string equation;        ///< "kdv", "burgers", ...
  std::string equation_text;   ///< "u_t + 1*u*u_x + 1*u_xxx = 0"
  std::map<std::string, double> coefficients;
  std::int64_t seed = 0;
  std::string version;
  std::string config;          ///< YAML text of the generating config ("" if unknown)
};

/// Lists the groups of a dataset file that hold an LPSDA split (a pde_* link): train, valid, test first (those
/// present), then any others by name. Throws InputError if the file is missing or not HDF5.
/// None of these functions needs MPI; HDF5's own error printing is switched off and every failure becomes a
/// pdesym::InputError (bad file contents) or pdesym::Error (I/O failure) whose message starts with the file name.
std::vector<std::string> list_splits(const std::string& file);
/// Reads one split, validating the layout (clear InputError naming the file, group and what is wrong): the group
/// exists, holds exactly one data set pde_{nt}-{nx} of rank 3 and shape [n, nt, nx], and x [n, nx], t [n, nt],
/// dx [n], dt [n], all float64.
Split read_split(const std::string& file, const std::string& group);
/// Reads trajectories [first, first + count) of one split (count < 0: to the end), with the same validation;
/// only those rows are read from disk. The returned Split has n = count.
Split read_split(const std::string& file, const std::string& group, int first, int count);
Attributes read_attributes(const std::string& file);

/// Serial writer (one process): writes the splits and attributes to `file` atomically (temporary name, then
/// rename). Used by `augment` and tests; `generate` uses the parallel writer.
void write_dataset(const std::string& file, const std::vector<Split>& splits, const Attributes& attrs);

}  // namespace pdesym::datasets
