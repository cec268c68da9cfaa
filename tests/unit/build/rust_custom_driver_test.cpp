#include <catch2/catch.hpp>
#include <cstdlib>
#include <optional>

#include "ext/build/custom_driver.hpp"
#include "ext/build/rust_driver.hpp"
#include "ext/util/files.hpp"
#include "ext/wasm/module.hpp"
#include "support/build/build_fixtures.hpp"
#include "support/paths.hpp"

using namespace ext::build;
namespace fs = std::filesystem;

TEST_CASE("RustDriver builds the dependency-free fixture with the machine's toolchain", "[build]") {
  ext::util::TempDir tmp;
  ext::test::copy_project(ext::test::data_dir() / "build/rust-nodeps", tmp.path());
  ext::CollectingReporter reporter;
  ext::util::SubprocessRunner runner{ext::test::host_environment()};
  auto req = ext::test::request_for(tmp.path(), reporter, runner);

  auto tc = find_rust_toolchain(
      RustToolchainSearch::from_environment(ext::test::host_environment()), runner);
  REQUIRE(tc);  // rustup's rustc has no wasm target here, so this is Debian's 1.63
  CHECK(tc->target == wasi_target_for(tc->version));

  // Online by default (a crate without dependencies needs no network either way).
  auto out = ext::test::rust_driver()->build(req);
  REQUIRE(out.commands.size() == 1);
  CHECK_THAT(out.commands[0], Catch::Contains("build --target " + tc->target + " --release"));
  CHECK(out.module == tmp.path() / "target" / tc->target / "release" / "rust_nodeps.wasm");
  auto info = ext::wasm::read_module_file(out.module);
  REQUIRE(info);
  CHECK(info->abi_version == "0.2.1");
  CHECK_FALSE(ext::wasm::has_errors(ext::wasm::validate(*info)));

  // Cargo's own incrementality: nothing to do the second time.
  CHECK(ext::test::rust_driver()->build(req).up_to_date);

  // build.output copies the module where the project wants it.
  req.project.build.output = "out/filter.wasm";
  auto copied = ext::test::rust_driver()->build(req);
  CHECK(copied.module == tmp.path() / "out/filter.wasm");
  CHECK(ext::util::read_file(copied.module) == ext::util::read_file(out.module));
}

TEST_CASE("RustDriver: extra cargo args, errors and the no-toolchain fix", "[build]") {
  ext::util::TempDir tmp;
  ext::test::copy_project(ext::test::data_dir() / "build/rust-nodeps", tmp.path());
  ext::CollectingReporter reporter;
  ext::test::FakeBuildRunner fake;
  fake.set_handler([](const ext::util::ProcessSpec& spec) -> ext::util::ProcessResult {
    if (spec.argv.size() == 2 && spec.argv[1] == "--version") return {0, "rustc 1.80.1 (x)\n", ""};
    if (spec.argv.size() == 3 && spec.argv[1] == "--print") return {0, "/nonexistent\n", ""};
    return {101, "", "error: could not compile `x`\n"};
  });
  RustToolchainSearch none;
  none.path_env = "";
  none.fallbacks = {};
  auto r = find_rust_toolchain(none, fake);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().hint(), Catch::Contains("rustup target add wasm32-wasip1"));
  CHECK_THAT(r.error().hint(), Catch::Contains("libstd-rust-dev-wasm32"));

  // A rustc without the wasm standard library: named, with the fix.
  RustToolchainSearch fake_tc;
  fake_tc.path_env = "";
  fake_tc.fallbacks = {{"/bin/true", "/bin/true"}};
  auto no_target = find_rust_toolchain(fake_tc, fake);
  REQUIRE_FALSE(no_target);
  CHECK_THAT(no_target.error().message(), Catch::Contains("rustc 1.80.1"));
  CHECK_THAT(no_target.error().message(), Catch::Contains("wasm32-wasip1"));

  // Extra args reach cargo; a failing cargo is an error with its output.
  ext::util::SubprocessRunner real{ext::test::host_environment()};
  auto req = ext::test::request_for(tmp.path(), reporter, real);
  req.dry_run = true;
  req.extra_args = {"--features", "x"};
  req.project.build.flags = {"--locked"};
  auto dry = ext::test::rust_driver()->build(req);
  CHECK_THAT(dry.commands[0], Catch::EndsWith("--release --locked --features x"));
  CHECK_THAT(dry.commands[0], !Catch::Contains("--offline"));
  CHECK_THAT(dry.commands[0], Catch::StartsWith("RUSTC="));
  CHECK_FALSE(fs::exists(tmp.path() / "target"));

  ext::util::write_file_atomic(tmp.path() / "src/lib.rs", "this is not rust\n");
  req.dry_run = false;
  req.extra_args = {};
  req.project.build.flags = {};
  try {
    ext::test::rust_driver()->build(req);
    FAIL("expected a cargo error");
  } catch (const ext::Error& e) {
    CHECK(e.code() == ext::Errc::toolchain);
    CHECK_THAT(e.message(), Catch::StartsWith("cargo build failed"));
    CHECK_THAT(e.message(), Catch::Contains("src/lib.rs"));
  }
}

TEST_CASE("RustDriver: getrandom without `wasi` (Debian's crates) names the target that works",
          "[build]") {
  ext::util::TempDir tmp, sysroot;
  ext::test::copy_project(ext::test::data_dir() / "build/rust-nodeps", tmp.path());
  fs::create_directories(sysroot.path() / "lib/rustlib/wasm32-wasi");
  ext::CollectingReporter reporter;
  ext::test::FakeBuildRunner fake;
  std::vector<std::string> cargo_argv;
  fake.set_handler([&](const ext::util::ProcessSpec& spec) -> ext::util::ProcessResult {
    if (spec.argv.size() == 2 && spec.argv[1] == "--version") return {0, "rustc 1.63.0 (x)\n", ""};
    if (spec.argv.size() == 3 && spec.argv[1] == "--print")
      return {0, sysroot.path().string() + "\n", ""};
    cargo_argv = spec.argv;
    return {101, "",
            "   Compiling getrandom v0.2.8\n"
            "error[E0433]: failed to resolve: use of undeclared crate or module `wasi`\n"
            "  --> /usr/share/cargo/registry/getrandom-0.2.8/src/wasi.rs:12:5\n"};
  });
  RustToolchainSearch search;
  search.path_env = "";
  search.fallbacks = {{"/bin/true", "/bin/true"}};
  auto req = ext::test::request_for(tmp.path(), reporter, fake);
  try {
    RustDriver(search).build(req);
    FAIL("expected a cargo error");
  } catch (const ext::Error& e) {
    CHECK_THAT(e.message(), Catch::Contains("getrandom"));
    CHECK_THAT(e.hint(), Catch::Contains("target: wasm32-unknown-unknown"));
  }
  REQUIRE(cargo_argv.size() > 3);
  CHECK(cargo_argv[3] == "wasm32-wasi");  // rustc 1.63 predates the wasm32-wasip1 name
}

TEST_CASE("CustomDriver runs build.command and takes build.output", "[build]") {
  ext::util::TempDir tmp;
  auto wasm = ext::test::wat_to_wasm(R"((module
    (memory (export "memory") 1)
    (func (export "proxy_abi_version_0_2_1"))
    (func (export "proxy_on_memory_allocate") (param i32) (result i32) i32.const 0)
    (func (export "proxy_on_configure") (param i32 i32) (result i32) i32.const 1)))");
  ext::util::write_file_atomic(tmp.path() / "prebuilt.bin", wasm);
  ext::util::write_file_atomic(
      tmp.path() / "ext.yaml",
      "name: tinygo-like\nlanguage: custom\nbuild:\n"
      "  command: mkdir -p out && cp prebuilt.bin \"$EXT_OUTPUT\" && echo built $EXT_PROFILE\n"
      "  output: out/filter.wasm\n");
  ext::CollectingReporter reporter;
  ext::util::SubprocessRunner runner{ext::test::host_environment()};
  auto req = ext::test::request_for(tmp.path(), reporter, runner);
  auto out = CustomDriver().build(req);
  CHECK(out.module == tmp.path() / "out/filter.wasm");
  CHECK(ext::util::read_file(out.module) == wasm);
  CHECK(out.commands.size() == 1);
  auto infos = reporter.of("info");
  REQUIRE_FALSE(infos.empty());
  CHECK(infos.back() == "built release");

  req.project.build.command = "echo oops >&2; exit 3";
  try {
    CustomDriver().build(req);
    FAIL("expected a failure");
  } catch (const ext::Error& e) {
    CHECK_THAT(e.message(), Catch::Contains("exit 3"));
    CHECK_THAT(e.message(), Catch::Contains("oops"));
  }
  req.project.build.command = "true";
  req.project.build.output = "never-written.wasm";
  CHECK_THROWS_WITH(CustomDriver().build(req), Catch::Contains("did not write"));
}

TEST_CASE("RustDriver: cargo runs online unless --offline, build.offline or CARGO_NET_OFFLINE",
          "[build][rust-offline]") {
  ext::util::TempDir tmp;
  ext::test::copy_project(ext::test::data_dir() / "build/rust-nodeps", tmp.path());
  ext::CollectingReporter reporter;
  ext::util::SubprocessRunner real{ext::test::host_environment()};
  // The driver reads CARGO_NET_OFFLINE from the environment it is given (cli/ passes ext's).
  auto environment = ext::test::host_environment();
  environment.unset("CARGO_NET_OFFLINE");
  auto req = ext::test::request_for(tmp.path(), reporter, real);
  req.dry_run = true;
  CHECK_THAT(ext::test::rust_driver(environment)->build(req).commands[0],
             !Catch::Contains("--offline"));
  SECTION("ext build --offline") {
    req.offline = true;
    CHECK_THAT(ext::test::rust_driver(environment)->build(req).commands[0],
               Catch::Contains(" --offline --release"));
  }
  SECTION("ext.yaml build.offline: true") {
    req.project.build.offline = true;
    CHECK_THAT(ext::test::rust_driver(environment)->build(req).commands[0],
               Catch::Contains(" --offline --release"));
  }
  SECTION("CARGO_NET_OFFLINE") {
    environment.set("CARGO_NET_OFFLINE", "true");
    CHECK_THAT(ext::test::rust_driver(environment)->build(req).commands[0],
               Catch::Contains(" --offline --release"));
    environment.set("CARGO_NET_OFFLINE", "false");
    CHECK_THAT(ext::test::rust_driver(environment)->build(req).commands[0],
               !Catch::Contains("--offline"));
  }
}

TEST_CASE("RustDriver: a crate cargo cannot fetch gets a hint naming cargo fetch",
          "[build][rust-offline]") {
  ext::util::TempDir tmp, sysroot;
  ext::test::copy_project(ext::test::data_dir() / "build/rust-nodeps", tmp.path());
  fs::create_directories(sysroot.path() / "lib/rustlib/wasm32-wasip1");
  ext::CollectingReporter reporter;
  ext::test::FakeBuildRunner fake;
  std::string cargo_err;
  fake.set_handler([&](const ext::util::ProcessSpec& spec) -> ext::util::ProcessResult {
    if (spec.argv.size() == 2 && spec.argv[1] == "--version") return {0, "rustc 1.80.1 (x)\n", ""};
    if (spec.argv.size() == 3 && spec.argv[1] == "--print")
      return {0, sysroot.path().string() + "\n", ""};
    return {101, "", cargo_err};
  });
  RustToolchainSearch search;
  search.path_env = "";
  search.fallbacks = {{"/bin/true", "/bin/true"}};
  auto req = ext::test::request_for(tmp.path(), reporter, fake);
  auto hint_of = [&] {
    try {
      RustDriver(search).build(req);
    } catch (const ext::Error& e) {
      return e.hint();
    }
    return std::string("(no error)");
  };
  // cargo 1.80's words when crates.io is unreachable, and when --offline lacks a crate.
  cargo_err =
      "    Updating crates.io index\n"
      "error: failed to get `proxy-wasm` as a dependency of package `f v0.1.0`\n"
      "Caused by:\n  download of config.json failed\n"
      "Caused by:\n  [6] Couldn't resolve host name (Could not resolve host: index.crates.io)\n";
  auto online = hint_of();
  CHECK_THAT(online, Catch::Contains("cargo fetch"));
  CHECK_THAT(online, Catch::Contains("ext build --offline"));
  req.offline = true;
  cargo_err =
      "error: no matching package named `proxy-wasm` found\n"
      "location searched: registry `crates-io`\n"
      "As a reminder, you're using offline mode (--offline) which can sometimes cause surprising "
      "resolution failures\n";
  auto offline = hint_of();
  CHECK_THAT(offline, Catch::Contains("run `cargo fetch` in " + tmp.path().string()));
  CHECK_THAT(offline, Catch::Contains("once while online"));
  // A compile error is not a fetch problem.
  cargo_err = "error[E0425]: cannot find value `x` in this scope\n";
  CHECK_THAT(hint_of(), !Catch::Contains("cargo fetch"));
}
