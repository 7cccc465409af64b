#pragma once
// Helpers for the datasets tests: a scratch directory per test, running the built pdesym binary, and
// checking that an InputError says what it should.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "../support/expect_error.hpp"
#include "pdesym/common/error.hpp"

namespace pdesym_test {

/// A fresh directory under the system temp dir, removed with everything in it at the end of the test.
class ScratchDir {
 public:
  ScratchDir() {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string name = std::string("pdesym_ds_") + (info ? std::string(info->test_suite_name()) + "_" + info->name() : "x") +
                       "_" + std::to_string(::getpid());
    path_ = std::filesystem::temp_directory_path() / name;
    std::filesystem::remove_all(path_);
    std::filesystem::create_directories(path_);
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  std::string operator/(const std::string& f) const { return (path_ / f).string(); }
  std::string str() const { return path_.string(); }

 private:
  std::filesystem::path path_;
};

inline void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

inline std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline bool exists(const std::string& p) { return std::filesystem::exists(p); }

struct RunResult {
  int rc = -1;
  std::string output;  ///< stdout and stderr together
};

/// Runs `mpirun -n <ranks> --oversubscribe bin/pdesym <args>` (as root too), capturing the output.
inline RunResult run_pdesym(int ranks, const std::string& args, const std::string& log_path) {
  std::string cmd = "env OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 PDESYM_NO_PROGRESS=1 ";
  cmd += std::string(PDESYM_MPIEXEC) + " -n " + std::to_string(ranks) + " --oversubscribe ";
  cmd += std::string(PDESYM_BINARY_DIR) + "/bin/pdesym " + args + " > '" + log_path + "' 2>&1";
  RunResult r;
  const int st = std::system(cmd.c_str());
  r.rc = (st != -1 && WIFEXITED(st)) ? WEXITSTATUS(st) : -1;
  r.output = read_file(log_path);
  return r;
}

}  // namespace pdesym_test
