// LPSDA HDF5 layout: exact write/read round trips, partial reads, attribute handling, atomic writes, and one
// clear InputError for each way a file can be malformed.
#include <hdf5.h>

#include <cmath>

#include "pdesym/common/atomic_file.hpp"
#include "pdesym/datasets/dataset.hpp"
#include "same_data.hpp"
#include "test_util.hpp"

using namespace pdesym;
using namespace pdesym::datasets;
using pdesym_test::expect_input_error;
using pdesym_test::ScratchDir;

namespace {

Split make_test_split(const std::string& name, int n, int nt, int nx, double offset) {
  Split s;
  s.name = name;
  s.resize(n, nt, nx);
  for (int i = 0; i < n; ++i) {
    const double L = 10.0 + i + offset, T = 5.0 + 0.5 * i;
    s.dx[i] = L / nx;
    s.dt[i] = T / (nt - 1);
    for (int j = 0; j < nx; ++j) s.x[static_cast<std::size_t>(i) * nx + j] = j * s.dx[i];
    for (int k = 0; k < nt; ++k) s.t[static_cast<std::size_t>(i) * nt + k] = k * s.dt[i];
    for (int k = 0; k < nt; ++k)
      for (int j = 0; j < nx; ++j) s.traj(i)[k * nx + j] = std::sin(0.1 * j + 0.37 * k + i) * (1 + offset) + 1e-13 * j;
  }
  return s;
}

Attributes make_test_attrs() {
  Attributes a;
  a.equation = "kdv";
  a.equation_text = "u_t + 1*u*u_x + 1*u_xxx = 0";
  a.coefficients = {{"alpha", 1.0}, {"beta", 0.25}};
  a.seed = 1234567890123LL;
  a.version = "9.8.7";
  a.config = "equation: kdv\ndomain: {L: 128}\n# unicode \xce\xb1\n";
  return a;
}

// ---- raw HDF5 writers for malformed files ----------------------------------------------------------------

/// All values 1.0, or with `ramp` 0, 1, 2, ... along the last dimension (a uniform grid of step 1).
void raw_dataset(hid_t loc, const std::string& name, std::vector<hsize_t> dims, hid_t file_type = H5T_IEEE_F64LE,
                 bool ramp = false) {
  hid_t sp = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t ds = H5Dcreate2(loc, name.c_str(), file_type, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  std::size_t n = 1;
  for (auto d : dims) n *= d;
  std::vector<double> v(n, 1.0);
  if (ramp && !dims.empty() && dims.back() > 0)
    for (std::size_t k = 0; k < n; ++k) v[k] = static_cast<double>(k % dims.back());
  if (n) H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, v.data());
  H5Dclose(ds);
  H5Sclose(sp);
}

/// A complete, valid split "train" with n=4, nt=5, nx=8, except for what `skip`/`override` change.
struct Layout {
  hsize_t n = 4, nt = 5, nx = 8;
  std::string pde_name = "pde_5-8";
  std::vector<hsize_t> pde_dims{4, 5, 8}, x{4, 8}, t{4, 5}, dx{4}, dt{4};
  hid_t pde_type = H5T_IEEE_F64LE, x_type = H5T_IEEE_F64LE, t_type = H5T_IEEE_F64LE;
  bool with_dt = true;
  std::vector<std::string> extra_pde;  ///< more pde_* datasets
};

void write_layout(const std::string& path, const Layout& L) {
  hid_t f = H5Fcreate(path.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  hid_t g = H5Gcreate2(f, "train", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  raw_dataset(g, L.pde_name, L.pde_dims, L.pde_type);
  for (const auto& e : L.extra_pde) raw_dataset(g, e, L.pde_dims);
  raw_dataset(g, "x", L.x, L.x_type, true);  // x_j = j, t_k = k: uniform with dx = dt = 1 (reads validate)
  raw_dataset(g, "t", L.t, L.t_type, true);
  raw_dataset(g, "dx", L.dx);
  if (L.with_dt) raw_dataset(g, "dt", L.dt);
  H5Gclose(g);
  H5Fclose(f);
}

}  // namespace

TEST(DatasetIo, WriteReadRoundTripIsExact) {
  ScratchDir dir;
  const std::string file = dir / "data.h5";
  const Split train = make_test_split("train", 3, 6, 16, 0.0), valid = make_test_split("valid", 2, 6, 16, 0.5);
  const Attributes attrs = make_test_attrs();
  write_dataset(file, {train, valid}, attrs);
  EXPECT_TRUE(pdesym_test::exists(file));
  EXPECT_FALSE(pdesym_test::exists(AtomicFile::temp_name_for(file)));

  EXPECT_EQ(list_splits(file), (std::vector<std::string>{"train", "valid"}));
  pdesym_test::expect_same_split(read_split(file, "train"), train);
  pdesym_test::expect_same_split(read_split(file, "valid"), valid);
  EXPECT_EQ(read_split(file, "train").pde_name(), "pde_6-16");

  pdesym_test::expect_same_attributes(read_attributes(file), attrs);
}

TEST(DatasetIo, PartialReadReturnsTheRequestedRows) {
  ScratchDir dir;
  const std::string file = dir / "data.h5";
  const Split train = make_test_split("train", 5, 4, 8, 0.0);
  write_dataset(file, {train}, make_test_attrs());
  const Split part = read_split(file, "train", 2, 2);
  ASSERT_EQ(part.n, 2);
  for (int i = 0; i < 2; ++i) {
    for (int k = 0; k < 4 * 8; ++k) EXPECT_EQ(part.traj(i)[k], train.traj(i + 2)[k]);
    for (int j = 0; j < 8; ++j) EXPECT_EQ(part.x[i * 8 + j], train.x[(i + 2) * 8 + j]);
    for (int k = 0; k < 4; ++k) EXPECT_EQ(part.t[i * 4 + k], train.t[(i + 2) * 4 + k]);
    EXPECT_EQ(part.dx[i], train.dx[i + 2]);
    EXPECT_EQ(part.dt[i], train.dt[i + 2]);
  }
  EXPECT_EQ(read_split(file, "train", 3, -1).n, 2);
  EXPECT_EQ(read_split(file, "train", 5, 0).n, 0);
  expect_input_error([&] { read_split(file, "train", 4, 2); }, {file, "has 5 trajectories", "index 4"});
  expect_input_error([&] { read_split(file, "train", 6, 0); }, {file, "out of range"});
}

TEST(DatasetIo, EmptySplitAndOtherGroupNamesRoundTrip) {
  ScratchDir dir;
  const std::string file = dir / "data.h5";
  Split empty = make_test_split("test", 0, 3, 4, 0.0), extra = make_test_split("augmented", 1, 3, 4, 1.0);
  write_dataset(file, {extra, empty}, Attributes{});
  EXPECT_EQ(list_splits(file), (std::vector<std::string>{"test", "augmented"}));  // train/valid/test first
  pdesym_test::expect_same_split(read_split(file, "test"), empty);
  pdesym_test::expect_same_split(read_split(file, "augmented"), extra);
  const Attributes a = read_attributes(file);
  EXPECT_EQ(a.equation, "");
  EXPECT_TRUE(a.coefficients.empty());
}

TEST(DatasetIo, WriterRejectsInconsistentSplitsAndLeavesNoFile) {
  ScratchDir dir;
  const std::string file = dir / "data.h5";
  Split bad = make_test_split("train", 2, 3, 4, 0.0);
  bad.x.pop_back();
  expect_input_error([&] { write_dataset(file, {bad}, Attributes{}); }, {file, "split 'train'", "x holds 7", "expected 8"});
  Split a = make_test_split("train", 1, 3, 4, 0.0);
  expect_input_error([&] { write_dataset(file, {a, a}, Attributes{}); }, {"split 'train' given twice"});
  Split slash = make_test_split("a/b", 1, 3, 4, 0.0);
  expect_input_error([&] { write_dataset(file, {slash}, Attributes{}); }, {"invalid split name 'a/b'"});
  EXPECT_FALSE(pdesym_test::exists(file));
  EXPECT_FALSE(pdesym_test::exists(file + ".tmp"));
}

TEST(DatasetIo, CustomSystemCoefficientNamesRoundTrip) {
  // Custom systems name their coefficients <component>.<term> ("u.u_xx", "u.nl0": solvers/system_pde.hpp).
  ScratchDir dir;
  const std::string file = dir / "data.h5";
  Attributes a = make_test_attrs();
  a.coefficients["u.u_xx"] = 1.0;
  a.coefficients["u.nl0"] = -0.5;
  write_dataset(file, {make_test_split("train", 2, 3, 4, 0.0)}, a);
  const Attributes b = read_attributes(file);
  EXPECT_EQ(b.coefficients.at("u.u_xx"), 1.0);
  EXPECT_EQ(b.coefficients.at("u.nl0"), -0.5);
  EXPECT_EQ(b.coefficients, a.coefficients);
}

TEST(DatasetIo, FailedWriteKeepsThePreviousFileAndRemovesTheTemporary) {
  ScratchDir dir;
  const std::string file = dir / "data.h5";
  const Split good = make_test_split("train", 2, 3, 4, 0.0);
  write_dataset(file, {good}, make_test_attrs());
  // A bad coefficient name fails while writing attributes, after the temporary file has been created.
  Attributes bad = make_test_attrs();
  bad.coefficients["a/b"] = 1.0;
  expect_input_error([&] { write_dataset(file, {make_test_split("train", 1, 3, 4, 2.0)}, bad); },
                     {file, "invalid coefficient name 'a/b'"});
  EXPECT_FALSE(pdesym_test::exists(file + ".tmp"));
  pdesym_test::expect_same_split(read_split(file, "train"), good);
  // Directory that does not exist.
  EXPECT_THROW(write_dataset(dir / "no/such/dir/x.h5", {good}, Attributes{}), pdesym::Error);
}

TEST(DatasetIo, ReadsFixedLengthStringAndIntegerAttributesFromOtherWriters) {
  ScratchDir dir;
  const std::string file = dir / "other.h5";
  Layout L;
  write_layout(file, L);
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t st = H5Tcopy(H5T_C_S1);
  H5Tset_size(st, 8);
  H5Tset_strpad(st, H5T_STR_NULLPAD);
  hid_t a = H5Acreate2(f, "equation", st, sp, H5P_DEFAULT, H5P_DEFAULT);
  const char buf[8] = {'b', 'u', 'r', 'g', 'e', 'r', 's', 0};
  H5Awrite(a, st, buf);
  H5Aclose(a);
  int seed = 17;
  a = H5Acreate2(f, "seed", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_INT, &seed);
  H5Aclose(a);
  int nu_int = 2;  // integer-valued coefficient: accepted as a number
  a = H5Acreate2(f, "coef_nu", H5T_STD_I32LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_INT, &nu_int);
  H5Aclose(a);
  double other = 3.5;  // foreign attribute: ignored
  a = H5Acreate2(f, "something_else", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_DOUBLE, &other);
  H5Aclose(a);
  H5Tclose(st);
  H5Sclose(sp);
  H5Fclose(f);

  const Attributes at = read_attributes(file);
  EXPECT_EQ(at.equation, "burgers");
  EXPECT_EQ(at.seed, 17);
  ASSERT_EQ(at.coefficients.size(), 1u);
  EXPECT_EQ(at.coefficients.at("nu"), 2.0);
  EXPECT_EQ(at.config, "");

  // An attribute with the wrong type is an error naming file and attribute.
  f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  sp = H5Screate(H5S_SCALAR);
  a = H5Acreate2(f, "version", H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
  H5Awrite(a, H5T_NATIVE_DOUBLE, &other);
  H5Aclose(a);
  H5Sclose(sp);
  H5Fclose(f);
  expect_input_error([&] { read_attributes(file); }, {file, "attribute 'version'", "float64", "expected a string"});
}

TEST(DatasetValidation, MissingFileAndNonHdf5File) {
  ScratchDir dir;
  expect_input_error([&] { read_split(dir / "nope.h5", "train"); }, {"nope.h5: file does not exist"});
  expect_input_error([&] { list_splits(dir / "nope.h5"); }, {"nope.h5: file does not exist"});
  expect_input_error([&] { read_attributes(dir / "nope.h5"); }, {"nope.h5: file does not exist"});
  pdesym_test::write_file(dir / "text.h5", "this is not HDF5\n");
  expect_input_error([&] { read_split(dir / "text.h5", "train"); }, {"text.h5: not an HDF5 file"});
  expect_input_error([&] { list_splits(dir / "text.h5"); }, {"text.h5: not an HDF5 file"});
  expect_input_error([&] { read_split(dir.str(), "train"); }, {"not an HDF5 file"});
}

TEST(DatasetValidation, MissingGroupListsTheSplitsPresent) {
  ScratchDir dir;
  const std::string file = dir / "data.h5";
  write_layout(file, Layout{});
  expect_input_error([&] { read_split(file, "valid"); }, {file, "no group 'valid'", "splits in the file: train"});
  expect_input_error([&] { read_split(file, "a/b"); }, {file, "invalid split name 'a/b'"});
}

TEST(DatasetValidation, GroupWithoutOrWithSeveralPdeDatasets) {
  ScratchDir dir;
  const std::string file = dir / "data.h5";
  {
    hid_t f = H5Fcreate(file.c_str(), H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
    hid_t g = H5Gcreate2(f, "valid", H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    raw_dataset(g, "x", {4, 8});
    H5Gclose(g);
    raw_dataset(f, "train", {3});  // a dataset where a group should be
    H5Fclose(f);
  }
  expect_input_error([&] { read_split(file, "valid"); }, {file + ": group 'valid' has no dataset pde_*"});
  expect_input_error([&] { read_split(file, "train"); }, {file + ": '/train' is not a group"});
  EXPECT_TRUE(list_splits(file).empty());

  Layout two;
  two.extra_pde = {"pde_5-9"};
  write_layout(file, two);
  expect_input_error([&] { read_split(file, "train"); },
                     {file, "group 'train' has 2 datasets pde_* (pde_5-8, pde_5-9), expected exactly one"});
}

TEST(DatasetValidation, PdeDatasetNameRankAndShape) {
  ScratchDir dir;
  const std::string file = dir / "data.h5";
  Layout badname;
  badname.pde_name = "pde_abc";
  write_layout(file, badname);
  expect_input_error([&] { read_split(file, "train"); }, {file, "/train/pde_abc", "not of the form pde_{nt}-{nx}"});

  Layout rank2;
  rank2.pde_dims = {4, 40};
  write_layout(file, rank2);
  expect_input_error([&] { read_split(file, "train"); }, {file, "/train/pde_5-8 has rank 2, expected 3"});

  Layout mismatch;
  mismatch.pde_dims = {4, 6, 8};
  write_layout(file, mismatch);
  expect_input_error([&] { read_split(file, "train"); },
                     {file, "/train/pde_5-8 has shape [4,6,8], but its name says nt=5, nx=8"});

  Layout f32;
  f32.pde_type = H5T_IEEE_F32LE;
  write_layout(file, f32);
  expect_input_error([&] { read_split(file, "train"); }, {file, "/train/pde_5-8 has type float32, expected float64"});
}

TEST(DatasetValidation, CoordinateDatasetsShapeTypeAndPresence) {
  ScratchDir dir;
  const std::string file = dir / "data.h5";
  Layout x;
  x.x = {3, 8};
  write_layout(file, x);
  expect_input_error([&] { read_split(file, "train"); }, {file + ": /train/x has shape [3,8], expected [4,8]"});

  Layout t;
  t.t = {4, 6};
  write_layout(file, t);
  expect_input_error([&] { read_split(file, "train"); }, {file + ": /train/t has shape [4,6], expected [4,5]"});

  Layout dx;
  dx.dx = {4, 1};
  write_layout(file, dx);
  expect_input_error([&] { read_split(file, "train"); }, {file + ": /train/dx has shape [4,1], expected [4]"});

  Layout no_dt;
  no_dt.with_dt = false;
  write_layout(file, no_dt);
  expect_input_error([&] { read_split(file, "train"); }, {file + ": group 'train' has no dataset 'dt'"});

  Layout tint;
  tint.t_type = H5T_STD_I32LE;
  write_layout(file, tint);
  expect_input_error([&] { read_split(file, "train"); }, {file + ": /train/t has type int32, expected float64"});

  // The complete layout reads fine (the cases above differ from it in one thing each).
  write_layout(file, Layout{});
  const Split s = read_split(file, "train");
  EXPECT_EQ(s.n, 4);
  EXPECT_EQ(s.nt, 5);
  EXPECT_EQ(s.nx, 8);
  EXPECT_EQ(s.u.size(), 160u);
  EXPECT_EQ(s.u[17], 1.0);
}
