// `ext test` end to end: the built binary runs real modules (C filters compiled with clang-14,
// a .wat start-up trap) against spec files; includes a spec that fails ON PURPOSE, asserting
// the exit code and the diff text.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/util/files.hpp"
#include "support/host/filters.hpp"
#include "support/host/wat_probe.hpp"
#include "support/paths.hpp"

namespace th = ext::test::host;
using ext::test::data_dir;
using ext::test::run_ext;

namespace {
std::string spec(const std::string& name) {
  return (data_dir() / "host" / name).string();
}
}  // namespace

TEST_CASE("ext test runs a spec against a module file", "[e2e][test]") {
  auto r = run_ext(
      {"test", th::filter_file("kitchen_sink").string(), "-f", spec("kitchen_sink.test.yaml")});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("PASS adds the header to responses"));
  CHECK_THAT(r.out, Catch::Contains("PASS asks the auth service and forwards on 200"));
  CHECK_THAT(r.out, Catch::Contains("\n11 passed, 0 failed\n"));
  CHECK_THAT(r.out, Catch::Contains("PASS a chunk stopped without buffering is not kept"));
}

TEST_CASE("ext test: a spec that fails on purpose shows the diff and exits 1", "[e2e][test]") {
  ext::util::TempDir dir("ext-e2e-test-");
  auto junit = dir.path() / "report.xml";
  auto r = run_ext({"test", th::filter_file("add_header").string(), "-f", spec("failing.test.yaml"),
                    "--junit", junit.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("PASS adds the configured header"));
  CHECK_THAT(r.out, Catch::Contains("FAIL expects a value the filter never sets"));
  CHECK_THAT(r.out,
             Catch::Contains("response_headers[\"x-ext\"]: expected \"goodbye\", got \"hello\""));
  CHECK_THAT(r.out, Catch::Contains("local_response: expected status 403, got no local response"));
  CHECK_THAT(r.out, Catch::Contains("\n1 passed, 1 failed\n"));
  auto xml = ext::util::read_file(junit);
  CHECK_THAT(xml, Catch::Contains("tests=\"2\" failures=\"1\""));

  auto j = run_ext(
      {"--json", "test", th::filter_file("add_header").string(), "-f", spec("failing.test.yaml")});
  CHECK(j.exit_code == 1);
  auto doc = nlohmann::json::parse(j.out);
  CHECK(doc["passed"] == 1);
  CHECK(doc["failed"] == 1);
  CHECK(doc["abi"] == "v0.2.1");
  CHECK(doc["schema"] == "ext.dev/test/v1");
  CHECK(doc["source_kind"] == "file");
  // Failures are objects: the check, what the spec expects, what happened (issue 15).
  auto failures = doc["specs"][0]["cases"][1]["failures"];
  REQUIRE(failures.size() == 2);
  CHECK(failures[0]["check"] == "response_headers[\"x-ext\"]");
  CHECK(failures[0]["expected"] == "\"goodbye\"");
  CHECK(failures[0]["actual"] == "\"hello\"");
  CHECK(failures[0]["message"] ==
        "response_headers[\"x-ext\"]: expected \"goodbye\", got \"hello\"");
  // The actual headers the text prints under the failure, without the indentation.
  CHECK(std::find(failures[0]["detail"].begin(), failures[0]["detail"].end(),
                  "actual response_headers:") != failures[0]["detail"].end());
  CHECK(failures[1]["check"] == "local_response");
  CHECK(failures[1]["expected"] == "status 403");
  CHECK(failures[1]["actual"] == "no local response");
  CHECK(doc["specs"][0]["cases"][0]["failures"] == nlohmann::json::array());
}

TEST_CASE("ext test: bad input is reported, not crashed on", "[e2e][test]") {
  ext::util::TempDir dir("ext-e2e-test-");
  SECTION("unknown key in a spec, with its line") {
    auto f = dir.path() / "typo.test.yaml";
    ext::util::write_file_atomic(
        f, "cases:\n  - name: x\n    request: {headers: {\":path\": /}}\n    expectt: {}\n");
    auto r = run_ext({"test", th::filter_file("add_header").string(), "-f", f.string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("typo.test.yaml:4:5: unknown key \"expectt\" in a case"));
  }
  SECTION("a case naming a callback the module lacks fails") {
    auto f = dir.path() / "cb.test.yaml";
    ext::util::write_file_atomic(f,
                                 "cases:\n  - request: {headers: {\":path\": /}}\n    expect: "
                                 "{actions: {request_trailers: continue}}\n");
    auto r = run_ext({"test", th::filter_file("add_header").string(), "-f", f.string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("the module does not export proxy_on_request_trailers"));
  }
  SECTION("a module that traps at start-up") {
    auto wasm = dir.path() / "boom.wasm";
    ext::util::write_file_atomic(wasm,
                                 ext::test::wat_to_wasm(R"((module (memory (export "memory") 1)
          (func (export "proxy_abi_version_0_2_1"))
          (func (export "malloc") (param i32) (result i32) (i32.const 0))
          (func (export "_initialize") unreachable)
          (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 0))))"));
    auto r = run_ext({"test", wasm.string(), "-f", spec("failing.test.yaml")});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("trap at start-up in _initialize: unreachable"));
    CHECK_THAT(r.out, Catch::Contains("0 passed, 2 failed"));
  }
  SECTION("hostcalls with bad pointers get INVALID_MEMORY_ACCESS, and traps fail the case") {
    auto f = dir.path() / "traps.test.yaml";
    // fail_reload: each case gets a working VM (the default, fail_closed, would answer the
    // case after a trap with a 503, as Envoy does).
    ext::util::write_file_atomic(
        f, R"(plugin: {instruction_budget: 2000000, failure_policy: fail_reload}
cases:
  - name: bad pointers
    request: {headers: {":path": /, x-trap: badptr}}
    expect: {request_headers: {x-log-status: "6", x-get-status: "6"}}
  - name: endless loop
    request: {headers: {":path": /, x-trap: loop}}
  - name: out of bounds
    request: {headers: {":path": /, x-trap: oob}}
)");
    auto r = run_ext({"test", th::filter_file("traps").string(), "-f", f.string()});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("PASS bad pointers"));
    CHECK_THAT(r.out, Catch::Contains("trap: proxy_on_request_headers: instruction budget"));
    CHECK_THAT(r.out, Catch::Contains("trap: proxy_on_request_headers: out of bounds"));
    CHECK_THAT(r.out, Catch::Contains("1 passed, 2 failed"));
  }
  SECTION("a module Envoy would not load") {
    auto wasm = dir.path() / "bad.wasm";
    ext::util::write_file_atomic(
        wasm, ext::test::wat_to_wasm(R"((module (import "env" "proxy_nope" (func))
          (memory (export "memory") 1) (func (export "proxy_abi_version_0_2_1"))
          (func (export "malloc") (param i32) (result i32) (i32.const 0))))"));
    auto r = run_ext({"test", wasm.string(), "-f", spec("failing.test.yaml")});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("missing import: env.proxy_nope"));
  }
  SECTION("no spec for a module file") {
    auto r = run_ext({"test", th::filter_file("add_header").string()});
    CHECK(r.exit_code == 2);
  }
}

// The build helper's templates and the Rust fixture, built and tested as a user would: each
// ships a spec that passes; a case added to fail ON PURPOSE shows its diff and exits 1.
TEST_CASE("ext test on the C++ templates and the Rust fixture", "[e2e][test][templates]") {
  ext::test::require_tool("clang-14");
  ext::util::TempDir dir("ext-e2e-templates-");
  for (const char* tpl : {"http-filter", "network-filter"}) {
    auto proj = dir.path() / tpl;
    auto init = run_ext({"init", proj.string(), "--language", "cpp", "--template", tpl, "--name",
                         std::string("t-") + tpl, "--no-prompt"});
    REQUIRE(init.exit_code == 0);
    auto r = run_ext({"test", proj.string()});
    INFO(tpl << "\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains(" passed, 0 failed\n"));
    CHECK_THAT(r.out, !Catch::Contains(" 0 passed"));
  }
  for (const char* example : {"cpp-add-header", "cpp-auth-deny"}) {
    auto proj = dir.path() / example;
    std::filesystem::copy(ext::test::source_dir() / "examples" / example, proj,
                          std::filesystem::copy_options::recursive);
    auto r = run_ext({"test", proj.string()});
    INFO(example << "\n" << r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains(" passed, 0 failed\n"));
  }
  // Fail on purpose: the http template adds x-ext: hello, the spec wants "nope".
  auto proj = dir.path() / "http-filter";
  auto spec_path = proj / "tests" / "filter.test.yaml";
  ext::util::write_file_atomic(spec_path,
                               ext::util::read_file(spec_path) + R"(  - name: fails on purpose
    request:
      headers: {":method": GET, ":path": /}
    expect:
      response_headers: {x-ext: nope}
)");
  auto bad = run_ext({"test", proj.string()});
  INFO(bad.out << bad.err);
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.out, Catch::Contains("FAIL fails on purpose"));
  CHECK_THAT(bad.out,
             Catch::Contains("response_headers[\"x-ext\"]: expected \"nope\", got \"hello\""));
  CHECK_THAT(bad.out, Catch::Contains(" passed, 1 failed\n"));

  ext::test::require_tool("cargo");
  {
    auto rust = dir.path() / "rust";
    std::filesystem::copy(data_dir() / "build" / "rust-nodeps", rust,
                          std::filesystem::copy_options::recursive);
    auto r = run_ext({"test", rust.string(), "-f", spec("rust_nodeps.test.yaml")});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 0);
    CHECK_THAT(r.out, Catch::Contains("2 passed, 0 failed"));
  }
}

TEST_CASE("ext test: a scripted gRPC stream answers the filter and expect.grpc_streams checks it",
          "[e2e][test]") {
  ext::util::TempDir dir("ext-e2e-stream-");
  auto wasm = dir.path() / "stream.wasm";
  // Opens a stream on each request, sends "hello", logs what the server sends and the close.
  ext::util::write_file_atomic(
      wasm, ext::test::wat_to_wasm(
                ext::test::host::wat_probe_preamble({{"log", "proxy_log"},
                                                     {"stream", "proxy_grpc_stream"},
                                                     {"send", "proxy_grpc_send"},
                                                     {"bget", "proxy_get_buffer_bytes"}},
                                                    2, 4096) +
                R"(
 (data (i32.const 16) "authz")
 (data (i32.const 32) "pkg.Svc")
 (data (i32.const 48) "Watch")
 (data (i32.const 64) "hello")
 (data (i32.const 80) "closed")
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
   (drop (call $stream (i32.const 16) (i32.const 5) (i32.const 32) (i32.const 7) (i32.const 48)
     (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 200)))
   (drop (call $send (i32.load (i32.const 200)) (i32.const 64) (i32.const 5) (i32.const 0)))
   (i32.const 0))
 (func (export "proxy_on_grpc_receive") (param i32) (param i32) (param $size i32)
   (drop (call $bget (i32.const 5) (i32.const 0) (local.get $size) (i32.const 300) (i32.const 304)))
   (drop (call $log (i32.const 2) (i32.load (i32.const 300)) (i32.load (i32.const 304)))))
 (func (export "proxy_on_grpc_close") (param i32 i32 i32)
   (drop (call $log (i32.const 2) (i32.const 80) (i32.const 6))))
))"));
  auto spec_file = dir.path() / "stream.test.yaml";
  ext::util::write_file_atomic(spec_file, R"(plugin:
  # names the cluster (so streams to it open) but serves no stream of this test
  grpc_streams: [{cluster: authz, service: never.Matched}]
cases:
  - name: the server answers after the first message
    grpc_streams:
      - cluster: authz
        events:
          - initial_metadata: {x-a: b}
          - message: pong
            after_sends: 1
          - close: {status: 0}
    expect:
      logs: [pong, closed]
      grpc_streams: [{cluster: authz, service: pkg.Svc, method: Watch, sent: [hello], closed: false}]
  - name: a stream nothing scripts is closed with UNAVAILABLE
    expect:
      logs: [closed]
      logs_absent: [pong]
  - name: a wrong expectation fails
    grpc_streams: [{events: [{message: pong}]}]
    expect:
      grpc_streams: [{sent: [bye]}]
)");
  auto r = run_ext({"test", wasm.string(), "-f", spec_file.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("PASS the server answers after the first message"));
  CHECK_THAT(r.out, Catch::Contains("PASS a stream nothing scripts is closed with UNAVAILABLE"));
  CHECK_THAT(r.out, Catch::Contains("FAIL a wrong expectation fails"));
  CHECK_THAT(r.out, Catch::Contains("grpc_streams[0].sent[0]: expected \"bye\", got \"hello\""));
}

TEST_CASE("ext test: calls made at start-up are answered by the plugin's scripts", "[e2e][test]") {
  ext::util::TempDir dir("ext-e2e-startup-");
  auto wasm = dir.path() / "watch.wasm";
  // Opens a configuration stream in proxy_on_configure, as control-plane filters do.
  ext::util::write_file_atomic(
      wasm, ext::test::wat_to_wasm(
                ext::test::host::wat_probe_preamble({{"log", "proxy_log"},
                                                     {"stream", "proxy_grpc_stream"},
                                                     {"bget", "proxy_get_buffer_bytes"}},
                                                    2, 4096) +
                R"(
 (data (i32.const 16) "xds")
 (data (i32.const 32) "pkg.Config")
 (data (i32.const 48) "Watch")
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_configure") (param i32 i32) (result i32)
   (drop (call $stream (i32.const 16) (i32.const 3) (i32.const 32) (i32.const 10) (i32.const 48)
     (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 200)))
   (i32.const 1))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 0))
 (func (export "proxy_on_grpc_receive") (param i32) (param i32) (param $size i32)
   (drop (call $bget (i32.const 5) (i32.const 0) (local.get $size) (i32.const 300) (i32.const 304)))
   (drop (call $log (i32.const 2) (i32.load (i32.const 300)) (i32.load (i32.const 304)))))
))"));
  auto spec_file = dir.path() / "watch.test.yaml";
  ext::util::write_file_atomic(spec_file, R"(plugin:
  grpc_streams: [{cluster: xds, events: [{message: config-v1}]}]
cases:
  - name: the configuration arrived at start-up
    expect:
      logs: [config-v1]
)");
  auto r = run_ext({"test", wasm.string(), "-f", spec_file.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("PASS the configuration arrived at start-up"));
}
