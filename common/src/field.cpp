#include "pdesym/common/field.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "pdesym/common/error.hpp"

namespace pdesym {

std::string FieldShape::describe() const {
  std::ostringstream os;
  os << dim << "-D, " << nc << (nc == 1 ? " component, " : " components, ") << nt << " x ";
  if (dim == 2) os << ny << " x ";
  os << nx;
  return os.str();
}

std::vector<std::string> default_component_names(int nc) {
  if (nc == 1) return {"u"};
  if (nc == 2) return {"u", "v"};
  std::vector<std::string> names;
  for (int c = 0; c < nc; ++c) names.push_back("u" + std::to_string(c));
  return names;
}

Field::Field(const FieldShape& s, double dx_, double dy_, double dt_, double t0)
    : shape(s), components(default_component_names(s.nc)), data(s.size(), 0.0), t(s.nt), x(s.nx), y(s.ny),
      dx(dx_), dy(dy_), dt(dt_) {
  for (int n = 0; n < s.nt; ++n) t[n] = t0 + n * dt_;
  for (int i = 0; i < s.nx; ++i) x[i] = i * dx_;
  for (int j = 0; j < s.ny; ++j) y[j] = j * dy_;
}

Field Field::window(int n0, int count) const {
  PDESYM_CHECK(n0 >= 0 && count >= 0 && n0 + count <= shape.nt,
               "time window [" << n0 << ", " << n0 + count << ") outside 0.." << shape.nt);
  Field w = *this;
  w.shape.nt = count;
  w.t.assign(t.begin() + n0, t.begin() + n0 + count);
  w.data.resize(w.shape.size());
  for (int c = 0; c < shape.nc; ++c)
    std::copy(snapshot(c, n0), snapshot(c, n0) + count * shape.points(), w.component(c));
  return w;
}

namespace {
// First index where a grid deviates from a + i h by more than 1e-4 h, or -1.
int nonuniform_at(const double* g, int n, double h) {
  for (int i = 1; i < n; ++i)
    if (!(std::abs(g[i] - g[0] - i * h) <= 1e-4 * h)) return i;
  return -1;
}
}  // namespace

std::vector<std::string> field_problems(const FieldShape& s, const std::vector<std::string>& components,
                                        const double* data, const double* t, const double* x, const double* y,
                                        double dx, double dy, double dt) {
  std::vector<std::string> p;
  auto add = [&p](const std::ostringstream& os) { p.push_back(os.str()); };
  std::ostringstream os;
  if (s.dim != 1 && s.dim != 2) {
    os << "space dimension " << s.dim << " (must be 1 or 2)";
    add(os);
    return p;
  }
  if (s.nc < 1 || s.nt < 1 || s.nx < 2 || (s.dim == 1 && s.ny != 1) || (s.dim == 2 && s.ny < 2)) {
    os << "bad shape " << s.nc << " components, nt " << s.nt << ", ny " << s.ny << ", nx " << s.nx;
    add(os);
    return p;
  }
  if (static_cast<int>(components.size()) != s.nc) {
    std::ostringstream o;
    o << components.size() << " component names for " << s.nc << " components";
    add(o);
  }
  if (!(std::isfinite(dx) && dx > 0)) {
    std::ostringstream o;
    o << "dx = " << dx << " (must be finite and > 0)";
    add(o);
  }
  if (s.dim == 2 && !(std::isfinite(dy) && dy > 0)) {
    std::ostringstream o;
    o << "dy = " << dy << " (must be finite and > 0)";
    add(o);
  }
  if (s.nt > 1 && !(std::isfinite(dt) && dt > 0)) {
    std::ostringstream o;
    o << "dt = " << dt << " (must be finite and > 0)";
    add(o);
  }
  if (!p.empty()) return p;
  if (int i = nonuniform_at(x, s.nx, dx); i >= 0) {
    std::ostringstream o;
    o << "x is not a uniform grid with step dx = " << dx << ": x[" << i << "] = " << x[i] << ", expected "
      << x[0] + i * dx;
    add(o);
  }
  if (s.dim == 2) {
    if (int j = nonuniform_at(y, s.ny, dy); j >= 0) {
      std::ostringstream o;
      o << "y is not a uniform grid with step dy = " << dy << ": y[" << j << "] = " << y[j] << ", expected "
        << y[0] + j * dy;
      add(o);
    }
  }
  for (int n = 0; n < s.nt; ++n)
    if (!std::isfinite(t[n])) {
      std::ostringstream o;
      o << "t[" << n << "] = " << t[n] << " is not finite";
      add(o);
      break;
    }
  if (s.nt > 1) {
    if (int n = nonuniform_at(t, s.nt, dt); n >= 0) {
      std::ostringstream o;
      o << "t is not uniform with step dt = " << dt << ": t[" << n << "] = " << t[n] << ", expected "
        << t[0] + n * dt;
      add(o);
    }
  }
  const std::size_t total = s.size();
  for (std::size_t k = 0; k < total; ++k)
    if (!std::isfinite(data[k])) {
      const std::size_t pts = s.points();
      const std::size_t c = k / s.component_size(), n = (k % s.component_size()) / pts, q = k % pts;
      std::ostringstream o;
      o << "non-finite value " << data[k] << " in component "
        << (c < components.size() ? components[c] : std::to_string(c)) << " at time level " << n << ", ";
      if (s.dim == 2)
        o << "point (y " << q / s.nx << ", x " << q % s.nx << ")";
      else
        o << "point " << q;
      add(o);
      break;
    }
  return p;
}

void validate(const Field& f, const std::string& where) {
  const FieldShape& s = f.shape;
  auto fail = [&where](const std::string& what) { throw InputError(where + ": " + what); };
  if (f.data.size() != s.size() || f.t.size() != static_cast<std::size_t>(std::max(s.nt, 0)) ||
      f.x.size() != static_cast<std::size_t>(std::max(s.nx, 0)) ||
      f.y.size() != static_cast<std::size_t>(std::max(s.ny, 0))) {
    std::ostringstream o;
    o << "array sizes (data " << f.data.size() << ", t " << f.t.size() << ", x " << f.x.size() << ", y "
      << f.y.size() << ") do not match the shape " << s.describe();
    fail(o.str());
  }
  const auto p = field_problems(s, f.components, f.data.data(), f.t.data(), f.x.data(), f.y.data(), f.dx, f.dy,
                                f.dt);
  if (!p.empty()) fail(p.front());
}

}  // namespace pdesym
