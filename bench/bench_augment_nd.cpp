// Timing of training-time augmentation on n-D data: the Augmenter's random group element applied to training
// windows (trajectory windows of --levels levels, as train() passes them) of a dataset, with the default path
// (consecutive affine generators fused into one pass, closed-form period criteria, factored phase exponentials)
// and the reference path (TransformOptions::reference_nd: generator by generator, the RK4 period criterion,
// per-point phase exponentials), measured side by side in interleaved rounds. Prints one Markdown row per
// generator set: milliseconds per window (median and min-max over rounds, CPU time of this thread), the ratio of
// the medians, and the largest difference between the two paths' outputs relative to the data.
//
//   bench_augment_nd --data nls2d.h5 --spec known:nls2d [--spec sym.json ...] [--levels 8] [--windows 16]
//                    [--rounds 5] [--trajectories 2]
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "pdesym/augment/augment.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/datasets/dataset.hpp"

using namespace pdesym;

namespace {

double cpu_seconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Training-time augmentation of n-D windows: fused exact path vs reference path"};
  std::string data;
  std::vector<std::string> specs;
  int levels = 8, windows = 16, rounds = 5, trajectories = 2;
  app.add_option("--data", data, "dataset (pdesym-nd layout)")->required();
  app.add_option("--spec", specs, "generator sets (known:<equation>, sym.json, gen:...)")->required();
  app.add_option("--levels", levels, "levels per window (2 x the model's time window)");
  app.add_option("--windows", windows, "windows per round");
  app.add_option("--rounds", rounds, "interleaved rounds");
  app.add_option("--trajectories", trajectories, "training trajectories the windows are cut from");
  CLI11_PARSE(app, argc, argv);
  try {
    const datasets::Split split = datasets::read_split(data, "train", 0, trajectories);
    std::vector<Field> ws;
    for (int w = 0; w < windows; ++w) {
      const int i = w % split.n, start = (w * 7) % std::max(1, split.nt - levels + 1);
      ws.push_back(split.field_window(i, start, levels));
    }
    std::printf("data %s: %d windows of %d levels, %s\n\n", data.c_str(), windows, levels,
                ws[0].shape.describe().c_str());
    std::printf("| generator set | generators | fused exact path, ms/window | reference path, ms/window | ratio of "
                "medians | max difference / max value |\n|---|---|---|---|---|---|\n");
    for (const std::string& spec : specs) {
      const augment::GeneratorSet set = augment::load_generators(spec, ws[0].shape);
      augment::TransformOptions ref_opt;
      ref_opt.reference_nd = true;
      const augment::Augmenter fast(set), ref(set, ref_opt);
      std::vector<double> tf, tr;
      double diff = 0, scale = 0;
      for (int r = 0; r < rounds; ++r) {
        for (int path = 0; path < 2; ++path) {
          const augment::Augmenter& aug = path == 0 ? fast : ref;
          const double t0 = cpu_seconds();
          for (int w = 0; w < windows; ++w) {
            Rng rng(7, static_cast<std::uint64_t>(r), static_cast<std::uint64_t>(w));
            const Field out = aug(ws[w], rng);
            if (path == 1 && r == 0) {  // compare with the fused path's output for the same group element
              Rng again(7, static_cast<std::uint64_t>(r), static_cast<std::uint64_t>(w));
              const Field f = fast(ws[w], again);
              for (std::size_t q = 0; q < out.data.size(); ++q) {
                diff = std::max(diff, std::abs(out.data[q] - f.data[q]));
                scale = std::max(scale, std::abs(out.data[q]));
              }
            }
          }
          (path == 0 ? tf : tr).push_back(1e3 * (cpu_seconds() - t0) / windows);
        }
      }
      // The reference rounds include one fused call per window in round 0 (the comparison): drop round 0.
      if (rounds > 1) tr.erase(tr.begin()), tf.erase(tf.begin());
      const auto mm = [](const std::vector<double>& v) {
        char buf[96];
        std::snprintf(buf, sizeof buf, "%.2f (%.2f-%.2f)", median(v), *std::min_element(v.begin(), v.end()),
                      *std::max_element(v.begin(), v.end()));
        return std::string(buf);
      };
      std::printf("| %s | %zu | %s | %s | %.1fx | %.1e |\n", spec.c_str(), set.generators.size(), mm(tf).c_str(),
                  mm(tr).c_str(), median(tr) / median(tf), diff / std::max(scale, 1e-300));
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_augment_nd: error: %s\n", e.what());
    return 2;
  }
  return 0;
}
