#pragma once
// Errors and checks (MFEM_VERIFY style): every failed check names what was expected and where.
#include <sstream>
#include <stdexcept>
#include <string>

namespace pdesym {

/// Base class of every error pdesym throws on purpose; the CLI prints what() and exits non-zero.
class Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// Bad user input: configuration files, command-line values, missing or malformed data files.
class InputError : public Error {
 public:
  using Error::Error;
};

/// The numerical solution stopped being finite (NaN/Inf).
class BlowUpError : public Error {
 public:
  using Error::Error;
};

[[noreturn]] void throw_check_failure(const char* cond, const std::string& msg, const char* file, int line);

}  // namespace pdesym

/// PDESYM_CHECK(cond, "message " << value): throws pdesym::Error with the message, the condition and location.
#define PDESYM_CHECK(cond, msg)                                                          \
  do {                                                                                   \
    if (!(cond)) {                                                                       \
      std::ostringstream pdesym_check_os_;                                               \
      pdesym_check_os_ << msg;                                                           \
      ::pdesym::throw_check_failure(#cond, pdesym_check_os_.str(), __FILE__, __LINE__);  \
    }                                                                                    \
  } while (0)

/// PDESYM_REQUIRE(cond, "message"): for user input; throws pdesym::InputError with just the message.
#define PDESYM_REQUIRE(cond, msg)                           \
  do {                                                      \
    if (!(cond)) {                                          \
      std::ostringstream pdesym_req_os_;                    \
      pdesym_req_os_ << msg;                                \
      throw ::pdesym::InputError(pdesym_req_os_.str());     \
    }                                                       \
  } while (0)
