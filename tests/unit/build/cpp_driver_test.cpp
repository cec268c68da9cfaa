// CppDriver with the real clang (Debian's clang-14 + wasi-libc + libc++ on this machine).
#include <catch2/catch.hpp>

#include "ext/build/cpp_driver.hpp"
#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"
#include "ext/wasm/module.hpp"
#include "support/build/build_fixtures.hpp"
#include "support/paths.hpp"

using namespace ext::build;
namespace fs = std::filesystem;

namespace {

bool contains(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

ext::wasm::ModuleInfo check_module(const fs::path& path) {
  auto info = ext::wasm::read_module_file(path);
  REQUIRE(info);
  auto findings = ext::wasm::validate(*info);
  for (const auto& f : findings) INFO(f.rule << ": " << f.message);
  CHECK_FALSE(ext::wasm::has_errors(findings));
  return *info;
}

}  // namespace

TEST_CASE("CppDriver --dry-run: the commands, nothing run", "[build]") {
  ext::util::TempDir tmp;
  ext::test::copy_project(ext::test::source_dir() / "examples/cpp-add-header", tmp.path());
  ext::CollectingReporter reporter;
  ext::test::FakeBuildRunner runner;
  auto req = ext::test::request_for(tmp.path(), reporter, runner);
  req.dry_run = true;
  req.extra_args = {"-DEXTRA=1"};
  auto out = ext::test::cpp_driver()->build(req);
  CHECK(runner.calls().empty());
  REQUIRE(out.commands.size() == 2);
  const auto& compile = out.commands[0];
  const auto& link = out.commands[1];
  for (const char* flag :
       {"--target=wasm32-wasi", "-std=c++17", "-O2", "-DNDEBUG", "-fno-exceptions", "-Isdk",
        "-DEXTRA=1", "-MD", "-c src/filter.cc", "-o build/release/obj/src_filter.cc.o"})
    CHECK(contains(compile, flag));
  for (const char* flag : {"-mexec-model=reactor", "-Wl,@build/release/proxy-wasm.link",
                           "-Wl,--strip-all", "-o build/release/cpp-add-header.wasm"})
    CHECK(contains(link, flag));
  CHECK(out.module == tmp.path() / "build/release/cpp-add-header.wasm");
  CHECK_FALSE(fs::exists(tmp.path() / "build"));  // a dry run writes nothing
  CHECK(reporter.of("debug").size() == 2);        // -v shows each command

  req.release = false;
  auto debug = ext::test::cpp_driver()->build(req);
  CHECK(contains(debug.commands[0], "-O0 -g"));
  CHECK_FALSE(contains(debug.commands[1], "--strip-all"));
  CHECK(debug.module == tmp.path() / "build/debug/cpp-add-header.wasm");
}

TEST_CASE("CppDriver builds the examples with clang, rebuilds only what changed", "[build]") {
  ext::util::TempDir tmp;
  ext::test::copy_project(ext::test::source_dir() / "examples/cpp-add-header", tmp.path());
  ext::CollectingReporter reporter;
  ext::util::SubprocessRunner runner{ext::test::host_environment()};
  auto req = ext::test::request_for(tmp.path(), reporter, runner);

  auto first = ext::test::cpp_driver()->build(req);
  CHECK_FALSE(first.up_to_date);
  CHECK(first.commands.size() == 2);
  auto info = check_module(first.module);
  CHECK(info.abi_version == "0.2.1");
  CHECK(info.size < 64 * 1024);  // the release module of the template stays small
  CHECK(info.exports_function("proxy_on_response_headers"));
  CHECK(info.exports_function("proxy_on_memory_allocate"));
  CHECK(info.exports_function("malloc"));
  CHECK(info.exports_function("_initialize"));
  for (const auto& imp : info.imports) CHECK(imp.module == "env");  // no WASI needed

  // No-op: nothing runs (a runner that only records sees no call: no compiler, no linker, no
  // probe; the stamp alone decides).
  ext::test::FakeRunner watch;
  auto noop = req;
  noop.runner = &watch;
  auto again = ext::test::cpp_driver()->build(noop);
  CHECK(again.up_to_date);
  CHECK(again.commands.empty());
  CHECK(watch.calls().empty());

  // A header changes -> the source recompiles. A flag changes -> so does the command.
  auto header = tmp.path() / "sdk/proxy_wasm_json.h";
  ext::util::write_file_atomic(header, ext::util::read_file(header) + "\n// touched\n");
  auto third = ext::test::cpp_driver()->build(req);
  CHECK_FALSE(third.up_to_date);
  CHECK(third.commands.size() == 2);
  req.extra_args = {"-DSOMETHING"};
  CHECK(ext::test::cpp_driver()->build(req).commands.size() == 2);
  CHECK(ext::test::cpp_driver()->build(req).up_to_date);
  // The module is removed -> relink only.
  fs::remove(first.module);
  auto relink = ext::test::cpp_driver()->build(req);
  CHECK(relink.commands.size() == 1);
  CHECK(fs::exists(first.module));

  // The debug build keeps names and is larger.
  req.release = false;
  auto debug = ext::test::cpp_driver()->build(req);
  auto dinfo = check_module(debug.module);
  CHECK(dinfo.size > info.size);
}

TEST_CASE("CppDriver: several sources compile at once, a failure keeps the others' objects",
          "[build]") {
  ext::util::TempDir tmp;
  ext::test::copy_project(ext::test::source_dir() / "examples/cpp-add-header", tmp.path());
  // The filter plus three extra translation units.
  for (int i = 1; i <= 3; ++i)
    ext::util::write_file_atomic(
        tmp.path() / ("src/extra" + std::to_string(i) + ".cc"),
        "int extra" + std::to_string(i) + "() { return " + std::to_string(i) + "; }\n");
  ext::util::write_file_atomic(tmp.path() / "src/extra2.cc", "int extra2( { return 2; }\n");
  auto yaml = ext::util::read_file(tmp.path() / "ext.yaml");
  auto at = yaml.find("sources: [src/filter.cc]");
  REQUIRE(at != std::string::npos);
  yaml.replace(at, 24, "sources: [src/extra1.cc, src/extra2.cc, src/extra3.cc, src/filter.cc]");
  ext::util::write_file_atomic(tmp.path() / "ext.yaml", yaml);
  ext::CollectingReporter reporter;
  ext::util::SubprocessRunner runner{ext::test::host_environment()};
  auto req = ext::test::request_for(tmp.path(), reporter, runner);
  try {
    ext::test::cpp_driver()->build(req);
    FAIL("expected a compile error");
  } catch (const ext::Error& e) {
    CHECK_THAT(e.message(), Catch::StartsWith("compiling src/extra2.cc failed"));
    CHECK_THAT(e.message(), Catch::Contains("src/extra2.cc:1:"));
  }
  // Fixed: only the broken source compiles again (the others finished, or were stopped
  // before starting and compile now), then the link.
  ext::util::write_file_atomic(tmp.path() / "src/extra2.cc", "int extra2() { return 2; }\n");
  auto fixed = ext::test::cpp_driver()->build(req);
  CHECK(fixed.commands.size() >= 2);
  CHECK(fixed.commands.size() <= 5);
  bool compiled_extra2 = false;
  for (const auto& c : fixed.commands)
    compiled_extra2 |= c.find("-c src/extra2.cc") != std::string::npos;
  CHECK(compiled_extra2);
  check_module(fixed.module);
  auto again = ext::test::cpp_driver()->build(req);
  CHECK(again.up_to_date);
  // All four objects are in the link, in source order.
  req.dry_run = true;
  auto dry = ext::test::cpp_driver()->build(req);
  REQUIRE(dry.commands.size() == 5);
  CHECK_THAT(dry.commands[0], Catch::Contains("-c src/extra1.cc"));
  CHECK_THAT(dry.commands[3], Catch::Contains("-c src/filter.cc"));
  CHECK_THAT(dry.commands[4], Catch::Contains("src_extra1.cc.o build/release/obj/src_extra2.cc.o"));
}

TEST_CASE("CppDriver: the auth example and the network template build and validate", "[build]") {
  ext::util::TempDir tmp;
  ext::test::copy_project(ext::test::source_dir() / "examples/cpp-auth-deny", tmp.path());
  ext::CollectingReporter reporter;
  ext::util::SubprocessRunner runner{ext::test::host_environment()};
  auto out = ext::test::cpp_driver()->build(ext::test::request_for(tmp.path(), reporter, runner));
  auto info = check_module(out.module);
  bool imports_local_response = false;
  for (const auto& imp : info.imports)
    imports_local_response |= imp.name == "proxy_send_local_response";
  CHECK(imports_local_response);
}

TEST_CASE("CppDriver: a compile error shows the compiler output", "[build]") {
  ext::util::TempDir tmp;
  ext::test::copy_project(ext::test::source_dir() / "examples/cpp-add-header", tmp.path());
  ext::util::write_file_atomic(tmp.path() / "src/filter.cc",
                               "#include \"proxy_wasm.h\"\nint broken( { return 0; }\n");
  ext::CollectingReporter reporter;
  ext::util::SubprocessRunner runner{ext::test::host_environment()};
  auto req = ext::test::request_for(tmp.path(), reporter, runner);
  try {
    ext::test::cpp_driver()->build(req);
    FAIL("expected a compile error");
  } catch (const ext::Error& e) {
    CHECK(e.code() == ext::Errc::toolchain);
    CHECK_THAT(e.message(), Catch::StartsWith("compiling src/filter.cc failed"));
    CHECK_THAT(e.message(), Catch::Contains("src/filter.cc:2:"));
    CHECK_THAT(e.message(), Catch::Contains("error:"));
  }
  CHECK_FALSE(fs::exists(tmp.path() / "build/release/cpp-add-header.wasm"));

  // A missing source is named before anything runs.
  ext::util::write_file_atomic(tmp.path() / "ext.yaml",
                               "name: x\nlanguage: cpp\nbuild: {sources: [src/nope.cc]}\n");
  ext::test::FakeBuildRunner fake;
  auto missing = ext::test::request_for(tmp.path(), reporter, fake);
  try {
    ext::test::cpp_driver()->build(missing);
    FAIL("expected a missing-source error");
  } catch (const ext::Error& e) {
    CHECK(e.code() == ext::Errc::not_found);
    CHECK_THAT(e.message(), Catch::Contains("src/nope.cc"));
  }
  CHECK(fake.calls().empty());
}

TEST_CASE("CppDriver: code in the official SDK's style links (plain extern host functions)",
          "[build]") {
  // The official proxy-wasm-cpp-sdk declares host functions as plain `extern "C"` and exports
  // callbacks by name only; the link must turn the former into env imports and export the latter.
  ext::util::TempDir tmp;
  fs::create_directories(tmp.path() / "src");
  ext::util::write_file_atomic(tmp.path() / "ext.yaml",
                               "name: plain\nlanguage: cpp\nbuild: {sources: [src/plain.cc]}\n");
  ext::util::write_file_atomic(tmp.path() / "src/plain.cc", R"(
#include <stdint.h>
#include <stdlib.h>
extern "C" uint32_t proxy_log(uint32_t level, const char* msg, size_t size);
extern "C" void proxy_abi_version_0_2_1() {}
extern "C" void proxy_on_context_create(uint32_t, uint32_t) {}
extern "C" uint32_t proxy_on_configure(uint32_t, uint32_t) { proxy_log(2, "hi", 2); return 1; }
extern "C" uint32_t proxy_on_request_headers(uint32_t, uint32_t, uint32_t) { return 0; }
static int unrelated_helper() { return 1; }
int keep = unrelated_helper();
)");
  ext::CollectingReporter reporter;
  ext::util::SubprocessRunner runner{ext::test::host_environment()};
  auto req = ext::test::request_for(tmp.path(), reporter, runner);
  auto out = ext::test::cpp_driver()->build(req);
  auto info = check_module(out.module);
  CHECK(info.abi_version == "0.2.1");
  CHECK(info.exports_function("proxy_on_configure"));
  CHECK(info.exports_function("proxy_on_request_headers"));
  CHECK_FALSE(info.exports_function("proxy_on_response_headers"));  // not defined: not exported
  REQUIRE(info.imports.size() == 1);
  CHECK(info.imports[0].module == "env");
  CHECK(info.imports[0].name == "proxy_log");

  // Anything else left undefined is still a link error.
  ext::util::write_file_atomic(
      tmp.path() / "src/plain.cc",
      "extern \"C\" int not_a_host_function();\n"
      "extern \"C\" void proxy_abi_version_0_2_1() {}\n"
      "extern \"C\" void proxy_on_tick(unsigned) { not_a_host_function(); }\n");
  try {
    ext::test::cpp_driver()->build(req);
    FAIL("expected a link error");
  } catch (const ext::Error& e) {
    CHECK_THAT(e.message(), Catch::StartsWith("linking"));
    CHECK_THAT(e.message(), Catch::Contains("not_a_host_function"));
  }
}
