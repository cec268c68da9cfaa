// ext::build — finding a C++ toolchain for wasm32-wasi: wasi-sdk ($WASI_SDK_PATH, /opt/wasi-sdk)
// or Debian's clang-NN + lld-NN + wasi-libc + libc++-NN-dev-wasm32 + libc++abi-NN-dev-wasm32 +
// libclang-rt-NN-dev-wasm32. When nothing fits, the error names what is missing and the
// packages (or WASI_SDK_PATH) that fix it.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ext/core/result.hpp"
#include "ext/util/environment.hpp"

namespace ext::build {

struct CppToolchainSearch {
  std::string wasi_sdk_path;  // $WASI_SDK_PATH (empty: unset)
  std::vector<std::filesystem::path> wasi_sdk_dirs = {"/opt/wasi-sdk"};
  std::string path_env;                     // $PATH, where clang++-NN / clang++ are looked up
  std::filesystem::path system_root = "/";  // where Debian's packages put their files
  static CppToolchainSearch from_environment(const util::Environment& environment);
};

struct CppToolchain {
  std::filesystem::path cxx;                     // clang++
  std::optional<std::filesystem::path> sysroot;  // --sysroot (wasi-sdk); Debian's is built in
  std::string description;                       // "clang++-14 with Debian's wasi-libc"
  std::string identity;  // changes when the compiler or sysroot changes (path, size, mtime)
};

Result<CppToolchain> find_cpp_toolchain(const CppToolchainSearch& search);

}  // namespace ext::build
