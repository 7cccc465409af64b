#pragma once
// The contract between the `pdesym` executable and its LibTorch plugin, pdesym_torch.so (a MODULE library that
// statically holds pdesym::surrogates and pdesym::learned; cli/plugin/torch_plugin.cpp).
//
// The executable does not link LibTorch: loading it costs ~0.7 s of CPU, which every subcommand would pay. It
// parses every option itself (the structs below are torch-free) and dlopen()s the plugin only when a torch
// subcommand or method runs (train, evaluate, discover --method validity|liegan|joint). The plugin exports one C
// symbol, PDESYM_TORCH_PLUGIN_SYMBOL, returning its table of entry points (TorchPlugin). The executable is linked
// with exported symbols (ENABLE_EXPORTS), so the plugin's calls into the torch-free libraries it also holds
// (common, datasets, ...) bind to the executable's copies: one interrupt registry, one MPI/HDF5 state.
//
// Search order: $PDESYM_TORCH_PLUGIN (a file), then <dir of /proc/self/exe>/pdesym_torch.so (build tree), then
// <dir of /proc/self/exe>/PDESYM_TORCH_PLUGIN_INSTALL_REL/pdesym_torch.so (install tree: lib/pdesym).
#include <cstddef>
#include <string>
#include <vector>

#include "pdesym/datasets/dataset.hpp"
#include "pdesym/learned/discover.hpp"     // torch-free
#include "pdesym/surrogates/train.hpp"     // torch-free
#include "pdesym/symmetry/basis.hpp"

#define PDESYM_TORCH_PLUGIN_SYMBOL "pdesym_torch_plugin_v1"

namespace pdesym::cli {

/// `pdesym train`'s options (cli/cmd_train.cpp parses them; the plugin runs the command).
struct TrainArgs {
  std::string data, valid, train_split = "train", valid_split = "valid", json_out;
  int n_train = 0, n_valid = 0;
  bool no_progress = false;      ///< copied into opt.progress by the executable
  surrogates::TrainOptions opt;  ///< augment and promote specs already resolved (resolve_augment_spec)
};

/// `pdesym evaluate`'s options.
struct EvalArgs {
  std::string model, data, split = "test", json_out, plot;
  int n_test = 0, plot_index = 0;
  surrogates::EvalOptions opt;
};

/// Raised whenever a struct above or the table below changes layout or meaning.
inline constexpr int kTorchPluginAbi = 1;

/// The plugin's entry points. Each throws pdesym errors exactly as the library functions it wraps; output paths
/// have been checked by the executable before the call.
struct TorchPlugin {
  int abi = kTorchPluginAbi;
  std::size_t layout = 0;  ///< torch_plugin_layout() of the plugin's build: a cheap check of the shared structs
  /// Runs `pdesym train` / `pdesym evaluate` (collective under MPI), printing the JSON summary on rank 0.
  void (*train)(const TrainArgs&) = nullptr;
  void (*evaluate)(const EvalArgs&) = nullptr;
  /// learned::learned_methods() and learned::discover().
  std::vector<std::string> (*learned_methods)() = nullptr;
  symmetry::SymmetryResult (*discover)(const datasets::Split&, const learned::LearnedOptions&,
                                       const symmetry::PolynomialBasis&) = nullptr;
};

/// Sizes of the shared structs, mixed; equal on both sides of a matching build.
inline std::size_t torch_plugin_layout() {
  return sizeof(TrainArgs) * 1000003u + sizeof(EvalArgs) * 1009u + sizeof(learned::LearnedOptions) * 31u +
         sizeof(TorchPlugin);
}

/// The plugin's entry points, loaded on the first call (later calls return the same table). `what` names the
/// command that needs it, for messages. Throws InputError when the build has no LibTorch, when no plugin file is
/// found (naming the paths tried), when dlopen fails (with dlerror's message) or when the plugin was built from
/// other sources (ABI or layout mismatch).
const TorchPlugin& torch_plugin(const std::string& what);

}  // namespace pdesym::cli
