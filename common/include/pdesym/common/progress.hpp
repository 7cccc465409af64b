#pragma once
// Progress bar on stderr for long work. On a terminal it redraws one line; otherwise (stderr is a file or a
// pipe: logs, CI) it prints nothing while running and one summary line at finish(). Disabled entirely with
// PDESYM_NO_PROGRESS=1.
#include <chrono>
#include <cstddef>
#include <string>

namespace pdesym {

class ProgressBar {
 public:
  ProgressBar(std::string label, std::size_t total, bool enabled = true);
  ~ProgressBar();
  /// Sets the number of finished items (monotone) and redraws if needed.
  void update(std::size_t done, const std::string& suffix = "");
  void tick(const std::string& suffix = "") { update(done_ + 1, suffix); }
  void finish(const std::string& suffix = "");
  /// Whether stderr is a terminal (bars that only make sense live can be created with enabled = this).
  static bool on_terminal();

 private:
  void draw(const std::string& suffix, bool final);
  std::string label_;
  std::size_t total_;
  std::size_t done_ = 0;
  bool enabled_;
  bool tty_;
  bool finished_ = false;
  std::chrono::steady_clock::time_point start_, last_draw_;
};

}  // namespace pdesym
