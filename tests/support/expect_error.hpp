#pragma once
// The one test helper for "this call must fail with an InputError that says ...".
#include <gtest/gtest.h>

#include <exception>
#include <functional>
#include <initializer_list>
#include <string>

#include "pdesym/common/error.hpp"

namespace pdesym_test {

/// Expects `f` to throw pdesym::InputError whose message contains every one of `parts`.
inline void expect_input_error(const std::function<void()>& f, std::initializer_list<std::string> parts) {
  try {
    f();
    ADD_FAILURE() << "expected pdesym::InputError";
  } catch (const pdesym::InputError& e) {
    const std::string msg = e.what();
    for (const auto& p : parts) EXPECT_NE(msg.find(p), std::string::npos) << "message: " << msg << "\nmissing: " << p;
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected pdesym::InputError, got another exception: " << e.what();
  }
}

/// Expects `f` to throw pdesym::InputError whose message contains `needle`.
inline void expect_input_error(const std::function<void()>& f, const std::string& needle) {
  expect_input_error(f, {needle});
}

}  // namespace pdesym_test
