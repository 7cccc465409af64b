#pragma once
// Number formatting for equation texts (shortest ostream form, e.g. "0.01").
#include <sstream>
#include <string>

namespace pdesym::solvers {
inline std::string num(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}
}  // namespace pdesym::solvers
