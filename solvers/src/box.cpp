#include "pdesym/solvers/box.hpp"

#include <fftw3.h>

#include <cmath>
#include <algorithm>
#include <cstdint>
#include <atomic>
#include <cstdlib>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <new>

#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "fftw_planner.hpp"

namespace pdesym::solvers {

void Box::validate() const {
  PDESYM_REQUIRE(dim == 1 || dim == 2, "box dimension must be 1 or 2, got " << dim);
  PDESYM_REQUIRE(nx >= 4 && nx % 2 == 0, "grid size nx must be even and >= 4, got " << nx);
  PDESYM_REQUIRE(Lx > 0 && std::isfinite(Lx), "domain length Lx must be positive and finite, got " << Lx);
  if (dim == 1) {
    PDESYM_REQUIRE(ny == 1, "a 1-D box has ny = 1, got " << ny);
  } else {
    PDESYM_REQUIRE(ny >= 4 && ny % 2 == 0, "grid size ny must be even and >= 4, got " << ny);
    PDESYM_REQUIRE(Ly > 0 && std::isfinite(Ly), "domain length Ly must be positive and finite, got " << Ly);
  }
}

rvec Box::x() const {
  rvec x(nx);
  for (int i = 0; i < nx; ++i) x[i] = i * Lx / nx;
  return x;
}

rvec Box::y() const {
  rvec y(ny, 0.0);
  if (dim == 2)
    for (int j = 0; j < ny; ++j) y[j] = j * Ly / ny;
  return y;
}

rvec wavenumbers_x(const Box& b) {
  rvec k(b.nkx());
  for (int m = 0; m < b.nkx(); ++m) k[m] = 2.0 * M_PI * m / b.Lx;
  k[b.nx / 2] = 0.0;
  return k;
}

rvec wavenumbers_y(const Box& b) {
  rvec k(b.ny, 0.0);
  if (b.dim == 1) return k;
  for (int j = 0; j < b.ny; ++j) k[j] = 2.0 * M_PI * (j <= b.ny / 2 ? j : j - b.ny) / b.Ly;
  k[b.ny / 2] = 0.0;
  return k;
}

const char* dealias_name(Dealias d) {
  switch (d) {
    case Dealias::TwoThirds: return "2/3";
    case Dealias::None: return "none";
    case Dealias::ThreeHalves: return "3/2";
  }
  return "?";
}

Dealias parse_dealias(const std::string& text, const std::string& where) {
  for (Dealias d : {Dealias::TwoThirds, Dealias::None, Dealias::ThreeHalves})
    if (text == dealias_name(d)) return d;
  throw InputError(where + ": must be \"2/3\" (2/3-rule mask), \"none\" (no mask) or \"3/2\" (zero-padded products), got \"" +
                   text + "\"");
}

int padded_size(int n, Dealias d) {
  if (d != Dealias::ThreeHalves || n == 1) return n;
  const int p = (3 * n + 1) / 2;
  return p + (p % 2);
}

namespace {
// Mode of signed index q (|q| <= n/2) on a grid of n points: kept by `d`?
double kept(int q, int n, Dealias d) {
  if (d == Dealias::TwoThirds) return (3 * std::abs(q) <= n) ? 1.0 : 0.0;
  return (2 * std::abs(q) < n) ? 1.0 : 0.0;
}
}  // namespace

rvec dealias_mask_x(const Box& b, Dealias d) {
  rvec mask(b.nkx());
  for (int m = 0; m < b.nkx(); ++m) mask[m] = kept(m, b.nx, d);
  return mask;
}

rvec dealias_mask_y(const Box& b, Dealias d) {
  rvec mask(b.ny, 1.0);
  if (b.dim == 1) return mask;
  for (int j = 0; j < b.ny; ++j) mask[j] = kept(j <= b.ny / 2 ? j : j - b.ny, b.ny, d);
  return mask;
}

namespace {
std::atomic<int> g_fft_planning{static_cast<int>(FftPlanning::Estimate)};
bool g_measured_wisdom = false;  // some FftBox has planned with FFTW_MEASURE (guarded by the planner mutex)
bool g_wisdom_read = false;      // the wisdom file has been read (or tried) by this process (same guard)
std::string g_wisdom_known;      // wisdom as last read from or written to the file (same guard)

void wisdom_warning(const std::string& path, const std::string& why) {
  std::fprintf(stderr, "pdesym: warning: FFTW wisdom file '%s' %s; planning without it\n", path.c_str(), why.c_str());
}

// The file's wisdom into FFTW (caller holds the planner mutex). A missing file is silent; an unreadable or corrupt
// one is ignored with a warning (FFTW then measures as without a file).
bool import_wisdom_locked() {
  g_wisdom_read = true;
  const std::string path = fftw_wisdom_path();
  if (path.empty()) return false;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return false;
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  if (!in || !(text << in.rdbuf())) {
    wisdom_warning(path, "cannot be read");
    return false;
  }
  if (fftw_import_wisdom_from_string(text.str().c_str()) == 0) {
    wisdom_warning(path, "is not FFTW wisdom");
    return false;
  }
  g_wisdom_known = text.str();
  g_measured_wisdom = true;  // imported plans are measured ones: FFTW_ESTIMATE plans must not see them
  return true;
}

// After an FFTW_MEASURE plan: write the process's wisdom back if it grew (atomically: a reader sees the old or the
// new file, never a mix; concurrent ranks may each write, the last rename wins). Failure is a warning.
void write_wisdom_file() {
  const std::string path = fftw_wisdom_path();
  if (path.empty()) return;
  char* w = fftw_export_wisdom_to_string();
  if (!w) return;
  const std::string text(w);
  std::free(w);
  if (text == g_wisdom_known) return;
  try {
    std::error_code ec;
    const auto dir = std::filesystem::path(path).parent_path();
    if (!dir.empty()) std::filesystem::create_directories(dir, ec);
    write_text_atomic(path, text);
    g_wisdom_known = text;
  } catch (const std::exception& e) {
    wisdom_warning(path, std::string("cannot be written (") + e.what() + ")");
    g_wisdom_known = text;  // warn once per new wisdom, not per box
  }
}
}  // namespace

bool import_fftw_wisdom_file() {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  return import_wisdom_locked();
}

std::string fftw_wisdom_path() {
  if (const char* p = std::getenv("PDESYM_FFTW_WISDOM")) return std::string(p) == "none" ? std::string() : p;
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/pdesym/fftw-wisdom";
  if (const char* h = std::getenv("HOME"); h && *h) return std::string(h) + "/.cache/pdesym/fftw-wisdom";
  return {};
}
void set_fft_planning(FftPlanning p) { g_fft_planning = static_cast<int>(p); }
FftPlanning fft_planning() { return static_cast<FftPlanning>(g_fft_planning.load()); }
const char* fft_planning_name(FftPlanning p) { return p == FftPlanning::Measure ? "measure" : "estimate"; }

void* fftw_aligned_alloc(std::size_t bytes) {
  void* p = fftw_malloc(bytes == 0 ? 1 : bytes);
  if (!p) throw std::bad_alloc();
  return p;
}
void fftw_aligned_free(void* p) noexcept { fftw_free(p); }

void project_dealiased(const Box& b, cdouble* u_hat, Dealias d) {
  const rvec mx = dealias_mask_x(b, d), my = dealias_mask_y(b, d);
  for (int j = 0; j < b.ny; ++j)
    for (int m = 0; m < b.nkx(); ++m)
      if (mx[m] * my[j] == 0.0) u_hat[static_cast<std::size_t>(j) * b.nkx() + m] = 0.0;
}

void symmetrise_real_spectrum(const Box& b, cdouble* u_hat) {
  const std::size_t nkx = static_cast<std::size_t>(b.nkx());
  for (std::size_t col : {std::size_t{0}, nkx - 1}) {
    for (int j = 1; j < b.ny / 2; ++j) {
      cdouble& a = u_hat[j * nkx + col];
      cdouble& c = u_hat[(b.ny - j) * nkx + col];
      const cdouble s = 0.5 * (a + std::conj(c));
      a = s;
      c = std::conj(s);
    }
    u_hat[col] = u_hat[col].real();
    u_hat[(b.ny / 2) * nkx + col] = u_hat[(b.ny / 2) * nkx + col].real();
  }
}

FftBox::FftBox(const Box& b, Dealias d)
    : box_(b), padded_(d == Dealias::ThreeHalves), pnx_(padded_size(b.nx, d)), pny_(padded_size(b.ny, d)),
      n_(static_cast<std::size_t>(pnx_) * pny_), nk_(b.modes()),
      pnk_(static_cast<std::size_t>(pnx_ / 2 + 1) * pny_), low_(0) {
  b.validate();
  // Columns that can be nonzero in a dealiased spectrum: the kept x modes (a prefix m = 0, 1, ...), or on the
  // padded grid the box's columns without their Nyquist column.
  if (padded_) low_ = b.nkx() - 1;
  else
    while (low_ < b.nkx() && kept(low_, b.nx, d) != 0.0) ++low_;
  r_ = fftw_alloc_real(n_);
  fftw_complex* c = fftw_alloc_complex(pnk_);
  c_ = c;
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  const bool measure = fft_planning() == FftPlanning::Measure;
  const unsigned flags = measure ? FFTW_MEASURE : FFTW_ESTIMATE;
  // FFTW applies wisdom to less patient planning too, so once this process has measured plans an FFTW_ESTIMATE plan
  // would silently reuse them: set the wisdom aside while planning with FFTW_ESTIMATE (the heuristic plan, as in a
  // fresh process), then restore it.
  char* wisdom = nullptr;
  if (measure) {
    if (!g_wisdom_read) import_wisdom_locked();  // before the process's first FFTW_MEASURE plan
    g_measured_wisdom = true;
  } else if (g_measured_wisdom) {
    wisdom = fftw_export_wisdom_to_string();
    fftw_forget_wisdom();
  }
  if (b.dim == 1) {  // with FFTW_ESTIMATE the plans of Fft1d: bit-identical 1-D results
    fwd_ = fftw_plan_dft_r2c_1d(pnx_, r_, c, flags);
    inv_ = fftw_plan_dft_c2r_1d(pnx_, c, r_, flags);
  } else {
    fwd_ = fftw_plan_dft_r2c_2d(pny_, pnx_, r_, c, flags);
    inv_ = fftw_plan_dft_c2r_2d(pny_, pnx_, c, r_, flags);
    const int pnkx = pnx_ / 2 + 1, ny[1] = {pny_}, nx[1] = {pnx_};
    if (low_ < pnkx) {
      x_fwd_ = fftw_plan_many_dft_r2c(1, nx, pny_, r_, nullptr, 1, pnx_, c, nullptr, 1, pnkx, flags);
      x_inv_ = fftw_plan_many_dft_c2r(1, nx, pny_, c, nullptr, 1, pnkx, r_, nullptr, 1, pnx_, flags);
      y_fwd_ = fftw_plan_many_dft(1, ny, low_, c, nullptr, pnkx, 1, c, nullptr, pnkx, 1, FFTW_FORWARD, flags);
      y_inv_ = fftw_plan_many_dft(1, ny, low_, c, nullptr, pnkx, 1, c, nullptr, pnkx, 1, FFTW_BACKWARD, flags);
    }
  }
  const bool split_ok = !x_fwd_ == !y_fwd_ && !x_inv_ == !y_inv_ && !x_fwd_ == !x_inv_;
  if (wisdom) {
    fftw_import_wisdom_from_string(wisdom);
    std::free(wisdom);
  }
  if (measure && fwd_ && inv_ && split_ok) write_wisdom_file();
  PDESYM_CHECK(fwd_ && inv_ && split_ok, "FFTW could not create plans for a " << pny_ << " x " << pnx_ << " box");
}

FftBox::~FftBox() {
  std::lock_guard<std::mutex> lock(fftw_planner_mutex());
  fftw_destroy_plan(static_cast<fftw_plan>(fwd_));
  fftw_destroy_plan(static_cast<fftw_plan>(inv_));
  for (void* p : {x_fwd_, x_inv_, y_fwd_, y_inv_})
    if (p) fftw_destroy_plan(static_cast<fftw_plan>(p));
  fftw_free(r_);
  fftw_free(c_);
}

// Zero padding: box row j (signed index j' = j or j - ny) goes to padded row j' mod pny; the box's Nyquist row
// and column (ambiguous on the finer grid) are left out. `scale` converts the box's normalisation (nx ny times
// the coefficients) to the padded grid's (pnx pny times).
void FftBox::pad(const cdouble* in, double scale) {
  cdouble* c = static_cast<cdouble*>(c_);
  std::fill(c, c + pnk_, cdouble(0.0));
  const int nkx = box_.nkx(), pnkx = pnx_ / 2 + 1, ny = box_.ny;
  for (int j = 0; j < ny; ++j) {
    if (ny > 1 && 2 * j == ny) continue;
    const int jp = (j <= ny / 2) ? j : j - ny + pny_;
    const cdouble* src = in + static_cast<std::size_t>(j) * nkx;
    cdouble* dst = c + static_cast<std::size_t>(jp) * pnkx;
    for (int m = 0; m + 1 < nkx; ++m) dst[m] = scale * src[m];
  }
}

namespace {
// FFTW's new-array execute needs fftw_alignment_of(new array) == fftw_alignment_of(planned array), where
// fftw_alignment_of(p) is p modulo the library's SIMD alignment (a build setting: 16 bytes in Debian's FFTW). That
// modulus (a power of two) is read once from the library, so the per-transform checks are two masks instead of
// four calls into it.
std::uintptr_t fftw_simd_alignment_mask() {
  static const std::uintptr_t a = [] {
    double* p = fftw_alloc_real(64);
    std::uintptr_t m = 8;  // the smallest step of doubles; alignment_of(p + m bytes) == 0 first at m = ALIGNMENT
    while (m < 256 && fftw_alignment_of(reinterpret_cast<double*>(reinterpret_cast<char*>(p) + m)) != 0) m *= 2;
    fftw_free(p);
    return m - 1;
  }();
  return a;
}

bool same_alignment(const void* a, const void* b) {
  const std::uintptr_t mask = fftw_simd_alignment_mask();
  return (reinterpret_cast<std::uintptr_t>(a) & mask) == (reinterpret_cast<std::uintptr_t>(b) & mask);
}
}  // namespace

// The plans were made for r_ and c_; FFTW's new-array execute runs the same plan (same codelets, same results)
// on other arrays of the same alignment. r2c keeps its input (out of place), c2r destroys it.
void FftBox::forward(const double* in, cdouble* out) {
  if (padded_) {
    std::memcpy(r_, in, sizeof(double) * n_);
    if (y_fwd_) r2c_low(r_, static_cast<cdouble*>(c_));  // only the box's columns are read below
    else fftw_execute(static_cast<fftw_plan>(fwd_));
    const cdouble* c = static_cast<const cdouble*>(c_);
    const int nkx = box_.nkx(), pnkx = pnx_ / 2 + 1, ny = box_.ny;
    const double scale = static_cast<double>(box_.points()) / static_cast<double>(n_);
    for (int j = 0; j < ny; ++j) {
      cdouble* dst = out + static_cast<std::size_t>(j) * nkx;
      if (ny > 1 && 2 * j == ny) {
        std::fill(dst, dst + nkx, cdouble(0.0));
        continue;
      }
      const int jp = (j <= ny / 2) ? j : j - ny + pny_;
      const cdouble* src = c + static_cast<std::size_t>(jp) * pnkx;
      for (int m = 0; m + 1 < nkx; ++m) dst[m] = scale * src[m];
      dst[nkx - 1] = 0.0;
    }
    return;
  }
  double* o = reinterpret_cast<double*>(out);
  if (same_alignment(in, r_) && same_alignment(o, c_)) {
    fftw_execute_dft_r2c(static_cast<fftw_plan>(fwd_), const_cast<double*>(in), reinterpret_cast<fftw_complex*>(out));
    return;
  }
  std::memcpy(r_, in, sizeof(double) * n_);
  fftw_execute(static_cast<fftw_plan>(fwd_));
  std::memcpy(static_cast<void*>(out), c_, sizeof(fftw_complex) * nk_);
}

void FftBox::forward_low(const double* in, cdouble* out) {
  const std::size_t nkx = static_cast<std::size_t>(box_.nkx()), low = static_cast<std::size_t>(low_);
  if (padded_ || !y_fwd_) {
    forward(in, out);
  } else if (same_alignment(in, r_) && same_alignment(reinterpret_cast<double*>(out), c_)) {
    r2c_low(in, out);
  } else {
    std::memcpy(r_, in, sizeof(double) * n_);
    r2c_low(r_, static_cast<cdouble*>(c_));
    std::memcpy(static_cast<void*>(out), c_, sizeof(fftw_complex) * nk_);
  }
  if (low < nkx)
    for (std::size_t j = 0; j < static_cast<std::size_t>(box_.ny); ++j)
      std::fill(out + j * nkx + low, out + (j + 1) * nkx, cdouble(0.0));
}

void FftBox::r2c_low(const double* in, cdouble* spec) {
  fftw_complex* s = reinterpret_cast<fftw_complex*>(spec);
  fftw_execute_dft_r2c(static_cast<fftw_plan>(x_fwd_), const_cast<double*>(in), s);
  fftw_execute_dft(static_cast<fftw_plan>(y_fwd_), s, s);
}

bool FftBox::high_columns_zero(const cdouble* spec) const {
  const std::size_t pnkx = static_cast<std::size_t>(pnx_ / 2 + 1);
  const double* d = reinterpret_cast<const double*>(spec);
  for (std::size_t j = 0; j < static_cast<std::size_t>(pny_); ++j) {
    const double* row = d + 2 * j * pnkx;
    // OR of the values' bits, sign bits shifted out below (-0.0 counts as zero); no early exit within a row and
    // integer ops only, so the loop vectorises (4x faster than comparing doubles).
    std::uint64_t bits = 0;
    for (std::size_t i = 2 * static_cast<std::size_t>(low_); i < 2 * pnkx; ++i) {
      std::uint64_t b;
      std::memcpy(&b, row + i, sizeof b);
      bits |= b;
    }
    if (bits << 1) return false;
  }
  return true;
}

void FftBox::c2r_destroy(cdouble* spec, double* out) {
  fftw_complex* s = reinterpret_cast<fftw_complex*>(spec);
  double* o = same_alignment(out, r_) ? out : r_;
  if (y_inv_ && high_columns_zero(spec)) {
    fftw_execute_dft(static_cast<fftw_plan>(y_inv_), s, s);
    fftw_execute_dft_c2r(static_cast<fftw_plan>(x_inv_), s, o);
  } else {
    fftw_execute_dft_c2r(static_cast<fftw_plan>(inv_), s, o);
  }
  if (o != out) std::memcpy(out, r_, sizeof(double) * n_);
}

void FftBox::inverse(const cdouble* in, double* out) {
  if (padded_) {  // the 1 / (nx ny) of the box folded into the padding
    pad(in, 1.0 / static_cast<double>(box_.points()));
    execute_inverse(out);
    return;
  }
  std::memcpy(c_, static_cast<const void*>(in), sizeof(fftw_complex) * nk_);  // c2r destroys its input
  const double s = 1.0 / static_cast<double>(n_);
  if (same_alignment(out, r_)) {
    c2r_destroy(static_cast<cdouble*>(c_), out);
    for (std::size_t j = 0; j < n_; ++j) out[j] *= s;
    return;
  }
  c2r_destroy(static_cast<cdouble*>(c_), r_);
  for (std::size_t j = 0; j < n_; ++j) out[j] = r_[j] * s;
}

void FftBox::inverse_unscaled(const cdouble* in, double* out) {
  if (padded_) pad(in, static_cast<double>(n_) / static_cast<double>(box_.points()));
  else std::memcpy(c_, static_cast<const void*>(in), sizeof(fftw_complex) * nk_);  // c2r destroys its input
  execute_inverse(out);
}

void FftBox::inverse_unscaled_destroy(cdouble* in, double* out) {
  double* id = reinterpret_cast<double*>(in);
  if (padded_ || !same_alignment(id, c_) || !same_alignment(out, r_)) {
    inverse_unscaled(in, out);
    return;
  }
  c2r_destroy(in, out);
}

void FftBox::execute_inverse(double* out) { c2r_destroy(static_cast<cdouble*>(c_), out); }

SpectralWorkspace::SpectralWorkspace(const Box& b, Dealias d)
    : box(b), dealias(d), fft(b, d), nk(static_cast<int>(b.modes())), n(static_cast<int>(fft.points())), kx(b.modes()),
      ky(b.modes()), mask(b.modes()), u(fft.points()), up(fft.points()), tmp(b.modes()) {
  // (Aligned buffers: FftBox transforms them without copies.)
  const rvec kxs = wavenumbers_x(b), kys = wavenumbers_y(b), mx = dealias_mask_x(b, d), my = dealias_mask_y(b, d);
  const int nkx = b.nkx();
  for (int j = 0; j < b.ny; ++j)
    for (int m = 0; m < nkx; ++m) {
      const std::size_t i = static_cast<std::size_t>(j) * nkx + m;
      kx[i] = kxs[m];
      ky[i] = kys[j];
      mask[i] = mx[m] * my[j];
    }
  // The maximal runs of modes where `in` holds, in index order.
  auto runs_where = [&](auto in) {
    std::vector<ModeRun> runs;
    for (std::size_t m = 0; m < mask.size();) {
      if (!in(m)) {
        ++m;
        continue;
      }
      std::size_t e = m;
      while (e < mask.size() && in(e)) ++e;
      runs.push_back({m, e});
      m = e;
    }
    return runs;
  };
  kept = runs_where([&](std::size_t i) { return mask[i] != 0.0; });
  dropped = runs_where([&](std::size_t i) { return mask[i] == 0.0; });
  // The dropped modes forward_low() does not zero: those in the columns below low_columns() (the mask is 0 on
  // every column from there on).
  const std::size_t low = static_cast<std::size_t>(fft.low_columns());
  dropped_low = runs_where([&](std::size_t i) { return mask[i] == 0.0 && i % static_cast<std::size_t>(nkx) < low; });
}

double* SpectralWorkspace::real(int i) {
  PDESYM_CHECK(i >= 0, "scratch index must be >= 0");
  if (static_cast<int>(real_.size()) <= i) real_.resize(i + 1);
  if (real_[i].empty()) real_[i].assign(n, 0.0);
  return real_[i].data();
}

cdouble* SpectralWorkspace::spectral(int i) {
  PDESYM_CHECK(i >= 0, "scratch index must be >= 0");
  if (static_cast<int>(spectral_.size()) <= i) spectral_.resize(i + 1);
  if (spectral_[i].empty()) spectral_[i].assign(nk, 0.0);
  return spectral_[i].data();
}

std::size_t FftBox::bytes() const { return n_ * sizeof(double) + pnk_ * sizeof(cdouble); }

std::size_t SpectralWorkspace::bytes() const {
  std::size_t b = fft.bytes() + tmp.capacity() * sizeof(cdouble) +
                  (kx.capacity() + ky.capacity() + mask.capacity() + u.capacity() + up.capacity()) * sizeof(double) +
                  (kept.capacity() + dropped.capacity() + dropped_low.capacity()) * sizeof(ModeRun);
  for (const auto& r : real_) b += r.capacity() * sizeof(double);
  for (const auto& c : spectral_) b += c.capacity() * sizeof(cdouble);
  return b;
}

cdouble derivative_symbol(double kx, double ky, int ox, int oy) {
  // (i kx)^ox (i ky)^oy = i^(ox+oy) kx^ox ky^oy, with i^n exact.
  double mag = 1.0;
  for (int e = 0; e < ox; ++e) mag *= kx;
  for (int e = 0; e < oy; ++e) mag *= ky;
  switch ((ox + oy) % 4) {
    case 0: return {mag, 0.0};
    case 1: return {0.0, mag};
    case 2: return {-mag, 0.0};
    default: return {0.0, -mag};
  }
}

BoxDerivative::BoxDerivative(const Box& b) : ws_(b), uh_(b.modes()), work_(b.modes()) {}

void BoxDerivative::multiply(int ox, int oy, cvec& out) const {
  PDESYM_CHECK(ox >= 0 && oy >= 0, "derivative orders must be >= 0");
  for (int m = 0; m < ws_.nk; ++m) out[m] = derivative_symbol(ws_.kx[m], ws_.ky[m], ox, oy) * uh_[m];
}

void BoxDerivative::apply(const double* u, double* out, int ox, int oy) {
  ws_.fft.forward(u, uh_.data());
  multiply(ox, oy, work_);
  ws_.fft.inverse(work_.data(), out);
}

void BoxDerivative::apply_many(const double* u, const std::vector<std::pair<int, int>>& orders,
                               std::vector<rvec>& out) {
  ws_.fft.forward(u, uh_.data());
  out.assign(orders.size(), rvec(ws_.n));
  for (std::size_t i = 0; i < orders.size(); ++i) {
    multiply(orders[i].first, orders[i].second, work_);
    ws_.fft.inverse(work_.data(), out[i].data());
  }
}

}  // namespace pdesym::solvers
