// PolynomialBasis, labels and their parser, known algebras, principal angles and sym.json.
#include <gtest/gtest.h>

#include "../support/expect_error.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <string>

#include "pdesym/common/atomic_file.hpp"
#include "pdesym/common/error.hpp"
#include "pdesym/common/rng.hpp"
#include "pdesym/symmetry/basis.hpp"

using namespace pdesym;
using namespace pdesym::symmetry;

using pdesym_test::expect_input_error;

namespace {

Eigen::MatrixXd random_matrix(int r, int c, std::uint64_t seed) {
  Rng rng(seed);
  Eigen::MatrixXd M(r, c);
  for (int i = 0; i < r; ++i)
    for (int j = 0; j < c; ++j) M(i, j) = rng.normal();
  return M;
}

std::string tmp_path(const std::string& name) { return std::string(PDESYM_BINARY_DIR) + "/" + name; }

}  // namespace

TEST(PolynomialBasis, OrderingNamesAndIndex) {
  PolynomialBasis b(2);
  EXPECT_EQ(b.monomials_per_component(), 10);
  EXPECT_EQ(b.size(), 30);
  const std::vector<std::string> expect = {"1", "x", "t", "u", "x^2", "x*t", "x*u", "t^2", "t*u", "u^2"};
  for (int k = 0; k < 10; ++k) EXPECT_EQ(b.monomials()[k].name(), expect[k]);
  EXPECT_EQ(b.name(0), "xi:1");
  EXPECT_EQ(b.name(11), "tau:x");
  EXPECT_EQ(b.name(29), "phi:u^2");
  EXPECT_EQ(b.index(Component::Tau, {1, 0, 0}), 11);
  EXPECT_EQ(b.index(Component::Phi, {0, 1, 1}), 28);
  EXPECT_EQ(b.index(Component::Xi, {3, 0, 0}), -1);
  EXPECT_EQ(b.component(14), Component::Tau);
  EXPECT_EQ(b.monomial(14).name(), "x^2");
  PolynomialBasis b3(3);
  EXPECT_EQ(b3.monomials_per_component(), 20);
  EXPECT_EQ(b3.monomials()[10].name(), "x^3");
  EXPECT_EQ(b3.monomials()[19].name(), "u^3");
  EXPECT_EQ(Monomial({2, 1, 3}).name(), "x^2*t*u^3");
  EXPECT_DOUBLE_EQ(Monomial({2, 1, 3}).eval(2.0, 3.0, 0.5), 4.0 * 3.0 * 0.125);
  expect_input_error([] { PolynomialBasis(-1); }, "degree");
}

TEST(PolynomialBasis, EvalGivesComponents) {
  PolynomialBasis b(2);
  const Eigen::VectorXd v = parse_generator("x*t*d_x + t^2*d_t + (x - t*u)*d_u", b);
  const auto r = b.eval(v, 2.0, 3.0, 5.0);
  EXPECT_DOUBLE_EQ(r[0], 6.0);
  EXPECT_DOUBLE_EQ(r[1], 9.0);
  EXPECT_DOUBLE_EQ(r[2], 2.0 - 15.0);
}

TEST(Label, ReadableTextbookForms) {
  PolynomialBasis b(2);
  auto e = [&](Component c, Monomial m) { return b.index(c, m); };
  Eigen::VectorXd v = Eigen::VectorXd::Zero(b.size());
  v[e(Component::Xi, {0, 0, 0})] = 1;
  EXPECT_EQ(label(v, b), "d_x");
  v *= -2.5;  // normalisation: first entry in basis order is +1
  EXPECT_EQ(label(v, b), "d_x");

  v.setZero();
  v[e(Component::Xi, {1, 0, 0})] = 0.5;
  v[e(Component::Tau, {0, 1, 0})] = 1.5;
  v[e(Component::Phi, {0, 0, 1})] = -1.0;
  EXPECT_EQ(label(v, b), "x*d_x + 3*t*d_t - 2*u*d_u");

  v.setZero();
  v[e(Component::Xi, {0, 1, 0})] = 1;
  v[e(Component::Phi, {0, 0, 0})] = 1.0 / 3.0;
  EXPECT_EQ(label(v, b), "t*d_x + 0.333333*d_u");

  // Tiny entries (relative to the largest) are dropped.
  v[e(Component::Tau, {2, 0, 0})] = 1e-9;
  EXPECT_EQ(label(v, b), "t*d_x + 0.333333*d_u");
  EXPECT_EQ(label(v, b, 1e-12), "t*d_x + 1e-09*x^2*d_t + 0.333333*d_u");

  EXPECT_EQ(label(known_algebra("burgers", b).col(4), b), "x*t*d_x + t^2*d_t + (x - t*u)*d_u");
  EXPECT_EQ(label(-known_algebra("burgers", b).col(4), b), "x*t*d_x + t^2*d_t + (x - t*u)*d_u");
  EXPECT_EQ(label(parse_generator("d_t - (x + 2*u)*d_u", b), b), "d_t - (x + 2*u)*d_u");
  EXPECT_EQ(label(parse_generator("-t*d_u", b), b), "t*d_u");
  EXPECT_EQ(label(Eigen::VectorXd::Zero(b.size()), b), "0");
}

TEST(ParseGenerator, AcceptsLabelsAndLooseSyntax) {
  PolynomialBasis b(2);
  const Eigen::VectorXd s = parse_generator("x*d_x+3*t*d_t-2*u*d_u", b);
  EXPECT_DOUBLE_EQ(s[b.index(Component::Xi, {1, 0, 0})], 1.0);
  EXPECT_DOUBLE_EQ(s[b.index(Component::Tau, {0, 1, 0})], 3.0);
  EXPECT_DOUBLE_EQ(s[b.index(Component::Phi, {0, 0, 1})], -2.0);
  EXPECT_DOUBLE_EQ(s.cwiseAbs().sum(), 6.0);

  const Eigen::VectorXd boost = parse_generator("t*d_x + d_u", b);
  EXPECT_DOUBLE_EQ(boost[b.index(Component::Xi, {0, 1, 0})], 1.0);
  EXPECT_DOUBLE_EQ(boost[b.index(Component::Phi, {0, 0, 0})], 1.0);
  EXPECT_DOUBLE_EQ(boost.cwiseAbs().sum(), 2.0);

  EXPECT_DOUBLE_EQ(parse_generator("d_x", b)[0], 1.0);
  // Implicit multiplication, parentheses, division by numbers, scientific notation, powers.
  EXPECT_TRUE(parse_generator("x t d_x + t^2 d_t + (x - t u) d_u", b)
                  .isApprox(parse_generator("x*t*d_x + t^2*d_t + x*d_u - t*u*d_u", b)));
  EXPECT_TRUE(parse_generator("(1/2)*x*d_x + 1.5e0*t*d_t", b).isApprox(parse_generator("0.5*x*d_x + 1.5*t*d_t", b)));
  EXPECT_TRUE(parse_generator("d_u*(x+t)^2", b).isApprox(parse_generator("(x^2 + 2*x*t + t^2)*d_u", b)));

  // Round trip through label() for random generators (label normalises the first entry to 1 and prints
  // 6 significant digits).
  Rng rng(7);
  for (int trial = 0; trial < 20; ++trial) {
    Eigen::VectorXd v(b.size());
    for (int i = 0; i < b.size(); ++i) v[i] = rng.uniform() < 0.3 ? std::round(rng.uniform(-5, 5) * 4) / 4 : 0.0;
    if (v.cwiseAbs().maxCoeff() == 0) continue;
    int first = 0;
    while (v[first] == 0) ++first;
    const Eigen::VectorXd back = parse_generator(label(v, b), b);
    EXPECT_LT((back - v / v[first]).norm(), 1e-5 * back.norm()) << label(v, b);
  }
}

TEST(ParseGenerator, BadInputGivesClearErrors) {
  PolynomialBasis b(1);
  expect_input_error([&] { parse_generator("x^2*d_x", b); }, "beyond the basis degree 1");
  expect_input_error([&] { parse_generator("x + d_x", b); }, "not multiplied by d_x, d_t or d_u");
  expect_input_error([&] { parse_generator("d_x*d_t", b); }, "multiplies two of");
  expect_input_error([&] { parse_generator("d_y", b); }, "unknown symbol 'd_y'");
  expect_input_error([&] { parse_generator("(x*d_x", b); }, "missing ')'");
  expect_input_error([&] { parse_generator("", b); }, "empty");
  expect_input_error([&] { parse_generator("d_x/x", b); }, "divide by a number");
  expect_input_error([&] { parse_generator("d_x +", b); }, "unexpected end");
  expect_input_error([&] { parse_generator("d_x # 2", b); }, "unexpected '#'");
}

TEST(KnownAlgebra, DimensionsAndContents) {
  PolynomialBasis b(2);
  EXPECT_EQ(known_algebra("kdv", b).cols(), 4);
  EXPECT_EQ(known_algebra("burgers", b).cols(), 5);
  EXPECT_EQ(known_algebra("ks", b).cols(), 3);
  EXPECT_EQ(known_algebra("mkdv", b).cols(), 3);
  const Eigen::MatrixXd kdv = known_algebra("kdv", b);
  EXPECT_EQ(label(kdv.col(2), b), "t*d_x + d_u");
  EXPECT_EQ(label(kdv.col(3), b), "x*d_x + 3*t*d_t - 2*u*d_u");
  EXPECT_EQ(label(known_algebra("mkdv", b).col(2), b), "x*d_x + 3*t*d_t - u*d_u");
  expect_input_error([&] { known_algebra("navier", b); }, "unknown algebra 'navier' (known: burgers, heat2d, kdv, ks, lambda-omega, mkdv, nls, nls2d, wave2d)");
  expect_input_error([&] { known_algebra("burgers", PolynomialBasis(1)); }, "does not fit a basis of degree 1");
  EXPECT_EQ(known_algebra("kdv", PolynomialBasis(1)).cols(), 4);
  EXPECT_EQ(known_algebra_names().size(), 9u);
}

TEST(PrincipalAngles, KnownAnglesAndInvariances) {
  // Two planes in R^4 at angles 0 and theta.
  for (double theta : {1e-12, 1e-9, 1e-4, 0.3, 1.2, M_PI / 2}) {
    Eigen::MatrixXd A = Eigen::MatrixXd::Zero(4, 2), B = Eigen::MatrixXd::Zero(4, 2);
    A(0, 0) = 1;
    A(1, 1) = 1;
    B(0, 0) = 3;  // scaling does not matter
    B(1, 1) = std::cos(theta);
    B(2, 1) = std::sin(theta);
    B.col(0) += 2 * B.col(1);  // nor does the choice of basis of the span
    const auto ang = principal_angles(A, B);
    ASSERT_EQ(ang.size(), 2u);
    EXPECT_NEAR(ang[0], 0.0, 1e-15);
    EXPECT_NEAR(ang[1], theta, 1e-15 + 1e-12 * theta) << theta;  // accurate also for tiny angles
    EXPECT_NEAR(grassmann_distance(A, B), theta, 1e-15 + 1e-12 * theta);
  }
  // Same span written differently: distance 0 (to rounding).
  const Eigen::MatrixXd A = random_matrix(30, 4, 1);
  const Eigen::MatrixXd B = A * random_matrix(4, 4, 2);
  EXPECT_LT(grassmann_distance(A, B), 1e-12);
  // Dimensions differ: missing directions count pi/2.
  EXPECT_EQ(principal_angles(A, A.leftCols(3)).size(), 3u);
  EXPECT_NEAR(grassmann_distance(A, A.leftCols(3)), M_PI / 2, 1e-12);
  EXPECT_NEAR(grassmann_distance(A.leftCols(3), A), M_PI / 2, 1e-12);
  // Rank-deficient input counts its rank only.
  Eigen::MatrixXd D(30, 3);
  D << A.col(0), A.col(1), A.col(0) + A.col(1);
  EXPECT_EQ(principal_angles(D, A).size(), 2u);
  EXPECT_NEAR(grassmann_distance(D, A.leftCols(2)), 0.0, 1e-12);
  // Empty.
  EXPECT_TRUE(principal_angles(Eigen::MatrixXd(30, 0), A).empty());
  EXPECT_NEAR(grassmann_distance(Eigen::MatrixXd(30, 0), A), 2 * M_PI / 2, 1e-12);
  // Random pair compared against the cosine formula.
  const Eigen::MatrixXd C = random_matrix(30, 3, 3);
  Eigen::HouseholderQR<Eigen::MatrixXd> qa(A), qc(C);
  const Eigen::MatrixXd Qa = qa.householderQ() * Eigen::MatrixXd::Identity(30, 4);
  const Eigen::MatrixXd Qc = qc.householderQ() * Eigen::MatrixXd::Identity(30, 3);
  Eigen::JacobiSVD<Eigen::MatrixXd> svd(Qa.transpose() * Qc);
  const auto ang = principal_angles(A, C);
  for (int i = 0; i < 3; ++i) EXPECT_NEAR(std::cos(ang[i]), svd.singularValues()[i], 1e-12);
  expect_input_error([&] { principal_angles(A, Eigen::MatrixXd(29, 2)); }, "different dimensions");
}

TEST(PrincipalAngles, KnownAlgebrasRelations) {
  PolynomialBasis b(2);
  // KS algebra is the KdV algebra without scaling: 3 angles 0, one missing direction.
  EXPECT_NEAR(grassmann_distance(known_algebra("kdv", b), known_algebra("ks", b)), M_PI / 2, 1e-12);
  const auto ang = principal_angles(known_algebra("kdv", b), known_algebra("ks", b));
  for (double a : ang) EXPECT_NEAR(a, 0.0, 1e-14);
  // The KdV boost t d_x + d_u is orthogonal to the mKdV algebra.
  const auto am = principal_angles(known_algebra("mkdv", b), parse_generator("t*d_x + d_u", b));
  ASSERT_EQ(am.size(), 1u);
  EXPECT_NEAR(am[0], M_PI / 2, 1e-12);
}

TEST(SymJson, RoundTripAndContents) {
  PolynomialBasis b(2);
  SymmetryResult r;
  r.method = "nullspace";
  r.basis = b;
  r.generators = known_algebra("kdv", b);
  r.generators(5, 1) = 1e-13;  // unrounded coefficients are kept
  r.singular_values = {3.0, 2.0, 1e-14};
  r.identified_equation = "u_t = -1*u*u_x - 1*u_xxx";
  r.extra = {{"rank", 4}, {"gap", 1e9}};
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j["method"], "nullspace");
  EXPECT_EQ(j["basis"]["degree"], 2);
  EXPECT_EQ(j["basis"]["names"].size(), 30u);
  EXPECT_EQ(j["basis"]["names"][11], "tau:x");
  ASSERT_EQ(j["generators"].size(), 4u);
  EXPECT_EQ(j["generators"][3]["label"], "x*d_x + 3*t*d_t - 2*u*d_u");
  EXPECT_EQ(j["generators"][3]["tau"]["t"], 3.0);
  EXPECT_EQ(j["generators"][3]["phi"]["u"], -2.0);
  EXPECT_EQ(j["generators"][3]["coefficients"].size(), 30u);
  EXPECT_EQ(j["identified_equation"], r.identified_equation);
  EXPECT_EQ(j["extra"]["rank"], 4);

  const std::string path = tmp_path("test_symjson_roundtrip.json");
  write_sym_json(path, r);
  EXPECT_FALSE(file_exists(path + ".tmp"));
  const SymmetryResult back = read_sym_json(path);
  EXPECT_EQ(back.method, r.method);
  EXPECT_EQ(back.basis.degree(), 2);
  EXPECT_EQ(back.generators, r.generators);  // exact: JSON keeps doubles to round-trip precision
  EXPECT_EQ(back.singular_values, r.singular_values);
  EXPECT_EQ(back.identified_equation, r.identified_equation);
  EXPECT_EQ(back.extra["gap"], 1e9);
  std::remove(path.c_str());

  // Hand-written documents: labels only, or xi/tau/phi maps only.
  const nlohmann::json hand = nlohmann::json::parse(R"({"method": "manual", "basis": {"degree": 1},
      "generators": [{"label": "t*d_x + d_u"}, {"xi": {"x": 1}, "tau": {"t": 3}, "phi": {"u": -2}}]})");
  const SymmetryResult h = from_json(hand);
  EXPECT_LT(grassmann_distance(h.generators, known_algebra("kdv", h.basis).rightCols(2)), 1e-14);
}

TEST(SymJson, MalformedDocumentsGiveClearErrors) {
  auto bad = [](const std::string& text, const std::string& needle) {
    expect_input_error([&] { from_json(nlohmann::json::parse(text)); }, needle);
  };
  bad("[1, 2]", "must be a JSON object");
  bad(R"({"basis": {"degree": 1}, "generators": []})", "missing string key 'method'");
  bad(R"({"method": "m", "generators": []})", "missing object key 'basis'");
  bad(R"({"method": "m", "basis": {"degree": "two"}, "generators": []})", "basis.degree must be an integer");
  bad(R"({"method": "m", "basis": {"degree": 1}})", "missing array 'generators'");
  bad(R"({"method": "m", "basis": {"degree": 1}, "generators": [{"coefficients": [1, 2]}]})",
      "generators[0].coefficients must be an array of 12 numbers");
  bad(R"({"method": "m", "basis": {"degree": 0}, "generators": [{"coefficients": [1, null, 0]}]})",
      "generators[0].coefficients[1] must be a number");
  bad(R"({"method": "m", "basis": {"degree": 1}, "generators": [{"xi": {"y": 1}}]})", "unknown monomial 'y'");
  bad(R"({"method": "m", "basis": {"degree": 1}, "generators": [{}]})", "has none of");
  bad(R"({"method": "m", "basis": {"degree": 0, "names": ["phi:1", "tau:1", "xi:1"]}, "generators": []})",
      "basis.names[0]");
  bad(R"({"format": "other", "method": "m", "basis": {"degree": 0}, "generators": []})", "format is");
  bad(R"({"method": "m", "basis": {"degree": 1}, "generators": [{"label": "x^2*d_x"}]})", "beyond the basis degree");

  const std::string path = tmp_path("test_symjson_bad.json");
  write_text_atomic(path, "{ not json");
  expect_input_error([&] { read_sym_json(path); }, "is not valid JSON");
  write_text_atomic(path, R"({"method": 3})");
  expect_input_error([&] { read_sym_json(path); }, "test_symjson_bad.json': sym.json: missing string key 'method'");
  std::remove(path.c_str());
  expect_input_error([&] { read_sym_json("/nonexistent/sym.json"); }, "does not exist");
}

TEST(ChangeBasis, EmbedsAndRefusesWhatDoesNotFit) {
  PolynomialBasis b1(1), b2(2), b3(3);
  const Eigen::MatrixXd K1 = known_algebra("kdv", b1);
  const Eigen::MatrixXd K3 = change_basis(K1, b1, b3);
  EXPECT_LT(grassmann_distance(K3, known_algebra("kdv", b3)), 1e-15);
  EXPECT_EQ(label(K3.col(3), b3), "x*d_x + 3*t*d_t - 2*u*d_u");
  EXPECT_EQ(change_basis(K3, b3, b1), K1);
  expect_input_error([&] { change_basis(known_algebra("burgers", b2), b2, b1); }, "cannot represent");
  expect_input_error([&] { change_basis(K1, b2, b1); }, "coefficients");
}
