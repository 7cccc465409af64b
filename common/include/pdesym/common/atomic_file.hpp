#pragma once
// Write-to-temporary-then-rename, so that a failed run never leaves a half-written output file. The temporary
// is registered with pdesym::interrupt, so SIGINT/SIGTERM remove it too.
#include <string>

namespace pdesym {

class AtomicFile {
 public:
  /// `final_path` is where the file ends up; the work happens at temp_path() until commit().
  explicit AtomicFile(std::string final_path);
  ~AtomicFile();  ///< removes the temporary file unless committed
  AtomicFile(const AtomicFile&) = delete;
  AtomicFile& operator=(const AtomicFile&) = delete;

  const std::string& temp_path() const { return temp_; }
  const std::string& final_path() const { return final_; }
  /// Renames the temporary file onto the final path (atomic on POSIX within one filesystem).
  void commit();
  /// Gives up: removes the temporary file.
  void discard();
  bool committed() const { return committed_; }

  /// Deterministic temporary name for `final_path` (same on every MPI rank): "<final>.tmp".
  static std::string temp_name_for(const std::string& final_path);

 private:
  std::string final_;
  std::string temp_;
  bool committed_ = false;
  int slot_ = -1;  // interrupt registry slot of temp_
};

/// Writes `content` to `path` atomically. Every write, flush and close is checked: a full disk (ENOSPC, or
/// EFBIG under a file-size limit) throws pdesym::Error naming the file and the reason, and removes the temporary.
void write_text_atomic(const std::string& path, const std::string& content);
/// Same for binary content.
void write_bytes_atomic(const std::string& path, const std::string& content);
/// Checks, before any work, that `path` can be written as an output file: not empty, not a directory, its
/// directory exists, and a file can be created there (probed with a uniquely named file that is removed at
/// once, so read-only file systems and missing permissions are found too). Throws InputError
/// "cannot write <what> '<path>': <reason>". An existing file at `path` is not touched.
void check_output_path(const std::string& path, const std::string& what = "output");
/// Reads a whole text file; throws InputError if missing, not a regular file, or unreadable.
std::string read_text(const std::string& path);
bool file_exists(const std::string& path);

}  // namespace pdesym
