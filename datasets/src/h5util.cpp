#include "h5util.hpp"

#include <cmath>
#include <set>
#include <sstream>

namespace pdesym::datasets::h5 {

bool Handle::reset() {
  if (id_ < 0) return true;
  herr_t st = 0;
  switch (H5Iget_type(id_)) {
    case H5I_FILE: st = H5Fclose(id_); break;
    case H5I_GROUP: st = H5Gclose(id_); break;
    case H5I_DATASET: st = H5Dclose(id_); break;
    case H5I_DATASPACE: st = H5Sclose(id_); break;
    case H5I_DATATYPE: st = H5Tclose(id_); break;
    case H5I_ATTR: st = H5Aclose(id_); break;
    case H5I_GENPROP_LST: st = H5Pclose(id_); break;
    default: st = H5Idec_ref(id_) < 0 ? -1 : 0; break;
  }
  id_ = H5I_INVALID_HID;
  return st >= 0;
}

void silence_errors() { H5Eset_auto2(H5E_DEFAULT, nullptr, nullptr); }

namespace {
herr_t walk_cb(unsigned n, const H5E_error2_t* err, void* data) {
  auto* out = static_cast<std::string*>(data);
  // The walk goes from the API call inwards; keep the innermost description, it says what really failed.
  if (err && err->desc && err->desc[0]) *out = err->desc;
  return 0;
}
}  // namespace

std::string last_error() {
  std::string msg;
  H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, walk_cb, &msg);
  H5Eclear2(H5E_DEFAULT);
  return msg;
}

Handle check(hid_t id, const std::string& file, const std::string& what) {
  if (id < 0) {
    std::string detail = last_error();
    throw Error(file + ": " + what + (detail.empty() ? std::string() : " (HDF5: " + detail + ")"));
  }
  return Handle(id);
}

void check_status(herr_t st, const std::string& file, const std::string& what) {
  if (st < 0) {
    std::string detail = last_error();
    throw Error(file + ": " + what + (detail.empty() ? std::string() : " (HDF5: " + detail + ")"));
  }
}

Handle create_group(hid_t loc, const std::string& name, const std::string& file) {
  return check(H5Gcreate2(loc, name.c_str(), H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT), file,
               "cannot create group '" + name + "'");
}

Handle create_f64(hid_t loc, const std::string& name, const std::vector<hsize_t>& dims, const std::string& file) {
  Handle space = check(H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr), file,
                       "cannot create a dataspace for '" + name + "'");
  Handle dcpl = check(H5Pcreate(H5P_DATASET_CREATE), file, "H5Pcreate failed");
  check_status(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), file, "H5Pset_fill_time failed");
  return check(H5Dcreate2(loc, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, dcpl, H5P_DEFAULT), file,
               "cannot create dataset '" + name + "'");
}

void write_string_attr(hid_t obj, const std::string& name, const std::string& value, const std::string& file) {
  // Variable-length UTF-8, as h5py writes Python str attributes (and no 64 KiB object-header limit).
  Handle type = check(H5Tcopy(H5T_C_S1), file, "H5Tcopy failed");
  check_status(H5Tset_size(type, H5T_VARIABLE), file, "H5Tset_size failed");
  check_status(H5Tset_cset(type, H5T_CSET_UTF8), file, "H5Tset_cset failed");
  Handle space = check(H5Screate(H5S_SCALAR), file, "H5Screate failed");
  Handle attr = check(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), file,
                      "cannot create attribute '" + name + "'");
  const char* p = value.c_str();
  check_status(H5Awrite(attr, type, &p), file, "cannot write attribute '" + name + "'");
}

void write_double_attr(hid_t obj, const std::string& name, double value, const std::string& file) {
  Handle space = check(H5Screate(H5S_SCALAR), file, "H5Screate failed");
  Handle attr = check(H5Acreate2(obj, name.c_str(), H5T_IEEE_F64LE, space, H5P_DEFAULT, H5P_DEFAULT), file,
                      "cannot create attribute '" + name + "'");
  check_status(H5Awrite(attr, H5T_NATIVE_DOUBLE, &value), file, "cannot write attribute '" + name + "'");
}

void write_int64_attr(hid_t obj, const std::string& name, long long value, const std::string& file) {
  Handle space = check(H5Screate(H5S_SCALAR), file, "H5Screate failed");
  Handle attr = check(H5Acreate2(obj, name.c_str(), H5T_STD_I64LE, space, H5P_DEFAULT, H5P_DEFAULT), file,
                      "cannot create attribute '" + name + "'");
  check_status(H5Awrite(attr, H5T_NATIVE_LLONG, &value), file, "cannot write attribute '" + name + "'");
}

void write_string_array_attr(hid_t obj, const std::string& name, const std::vector<std::string>& values,
                             const std::string& file) {
  Handle type = check(H5Tcopy(H5T_C_S1), file, "H5Tcopy failed");
  check_status(H5Tset_size(type, H5T_VARIABLE), file, "H5Tset_size failed");
  check_status(H5Tset_cset(type, H5T_CSET_UTF8), file, "H5Tset_cset failed");
  const hsize_t n = values.size();
  Handle space = check(H5Screate_simple(1, &n, nullptr), file, "H5Screate_simple failed");
  Handle attr = check(H5Acreate2(obj, name.c_str(), type, space, H5P_DEFAULT, H5P_DEFAULT), file,
                      "cannot create attribute '" + name + "'");
  std::vector<const char*> p;
  for (const auto& v : values) p.push_back(v.c_str());
  if (!p.empty()) check_status(H5Awrite(attr, type, p.data()), file, "cannot write attribute '" + name + "'");
}

void write_attributes(hid_t file_id, const Attributes& a, const std::string& file) {
  write_string_attr(file_id, "equation", a.equation, file);
  write_string_attr(file_id, "equation_text", a.equation_text, file);
  for (const auto& [name, v] : a.coefficients) {
    // '.' is allowed: custom systems name their coefficients <component>.<term> (solvers/system_pde.hpp).
    PDESYM_REQUIRE(!name.empty() && name.find('/') == std::string::npos,
                   file << ": invalid coefficient name '" << name << "'");
    write_double_attr(file_id, "coef_" + name, v, file);
  }
  write_int64_attr(file_id, "seed", static_cast<long long>(a.seed), file);
  write_string_attr(file_id, "version", a.version, file);
  write_string_attr(file_id, "config", a.config, file);
  if (a.is_nd()) {
    write_string_attr(file_id, "layout", a.layout, file);
    write_int64_attr(file_id, "dim", a.dim, file);
    write_string_array_attr(file_id, "components", a.components, file);
  }
}

std::string component_name_problem(const std::string& name) {
  if (name.empty()) return "an empty component name";
  if (name.find('/') != std::string::npos || name == "." || name == "..")
    return "component name '" + name + "' is not a plain HDF5 link name";
  for (const char* c : {"x", "y", "t", "dx", "dy", "dt"})
    if (name == c) return "component name '" + name + "' clashes with the coordinate data set of that name";
  if (name.compare(0, 4, "pde_") == 0) return "component name '" + name + "' starts with pde_ (LPSDA's data set)";
  return "";
}

std::vector<hsize_t> component_dims(hsize_t n, const FieldShape& s) {
  if (s.dim == 2) return {n, static_cast<hsize_t>(s.nt), static_cast<hsize_t>(s.ny), static_cast<hsize_t>(s.nx)};
  return {n, static_cast<hsize_t>(s.nt), static_cast<hsize_t>(s.nx)};
}

void validate_split_for_write(const Split& s, const std::string& file) {
  PDESYM_REQUIRE(!s.name.empty() && s.name.find('/') == std::string::npos && s.name != "." && s.name != "..",
                 file << ": invalid split name '" << s.name << "' (must be a plain group name)");
  PDESYM_REQUIRE(s.n >= 0 && s.nt >= 1 && s.nx >= 1 && s.ny >= 1 && s.nc >= 1 && (s.dim == 1 || s.dim == 2) &&
                     (s.dim == 2 || s.ny == 1),
                 file << ": split '" << s.name << "' has invalid sizes n=" << s.n << ", dim=" << s.dim
                      << ", nc=" << s.nc << ", nt=" << s.nt << ", ny=" << s.ny << ", nx=" << s.nx);
  PDESYM_REQUIRE(static_cast<int>(s.components.size()) == s.nc,
                 file << ": split '" << s.name << "' has " << s.components.size() << " component names for "
                      << s.nc << " components");
  std::set<std::string> names;
  for (const auto& c : s.components) {
    const std::string p = component_name_problem(c);
    PDESYM_REQUIRE(p.empty(), file << ": split '" << s.name << "': " << p);
    PDESYM_REQUIRE(names.insert(c).second, file << ": split '" << s.name << "': component '" << c << "' given twice");
  }
  const std::size_t n = s.n, nt = s.nt, nx = s.nx, ny = s.ny;
  auto need = [&](const char* what, std::size_t have, std::size_t want) {
    PDESYM_REQUIRE(have == want, file << ": split '" << s.name << "': " << what << " holds " << have
                                      << " values, expected " << want << " (n=" << n << ", nt=" << nt
                                      << ", nx=" << nx << (s.dim == 2 ? ", ny=" + std::to_string(ny) : std::string())
                                      << (s.nc > 1 ? ", nc=" + std::to_string(s.nc) : std::string()) << ")");
  };
  need("u", s.u.size(), n * s.traj_size());
  need("x", s.x.size(), n * nx);
  need("t", s.t.size(), n * nt);
  need("dx", s.dx.size(), n);
  need("dt", s.dt.size(), n);
  if (s.dim == 2) {
    need("y", s.y.size(), n * ny);
    need("dy", s.dy.size(), n);
  }
  s.validate(file);
}

}  // namespace pdesym::datasets::h5
