// Trust verdict of a nullspace result (trust.hpp).
#include "pdesym/symmetry/trust.hpp"

#include <algorithm>
#include <limits>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <sstream>

#include "pdesym/common/error.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/solvers/spectral.hpp"
#include "pdesym/symmetry/nullspace.hpp"
#include "pdesym/symmetry/synthetic.hpp"

namespace pdesym::symmetry {

namespace {

std::string fmt(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.2g", v);
  return b;
}

// Time-averaged power of the lines of length `len` found at data + off(k), k < count, accumulated into P.
void add_line_power(const std::vector<double>& line_data, int len, std::vector<double>& P) {
  solvers::Fft1d fft(len);
  solvers::cvec uh(static_cast<std::size_t>(len / 2 + 1));
  const std::size_t lines = line_data.size() / static_cast<std::size_t>(len);
  for (std::size_t l = 0; l < lines; ++l) {
    fft.forward(line_data.data() + l * len, uh.data());
    for (std::size_t m = 0; m < uh.size(); ++m) P[m] += std::norm(uh[m]);
  }
}

// tail and decay of one direction's spectrum P (modes 0..len/2) over its occupied band: the modes up to the last
// one above rounding level (amplitude 1e-13 of the peak), so that a sharp cut-off such as a solver's 2/3
// dealiasing rule counts as the band's end. A band ending well below 2/3 of the modes is resolved (decay 1).
void tail_decay(const std::vector<double>& P, double& tail, double& decay) {
  const int nk = static_cast<int>(P.size());
  double peak = 0;
  for (int m = 1; m < nk; ++m) peak = std::max(peak, P[static_cast<std::size_t>(m)]);
  int last = 1;
  for (int m = 1; m < nk - 1; ++m)
    if (P[static_cast<std::size_t>(m)] > 1e-26 * peak) last = m;
  if (3 * (last + 2) < 2 * (nk - 1)) {
    // The spectrum reaches rounding level well inside the 2/3 band: a band-limited, resolved field.
    tail = std::sqrt(P[static_cast<std::size_t>(std::min(last + 1, nk - 1))] / std::max(peak, 1e-300));
    decay = 1;
    return;
  }
  const int top = std::max(1, last / 5);
  const int b0 = std::max(1, last + 1 - top), a0 = std::max(1, b0 - top);  // B = [b0, last], A = [a0, b0)
  double a = 0, b = 0;
  for (int m = a0; m < b0; ++m) a += P[static_cast<std::size_t>(m)];
  for (int m = b0; m <= last; ++m) b += P[static_cast<std::size_t>(m)];
  a /= std::max(1, b0 - a0);
  b /= std::max(1, last + 1 - b0);
  tail = peak > 0 ? std::sqrt(b / peak) : 0.0;
  decay = b > 0 ? a / b : 1.0;
}

// A resample: trajectories `idx` of `d`, time levels [n0, n0 + count) (layout of datasets::Split).
datasets::Split resample(const datasets::Split& d, const std::vector<int>& idx, int n0, int count) {
  datasets::Split s = d;
  s.name = d.name + " (resample)";
  s.n = static_cast<int>(idx.size());
  s.nt = count;
  const std::size_t pts = static_cast<std::size_t>(d.ny) * d.nx;
  const std::size_t comp_in = static_cast<std::size_t>(d.nt) * pts, comp_out = static_cast<std::size_t>(count) * pts;
  s.u.assign(static_cast<std::size_t>(s.n) * d.nc * comp_out, 0.0);
  s.x.clear();
  s.y.clear();
  s.t.clear();
  s.dx.clear();
  s.dy.clear();
  s.dt.clear();
  for (std::size_t k = 0; k < idx.size(); ++k) {
    const int i = idx[k];
    for (int c = 0; c < d.nc; ++c) {
      const double* src = d.traj(i) + static_cast<std::size_t>(c) * comp_in + static_cast<std::size_t>(n0) * pts;
      std::copy(src, src + comp_out, s.u.begin() + static_cast<long>((k * d.nc + c) * comp_out));
    }
    s.x.insert(s.x.end(), d.x.begin() + static_cast<long>(i) * d.nx, d.x.begin() + static_cast<long>(i + 1) * d.nx);
    if (!d.y.empty())
      s.y.insert(s.y.end(), d.y.begin() + static_cast<long>(i) * d.ny, d.y.begin() + static_cast<long>(i + 1) * d.ny);
    s.t.insert(s.t.end(), d.t.begin() + static_cast<long>(i) * d.nt + n0,
               d.t.begin() + static_cast<long>(i) * d.nt + n0 + count);
    s.dx.push_back(d.dx[static_cast<std::size_t>(i)]);
    if (!d.dy.empty()) s.dy.push_back(d.dy[static_cast<std::size_t>(i)]);
    if (!d.dt.empty()) s.dt.push_back(d.dt[static_cast<std::size_t>(i)]);
  }
  return s;
}

double median(std::vector<double> v) {
  if (v.empty()) return 0.0;
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

}  // namespace

std::string verdict_name(Verdict v) {
  switch (v) {
    case Verdict::Trusted: return "trusted";
    case Verdict::Doubtful: return "doubtful";
    case Verdict::NotTrusted: return "not trusted";
  }
  return "?";
}

void spectral_resolution(const datasets::Split& d, double& tail, double& decay) {
  tail = 0;
  decay = 1;
  const std::size_t nx = static_cast<std::size_t>(d.nx), ny = static_cast<std::size_t>(d.ny);
  std::vector<double> Px(nx / 2 + 1, 0.0);
  add_line_power(d.u, d.nx, Px);  // every contiguous nx block is an x line
  tail_decay(Px, tail, decay);
  if (d.dim == 2 && ny >= 8) {
    std::vector<double> Py(ny / 2 + 1, 0.0), lines;
    const std::size_t planes = d.u.size() / (nx * ny);
    lines.reserve(d.u.size());
    for (std::size_t p = 0; p < planes; ++p)
      for (std::size_t i = 0; i < nx; ++i)
        for (std::size_t j = 0; j < ny; ++j) lines.push_back(d.u[p * nx * ny + j * nx + i]);
    add_line_power(lines, d.ny, Py);
    double ty = 0, dy = 1;
    tail_decay(Py, ty, dy);
    if (ty > tail) {
      tail = ty;
      decay = dy;
    }
  }
}

nlohmann::json TrustReport::to_json() const {
  nlohmann::json terms_j = nlohmann::json::array();
  for (const auto& t : terms) terms_j.push_back({{"term", t.term}, {"frequency", t.frequency}, {"reported", t.reported}});
  return {{"verdict", verdict_name(verdict)},
          {"reasons", reasons},
          {"notes", notes},
          {"fit",
           {{"residual", residual},
            {"library_residual", library_residual},
            {"noise_floor", noise_floor},
            {"time_error", time_error},
            {"floor", floor},
            {"residual_over_floor", residual_ratio}}},
          {"resolution", {{"spectral_tail", spectral_tail}, {"spectral_decay", spectral_decay}, {"under_resolved", under_resolved},
                          {"time_under_resolved", time_under_resolved}}},
          {"stability",
           {{"resamples", resamples},
            {"dimension_mismatches", dimension_mismatches},
            {"largest_angles", angles},
            {"median_largest_angle", median_angle},
            {"coefficient_spread", coefficient_spread},
            {"smallest_nonnull_singular_value", smallest_nonnull},
            {"smallest_nonnull_variation", nonnull_variation},
            {"max_largest_angle", max_angle},
            {"term_frequencies", terms_j}}}};
}

namespace {

// What a resample's rediscovery returns: the equation's term names and the generators.
struct Refit {
  std::vector<std::string> terms;
  std::vector<double> coeffs;  ///< aligned with terms
  Eigen::MatrixXd generators;
  /// Singular values (descending) of the condition of the resample's equation at the main fit's sample points:
  /// they differ from the main fit's only through the coefficients.
  std::vector<double> singular_values;
};

// Relative singular value just above the null space of `nullity` generators (0 if none).
double smallest_nonnull(const std::vector<double>& sv, int nullity) {
  const int m = static_cast<int>(sv.size());
  return m > nullity && sv[0] > 0 ? sv[static_cast<std::size_t>(m - nullity - 1)] / sv[0] : 0.0;
}

// The verdict from the fit measurements (r.residual, library_residual, noise_floor, time_error already set; `clean`:
// no noise was detected, so time_error measures the time step), the
// data's spectrum and the stability of `refit` under resampling.
void judge(const datasets::Split& d, const std::vector<std::string>& reported, const std::vector<double>& coeffs,
           int max_order, const Eigen::MatrixXd& generators, const std::vector<double>& sv, const TrustOptions& to,
           const std::function<Refit(const datasets::Split&, int)>& refit, bool clean, TrustReport& r) {
  auto flag = [&](Verdict v, const std::string& why) {
    r.verdict = std::max(r.verdict, v);
    r.reasons.push_back(why);
  };

  // 1. Fit against its floor.
  r.floor = std::max({r.noise_floor, r.time_error, to.model_floor});
  r.residual_ratio = r.residual / r.floor;
  const std::string fit = "identification residual " + fmt(r.residual) + " is " + fmt(r.residual_ratio) +
                          " times its floor " + fmt(r.floor) + " (noise " + fmt(r.noise_floor) + ", time steps " +
                          fmt(r.time_error) + "): ";
  if (r.residual_ratio > to.residual_untrusted)
    flag(Verdict::NotTrusted, fit + "the data follow an equation outside the library (derivative order " +
                                  std::to_string(max_order) + ") or are under-resolved");
  else if (r.residual_ratio > to.residual_doubtful)
    flag(Verdict::Doubtful, fit + "the identified equation explains the data only approximately");
  if (r.residual > to.selection_gap * std::max(r.library_residual, r.floor))
    flag(Verdict::Doubtful, "the selected equation's residual " + fmt(r.residual) + " is " +
                                fmt(r.residual / std::max(r.library_residual, r.floor)) +
                                " times that of the whole library (" + fmt(r.library_residual) +
                                "): term selection may have dropped a real term");

  // 2. Resolution.
  spectral_resolution(d, r.spectral_tail, r.spectral_decay);
  r.under_resolved = r.spectral_tail > to.tail_level && r.spectral_decay > to.tail_decay;
  if (r.under_resolved) {
    const std::string what = "under-resolved data: the top fifth of the occupied Fourier modes still holds " +
                             fmt(r.spectral_tail) + " of the peak amplitude and falls by " + fmt(r.spectral_decay) +
                             "x across it";
    if (r.spectral_tail > to.tail_untrusted)
      flag(Verdict::NotTrusted, what + " (a finer grid is needed)");
    else if (r.residual_ratio > to.tail_fit_ratio)
      flag(Verdict::Doubtful, what + ", and the fit is " + fmt(r.residual_ratio) + "x its floor (a finer grid is needed)");
    else
      r.notes.push_back(what + "; not counted: the fit is at its floor (" + fmt(r.residual_ratio) + "x)");
  }

  // Time resolution: the stored step's difference error. The floor already contains it, but a fit near a large
  // floor is no evidence: the truncation error of coarse time differences perturbs the coefficients and breaks
  // symmetries that need exact coefficient relations (2-D NLS stored every 0.05: coefficients 0.99976, not 1).
  // Only on clean data: on noisy data the difference estimate measures the noise.
  r.time_under_resolved = clean && r.time_error > to.time_level;
  if (r.time_under_resolved) {
    const std::string what = "coarse stored time step: the time-difference error estimate " + fmt(r.time_error) +
                             " exceeds " + fmt(to.time_level);
    if (r.time_error > to.time_untrusted)
      flag(Verdict::NotTrusted, what + " (store levels more often)");
    else if (r.residual_ratio > to.tail_fit_ratio)
      flag(Verdict::Doubtful, what + ", and the fit is " + fmt(r.residual_ratio) +
                                  "x that estimate; coefficients and symmetries may be perturbed (store levels more often)");
    else
      r.notes.push_back(what + "; not counted: the fit is at its floor (" + fmt(r.residual_ratio) + "x)");
  }

  // 3. Stability under resampling: 3/4 of the trajectories without replacement (a duplicate in two
  // cross-validation folds would confirm spurious terms), at most max_trajectories, and a random time window.
  std::map<std::string, int> count;
  std::vector<std::string> order = reported;
  for (const auto& t : reported) count[t] = 0;
  const int m = std::max(1, std::min(to.max_trajectories, (3 * d.n + 3) / 4));
  const int win = std::min(d.nt, std::max(9, static_cast<int>(std::lround(to.window * d.nt))));
  std::vector<double> nonnull{smallest_nonnull(sv, static_cast<int>(generators.cols()))};
  for (int b = 0; b < to.resamples; ++b) {
    Rng rng(to.seed, 0xb00, static_cast<std::uint64_t>(b));
    std::vector<int> all(static_cast<std::size_t>(d.n));
    for (int k = 0; k < d.n; ++k) all[static_cast<std::size_t>(k)] = k;
    for (int k = 0; k < m; ++k)  // partial Fisher-Yates shuffle
      std::swap(all[static_cast<std::size_t>(k)], all[static_cast<std::size_t>(rng.uniform_int(k, d.n - 1))]);
    std::vector<int> idx(all.begin(), all.begin() + m);
    std::sort(idx.begin(), idx.end());
    const int n0 = static_cast<int>(rng.uniform_int(0, d.nt - win));
    Eigen::MatrixXd g;
    try {
      const Refit f = refit(resample(d, idx, n0, win), b);
      for (std::size_t k = 0; k < f.terms.size(); ++k) {
        const std::string& t = f.terms[k];
        if (!count.count(t)) order.push_back(t);
        ++count[t];
        // Coefficient spread relative to the largest reported coefficient.
        const auto it = std::find(reported.begin(), reported.end(), t);
        const double c0 = it == reported.end() ? 0.0 : coeffs[static_cast<std::size_t>(it - reported.begin())];
        double big = 0;
        for (double c : coeffs) big = std::max(big, std::abs(c));
        if (big > 0 && k < f.coeffs.size()) r.coefficient_spread = std::max(r.coefficient_spread, std::abs(f.coeffs[k] - c0) / big);
      }
      g = f.generators;
      if (g.cols() == generators.cols() && !f.singular_values.empty())
        nonnull.push_back(smallest_nonnull(f.singular_values, static_cast<int>(g.cols())));
    } catch (const InputError&) {
      g = Eigen::MatrixXd::Zero(generators.rows(), generators.cols() + 1);  // counts as a mismatch
    }
    double a = 0;
    if (g.cols() != generators.cols()) {
      ++r.dimension_mismatches;
      a = M_PI / 2;
    } else if (g.cols() > 0) {
      const auto ang = principal_angles(g, generators);
      a = ang.empty() ? M_PI / 2 : ang.back();
    }
    r.angles.push_back(a);
  }
  r.resamples = to.resamples;
  if (r.resamples > 0) {
    r.median_angle = median(r.angles);
    r.max_angle = *std::max_element(r.angles.begin(), r.angles.end());
    for (const auto& name : order) {
      TermFrequency tf;
      tf.term = name;
      tf.frequency = static_cast<double>(count[name]) / r.resamples;
      tf.reported = std::find(reported.begin(), reported.end(), name) != reported.end();
      r.terms.push_back(tf);
    }
    const std::string stab = " of " + std::to_string(r.resamples) + " resamples (trajectories and time windows)";
    if (r.median_angle > to.angle_untrusted || 2 * r.dimension_mismatches > r.resamples)
      flag(Verdict::NotTrusted, "unstable algebra: " + std::to_string(r.dimension_mismatches) + stab +
                                    " give another dimension; median largest principal angle " + fmt(r.median_angle) +
                                    " rad");
    else if (r.median_angle > to.angle_doubtful || r.dimension_mismatches > 0)
      flag(Verdict::Doubtful, "algebra varies under resampling: median largest principal angle " +
                                  fmt(r.median_angle) + " rad, " + std::to_string(r.dimension_mismatches) + stab +
                                  " give another dimension");
    // The dimension itself: the smallest non-null singular value must stand clear of what the coefficients'
    // uncertainty can produce (a symmetry that needs two coefficients to be equal, like NLS's phase rotation, is
    // broken by any estimation error).
    const int m = static_cast<int>(sv.size()), nullity = static_cast<int>(generators.cols());
    if (m > nullity && sv[0] > 0) {
      r.smallest_nonnull = nonnull[0];
      const auto [lo, hi] = std::minmax_element(nonnull.begin(), nonnull.end());
      r.nonnull_variation = *lo > 0 ? *hi / *lo : std::numeric_limits<double>::infinity();
      if (r.smallest_nonnull < to.near_symmetry * r.coefficient_spread) {
        const std::string what = "a near-symmetry: the smallest non-null singular value " + fmt(r.smallest_nonnull) +
                                 " is within " + fmt(to.near_symmetry) + "x the coefficients' spread under resampling (" +
                                 fmt(r.coefficient_spread) + ")";
        if (nonnull.size() < 2 || r.nonnull_variation > to.near_symmetry_variation)
          flag(Verdict::Doubtful, what + " and varies " + fmt(r.nonnull_variation) +
                                      "x between resamples; the algebra may be larger for the exact equation");
        else
          r.notes.push_back(what + "; not counted: it varies only " + fmt(r.nonnull_variation) +
                            "x between resamples (a structural non-symmetry, not estimation error)");
      }
    }
    std::string unstable;
    for (const auto& t : r.terms)
      if ((t.reported && t.frequency < to.term_unstable) || (!t.reported && t.frequency > 1 - to.term_unstable))
        unstable += (unstable.empty() ? "" : ", ") + t.term + " (" + (t.reported ? "reported, " : "not reported, ") +
                    "in " + fmt(100 * t.frequency) + "%)";
    if (!unstable.empty()) flag(Verdict::Doubtful, "equation terms unstable under resampling: " + unstable);
  }
}

}  // namespace

TrustReport assess_trust(const datasets::Split& d, const IdentifiedEquation& eq, const Eigen::MatrixXd& generators,
                         const std::vector<double>& singular_values, const NullspaceOptions& opt) {
  TrustReport r;
  r.residual = eq.residual_rel;
  r.library_residual = eq.library_residual_rel;
  const JetPreprocessing& pre = eq.preprocessing;
  if (pre.noise_rel > 1e-6) {
    // Inject noise of the estimated level once more: the residual^2 grows by the noise's share.
    datasets::Split noisier = d;
    add_noise(noisier, pre.noise_rel, opt.trust.seed ^ 0x6e6f6973ULL);
    const double again = model_residual(assemble_regression(noisier, opt.identify, pre), eq);
    const double here = model_residual(assemble_regression(d, opt.identify, pre), eq);
    r.noise_floor = std::sqrt(std::max(0.0, again * again - here * here));
  } else {
    r.time_error = time_difference_error(d);
  }
  std::vector<std::string> reported;
  for (const auto& t : eq.terms) reported.push_back(t.name());
  const Eigen::MatrixXd main_points =
      sample_jet_points(d, std::max(2 * eq.order(), eq.order() + 1), opt.samples, opt.seed, pre);
  auto refit = [&](const datasets::Split& s, int b) {
    IdentifyOptions io = opt.identify;
    io.seed = opt.identify.seed + 1000 + static_cast<std::uint64_t>(b);
    const IdentifiedEquation eb = identify_equation(s, io);
    Refit f;
    for (const auto& t : eb.terms) f.terms.push_back(t.name());
    f.coeffs = eb.coeffs;
    const int free_order = std::max(2 * eb.order(), eb.order() + 1);
    NullspaceOptions no = opt;
    no.trust.resamples = 0;
    const Eigen::MatrixXd pts = sample_jet_points(s, free_order, opt.samples, opt.seed + 1 + b, eb.preprocessing);
    f.generators = nullspace_of_equation(eb, pts, no).generators;
    if (eb.order() == eq.order())
      f.singular_values = nullspace_of_equation(eb, main_points, no).singular_values;
    return f;
  };
  judge(d, reported, eq.coeffs, eq.max_order, generators, singular_values, opt.trust, refit, pre.noise_rel <= 1e-6, r);
  return r;
}

TrustReport assess_trust_system(const datasets::Split& d, const SystemIdentification& id,
                                const Eigen::MatrixXd& generators, const std::vector<double>& singular_values,
                                const NullspaceOptions& opt) {
  TrustReport r;
  r.residual = id.residual();
  r.library_residual = id.library_residual();
  r.time_error = time_difference_error(d);
  auto refit = [&](const datasets::Split& s, int b) {
    IdentifyOptions io = opt.identify;
    io.seed = opt.identify.seed + 1000 + static_cast<std::uint64_t>(b);
    const SystemIdentification ib = identify_system(s, io);
    NullspaceOptions no = opt;
    no.seed = opt.seed + 1 + static_cast<std::uint64_t>(b);
    std::vector<double> cs;
    for (const auto& terms : ib.eq.rhs)
      for (const auto& t : terms) cs.push_back(t.coeff);
    Refit f{ib.term_names(), cs, nullspace_of_system(ib.eq, s, no, io.time_order, ib.pre).generators, {}};
    if (ib.eq.order() == id.eq.order())  // the main fit's points: the same seed, data and pre-processing
      f.singular_values = nullspace_of_system(ib.eq, d, opt, io.time_order, id.pre).singular_values;
    return f;
  };
  std::vector<double> cs;
  for (const auto& terms : id.eq.rhs)
    for (const auto& t : terms) cs.push_back(t.coeff);
  judge(d, id.term_names(), cs, id.eq.jets.order(), generators, singular_values, opt.trust, refit,
        id.pre.noise_rel <= 1e-6, r);
  return r;
}

}  // namespace pdesym::symmetry
