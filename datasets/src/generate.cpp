#include "pdesym/datasets/generate.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <sstream>
#include <vector>

#include "h5util.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/progress.hpp"
#include "pdesym/common/rng.hpp"

#ifndef PDESYM_VERSION
#define PDESYM_VERSION "unknown"
#endif

namespace pdesym::datasets {

using h5::check;
using h5::check_status;
using h5::Handle;

int split_index(const std::string& name) {
  for (int s = 0; s < 3; ++s)
    if (name == kSplitNames[s]) return s;
  throw InputError("unknown split '" + name + "' (expected train, valid or test)");
}

// ---- config ---------------------------------------------------------------------------------------------

GenerationConfig GenerationConfig::from_config(const Config& cfg) {
  PDESYM_REQUIRE(cfg.is_map(), cfg.where() << ": a generation config must be a YAML mapping");
  cfg.require_only({"name", "description", "equation", "coefficients", "pde", "domain", "solver",
                    "initial_condition", "splits", "seed"});
  GenerationConfig gc;
  gc.source = cfg.file();
  gc.pde = std::shared_ptr<const solvers::PolynomialPde>(solvers::make_pde(cfg));

  const Config d = cfg["domain"];
  d.require_only({"L", "T", "nx", "nt", "jitter_L", "jitter_T"});
  gc.L = require_positive(d, "L");
  gc.T = require_positive(d, "T");
  PDESYM_REQUIRE(std::isfinite(gc.L) && std::isfinite(gc.T), d.where() << ": L and T must be finite");
  gc.nx = d.get<int>("nx");
  PDESYM_REQUIRE(gc.nx >= 4 && gc.nx % 2 == 0 && gc.nx <= (1 << 20),
                 d["nx"].where() << ": must be even and in 4..1048576, got " << gc.nx);
  gc.nt = d.get<int>("nt");
  PDESYM_REQUIRE(gc.nt >= 2 && gc.nt <= 1000000, d["nt"].where() << ": must be in 2..1000000, got " << gc.nt);
  gc.jitter_L = d.get_or<double>("jitter_L", 0.0);
  gc.jitter_T = d.get_or<double>("jitter_T", 0.0);
  PDESYM_REQUIRE(gc.jitter_L >= 0 && gc.jitter_L < 1,
                 d.where() << ".jitter_L: must be a fraction in [0, 1), got " << gc.jitter_L);
  PDESYM_REQUIRE(gc.jitter_T >= 0 && gc.jitter_T < 1,
                 d.where() << ".jitter_T: must be a fraction in [0, 1), got " << gc.jitter_T);

  const Config s = cfg["solver"];
  s.require_only({"dt"});
  gc.dt = require_positive(s, "dt");

  gc.ic = solvers::SineSumIc::from_config(cfg.child_or_empty("initial_condition"));

  const Config sp = cfg["splits"];
  PDESYM_REQUIRE(sp.is_map(), sp.where() << ": must be a mapping {train: N, valid: N, test: N}");
  sp.require_only({"train", "valid", "test"});
  for (int i = 0; i < 3; ++i) {
    const long long c = sp.get_or<long long>(kSplitNames[i], 0);
    PDESYM_REQUIRE(c >= 0 && c <= 10000000,
                   sp.where() << "." << kSplitNames[i] << ": must be a count in 0..10000000, got " << c);
    gc.counts[i] = static_cast<int>(c);
  }
  PDESYM_REQUIRE(gc.total() > 0, sp.where() << ": all split counts are 0, nothing to generate");

  const long long seed = cfg.get_or<long long>("seed", 0);
  PDESYM_REQUIRE(seed >= 0, cfg.where() << ".seed: must be an integer >= 0, got " << seed);
  gc.seed = static_cast<std::uint64_t>(seed);

  YAML::Emitter em;
  em << cfg.node();
  gc.yaml = std::string(em.c_str()) + "\n";
  return gc;
}

Attributes GenerationConfig::attributes() const {
  Attributes a;
  a.equation = pde->name();
  a.equation_text = pde->equation();
  a.coefficients = pde->coefficients();
  a.seed = static_cast<std::int64_t>(seed);
  a.version = PDESYM_VERSION;
  a.config = yaml;
  return a;
}

Config apply_overrides(const Config& cfg, const GenerateOverrides& o) {
  YAML::Node n = YAML::Clone(cfg.node());
  if (o.train || o.valid || o.test) {
    if (!n["splits"] || !n["splits"].IsMap()) n["splits"] = YAML::Node(YAML::NodeType::Map);
    if (o.train) n["splits"]["train"] = *o.train;
    if (o.valid) n["splits"]["valid"] = *o.valid;
    if (o.test) n["splits"]["test"] = *o.test;
  }
  if (o.seed) n["seed"] = *o.seed;
  return Config(n, cfg.file());
}

// ---- one trajectory -------------------------------------------------------------------------------------

TrajectorySpec trajectory_spec(const GenerationConfig& gc, int split, int index) {
  PDESYM_CHECK(split >= 0 && split < 3, "split index must be 0, 1 or 2, got " << split);
  PDESYM_CHECK(index >= 0, "trajectory index must be >= 0, got " << index);
  PDESYM_CHECK(gc.pde, "GenerationConfig has no PDE (use GenerationConfig::from_config)");
  Rng rng(gc.seed, static_cast<std::uint64_t>(split), static_cast<std::uint64_t>(index));
  const double fL = rng.uniform(-1.0, 1.0), fT = rng.uniform(-1.0, 1.0);
  TrajectorySpec spec;
  spec.label = std::string(kSplitNames[split]) + "/" + std::to_string(index);
  spec.L = gc.L * (1.0 + gc.jitter_L * fL);
  spec.T = gc.T * (1.0 + gc.jitter_T * fT);
  spec.u0 = gc.ic.sample(solvers::Grid(gc.nx, spec.L), rng);
  return spec;
}

Field make_trajectory(const GenerationConfig& gc, int split, int index) {
  TrajectorySpec spec = trajectory_spec(gc, split, index);
  solvers::IntegrateOptions opt;
  opt.dt_max = gc.dt;
  opt.label = spec.label;
  return solvers::integrate(*gc.pde, solvers::Grid(gc.nx, spec.L), spec.u0, spec.T, gc.nt, opt);
}

namespace {
void store(Split& s, int row, const Field& tr) {
  std::copy(tr.data.begin(), tr.data.end(), s.traj(row));
  std::copy(tr.x.begin(), tr.x.end(), s.x.begin() + static_cast<std::ptrdiff_t>(row) * s.nx);
  std::copy(tr.t.begin(), tr.t.end(), s.t.begin() + static_cast<std::ptrdiff_t>(row) * s.nt);
  s.dx[row] = tr.dx;
  s.dt[row] = tr.dt;
}
}  // namespace

Split make_split(const GenerationConfig& gc, int split, int first, int count) {
  PDESYM_CHECK(split >= 0 && split < 3, "split index must be 0, 1 or 2, got " << split);
  if (count < 0) count = std::max(0, gc.counts[split] - first);
  Split s;
  s.name = kSplitNames[split];
  s.resize(count, gc.nt, gc.nx);
  for (int r = 0; r < count; ++r) store(s, r, make_trajectory(gc, split, first + r));
  return s;
}

// ---- parallel generation --------------------------------------------------------------------------------

std::string GenerateSummary::line() const {
  std::ostringstream os;
  os.setf(std::ios::fixed);
  os.precision(2);
  os << "generated " << trajectories << " trajectories (train " << counts[0] << ", valid " << counts[1]
     << ", test " << counts[2] << ") into " << path << " in " << seconds << " s (";
  os.precision(1);
  os << trajectories_per_second << " trajectories/s) on " << ranks << (ranks == 1 ? " rank" : " ranks");
  return os.str();
}

namespace {

enum class Kind : int { none = 0, input = 1, blowup = 2, other = 3 };

[[noreturn]] void throw_kind(Kind k, const std::string& msg) {
  switch (k) {
    case Kind::input: throw InputError(msg);
    case Kind::blowup: throw BlowUpError(msg);
    default: throw Error(msg);
  }
}

std::string bcast_string(const std::string& s, int root, MPI_Comm comm) {
  int rank = 0;
  MPI_Comm_rank(comm, &rank);
  long long len = rank == root ? static_cast<long long>(s.size()) : 0;
  MPI_Bcast(&len, 1, MPI_LONG_LONG, root, comm);
  std::string out = rank == root ? s : std::string(static_cast<std::size_t>(len), '\0');
  if (len > 0) MPI_Bcast(out.data(), static_cast<int>(len), MPI_CHAR, root, comm);
  return out;
}

/// A failure recorded on one rank, agreed on by all (collective).
struct Failure {
  Kind kind = Kind::none;
  std::string label, message;
  void set(Kind k, std::string l, std::string m) {
    if (kind != Kind::none) return;  // keep the first
    kind = k;
    label = std::move(l);
    message = std::move(m);
  }
};

/// Collective: if any rank failed, every rank throws (detailed on failing ranks, short elsewhere).
void agree_and_throw(const Failure& f, MPI_Comm comm, const std::string& out_path) {
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  int mine = f.kind != Kind::none ? rank : size, first = size;
  MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm);
  if (first == size) return;
  const std::string label = bcast_string(f.label, first, comm);
  if (rank == 0) std::remove(AtomicFile::temp_name_for(out_path).c_str());
  MPI_Barrier(comm);  // the temporary file is gone on every rank's return
  if (f.kind != Kind::none) throw_kind(f.kind, f.message);
  throw Error("generation of " + out_path + " stopped: " + (label.empty() ? std::string("a step") : label) +
              " failed on rank " + std::to_string(first) + " (its message says why); no output written");
}

Kind kind_of(const std::exception& e) {
  if (dynamic_cast<const BlowUpError*>(&e)) return Kind::blowup;
  if (dynamic_cast<const InputError*>(&e)) return Kind::input;
  return Kind::other;
}

std::string parent_dir(const std::string& path) {
  const auto slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return path.substr(0, slash);
}

bool is_dir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

/// The open datasets of one split in the parallel file.
struct SplitSets {
  Handle group, u, x, t, dx, dt;
};

void write_rows(hid_t ds, hsize_t row, const std::vector<hsize_t>& row_shape, const double* data,
                const std::string& file, const std::string& what) {
  Handle fs = check(H5Dget_space(ds), file, "cannot get the dataspace of " + what);
  std::vector<hsize_t> start(row_shape.size() + 1, 0), count(row_shape.size() + 1, 1);
  start[0] = row;
  for (std::size_t k = 0; k < row_shape.size(); ++k) count[k + 1] = row_shape[k];
  check_status(H5Sselect_hyperslab(fs, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), file,
               "cannot select row " + std::to_string(row) + " of " + what);
  Handle ms = check(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), file,
                    "cannot create a memory dataspace for " + what);
  check_status(H5Dwrite(ds, H5T_NATIVE_DOUBLE, ms, fs, H5P_DEFAULT, data), file,
               "cannot write row " + std::to_string(row) + " of " + what);
}

}  // namespace

GenerateSummary generate(const Config& cfg, const std::string& out_path, MPI_Comm comm, bool progress) {
  return generate(GenerationConfig::from_config(cfg), out_path, comm, progress);
}

GenerateSummary generate(const GenerationConfig& gc, const std::string& out_path, MPI_Comm comm, bool progress) {
  h5::silence_errors();
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  PDESYM_REQUIRE(!out_path.empty(), "output path is empty");
  PDESYM_CHECK(gc.pde, "GenerationConfig has no PDE (use GenerationConfig::from_config)");
  const std::string tmp = AtomicFile::temp_name_for(out_path);

  MPI_Barrier(comm);
  const double t0 = MPI_Wtime();

  // Rank 0 checks the output location first, so a typo gives a clear message instead of an MPI-IO error.
  {
    int ok = 1;
    if (rank == 0) ok = is_dir(parent_dir(out_path)) && !is_dir(out_path);
    MPI_Bcast(&ok, 1, MPI_INT, 0, comm);
    PDESYM_REQUIRE(ok, "cannot write '" << out_path << "': "
                                        << (is_dir(out_path) ? "it is a directory"
                                                             : "directory '" + parent_dir(out_path) + "' does not exist"));
  }

  // Collective: create the file, the groups and the datasets (every rank, same order).
  Handle fapl = check(H5Pcreate(H5P_FILE_ACCESS), out_path, "H5Pcreate failed");
  check_status(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), out_path, "H5Pset_fapl_mpio failed");
  Handle file = check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), out_path,
                      "cannot create '" + tmp + "'");
  fapl.reset();
  std::array<SplitSets, 3> sets;
  for (int s = 0; s < 3; ++s) {
    if (gc.counts[s] == 0) continue;
    const hsize_t n = gc.counts[s], nt = gc.nt, nx = gc.nx;
    auto& ss = sets[s];
    ss.group = h5::create_group(file, kSplitNames[s], out_path);
    ss.u = h5::create_f64(ss.group, "pde_" + std::to_string(gc.nt) + "-" + std::to_string(gc.nx), {n, nt, nx},
                          out_path);
    ss.x = h5::create_f64(ss.group, "x", {n, nx}, out_path);
    ss.t = h5::create_f64(ss.group, "t", {n, nt}, out_path);
    ss.dx = h5::create_f64(ss.group, "dx", {n}, out_path);
    ss.dt = h5::create_f64(ss.group, "dt", {n}, out_path);
  }

  // Round-robin over the flattened list (train, then valid, then test). One round = one trajectory per rank.
  // After each round every rank posts a non-blocking sum of {failures, finished trajectories} and only waits
  // for the result of the round kLag rounds back. So ranks are never held in lock step (a rank descheduled on a
  // busy machine, or a slower trajectory, does not make the others spin in a blocking collective), yet a
  // failure stops everyone within kLag rounds: if round q is the first whose sum shows a failure (the same q on
  // every rank, since results are read in order), every rank posts rounds up to q + kLag, then stops.
  const int total = gc.total();
  const int rounds = (total + size - 1) / size;
  constexpr int kLag = 8;
  ProgressBar bar("generate " + gc.pde->name(), static_cast<std::size_t>(total), progress && rank == 0);
  Failure fail;
  int done_local = 0;
  std::vector<std::array<int, 2>> sent(static_cast<std::size_t>(rounds)), summed(static_cast<std::size_t>(rounds));
  std::vector<MPI_Request> reqs(static_cast<std::size_t>(rounds), MPI_REQUEST_NULL);
  int oldest = 0;             // first round whose sum has not been read yet
  int stop_after = rounds;    // last round to post (q + kLag once round q shows a failure)
  int posted = 0;
  for (int r = 0; r < rounds && r <= stop_after; ++r) {
    const int g = r * size + rank;
    if (g < total && fail.kind == Kind::none && stop_after == rounds) {
      int s = 0, i = g;
      while (i >= gc.counts[s]) i -= gc.counts[s++];
      const std::string label = std::string(kSplitNames[s]) + "/" + std::to_string(i);
      try {
        const Field tr = make_trajectory(gc, s, i);
        const std::string where = "/" + std::string(kSplitNames[s]);
        const hsize_t nt = gc.nt, nx = gc.nx;
        const double dx = tr.dx, dt = tr.dt;
        write_rows(sets[s].u, i, {nt, nx}, tr.data.data(), out_path, where + "/pde_*");
        write_rows(sets[s].x, i, {nx}, tr.x.data(), out_path, where + "/x");
        write_rows(sets[s].t, i, {nt}, tr.t.data(), out_path, where + "/t");
        write_rows(sets[s].dx, i, {}, &dx, out_path, where + "/dx");
        write_rows(sets[s].dt, i, {}, &dt, out_path, where + "/dt");
        ++done_local;
      } catch (const std::exception& e) {
        fail.set(kind_of(e), label, e.what());
      }
    }
    sent[r] = {fail.kind != Kind::none ? 1 : 0, done_local};
    MPI_Iallreduce(sent[r].data(), summed[r].data(), 2, MPI_INT, MPI_SUM, comm, &reqs[r]);
    posted = r + 1;
    // Read finished sums in order: wait for those kLag rounds old, take the newer ones only if already done.
    while (oldest <= r) {
      if (r - oldest >= kLag) {
        MPI_Wait(&reqs[oldest], MPI_STATUS_IGNORE);
      } else {
        int flag = 0;
        MPI_Test(&reqs[oldest], &flag, MPI_STATUS_IGNORE);
        if (!flag) break;
      }
      bar.update(static_cast<std::size_t>(summed[oldest][1]));
      if (summed[oldest][0] > 0 && stop_after == rounds) stop_after = std::min(rounds - 1, oldest + kLag);
      ++oldest;
    }
  }
  MPI_Waitall(posted - oldest, reqs.data() + oldest, MPI_STATUSES_IGNORE);
  if (oldest < posted) bar.update(static_cast<std::size_t>(summed[posted - 1][1]));

  // Collective close (even after a failure, so no rank hangs); a failed close is a failure too.
  for (auto& ss : sets) {
    for (Handle* h : {&ss.u, &ss.x, &ss.t, &ss.dx, &ss.dt, &ss.group})
      if (!h->reset()) fail.set(Kind::other, "", out_path + ": closing a dataset failed: " + h5::last_error());
  }
  if (!file.reset()) fail.set(Kind::other, "", out_path + ": closing '" + tmp + "' failed: " + h5::last_error());
  agree_and_throw(fail, comm, out_path);
  if (progress && rank == 0) bar.finish();

  // Rank 0 adds the attributes (serial HDF5, the parallel file is closed) and renames the file into place.
  if (rank == 0) {
    try {
      {
        Handle f = check(H5Fopen(tmp.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), out_path, "cannot reopen '" + tmp + "'");
        h5::write_attributes(f, gc.attributes(), out_path);
        if (!f.reset()) throw Error(out_path + ": closing '" + tmp + "' failed: " + h5::last_error());
      }
      if (std::rename(tmp.c_str(), out_path.c_str()) != 0)
        throw Error("cannot rename '" + tmp + "' to '" + out_path + "'");
    } catch (const std::exception& e) {
      fail.set(kind_of(e), "", e.what());
    }
  }
  agree_and_throw(fail, comm, out_path);

  GenerateSummary sum;
  sum.path = out_path;
  sum.counts = gc.counts;
  sum.trajectories = total;
  sum.ranks = size;
  sum.seconds = MPI_Wtime() - t0;
  MPI_Bcast(&sum.seconds, 1, MPI_DOUBLE, 0, comm);
  sum.trajectories_per_second = sum.seconds > 0 ? total / sum.seconds : 0.0;
  return sum;
}

}  // namespace pdesym::datasets
