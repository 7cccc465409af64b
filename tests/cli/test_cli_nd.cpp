// The pdesym binary on 2-D data end to end: generate (2 ranks) -> discover (nullspace, compared with the known
// 2-D heat algebra) -> augment by the discovered generators -> train a tiny FNO-2d with that augmentation ->
// evaluate with per-component metrics and a rollout plot; and the clear refusals on the way.
#include <gtest/gtest.h>

#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "../datasets/test_util.hpp"
#include "pdesym/datasets/dataset.hpp"
#include "pdesym/symmetry/basis.hpp"

using pdesym_test::exists;
using pdesym_test::run_pdesym;
using pdesym_test::ScratchDir;

TEST(CliNd, HeatTwoDimensionalPipeline) {
  ScratchDir dir;
  const std::string data = dir / "heat2d.h5", sym = dir / "sym.json", aug = dir / "aug.h5";
  const std::string cfg = std::string(PDESYM_SOURCE_DIR) + "/configs/heat2d.yaml";
  auto r = run_pdesym(2, "generate --config " + cfg + " --out " + data + " --train 4 --valid 1 --test 1",
                      dir / "gen.log");
  ASSERT_EQ(r.rc, 0) << r.output;

  // Discovery finds the 14-dimensional degree-2 algebra of the 2-D heat equation and trusts it.
  r = run_pdesym(1, "discover --data " + data + " --out " + sym, dir / "disc.log");
  ASSERT_EQ(r.rc, 0) << r.output;
  const auto res = pdesym::symmetry::read_sym_json(sym);
  EXPECT_EQ(res.generators.cols(), 14) << r.output;
  const pdesym::symmetry::PolynomialBasis basis(2, pdesym::symmetry::Variables::of(2, 1));
  // The data's nu = 0.02, the listed algebra's nu = 1/2: compare the nu-independent part, the translations,
  // rotation, u d_u and the scaling, which must lie in the discovered span.
  Eigen::MatrixXd part(basis.size(), 5);
  const char* gens[] = {"d_t", "d_x", "d_y", "y*d_x - x*d_y", "u*d_u"};
  for (int k = 0; k < 5; ++k) part.col(k) = pdesym::symmetry::parse_generator(gens[k], basis);
  const auto angles = pdesym::symmetry::principal_angles(part, res.generators);
  ASSERT_EQ(angles.size(), 5u);
  EXPECT_LT(angles.back(), 1e-6);
  EXPECT_EQ(res.trust.value("verdict", std::string()), "trusted") << res.trust.dump();

  // Learned methods refuse 2-D data with a clear message; nothing is written.
  r = run_pdesym(1, "discover --data " + data + " --method validity --out " + (dir / "v.json"), dir / "v.log");
  EXPECT_EQ(r.rc, 2) << r.output;
  EXPECT_NE(r.output.find("pdesym: error: --method validity handles 1-D data with one component only"),
            std::string::npos)
      << r.output;
  EXPECT_FALSE(exists(dir / "v.json"));

  // Augmentation by the discovered generators: what the periodic box cannot represent is dropped with a note.
  r = run_pdesym(1, "augment --data " + data + " --generators " + sym + " --copies 1 --out " + aug, dir / "aug.log");
  ASSERT_EQ(r.rc, 0) << r.output;
  const auto in = pdesym::datasets::read_split(data, "train"), out = pdesym::datasets::read_split(aug, "train");
  EXPECT_EQ(out.n, 2 * in.n);
  EXPECT_EQ(out.shape(), in.shape());
  // --keep-grid: the scaling x d_x + y d_y + 2t d_t (it rescales every spacing) is skipped too, with a note, and
  // no listed generator rescales anything.
  r = run_pdesym(1, "augment --data " + data + " --generators " + sym + " --keep-grid --out " + (dir / "kg.h5"),
                 dir / "kg.log");
  ASSERT_EQ(r.rc, 0) << r.output;
  EXPECT_NE(r.output.find("skipped: it rescales each sample's dx, dy, dt (keep-grid)"), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("; rescales each sample's"), std::string::npos) << r.output;
  // A continuous rotation is refused, naming the generator; no file.
  r = run_pdesym(1, "augment --data " + data + " --generators 'gen:y*d_x - x*d_y' --out " + (dir / "rot.h5"),
                 dir / "rot.log");
  EXPECT_EQ(r.rc, 2) << r.output;
  EXPECT_NE(r.output.find("y*d_x - x*d_y"), std::string::npos) << r.output;
  EXPECT_FALSE(exists(dir / "rot.h5"));

#if PDESYM_CLI_HAS_TRAIN
  const std::string model = dir / "fno.pt", ej = dir / "eval.json", png = dir / "rollout.png";
  r = run_pdesym(2, "train --data " + data + " --valid " + data + " --model fno --time-window 4 --width 8 --modes 4"
                        " --layers 2 --epochs 2 --batch-size 4 --rollout-steps 8 --augment " + sym + " --out " + model,
                 dir / "train.log");
  ASSERT_EQ(r.rc, 0) << r.output;
  r = run_pdesym(1, "evaluate --model " + model + " --data " + data + " --rollout-steps 8 --json " + ej + " --plot " +
                        png,
                 dir / "eval.log");
  ASSERT_EQ(r.rc, 0) << r.output;
  std::ifstream f(ej);
  const auto j = nlohmann::json::parse(f);
  ASSERT_TRUE(j.contains("per_component")) << j.dump();
  EXPECT_TRUE(exists(png));
#endif
}
