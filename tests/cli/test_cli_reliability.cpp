// The error policy of the pdesym binary (docs/ARCHITECTURE.md, "Error policy"): every failure prints
// "pdesym: error: ..." and exits 2; output paths are checked before any work; a full disk, SIGINT/SIGTERM or a
// kill leave no temporary behind and clobber no good file; generate --resume continues an interrupted run to
// the same file an uninterrupted run writes; progress output off a terminal stays short; evaluation metrics on
// edge-case data are defined or say why not.
#include <gtest/gtest.h>
#include <hdf5.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "../datasets/test_util.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/interrupt.hpp"
#include "pdesym/common/progress.hpp"
#include "pdesym/datasets/dataset.hpp"
#include "pdesym/datasets/generate.hpp"

using namespace pdesym;
using namespace pdesym::datasets;
using pdesym_test::exists;
using pdesym_test::ScratchDir;

namespace {

const std::string kBin = std::string(PDESYM_BINARY_DIR) + "/bin/pdesym";

const char* kTiny = R"(equation: kdv
coefficients: {alpha: 1.0, beta: 1.0}
domain: {L: 64.0, T: 10.0, nx: 64, nt: 21, jitter_L: 0.1, jitter_T: 0.1}
solver: {dt: 0.05}
initial_condition: {type: sine_sum, terms: 10, amplitude: 0.5, l_min: 1, l_max: 2}
splits: {train: 12, valid: 2, test: 2}
seed: 3
)";

struct Result {
  int rc = -1;      ///< exit status, or -1 if killed by a signal
  int signal = 0;   ///< the signal that killed it, if any
  std::string out;  ///< stdout and stderr together
};

struct Options {
  std::vector<std::string> env;  ///< NAME=VALUE added to the environment
  long fsize_limit = -1;         ///< RLIMIT_FSIZE in bytes (SIGXFSZ ignored, so writes fail with EFBIG)
};

/// A child process whose stdout and stderr go into one pipe (not a file: the file-size limit must not cut it).
class Child {
 public:
  Child(const std::vector<std::string>& argv, const Options& o = {}) {
    int fds[2];
    if (pipe(fds) != 0) std::abort();
    pid_ = fork();
    if (pid_ == 0) {
      dup2(fds[1], 1);
      dup2(fds[1], 2);
      close(fds[0]);
      close(fds[1]);
      for (const auto& e : o.env) putenv(strdup(e.c_str()));
      if (o.fsize_limit >= 0) {
        struct rlimit rl {};
        rl.rlim_cur = rl.rlim_max = static_cast<rlim_t>(o.fsize_limit);
        setrlimit(RLIMIT_FSIZE, &rl);
        signal(SIGXFSZ, SIG_IGN);
      }
      std::vector<char*> a;
      for (const auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
      a.push_back(nullptr);
      execv(a[0], a.data());
      _exit(127);
    }
    close(fds[1]);
    fd_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0 && !done_) {
      kill(pid_, SIGKILL);
      finish();
    }
    if (fd_ >= 0) close(fd_);
  }
  /// Reads output until it contains `needle` (true) or the child closes its output / `seconds` pass (false).
  bool wait_for(const std::string& needle, double seconds) {
    const auto end = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
    while (out_.find(needle) == std::string::npos) {
      if (std::chrono::steady_clock::now() > end) return false;
      if (!read_some(100)) return out_.find(needle) != std::string::npos;
    }
    return true;
  }
  void signal(int sig) { kill(pid_, sig); }
  Result finish() {
    while (read_some(-1)) {
    }
    int st = 0;
    waitpid(pid_, &st, 0);
    done_ = true;
    Result r;
    r.out = out_;
    if (WIFEXITED(st)) r.rc = WEXITSTATUS(st);
    if (WIFSIGNALED(st)) r.signal = WTERMSIG(st);
    return r;
  }

 private:
  bool read_some(int timeout_ms) {  // false at end of output
    struct pollfd p {fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return true;
    char buf[4096];
    const ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) return false;
    out_.append(buf, static_cast<std::size_t>(n));
    return true;
  }
  pid_t pid_ = -1;
  int fd_ = -1;
  bool done_ = false;
  std::string out_;
};

std::vector<std::string> split_args(const std::string& args) {
  std::vector<std::string> v;
  std::string cur;
  for (char c : args) {
    if (c == ' ') {
      if (!cur.empty()) v.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) v.push_back(cur);
  return v;
}

/// bin/pdesym directly (ranks == 0) or under mpirun -n ranks.
Result pdesym(const std::string& args, const Options& o = {}, int ranks = 0) {
  std::vector<std::string> argv;
  if (ranks > 0) argv = {PDESYM_MPIEXEC, "-n", std::to_string(ranks), "--oversubscribe"};
  argv.push_back(kBin);
  for (auto& a : split_args(args)) argv.push_back(a);
  return Child(argv, o).finish();
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// The user-facing failure: exit 2, one "pdesym: error:" line, no crash, abort or backtrace.
void expect_user_error(const Result& r, const std::string& part) {
  EXPECT_EQ(r.rc, 2) << r.out;
  EXPECT_EQ(r.signal, 0) << r.out;
  EXPECT_TRUE(has(r.out, "pdesym: error")) << r.out;
  EXPECT_TRUE(has(r.out, part)) << "missing '" << part << "' in: " << r.out;
  for (const char* bad : {"terminate called", "unexpected error", "Exception raised from", "Segmentation", "core dumped"})
    EXPECT_FALSE(has(r.out, bad)) << r.out;
}

std::string tiny_config(const ScratchDir& dir) {
  const std::string cfg = dir / "tiny.yaml";
  pdesym_test::write_file(cfg, kTiny);
  return cfg;
}

/// Same datasets (values) and attributes, and no resume bookkeeping left in `b`.
void expect_same_content(const std::string& a, const std::string& b) {
  ASSERT_EQ(list_splits(a), list_splits(b));
  for (const auto& name : list_splits(a)) {
    const Split sa = read_split(a, name), sb = read_split(b, name);
    EXPECT_EQ(sa.u, sb.u) << name;
    EXPECT_EQ(sa.x, sb.x) << name;
    EXPECT_EQ(sa.t, sb.t) << name;
    EXPECT_EQ(sa.dx, sb.dx) << name;
    EXPECT_EQ(sa.dt, sb.dt) << name;
  }
  const Attributes x = read_attributes(a), y = read_attributes(b);
  EXPECT_EQ(x.equation, y.equation);
  EXPECT_EQ(x.coefficients, y.coefficients);
  EXPECT_EQ(x.seed, y.seed);
  EXPECT_EQ(x.config, y.config);
  for (const std::string& f : {a, b}) {
    hid_t h = H5Fopen(f.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(h, 0) << f;
    EXPECT_EQ(H5Lexists(h, "train/finished", H5P_DEFAULT), 0) << f;
    EXPECT_EQ(H5Aexists(h, "partial_config"), 0) << f;
    H5Fclose(h);
  }
}

}  // namespace

// ---- exit codes -------------------------------------------------------------------------------------------

TEST(CliExitCodes, ParseErrorsExitTwoHelpAndVersionZero) {
  expect_user_error(pdesym("generate --config x.yaml --out y.h5 --bogus"), "--bogus");
  expect_user_error(pdesym("generate --out y.h5"), "--config");
  expect_user_error(pdesym("generate --config x.yaml --out y.h5 --train -1"), "--train");
  expect_user_error(pdesym(""), "subcommand");
  expect_user_error(pdesym("frobnicate"), "frobnicate");
  for (const char* ok : {"--help", "--version", "generate --help"}) {
    const Result r = pdesym(ok);
    EXPECT_EQ(r.rc, 0) << ok << ": " << r.out;
    EXPECT_FALSE(has(r.out, "error")) << r.out;
  }
}

TEST(CliExitCodes, ConfigThatIsADirectory) {
  ScratchDir dir;
  const Result r = pdesym("generate --config " + dir.str() + " --out " + (dir / "o.h5"));
  expect_user_error(r, "is a directory");
  EXPECT_FALSE(exists(dir / "o.h5"));
}

// ---- output paths are checked before work -----------------------------------------------------------------

TEST(CliOutputPaths, MissingDirectoryOrDirectoryAsFileFailBeforeWork) {
  ScratchDir dir;
  const std::string cfg = tiny_config(dir), missing = dir / "no/such/dir/out";
  expect_user_error(pdesym("generate --config " + cfg + " --out " + missing + ".h5"), "does not exist");
  expect_user_error(pdesym("generate --config " + cfg + " --out " + dir.str()), "is a directory");
  expect_user_error(pdesym("generate --config " + cfg + " --out " + cfg + "/x.h5"), "not a directory");
  // The remaining subcommands fail on the output path even though their inputs are bogus: the path comes first.
  expect_user_error(pdesym("plot --data " + cfg + " --out " + missing + ".png"), "does not exist");
  expect_user_error(pdesym("discover --data " + cfg + " --out " + missing + ".json"), "does not exist");
  expect_user_error(pdesym("discover --data " + cfg + " --out " + (dir / "s.json") + " --plot " + missing + ".png"),
                    "does not exist");
  expect_user_error(pdesym("augment --data " + cfg + " --generators known:kdv --out " + missing + ".h5"),
                    "does not exist");
#if PDESYM_CLI_HAS_TRAIN
  expect_user_error(pdesym("train --data " + cfg + " --out " + missing + ".pt"), "does not exist");
  expect_user_error(pdesym("train --data " + cfg + " --out " + (dir / "m.pt") + " --json " + missing + ".json"),
                    "does not exist");
  expect_user_error(pdesym("evaluate --model " + cfg + " --data " + cfg + " --json " + missing + ".json"),
                    "does not exist");
  expect_user_error(pdesym("evaluate --model " + cfg + " --data " + cfg + " --plot " + missing + ".png"),
                    "does not exist");
#endif
  EXPECT_EQ(std::string(pdesym_test::read_file(cfg)), std::string(kTiny)) << "an input was touched";
}

// ---- full disk ----------------------------------------------------------------------------------------------

TEST(CliFullDisk, GenerateOneProcessFailsCleanly) {
  ScratchDir dir;
  const std::string cfg = tiny_config(dir), out = dir / "full.h5";
  Options o;
  o.fsize_limit = 48 * 1024;  // the file needs ~200 KiB
  for (int ranks : {0, 1}) {
    const Result r = pdesym("generate --config " + cfg + " --out " + out + " --train 20", o, ranks);
    expect_user_error(r, out);
    EXPECT_FALSE(exists(out)) << ranks;
    EXPECT_FALSE(exists(partial_name_for(out))) << ranks;
  }
}

// ---- signals and resume -------------------------------------------------------------------------------------

TEST(CliSignals, HandlerRemovesRegisteredTemporariesAndExitsTwo) {
  ScratchDir dir;
  const std::string final_path = dir / "f.txt";
  const pid_t pid = fork();
  if (pid == 0) {
    interrupt::install_handlers(false);
    AtomicFile f(final_path);
    pdesym_test::write_file(f.temp_path(), "half-written");
    raise(SIGTERM);
    _exit(0);  // not reached
  }
  int st = 0;
  waitpid(pid, &st, 0);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 2);
  EXPECT_FALSE(exists(AtomicFile::temp_name_for(final_path)));
  EXPECT_FALSE(exists(final_path));
}

TEST(CliSignals, GenerateInterruptedThenResumedEqualsUninterrupted) {
  ScratchDir dir;
  const std::string cfg = tiny_config(dir), ref = dir / "ref.h5";
  ASSERT_EQ(pdesym("generate --config " + cfg + " --out " + ref).rc, 0);
  Options stop;
  stop.env = {"PDESYM_TEST_INTERRUPT_AFTER=3"};
  for (int ranks : {1, 2}) {
    const std::string out = dir / ("r" + std::to_string(ranks) + ".h5"), partial = partial_name_for(out);
    pdesym_test::write_file(out, "a good file that must survive the interruption");
    const Result r = pdesym("generate --config " + cfg + " --out " + out, stop, ranks);
    EXPECT_NE(r.rc, 0) << r.out;
    if (ranks == 1) {
      EXPECT_EQ(r.rc, 2) << r.out;
      EXPECT_TRUE(has(r.out, "pdesym: error: interrupted by SIGTERM: 3 of 16 trajectories done")) << r.out;
      EXPECT_TRUE(has(r.out, "rerun with --resume")) << r.out;
    }
    ASSERT_TRUE(exists(partial)) << r.out;
    EXPECT_EQ(pdesym_test::read_file(out), "a good file that must survive the interruption");
    // A partial made from another config is refused and kept.
    expect_user_error(pdesym("generate --config " + cfg + " --out " + out + " --resume --seed 4", {}, ranks),
                      "different config");
    EXPECT_TRUE(exists(partial));
    const Result res = pdesym("generate --config " + cfg + " --out " + out + " --resume", {}, ranks);
    ASSERT_EQ(res.rc, 0) << res.out;
    EXPECT_TRUE(has(res.out, "taken from the partial file")) << res.out;
    EXPECT_FALSE(exists(partial));
    expect_same_content(ref, out);
  }
}

TEST(CliSignals, KilledGenerateResumesAndPlainRerunReplacesPartial) {
  ScratchDir dir;
  const std::string cfg = tiny_config(dir), ref = dir / "ref.h5", out = dir / "k.h5";
  ASSERT_EQ(pdesym("generate --config " + cfg + " --out " + ref).rc, 0);
  Options kill9;
  kill9.env = {"PDESYM_TEST_INTERRUPT_AFTER=5", "PDESYM_TEST_INTERRUPT_SIGNAL=9"};
  const Result r = pdesym("generate --config " + cfg + " --out " + out, kill9);
  EXPECT_EQ(r.signal, SIGKILL) << r.out;
  ASSERT_TRUE(exists(partial_name_for(out)));
  const Result res = pdesym("generate --config " + cfg + " --out " + out + " --resume");
  ASSERT_EQ(res.rc, 0) << res.out;
  EXPECT_TRUE(has(res.out, "5 taken from the partial file")) << res.out;
  expect_same_content(ref, out);
  // Without --resume a leftover partial is replaced, not continued.
  std::remove(out.c_str());
  ASSERT_FALSE(exists(out));
  pdesym("generate --config " + cfg + " --out " + out, kill9);
  ASSERT_TRUE(exists(partial_name_for(out)));
  const Result plain = pdesym("generate --config " + cfg + " --out " + out);
  ASSERT_EQ(plain.rc, 0) << plain.out;
  EXPECT_FALSE(has(plain.out, "taken from the partial file")) << plain.out;
  EXPECT_FALSE(exists(partial_name_for(out)));
  expect_same_content(ref, out);
}

// ---- progress output off a terminal -------------------------------------------------------------------------

TEST(CliProgress, OffTerminalPrintsOneSummaryLine) {
  ScratchDir dir;
  const std::string log = dir / "stderr.txt";
  std::fflush(stderr);
  const int saved = dup(2);
  FILE* f = std::fopen(log.c_str(), "w");
  ASSERT_NE(f, nullptr);
  dup2(fileno(f), 2);
  setenv("PDESYM_NO_PROGRESS", "0", 1);
  {
    ProgressBar bar("work", 7);
    for (int i = 1; i <= 7; ++i) bar.update(static_cast<std::size_t>(i));
    bar.finish();
  }
  setenv("PDESYM_NO_PROGRESS", "1", 1);
  std::fflush(stderr);
  dup2(saved, 2);
  close(saved);
  std::fclose(f);
  const std::string text = pdesym_test::read_file(log);
  int lines = 0;
  for (char c : text) lines += c == '\n';
  EXPECT_EQ(lines, 1) << text;
  EXPECT_TRUE(has(text, "work: 7/7")) << text;
}

// ---- data validation and metrics (train / evaluate / augment) -----------------------------------------------

namespace {

/// A tiny dataset written by `generate`, with `edit` applied to its train split through raw HDF5 (bypassing
/// the writer's validation, as a foreign tool would).
std::string dataset_with(const ScratchDir& dir, const std::string& name, const std::string& dset,
                         const std::function<void(std::vector<double>&)>& edit) {
  const std::string out = dir / name;
  EXPECT_EQ(pdesym("generate --config " + tiny_config(dir) + " --out " + out).rc, 0);
  if (!edit) return out;
  for (const char* split : {"train", "valid", "test"}) {
    hid_t f = H5Fopen(out.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    hid_t d = H5Dopen2(f, (std::string(split) + "/" + dset).c_str(), H5P_DEFAULT);
    hid_t s = H5Dget_space(d);
    std::vector<double> v(static_cast<std::size_t>(H5Sget_simple_extent_npoints(s)));
    H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    edit(v);
    H5Dwrite(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
    H5Sclose(s);
    H5Dclose(d);
    H5Fclose(f);
  }
  return out;
}

}  // namespace

TEST(CliData, InconsistentDxAndNonUniformTAreRejected) {
  ScratchDir dir;
  const std::string bad_dx = dataset_with(dir, "dx.h5", "dx", [](std::vector<double>& v) { v[0] *= 1.5; });
  const std::string bad_t = dataset_with(dir, "t.h5", "t", [](std::vector<double>& v) { v[3] += 0.01; });
  expect_user_error(pdesym("augment --data " + bad_dx + " --generators known:kdv --out " + (dir / "a.h5")),
                    "x is not a uniform grid");
  expect_user_error(pdesym("augment --data " + bad_t + " --generators known:kdv --out " + (dir / "a.h5")),
                    "t is not uniform");
  EXPECT_FALSE(exists(dir / "a.h5"));
#if PDESYM_CLI_HAS_TRAIN
  const std::string small = " --width 4 --modes 4 --layers 1 --time-window 5 --epochs 1 --no-progress";
  expect_user_error(pdesym("train --data " + bad_dx + " --out " + (dir / "m.pt") + small), "x is not a uniform grid");
  expect_user_error(pdesym("train --data " + bad_t + " --out " + (dir / "m.pt") + small), "t is not uniform");
  EXPECT_FALSE(exists(dir / "m.pt"));
#endif
}

#if PDESYM_CLI_HAS_TRAIN
TEST(CliTrain, FullDiskCheckpointFailsCleanly) {
  ScratchDir dir;
  const std::string data = dataset_with(dir, "d.h5", "", nullptr), model = dir / "m.pt";
  Options o;
  o.fsize_limit = 2048;  // the checkpoint is larger
  const Result r = pdesym("train --data " + data + " --out " + model +
                              " --width 8 --modes 4 --layers 1 --time-window 5 --epochs 1 --no-progress",
                          o);
  expect_user_error(r, model);
  EXPECT_FALSE(exists(model));
  EXPECT_FALSE(exists(AtomicFile::temp_name_for(model)));
}

TEST(CliTrain, SigtermRemovesTemporariesAndKeepsCheckpoint) {
  ScratchDir dir;
  const std::string data = dataset_with(dir, "d.h5", "", nullptr), model = dir / "m.pt";
  Options o;
  o.env = {"PDESYM_NO_PROGRESS=0"};
  Child c({kBin, "train", "--data", data, "--out", model, "--width", "8", "--modes", "4", "--layers", "1",
           "--time-window", "5", "--epochs", "100000", "--windows-per-trajectory", "50"},
          o);
  ASSERT_TRUE(c.wait_for("epoch 2/100000:", 120));  // epoch 1's checkpoint exists from here on
  c.signal(SIGTERM);
  const Result r = c.finish();
  expect_user_error(r, "interrupted by SIGTERM");
  EXPECT_TRUE(exists(model)) << "the last checkpoint is kept";
  EXPECT_FALSE(exists(AtomicFile::temp_name_for(model)));
}

TEST(CliEvaluate, ZeroDataGivesNullNmseWithReasonAndHugeDataAClearError) {
  ScratchDir dir;
  const std::string data = dataset_with(dir, "d.h5", "", nullptr), model = dir / "m.pt";
  ASSERT_EQ(pdesym("train --data " + data + " --out " + model +
                   " --width 8 --modes 4 --layers 1 --time-window 5 --epochs 1 --no-progress")
                .rc,
            0);
  const std::string zero = dataset_with(dir, "z.h5", "pde_21-64", [](std::vector<double>& v) {
    std::fill(v.begin(), v.end(), 0.0);
  });
  const std::string json = dir / "e.json";
  const Result r = pdesym("evaluate --model " + model + " --data " + zero + " --rollout-steps 10 --json " + json);
  ASSERT_EQ(r.rc, 0) << r.out;
  const std::string j = pdesym_test::read_file(json);
  EXPECT_TRUE(has(j, "\"nmse\": null")) << j;
  EXPECT_TRUE(has(j, "identically zero")) << j;
  EXPECT_FALSE(has(j, "\"nmse\": 0.0")) << j;

  const std::string huge = dataset_with(dir, "h.h5", "pde_21-64", [](std::vector<double>& v) {
    for (auto& x : v) x *= 1e200;
  });
  expect_user_error(pdesym("evaluate --model " + model + " --data " + huge + " --rollout-steps 10"),
                    "float32 range");
}
#endif
