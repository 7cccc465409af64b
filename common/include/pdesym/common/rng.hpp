#pragma once
// Counter-based, platform-independent random numbers: a trajectory's stream depends only on
// (seed, split, index), never on which MPI rank or thread draws it.
#include <cmath>
#include <cstdint>

namespace pdesym {

inline std::uint64_t splitmix64(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9E3779B97F4A7C15ULL);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return z ^ (z >> 31);
}

/// xoshiro256** seeded through splitmix64; uniform() uses the top 53 bits (same on every platform).
class Rng {
 public:
  explicit Rng(std::uint64_t seed, std::uint64_t stream_a = 0, std::uint64_t stream_b = 0) {
    std::uint64_t st = seed ^ (0xD1B54A32D192ED03ULL * (stream_a + 1)) ^ (0x8CB92BA72F3D8DD7ULL * (stream_b + 1));
    for (auto& w : s_) w = splitmix64(st);
  }
  std::uint64_t next() {
    const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
    const std::uint64_t t = s_[1] << 17;
    s_[2] ^= s_[0];
    s_[3] ^= s_[1];
    s_[1] ^= s_[2];
    s_[0] ^= s_[3];
    s_[2] ^= t;
    s_[3] = rotl(s_[3], 45);
    return result;
  }
  /// Uniform in [0, 1).
  double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  double uniform(double a, double b) { return a + (b - a) * uniform(); }
  /// Integer uniform in [lo, hi] (inclusive).
  long uniform_int(long lo, long hi) {
    return lo + static_cast<long>(uniform() * static_cast<double>(hi - lo + 1));
  }
  /// Standard normal via Box–Muller (no cached second value, so streams stay simple).
  double normal() {
    double u1 = uniform(), u2 = uniform();
    if (u1 < 1e-300) u1 = 1e-300;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t s_[4];
};

}  // namespace pdesym
