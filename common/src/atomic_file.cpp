#include "pdesym/common/atomic_file.hpp"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

#include "pdesym/common/error.hpp"

namespace pdesym {

std::string AtomicFile::temp_name_for(const std::string& final_path) { return final_path + ".tmp"; }

AtomicFile::AtomicFile(std::string final_path) : final_(std::move(final_path)), temp_(temp_name_for(final_)) {
  PDESYM_REQUIRE(!final_.empty(), "output path is empty");
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_.c_str());
}

void AtomicFile::commit() {
  PDESYM_CHECK(!committed_, "AtomicFile::commit called twice for " << final_);
  if (std::rename(temp_.c_str(), final_.c_str()) != 0)
    throw Error("cannot rename '" + temp_ + "' to '" + final_ + "'");
  committed_ = true;
}

void AtomicFile::discard() {
  if (!committed_) std::remove(temp_.c_str());
}

void write_text_atomic(const std::string& path, const std::string& content) {
  AtomicFile f(path);
  {
    std::ofstream out(f.temp_path(), std::ios::binary | std::ios::trunc);
    PDESYM_REQUIRE(out.good(), "cannot open '" << f.temp_path() << "' for writing");
    out << content;
    out.flush();
    PDESYM_REQUIRE(out.good(), "write to '" << f.temp_path() << "' failed");
  }
  f.commit();
}

std::string read_text(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  PDESYM_REQUIRE(in.good(), "file '" << path << "' does not exist or cannot be read");
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

bool file_exists(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0;
}

}  // namespace pdesym
