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
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "../datasets/same_data.hpp"
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
      putenv(const_cast<char*>("OMPI_ALLOW_RUN_AS_ROOT=1"));
      putenv(const_cast<char*>("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1"));
      for (const auto& e : o.env) putenv(strdup(e.c_str()));
      if (o.fsize_limit >= 0) {
        struct rlimit rl {};
        rl.rlim_cur = rl.rlim_max = static_cast<rlim_t>(o.fsize_limit);
        setrlimit(RLIMIT_FSIZE, &rl);
        ::signal(SIGXFSZ, SIG_IGN);
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

std::vector<std::string> argv_of(const std::string& args, int ranks) {
  std::vector<std::string> argv;
  if (ranks > 0) argv = {PDESYM_MPIEXEC, "-n", std::to_string(ranks), "--oversubscribe"};
  argv.push_back(kBin);
  for (auto& a : split_args(args)) argv.push_back(a);
  return argv;
}

/// bin/pdesym directly (ranks == 0) or under mpirun -n ranks.
Result run_cli(const std::string& args, const Options& o = {}, int ranks = 0) {
  return Child(argv_of(args, ranks), o).finish();
}

/// Several independent runs at once (the binary's start-up, loading LibTorch, dominates these short runs).
std::vector<Result> run_all(const std::vector<std::string>& args) {
  std::vector<std::unique_ptr<Child>> cs;
  for (const auto& a : args) cs.push_back(std::make_unique<Child>(argv_of(a, 0)));
  std::vector<Result> rs;
  for (auto& c : cs) rs.push_back(c->finish());
  return rs;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/// The user-facing failure: exit 2, one "pdesym: error:" line, no crash, abort or backtrace.
void expect_user_error(const Result& r, const std::string& part, const std::string& what = "") {
  EXPECT_EQ(r.rc, 2) << what << "\n" << r.out;
  EXPECT_EQ(r.signal, 0) << what << "\n" << r.out;
  EXPECT_TRUE(has(r.out, "pdesym: error")) << what << "\n" << r.out;
  EXPECT_TRUE(has(r.out, part)) << what << "\nmissing '" << part << "' in: " << r.out;
  for (const char* bad : {"terminate called", "unexpected error", "Exception raised from", "Segmentation", "core dumped"})
    EXPECT_FALSE(has(r.out, bad)) << what << "\n" << r.out;
}

/// Runs every command at once and expects each to fail as a user error whose message contains its part.
void expect_user_errors(const std::vector<std::pair<std::string, std::string>>& cases) {
  std::vector<std::string> args;
  for (const auto& c : cases) args.push_back(c.first);
  const auto rs = run_all(args);
  for (std::size_t k = 0; k < cases.size(); ++k) expect_user_error(rs[k], cases[k].second, cases[k].first);
}

std::string tiny_config(const ScratchDir& dir) {
  const std::string cfg = dir / "tiny.yaml";
  pdesym_test::write_file(cfg, kTiny);
  return cfg;
}

/// Same datasets (values) and attributes, and no resume bookkeeping left in either file.
void expect_same_content(const std::string& a, const std::string& b) {
  pdesym_test::expect_identical_files(a, b);
  for (const std::string& f : {a, b}) {
    hid_t h = H5Fopen(f.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
    ASSERT_GE(h, 0) << f;
    EXPECT_EQ(H5Lexists(h, "train/finished", H5P_DEFAULT), 0) << f;
    EXPECT_EQ(H5Aexists(h, "partial_config"), 0) << f;
    H5Fclose(h);
  }
}

/// A copy of `src` with `edit` applied to data set `dset` of every split through raw HDF5 (bypassing the
/// writer's validation, as a foreign tool would).
std::string edited_copy(const std::string& src, const std::string& dst, const std::string& dset,
                        const std::function<void(std::vector<double>&)>& edit) {
  std::filesystem::copy_file(src, dst, std::filesystem::copy_options::overwrite_existing);
  for (const char* split : {"train", "valid", "test"}) {
    hid_t f = H5Fopen(dst.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
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
  return dst;
}

}  // namespace

// ---- exit codes -------------------------------------------------------------------------------------------

TEST(CliExitCodes, ParseErrorsAndBadConfigExitTwoHelpAndVersionZero) {
  ScratchDir dir;
  const auto rs = run_all({"--help", "--version"});
  for (const auto& r : rs) {
    EXPECT_EQ(r.rc, 0) << r.out;
    EXPECT_FALSE(has(r.out, "error")) << r.out;
  }
  expect_user_errors({{"generate --config x.yaml --out y.h5 --bogus", "--bogus"},
                      {"generate --out y.h5", "--config"},
                      {"generate --config x.yaml --out y.h5 --train -1", "--train"},
                      {"", "subcommand"},
                      {"generate --config " + dir.str() + " --out " + (dir / "o.h5"), "is a directory"}});
  EXPECT_FALSE(exists(dir / "o.h5"));
}

// ---- output paths are checked before work -----------------------------------------------------------------

TEST(CliOutputPaths, EverySubcommandChecksItsOutputsFirst) {
  ScratchDir dir;
  // The inputs are bogus on purpose: the output path is checked before anything is read or computed.
  const std::string cfg = tiny_config(dir), missing = dir / "no/such/dir/out";
  std::vector<std::pair<std::string, std::string>> cases = {
      {"generate --config " + cfg + " --out " + missing + ".h5", "does not exist"},
      {"generate --config " + cfg + " --out " + dir.str(), "is a directory"},
      {"plot --data " + cfg + " --out " + missing + ".png", "does not exist"},
      {"discover --data " + cfg + " --out " + (dir / "s.json") + " --plot " + missing + ".png", "does not exist"},
      {"augment --data " + cfg + " --generators known:kdv --out " + missing + ".h5", "does not exist"}};
#if PDESYM_CLI_HAS_TRAIN
  cases.push_back({"train --data " + cfg + " --out " + missing + ".pt", "does not exist"});
  cases.push_back({"evaluate --model " + cfg + " --data " + cfg + " --json " + missing + ".json", "does not exist"});
#endif
  expect_user_errors(cases);
  EXPECT_EQ(pdesym_test::read_file(cfg), std::string(kTiny)) << "an input was touched";
}

// ---- the LibTorch plugin -------------------------------------------------------------------------------------

#if PDESYM_CLI_HAS_TRAIN
// LibTorch lives in pdesym_torch.so, loaded only by the commands that use it; a missing or broken plugin is a
// user error naming it. LD_DEBUG=files makes the dynamic loader list every library it maps.
TEST(CliTorchPlugin, LoadedOnlyByTorchCommandsAndMissingPluginIsAUserError) {
  ScratchDir dir;
  const std::string cfg = tiny_config(dir), model = dir / "m.pt";
  Options trace;
  trace.env = {"LD_DEBUG=files"};
  for (const std::string& args : std::vector<std::string>{"--version", "generate --help",
                                                           "discover --data " + cfg + " --method nullspace"}) {
    const Result r = run_cli(args, trace);
    EXPECT_TRUE(has(r.out, "libmpi")) << args << ": no loader trace\n" << r.out.substr(0, 2000);
    EXPECT_FALSE(has(r.out, "libtorch")) << args << " mapped LibTorch";
    EXPECT_FALSE(has(r.out, "pdesym_torch")) << args << " loaded the plugin";
  }
  // The positive control: train loads the plugin (and LibTorch) before it reads its (bogus) data.
  const Result t = run_cli("train --data " + cfg + " --out " + model, trace);
  expect_user_error(t, cfg);
  EXPECT_TRUE(has(t.out, "pdesym_torch.so")) << t.out.substr(0, 2000);
  EXPECT_TRUE(has(t.out, "libtorch_cpu")) << t.out.substr(0, 2000);

  const std::string text = dir / "not-a-library.so";
  pdesym_test::write_file(text, "not ELF\n");
  for (const auto& [plugin, part] : std::vector<std::pair<std::string, std::string>>{
           {dir / "none.so", "was not found"}, {text, "failed to load"}}) {
    Options o;
    o.env = {"PDESYM_TORCH_PLUGIN=" + plugin};
    for (const std::string& args : std::vector<std::string>{"train --data " + cfg + " --out " + model,
                                                             "evaluate --model " + cfg + " --data " + cfg,
                                                             "discover --data " + cfg + " --method validity"}) {
      const Result r = run_cli(args, o);
      expect_user_error(r, part, args);
      EXPECT_TRUE(has(r.out, plugin)) << r.out;
    }
  }
  EXPECT_FALSE(exists(model));
}
#endif

// ---- full disk ----------------------------------------------------------------------------------------------

TEST(CliFullDisk, GenerateOneProcessFailsCleanly) {
  ScratchDir dir;
  const std::string cfg = tiny_config(dir), out = dir / "full.h5";
  Options o;
  o.fsize_limit = 48 * 1024;  // the file needs ~200 KiB
  o.env = {"PMIX_MCA_gds=hash"};  // MPI's own shared-memory segment files would hit the limit first
  for (int ranks : {0, 1}) {
    const Result r = run_cli("generate --config " + cfg + " --out " + out + " --train 20", o, ranks);
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

TEST(CliSignals, InterruptedGenerateResumesToTheUninterruptedFile) {
  ScratchDir dir;
  const std::string cfg = tiny_config(dir), ref = dir / "ref.h5";
  const std::string gen = "generate --config " + cfg + " --out ";
  const std::string out1 = dir / "r1.h5", out2 = dir / "r2.h5", out3 = dir / "r3.h5";
  const std::string partial1 = partial_name_for(out1);
  pdesym_test::write_file(out1, "a good file that must survive the interruption");
  Options term, kill9;
  term.env = {"PDESYM_TEST_INTERRUPT_AFTER=3"};
  kill9.env = {"PDESYM_TEST_INTERRUPT_AFTER=2", "PDESYM_TEST_INTERRUPT_SIGNAL=9"};

  // Independent runs at once: the reference; one process SIGTERMed after 3 trajectories; two ranks each SIGKILLed
  // (no handler runs) after 2; one process SIGKILLed after 2.
  {
    Child c_ref(argv_of(gen + ref, 0)), c1(argv_of(gen + out1, 0), term), c2(argv_of(gen + out2, 2), kill9),
        c3(argv_of(gen + out3, 0), kill9);
    ASSERT_EQ(c_ref.finish().rc, 0);
    const Result r = c1.finish();
    EXPECT_EQ(r.rc, 2) << r.out;
    EXPECT_TRUE(has(r.out, "pdesym: error: interrupted by SIGTERM: 3 of 16 trajectories done, kept in " + partial1 +
                               "; rerun with --resume"))
        << r.out;
    EXPECT_NE(c2.finish().rc, 0);
    EXPECT_EQ(c3.finish().signal, SIGKILL);
  }
  ASSERT_TRUE(exists(partial1));
  ASSERT_TRUE(exists(partial_name_for(out2)));
  ASSERT_TRUE(exists(partial_name_for(out3)));
  EXPECT_EQ(pdesym_test::read_file(out1), "a good file that must survive the interruption");

  {
    // A partial made from another config is refused and kept; --resume on two ranks after SIGKILL finishes
    // that partial; without --resume a leftover partial is replaced, not continued.
    Child refuse(argv_of(gen + out1 + " --resume --seed 4", 0)), c2(argv_of(gen + out2 + " --resume", 2)),
        c3(argv_of(gen + out3, 0));
    expect_user_error(refuse.finish(), "different config");
    const Result res2 = c2.finish();
    ASSERT_EQ(res2.rc, 0) << res2.out;
    EXPECT_TRUE(has(res2.out, "taken from the partial file")) << res2.out;
    const Result plain = c3.finish();
    ASSERT_EQ(plain.rc, 0) << plain.out;
    EXPECT_FALSE(has(plain.out, "taken from the partial file")) << plain.out;
  }
  EXPECT_TRUE(exists(partial1));
  expect_same_content(ref, out2);
  expect_same_content(ref, out3);
  EXPECT_FALSE(exists(partial_name_for(out2)));
  EXPECT_FALSE(exists(partial_name_for(out3)));

  const Result res1 = run_cli(gen + out1 + " --resume");
  ASSERT_EQ(res1.rc, 0) << res1.out;
  EXPECT_TRUE(has(res1.out, "3 taken from the partial file")) << res1.out;
  EXPECT_FALSE(exists(partial1));
  expect_same_content(ref, out1);
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

// ---- data validation, metrics, train on a full disk and under SIGTERM ----------------------------------------

TEST(CliData, ValidationMetricsFullDiskAndSignalsInAugmentTrainEvaluate) {
  ScratchDir dir;
  const std::string data = dir / "d.h5";
  ASSERT_EQ(run_cli("generate --config " + tiny_config(dir) + " --out " + data).rc, 0);
  const std::string bad_dx = edited_copy(data, dir / "dx.h5", "dx", [](std::vector<double>& v) { v[0] *= 1.5; });
  const std::string bad_t = edited_copy(data, dir / "t.h5", "t", [](std::vector<double>& v) { v[3] += 0.01; });
  std::vector<std::pair<std::string, std::string>> cases = {
      {"augment --data " + bad_dx + " --generators known:kdv --out " + (dir / "a.h5"), "x is not a uniform grid"},
      {"augment --data " + bad_t + " --generators known:kdv --out " + (dir / "a.h5"), "t is not uniform"}};
#if PDESYM_CLI_HAS_TRAIN
  const std::string small = " --width 8 --modes 4 --layers 1 --time-window 5 --batch-size 8 --no-progress";
  const std::string model = dir / "m.pt";
  cases.push_back({"train --data " + bad_dx + " --out " + (dir / "bad.pt") + small, "x is not a uniform grid"});
  cases.push_back({"train --data " + bad_t + " --out " + (dir / "bad.pt") + small, "t is not uniform"});
#endif
  expect_user_errors(cases);
  EXPECT_FALSE(exists(dir / "a.h5"));
#if PDESYM_CLI_HAS_TRAIN
  EXPECT_FALSE(exists(dir / "bad.pt"));

  // Full disk while writing the checkpoint: a clean error, no model, no temporary.
  Options full;
  full.fsize_limit = 2048;  // the checkpoint is larger
  full.env = {"PMIX_MCA_gds=hash"};
  expect_user_error(run_cli("train --data " + data + " --out " + model + small + " --epochs 1", full), model);
  EXPECT_FALSE(exists(model));
  EXPECT_FALSE(exists(AtomicFile::temp_name_for(model)));

  // SIGTERM during training (checkpoints are rewritten every epoch): exit 2, the last checkpoint is kept and no
  // temporary is left, whenever the signal lands.
  {
    Options o;
    o.env = {"PDESYM_NO_PROGRESS=0"};
    Child c(argv_of("train --data " + data + " --out " + model +
                        " --width 8 --modes 4 --layers 1 --time-window 5 --batch-size 8 --windows-per-trajectory 2"
                        " --epochs 1000000",
                    0),
            o);
    ASSERT_TRUE(c.wait_for("epoch 3/1000000:", 120));  // epoch 2's checkpoint exists from here on
    c.signal(SIGTERM);
    const Result r = c.finish();
    expect_user_error(r, "interrupted by SIGTERM");
    EXPECT_TRUE(exists(model)) << "the last checkpoint is kept";
    EXPECT_FALSE(exists(AtomicFile::temp_name_for(model)));
  }

  // Evaluation on all-zero data: NMSE is undefined, reported as null with the reason (never 0).
  const std::string zero = edited_copy(data, dir / "z.h5", "pde_21-64", [](std::vector<double>& v) {
    std::fill(v.begin(), v.end(), 0.0);
  });
  const std::string huge = edited_copy(data, dir / "h.h5", "pde_21-64", [](std::vector<double>& v) {
    for (auto& x : v) x *= 1e200;
  });
  const std::string json = dir / "e.json";
  const auto rs = run_all({"evaluate --model " + model + " --data " + zero + " --rollout-steps 10 --json " + json,
                           "evaluate --model " + model + " --data " + huge + " --rollout-steps 10",
                           "evaluate --model " + model + " --data " + data + " --rollout-steps 10"});
  ASSERT_EQ(rs[0].rc, 0) << rs[0].out;
  const std::string j = pdesym_test::read_file(json);
  EXPECT_TRUE(has(j, "\"nmse\": null")) << j;
  EXPECT_TRUE(has(j, "identically zero")) << j;
  // Data beyond the float32 range of the model: a clear error instead of a null metric.
  expect_user_error(rs[1], "float32 range");
  // Ordinary data: finite NMSE, no note.
  ASSERT_EQ(rs[2].rc, 0) << rs[2].out;
  EXPECT_FALSE(has(rs[2].out, "\"nmse\": null")) << rs[2].out;
  EXPECT_FALSE(has(rs[2].out, "nmse_note")) << rs[2].out;
#endif
}
