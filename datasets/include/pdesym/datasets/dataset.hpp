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

namespace pdesym::datasets {

/// One split (HDF5 group) held in memory.
struct Split {
  std::string name;          ///< "train", "valid", "test", ...
  int n = 0, nt = 0, nx = 0;
  std::vector<double> u;     ///< [n][nt][nx]
  std::vector<double> x;     ///< [n][nx]
  std::vector<double> t;     ///< [n][nt]
  std::vector<double> dx;    ///< [n]
  std::vector<double> dt;    ///< [n]

  const double* traj(int i) const { return u.data() + static_cast<std::size_t>(i) * nt * nx; }
  double* traj(int i) { return u.data() + static_cast<std::size_t>(i) * nt * nx; }
  double L(int i) const { return dx[i] * nx; }
  /// Name of the data set holding u: "pde_{nt}-{nx}".
  std::string pde_name() const { return "pde_" + std::to_string(nt) + "-" + std::to_string(nx); }
  /// Allocates storage for n trajectories of nt x nx.
  void resize(int n_, int nt_, int nx_);
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
