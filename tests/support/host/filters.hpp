// Test support for the host: builds the C test filters of tests/data/host against the raw
// proxy-wasm ABI with clang-14 --target=wasm32-wasi (reactor), once per test process.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ext::test::host {

// Bytes of tests/data/host/<name>.c compiled to wasm (cached). Throws when clang fails.
const std::string& filter(const std::string& name);
// The same module written to a file (cached), for e2e tests.
std::filesystem::path filter_file(const std::string& name);

// Compiles arbitrary C source (with proxy_wasm_abi.h on the include path).
std::string compile_c(const std::string& source, const std::vector<std::string>& flags = {});

}  // namespace ext::test::host
