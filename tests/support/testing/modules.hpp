// Test support for ext::testing: the host's C test filters (tests/data/host/<name>.c) compiled
// with clang-14 for wasm32-wasi, so unit_testing links without the host's test support.
#pragma once

#include <string>

namespace ext::test::testing_support {

// Bytes of tests/data/host/<name>.c as a reactor module (cached per process).
const std::string& module(const std::string& name);

}  // namespace ext::test::testing_support
