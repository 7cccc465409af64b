#include "pdesym/common/interrupt.hpp"

#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstring>

namespace pdesym::interrupt {

namespace {

constexpr int kSlots = 64;
constexpr std::size_t kPathMax = 4096;

// Slot states: 0 free, 1 being written or cleared (the handler skips it), 2 holds a path to remove.
struct Slot {
  std::atomic<int> state{0};
  char path[kPathMax];
};
Slot g_slots[kSlots];

std::atomic<bool> g_print{true};
std::atomic<int> g_resumable{0};  // 0 none, 1 being written, 2 set
char g_res_path[kPathMax];
char g_res_what[64];
std::atomic<long> g_res_total{0}, g_res_done{0};

// Async-signal-safe output helpers (fixed buffer, no allocation, no locale).
struct Line {
  char buf[2 * kPathMax + 256];
  std::size_t n = 0;
  void put(const char* s) {
    while (*s && n + 1 < sizeof buf) buf[n++] = *s++;
  }
  void put_long(long v) {
    char d[24];
    int k = 0;
    bool neg = v < 0;
    unsigned long u = neg ? 0UL - static_cast<unsigned long>(v) : static_cast<unsigned long>(v);
    do {
      d[k++] = static_cast<char>('0' + u % 10);
      u /= 10;
    } while (u && k < 23);
    if (neg) put("-");
    while (k > 0 && n + 1 < sizeof buf) buf[n++] = d[--k];
  }
};

void handler(int sig) {
  for (auto& s : g_slots)
    if (s.state.load() == 2) ::unlink(s.path);
  if (g_print.load()) {
    Line l;
    l.put("pdesym: error: interrupted by ");
    l.put(sig == SIGINT ? "SIGINT" : sig == SIGTERM ? "SIGTERM" : "a signal");
    if (g_resumable.load() == 2) {
      l.put(": ");
      l.put_long(g_res_done.load());
      l.put(" of ");
      l.put_long(g_res_total.load());
      l.put(" ");
      l.put(g_res_what);
      l.put(" done, kept in ");
      l.put(g_res_path);
      l.put("; rerun with --resume to continue");
    } else {
      l.put("; temporary files removed");
    }
    l.put("\n");
    std::size_t off = 0;
    while (off < l.n) {
      const ssize_t w = ::write(STDERR_FILENO, l.buf + off, l.n - off);
      if (w <= 0) break;
      off += static_cast<std::size_t>(w);
    }
  }
  ::_exit(2);
}

void copy_bounded(char* dst, const std::string& src, std::size_t cap) {
  const std::size_t n = std::min(src.size(), cap - 1);
  std::memcpy(dst, src.data(), n);
  dst[n] = '\0';
}

}  // namespace

void install_handlers(bool print) {
  g_print.store(print);
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset(&sa.sa_mask);
  sigaddset(&sa.sa_mask, SIGINT);
  sigaddset(&sa.sa_mask, SIGTERM);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  // A file-size limit (RLIMIT_FSIZE) then fails the write with EFBIG, reported like a full disk, instead of
  // killing the process with a half-written temporary left behind.
  signal(SIGXFSZ, SIG_IGN);
}

int register_temp(const std::string& path) {
  if (path.size() >= kPathMax) return -1;
  for (int i = 0; i < kSlots; ++i) {
    int expected = 0;
    if (g_slots[i].state.compare_exchange_strong(expected, 1)) {
      copy_bounded(g_slots[i].path, path, kPathMax);
      g_slots[i].state.store(2);
      return i;
    }
  }
  return -1;
}

void unregister_temp(int slot) {
  if (slot >= 0 && slot < kSlots) g_slots[slot].state.store(0);
}

void set_resumable(const std::string& path, const std::string& what, long total) {
  g_resumable.store(1);
  copy_bounded(g_res_path, path, kPathMax);
  copy_bounded(g_res_what, what, sizeof g_res_what);
  g_res_total.store(total);
  g_res_done.store(0);
  g_resumable.store(2);
}

void set_resumable_done(long done) {
  if (done > g_res_done.load()) g_res_done.store(done);
}

void clear_resumable() { g_resumable.store(0); }

int registered_temps() {
  int n = 0;
  for (const auto& s : g_slots) n += s.state.load() == 2 ? 1 : 0;
  return n;
}

}  // namespace pdesym::interrupt
