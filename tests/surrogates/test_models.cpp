// Surrogate models: shapes, complex autograd through the spectral convolution, periodic translation
// equivariance, parameter flattening and save/load round trips, input errors.
#include <gtest/gtest.h>

#include <cstdio>

#include "pdesym/common/error.hpp"
#include "pdesym/surrogates/models.hpp"

using namespace pdesym;
using namespace pdesym::surrogates;

namespace {
ModelConfig tiny(const std::string& kind) {
  ModelConfig c;
  c.kind = kind;
  c.time_window = 4;
  c.width = 8;
  c.modes = 6;
  c.layers = 2;
  c.kernel_size = 3;
  c.proj_hidden = 16;
  return c;
}
}  // namespace

TEST(Models, ShapesAndParameterCounts) {
  torch::manual_seed(0);
  for (const char* kind : {"fno", "resnet"}) {
    auto m = make_model(tiny(kind));
    auto u = torch::randn({3, 4, 32});
    auto y = m->forward(u, torch::full({3}, 0.5), torch::full({3}, 0.1));
    EXPECT_EQ(y.sizes(), u.sizes()) << kind;
    EXPECT_EQ(flatten_parameters(*m).numel(), m->parameter_count());
    // Resolution-agnostic in nx.
    EXPECT_EQ(m->forward(torch::randn({1, 4, 64}), torch::ones({1}), torch::ones({1})).size(2), 64);
  }
  // FNO count: lift (6*8+8) + 2 layers * (complex 8*8*6*2 + 8*8+8) + proj (8*16+16) + (16*4+4)
  EXPECT_EQ(make_model(tiny("fno"))->parameter_count(), 56 + 2 * (768 + 72) + 144 + 68);
  // The default FNO (5 layers, 32 modes, width 256) builds.
  ModelConfig big;
  EXPECT_EQ(make_model(big)->parameter_count(),
            (22 * 256 + 256) + 5 * (256 * 256 * 32 * 2 + 256 * 256 + 256) + (256 * 128 + 128) + (128 * 20 + 20));
}

TEST(Models, SpectralConvolutionGradientMatchesFiniteDifferences) {
  torch::manual_seed(1);
  SpectralConv1d conv(3, 2, 5);
  auto x = torch::randn({2, 3, 16}, torch::kFloat64);
  conv->to(torch::kFloat64);
  auto w = conv->parameters()[0];
  ASSERT_EQ(w.sizes(), (std::vector<int64_t>{3, 2, 5, 2}));  // complex weights as (re, im) pairs
  auto loss_of = [&]() { return conv->forward(x).pow(2).sum(); };
  auto loss = loss_of();
  loss.backward();
  auto g = w.grad().clone();
  torch::NoGradGuard ng;
  const double h = 1e-6;
  for (auto idx : {std::vector<int64_t>{0, 1, 2}, std::vector<int64_t>{2, 0, 4}, std::vector<int64_t>{1, 1, 0}}) {
    for (int64_t part = 0; part < 2; ++part) {
      auto e = w.index({idx[0], idx[1], idx[2], part});
      const double v = e.item<double>();
      e.fill_(v + h);
      const double lp = loss_of().item<double>();
      e.fill_(v - h);
      const double lm = loss_of().item<double>();
      e.fill_(v);
      const double fd = (lp - lm) / (2 * h);
      const double ad = g.index({idx[0], idx[1], idx[2], part}).item<double>();
      EXPECT_NEAR(ad, fd, 1e-6 * std::max(1.0, std::abs(fd))) << idx[0] << idx[1] << idx[2] << " part " << part;
    }
  }
  // The mode-0 imaginary part is dropped by irfft (a real signal's mean is real): zero gradient there.
  EXPECT_EQ(g.index({0, 0, 0, 1}).item<double>(), 0.0);
}

TEST(Models, PeriodicTranslationEquivariance) {
  torch::manual_seed(2);
  for (const char* kind : {"fno", "resnet"}) {
    auto m = make_model(tiny(kind));
    m->to(torch::kFloat64);
    auto u = torch::randn({1, 4, 32}, torch::kFloat64);
    auto dx = torch::ones({1}, torch::kFloat64), dt = torch::ones({1}, torch::kFloat64);
    auto a = torch::roll(m->forward(u, dx, dt), {5}, {2});
    auto b = m->forward(torch::roll(u, {5}, {2}), dx, dt);
    EXPECT_LT((a - b).abs().max().item<double>(), 1e-10) << kind;
  }
}

TEST(Models, RolloutFeedsPredictionsBack) {
  torch::manual_seed(3);
  auto m = make_model(tiny("fno"));
  auto u = torch::randn({2, 4, 32});
  auto dx = torch::ones({2}), dt = torch::ones({2});
  auto r = rollout(*m, u, dx, dt, 10);
  ASSERT_EQ(r.sizes(), (std::vector<int64_t>{2, 10, 32}));
  auto p1 = m->forward(u, dx, dt), p2 = m->forward(p1, dx, dt), p3 = m->forward(p2, dx, dt);
  EXPECT_TRUE(torch::allclose(r.narrow(1, 0, 4), p1));
  EXPECT_TRUE(torch::allclose(r.narrow(1, 4, 4), p2));
  EXPECT_TRUE(torch::allclose(r.narrow(1, 8, 2), p3.narrow(1, 0, 2)));
}

TEST(Models, SaveLoadRoundTripAndErrors) {
  torch::manual_seed(4);
  auto m = make_model(tiny("resnet"));
  const std::string path = std::string(PDESYM_BINARY_DIR) + "/test_models_roundtrip.pt";
  save_model(path, *m);
  auto back = load_model(path);
  EXPECT_EQ(back->config().kind, "resnet");
  EXPECT_TRUE(torch::equal(flatten_parameters(*m), flatten_parameters(*back)));
  std::remove(path.c_str());
  EXPECT_THROW(load_model(path), InputError);
  {
    std::FILE* f = std::fopen(path.c_str(), "w");
    std::fputs("not a model", f);
    std::fclose(f);
  }
  try {
    load_model(path);
    ADD_FAILURE() << "no error for a non-model file";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("not a valid pdesym model"), std::string::npos) << e.what();
  }
  std::remove(path.c_str());

  ModelConfig bad = tiny("transformer");
  EXPECT_THROW(make_model(bad), InputError);
  auto f = make_model(tiny("fno"));
  EXPECT_THROW(f->forward(torch::randn({1, 3, 32}), torch::ones({1}), torch::ones({1})), InputError);  // tw
  EXPECT_THROW(f->forward(torch::randn({1, 4, 8}), torch::ones({1}), torch::ones({1})), InputError);   // modes
  EXPECT_THROW(f->forward(torch::randn({2, 4, 32}), torch::ones({1}), torch::ones({2})), InputError);  // dx
}
