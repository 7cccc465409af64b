#include "pdesym/common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <vector>

#include "pdesym/common/error.hpp"
#include "pdesym/common/interrupt.hpp"

namespace pdesym {

std::string AtomicFile::temp_name_for(const std::string& final_path) { return final_path + ".tmp"; }

AtomicFile::AtomicFile(std::string final_path) : final_(std::move(final_path)), temp_(temp_name_for(final_)) {
  PDESYM_REQUIRE(!final_.empty(), "output path is empty");
  slot_ = interrupt::register_temp(temp_);
}

AtomicFile::~AtomicFile() {
  if (!committed_) std::remove(temp_.c_str());
  interrupt::unregister_temp(slot_);
}

void AtomicFile::commit() {
  PDESYM_CHECK(!committed_, "AtomicFile::commit called twice for " << final_);
  if (std::rename(temp_.c_str(), final_.c_str()) != 0)
    throw Error("cannot rename '" + temp_ + "' to '" + final_ + "': " + std::strerror(errno));
  committed_ = true;
  interrupt::unregister_temp(slot_);
  slot_ = -1;
}

void AtomicFile::discard() {
  if (!committed_) std::remove(temp_.c_str());
  interrupt::unregister_temp(slot_);
  slot_ = -1;
}

void write_bytes_atomic(const std::string& path, const std::string& content) {
  AtomicFile f(path);
  const int fd = ::open(f.temp_path().c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
  if (fd < 0) throw Error("cannot open '" + f.temp_path() + "' for writing: " + std::strerror(errno));
  std::size_t off = 0;
  int err = 0;
  while (off < content.size()) {
    const ssize_t w = ::write(fd, content.data() + off, content.size() - off);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) {
      err = w < 0 ? errno : EIO;
      break;
    }
    off += static_cast<std::size_t>(w);
  }
  if (::close(fd) != 0 && err == 0) err = errno;
  if (err != 0) throw Error("cannot write '" + path + "': " + std::strerror(err) + " (nothing written)");
  f.commit();
}

void write_text_atomic(const std::string& path, const std::string& content) { write_bytes_atomic(path, content); }

void check_output_path(const std::string& path, const std::string& what) {
  PDESYM_REQUIRE(!path.empty(), what << " path is empty");
  auto fail = [&](const std::string& why) -> void {
    throw InputError("cannot write " + what + " '" + path + "': " + why);
  };
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) fail("it is a directory");
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "." : slash == 0 ? "/" : path.substr(0, slash);
  if (::stat(dir.c_str(), &st) != 0) fail("directory '" + dir + "' does not exist");
  if (!S_ISDIR(st.st_mode)) fail("'" + dir + "' is not a directory");
  std::string probe = dir + "/.pdesym-write-probe-XXXXXX";
  std::vector<char> buf(probe.begin(), probe.end());
  buf.push_back('\0');
  const int fd = ::mkstemp(buf.data());
  if (fd < 0) fail("cannot create files in directory '" + dir + "': " + std::strerror(errno));
  ::close(fd);
  ::unlink(buf.data());
}

std::string read_text(const std::string& path) {
  struct stat st {};
  PDESYM_REQUIRE(::stat(path.c_str(), &st) == 0, "file '" << path << "' does not exist");
  PDESYM_REQUIRE(S_ISREG(st.st_mode), "'" << path << "' is not a regular file"
                                          << (S_ISDIR(st.st_mode) ? " (it is a directory)" : ""));
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
