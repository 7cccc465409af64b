#pragma once
// Write-to-temporary-then-rename, so that a failed run never leaves a half-written output file.
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
};

/// Writes `content` to `path` atomically.
void write_text_atomic(const std::string& path, const std::string& content);
/// Reads a whole text file; throws InputError if missing.
std::string read_text(const std::string& path);
bool file_exists(const std::string& path);

}  // namespace pdesym
