// 2-D surrogate models: shapes and parameter counts, the spectral convolution's gradient against central
// differences and its exact resolution independence, periodic translation equivariance, rollout, save/load
// keeping the data shape, input errors.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>

#include "pdesym/common/error.hpp"
#include "pdesym/surrogates/models2d.hpp"
#include "tiny_data.hpp"

using namespace pdesym;
using namespace pdesym::surrogates;

namespace {
ModelConfig tiny2d(const std::string& kind) {
  ModelConfig c = testdata::tiny_model(kind, 4);
  c.dim = 2;
  c.nc = 2;
  return c;
}
torch::Tensor ones(long b, torch::Dtype d = torch::kFloat32) { return torch::ones({b}, d); }
}  // namespace

TEST(Models2d, ShapesAndParameterCounts) {
  torch::manual_seed(10);
  for (const char* kind : {"fno", "resnet"}) {
    auto m = make_model(tiny2d(kind));
    auto u = torch::randn({3, 4, 2, 16, 16});
    auto y = m->step(u, torch::full({3}, 0.4), torch::full({3}, 0.3), torch::full({3}, 0.1));
    EXPECT_EQ(y.sizes(), u.sizes()) << kind;
    EXPECT_EQ(flatten_parameters(*m).numel(), m->parameter_count());
    // Any nx, ny (FNO: nx / 2 + 1 >= modes and ny >= 2 modes).
    EXPECT_EQ(m->step(torch::randn({1, 4, 2, 8, 24}), ones(1), ones(1), ones(1)).sizes(),
              (std::vector<int64_t>{1, 4, 2, 8, 24}));
    // The 1-D entry point has no dy.
    EXPECT_THROW(m->forward(torch::randn({1, 4, 16}), ones(1), ones(1)), InputError);
  }
  // lift (4*2+3 -> 8) + 2 layers * (2 complex blocks 8*8*4*4*2 + 8*8+8) + proj (8 -> 16 -> 4*2)
  EXPECT_EQ(make_model(tiny2d("fno"))->parameter_count(), (11 * 8 + 8) + 2 * (2 * 2048 + 72) + (8 * 16 + 16) + (16 * 8 + 8));
  // ResNet: 3x3 convs 11 -> 8, 2 blocks of 2 x (8 -> 8), 8 -> 8
  EXPECT_EQ(make_model(tiny2d("resnet"))->parameter_count(), (11 * 8 * 9 + 8) + 4 * (8 * 8 * 9 + 8) + (8 * 8 * 9 + 8));
}

TEST(Models2d, SpectralConvolutionGradientMatchesFiniteDifferences) {
  torch::manual_seed(11);
  SpectralConv2d conv(2, 3, 3);
  conv->to(torch::kFloat64);
  auto x = torch::randn({2, 2, 8, 10}, torch::kFloat64);
  auto params = conv->parameters();
  ASSERT_EQ(params.size(), 2u);
  ASSERT_EQ(params[0].sizes(), (std::vector<int64_t>{2, 3, 3, 3, 2}));
  auto loss_of = [&]() { return conv->forward(x).pow(2).sum(); };
  loss_of().backward();
  torch::NoGradGuard ng;
  const double h = 1e-6;
  double worst = 0;
  for (auto& w : params) {
    auto g = w.grad().clone();
    for (auto idx : {std::vector<int64_t>{0, 1, 2, 1}, std::vector<int64_t>{1, 2, 0, 2}, std::vector<int64_t>{1, 0, 1, 0}}) {
      for (int64_t part = 0; part < 2; ++part) {
        auto e = w.index({idx[0], idx[1], idx[2], idx[3], part});
        const double v = e.item<double>();
        e.fill_(v + h);
        const double lp = loss_of().item<double>();
        e.fill_(v - h);
        const double lm = loss_of().item<double>();
        e.fill_(v);
        const double fd = (lp - lm) / (2 * h);
        const double ad = g.index({idx[0], idx[1], idx[2], idx[3], part}).item<double>();
        worst = std::max(worst, std::abs(ad - fd) / std::max(1.0, std::abs(fd)));
        EXPECT_NEAR(ad, fd, 1e-6 * std::max(1.0, std::abs(fd))) << idx[0] << idx[1] << idx[2] << idx[3] << " " << part;
      }
    }
  }
  std::printf("SpectralConv2d: max relative |autograd - central difference| = %.2e\n", worst);
}

// A band-limited input sampled on two grids gives the same spectral-convolution output at the common points:
// the layer acts on Fourier coefficients, not on grid points.
TEST(Models2d, SpectralConvolutionIsResolutionIndependent) {
  torch::manual_seed(12);
  SpectralConv2d conv(2, 2, 3);
  conv->to(torch::kFloat64);
  torch::NoGradGuard ng;
  const double pi = 3.14159265358979323846;
  auto sample = [&](long ny, long nx) {
    auto y = torch::arange(ny, torch::kFloat64).reshape({ny, 1}) * (2 * pi / ny);
    auto x = torch::arange(nx, torch::kFloat64).reshape({1, nx}) * (2 * pi / nx);
    auto a = torch::cos(x + 2 * y) + 0.5 * torch::sin(2 * x - y) + 0.3;
    auto b = torch::sin(x) * torch::cos(2 * y) - 0.2 * torch::cos(y);
    return torch::stack({a, b}).unsqueeze(0);  // [1, 2, ny, nx]
  };
  auto coarse = conv->forward(sample(8, 12));
  auto fine = conv->forward(sample(16, 36));
  const double d = (fine.index({torch::indexing::Slice(), torch::indexing::Slice(), torch::indexing::Slice(0, 16, 2),
                                torch::indexing::Slice(0, 36, 3)}) - coarse).abs().max().item<double>();
  std::printf("SpectralConv2d on 8 x 12 vs 16 x 36: max difference %.2e (max |out| %.2f)\n", d,
              coarse.abs().max().item<double>());
  EXPECT_LT(d, 1e-12);
}

TEST(Models2d, PeriodicTranslationEquivariance) {
  torch::manual_seed(13);
  for (const char* kind : {"fno", "resnet"}) {
    auto m = make_model(tiny2d(kind));
    m->to(torch::kFloat64);
    auto u = torch::randn({1, 4, 2, 16, 12}, torch::kFloat64);
    auto g = ones(1, torch::kFloat64);
    auto a = torch::roll(m->step(u, g, g, g), {3, 5}, {3, 4});
    auto b = m->step(torch::roll(u, {3, 5}, {3, 4}), g, g, g);
    const double d = (a - b).abs().max().item<double>();
    std::printf("%s-2d: max |shift(model(u)) - model(shift(u))| = %.2e\n", kind, d);
    EXPECT_LT(d, 1e-10) << kind;
  }
}

TEST(Models2d, RolloutSaveLoadAndErrors) {
  torch::manual_seed(14);
  auto m = make_model(tiny2d("fno"));
  auto u = torch::randn({2, 4, 2, 16, 16});
  auto g = ones(2);
  auto r = rollout(*m, u, g, g, g, 6);
  ASSERT_EQ(r.sizes(), (std::vector<int64_t>{2, 6, 2, 16, 16}));
  auto p1 = m->step(u, g, g, g), p2 = m->step(p1, g, g, g);
  EXPECT_TRUE(torch::allclose(r.narrow(1, 0, 4), p1));
  EXPECT_TRUE(torch::allclose(r.narrow(1, 4, 2), p2.narrow(1, 0, 2)));

  const std::string path = std::string(PDESYM_BINARY_DIR) + "/test_models2d_roundtrip.pt";
  save_model(path, *m);
  auto back = load_model(path);
  EXPECT_EQ(back->config().dim, 2);
  EXPECT_EQ(back->config().nc, 2);
  EXPECT_TRUE(torch::equal(flatten_parameters(*m), flatten_parameters(*back)));
  EXPECT_TRUE(torch::equal(back->step(u, g, g, g), p1));
  std::remove(path.c_str());

  // The 1-D config JSON is unchanged (no dim / nc keys), so 1-D checkpoints are as before.
  ModelConfig one;
  EXPECT_FALSE(one.to_json().contains("dim"));
  EXPECT_EQ(ModelConfig::from_json(one.to_json()).dim, 1);
  EXPECT_EQ(ModelConfig::from_json(tiny2d("fno").to_json()).nc, 2);

  EXPECT_THROW(m->step(torch::randn({1, 4, 3, 16, 16}), ones(1), ones(1), ones(1)), InputError);  // nc
  EXPECT_THROW(m->step(torch::randn({1, 4, 2, 6, 16}), ones(1), ones(1), ones(1)), InputError);   // ny < 2 modes
  EXPECT_THROW(m->step(torch::randn({2, 4, 2, 16, 16}), ones(2), ones(1), ones(2)), InputError);  // dy
  ModelConfig bad = tiny2d("fno");
  bad.dim = 3;
  EXPECT_THROW(make_model(bad), InputError);
}

// 1-D data with two components: the unchanged 1-D models on tw * nc channels, layout [B, tw, nc, 1, nx].
TEST(Models2d, OneDimensionalMultiComponentWrapsTheOneDimensionalModels) {
  torch::manual_seed(15);
  for (const char* kind : {"fno", "resnet"}) {
    ModelConfig c = tiny2d(kind);
    c.dim = 1;
    auto m = make_model(c);
    m->to(torch::kFloat64);
    auto u = torch::randn({2, 4, 2, 1, 32}, torch::kFloat64);
    auto g = ones(2, torch::kFloat64);
    auto y = m->step(u, g, g, g);
    EXPECT_EQ(y.sizes(), u.sizes()) << kind;
    const double d = (torch::roll(y, {7}, {4}) - m->step(torch::roll(u, {7}, {4}), g, g, g)).abs().max().item<double>();
    EXPECT_LT(d, 1e-10) << kind;
    // The inner 1-D model sees the 8 state channels (level-major) plus dx and dt.
    ModelConfig inner = c;
    inner.dim = 1;
    inner.nc = 1;
    inner.time_window = 8;
    EXPECT_EQ(m->parameter_count(), make_model(inner)->parameter_count()) << kind;
    EXPECT_THROW(m->forward(torch::randn({1, 4, 32}, torch::kFloat64), ones(1, torch::kFloat64), ones(1, torch::kFloat64)),
                 InputError);
  }
  ModelConfig c = tiny2d("fno");
  c.dim = 1;
  auto m = make_model(c);
  const std::string path = std::string(PDESYM_BINARY_DIR) + "/test_models2d_stacked.pt";
  save_model(path, *m);
  auto back = load_model(path);
  EXPECT_EQ(back->config().dim, 1);
  EXPECT_EQ(back->config().nc, 2);
  EXPECT_TRUE(torch::equal(flatten_parameters(*m), flatten_parameters(*back)));
  std::remove(path.c_str());
}
