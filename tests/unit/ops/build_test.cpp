// ops::build_project in-process: a `language: custom` project whose "compiler" is the shared
// FakeRunner (it writes a module encoded in the process), validated and packaged into the local
// store; then pushed to the fake registry. No child process, no socket, no sleep.
#include <catch2/catch.hpp>

#include "ext/core/error.hpp"
#include "ext/ops/build_project.hpp"
#include "ext/ops/push.hpp"
#include "ext/project/settings.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "ext/wasm/module.hpp"
#include "support/ops/ops_env.hpp"
#include "support/wasm/fixtures.hpp"

using namespace ext;
namespace fs = std::filesystem;

namespace {

// A custom project in t.dir()/proj whose build command the fake runner answers by writing the
// in-process module to EXT_OUTPUT.
fs::path custom_project(test::OpsEnv& t) {
  auto dir = t.dir() / "proj";
  fs::create_directories(dir);
  util::write_file_atomic(dir / "ext.yaml",
                          "name: f\nversion: 1.2.0\nlanguage: custom\nfilter_type: http\n"
                          "build:\n  command: make filter\n  output: out/filter.wasm\n");
  t.runner.set_handler([](const util::ProcessSpec& spec) {
    util::ProcessResult r;
    r.exit_code = 0;
    auto out = spec.env.find("EXT_OUTPUT");
    if (out == spec.env.end()) {
      r.exit_code = 2;
      r.err = "no EXT_OUTPUT";
      return r;
    }
    fs::create_directories(fs::path(out->second).parent_path());
    util::write_file_atomic(out->second, test::wasm::minimal_filter_bytes());
    return r;
  });
  return dir;
}

}  // namespace

TEST_CASE("the in-process minimal filter is a valid 0.2.1 HTTP filter", "[ops][build]") {
  auto info = wasm::read_module(test::wasm::minimal_filter_bytes());
  REQUIRE(info.has_value());
  CHECK(info->abi_version == "0.2.1");
  CHECK(info->exports_function("proxy_on_request_headers"));
  CHECK_FALSE(wasm::has_errors(wasm::validate(*info)));
}

TEST_CASE("ops::build_project: the command runs once, the module is validated and packaged",
          "[ops][build]") {
  test::OpsEnv t;
  auto dir = custom_project(t);
  ops::BuildOptions o;
  o.dir = dir;
  o.refs = {"registry.example/acme/f:v1"};
  auto r = ops::build_project(o, t.env);
  auto calls = t.runner.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].argv == std::vector<std::string>{"/bin/sh", "-c", "make filter"});
  CHECK(calls[0].cwd == dir);
  CHECK(calls[0].env.at("EXT_PROFILE") == "release");
  CHECK(r.module == dir / "out/filter.wasm");
  CHECK(r.abi_version == "0.2.1");
  CHECK(r.filter_type == "http");
  REQUIRE(r.package.has_value());
  CHECK(r.package->refs == std::vector<std::string>{"registry.example/acme/f:v1"});
  {
    store::OciLayoutStore local(t.env.store_root);
    auto found = local.resolve(ops::parse_ref("registry.example/acme/f:v1"));
    REQUIRE(found.has_value());
    CHECK(found->digest.to_string() == r.package->manifest_digest);
  }

  // And on to the (fake) registry.
  ops::PushOptions p;
  p.ref = "registry.example/acme/f:v1";
  p.readme = false;
  p.project_dir = t.dir();
  auto pushed = ops::push(p, t.env);
  CHECK(pushed.manifest_digest == r.package->manifest_digest);
  CHECK(pushed.module_sha256 == r.module_sha256);
  CHECK(t.registry->manifest("acme/f", "v1").has_value());
  CHECK(t.runner.calls().size() == 1);  // the push ran nothing
  CHECK(t.clock.sleeps().empty());
}

TEST_CASE("ops::build_project: a failing command is an error with its output, nothing stored",
          "[ops][build]") {
  test::OpsEnv t;
  auto dir = custom_project(t);
  t.runner.set_handler([](const util::ProcessSpec&) {
    util::ProcessResult r;
    r.exit_code = 1;
    r.err = "filter.c:3: error: expected ';'";
    return r;
  });
  ops::BuildOptions o;
  o.dir = dir;
  o.refs = {"registry.example/acme/f:v1"};
  try {
    ops::build_project(o, t.env);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK_THAT(e.message(), Catch::Contains("expected ';'"));
  }
  store::OciLayoutStore local(t.env.store_root);
  CHECK(local.list().empty());
}

TEST_CASE("ops::build_project: config.yaml's default_format packages when --format is not given",
          "[ops][build]") {
  test::OpsEnv t;
  auto dir = custom_project(t);
  project::Settings s;
  s.default_format = "compat";
  t.env.set_settings(s);
  ops::BuildOptions o;
  o.dir = dir;
  o.refs = {"registry.example/acme/f:v1"};
  auto r = ops::build_project(o, t.env);
  REQUIRE(r.package.has_value());
  CHECK(r.package->format == "compat");
  o.format = "cncf";  // the flag wins
  o.refs = {"registry.example/acme/f:v2"};
  auto again = ops::build_project(o, t.env);
  REQUIRE(again.package.has_value());
  CHECK(again.package->format == "cncf");
}
