// Test support for the wasm module: binary fixtures assembled from the .wat files in
// tests/data/wasm (with wat2wasm --debug-names, so they carry a `name` section), variants of the
// minimal filter, hand-made binaries (components, truncations) and clang-built C filters.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ext::test::wasm {

// tests/data/wasm/<name>.wat compiled to a binary (cached per process).
const std::string& fixture(const std::string& name);
// Every .wat fixture in tests/data/wasm, compiled: (name, bytes).
std::vector<std::pair<std::string, std::string>> all_fixtures();

// A complete 0.2.1 HTTP filter in text form with `extra` spliced into the module body and the
// named default parts left out (e.g. "allocator", "marker", "memory"). Valid when both are empty.
std::string filter_wat(const std::string& extra = {}, const std::vector<std::string>& omit = {});
// Compiles WAT with --debug-names (plus flags).
std::string assemble(const std::string& wat, const std::vector<std::string>& flags = {});

// A WebAssembly component preamble (version 0x0d, layer 1) followed by an empty core-module
// section, as `wasm-tools component new` starts its output.
std::string component_bytes();

// Compiles tests/data/wasm/<c_file> with clang-14 for wasm32-wasi as a reactor; returns the
// module bytes. Throws with the compiler output on failure.
std::string compile_c(const std::string& c_file, const std::vector<std::string>& extra_flags = {});

}  // namespace ext::test::wasm
