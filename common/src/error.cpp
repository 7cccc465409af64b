#include "pdesym/common/error.hpp"

namespace pdesym {

void throw_check_failure(const char* cond, const std::string& msg, const char* file, int line) {
  std::ostringstream os;
  os << msg << "\n  (check '" << cond << "' failed at " << file << ":" << line << ")";
  throw Error(os.str());
}

}  // namespace pdesym
