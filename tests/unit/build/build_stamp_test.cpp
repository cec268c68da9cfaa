#include <catch2/catch.hpp>
#include <thread>

#include "ext/build/build_stamp.hpp"
#include "ext/build/cpp_toolchain.hpp"
#include "ext/build/rust_driver.hpp"
#include "ext/util/files.hpp"

using namespace ext::build;
namespace fs = std::filesystem;

TEST_CASE("parse_depfile reads clang -MD output", "[build]") {
  CHECK(parse_depfile("build/obj/a.o: src/a.cc sdk/x.h \\\n  /usr/include/c++/v1/string\n") ==
        std::vector<std::string>{"src/a.cc", "sdk/x.h", "/usr/include/c++/v1/string"});
  CHECK(parse_depfile("a.o: my\\ dir/a.cc b$$.h\n\nother: x\n") ==
        std::vector<std::string>{"my dir/a.cc", "b$.h"});
  CHECK(parse_depfile("").empty());
}

TEST_CASE("BuildStamp: fresh until a command, key or input changes", "[build]") {
  ext::util::TempDir dir;
  auto base = dir.path();
  ext::util::write_file_atomic(base / "a.cc", "int a;");
  ext::util::write_file_atomic(base / "a.h", "#pragma once");
  BuildStamp s;
  CHECK_FALSE(s.fresh("obj", "k1", base));
  s.record("obj", "k1", {"a.cc", "a.h"}, base);
  CHECK(s.fresh("obj", "k1", base));
  CHECK_FALSE(s.fresh("obj", "k2", base));

  // Same content, new mtime: still fresh (content hash decides).
  auto t = fs::last_write_time(base / "a.h");
  fs::last_write_time(base / "a.h", t + std::chrono::seconds(5));
  CHECK(s.fresh("obj", "k1", base));
  // New content of the same size: stale.
  ext::util::write_file_atomic(base / "a.h", "#pragma twice");
  ext::util::write_file_atomic(base / "a.h", "#pragma ounce");
  CHECK_FALSE(s.fresh("obj", "k1", base));
  s.record("obj", "k1", {"a.cc", "a.h"}, base);

  // Saved and loaded back.
  s.save(base / "stamp" / "s.json");
  auto loaded = BuildStamp::load(base / "stamp" / "s.json");
  CHECK(loaded.fresh("obj", "k1", base));
  CHECK(loaded.inputs("obj") == std::vector<std::string>{"a.cc", "a.h"});
  fs::remove(base / "a.cc");
  CHECK_FALSE(loaded.fresh("obj", "k1", base));
  // A corrupt stamp is an empty one.
  ext::util::write_file_atomic(base / "bad.json", "{not json");
  CHECK_FALSE(BuildStamp::load(base / "bad.json").fresh("obj", "k1", base));
  CHECK(hash_hex("abc") == "e71fa2190541574b");
}

TEST_CASE("BuildStamp: toolchain files (absolute paths) are judged by size and mtime", "[build]") {
  ext::util::TempDir project, toolchain;
  ext::util::write_file_atomic(project.path() / "a.cc", "int a;");
  auto header = (toolchain.path() / "string").string();
  ext::util::write_file_atomic(header, "// libc++");
  BuildStamp s;
  s.record("obj", "k", {"a.cc", header}, project.path());
  CHECK(s.fresh("obj", "k", project.path()));
  // A toolchain header touched (a package upgrade), even with the same bytes: stale.
  fs::last_write_time(header, fs::last_write_time(header) + std::chrono::seconds(5));
  CHECK_FALSE(s.fresh("obj", "k", project.path()));
  s.record("obj", "k", {"a.cc", header}, project.path());
  CHECK(s.fresh("obj", "k", project.path()));
  // The project's own file, touched with the same bytes: still fresh (content hash).
  auto src = project.path() / "a.cc";
  fs::last_write_time(src, fs::last_write_time(src) + std::chrono::seconds(5));
  CHECK(s.fresh("obj", "k", project.path()));
}

TEST_CASE("C++ toolchain missing: the error names what to install", "[build]") {
  ext::util::TempDir empty;
  CppToolchainSearch s;
  s.path_env = (empty.path() / "bin").string();
  s.wasi_sdk_dirs = {};
  s.system_root = empty.path();
  auto r = find_cpp_toolchain(s);
  REQUIRE_FALSE(r);
  CHECK(r.error().code() == ext::Errc::toolchain);
  CHECK_THAT(r.error().message(), Catch::Contains("no C++ compiler for wasm32-wasi"));
  CHECK_THAT(r.error().hint(),
             Catch::Contains("apt-get install clang-14 lld-14 wasi-libc libc++-14-dev-wasm32 "
                             "libc++abi-14-dev-wasm32 libclang-rt-14-dev-wasm32"));
  CHECK_THAT(r.error().hint(), Catch::Contains("WASI_SDK_PATH"));

  // clang++-14 present, but none of Debian's wasm32 libraries (system root is empty).
  fs::create_directories(empty.path() / "bin");
  fs::create_symlink("/bin/true", empty.path() / "bin" / "clang++-14");
  auto partial = find_cpp_toolchain(s);
  REQUIRE_FALSE(partial);
  CHECK_THAT(partial.error().message(), Catch::Contains("clang++-14 is there, but not"));
  CHECK_THAT(partial.error().hint(), Catch::Contains("wasi-libc"));
  CHECK_THAT(partial.error().hint(), Catch::Contains("libclang-rt-14-dev-wasm32"));
  CHECK_THAT(partial.error().hint(), Catch::Contains("lld-14"));

  s.wasi_sdk_path = (empty.path() / "not-a-sdk").string();
  auto bad_sdk = find_cpp_toolchain(s);
  REQUIRE_FALSE(bad_sdk);
  CHECK_THAT(bad_sdk.error().message(), Catch::StartsWith("WASI_SDK_PATH="));
}

TEST_CASE("C++ toolchain: a wasi-sdk folder wins and brings its sysroot", "[build]") {
  ext::util::TempDir sdk;
  fs::create_directories(sdk.path() / "bin");
  fs::create_directories(sdk.path() / "share" / "wasi-sysroot");
  ext::util::write_file_atomic(sdk.path() / "bin" / "clang++", "#!/bin/sh\n", 0755);
  CppToolchainSearch s;
  s.wasi_sdk_dirs = {sdk.path()};
  s.path_env = "";
  auto t = find_cpp_toolchain(s);
  REQUIRE(t);
  CHECK(t->cxx == sdk.path() / "bin" / "clang++");
  REQUIRE(t->sysroot);
  CHECK(*t->sysroot == sdk.path() / "share" / "wasi-sysroot");
}

TEST_CASE("Rust: target by rustc version, artifact name from Cargo.toml", "[build]") {
  CHECK(wasi_target_for("1.63.0") == "wasm32-wasi");
  CHECK(wasi_target_for("1.77.2") == "wasm32-wasi");
  CHECK(wasi_target_for("1.78.0") == "wasm32-wasip1");
  CHECK(wasi_target_for("1.95.0") == "wasm32-wasip1");
  CHECK(wasi_target_for("2.0.0") == "wasm32-wasip1");
  CHECK(*cargo_artifact_name("[package]\nname = \"add-header\"\nversion = \"0.1.0\"\n") ==
        "add_header");
  CHECK(*cargo_artifact_name("[package]\nname = 'a'\n[lib]\nname = \"my-lib\" # x\n") == "my_lib");
  CHECK_FALSE(cargo_artifact_name("[dependencies]\nname = \"x\"\n"));
}
