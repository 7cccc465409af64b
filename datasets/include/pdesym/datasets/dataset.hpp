#pragma once
// Trajectory datasets in HDF5: two layouts, told apart by the root attribute `layout`.
//
// 1. LPSDA (1-D scalar data, component "u"; no `layout` attribute), all float64:
//   /<split>/pde_{nt}-{nx}   [n, nt, nx]   u(t, x) for each trajectory, split in {train, valid, test}
//   /<split>/x               [n, nx]       grid of each trajectory (L may be jittered per trajectory)
//   /<split>/t               [n, nt]       output times
//   /<split>/dx              [n]
//   /<split>/dt              [n]
//
// 2. pdesym-nd (2-D data, data with several components, e.g. 1-D NLS as u = Re psi, v = Im psi, and 1-D data
//    whose one component is not named u):
//   root attributes  layout = "pdesym-nd" (string), dim = 1 | 2 (int64),
//                    components = ["u", "v", ...] (1-D array of variable-length UTF-8 strings, in storage order;
//                    the reader also takes fixed-length strings or one scalar string)
//   /<split>/<component>  [n, nt, ny, nx] (dim 2) or [n, nt, nx] (dim 1), one data set per component, x fastest
//   /<split>/x [n, nx], /<split>/t [n, nt], /<split>/dx [n], /<split>/dt [n]
//   /<split>/y [n, ny], /<split>/dy [n]   (dim 2 only)
// Component names are plain HDF5 link names (no '/', not ".", ".."), distinct, and none of x, y, t, dx, dy, dt
// or pde_*. Grids as in pdesym::Field: x_i = x[0] + i dx (period nx dx), likewise y; t uniform with step dt.
//
// Both layouts: root attributes equation (string), equation_text (string), coefficients as attributes
// "coef_<name>" (double), seed (int64), version (string, the pdesym version), config (the YAML text it was made
// from). Files of either layout are plain HDF5 that h5py reads directly (README: "n-D datasets").
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
  /// The one validator (pdesym::field_problems) on every trajectory: InputError "<where>: <name>/<i>: <problem>",
  /// where i = first_index + the row (the index in the file for a partial read).
  void validate(const std::string& where, int first_index = 0) const;
};

/// Value of the root attribute `layout` in n-D files.
inline constexpr const char* kNdLayout = "pdesym-nd";

struct Attributes {
  std::string equation;        ///< "kdv", "burgers", ...
  std::string equation_text;   ///< "u_t + 1*u*u_x + 1*u_xxx = 0"
  std::map<std::string, double> coefficients;
  std::int64_t seed = 0;
  std::string version;
  std::string config;          ///< YAML text of the generating config ("" if unknown)
  /// The layout: "" for LPSDA (1-D scalar u), kNdLayout otherwise, with the space dimension and the component
  /// names. read_attributes fills them from the file; write_dataset derives them from the splits it writes.
  std::string layout;
  int dim = 1;
  std::vector<std::string> components = {"u"};
  bool is_nd() const { return !layout.empty(); }
  /// "1-D, 1 component (u)" / "2-D, 2 components (u, v)".
  std::string describe_layout() const;
};

/// True for data that is stored in the LPSDA layout: dim 1, one component named "u".
bool is_lpsda_shape(int dim, const std::vector<std::string>& components);

/// Lists the groups of a dataset file that hold a split (LPSDA: a pde_* link; n-D: a link named by the first
/// component): train, valid, test first (those present), then any others by name. Throws InputError if the file
/// is missing, not HDF5, or has a malformed layout attribute.
/// None of these functions needs MPI; HDF5's own error printing is switched off and every failure becomes a
/// pdesym::InputError (bad file contents) or pdesym::Error (I/O failure) whose message starts with the file name.
std::vector<std::string> list_splits(const std::string& file);
/// Reads one split of either layout, validating it (clear InputError naming the file, group and what is wrong):
/// LPSDA: the group exists, holds exactly one data set pde_{nt}-{nx} of rank 3 and shape [n, nt, nx], and x [n, nx],
/// t [n, nt], dx [n], dt [n], all float64. n-D: one float64 data set per component of shape [n, nt, ny, nx]
/// ([n, nt, nx] in 1-D), all the same, plus the coordinates listed above. Then every trajectory passes
/// Split::validate (finite values, uniform grids): errors name "<file>: <split>/<index in the file>: ...".
Split read_split(const std::string& file, const std::string& group);
/// Reads trajectories [first, first + count) of one split (count < 0: to the end), with the same validation;
/// only those rows are read from disk. The returned Split has n = count.
Split read_split(const std::string& file, const std::string& group, int first, int count);
/// Root attributes, including the layout (an n-D file's `dim` and `components` are checked here).
Attributes read_attributes(const std::string& file);

/// Serial writer (one process): writes the splits and attributes to `file` atomically (temporary name, then
/// rename). All splits must have the same dim and components; the layout is LPSDA if they are 1-D scalar "u",
/// pdesym-nd otherwise (attrs.layout/dim/components are ignored). Used by `augment` and tests; `generate` uses the
/// parallel writer, which writes the same bytes.
void write_dataset(const std::string& file, const std::vector<Split>& splits, const Attributes& attrs);


}  // namespace pdesym::datasets
