#include "pdesym/common/progress.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace pdesym {

ProgressBar::ProgressBar(std::string label, std::size_t total, bool enabled)
    : label_(std::move(label)), total_(total), enabled_(enabled), tty_(::isatty(STDERR_FILENO) != 0) {
  const char* off = std::getenv("PDESYM_NO_PROGRESS");
  if (off && std::strcmp(off, "0") != 0) enabled_ = false;
  start_ = last_draw_ = std::chrono::steady_clock::now();
}

ProgressBar::~ProgressBar() {
  if (enabled_ && tty_ && !finished_ && done_ > 0) std::fputc('\n', stderr);
}

void ProgressBar::update(std::size_t done, const std::string& suffix) {
  if (done > total_) done = total_;
  done_ = done;
  if (!enabled_) return;
  auto now = std::chrono::steady_clock::now();
  if (tty_) {
    if (done_ < total_ && now - last_draw_ < std::chrono::milliseconds(100)) return;
    last_draw_ = now;
    draw(suffix, false);
  }
}

bool ProgressBar::on_terminal() { return ::isatty(STDERR_FILENO) != 0; }

void ProgressBar::finish(const std::string& suffix) {
  if (finished_) return;
  done_ = total_;
  if (enabled_) draw(suffix, true);
  finished_ = true;
}

void ProgressBar::draw(const std::string& suffix, bool final) {
  double el = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  double frac = total_ ? double(done_) / double(total_) : 1.0;
  double eta = (frac > 0 && frac < 1) ? el * (1 - frac) / frac : 0.0;
  const int width = 30;
  int filled = static_cast<int>(frac * width);
  char bar[width + 1];
  for (int i = 0; i < width; ++i) bar[i] = i < filled ? '#' : '.';
  bar[width] = 0;
  if (tty_) {
    std::fprintf(stderr, "\r%s [%s] %zu/%zu %5.1fs eta %5.1fs %s\x1b[K", label_.c_str(), bar, done_, total_, el,
                 eta, suffix.c_str());
    if (final) std::fputc('\n', stderr);
  } else if (final) {
    std::fprintf(stderr, "%s: %zu/%zu done in %.1fs %s\n", label_.c_str(), done_, total_, el, suffix.c_str());
  }
  std::fflush(stderr);
}

}  // namespace pdesym
