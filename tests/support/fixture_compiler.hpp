// Test support: the one fixture compiler. Every C test filter (tests/data/host/*.c,
// tests/data/wasm/*.c, sources a test writes) is compiled here, the same way: clang-14 for
// wasm32-wasi as a reactor at -O2 (scripts/setup installs it; a missing compiler is an error,
// never a skip). WebAssembly text goes through wat_to_wasm (paths.hpp).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ext::test {

// Compiles `src` to `out` (clang-14 --target=wasm32-wasi -mexec-model=reactor -O2, -I for each
// of `include_dirs`, then `flags`) and returns the module's bytes. Throws Error(toolchain)
// naming the command and carrying clang's output when it fails.
std::string compile_c_fixture(const std::filesystem::path& src, const std::filesystem::path& out,
                              const std::vector<std::string>& flags = {},
                              const std::vector<std::filesystem::path>& include_dirs = {});

}  // namespace ext::test
