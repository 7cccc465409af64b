#pragma once
// Each subcommand registers itself on the app; the bodies call into the libraries.
#include <CLI/CLI.hpp>

namespace pdesym::cli {

void register_generate(CLI::App& app);  // cmd_generate.cpp  (datasets/)
void register_plot(CLI::App& app);      // cmd_plot.cpp      (datasets/)
void register_discover(CLI::App& app);  // cmd_discover.cpp  (symmetry/, learned/)
void register_augment(CLI::App& app);   // cmd_augment.cpp   (augment/)
void register_train(CLI::App& app);     // cmd_train.cpp     (surrogates/): train and evaluate

/// MPI rank and size of COMM_WORLD (MPI is initialised by main).
int mpi_rank();
int mpi_size();

}  // namespace pdesym::cli
