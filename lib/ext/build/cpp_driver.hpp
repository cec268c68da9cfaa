// ext::build — CppDriver: C++ (and C) filters with clang for wasm32-wasi. Each source compiles
// to an object (clang -c -MD), then one link makes a WASI reactor (-mexec-model=reactor) that
// exports every proxy-wasm callback the code defines (--export-if-defined for each name of
// wasm/abi_list.hpp) plus the allocator (malloc; proxy_on_memory_allocate when defined), and may
// leave only the proxy-wasm host functions (wasm/abi_list.hpp) undefined — they become env.*
// imports, which is how projects written against the official proxy-wasm-cpp-sdk link (list its
// proxy_wasm_intrinsics.cc in build.sources and its folder in build.include_dirs).
// Release: -O2, stripped (clang runs wasm-opt when it is on PATH). Incremental: a unit reruns
// only when its command, the toolchain, or a file it read (its depfile) changed.
#pragma once

#include "ext/build/cpp_toolchain.hpp"
#include "ext/build/driver.hpp"

namespace ext::build {

class CppDriver final : public Driver {
 public:
  explicit CppDriver(CppToolchainSearch search);
  DriverInfo info() const override;
  ToolchainStatus detect(util::ProcessRunner& runner) const override;
  std::filesystem::path output_path(const BuildRequest& request) const override;
  BuildOutput build(const BuildRequest& request) override;

 private:
  CppToolchainSearch m_search;
};

}  // namespace ext::build
