#pragma once
// Each subcommand registers itself on the app; the bodies call into the libraries.
#include <CLI/CLI.hpp>
#include <string>

namespace pdesym::cli {

void register_generate(CLI::App& app);  // cmd_generate.cpp  (datasets/)
void register_plot(CLI::App& app);      // cmd_plot.cpp      (datasets/)
void register_discover(CLI::App& app);  // cmd_discover.cpp  (symmetry/, learned/)
void register_augment(CLI::App& app);   // cmd_augment.cpp   (augment/)
void register_train(CLI::App& app);     // cmd_train.cpp     (surrogates/): train and evaluate

/// MPI rank and size of COMM_WORLD (MPI is initialised by main).
int mpi_rank();
int mpi_size();

/// Augmentation spec as given on the command line, with a bare "known" resolved to "known:<equation>" from
/// the `equation` attribute of `data_file` (clear error when the file has none). Other specs pass unchanged.
std::string resolve_augment_spec(const std::string& spec, const std::string& data_file);

}  // namespace pdesym::cli
