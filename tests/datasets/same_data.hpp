#pragma once
// The one set of test helpers for "the same data": two splits, two attribute sets, two dataset files, equal bit
// for bit.
#include <gtest/gtest.h>

#include <string>

#include "pdesym/datasets/dataset.hpp"

namespace pdesym_test {

/// Same name, layout (dim, components, nt, ny, nx), trajectory count and every array, bit for bit; y and dy in 2-D
/// (in 1-D they hold no data).
inline void expect_same_split(const pdesym::datasets::Split& a, const pdesym::datasets::Split& b) {
  EXPECT_EQ(a.name, b.name);
  EXPECT_EQ(a.shape(), b.shape()) << a.name << ": " << a.shape().describe() << " vs " << b.shape().describe();
  EXPECT_EQ(a.components, b.components) << a.name;
  EXPECT_EQ(a.n, b.n) << a.name;
  EXPECT_EQ(a.u, b.u) << a.name;  // exact: float64 in, float64 out
  EXPECT_EQ(a.x, b.x) << a.name;
  EXPECT_EQ(a.t, b.t) << a.name;
  EXPECT_EQ(a.dx, b.dx) << a.name;
  EXPECT_EQ(a.dt, b.dt) << a.name;
  if (a.dim == 2) {
    EXPECT_EQ(a.y, b.y) << a.name;
    EXPECT_EQ(a.dy, b.dy) << a.name;
  }
}

/// Every file attribute equal.
inline void expect_same_attributes(const pdesym::datasets::Attributes& a, const pdesym::datasets::Attributes& b) {
  EXPECT_EQ(a.equation, b.equation);
  EXPECT_EQ(a.equation_text, b.equation_text);
  EXPECT_EQ(a.coefficients, b.coefficients);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.version, b.version);
  EXPECT_EQ(a.config, b.config);
}

/// The same splits in the same order, each the same data, and the same attributes.
inline void expect_identical_files(const std::string& a, const std::string& b) {
  using namespace pdesym::datasets;
  ASSERT_EQ(list_splits(a), list_splits(b));
  for (const auto& name : list_splits(a)) expect_same_split(read_split(a, name), read_split(b, name));
  expect_same_attributes(read_attributes(a), read_attributes(b));
}

}  // namespace pdesym_test
