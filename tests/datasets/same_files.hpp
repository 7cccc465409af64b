#pragma once
// The one test helper for "these two dataset files hold the same data": every split's arrays and the file's
// attributes equal, bit for bit.
#include <gtest/gtest.h>

#include <string>

#include "pdesym/datasets/dataset.hpp"

namespace pdesym_test {

/// Every data set of every split identical, bit for bit (1-D and n-D, any number of components), and the same
/// attributes.
inline void expect_identical_files(const std::string& a, const std::string& b) {
  using namespace pdesym::datasets;
  ASSERT_EQ(list_splits(a), list_splits(b));
  for (const auto& name : list_splits(a)) {
    const Split sa = read_split(a, name), sb = read_split(b, name);
    EXPECT_EQ(sa.shape(), sb.shape()) << name << ": " << sa.shape().describe() << " vs " << sb.shape().describe();
    EXPECT_EQ(sa.components, sb.components) << name;
    EXPECT_EQ(sa.n, sb.n) << name;
    EXPECT_EQ(sa.u, sb.u) << name;
    EXPECT_EQ(sa.x, sb.x) << name;
    EXPECT_EQ(sa.y, sb.y) << name;
    EXPECT_EQ(sa.t, sb.t) << name;
    EXPECT_EQ(sa.dx, sb.dx) << name;
    EXPECT_EQ(sa.dy, sb.dy) << name;
    EXPECT_EQ(sa.dt, sb.dt) << name;
  }
  const Attributes x = read_attributes(a), y = read_attributes(b);
  EXPECT_EQ(x.equation, y.equation);
  EXPECT_EQ(x.equation_text, y.equation_text);
  EXPECT_EQ(x.coefficients, y.coefficients);
  EXPECT_EQ(x.seed, y.seed);
  EXPECT_EQ(x.version, y.version);
  EXPECT_EQ(x.config, y.config);
}

}  // namespace pdesym_test
