// pdesym: one CLI, subcommands generate / discover / augment / train / evaluate.
#include <mpi.h>

#include <cstdio>
#include <exception>

#include "commands.hpp"
#include "pdesym/common/error.hpp"

namespace pdesym::cli {
int mpi_rank() {
  int r = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &r);
  return r;
}
int mpi_size() {
  int s = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &s);
  return s;
}
}  // namespace pdesym::cli

int main(int argc, char** argv) {
  int provided = 0;
  MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  const int size = pdesym::cli::mpi_size(), rank = pdesym::cli::mpi_rank();

  CLI::App app{"pdesym: discover and use Lie point symmetries of PDEs"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "pdesym 0.1.0");
  pdesym::cli::register_generate(app);
  pdesym::cli::register_plot(app);
  pdesym::cli::register_discover(app);
  pdesym::cli::register_augment(app);
#ifdef PDESYM_WITH_TORCH
  pdesym::cli::register_train(app);
#endif

  int rc = 0;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    rc = (rank == 0) ? app.exit(e) : (e.get_exit_code());
  } catch (const pdesym::Error& e) {
    std::fprintf(stderr, "pdesym: error%s: %s\n", size > 1 ? (" on rank " + std::to_string(rank)).c_str() : "",
                 e.what());
    rc = 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "pdesym: unexpected error: %s\n", e.what());
    rc = 3;
  }
  if (rc != 0 && size > 1) MPI_Abort(MPI_COMM_WORLD, rc);  // other ranks may be waiting in a collective
  MPI_Finalize();
  return rc;
}
