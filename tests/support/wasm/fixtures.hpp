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

// filter_wat() with nothing spliced in, as a binary encoded here in the process (no wat2wasm):
// for tests that must start no program (tests/unit/ops). The proxy_log import, one page of
// memory, the 0.2.1 marker, _initialize, proxy_on_memory_allocate, proxy_on_vm_start and
// proxy_on_request_headers, per the WebAssembly binary format (core spec "Binary Format",
// https://github.com/WebAssembly/spec, document/core/binary/modules.rst).
std::string minimal_filter_bytes();

// A WebAssembly component preamble (version 0x0d, layer 1) followed by an empty core-module
// section, as `wasm-tools component new` starts its output.
std::string component_bytes();

// Compiles tests/data/wasm/<c_file> with clang-14 for wasm32-wasi as a reactor; returns the
// module bytes. Throws with the compiler output on failure.
std::string compile_c(const std::string& c_file, const std::vector<std::string>& extra_flags = {});

}  // namespace ext::test::wasm
