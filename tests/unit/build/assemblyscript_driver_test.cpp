// AssemblyScriptDriver with a fake runner: the npm ci / asc command lines, when each reruns
// (the stamp), the errors and their hints. The real npm + asc run in tests/e2e/languages_test.cpp.
#include <catch2/catch.hpp>

#include "ext/build/assemblyscript_driver.hpp"
#include "ext/build/cpp_driver.hpp"
#include "ext/build/custom_driver.hpp"
#include "ext/build/rust_driver.hpp"
#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "support/build/build_fixtures.hpp"

using namespace ext::build;
namespace fs = std::filesystem;

namespace {

struct AsProject {
  ext::util::TempDir dir{"ext-as-"};
  ext::util::TempDir bin{"ext-as-bin-"};
  NodeToolchainSearch search;
  int npm_ci = 0;
  int asc = 0;
  int fail_ci = 0;  // 0: succeed; else the exit code, with ci_output
  std::string ci_output;
  int fail_asc = 0;
  ext::test::FakeBuildRunner runner;

  AsProject() {
    auto p = dir.path();
    ext::util::write_file_atomic(p / "ext.yaml",
                                 "name: as-filter\nlanguage: assemblyscript\nbuild:\n"
                                 "  flags: [--use, abort=abort_proc_exit]\n");
    ext::util::write_file_atomic(p / "package.json", R"({"name":"as-filter"})");
    ext::util::write_file_atomic(p / "package-lock.json", R"({"lockfileVersion":3})");
    fs::create_directories(p / "assembly/lib");
    ext::util::write_file_atomic(p / "assembly/index.ts", "export * from './lib/x';\n");
    ext::util::write_file_atomic(p / "assembly/lib/x.ts", "export const x = 1;\n");
    // Executables named node and npm (never run: the fake answers for them).
    ext::util::write_file_atomic(bin.path() / "node", "#!/bin/sh\n", 0755);
    ext::util::write_file_atomic(bin.path() / "npm", "#!/bin/sh\n", 0755);
    search.path_env = bin.path().string();
    runner.set_handler([this](const ext::util::ProcessSpec& s) -> ext::util::ProcessResult {
      auto prog = fs::path(s.argv[0]).filename().string();
      if (s.argv.size() == 2 && s.argv[1] == "--version")
        return {0, prog == "node" ? "v20.1.0\n" : "9.2.0\n", ""};
      if (prog == "npm" && s.argv[1] == "ci") {
        ++npm_ci;
        if (fail_ci) return {fail_ci, "", ci_output};
        fs::create_directories(s.cwd / "node_modules/.bin");
        ext::util::write_file_atomic(s.cwd / "node_modules/.bin/asc", "#!/bin/sh\n", 0755);
        ext::util::write_file_atomic(s.cwd / "node_modules/.package-lock.json",
                                     "{" + std::to_string(npm_ci) + "}");
        return {0, "added 4 packages\n", ""};
      }
      if (prog == "asc") {
        ++asc;
        if (fail_asc)
          return {fail_asc, "",
                  "ERROR TS2304: Cannot find name 'nope'.\n in assembly/index.ts(1,1)\n"};
        ext::util::write_file_atomic(s.cwd / s.argv[3], "\0asm", 0644);
        return {0, "", "WARNING AS201: Conversion from type 'usize' to 'u32'\n"};
      }
      return {127, "", "unexpected " + s.argv[0]};
    });
  }
  BuildRequest request(ext::Reporter& reporter) {
    return ext::test::request_for(dir.path(), reporter, runner);
  }
  BuildOutput build(ext::Reporter& reporter, bool release = true) {
    auto req = request(reporter);
    req.release = release;
    return AssemblyScriptDriver(search).build(req);
  }
};

}  // namespace

TEST_CASE("AssemblyScriptDriver: npm ci, then the project's own asc, both incremental",
          "[build][assemblyscript]") {
  AsProject p;
  ext::CollectingReporter reporter;
  auto first = p.build(reporter);
  REQUIRE(first.commands.size() == 2);
  CHECK(first.commands[0] ==
        (p.bin.path() / "npm").string() + " ci --ignore-scripts --no-audit --no-fund");
  CHECK(first.commands[1] == (p.dir.path() / "node_modules/.bin/asc").string() +
                                 " assembly/index.ts -b build/release/as-filter.wasm --optimize "
                                 "--use abort=abort_proc_exit");
  CHECK(first.module == p.dir.path() / "build/release/as-filter.wasm");
  CHECK(first.module == AssemblyScriptDriver(p.search).output_path(p.request(reporter)));
  CHECK_FALSE(first.up_to_date);
  CHECK(first.toolchain.find("node v20.1.0, npm 9.2.0") == 0);
  CHECK(fs::exists(first.module));
  // The compiler runs in the project with our node first on PATH (its #!/usr/bin/env node).
  const auto asc_call = p.runner.calls().back();
  CHECK(asc_call.cwd == p.dir.path());
  CHECK(asc_call.env.at("PATH").rfind(p.bin.path().string() + ":", 0) == 0);
  CHECK(p.npm_ci == 1);
  CHECK(p.asc == 1);

  // Nothing changed: nothing runs.
  auto again = p.build(reporter);
  CHECK(again.up_to_date);
  CHECK(again.commands.empty());
  CHECK(p.npm_ci == 1);
  CHECK(p.asc == 1);

  // Touched but unchanged source: still fresh. A changed source anywhere under assembly/:
  // asc only.
  ext::util::write_file_atomic(p.dir.path() / "assembly/index.ts", "export * from './lib/x';\n");
  CHECK(p.build(reporter).up_to_date);
  ext::util::write_file_atomic(p.dir.path() / "assembly/lib/x.ts", "export const x = 2;\n");
  auto src = p.build(reporter);
  CHECK_FALSE(src.up_to_date);
  CHECK(src.commands.size() == 1);
  CHECK(p.npm_ci == 1);
  CHECK(p.asc == 2);

  // A new lock file: npm ci again, then asc.
  ext::util::write_file_atomic(p.dir.path() / "package-lock.json",
                               R"({"lockfileVersion":3,"x":1})");
  CHECK(p.build(reporter).commands.size() == 2);
  CHECK(p.npm_ci == 2);
  CHECK(p.asc == 3);

  // node_modules gone (a fresh clone): npm ci again.
  fs::remove_all(p.dir.path() / "node_modules");
  CHECK(p.build(reporter).commands.size() == 2);
  CHECK(p.npm_ci == 3);

  // The module deleted: asc again, no npm ci.
  fs::remove(first.module);
  CHECK(p.build(reporter).commands.size() == 1);
  CHECK(p.npm_ci == 3);
  CHECK(p.asc == 5);

  // Debug: --debug, into build/debug.
  auto dbg = p.build(reporter, false);
  CHECK(dbg.module == p.dir.path() / "build/debug/as-filter.wasm");
  CHECK_THAT(dbg.commands.back(), Catch::Contains("-b build/debug/as-filter.wasm --debug"));

  // Compiler warnings go to -v, not to the user's face on every build.
  bool warned_at_debug = false;
  for (const auto& e : reporter.entries())
    if (e.kind == "debug" && e.message.find("AS201") != std::string::npos) warned_at_debug = true;
  CHECK(warned_at_debug);

  // Dry run: both commands, nothing run.
  auto req = p.request(reporter);
  req.dry_run = true;
  req.extra_args = {"--noAssert"};
  auto dry = AssemblyScriptDriver(p.search).build(req);
  REQUIRE(dry.commands.size() == 2);
  CHECK_THAT(dry.commands[1], Catch::EndsWith("--use abort=abort_proc_exit --noAssert"));
  CHECK(p.asc == 6);
}

TEST_CASE("AssemblyScriptDriver: errors say what is missing and what to do",
          "[build][assemblyscript]") {
  ext::CollectingReporter reporter;

  SECTION("no node, no npm: detect and build name the Debian packages") {
    AsProject p;
    p.search.path_env = (p.dir.path() / "empty").string();
    auto status = AssemblyScriptDriver(p.search).detect(p.runner);
    CHECK_FALSE(status.found);
    CHECK_THAT(status.description, Catch::Contains("no node and npm on PATH"));
    CHECK_THAT(status.hint, Catch::StartsWith("apt-get install nodejs npm"));
    try {
      p.build(reporter);
      FAIL("expected a toolchain error");
    } catch (const ext::Error& e) {
      CHECK(e.code() == ext::Errc::toolchain);
      CHECK_THAT(e.message(), Catch::Contains("no node and npm on PATH"));
      CHECK_THAT(e.hint(), Catch::Contains("apt-get install nodejs npm"));
    }
    fs::remove(p.bin.path() / "npm");
    p.search.path_env = p.bin.path().string();
    CHECK_THAT(AssemblyScriptDriver(p.search).detect(p.runner).description,
               Catch::Contains("no npm on PATH"));
  }
  SECTION("found: detect reports the versions") {
    AsProject p;
    auto status = AssemblyScriptDriver(p.search).detect(p.runner);
    CHECK(status.found);
    CHECK_THAT(status.description, Catch::StartsWith("node v20.1.0, npm 9.2.0"));
  }
  SECTION("no lock file: npm ci cannot run") {
    AsProject p;
    fs::remove(p.dir.path() / "package-lock.json");
    try {
      p.build(reporter);
      FAIL("expected an error");
    } catch (const ext::Error& e) {
      CHECK(e.code() == ext::Errc::not_found);
      CHECK_THAT(e.message(), Catch::Contains("no package-lock.json"));
      CHECK_THAT(e.hint(), Catch::Contains("npm install --package-lock-only"));
    }
    CHECK(p.npm_ci == 0);
  }
  SECTION("no entry file") {
    AsProject p;
    fs::remove(p.dir.path() / "assembly/index.ts");
    CHECK_THROWS_WITH(p.build(reporter), Catch::Contains("entry file assembly/index.ts"));
  }
  SECTION("npm ci without the registry: the hint says so") {
    AsProject p;
    p.fail_ci = 1;
    p.ci_output =
        "npm error code ENOTFOUND\nnpm error request to https://registry.npmjs.org failed";
    try {
      p.build(reporter);
      FAIL("expected an error");
    } catch (const ext::Error& e) {
      CHECK(e.code() == ext::Errc::toolchain);
      CHECK_THAT(e.message(), Catch::StartsWith("npm ci failed (exit 1):"));
      CHECK_THAT(e.message(), Catch::Contains("ENOTFOUND"));
      CHECK_THAT(e.hint(), Catch::Contains("npm registry"));
    }
    CHECK(p.asc == 0);
  }
  SECTION("npm ci with a lock file out of sync") {
    AsProject p;
    p.fail_ci = 1;
    p.ci_output =
        "npm error code EUSAGE\nnpm error `npm ci` can only install packages when your "
        "package.json and package-lock.json are in sync.";
    try {
      p.build(reporter);
      FAIL("expected an error");
    } catch (const ext::Error& e) {
      CHECK_THAT(e.hint(), Catch::Contains("run `npm install`"));
    }
  }
  SECTION("a compile error: asc's output, and no stale success next time") {
    AsProject p;
    p.fail_asc = 1;
    try {
      p.build(reporter);
      FAIL("expected an error");
    } catch (const ext::Error& e) {
      CHECK(e.code() == ext::Errc::toolchain);
      CHECK_THAT(e.message(), Catch::StartsWith("compiling assembly/index.ts failed (asc exited "
                                                "with 1)"));
      CHECK_THAT(e.message(), Catch::Contains("TS2304"));
    }
    p.fail_asc = 0;
    auto fixed = p.build(reporter);
    CHECK(fixed.commands.size() == 1);  // npm ci was recorded; asc reruns
    CHECK(p.npm_ci == 1);
  }
  SECTION("build.output places the module") {
    AsProject p;
    auto req = p.request(reporter);
    req.project.build.output = "out/filter.wasm";
    auto out = AssemblyScriptDriver(p.search).build(req);
    CHECK(out.module == p.dir.path() / "out/filter.wasm");
    CHECK_THAT(out.commands.back(), Catch::Contains("-b out/filter.wasm"));
    CHECK(fs::exists(out.module));
  }
}

TEST_CASE("drivers: one per language, each says what it needs", "[build]") {
  auto languages = driver_languages();
  REQUIRE(languages.size() == 4);
  CHECK(languages.front() == ext::project::Language::cpp);
  for (auto l : languages) {
    auto d = make_driver(l, ext::test::host_environment());
    REQUIRE(d);
    CHECK(d->info().language == l);
    CHECK_FALSE(d->info().toolchain.empty());
    CHECK_FALSE(d->info().install.empty());
  }

  // Output paths without building: the default, and build.output from ext.yaml.
  ext::CollectingReporter reporter;
  ext::test::FakeBuildRunner fake;
  BuildRequest req;
  req.project_dir = "/p";
  req.project.name = "f";
  req.runner = &fake;
  CHECK(ext::test::cpp_driver()->output_path(req) == "/p/build/release/f.wasm");
  CHECK(stamp_path(req) == "/p/build/release/ext-build.json");
  req.release = false;
  CHECK(ext::test::node_driver()->output_path(req) == "/p/build/debug/f.wasm");
  req.project.build.output = "out/m.wasm";
  CHECK(ext::test::cpp_driver()->output_path(req) == "/p/out/m.wasm");
  CHECK(ext::test::rust_driver()->output_path(req) ==
        "/p/out/m.wasm");  // no toolchain probe needed
  CHECK(fake.calls().empty());
  req.project.build.output = "/abs/m.wasm";
  CHECK(ext::test::node_driver()->output_path(req) == "/abs/m.wasm");
  req.project.build.output.clear();
  CHECK_THROWS_WITH(CustomDriver().output_path(req),
                    Catch::Contains("language: custom needs build.command and build.output"));

  // detect never throws; a missing toolchain comes with its install line.
  RustToolchainSearch none;
  none.path_env = "";
  none.fallbacks = {};
  auto rust = RustDriver(none).detect(fake);
  CHECK_FALSE(rust.found);
  CHECK_THAT(rust.hint, Catch::Contains("libstd-rust-dev-wasm32"));
  CppToolchainSearch no_cpp;
  no_cpp.path_env = "";
  no_cpp.wasi_sdk_dirs = {};
  no_cpp.system_root = "/nonexistent";
  auto cpp = CppDriver(no_cpp).detect(fake);
  CHECK_FALSE(cpp.found);
  CHECK_FALSE(cpp.hint.empty());
  CHECK(CustomDriver().detect(fake).found);
}
