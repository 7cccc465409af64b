// pdesym: one CLI, subcommands generate / discover / augment / train / evaluate.
// Exit status (docs/ARCHITECTURE.md, "Error policy"): 0 success (also --help, --version); 2 every failure the
// user can see: bad command line, bad input, I/O failure, interruption by SIGINT/SIGTERM, internal error. Every
// failure prints one line "pdesym: error: ..." (no backtraces).
#include <mpi.h>

#include <cstdio>
#include <cstdlib>
#include <exception>
#include <new>
#include <string>

#include "commands.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/interrupt.hpp"

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
  pdesym::interrupt::install_handlers(rank == 0);

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

  const std::string on_rank = size > 1 ? " on rank " + std::to_string(rank) : "";
  int rc = 0;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {  // --help, --version
      rc = (rank == 0) ? app.exit(e) : 0;
    } else {
      if (rank == 0) std::fprintf(stderr, "pdesym: error: %s\nRun with --help for more information.\n", e.what());
      rc = 2;
    }
  } catch (const pdesym::Error& e) {
    std::fprintf(stderr, "pdesym: error%s: %s\n", on_rank.c_str(), e.what());
    rc = 2;
  } catch (const std::bad_alloc&) {
    std::fprintf(stderr, "pdesym: error%s: out of memory\n", on_rank.c_str());
    rc = 2;
  } catch (const std::exception& e) {
    // Foreign exceptions (LibTorch, yaml-cpp, the standard library): their first line only, no backtrace.
    std::string msg = e.what();
    msg = msg.substr(0, msg.find('\n'));
    std::fprintf(stderr, "pdesym: error%s: internal error: %s\n", on_rank.c_str(), msg.c_str());
    rc = 2;
  } catch (...) {
    std::fprintf(stderr, "pdesym: error%s: internal error (unknown exception)\n", on_rank.c_str());
    rc = 2;
  }
  if (rc != 0) {
    std::fflush(stdout);
    std::fflush(stderr);
    if (size > 1) MPI_Abort(MPI_COMM_WORLD, rc);  // other ranks may be waiting in a collective
    // One process: leave without MPI_Finalize, whose shutdown hooks (HDF5 closes its files there) can crash on
    // a library left in a failed state, e.g. a file whose close failed on a full disk. Every output has already
    // been removed or renamed by its owner.
    std::_Exit(rc);
  }
  MPI_Finalize();
  return rc;
}
