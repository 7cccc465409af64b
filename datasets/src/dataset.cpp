#include "pdesym/datasets/dataset.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <sstream>

#include "h5util.hpp"
#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"

namespace pdesym::datasets {

using h5::check;
using h5::check_status;
using h5::Handle;

void Split::resize(int n_, int nt_, int nx_) { resize(n_, FieldShape{1, 1, nt_, 1, nx_}); }

void Split::resize(int n_, const FieldShape& s, const std::vector<std::string>& names) {
  PDESYM_CHECK(n_ >= 0 && s.nt >= 1 && s.nx >= 1 && s.ny >= 1 && s.nc >= 1 && (s.dim == 1 || s.dim == 2),
               "Split::resize: bad sizes n " << n_ << ", " << s.describe());
  n = n_;
  dim = s.dim;
  nc = s.nc;
  nt = s.nt;
  ny = s.ny;
  nx = s.nx;
  components = names.empty() ? default_component_names(s.nc) : names;
  PDESYM_CHECK(static_cast<int>(components.size()) == nc, "Split::resize: " << components.size() << " names for "
                                                                            << nc << " components");
  const std::size_t N = n_;
  u.assign(N * s.size(), 0.0);
  x.assign(N * s.nx, 0.0);
  y.assign(N * s.ny, 0.0);
  t.assign(N * s.nt, 0.0);
  dx.assign(N, 0.0);
  dy.assign(N, 0.0);
  dt.assign(N, 0.0);
}

Field Split::field(int i) const { return field_window(i, 0, nt); }

Field Split::field_window(int i, int n0, int count) const {
  PDESYM_CHECK(i >= 0 && i < n, "Split::field: trajectory " << i << " of " << n);
  PDESYM_CHECK(n0 >= 0 && count >= 0 && n0 + count <= nt, "Split::field: window " << n0 << "+" << count << " of " << nt);
  FieldShape s = shape();
  s.nt = count;
  Field f;
  f.shape = s;
  f.components = components;
  f.data.resize(s.size());
  const std::size_t pts = shape().points();
  for (int c = 0; c < nc; ++c) {
    const double* src = traj(i) + static_cast<std::size_t>(c) * shape().component_size() + n0 * pts;
    std::copy(src, src + count * pts, f.component(c));
  }
  f.t.assign(t.begin() + static_cast<std::size_t>(i) * nt + n0, t.begin() + static_cast<std::size_t>(i) * nt + n0 + count);
  f.x.assign(x.begin() + static_cast<std::size_t>(i) * nx, x.begin() + static_cast<std::size_t>(i + 1) * nx);
  if (y.size() >= static_cast<std::size_t>(i + 1) * ny)
    f.y.assign(y.begin() + static_cast<std::size_t>(i) * ny, y.begin() + static_cast<std::size_t>(i + 1) * ny);
  else
    f.y.assign(ny, 0.0);  // 1-D splits built by hand may leave y empty
  f.dx = dx[i];
  f.dy = dy.size() > static_cast<std::size_t>(i) ? dy[i] : 0.0;
  f.dt = dt[i];
  return f;
}

void Split::set_field(int i, const Field& f, const std::string& where) {
  PDESYM_CHECK(i >= 0 && i < n, "Split::set_field: trajectory " << i << " of " << n);
  PDESYM_REQUIRE(f.shape == shape(), where << ": shape " << f.shape.describe() << " differs from the split's "
                                           << shape().describe());
  PDESYM_REQUIRE(f.data.size() == traj_size() && f.t.size() == static_cast<std::size_t>(nt) &&
                     f.x.size() == static_cast<std::size_t>(nx) && f.y.size() == static_cast<std::size_t>(ny),
                 where << ": array sizes do not match the shape " << f.shape.describe());
  std::copy(f.data.begin(), f.data.end(), traj(i));
  std::copy(f.t.begin(), f.t.end(), t.begin() + static_cast<std::size_t>(i) * nt);
  std::copy(f.x.begin(), f.x.end(), x.begin() + static_cast<std::size_t>(i) * nx);
  std::copy(f.y.begin(), f.y.end(), y.begin() + static_cast<std::size_t>(i) * ny);
  dx[i] = f.dx;
  dy[i] = f.dy;
  dt[i] = f.dt;
}

void Split::validate(const std::string& where, int first_index) const {
  const FieldShape s = shape();
  PDESYM_REQUIRE(u.size() == static_cast<std::size_t>(n) * s.size() && x.size() == static_cast<std::size_t>(n) * nx &&
                     t.size() == static_cast<std::size_t>(n) * nt && dx.size() == static_cast<std::size_t>(n) &&
                     dt.size() == static_cast<std::size_t>(n),
                 where << ": split '" << name << "' has array sizes that do not match " << n << " trajectories of "
                       << s.describe());
  const bool has_y = y.size() == static_cast<std::size_t>(n) * ny && dy.size() == static_cast<std::size_t>(n);
  PDESYM_REQUIRE(has_y || dim == 1, where << ": split '" << name << "' has no y grid for 2-D data");
  const double zero = 0.0;
  for (int i = 0; i < n; ++i) {
    const auto p = field_problems(s, components, traj(i), t.data() + static_cast<std::size_t>(i) * nt,
                                  x.data() + static_cast<std::size_t>(i) * nx,
                                  has_y ? y.data() + static_cast<std::size_t>(i) * ny : &zero, dx[i],
                                  has_y ? dy[i] : 0.0, dt[i]);
    PDESYM_REQUIRE(p.empty(), where << ": " << name << "/" << first_index + i << ": " << p.front());
  }
}

namespace {

/// Number of rows of [first, first + count) (count < 0: to the end) of a split with n trajectories; InputError
/// naming the file and split if the range does not fit.
hsize_t rows_to_read(const std::string& file, const std::string& group, hsize_t n, int first, int count) {
  PDESYM_REQUIRE(first >= 0 && static_cast<hsize_t>(first) <= n,
                 file << ": split '" << group << "' has " << n << " trajectories, first index " << first
                      << " is out of range");
  const hsize_t rows = count < 0 ? n - first : static_cast<hsize_t>(count);
  PDESYM_REQUIRE(first + rows <= n, file << ": split '" << group << "' has " << n << " trajectories, cannot read "
                                         << rows << " starting at index " << first);
  return rows;
}

Handle open_readonly(const std::string& file) {
  h5::silence_errors();
  PDESYM_REQUIRE(!file.empty(), "dataset file name is empty");
  PDESYM_REQUIRE(file_exists(file), file << ": file does not exist");
  const htri_t is = H5Fis_hdf5(file.c_str());
  if (is <= 0) {
    h5::last_error();
    throw InputError(file + ": not an HDF5 file");
  }
  hid_t id = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  if (id < 0) throw InputError(file + ": cannot open the HDF5 file (HDF5: " + h5::last_error() + ")");
  return Handle(id);
}

std::vector<std::string> member_names(hid_t group, const std::string& file, const std::string& path) {
  H5G_info_t info{};
  check_status(H5Gget_info(group, &info), file, "cannot list group '" + path + "'");
  std::vector<std::string> names;
  for (hsize_t i = 0; i < info.nlinks; ++i) {
    ssize_t len = H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, nullptr, 0, H5P_DEFAULT);
    check_status(len < 0 ? -1 : 0, file, "cannot list group '" + path + "'");
    std::vector<char> buf(static_cast<std::size_t>(len) + 1, '\0');
    check_status(H5Lget_name_by_idx(group, ".", H5_INDEX_NAME, H5_ITER_INC, i, buf.data(), buf.size(), H5P_DEFAULT) < 0
                     ? -1
                     : 0,
                 file, "cannot list group '" + path + "'");
    names.emplace_back(buf.data());
  }
  return names;
}

/// H5I type of the object a link in `loc` points to (H5I_BADID if it cannot be opened, e.g. a dangling link).
H5I_type_t object_type(hid_t loc, const std::string& name) {
  hid_t id = H5Oopen(loc, name.c_str(), H5P_DEFAULT);
  if (id < 0) {
    h5::last_error();
    return H5I_BADID;
  }
  H5I_type_t t = H5Iget_type(id);
  H5Oclose(id);
  return t;
}

bool starts_with(const std::string& s, const std::string& p) { return s.compare(0, p.size(), p) == 0; }

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string shape_str(const std::vector<hsize_t>& d) {
  std::ostringstream os;
  os << "[";
  for (std::size_t i = 0; i < d.size(); ++i) os << (i ? "," : "") << d[i];
  os << "]";
  return os.str();
}

std::string type_str(hid_t type) {
  const std::size_t bits = H5Tget_size(type) * 8;
  switch (H5Tget_class(type)) {
    case H5T_INTEGER: return (H5Tget_sign(type) == H5T_SGN_NONE ? "uint" : "int") + std::to_string(bits);
    case H5T_FLOAT: return "float" + std::to_string(bits);
    case H5T_STRING: return "string";
    case H5T_COMPOUND: return "compound";
    default: return "a non-numeric type";
  }
}

/// Groups under the root that hold at least one pde_* link; train, valid, test first, then the rest by name.
std::vector<std::string> split_groups(hid_t f, const std::string& file, const std::string& nd_first = "") {
  std::vector<std::string> found;
  for (const auto& name : member_names(f, file, "/")) {
    if (object_type(f, name) != H5I_GROUP) continue;
    Handle g = check(H5Gopen2(f, name.c_str(), H5P_DEFAULT), file, "cannot open group '" + name + "'");
    const auto members = member_names(g, file, "/" + name);
    if (std::any_of(members.begin(), members.end(), [&](const std::string& m) {
          return nd_first.empty() ? starts_with(m, "pde_") : m == nd_first;
        }))
      found.push_back(name);
  }
  std::vector<std::string> ordered;
  for (const char* std_name : {"train", "valid", "test"})
    if (std::find(found.begin(), found.end(), std_name) != found.end()) ordered.emplace_back(std_name);
  for (const auto& n : found)
    if (std::find(ordered.begin(), ordered.end(), n) == ordered.end()) ordered.push_back(n);
  return ordered;
}

/// Parses "pde_{nt}-{nx}"; returns false if the name has another form.
bool parse_pde_name(const std::string& name, long& nt, long& nx) {
  if (!starts_with(name, "pde_")) return false;
  const std::string rest = name.substr(4);
  const auto dash = rest.find('-');
  if (dash == std::string::npos || dash == 0 || dash + 1 >= rest.size()) return false;
  const std::string a = rest.substr(0, dash), b = rest.substr(dash + 1);
  auto digits = [](const std::string& s) {
    return !s.empty() && s.size() <= 9 && std::all_of(s.begin(), s.end(), [](char c) { return std::isdigit(c); });
  };
  if (!digits(a) || !digits(b)) return false;
  nt = std::stol(a);
  nx = std::stol(b);
  return nt >= 1 && nx >= 1;
}

/// Opens /group/name, checks it is a float64 dataset of the expected shape, and reads it into `out`.
/// Only rows [first, first + count) along the first dimension are read.
void read_f64(hid_t g, const std::string& file, const std::string& group, const std::string& name,
              const std::vector<hsize_t>& expected, hsize_t first, hsize_t count_rows, std::vector<double>& out) {
  const std::string path = "/" + group + "/" + name;
  const htri_t exists = H5Lexists(g, name.c_str(), H5P_DEFAULT);
  if (exists <= 0) {
    h5::last_error();
    throw InputError(file + ": group '" + group + "' has no dataset '" + name + "'");
  }
  PDESYM_REQUIRE(object_type(g, name) == H5I_DATASET, file << ": " << path << " is not a dataset");
  Handle ds = check(H5Dopen2(g, name.c_str(), H5P_DEFAULT), file, "cannot open " + path);
  Handle type = check(H5Dget_type(ds), file, "cannot read the type of " + path);
  PDESYM_REQUIRE(H5Tget_class(type) == H5T_FLOAT && H5Tget_size(type) == 8,
                 file << ": " << path << " has type " << type_str(type) << ", expected float64");
  Handle space = check(H5Dget_space(ds), file, "cannot read the shape of " + path);
  const int rank = H5Sget_simple_extent_ndims(space);
  check_status(rank < 0 ? -1 : 0, file, "cannot read the shape of " + path);
  std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
  if (rank > 0) check_status(H5Sget_simple_extent_dims(space, dims.data(), nullptr), file, "cannot read " + path);
  PDESYM_REQUIRE(dims == expected,
                 file << ": " << path << " has shape " << shape_str(dims) << ", expected " << shape_str(expected));
  PDESYM_CHECK(first + count_rows <= dims[0], "row range out of bounds for " << path);
  std::vector<hsize_t> start(dims.size(), 0), count = dims;
  start[0] = first;
  count[0] = count_rows;
  std::size_t total = 1;
  for (hsize_t d : count) total *= static_cast<std::size_t>(d);
  out.assign(total, 0.0);
  if (total == 0) return;
  if (count_rows == dims[0]) {
    check_status(H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data()), file,
                 "cannot read " + path);
    return;
  }
  check_status(H5Sselect_hyperslab(space, H5S_SELECT_SET, start.data(), nullptr, count.data(), nullptr), file,
               "cannot select rows of " + path);
  Handle mem = check(H5Screate_simple(static_cast<int>(count.size()), count.data(), nullptr), file,
                     "cannot create a memory dataspace for " + path);
  check_status(H5Dread(ds, H5T_NATIVE_DOUBLE, mem, space, H5P_DEFAULT, out.data()), file, "cannot read " + path);
}

std::string read_string_attr(hid_t attr, const std::string& file, const std::string& name) {
  Handle type = check(H5Aget_type(attr), file, "cannot read the type of attribute '" + name + "'");
  PDESYM_REQUIRE(H5Tget_class(type) == H5T_STRING,
                 file << ": attribute '" << name << "' has type " << type_str(type) << ", expected a string");
  Handle space = check(H5Aget_space(attr), file, "cannot read attribute '" + name + "'");
  PDESYM_REQUIRE(H5Sget_simple_extent_npoints(space) == 1,
                 file << ": attribute '" << name << "' holds " << H5Sget_simple_extent_npoints(space)
                      << " values, expected one string");
  if (H5Tis_variable_str(type) > 0) {
    Handle mem = check(H5Tcopy(H5T_C_S1), file, "H5Tcopy failed");
    check_status(H5Tset_size(mem, H5T_VARIABLE), file, "H5Tset_size failed");
    check_status(H5Tset_cset(mem, H5Tget_cset(type)), file, "H5Tset_cset failed");
    char* p = nullptr;
    check_status(H5Aread(attr, mem, &p), file, "cannot read attribute '" + name + "'");
    std::string s = p ? p : "";
    if (p) H5free_memory(p);
    return s;
  }
  const std::size_t size = H5Tget_size(type);
  std::vector<char> buf(size + 1, '\0');
  check_status(H5Aread(attr, type, buf.data()), file, "cannot read attribute '" + name + "'");
  std::string s(buf.data(), std::find(buf.begin(), buf.begin() + size, '\0') - buf.begin());
  if (H5Tget_strpad(type) == H5T_STR_SPACEPAD)
    while (!s.empty() && s.back() == ' ') s.pop_back();
  return s;
}

template <class T>
T read_numeric_attr(hid_t attr, hid_t mem_type, bool allow_float, const std::string& file, const std::string& name) {
  Handle type = check(H5Aget_type(attr), file, "cannot read the type of attribute '" + name + "'");
  const H5T_class_t cls = H5Tget_class(type);
  PDESYM_REQUIRE(cls == H5T_INTEGER || (allow_float && cls == H5T_FLOAT),
                 file << ": attribute '" << name << "' has type " << type_str(type) << ", expected "
                      << (allow_float ? "a number" : "an integer"));
  Handle space = check(H5Aget_space(attr), file, "cannot read attribute '" + name + "'");
  PDESYM_REQUIRE(H5Sget_simple_extent_npoints(space) == 1,
                 file << ": attribute '" << name << "' holds " << H5Sget_simple_extent_npoints(space)
                      << " values, expected one");
  T v{};
  check_status(H5Aread(attr, mem_type, &v), file, "cannot read attribute '" + name + "'");
  return v;
}

herr_t collect_attr_name(hid_t, const char* name, const H5A_info_t*, void* data) {
  static_cast<std::vector<std::string>*>(data)->emplace_back(name);
  return 0;
}

bool has_attr(hid_t obj, const std::string& name) {
  const htri_t e = H5Aexists(obj, name.c_str());
  if (e < 0) h5::last_error();
  return e > 0;
}

/// A string attribute holding one string or a 1-D array of them (variable or fixed length).
std::vector<std::string> read_string_list_attr(hid_t attr, const std::string& file, const std::string& name) {
  Handle type = check(H5Aget_type(attr), file, "cannot read the type of attribute '" + name + "'");
  PDESYM_REQUIRE(H5Tget_class(type) == H5T_STRING,
                 file << ": attribute '" << name << "' has type " << type_str(type) << ", expected strings");
  Handle space = check(H5Aget_space(attr), file, "cannot read attribute '" + name + "'");
  const hssize_t count = H5Sget_simple_extent_npoints(space);
  PDESYM_REQUIRE(count >= 1 && count <= 1000 && H5Sget_simple_extent_ndims(space) <= 1,
                 file << ": attribute '" << name << "' must be one string or a 1-D array of 1..1000 strings");
  std::vector<std::string> out;
  if (H5Tis_variable_str(type) > 0) {
    Handle mem = check(H5Tcopy(H5T_C_S1), file, "H5Tcopy failed");
    check_status(H5Tset_size(mem, H5T_VARIABLE), file, "H5Tset_size failed");
    check_status(H5Tset_cset(mem, H5Tget_cset(type)), file, "H5Tset_cset failed");
    std::vector<char*> p(static_cast<std::size_t>(count), nullptr);
    check_status(H5Aread(attr, mem, p.data()), file, "cannot read attribute '" + name + "'");
    for (char* c : p) {
      out.emplace_back(c ? c : "");
      if (c) H5free_memory(c);
    }
    return out;
  }
  const std::size_t size = H5Tget_size(type);
  std::vector<char> buf(size * static_cast<std::size_t>(count) + 1, '\0');
  check_status(H5Aread(attr, type, buf.data()), file, "cannot read attribute '" + name + "'");
  for (hssize_t k = 0; k < count; ++k) {
    const char* b = buf.data() + static_cast<std::size_t>(k) * size;
    std::string v(b, std::find(b, b + size, '\0') - b);
    if (H5Tget_strpad(type) == H5T_STR_SPACEPAD)
      while (!v.empty() && v.back() == ' ') v.pop_back();
    out.push_back(v);
  }
  return out;
}

/// The file's layout from its root attributes (no `layout`: LPSDA, 1-D, component u), checked.
struct FileLayout {
  bool nd = false;
  int dim = 1;
  std::vector<std::string> components{"u"};
};

FileLayout read_layout(hid_t f, const std::string& file) {
  FileLayout L;
  if (!has_attr(f, "layout")) return L;
  {
    Handle a = check(H5Aopen(f, "layout", H5P_DEFAULT), file, "cannot open attribute 'layout'");
    const std::string v = read_string_attr(a, file, "layout");
    PDESYM_REQUIRE(v == kNdLayout, file << ": unknown layout '" << v << "' (root attribute 'layout'; expected '"
                                        << kNdLayout << "', or no attribute for LPSDA files)");
  }
  L.nd = true;
  PDESYM_REQUIRE(has_attr(f, "dim"), file << ": n-D file (layout '" << kNdLayout << "') without the root attribute 'dim'");
  PDESYM_REQUIRE(has_attr(f, "components"),
                 file << ": n-D file (layout '" << kNdLayout << "') without the root attribute 'components'");
  {
    Handle a = check(H5Aopen(f, "dim", H5P_DEFAULT), file, "cannot open attribute 'dim'");
    const long long d = read_numeric_attr<long long>(a, H5T_NATIVE_LLONG, false, file, "dim");
    PDESYM_REQUIRE(d == 1 || d == 2, file << ": root attribute 'dim' is " << d << ", expected 1 or 2");
    L.dim = static_cast<int>(d);
  }
  {
    Handle a = check(H5Aopen(f, "components", H5P_DEFAULT), file, "cannot open attribute 'components'");
    L.components = read_string_list_attr(a, file, "components");
  }
  std::set<std::string> seen;
  for (const auto& c : L.components) {
    const std::string p = h5::component_name_problem(c);
    PDESYM_REQUIRE(p.empty(), file << ": root attribute 'components': " << p);
    PDESYM_REQUIRE(seen.insert(c).second, file << ": root attribute 'components' names '" << c << "' twice");
  }
  return L;
}

}  // namespace

namespace {

/// Reads an n-D split (layout already read from the root attributes); the group is open.
Split read_nd_split(hid_t g, const std::string& file, const std::string& group, const FileLayout& L, int first,
                    int count) {
  const int nc = static_cast<int>(L.components.size());
  const int rank_expected = L.dim + 2;
  const char* form = L.dim == 2 ? "[n, nt, ny, nx]" : "[n, nt, nx]";
  std::vector<hsize_t> dims0;
  for (int c = 0; c < nc; ++c) {
    const std::string& name = L.components[c];
    const std::string path = "/" + group + "/" + name;
    const htri_t exists = H5Lexists(g, name.c_str(), H5P_DEFAULT);
    if (exists <= 0) {
      h5::last_error();
      throw InputError(file + ": group '" + group + "' has no dataset '" + name + "' (component " +
                       std::to_string(c + 1) + " of " + std::to_string(nc) + " named by the root attribute "
                       "'components')");
    }
    PDESYM_REQUIRE(object_type(g, name) == H5I_DATASET, file << ": " << path << " is not a dataset");
    Handle ds = check(H5Dopen2(g, name.c_str(), H5P_DEFAULT), file, "cannot open " + path);
    Handle space = check(H5Dget_space(ds), file, "cannot read the shape of " + path);
    const int rank = H5Sget_simple_extent_ndims(space);
    PDESYM_REQUIRE(rank == rank_expected, file << ": " << path << " has rank " << rank << ", expected "
                                                << rank_expected << " (" << form << " for " << L.dim << "-D data)");
    std::vector<hsize_t> dims(static_cast<std::size_t>(rank));
    check_status(H5Sget_simple_extent_dims(space, dims.data(), nullptr), file, "cannot read " + path);
    if (c == 0) {
      dims0 = dims;
      for (int k = 1; k < rank; ++k)
        PDESYM_REQUIRE(dims[k] >= 1 && dims[k] <= 100000000ULL,
                       file << ": " << path << " has shape " << shape_str(dims) << ", an empty or implausible "
                            << "dimension");
      PDESYM_REQUIRE(dims[0] <= 100000000ULL,
                     file << ": " << path << " has an implausible number of trajectories " << dims[0]);
    } else {
      PDESYM_REQUIRE(dims == dims0, file << ": " << path << " has shape " << shape_str(dims) << ", but /" << group
                                         << "/" << L.components[0] << " has " << shape_str(dims0)
                                         << " (all components must have one shape)");
    }
  }
  const hsize_t n = dims0[0];
  const hsize_t rows = rows_to_read(file, group, n, first, count);
  FieldShape shape;
  shape.dim = L.dim;
  shape.nc = nc;
  shape.nt = static_cast<int>(dims0[1]);
  shape.ny = L.dim == 2 ? static_cast<int>(dims0[2]) : 1;
  shape.nx = static_cast<int>(dims0.back());
  Split s;
  s.resize(static_cast<int>(rows), shape, L.components);
  s.name = group;
  const hsize_t f0 = static_cast<hsize_t>(first), hnt = shape.nt, hnx = shape.nx, hny = shape.ny;
  // Small arrays first, so layout errors are found before the big reads.
  read_f64(g, file, group, "x", {n, hnx}, f0, rows, s.x);
  if (L.dim == 2) read_f64(g, file, group, "y", {n, hny}, f0, rows, s.y);
  read_f64(g, file, group, "t", {n, hnt}, f0, rows, s.t);
  read_f64(g, file, group, "dx", {n}, f0, rows, s.dx);
  if (L.dim == 2) read_f64(g, file, group, "dy", {n}, f0, rows, s.dy);
  read_f64(g, file, group, "dt", {n}, f0, rows, s.dt);
  std::vector<double> buf;
  const std::size_t per = shape.component_size();
  for (int c = 0; c < nc; ++c) {
    read_f64(g, file, group, L.components[c], dims0, f0, rows, buf);
    for (hsize_t i = 0; i < rows; ++i)
      std::copy(buf.begin() + static_cast<std::ptrdiff_t>(i * per), buf.begin() + static_cast<std::ptrdiff_t>((i + 1) * per),
                s.traj(static_cast<int>(i)) + static_cast<std::size_t>(c) * per);
  }
  return s;
}

}  // namespace

std::vector<std::string> list_splits(const std::string& file) {
  Handle f = open_readonly(file);
  const FileLayout L = read_layout(f, file);
  return split_groups(f, file, L.nd ? L.components.front() : "");
}

Split read_split(const std::string& file, const std::string& group) { return read_split(file, group, 0, -1); }

Split read_split(const std::string& file, const std::string& group, int first, int count) {
  Handle f = open_readonly(file);
  PDESYM_REQUIRE(!group.empty() && group.find('/') == std::string::npos,
                 file << ": invalid split name '" << group << "' (expected a group name such as train)");
  const htri_t exists = H5Lexists(f, group.c_str(), H5P_DEFAULT);
  const FileLayout layout = read_layout(f, file);
  if (exists <= 0) {
    h5::last_error();
    const auto splits = split_groups(f, file, layout.nd ? layout.components.front() : "");
    throw InputError(file + ": no group '" + group + "' (splits in the file: " +
                     (splits.empty() ? std::string("none") : join(splits)) + ")");
  }
  PDESYM_REQUIRE(object_type(f, group) == H5I_GROUP, file << ": '/" << group << "' is not a group");
  Handle g = check(H5Gopen2(f, group.c_str(), H5P_DEFAULT), file, "cannot open group '" + group + "'");
  if (layout.nd) {
    Split nd = read_nd_split(g, file, group, layout, first, count);
    nd.validate(file, first);
    return nd;
  }

  std::vector<std::string> pde;
  for (const auto& m : member_names(g, file, "/" + group))
    if (starts_with(m, "pde_")) pde.push_back(m);
  PDESYM_REQUIRE(!pde.empty(), file << ": group '" << group << "' has no dataset pde_*");
  PDESYM_REQUIRE(pde.size() == 1, file << ": group '" << group << "' has " << pde.size() << " datasets pde_* ("
                                       << join(pde) << "), expected exactly one");
  const std::string& pname = pde.front();
  const std::string ppath = "/" + group + "/" + pname;
  long nt = 0, nx = 0;
  PDESYM_REQUIRE(parse_pde_name(pname, nt, nx),
                 file << ": " << ppath << ": name is not of the form pde_{nt}-{nx} (e.g. pde_140-256)");
  PDESYM_REQUIRE(object_type(g, pname) == H5I_DATASET, file << ": " << ppath << " is not a dataset");

  // The pde_ data set fixes n; check its rank and that its shape agrees with its name before reading.
  hsize_t n = 0;
  {
    Handle ds = check(H5Dopen2(g, pname.c_str(), H5P_DEFAULT), file, "cannot open " + ppath);
    Handle space = check(H5Dget_space(ds), file, "cannot read the shape of " + ppath);
    const int rank = H5Sget_simple_extent_ndims(space);
    PDESYM_REQUIRE(rank == 3, file << ": " << ppath << " has rank " << rank << ", expected 3 ([n, nt, nx])");
    std::vector<hsize_t> dims(3);
    check_status(H5Sget_simple_extent_dims(space, dims.data(), nullptr), file, "cannot read " + ppath);
    PDESYM_REQUIRE(dims[1] == static_cast<hsize_t>(nt) && dims[2] == static_cast<hsize_t>(nx),
                   file << ": " << ppath << " has shape " << shape_str(dims) << ", but its name says nt=" << nt
                        << ", nx=" << nx);
    n = dims[0];
  }
  PDESYM_REQUIRE(n <= 100000000ULL, file << ": " << ppath << " has an implausible number of trajectories " << n);

  const hsize_t rows = rows_to_read(file, group, n, first, count);

  Split s;
  s.name = group;
  s.n = static_cast<int>(rows);
  s.nt = static_cast<int>(nt);
  s.nx = static_cast<int>(nx);
  const hsize_t hnt = nt, hnx = nx;
  // Small arrays first, so layout errors are found before the big read.
  const hsize_t f0 = static_cast<hsize_t>(first);
  read_f64(g, file, group, "x", {n, hnx}, f0, rows, s.x);
  read_f64(g, file, group, "t", {n, hnt}, f0, rows, s.t);
  read_f64(g, file, group, "dx", {n}, f0, rows, s.dx);
  read_f64(g, file, group, "dt", {n}, f0, rows, s.dt);
  read_f64(g, file, group, pname, {n, hnt, hnx}, f0, rows, s.u);
  s.y.assign(rows, 0.0);
  s.dy.assign(rows, 0.0);
  s.validate(file, first);
  return s;
}

Attributes read_attributes(const std::string& file) {
  Handle f = open_readonly(file);
  std::vector<std::string> names;
  hsize_t idx = 0;
  check_status(H5Aiterate2(f, H5_INDEX_NAME, H5_ITER_INC, &idx, collect_attr_name, &names), file,
               "cannot list the root attributes");
  Attributes a;
  for (const auto& name : names) {
    const bool is_coef = starts_with(name, "coef_") && name.size() > 5;
    if (!(name == "equation" || name == "equation_text" || name == "version" || name == "config" ||
          name == "seed" || is_coef))
      continue;  // attributes written by other tools are ignored
    Handle attr = check(H5Aopen(f, name.c_str(), H5P_DEFAULT), file, "cannot open attribute '" + name + "'");
    if (name == "equation") a.equation = read_string_attr(attr, file, name);
    else if (name == "equation_text") a.equation_text = read_string_attr(attr, file, name);
    else if (name == "version") a.version = read_string_attr(attr, file, name);
    else if (name == "config") a.config = read_string_attr(attr, file, name);
    else if (name == "seed") a.seed = read_numeric_attr<long long>(attr, H5T_NATIVE_LLONG, false, file, name);
    else a.coefficients[name.substr(5)] = read_numeric_attr<double>(attr, H5T_NATIVE_DOUBLE, true, file, name);
  }
  const FileLayout L = read_layout(f, file);
  if (L.nd) a.layout = kNdLayout;
  a.dim = L.dim;
  a.components = L.components;
  return a;
}

void write_dataset(const std::string& file, const std::vector<Split>& splits, const Attributes& attrs) {
  h5::silence_errors();
  std::set<std::string> seen;
  for (const auto& s : splits) {
    h5::validate_split_for_write(s, file);
    PDESYM_REQUIRE(seen.insert(s.name).second, file << ": split '" << s.name << "' given twice");
    PDESYM_REQUIRE(s.dim == splits.front().dim && s.components == splits.front().components,
                   file << ": split '" << s.name << "' holds " << s.shape().describe() << " data, split '"
                        << splits.front().name << "' " << splits.front().shape().describe()
                        << " (one file holds one dimension and one list of components)");
  }
  Attributes a = attrs;
  a.dim = splits.empty() ? 1 : splits.front().dim;
  a.components = splits.empty() ? std::vector<std::string>{"u"} : splits.front().components;
  a.layout = is_lpsda_shape(a.dim, a.components) ? "" : kNdLayout;
  AtomicFile out(file);
  {
    Handle fapl = check(H5Pcreate(H5P_FILE_ACCESS), file, "H5Pcreate failed");
    check_status(H5Pset_fclose_degree(fapl, H5F_CLOSE_STRONG), file, "H5Pset_fclose_degree failed");
    Handle f = check(H5Fcreate(out.temp_path().c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, fapl), file,
                     "cannot create '" + out.temp_path() + "'");
    for (const auto& s : splits) {
      Handle g = h5::create_group(f, s.name, file);
      const hsize_t n = s.n, nt = s.nt, nx = s.nx, ny = s.ny;
      auto put = [&](const std::string& name, const std::vector<hsize_t>& dims, const std::vector<double>& v) {
        Handle ds = h5::create_f64(g, name, dims, file);
        if (!v.empty())
          check_status(H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data()), file,
                       "cannot write /" + s.name + "/" + name);
      };
      if (!a.is_nd()) {
        put(s.pde_name(), {n, nt, nx}, s.u);
      } else {
        // Component c of every trajectory, gathered from [n][nc][nt][ny][nx] into [n][nt][ny][nx].
        const std::size_t per = s.shape().component_size();
        std::vector<double> buf(static_cast<std::size_t>(s.n) * per);
        for (int c = 0; c < s.nc; ++c) {
          for (int i = 0; i < s.n; ++i)
            std::copy(s.traj(i) + c * per, s.traj(i) + (c + 1) * per, buf.begin() + static_cast<std::ptrdiff_t>(i * per));
          put(s.components[c], h5::component_dims(n, s.shape()), buf);
        }
      }
      put("x", {n, nx}, s.x);
      if (s.dim == 2) put("y", {n, ny}, s.y);
      put("t", {n, nt}, s.t);
      put("dx", {n}, s.dx);
      if (s.dim == 2) put("dy", {n}, s.dy);
      put("dt", {n}, s.dt);
    }
    h5::write_attributes(f, a, file);
    if (!f.reset()) throw Error(file + ": closing '" + out.temp_path() + "' failed (HDF5: " + h5::last_error() + ")");
  }
  out.commit();
}

std::string Attributes::describe_layout() const {
  std::string out = std::to_string(dim) + "-D, " + std::to_string(components.size()) +
                    (components.size() == 1 ? " component (" : " components (");
  out += join(components) + ")";
  return out;
}

bool is_lpsda_shape(int dim, const std::vector<std::string>& components) {
  return dim == 1 && components.size() == 1 && components.front() == "u";
}

}  // namespace pdesym::datasets
