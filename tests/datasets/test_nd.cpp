// n-D and multi-component datasets (layout pdesym-nd): exact round trips of 2-D two-component and 1-D system
// data, the on-disk shapes (one data set per component, x fastest), partial reads, one clear InputError per
// malformed layout, the 1-D-scalar refusal of discover/augment, plots of n-D data, and generation of 2-D and
// 1-D-system data (config schema, reproducibility, identical files for 1 and 2 MPI ranks, blow-ups).
#include <hdf5.h>

#include <cmath>

#include "pdesym/common/atomic_file.hpp"
#include "pdesym/datasets/dataset.hpp"
#include "pdesym/datasets/generate.hpp"
#include "pdesym/datasets/plot.hpp"
#include "same_data.hpp"
#include "test_util.hpp"

using namespace pdesym;
using namespace pdesym::datasets;
using pdesym_test::expect_input_error;
using pdesym_test::ScratchDir;

namespace {

/// n trajectories of a field with the given shape; every value distinct (depends on i, c, n, j, k).
Split nd_split(const std::string& name, int n, const FieldShape& shape, const std::vector<std::string>& comps) {
  Split s;
  s.name = name;
  s.resize(n, shape, comps);
  for (int i = 0; i < n; ++i) {
    Field f(shape, (8.0 + i) / shape.nx, shape.dim == 2 ? (6.0 + 0.5 * i) / shape.ny : 0.0, 0.25 + 0.01 * i, 0.1 * i);
    f.components = comps;
    for (int c = 0; c < shape.nc; ++c)
      for (int m = 0; m < shape.nt; ++m)
        for (int j = 0; j < shape.ny; ++j)
          for (int k = 0; k < shape.nx; ++k)
            f.snapshot(c, m)[j * shape.nx + k] = 1000.0 * i + 100.0 * c + 10.0 * m + j + 0.01 * k + 0.125;
    s.set_field(i, f, name);
  }
  return s;
}

Split two_d(const std::string& name = "train", int n = 3) { return nd_split(name, n, FieldShape{2, 2, 4, 6, 8}, {"u", "v"}); }
Split one_d_system(const std::string& name = "train", int n = 2) {
  return nd_split(name, n, FieldShape{1, 2, 5, 1, 16}, {"re", "im"});
}

Attributes nls_attrs() {
  Attributes a;
  a.equation = "nls";
  a.equation_text = "i psi_t + psi_xx + 2 |psi|^2 psi = 0";
  a.coefficients = {{"kappa", 2.0}};
  a.seed = 5;
  a.version = "0.1.0";
  a.config = "equation: nls\n";
  return a;
}

/// Shape of data set `path` and all its values, read with the plain HDF5 C API.
std::vector<hsize_t> raw_read(const std::string& file, const std::string& path, std::vector<double>& out) {
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t ds = H5Dopen2(f, path.c_str(), H5P_DEFAULT);
  if (ds < 0) {
    H5Fclose(f);
    return {};
  }
  hid_t sp = H5Dget_space(ds);
  std::vector<hsize_t> dims(static_cast<std::size_t>(H5Sget_simple_extent_ndims(sp)));
  H5Sget_simple_extent_dims(sp, dims.data(), nullptr);
  std::size_t n = 1;
  for (auto d : dims) n *= d;
  out.assign(n, 0.0);
  H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, out.data());
  H5Sclose(sp);
  H5Dclose(ds);
  H5Fclose(f);
  return dims;
}

bool link_exists(const std::string& file, const std::string& path) {
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDONLY, H5P_DEFAULT);
  const htri_t e = H5Lexists(f, path.c_str(), H5P_DEFAULT);
  H5Fclose(f);
  return e > 0;
}

/// Rewrites (or adds) a string root attribute / deletes a link, to make malformed files from good ones.
void set_string_attr(const std::string& file, const std::string& name, const std::string& value) {
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  if (H5Aexists(f, name.c_str()) > 0) H5Adelete(f, name.c_str());
  hid_t st = H5Tcopy(H5T_C_S1);
  H5Tset_size(st, H5T_VARIABLE);
  hid_t sp = H5Screate(H5S_SCALAR);
  hid_t a = H5Acreate2(f, name.c_str(), st, sp, H5P_DEFAULT, H5P_DEFAULT);
  const char* p = value.c_str();
  H5Awrite(a, st, &p);
  H5Aclose(a);
  H5Sclose(sp);
  H5Tclose(st);
  H5Fclose(f);
}
void delete_link(const std::string& file, const std::string& path) {
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  H5Ldelete(f, path.c_str(), H5P_DEFAULT);
  H5Fclose(f);
}
void replace_dataset(const std::string& file, const std::string& path, const std::vector<hsize_t>& dims,
                     const std::vector<double>& values) {
  hid_t f = H5Fopen(file.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
  H5Ldelete(f, path.c_str(), H5P_DEFAULT);
  hid_t sp = H5Screate_simple(static_cast<int>(dims.size()), dims.data(), nullptr);
  hid_t ds = H5Dcreate2(f, path.c_str(), H5T_IEEE_F64LE, sp, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
  H5Dwrite(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, values.data());
  H5Dclose(ds);
  H5Sclose(sp);
  H5Fclose(f);
}

/// Width and height from a PNG's IHDR chunk.
std::pair<int, int> png_size(const std::string& bytes) {
  auto be32 = [&](std::size_t o) {
    return (static_cast<unsigned char>(bytes[o]) << 24) | (static_cast<unsigned char>(bytes[o + 1]) << 16) |
           (static_cast<unsigned char>(bytes[o + 2]) << 8) | static_cast<unsigned char>(bytes[o + 3]);
  };
  if (bytes.size() < 24) return {0, 0};
  return {be32(16), be32(20)};
}

}  // namespace

TEST(NdIo, TwoDimensionalTwoComponentRoundTripIsExactAndStoresOneDatasetPerComponent) {
  ScratchDir dir;
  const std::string file = dir / "nd.h5";
  const Split train = two_d("train", 3), valid = two_d("valid", 2);
  write_dataset(file, {train, valid}, nls_attrs());
  EXPECT_FALSE(pdesym_test::exists(AtomicFile::temp_name_for(file)));
  EXPECT_EQ(list_splits(file), (std::vector<std::string>{"train", "valid"}));
  pdesym_test::expect_same_split(read_split(file, "train"), train);
  pdesym_test::expect_same_split(read_split(file, "valid"), valid);

  // On disk: /train/u and /train/v of [n, nt, ny, nx], x fastest; y and dy present; no pde_* data set.
  std::vector<double> v;
  EXPECT_EQ(raw_read(file, "/train/v", v), (std::vector<hsize_t>{3, 4, 6, 8}));
  // Element [i=2][n=3][j=5][k=7] of component v (c = 1).
  EXPECT_EQ(v[((2 * 4 + 3) * 6 + 5) * 8 + 7], 2000.0 + 100.0 + 30.0 + 5 + 0.07 + 0.125);
  EXPECT_EQ(raw_read(file, "/train/u", v), (std::vector<hsize_t>{3, 4, 6, 8}));
  EXPECT_EQ(v[((1 * 4 + 0) * 6 + 2) * 8 + 1], 1000.0 + 2 + 0.01 + 0.125);
  EXPECT_EQ(raw_read(file, "/train/y", v), (std::vector<hsize_t>{3, 6}));
  EXPECT_EQ(raw_read(file, "/train/dy", v), (std::vector<hsize_t>{3}));
  EXPECT_EQ(v[1], 6.5 / 6);
  EXPECT_EQ(raw_read(file, "/train/x", v), (std::vector<hsize_t>{3, 8}));
  EXPECT_EQ(raw_read(file, "/train/t", v), (std::vector<hsize_t>{3, 4}));
  EXPECT_FALSE(link_exists(file, "/train/pde_4-8"));

  const Attributes a = read_attributes(file);
  EXPECT_TRUE(a.is_nd());
  EXPECT_EQ(a.layout, "pdesym-nd");
  EXPECT_EQ(a.dim, 2);
  EXPECT_EQ(a.components, (std::vector<std::string>{"u", "v"}));
  EXPECT_EQ(a.equation, "nls");
  EXPECT_EQ(a.coefficients.at("kappa"), 2.0);
  EXPECT_EQ(a.describe_layout(), "2-D, 2 components (u, v)");

  // Partial read: rows [1, 3) only, the same values as the whole split's rows.
  const Split part = read_split(file, "train", 1, 2);
  ASSERT_EQ(part.n, 2);
  EXPECT_EQ(part.shape(), train.shape());
  for (int i = 0; i < 2; ++i) {
    const Field got = part.field(i), want = train.field(i + 1);
    EXPECT_EQ(got.data, want.data);
    EXPECT_EQ(got.y, want.y);
    EXPECT_EQ(got.dy, want.dy);
    EXPECT_EQ(got.t, want.t);
  }
}

TEST(NdIo, OneDimensionalSystemRoundTripHasNoYAndNamedComponents) {
  ScratchDir dir;
  const std::string file = dir / "nls.h5";
  const Split s = one_d_system("train", 2), e = one_d_system("test", 0);
  write_dataset(file, {s, e}, nls_attrs());
  pdesym_test::expect_same_split(read_split(file, "train"), s);
  EXPECT_EQ(read_split(file, "test").n, 0);
  EXPECT_EQ(list_splits(file), (std::vector<std::string>{"train", "test"}));
  std::vector<double> v;
  EXPECT_EQ(raw_read(file, "/train/im", v), (std::vector<hsize_t>{2, 5, 16}));
  EXPECT_EQ(v[(1 * 5 + 4) * 16 + 3], 1000.0 + 100.0 + 40.0 + 0.03 + 0.125);
  EXPECT_FALSE(link_exists(file, "/train/y"));
  EXPECT_FALSE(link_exists(file, "/train/dy"));
  const Attributes a = read_attributes(file);
  EXPECT_EQ(a.layout, "pdesym-nd");
  EXPECT_EQ(a.dim, 1);
  EXPECT_EQ(a.components, (std::vector<std::string>{"re", "im"}));
  // A 1-D scalar split named u stays LPSDA, byte-compatible with the old layout (no layout attributes).
  Split scalar = nd_split("train", 1, FieldShape{1, 1, 3, 1, 8}, {"u"});
  write_dataset(dir / "lpsda.h5", {scalar}, nls_attrs());
  EXPECT_TRUE(link_exists(dir / "lpsda.h5", "/train/pde_3-8"));
  EXPECT_FALSE(read_attributes(dir / "lpsda.h5").is_nd());
  EXPECT_EQ(read_attributes(dir / "lpsda.h5").components, std::vector<std::string>{"u"});
  pdesym_test::expect_same_split(read_split(dir / "lpsda.h5", "train"), scalar);
}

TEST(NdIo, WriterRejectsMixedSplitsAndBadComponentNamesLeavingNoFile) {
  ScratchDir dir;
  const std::string file = dir / "bad.h5";
  expect_input_error([&] { write_dataset(file, {two_d("train"), one_d_system("valid")}, {}); },
                     {file, "split 'valid' holds 1-D, 2 components", "split 'train' 2-D, 2 components"});
  expect_input_error([&] { write_dataset(file, {nd_split("train", 1, FieldShape{2, 2, 2, 4, 4}, {"u", "x"})}, {}); },
                     {file, "component name 'x' clashes"});
  expect_input_error([&] { write_dataset(file, {nd_split("train", 1, FieldShape{2, 2, 2, 4, 4}, {"u", "u"})}, {}); },
                     {file, "component 'u' given twice"});
  Split nan = two_d("train", 2);
  nan.traj(1)[nan.shape().component_size() + 5] = std::nan("");
  expect_input_error([&] { write_dataset(file, {nan}, {}); }, {file, "train/1", "non-finite", "component v"});
  EXPECT_FALSE(pdesym_test::exists(file));
  EXPECT_FALSE(pdesym_test::exists(AtomicFile::temp_name_for(file)));
}

TEST(NdValidation, LayoutErrorsNameFileSplitAndWhat) {
  ScratchDir dir;
  const std::string good = dir / "good.h5";
  write_dataset(good, {two_d("train", 3)}, nls_attrs());
  auto copy = [&](const std::string& name) {
    const std::string p = dir / name;
    pdesym_test::write_file(p, pdesym_test::read_file(good));
    return p;
  };

  const std::string unknown = copy("unknown.h5");
  set_string_attr(unknown, "layout", "netcdf4");
  expect_input_error([&] { read_split(unknown, "train"); }, {unknown, "unknown layout 'netcdf4'"});
  expect_input_error([&] { list_splits(unknown); }, {unknown, "unknown layout 'netcdf4'"});

  const std::string nocomp = copy("nocomp.h5");
  delete_link(nocomp, "/train/v");
  expect_input_error([&] { read_split(nocomp, "train"); },
                     {nocomp, "group 'train' has no dataset 'v'", "component 2 of 2"});

  const std::string shape = copy("shape.h5");
  replace_dataset(shape, "/train/v", {3, 4, 6, 7}, std::vector<double>(3 * 4 * 6 * 7, 0.5));
  expect_input_error([&] { read_split(shape, "train"); },
                     {shape, "/train/v has shape [3,4,6,7], but /train/u has [3,4,6,8]"});

  const std::string rank = copy("rank.h5");
  replace_dataset(rank, "/train/u", {3, 4, 48}, std::vector<double>(3 * 4 * 48, 0.5));
  expect_input_error([&] { read_split(rank, "train"); }, {rank, "/train/u has rank 3, expected 4 ([n, nt, ny, nx]"});

  const std::string noy = copy("noy.h5");
  delete_link(noy, "/train/y");
  expect_input_error([&] { read_split(noy, "train"); }, {noy, "group 'train' has no dataset 'y'"});

  const std::string ybad = copy("ybad.h5");
  std::vector<double> y;
  raw_read(good, "/train/y", y);
  y[6 + 3] += 0.3;  // trajectory 1, y[3]
  replace_dataset(ybad, "/train/y", {3, 6}, y);
  expect_input_error([&] { read_split(ybad, "train"); }, {ybad, "train/1", "y is not a uniform grid"});
  // A partial read names the trajectory by its index in the file.
  expect_input_error([&] { read_split(ybad, "train", 1, 1); }, {ybad, "train/1", "y is not a uniform grid"});
  EXPECT_EQ(read_split(ybad, "train", 2, 1).n, 1);  // the other rows are fine

  const std::string nan = copy("nan.h5");
  std::vector<double> v;
  raw_read(good, "/train/v", v);
  v[2 * 4 * 6 * 8 + 3 * 6 * 8 + 5] = std::nan("");  // trajectory 2, level 3, y 0, x 5
  replace_dataset(nan, "/train/v", {3, 4, 6, 8}, v);
  expect_input_error([&] { read_split(nan, "train"); },
                     {nan, "train/2: non-finite value", "component v at time level 3", "point (y 0, x 5)"});

  const std::string dim3 = copy("dim3.h5");
  {
    hid_t f = H5Fopen(dim3.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    H5Adelete(f, "dim");
    hid_t sp = H5Screate(H5S_SCALAR);
    hid_t a = H5Acreate2(f, "dim", H5T_STD_I64LE, sp, H5P_DEFAULT, H5P_DEFAULT);
    long long d = 3;
    H5Awrite(a, H5T_NATIVE_LLONG, &d);
    H5Aclose(a);
    H5Sclose(sp);
    H5Fclose(f);
  }
  expect_input_error([&] { read_split(dim3, "train"); }, {dim3, "root attribute 'dim' is 3, expected 1 or 2"});
  expect_input_error([&] { read_attributes(dim3); }, {dim3, "'dim' is 3"});

  const std::string nodim = copy("nodim.h5");
  {
    hid_t f = H5Fopen(nodim.c_str(), H5F_ACC_RDWR, H5P_DEFAULT);
    H5Adelete(f, "components");
    H5Fclose(f);
  }
  expect_input_error([&] { read_split(nodim, "train"); }, {nodim, "without the root attribute 'components'"});

  expect_input_error([&] { read_split(good, "valid"); }, {good, "no group 'valid'", "splits in the file: train"});
}

TEST(NdPlot, TwoDimensionalSnapshotsGridHasOneRowPerComponent) {
  // u = +sin(2 pi x / Lx), v = -u: the same pattern with opposite colours in the two rows.
  Split s;
  s.name = "train";
  const FieldShape shape{2, 2, 5, 8, 16};
  s.resize(1, shape, {"u", "v"});
  Field f(shape, 1.0, 1.0, 0.5);
  for (int m = 0; m < 5; ++m)
    for (int j = 0; j < 8; ++j)
      for (int k = 0; k < 16; ++k) {
        f.snapshot(0, m)[j * 16 + k] = std::sin(2 * M_PI * k / 16.0);
        f.snapshot(1, m)[j * 16 + k] = -std::sin(2 * M_PI * k / 16.0);
      }
  s.set_field(0, f);
  PlotOptions opt;
  const Image img = plot_trajectory(s, 0, "title", opt);
  ASSERT_EQ(img.width(), opt.width);
  // Lx = 16, Ly = 8: panels of (960 - 130) / 4 - 66 = 141 x 70 pixels; rows of 24 + 70 + 28 pixels.
  const int top = 76, cell_h = 24 + 70 + 28;
  ASSERT_EQ(img.height(), top + 2 * cell_h + 8);
  // Compare the two rows of cells pixel by pixel: they differ (opposite signs), and each is not blank.
  int differ = 0, red_in_u = 0, blue_in_u = 0;
  for (int y = top + 26; y < top + cell_h - 30; ++y)
    for (int x = 80; x < opt.width - 140; ++x) {
      const Rgb a = img.get(x, y), b = img.get(x, y + cell_h);
      differ += (a.r != b.r || a.g != b.g || a.b != b.b);
      red_in_u += (a.r > 150 && a.b < 80);   // diverging(+1) = (178, 24, 43)
      blue_in_u += (a.b > 150 && a.r < 80);  // diverging(-1) = (33, 102, 172)
    }
  EXPECT_GT(differ, 20000);  // of 4 x 141 x 66 panel pixels compared (u = v = 0 on 2 of 16 columns)
  EXPECT_GT(red_in_u, 1000);
  EXPECT_GT(blue_in_u, 1000);

  // 1-D system: one space-time panel per component, side by side (re = sin, im = cos: different pictures).
  Split sys = one_d_system("train", 1);
  for (int m = 0; m < sys.nt; ++m)
    for (int k = 0; k < sys.nx; ++k) {
      sys.traj(0)[m * sys.nx + k] = std::sin(2 * M_PI * k / sys.nx);
      sys.traj(0)[(sys.nt + m) * sys.nx + k] = std::cos(2 * M_PI * k / sys.nx);
    }
  const Image h = plot_trajectory(sys, 0, "nls", opt);
  EXPECT_EQ(h.width(), 2 * (opt.width / 2));
  EXPECT_EQ(h.height(), opt.height);
  int d = 0;
  const int half = opt.width / 2;
  for (int y = 76; y < opt.height - 76; ++y)
    for (int x = 96; x < half - 170; ++x) {
      const Rgb a = h.get(x, y), b = h.get(x + half, y);
      d += (a.r != b.r || a.g != b.g || a.b != b.b);
    }
  EXPECT_GT(d, 1000);
}

TEST(NdPlot, CommandWritesOnePngOfTheExpectedSize) {
  ScratchDir dir;
  const std::string file = dir / "nd.h5", sys = dir / "sys.h5";
  write_dataset(file, {two_d("train", 2)}, nls_attrs());
  write_dataset(sys, {one_d_system("train", 1)}, nls_attrs());
  const std::string png = dir / "nd.png";
  auto r = pdesym_test::run_pdesym(1, "plot --data " + file + " --index 1 --out " + png, dir / "log");
  ASSERT_EQ(r.rc, 0) << r.output;
  // Trajectory 1: Lx = 9, Ly = 6.5: panels 141 x 101 (141 * 6.5 / 9 = 101.8), 2 rows of 24 + 101 + 28.
  EXPECT_EQ(png_size(pdesym_test::read_file(png)), std::make_pair(960, 76 + 2 * (24 + 101 + 28) + 8));
  r = pdesym_test::run_pdesym(1, "plot --data " + sys + " --out " + png, dir / "log");
  ASSERT_EQ(r.rc, 0) << r.output;
  EXPECT_EQ(png_size(pdesym_test::read_file(png)), std::make_pair(960, 720));
  r = pdesym_test::run_pdesym(1, "plot --data " + file + " --index 2 --out " + png, dir / "log");
  EXPECT_EQ(r.rc, 2) << r.output;
  EXPECT_NE(r.output.find(file + ": split 'train' has 2 trajectories"), std::string::npos) << r.output;
}

// ---- generation of n-D and system data (GenerationConfig / make_split / generate under mpirun) ---------------

namespace {

// 2-D, two components (lambda-omega: u, v), small and fast, with jitter so every trajectory has its own box.
const char* kLambdaOmega2d = R"(equation: lambda_omega
coefficients: {d: 0.1, beta: 1.0}
domain: {dim: 2, Lx: 12.0, Ly: 10.0, nx: 16, ny: 12, T: 1.0, nt: 5, jitter_L: 0.1, jitter_T: 0.1}
solver: {dt: 0.05}
initial_condition: {type: random_modes, amplitude: 0.5, k_min: 1, k_max: 3}
splits: {train: 3, valid: 1, test: 1}
seed: 7
)";

// 1-D system: NLS as (u, v) = (Re psi, Im psi).
const char* kNls1d = R"(equation: nls
domain: {L: 20.0, T: 0.5, nx: 32, nt: 6}
solver: {dt: 0.01}
initial_condition: {type: random_modes, amplitude: 0.5, k_min: 1, k_max: 3}
splits: {train: 2, valid: 0, test: 1}
seed: 2
)";

std::string replace_once(std::string s, const std::string& from, const std::string& to) {
  const auto p = s.find(from);
  EXPECT_NE(p, std::string::npos) << from;
  if (p != std::string::npos) s.replace(p, from.size(), to);
  return s;
}

GenerationConfig parse_gc(const std::string& yaml) { return GenerationConfig::from_config(Config::parse(yaml, "nd.yaml")); }

}  // namespace

TEST(GenerationNd, ParsesTheTwoDimensionalSchemaAndNamesBadKeys) {
  const auto gc = parse_gc(kLambdaOmega2d);
  EXPECT_TRUE(gc.is_field());
  EXPECT_EQ(gc.dim, 2);
  EXPECT_EQ(gc.L, 12.0);
  EXPECT_EQ(gc.Ly, 10.0);
  EXPECT_EQ(gc.nx, 16);
  EXPECT_EQ(gc.ny, 12);
  EXPECT_EQ(gc.shape(), (FieldShape{2, 2, 5, 12, 16}));
  EXPECT_EQ(gc.components(), (std::vector<std::string>{"u", "v"}));
  const Attributes a = gc.attributes();
  EXPECT_EQ(a.equation, "lambda_omega");
  EXPECT_EQ(a.layout, kNdLayout);
  EXPECT_EQ(a.dim, 2);
  EXPECT_EQ(a.components, (std::vector<std::string>{"u", "v"}));
  EXPECT_EQ(a.coefficients.at("d"), 0.1);
  // 1-D systems: the 1-D domain keys, n-D layout.
  const auto nls = parse_gc(kNls1d);
  EXPECT_EQ(nls.dim, 1);
  EXPECT_EQ(nls.shape(), (FieldShape{1, 2, 6, 1, 32}));
  EXPECT_EQ(nls.attributes().layout, kNdLayout);
  // 1-D scalar equations keep the LPSDA path.
  const auto kdv = parse_gc(replace_once(replace_once(kNls1d, "equation: nls", "equation: kdv"),
                                        "{type: random_modes, amplitude: 0.5, k_min: 1, k_max: 3}", "{}"));
  EXPECT_FALSE(kdv.is_field());
  EXPECT_EQ(kdv.attributes().layout, "");
  EXPECT_EQ(kdv.shape(), (FieldShape{1, 1, 6, 1, 32}));

  const std::string t = kLambdaOmega2d;
  auto bad = [](const std::string& yaml, std::initializer_list<std::string> parts) {
    expect_input_error([&] { GenerationConfig::from_config(Config::parse(yaml, "bad.yaml")); }, parts);
  };
  bad(replace_once(t, "ny: 12, ", ""), {"bad.yaml", "missing required key 'domain.ny'"});
  bad(replace_once(t, "ny: 12", "ny: 13"), {"bad.yaml", "domain.ny", "even"});
  bad(replace_once(t, "Lx: 12.0", "L: 12.0"), {"bad.yaml", "unknown key 'L'"});
  bad(replace_once(t, "dim: 2", "dim: 3"), {"bad.yaml", "domain.dim", "1 or 2"});
  bad(replace_once(replace_once(t, "equation: lambda_omega", "equation: kdv"), "coefficients: {d: 0.1, beta: 1.0}\n",
                   ""),
      {"bad.yaml", "domain.dim", "kdv is a 1-D scalar equation", "navier_stokes"});
  bad(replace_once(std::string(kNls1d), "equation: nls", "equation: heat2d"), {"bad.yaml", "heat2d", "not defined in 1-D"});
}

TEST(GenerationNd, TrajectoriesAreReproducibleFieldsOfTheirOwnBox) {
  const auto gc = parse_gc(kLambdaOmega2d);
  const Split s = make_split(gc, 0);
  ASSERT_EQ(s.n, 3);
  EXPECT_EQ(s.shape(), gc.shape());
  EXPECT_EQ(s.components, gc.components());
  for (int i = 0; i < s.n; ++i) {
    const auto spec = trajectory_spec(gc, 0, i);
    EXPECT_DOUBLE_EQ(spec.Ly / spec.L, 10.0 / 12.0);  // one jitter factor for both lengths
    EXPECT_NE(spec.L, 12.0);
    const Field f = s.field(i);
    EXPECT_EQ(f.dx, spec.L / 16);
    EXPECT_EQ(f.dy, spec.Ly / 12);
    EXPECT_EQ(f.dt, spec.T / 4);
    // Level 0 of each component is the initial condition ([nc][ny][nx]), to round-off (the solver projects u0
    // onto its real, dealiased spectrum; the modes drawn, |m| <= 3, are all kept on 16 x 12 points).
    for (int c = 0; c < 2; ++c)
      for (int k = 0; k < 12 * 16; ++k)
        ASSERT_NEAR(f.snapshot(c, 0)[k], spec.u0[c * 12 * 16 + k], 1e-13) << i << " " << c;
    // The solution moved away from it.
    double change = 0;
    for (int k = 0; k < 12 * 16; ++k) change = std::max(change, std::abs(f.snapshot(0, 4)[k] - f.snapshot(0, 0)[k]));
    EXPECT_GT(change, 1e-3);
    EXPECT_EQ(make_trajectory(gc, 0, i).data, f.data);
  }
  EXPECT_NE(make_trajectory(gc, 1, 0).data, make_trajectory(gc, 0, 0).data);
  // Partial split = the same rows.
  const Split part = make_split(gc, 0, 1, 2);
  ASSERT_EQ(part.n, 2);
  EXPECT_EQ(part.field(1).data, s.field(2).data);
}

TEST(GenerationNd, BlowUpNamesTheTrajectory) {
  auto gc = parse_gc(replace_once(replace_once(kLambdaOmega2d, "amplitude: 0.5", "amplitude: 50"), "dt: 0.05",
                                  "dt: 1.0"));
  try {
    make_trajectory(gc, 2, 0);
    FAIL() << "expected a blow-up";
  } catch (const BlowUpError& e) {
    EXPECT_EQ(std::string(e.what()).rfind("test/0: lambda_omega solution blew up", 0), 0u) << e.what();
  }
}

TEST(GenerateMpiNd, OneAndTwoRanksWriteIdenticalNdFiles) {
  ScratchDir dir;
  for (const char* yaml : {kLambdaOmega2d, kNls1d}) {
    const std::string cfg = dir / "nd.yaml";
    pdesym_test::write_file(cfg, yaml);
    const std::string one = dir / "one.h5", two = dir / "two.h5";
    auto r = pdesym_test::run_pdesym(1, "generate --config " + cfg + " --out " + one, dir / "log1");
    ASSERT_EQ(r.rc, 0) << r.output;
    r = pdesym_test::run_pdesym(2, "generate --config " + cfg + " --out " + two, dir / "log2");
    ASSERT_EQ(r.rc, 0) << r.output;
    EXPECT_NE(r.output.find("on 2 ranks"), std::string::npos) << r.output;
    EXPECT_FALSE(pdesym_test::exists(AtomicFile::temp_name_for(two)));
    const auto gc = parse_gc(yaml);
    ASSERT_EQ(list_splits(one), list_splits(two));
    for (const auto& name : list_splits(two)) {
      const Split a = read_split(one, name), b = read_split(two, name);
      pdesym_test::expect_same_split(a, b);
      // The file holds what the library computes in-process.
      const Split ref = make_split(gc, split_index(name));
      EXPECT_EQ(b.u, ref.u) << name;
      EXPECT_EQ(b.y, ref.y) << name;
      EXPECT_EQ(b.dy, ref.dy) << name;
      EXPECT_EQ(b.t, ref.t) << name;
    }
    const Attributes a = read_attributes(two);
    EXPECT_EQ(a.layout, kNdLayout);
    EXPECT_EQ(a.dim, gc.dim);
    EXPECT_EQ(a.components, (std::vector<std::string>{"u", "v"}));
    EXPECT_EQ(a.equation, gc.attributes().equation);
    EXPECT_EQ(a.config, gc.yaml);
    std::vector<double> v;
    EXPECT_EQ(raw_read(two, "/train/v", v), gc.dim == 2 ? (std::vector<hsize_t>{3, 5, 12, 16})
                                                       : (std::vector<hsize_t>{2, 6, 32}));
  }
  // Trajectory i does not depend on the split size (2 ranks, 2 trajectories vs 1 rank, 3 above).
  const std::string cfg = dir / "nd.yaml";
  pdesym_test::write_file(cfg, kLambdaOmega2d);
  auto r = pdesym_test::run_pdesym(2, "generate --config " + cfg + " --out " + (dir / "small.h5") +
                                          " --train 2 --valid 0 --test 0",
                                   dir / "log");
  ASSERT_EQ(r.rc, 0) << r.output;
  const Split small = read_split(dir / "small.h5", "train");
  const Split ref = make_split(parse_gc(kLambdaOmega2d), 0, 0, 2);
  EXPECT_EQ(small.u, ref.u);

  // A blow-up on 2 ranks names the trajectory and leaves nothing behind.
  pdesym_test::write_file(cfg, replace_once(replace_once(kLambdaOmega2d, "amplitude: 0.5", "amplitude: 50"),
                                            "dt: 0.05", "dt: 1.0"));
  const std::string blow = dir / "blow.h5";
  r = pdesym_test::run_pdesym(2, "generate --config " + cfg + " --out " + blow, dir / "log");
  EXPECT_NE(r.rc, 0) << r.output;
  EXPECT_NE(r.output.find("lambda_omega solution blew up"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("train/"), std::string::npos) << r.output;
  EXPECT_FALSE(pdesym_test::exists(blow));
  EXPECT_FALSE(pdesym_test::exists(AtomicFile::temp_name_for(blow)));
}
