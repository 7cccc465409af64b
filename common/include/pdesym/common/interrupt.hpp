#pragma once
// SIGINT / SIGTERM handling for the pdesym processes. The handler is async-signal-safe: it unlinks every
// registered temporary file, writes one line "pdesym: error: interrupted by SIGTERM[: <resume note>]" to
// stderr (only where printing is enabled, i.e. on MPI rank 0), and ends the process with _exit(2).
// Temporaries register themselves (AtomicFile does); an in-progress file that can be resumed is instead
// announced with set_resumable(), so the handler keeps it and says how far it got.
#include <string>

namespace pdesym::interrupt {

/// Installs the handler for SIGINT and SIGTERM, and ignores SIGXFSZ (writes beyond a file-size limit then fail
/// with EFBIG like writes to a full disk). `print`: whether this process writes the message line.
void install_handlers(bool print);

/// Registers `path` for removal by the handler; returns a slot for unregister_temp (-1 if the registry of 64
/// slots is full: the path is then only removed by its owner). Thread-safe; not for use inside a handler.
int register_temp(const std::string& path);
void unregister_temp(int slot);

/// Announces a resumable in-progress file: on a signal the handler keeps `path` and prints
/// "interrupted by SIG...: <done> of <total> <what> done, kept in <path>; rerun with --resume to continue".
void set_resumable(const std::string& path, const std::string& what, long total);
/// Updates the done count shown by the handler (async-signal-safe to read; monotone).
void set_resumable_done(long done);
/// Forgets the resumable file (it was completed, renamed or removed).
void clear_resumable();

/// For tests and diagnostics: the number of registered temporary paths.
int registered_temps();

}  // namespace pdesym::interrupt
