#include "pdesym/datasets/generate.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <limits>
#include <sstream>
#include <vector>

#include "h5util.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/interrupt.hpp"
#include "pdesym/common/progress.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/solvers/cole_hopf.hpp"

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
                    "initial_condition", "splits", "seed", "cole_hopf"});
  GenerationConfig gc;
  gc.source = cfg.file();
  if (solvers::is_field_config(cfg))
    gc.field_pde = std::shared_ptr<const solvers::FieldPde>(solvers::make_field_pde(cfg));
  else
    gc.pde = std::shared_ptr<const solvers::PolynomialPde>(solvers::make_pde(cfg));
  const std::string equation = gc.is_field() ? gc.field_pde->name() : gc.pde->name();

  const Config d = cfg["domain"];
  gc.dim = d.get_or<int>("dim", 1);
  PDESYM_REQUIRE(gc.dim == 1 || gc.dim == 2, d.where() << ".dim: must be 1 or 2, got " << gc.dim);
  if (gc.dim == 2) {
    d.require_only({"dim", "Lx", "Ly", "nx", "ny", "T", "nt", "nt_solve", "jitter_L", "jitter_T"});
    std::string names;
    for (const auto& e : solvers::known_field_equations()) names += (names.empty() ? "" : ", ") + e;
    PDESYM_REQUIRE(gc.is_field(), d.where() << ".dim: " << equation << " is a 1-D scalar equation; dim 2 needs one of "
                                            << names << " (or a custom system)");
    gc.L = require_positive(d, "Lx");
    gc.Ly = require_positive(d, "Ly");
    PDESYM_REQUIRE(std::isfinite(gc.Ly), d.where() << ": Ly must be finite");
    gc.ny = d.get<int>("ny");
    PDESYM_REQUIRE(gc.ny >= 4 && gc.ny % 2 == 0 && gc.ny <= (1 << 14),
                   d["ny"].where() << ": must be even and in 4..16384, got " << gc.ny);
  } else {
    d.require_only({"dim", "L", "T", "nx", "nx_solve", "nt", "nt_solve", "jitter_L", "jitter_T"});
    gc.L = require_positive(d, "L");
  }
  PDESYM_REQUIRE(!gc.is_field() || gc.field_pde->supports_dim(gc.dim),
                 d.where() << ".dim: equation " << equation << " is not defined in " << gc.dim << "-D");
  gc.T = require_positive(d, "T");
  PDESYM_REQUIRE(std::isfinite(gc.L) && std::isfinite(gc.T), d.where() << ": L and T must be finite");
  gc.nx = d.get<int>("nx");
  PDESYM_REQUIRE(gc.nx >= 4 && gc.nx % 2 == 0 && gc.nx <= (1 << 20),
                 d["nx"].where() << ": must be even and in 4..1048576, got " << gc.nx);
  gc.nx_solve = d.get_or<int>("nx_solve", gc.nx);
  PDESYM_REQUIRE(gc.nx_solve >= gc.nx && gc.nx_solve % gc.nx == 0 && gc.nx_solve <= (1 << 20),
                 d["nx_solve"].where() << ": must be a multiple of nx = " << gc.nx
                                       << " up to 1048576 (the solver's grid, of which every (nx_solve / nx)-th point is "
                                          "stored), got " << gc.nx_solve);
  gc.nt = d.get<int>("nt");
  PDESYM_REQUIRE(gc.nt >= 2 && gc.nt <= 1000000, d["nt"].where() << ": must be in 2..1000000, got " << gc.nt);
  gc.nt_solve = d.get_or<int>("nt_solve", gc.nt);
  PDESYM_REQUIRE(gc.nt_solve >= gc.nt && gc.nt_solve <= 1000000,
                 d["nt_solve"].where() << ": must be in nt.." << 1000000 << " (the solver's levels, of which the last nt = "
                                       << gc.nt << " are stored), got " << gc.nt_solve);
  gc.jitter_L = d.get_or<double>("jitter_L", 0.0);
  gc.jitter_T = d.get_or<double>("jitter_T", 0.0);
  PDESYM_REQUIRE(gc.jitter_L >= 0 && gc.jitter_L < 1,
                 d.where() << ".jitter_L: must be a fraction in [0, 1), got " << gc.jitter_L);
  PDESYM_REQUIRE(gc.jitter_T >= 0 && gc.jitter_T < 1,
                 d.where() << ".jitter_T: must be a fraction in [0, 1), got " << gc.jitter_T);

  const Config s = cfg["solver"];
  s.require_only({"dt", "rtol", "atol", "dealias", "fft_planning"});
  if (s.has("fft_planning")) {
    const std::string p = s.get<std::string>("fft_planning");
    PDESYM_REQUIRE(p == "estimate" || p == "measure", s["fft_planning"].where()
                                                          << ": must be \"estimate\" (bit-reproducible, the default) "
                                                             "or \"measure\" (faster FFTs, reproducible to round-off), got \""
                                                          << p << "\"");
    gc.fft_planning = p == "measure" ? solvers::FftPlanning::Measure : solvers::FftPlanning::Estimate;
  }
  if (s.has("dealias")) {
    gc.dealias = solvers::parse_dealias(s.get<std::string>("dealias"), s["dealias"].where());
  }
  if (s.has("rtol")) {  // error control; dt (optional) is then the largest step
    gc.rtol = require_positive(s, "rtol");
    PDESYM_REQUIRE(gc.rtol < 1, s["rtol"].where() << ": must be < 1, got " << gc.rtol);
    gc.dt = s.has("dt") ? require_positive(s, "dt") : std::numeric_limits<double>::infinity();
    if (s.has("atol")) {
      gc.atol = s.get<double>("atol");
      PDESYM_REQUIRE(gc.atol >= 0 && std::isfinite(gc.atol), s["atol"].where() << ": must be >= 0, got " << gc.atol);
    }
  } else {
    PDESYM_REQUIRE(!s.has("atol"), s["atol"].where() << ": needs solver.rtol (error control)");
    gc.dt = require_positive(s, "dt");
  }

  if (gc.is_field())
    gc.field_ic = std::make_shared<const solvers::FieldIc>(
        solvers::FieldIc::from_config(cfg.child_or_empty("initial_condition"), *gc.field_pde, gc.box(gc.L, gc.Ly)));
  else
    gc.ic = solvers::SineSumIc::from_config(cfg.child_or_empty("initial_condition"));

  if (cfg.get_or<bool>("cole_hopf", false)) {
    PDESYM_REQUIRE(!gc.is_field() && gc.pde->name() == "burgers",
                   cfg["cole_hopf"].where() << ": the Cole-Hopf route generates Burgers data; it needs equation: burgers, got "
                                            << equation);
    PDESYM_REQUIRE(gc.ic.exp_scale > 0,
                   cfg["cole_hopf"].where() << ": the heat solution psi must stay positive; set initial_condition.exp_scale > 0 "
                                               "(LPSDA: 10)");
    gc.cole_hopf_nu = gc.pde->coefficients().at("nu");
    gc.heat_for_cole_hopf = std::shared_ptr<const solvers::PolynomialPde>(solvers::make_heat(gc.cole_hopf_nu));
  }

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

FieldShape GenerationConfig::shape() const {
  return FieldShape{dim, is_field() ? field_pde->nc() : 1, nt, dim == 2 ? ny : 1, nx};
}

std::vector<std::string> GenerationConfig::components() const {
  return is_field() ? field_pde->component_names() : std::vector<std::string>{"u"};
}

solvers::Box GenerationConfig::box(double Lx, double Ly_) const {
  return dim == 2 ? solvers::Box::plane(nx, ny, Lx, Ly_) : solvers::Box::line(nx_solve, Lx);
}

Attributes GenerationConfig::attributes() const {
  Attributes a;
  a.equation = is_field() ? field_pde->name() : pde->name();
  a.equation_text = is_field() ? field_pde->equation() : pde->equation();
  a.coefficients = is_field() ? field_pde->coefficients() : pde->coefficients();
  if (!is_lpsda_shape(dim, components())) {
    a.layout = kNdLayout;
    a.dim = dim;
    a.components = components();
  }
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
  PDESYM_CHECK(gc.pde || gc.field_pde, "GenerationConfig has no PDE (use GenerationConfig::from_config)");
  Rng rng(gc.seed, static_cast<std::uint64_t>(split), static_cast<std::uint64_t>(index));
  const double fL = rng.uniform(-1.0, 1.0), fT = rng.uniform(-1.0, 1.0);
  TrajectorySpec spec;
  spec.label = std::string(kSplitNames[split]) + "/" + std::to_string(index);
  spec.L = gc.L * (1.0 + gc.jitter_L * fL);
  spec.T = gc.T * (1.0 + gc.jitter_T * fT);
  if (gc.is_field()) {
    spec.Ly = gc.dim == 2 ? gc.Ly * (1.0 + gc.jitter_L * fL) : 0.0;
    spec.u0 = gc.field_ic->sample(gc.box(spec.L, spec.Ly), rng);
    return spec;
  }
  spec.u0 = gc.ic.sample(solvers::Grid(gc.nx_solve, spec.L), rng);
  return spec;
}

namespace {
/// Every stride-th x point of a 1-D field (all components and levels).
Field every_nth_point(const Field& f, int stride) {
  FieldShape s = f.shape;
  s.nx = f.nx() / stride;
  Field g(s, f.dx * stride, f.dy, f.dt, f.t.front());
  g.components = f.components;
  g.t = f.t;
  for (int i = 0; i < s.nx; ++i) g.x[i] = f.x[static_cast<std::size_t>(i) * stride];
  for (int c = 0; c < s.nc; ++c)
    for (int n = 0; n < s.nt; ++n)
      for (int i = 0; i < s.nx; ++i) g.snapshot(c, n)[i] = f.snapshot(c, n)[static_cast<std::size_t>(i) * stride];
  return g;
}

/// The stored part of a solved trajectory: its last gc.nt levels, mapped to Burgers by Cole–Hopf if configured,
/// on the stored grid (every (nx_solve / nx)-th solver point).
Field stored_window(const GenerationConfig& gc, Field f, const std::string& label) {
  if (gc.nt_solve != gc.nt) f = f.window(gc.nt_solve - gc.nt, gc.nt);
  if (gc.heat_for_cole_hopf) {
    try {
      solvers::cole_hopf_in_place(f, gc.cole_hopf_nu);
    } catch (const InputError& e) {
      throw BlowUpError(label + ": " + e.what());
    }
  }
  if (gc.nx_solve != gc.nx) f = every_nth_point(f, gc.nx_solve / gc.nx);
  return f;
}
}  // namespace

Field make_trajectory(const GenerationConfig& gc, int split, int index) { return make_trajectory(gc, split, index, nullptr); }

Field make_trajectory(const GenerationConfig& gc, int split, int index, solvers::IntegrateStats* stats,
                      solvers::StepperCache* steppers) {
  TrajectorySpec spec = trajectory_spec(gc, split, index);
  const solvers::ScopedFftPlanning planning(gc.fft_planning);  // for the FftBoxes of this call
  solvers::IntegrateOptions opt;
  opt.dt_max = gc.dt;
  opt.rtol = gc.rtol;
  opt.atol = gc.atol;
  opt.dealias = gc.dealias;
  opt.steppers = steppers;
  opt.label = spec.label;
  Field f = gc.is_field()
                ? solvers::integrate(*gc.field_pde, gc.box(spec.L, spec.Ly), spec.u0, spec.T, gc.nt_solve, opt, stats)
                : solvers::integrate(gc.heat_for_cole_hopf ? *gc.heat_for_cole_hopf : *gc.pde,
                                     solvers::Grid(gc.nx_solve, spec.L), spec.u0, spec.T, gc.nt_solve, opt, stats);
  return stored_window(gc, std::move(f), spec.label);
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
  solvers::StepperCache steppers;
  if (gc.is_field()) {
    s.resize(count, gc.shape(), gc.components());
    for (int r = 0; r < count; ++r) s.set_field(r, make_trajectory(gc, split, first + r, nullptr, &steppers), s.name);
    return s;
  }
  s.resize(count, gc.nt, gc.nx);
  for (int r = 0; r < count; ++r) store(s, r, make_trajectory(gc, split, first + r, nullptr, &steppers));
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
  if (resumed > 0) os << "; " << resumed << " taken from the partial file";
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
  if (rank == 0) {
    interrupt::clear_resumable();
    std::remove(partial_name_for(out_path).c_str());
  }
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

/// The open datasets of one split in the parallel file (u: LPSDA's pde_*; comps: the n-D layout's components).
struct SplitSets {
  Handle group, u, x, t, dx, dt, finished;
  std::vector<Handle> comps;
  Handle y, dy;
};

/// The per-split resume mask: uint8 [n], zero-filled when allocated.
Handle create_mask(hid_t loc, hsize_t n, const std::string& file) {
  Handle space = check(H5Screate_simple(1, &n, nullptr), file, "cannot create a dataspace for 'finished'");
  Handle dcpl = check(H5Pcreate(H5P_DATASET_CREATE), file, "H5Pcreate failed");
  const unsigned char zero = 0;
  check_status(H5Pset_fill_value(dcpl, H5T_NATIVE_UCHAR, &zero), file, "H5Pset_fill_value failed");
  check_status(H5Pset_fill_time(dcpl, H5D_FILL_TIME_ALLOC), file, "H5Pset_fill_time failed");
  check_status(H5Pset_alloc_time(dcpl, H5D_ALLOC_TIME_EARLY), file, "H5Pset_alloc_time failed");
  return check(H5Dcreate2(loc, "finished", H5T_STD_U8LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), file,
               "cannot create dataset 'finished'");
}

void write_mask(hid_t ds, hsize_t row, const unsigned char* v, const std::string& file, const std::string& what) {
  Handle fs = check(H5Dget_space(ds), file, "cannot get the dataspace of " + what);
  const hsize_t one = 1;
  check_status(H5Sselect_hyperslab(fs, H5S_SELECT_SET, &row, nullptr, &one, nullptr), file,
               "cannot select row " + std::to_string(row) + " of " + what);
  Handle ms = check(H5Screate_simple(1, &one, nullptr), file, "cannot create a memory dataspace for " + what);
  check_status(H5Dwrite(ds, H5T_NATIVE_UCHAR, ms, fs, H5P_DEFAULT, v), file,
               "cannot write row " + std::to_string(row) + " of " + what);
}

/// Closes a file; returns "" or HDF5's reason why the close (its final flush) failed.
std::string close_file(Handle& f) {
  if (f.reset()) return "";
  const std::string why = h5::last_error();
  return why.empty() ? "unknown HDF5 error" : why;
}

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

std::string partial_name_for(const std::string& out_path) { return out_path + ".partial"; }

GenerateSummary generate(const Config& cfg, const std::string& out_path, MPI_Comm comm, bool progress) {
  return generate(GenerationConfig::from_config(cfg), out_path, comm, progress);
}

GenerateSummary generate(const GenerationConfig& gc, const std::string& out_path, MPI_Comm comm, bool progress) {
  GenerateOptions o;
  o.progress = progress;
  return generate(gc, out_path, comm, o);
}

GenerateSummary generate(const GenerationConfig& gc, const std::string& out_path, MPI_Comm comm,
                         const GenerateOptions& gopt) {
  h5::silence_errors();
  int rank = 0, size = 1;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  PDESYM_REQUIRE(!out_path.empty(), "output path is empty");
  PDESYM_CHECK(gc.pde || gc.field_pde, "GenerationConfig has no PDE (use GenerationConfig::from_config)");
  const std::string tmp = partial_name_for(out_path);
  const bool progress = gopt.progress;
  const bool nd = !is_lpsda_shape(gc.dim, gc.components());  // the layout write_dataset would choose

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

  // --resume: rank 0 checks the partial file (made from this config?) and reads its `finished` masks.
  const int total = gc.total();
  std::vector<unsigned char> finished(static_cast<std::size_t>(total), 0);
  int resuming = 0;
  {
    std::string refusal;
    if (rank == 0 && gopt.resume && file_exists(tmp)) {
      try {
        Handle f(H5Fopen(tmp.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT));
        if (!f.valid() || H5Aexists(f, "partial_config") <= 0) {
          h5::last_error();
          refusal = tmp + " is not a partial pdesym generate file; rerun without --resume to replace it";
        } else {
          Handle attr = check(H5Aopen(f, "partial_config", H5P_DEFAULT), tmp, "cannot open 'partial_config'");
          Handle type = check(H5Tcopy(H5T_C_S1), tmp, "H5Tcopy failed");
          check_status(H5Tset_size(type, H5T_VARIABLE), tmp, "H5Tset_size failed");
          check_status(H5Tset_cset(type, H5T_CSET_UTF8), tmp, "H5Tset_cset failed");
          char* p = nullptr;
          check_status(H5Aread(attr, type, &p), tmp, "cannot read 'partial_config'");
          const std::string old = p ? p : "";
          if (p) H5free_memory(p);
          if (old != gc.yaml) {
            refusal = "cannot resume: " + tmp + " was made from a different config (or different --train/--valid/"
                      "--test/--seed); rerun without --resume to start over";
          } else {
            int g0 = 0;
            for (int s = 0; s < 3; ++s) {
              if (gc.counts[s] > 0) {
                const std::string name = std::string(kSplitNames[s]) + "/finished";
                Handle ds = check(H5Dopen2(f, name.c_str(), H5P_DEFAULT), tmp, "cannot open /" + name);
                check_status(H5Dread(ds, H5T_NATIVE_UCHAR, H5S_ALL, H5S_ALL, H5P_DEFAULT, finished.data() + g0),
                             tmp, "cannot read /" + name);
              }
              g0 += gc.counts[s];
            }
            resuming = 1;
          }
        }
      } catch (const std::exception& e) {
        refusal = std::string("cannot resume from ") + tmp + ": " + e.what();
      }
    }
    const std::string why = bcast_string(refusal, 0, comm);
    PDESYM_REQUIRE(why.empty(), why);
    MPI_Bcast(&resuming, 1, MPI_INT, 0, comm);
    if (total > 0) MPI_Bcast(finished.data(), total, MPI_UNSIGNED_CHAR, 0, comm);
    if (rank == 0 && gopt.resume && !resuming && progress)
      std::fprintf(stderr, "no partial file %s: starting from scratch\n", tmp.c_str());
  }
  std::vector<int> todo;  // flattened indices (train, then valid, then test) still to compute
  for (int g = 0; g < total; ++g)
    if (!finished[static_cast<std::size_t>(g)]) todo.push_back(g);
  const int resumed = total - static_cast<int>(todo.size());

  // Collective: create (or reopen) the file, the groups and the datasets (every rank, same order).
  Handle fapl = check(H5Pcreate(H5P_FILE_ACCESS), out_path, "H5Pcreate failed");
  check_status(H5Pset_fapl_mpio(fapl, comm, MPI_INFO_NULL), out_path, "H5Pset_fapl_mpio failed");
  Handle file = resuming ? check(H5Fopen(tmp.c_str(), H5F_ACC_RDWR, fapl), out_path, "cannot reopen '" + tmp + "'")
                         : check(H5Fcreate(tmp.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), out_path,
                                 "cannot create '" + tmp + "'");
  fapl.reset();
  if (rank == 0) interrupt::set_resumable(tmp, "trajectories", total);
  std::array<SplitSets, 3> sets;
  Failure fail;
  try {
    for (int s = 0; s < 3; ++s) {
      if (gc.counts[s] == 0) continue;
      const hsize_t n = gc.counts[s], nt = gc.nt, nx = gc.nx;
      auto& ss = sets[s];
      const std::string pde = "pde_" + std::to_string(gc.nt) + "-" + std::to_string(gc.nx);
      if (resuming) {
        auto open = [&](hid_t loc, const std::string& name) {
          return check(H5Dopen2(loc, name.c_str(), H5P_DEFAULT), out_path, "cannot open '" + name + "' in " + tmp);
        };
        ss.group = check(H5Gopen2(file, kSplitNames[s], H5P_DEFAULT), out_path,
                         std::string("cannot open group '") + kSplitNames[s] + "' in " + tmp);
        if (nd) {
          for (const auto& c : gc.components()) ss.comps.push_back(open(ss.group, c));
        } else {
          ss.u = open(ss.group, pde);
        }
        ss.x = open(ss.group, "x");
        ss.t = open(ss.group, "t");
        ss.dx = open(ss.group, "dx");
        ss.dt = open(ss.group, "dt");
        if (gc.dim == 2) {
          ss.y = open(ss.group, "y");
          ss.dy = open(ss.group, "dy");
        }
        ss.finished = open(ss.group, "finished");
      } else {
        ss.group = h5::create_group(file, kSplitNames[s], out_path);
        if (nd) {
          for (const auto& c : gc.components())
            ss.comps.push_back(h5::create_f64(ss.group, c, h5::component_dims(n, gc.shape()), out_path));
        } else {
          ss.u = h5::create_f64(ss.group, pde, {n, nt, nx}, out_path);
        }
        ss.x = h5::create_f64(ss.group, "x", {n, nx}, out_path);
        ss.t = h5::create_f64(ss.group, "t", {n, nt}, out_path);
        ss.dx = h5::create_f64(ss.group, "dx", {n}, out_path);
        ss.dt = h5::create_f64(ss.group, "dt", {n}, out_path);
        if (gc.dim == 2) {
          ss.y = h5::create_f64(ss.group, "y", {n, static_cast<hsize_t>(gc.ny)}, out_path);
          ss.dy = h5::create_f64(ss.group, "dy", {n}, out_path);
        }
        ss.finished = create_mask(ss.group, n, out_path);
      }
    }
    if (!resuming) {
      h5::write_string_attr(file, "partial_config", gc.yaml, out_path);
      // Everything but raw data is on disk before the first trajectory: a killed run leaves a readable file.
      check_status(H5Fflush(file, H5F_SCOPE_GLOBAL), out_path, "cannot flush '" + tmp + "'");
    }
  } catch (const std::exception& e) {
    fail.set(kind_of(e), "", e.what());
  }

  // Round-robin over the trajectories still to do (train, then valid, then test). One round = one trajectory
  // per rank. After each round every rank posts a non-blocking sum of {failures, finished trajectories} and only
  // waits for the result of the round kLag rounds back. So ranks are never held in lock step (a rank descheduled
  // on a busy machine, or a slower trajectory, does not make the others spin in a blocking collective), yet a
  // failure stops everyone within kLag rounds: if round q is the first whose sum shows a failure (the same q on
  // every rank, since results are read in order), every rank posts rounds up to q + kLag, then stops.
  const int ntodo = static_cast<int>(todo.size());
  const int rounds = (ntodo + size - 1) / size;
  constexpr int kLag = 8;
  ProgressBar bar("generate " + gc.attributes().equation, static_cast<std::size_t>(total), progress && rank == 0);
  bar.update(static_cast<std::size_t>(resumed));
  if (rank == 0) interrupt::set_resumable_done(resumed);
  int done_local = 0;
  std::vector<std::array<int, 2>> sent(static_cast<std::size_t>(rounds)), summed(static_cast<std::size_t>(rounds));
  std::vector<MPI_Request> reqs(static_cast<std::size_t>(rounds), MPI_REQUEST_NULL);
  solvers::StepperCache steppers;  // solver.rtol: coefficients shared by this rank's trajectories
  int oldest = 0;             // first round whose sum has not been read yet
  int stop_after = rounds;    // last round to post (q + kLag once round q shows a failure)
  int posted = 0;
  for (int r = 0; r < rounds && r <= stop_after; ++r) {
    const int q = r * size + rank;
    if (q < ntodo && fail.kind == Kind::none && stop_after == rounds) {
      const int g = todo[static_cast<std::size_t>(q)];
      int s = 0, i = g;
      while (i >= gc.counts[s]) i -= gc.counts[s++];
      const std::string label = std::string(kSplitNames[s]) + "/" + std::to_string(i);
      try {
        const Field tr = make_trajectory(gc, s, i, nullptr, &steppers);
        const std::string where = "/" + std::string(kSplitNames[s]);
        const hsize_t nt = gc.nt, nx = gc.nx;
        const double dx = tr.dx, dt = tr.dt;
        const unsigned char one = 1;
        if (nd) {
          PDESYM_CHECK(tr.shape == gc.shape(), label << ": integrate returned " << tr.shape.describe() << ", expected "
                                                     << gc.shape().describe());
          const auto dims = h5::component_dims(1, gc.shape());
          const std::vector<hsize_t> row(dims.begin() + 1, dims.end());
          for (int c = 0; c < tr.nc(); ++c)
            write_rows(sets[s].comps[c], i, row, tr.component(c), out_path, where + "/" + tr.components[c]);
        } else {
          write_rows(sets[s].u, i, {nt, nx}, tr.data.data(), out_path, where + "/pde_*");
        }
        write_rows(sets[s].x, i, {nx}, tr.x.data(), out_path, where + "/x");
        write_rows(sets[s].t, i, {nt}, tr.t.data(), out_path, where + "/t");
        write_rows(sets[s].dx, i, {}, &dx, out_path, where + "/dx");
        write_rows(sets[s].dt, i, {}, &dt, out_path, where + "/dt");
        if (gc.dim == 2) {
          const double dy = tr.dy;
          write_rows(sets[s].y, i, {static_cast<hsize_t>(gc.ny)}, tr.y.data(), out_path, where + "/y");
          write_rows(sets[s].dy, i, {}, &dy, out_path, where + "/dy");
        }
        write_mask(sets[s].finished, i, &one, out_path, where + "/finished");  // after the rows: the commit mark
        ++done_local;
        if (size == 1) interrupt::set_resumable_done(resumed + done_local);
        if (gopt.interrupt_after >= 0 && done_local >= gopt.interrupt_after) std::raise(gopt.interrupt_signal);
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
      bar.update(static_cast<std::size_t>(resumed + summed[oldest][1]));
      if (rank == 0) interrupt::set_resumable_done(resumed + summed[oldest][1]);
      if (summed[oldest][0] > 0 && stop_after == rounds) stop_after = std::min(rounds - 1, oldest + kLag);
      ++oldest;
    }
  }
  MPI_Waitall(posted - oldest, reqs.data() + oldest, MPI_STATUSES_IGNORE);
  if (oldest < posted) bar.update(static_cast<std::size_t>(resumed + summed[posted - 1][1]));

  // Collective close (even after a failure, so no rank hangs); a failed close is a failure too.
  for (auto& ss : sets) {
    for (Handle& h : ss.comps)
      if (!h.reset()) fail.set(Kind::other, "", out_path + ": closing a dataset failed: " + h5::last_error());
    for (Handle* h : {&ss.u, &ss.x, &ss.t, &ss.dx, &ss.dt, &ss.y, &ss.dy, &ss.finished, &ss.group})
      if (!h->reset()) fail.set(Kind::other, "", out_path + ": closing a dataset failed: " + h5::last_error());
  }
  if (const std::string why = close_file(file); !why.empty())
    fail.set(Kind::other, "", out_path + ": closing '" + tmp + "' failed: " + why);
  agree_and_throw(fail, comm, out_path);
  if (progress && rank == 0) bar.finish();

  // Rank 0 (serial HDF5, the parallel file is closed) drops the resume bookkeeping, adds the attributes and
  // renames the file into place.
  if (rank == 0) {
    try {
      {
        Handle f = check(H5Fopen(tmp.c_str(), H5F_ACC_RDWR, H5P_DEFAULT), out_path, "cannot reopen '" + tmp + "'");
        for (int s = 0; s < 3; ++s)
          if (gc.counts[s] > 0)
            check_status(H5Ldelete(f, (std::string(kSplitNames[s]) + "/finished").c_str(), H5P_DEFAULT), out_path,
                         "cannot remove the 'finished' mask of " + std::string(kSplitNames[s]));
        check_status(H5Adelete(f, "partial_config"), out_path, "cannot remove attribute 'partial_config'");
        h5::write_attributes(f, gc.attributes(), out_path);
        if (const std::string why = close_file(f); !why.empty())
          throw Error(out_path + ": closing '" + tmp + "' failed: " + why);
      }
      if (std::rename(tmp.c_str(), out_path.c_str()) != 0)
        throw Error("cannot rename '" + tmp + "' to '" + out_path + "'");
    } catch (const std::exception& e) {
      fail.set(kind_of(e), "", e.what());
    }
    interrupt::clear_resumable();
  }
  agree_and_throw(fail, comm, out_path);

  GenerateSummary sum;
  sum.path = out_path;
  sum.counts = gc.counts;
  sum.trajectories = total;
  sum.resumed = resumed;
  sum.ranks = size;
  sum.seconds = MPI_Wtime() - t0;
  MPI_Bcast(&sum.seconds, 1, MPI_DOUBLE, 0, comm);
  sum.trajectories_per_second = sum.seconds > 0 ? (total - resumed) / sum.seconds : 0.0;
  return sum;
}

}  // namespace pdesym::datasets
