#include "ext/build/cpp_toolchain.hpp"

#include <unistd.h>

#include <cstdlib>

#include "ext/util/process.hpp"
#include "ext/util/strings.hpp"

namespace ext::build {

namespace fs = std::filesystem;

namespace {

bool path_exists(const fs::path& p) {
  std::error_code ec;
  return fs::exists(p, ec);
}

// "path size mtime" of a file after following links: enough to notice a compiler upgrade.
std::string file_identity(const fs::path& p) {
  std::error_code ec;
  auto real = fs::canonical(p, ec);
  if (ec) real = p;
  auto size = fs::file_size(real, ec);
  auto mtime = fs::last_write_time(real, ec).time_since_epoch().count();
  return real.string() + " " + std::to_string(size) + " " + std::to_string(mtime);
}

// First file matching <dir>/*/<rest> (e.g. lib/clang/*/lib/wasi/libclang_rt...).
std::optional<fs::path> glob_one(const fs::path& dir, const fs::path& rest) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return std::nullopt;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    auto p = e.path() / rest;
    if (path_exists(p)) return p;
  }
  return std::nullopt;
}

struct Missing {
  std::string what;
  std::string package;
};

}  // namespace

CppToolchainSearch CppToolchainSearch::from_environment(const util::Environment& environment) {
  CppToolchainSearch s;
  s.wasi_sdk_path = environment.value("WASI_SDK_PATH");
  s.path_env = environment.path();
  return s;
}

Result<CppToolchain> find_cpp_toolchain(const CppToolchainSearch& search) {
  // 1. wasi-sdk: named explicitly, then the usual folders.
  auto try_sdk = [](const fs::path& dir) -> std::optional<CppToolchain> {
    auto cxx = dir / "bin" / "clang++";
    auto sysroot = dir / "share" / "wasi-sysroot";
    if (!path_exists(cxx) || !path_exists(sysroot)) return std::nullopt;
    CppToolchain t;
    t.cxx = cxx;
    t.sysroot = sysroot;
    t.description = "wasi-sdk at " + dir.string();
    t.identity = file_identity(cxx) + " " + sysroot.string();
    return t;
  };
  if (!search.wasi_sdk_path.empty()) {
    if (auto t = try_sdk(search.wasi_sdk_path)) return *t;
    return fail(Errc::toolchain,
                "WASI_SDK_PATH=" + search.wasi_sdk_path +
                    " is not a wasi-sdk (expected bin/clang++ and share/wasi-sysroot there)",
                "point WASI_SDK_PATH at an unpacked wasi-sdk release, or unset it to use "
                "Debian's clang");
  }
  for (const auto& dir : search.wasi_sdk_dirs)
    if (auto t = try_sdk(dir)) return *t;

  // 2. Debian: clang++-NN with the wasm32 packages of the same NN.
  const fs::path& root = search.system_root;
  const fs::path libdir = root / "usr/lib/wasm32-wasi";
  const fs::path incdir = root / "usr/include/wasm32-wasi";
  std::vector<Missing> best_missing;
  std::string best_name;
  for (int v = 20; v >= 14; --v) {
    const std::string n = std::to_string(v);
    auto cxx = util::find_program("clang++-" + n, search.path_env);
    if (!cxx) continue;
    std::vector<Missing> missing;
    if (!util::find_program("wasm-ld-" + n, search.path_env) &&
        !path_exists(root / ("usr/lib/llvm-" + n) / "bin/wasm-ld"))
      missing.push_back({"the wasm linker wasm-ld-" + n, "lld-" + n});
    if (!path_exists(libdir / "libc.a") || !path_exists(incdir / "stdlib.h"))
      missing.push_back({"the WASI C library (" + (libdir / "libc.a").string() + ")", "wasi-libc"});
    if (!path_exists(libdir / "libc++.a") ||
        (!path_exists(root / ("usr/lib/llvm-" + n) / "include/wasm32-wasi/c++/v1/string") &&
         !path_exists(incdir / "c++/v1/string")))
      missing.push_back({"libc++ for wasm32 (" + (libdir / "libc++.a").string() + ")",
                         "libc++-" + n + "-dev-wasm32"});
    if (!path_exists(libdir / "libc++abi.a"))
      missing.push_back({"libc++abi for wasm32 (" + (libdir / "libc++abi.a").string() + ")",
                         "libc++abi-" + n + "-dev-wasm32"});
    if (!glob_one(root / ("usr/lib/llvm-" + n) / "lib/clang",
                  "lib/wasi/libclang_rt.builtins-wasm32.a"))
      missing.push_back({"the compiler runtime libclang_rt.builtins-wasm32.a",
                         "libclang-rt-" + n + "-dev-wasm32"});
    if (missing.empty()) {
      CppToolchain t;
      t.cxx = *cxx;
      t.description = "clang++-" + n + " with Debian's wasi-libc and libc++";
      t.identity = file_identity(*cxx) + " " + file_identity(libdir / "libc.a") + " " +
                   file_identity(libdir / "libc++.a");
      return t;
    }
    if (best_name.empty()) {
      best_name = "clang++-" + n;
      best_missing = missing;
    }
  }

  std::vector<std::string> packages;
  std::string message;
  if (best_name.empty()) {
    message =
        "no C++ compiler for wasm32-wasi: neither wasi-sdk (WASI_SDK_PATH, /opt/wasi-sdk) "
        "nor clang++-NN on PATH";
    for (const char* p : {"clang-14", "lld-14", "wasi-libc", "libc++-14-dev-wasm32",
                          "libc++abi-14-dev-wasm32", "libclang-rt-14-dev-wasm32"})
      packages.push_back(p);
  } else {
    std::vector<std::string> what;
    for (const auto& m : best_missing) {
      what.push_back(m.what);
      packages.push_back(m.package);
    }
    message = "the C++ toolchain for wasm32-wasi is incomplete: " + best_name +
              " is there, but not " + util::join(what, ", ");
  }
  return fail(Errc::toolchain, message,
              "install it: apt-get install " + util::join(packages, " ") +
                  "  (or unpack wasi-sdk and set WASI_SDK_PATH)");
}

}  // namespace ext::build
