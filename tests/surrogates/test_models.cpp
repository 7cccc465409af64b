// Surrogate models: shapes, the GEMM formulation of the FNO against the complex-FFT one (values and gradients),
// periodic translation equivariance, parameter flattening, save/load round trips and format versions, input
// errors.
#include <gtest/gtest.h>

#include <cstdio>

#include "pdesym/common/error.hpp"
#include "pdesym/surrogates/models.hpp"
#include "pdesym/surrogates/train.hpp"
#include "tiny_data.hpp"

using namespace pdesym;
using namespace pdesym::surrogates;

namespace {
ModelConfig tiny(const std::string& kind) { return testdata::tiny_model(kind, 6); }
// The spectral convolution as it was written before the GEMM formulation (format version 1): complex einsum of
// the kept rfft modes, zero-filled spectrum, irfft. weight is the current layout [modes, 2, in, out].
torch::Tensor spectral_reference(const torch::Tensor& x, const torch::Tensor& weight) {
  const long B = x.size(0), nx = x.size(2), nk = nx / 2 + 1, modes = weight.size(0), out = weight.size(3);
  auto w = torch::view_as_complex(weight.permute({2, 3, 0, 1}).contiguous());  // [in, out, modes]
  auto xf = torch::fft::rfft(x, c10::nullopt, -1);
  auto y = torch::einsum("bim,iom->bom", {xf.narrow(-1, 0, modes), w});
  if (nk > modes) y = torch::cat({y, torch::zeros({B, out, nk - modes}, y.options())}, -1);
  return torch::fft::irfft(y, nx, -1);
}

// The whole Fno1d in the former formulation (Conv1d pointwise layers, spectral_reference), same parameters.
torch::Tensor fno_reference(Surrogate& m, const torch::Tensor& u, const torch::Tensor& dx, const torch::Tensor& dt) {
  auto P = m.named_parameters();
  auto pw = [&](const std::string& name, const torch::Tensor& x) {
    return torch::conv1d(x, P[name + ".weight"], P[name + ".bias"]);
  };
  const long B = u.size(0), nx = u.size(2);
  auto x = torch::cat({u, dx.reshape({B, 1, 1}).expand({B, 1, nx}), dt.reshape({B, 1, 1}).expand({B, 1, nx})}, 1);
  x = pw("lift", x);
  const int L = m.config().layers;
  for (int i = 0; i < L; ++i) {
    auto y = spectral_reference(x, P["spectral" + std::to_string(i) + ".weight"]) +
             pw("pointwise" + std::to_string(i), x);
    x = (i + 1 < L) ? torch::gelu(y) : y;
  }
  return pw("proj2", torch::gelu(pw("proj1", x)));
}

double rel_max(const torch::Tensor& a, const torch::Tensor& ref) {
  return (a.to(torch::kFloat64) - ref.to(torch::kFloat64)).abs().max().item<double>() /
         ref.abs().max().item<double>();
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
  ASSERT_EQ(w.sizes(), (std::vector<int64_t>{5, 2, 3, 2}));  // [modes, (re, im), in, out]
  auto loss_of = [&]() { return conv->forward(x).pow(2).sum(); };
  auto loss = loss_of();
  loss.backward();
  auto g = w.grad().clone();
  torch::NoGradGuard ng;
  const double h = 1e-6;
  // idx = (in, out, mode) as in the former layout [in, out, modes, 2]
  for (auto idx : {std::vector<int64_t>{0, 1, 2}, std::vector<int64_t>{2, 0, 4}, std::vector<int64_t>{1, 1, 0}}) {
    for (int64_t part = 0; part < 2; ++part) {
      auto e = w.index({idx[2], part, idx[0], idx[1]});
      const double v = e.item<double>();
      e.fill_(v + h);
      const double lp = loss_of().item<double>();
      e.fill_(v - h);
      const double lm = loss_of().item<double>();
      e.fill_(v);
      const double fd = (lp - lm) / (2 * h);
      const double ad = g.index({idx[2], part, idx[0], idx[1]}).item<double>();
      EXPECT_NEAR(ad, fd, 1e-6 * std::max(1.0, std::abs(fd))) << idx[0] << idx[1] << idx[2] << " part " << part;
    }
  }
  // The mode-0 imaginary part is dropped by irfft (a real signal's mean is real): zero gradient there.
  EXPECT_EQ(g.index({0, 1, 0, 0}).item<double>(), 0.0);
}

TEST(Models, SpectralGemmFormulationEqualsComplexFft) {
  torch::manual_seed(11);
  // (in, out, modes, nx): fewer modes than nx/2 + 1, all of them with the Nyquist mode (even nx), odd nx.
  for (auto c : {std::vector<int>{6, 5, 7, 32}, std::vector<int>{4, 3, 9, 16}, std::vector<int>{3, 4, 8, 15}}) {
    SpectralConv1d conv(c[0], c[1], c[2]);
    auto x = torch::randn({3, c[0], c[3]});
    // float32: the GEMM path against the former formulation evaluated in double on the same values.
    auto y = conv->forward(x);
    auto ref = spectral_reference(x.to(torch::kFloat64), conv->weight().to(torch::kFloat64));
    EXPECT_LT(rel_max(y, ref), 1e-6) << c[0] << " " << c[1] << " " << c[2] << " " << c[3];
    // float64: values and the gradients of a scalar loss with respect to input and weights.
    conv->to(torch::kFloat64);
    auto xd = x.to(torch::kFloat64).requires_grad_(true);
    auto wd = conv->weight();
    auto probe = torch::randn({3, c[1], c[3]}, torch::kFloat64);
    auto y1 = conv->forward(xd);
    auto [gx1, gw1] = [&] {
      auto g = torch::autograd::grad({(y1 * probe).sum()}, {xd, wd});
      return std::make_pair(g[0], g[1]);
    }();
    auto y2 = spectral_reference(xd, wd);
    auto g2 = torch::autograd::grad({(y2 * probe).sum()}, {xd, wd});
    EXPECT_LT(rel_max(y1, y2), 1e-13);
    EXPECT_LT(rel_max(gx1, g2[0]), 1e-12);
    EXPECT_LT(rel_max(gw1, g2[1]), 1e-12);
  }
}

TEST(Models, FnoGemmFormulationEqualsConvAndFftFormulation) {
  torch::manual_seed(12);
  auto m = make_model(tiny("fno"));
  auto u = torch::randn({5, 4, 32});
  auto dx = torch::full({5}, 0.25), dt = torch::full({5}, 0.1);
  // float32 model against the former formulation in double on the same parameters
  auto y = m->forward(u, dx, dt);
  auto md = make_model(tiny("fno"));
  {
    torch::NoGradGuard ng;
    md->to(torch::kFloat64);
    auto a = md->parameters(), b = m->parameters();
    for (std::size_t i = 0; i < a.size(); ++i) a[i].copy_(b[i]);
  }
  auto ud = u.to(torch::kFloat64), dxd = dx.to(torch::kFloat64), dtd = dt.to(torch::kFloat64);
  EXPECT_LT(rel_max(y, fno_reference(*md, ud, dxd, dtd)), 1e-6);
  // float64: every parameter's gradient of a loss equals the former formulation's.
  auto probe = torch::randn({5, 4, 32}, torch::kFloat64);
  auto params = md->parameters();
  auto g1 = torch::autograd::grad({(md->forward(ud, dxd, dtd) * probe).sum()}, params);
  auto g2 = torch::autograd::grad({(fno_reference(*md, ud, dxd, dtd) * probe).sum()}, params);
  ASSERT_EQ(g1.size(), g2.size());
  for (std::size_t i = 0; i < g1.size(); ++i) EXPECT_LT(rel_max(g1[i], g2[i]), 1e-11) << "parameter " << i;
}

TEST(Models, FormatVersion1FilesAreConvertedOnLoad) {
  torch::manual_seed(13);
  auto m = make_model(tiny("fno"));
  const std::string path = std::string(PDESYM_BINARY_DIR) + "/test_models_v1.pt";
  // A version-1 model file: no "format_version", spectral weights as [in, out, modes, 2].
  {
    torch::serialize::OutputArchive ar, sub;
    ar.write("format", c10::IValue(std::string("pdesym-surrogate")));
    ar.write("model_config", c10::IValue(m->config().to_json().dump()));
    for (const auto& child : m->named_children()) {
      torch::serialize::OutputArchive c;
      const bool spectral = child.key().rfind("spectral", 0) == 0;
      for (const auto& kv : child.value()->named_parameters(false))
        c.write(kv.key(), spectral ? kv.value().permute({2, 3, 0, 1}).contiguous() : kv.value());
      sub.write(child.key(), c);
    }
    ar.write("model", sub);
    ar.save_to(path);
  }
  auto back = load_model(path);
  EXPECT_TRUE(torch::equal(flatten_parameters(*m), flatten_parameters(*back)));
  auto u = torch::randn({2, 4, 32});
  EXPECT_TRUE(torch::equal(m->forward(u, torch::ones({2}), torch::ones({2})),
                           back->forward(u, torch::ones({2}), torch::ones({2}))));
  // An unknown version is refused with a message naming it.
  {
    torch::serialize::OutputArchive ar, sub;
    ar.write("format", c10::IValue(std::string("pdesym-surrogate")));
    ar.write("format_version", c10::IValue(static_cast<int64_t>(kModelFormatVersion + 1)));
    ar.write("model_config", c10::IValue(m->config().to_json().dump()));
    m->save(sub);
    ar.write("model", sub);
    ar.save_to(path);
  }
  try {
    load_model(path);
    ADD_FAILURE() << "no error for an unknown format version";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("format version " + std::to_string(kModelFormatVersion + 1)),
              std::string::npos)
        << e.what();
  }
  std::remove(path.c_str());
}

TEST(Models, ResumeRefusesFormatVersion1FnoCheckpoint) {
  const datasets::Split data = testdata::tiny_kdv("train", 2, 1);
  TrainOptions o;
  o.model = tiny("fno");
  o.epochs = 1;
  o.batch_size = 2;
  o.windows_per_trajectory = 1;
  o.progress = false;
  o.threads = 1;
  o.out = std::string(PDESYM_BINARY_DIR) + "/test_models_resume_v1.pt";
  train(whole(data), nullptr, o);
  // A version-1 checkpoint of the same run: the format tag and signature without "format_version" (the
  // version is checked before anything else is read).
  {
    torch::serialize::InputArchive in;
    in.load_from(o.out);
    c10::IValue sig;
    in.read("signature", sig);
    torch::serialize::OutputArchive out;
    out.write("format", c10::IValue(std::string("pdesym-surrogate")));
    out.write("signature", sig);
    out.save_to(o.out);
  }
  o.resume = true;
  o.epochs = 2;
  try {
    train(whole(data), nullptr, o);
    ADD_FAILURE() << "resumed from a version-1 FNO checkpoint";
  } catch (const InputError& e) {
    EXPECT_NE(std::string(e.what()).find("checkpoint format version 1"), std::string::npos) << e.what();
  }
  std::remove(o.out.c_str());
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
