// ext::testing: spec parsing (strict keys with lines, encodings) and the runner's diffs, on a
// real module (tests/data/host/add_header.c) in the built-in host.
#include <catch2/catch.hpp>

#include <cstring>

#include "ext/testing/report.hpp"
#include "ext/testing/runner.hpp"
#include "ext/testing/spec.hpp"
#include "support/testing/modules.hpp"

using namespace ext::testing;

TEST_CASE("spec: unknown keys are errors naming the key and its line", "[testing]") {
  auto s = parse_spec(R"(plugin:
  root_id: x
cases:
  - name: one
    request: {headers: {":path": /}}
    expct:
      response_headers: {a: b}
)",
                      "f.test.yaml");
  REQUIRE_FALSE(s);
  CHECK_THAT(s.error().message(), Catch::Contains("f.test.yaml:6:5: ") &&
                                      Catch::Contains("unknown key \"expct\" in a case"));
  CHECK_THAT(s.error().hint(), Catch::Contains("expect"));

  auto deep =
      parse_spec("cases:\n  - expect:\n      response_headers: {a: b}\n      logz: [x]\n", "g");
  REQUIRE_FALSE(deep);
  CHECK_THAT(deep.error().message(), Catch::Contains("g:4:7: unknown key \"logz\" in expect"));

  auto plugin = parse_spec("plugin:\n  rootid: x\ncases: []\n", "h");
  REQUIRE_FALSE(plugin);
  CHECK_THAT(plugin.error().message(), Catch::Contains("h:2:3: unknown key \"rootid\" in plugin"));

  auto bad_yaml = parse_spec("cases: [\n", "i");
  REQUIRE_FALSE(bad_yaml);
  CHECK_THAT(bad_yaml.error().message(), Catch::StartsWith("i:"));
}

TEST_CASE("spec: values, encodings and defaults", "[testing]") {
  auto s = parse_spec(R"(plugin:
  root_id: r
  configuration: {header: x-a, n: 3, on: true}
  properties: {node: {id: n1, metadata: {replicas: 3, ratio: 0.5}}, port: 8080, "quoted": "42", flag: false}
cases:
  - request:
      headers: [[":method", GET], [x-dup, "1"], [X-Dup, "2"]]
      body_chunks: [a, b]
    expect:
      response_headers: {x-gone: ~, x-here: v}
      response_headers_present: [x-p]
      actions: {request_headers: [continue], request_body: stop}
      metrics: {c: 2, h: [1, 2]}
      logs: [plain, {regex: "^a.c$", level: info}]
  - name: tcp
    connection: {downstream: [x], close: upstream}
)",
                      "s");
  REQUIRE(s);
  CHECK(s->plugin.root_id == "r");
  CHECK(s->plugin.configuration == R"({"header":"x-a","n":3,"on":true})");
  CHECK(s->plugin.properties.at("node.id") == "n1");
  CHECK(s->plugin.properties.at("port") == encode_int(8080));
  // node.metadata is a protobuf Struct: Envoy serializes its numbers as doubles.
  auto as_double = [](double d) {
    std::string out(8, '\0');
    std::memcpy(out.data(), &d, 8);
    return out;
  };
  CHECK(s->plugin.properties.at("node.metadata.replicas") == as_double(3.0));
  CHECK(s->plugin.properties.at("node.metadata.ratio") == as_double(0.5));
  CHECK(s->plugin.properties.at("quoted") == "42");
  CHECK(s->plugin.properties.at("flag") == encode_bool(false));
  // Each leaf's type for CEL, by its segments ('\0') and by its dotted path.
  using K = ext::host::PropertyKind;
  const auto& kinds = s->plugin.property_kinds;
  CHECK(kinds.at(std::string("node\0id", 7)) == K::string);
  CHECK(kinds.at("node.id") == K::string);
  CHECK(kinds.at(std::string("node\0metadata\0replicas", 22)) == K::dbl);
  CHECK(kinds.at("port") == K::int64);
  CHECK(kinds.at("quoted") == K::string);
  CHECK(kinds.at("flag") == K::boolean);
  REQUIRE(s->cases.size() == 2);
  const auto& c = s->cases[0];
  CHECK(c.name == "case 1");
  CHECK(c.http.request_headers.size() == 3);
  CHECK(c.http.request_headers[2].first == "x-dup");
  CHECK(c.http.request_body == std::vector<std::string>{"a", "b"});
  CHECK(c.http.response_headers == ext::host::HeaderMap{{":status", "200"}});
  REQUIRE(c.expect.response_headers);
  CHECK(c.expect.response_headers->absent == std::vector<std::string>{"x-gone"});
  CHECK(c.expect.response_headers->present == std::vector<std::string>{"x-p"});
  CHECK(c.expect.metrics.size() == 2);
  CHECK(c.expect.logs[1].regex);
  CHECK(s->cases[1].tcp);
  CHECK(s->cases[1].tcp_input.close == ext::host::CloseSide::upstream);
}

TEST_CASE("spec: an empty root_id is a root id, not a missing one", "[testing]") {
  // The official C++ SDK registers its factories under "" by default: a spec must be able to
  // select that root id even when ext.yaml names another.
  auto empty = parse_spec("plugin:\n  root_id: \"\"\ncases: []\n", "e");
  REQUIRE(empty);
  REQUIRE(empty->plugin.root_id.has_value());
  CHECK(empty->plugin.root_id->empty());
  auto unset = parse_spec("cases: []\n", "u");
  REQUIRE(unset);
  CHECK_FALSE(unset->plugin.root_id.has_value());
}

TEST_CASE("runner: passes, readable diffs, reports", "[testing]") {
  auto spec = parse_spec(R"(plugin:
  root_id: add_header
  configuration: '{"header":"x-ext","value":"hello"}'
cases:
  - name: good
    request: {headers: {":path": /}}
    expect: {response_headers: {x-ext: hello}, local_response: none}
  - name: bad
    request: {headers: {":path": /}}
    expect:
      response_headers: {x-ext: bye, x-more: ~}
      local_response: {status: 403}
      actions: {request_body: continue}
      logs: [never]
)",
                         "add.test.yaml");
  REQUIRE(spec);
  auto report = run(ext::test::testing_support::module("add_header"), {*spec}, {});
  CHECK(report.passed == 1);
  CHECK(report.failed == 1);
  const auto& bad = report.specs[0].cases[1];
  auto text = render_text(report);
  CHECK_THAT(text, Catch::Contains("PASS good") && Catch::Contains("FAIL bad"));
  CHECK_THAT(text, Catch::Contains("response_headers[\"x-ext\"]: expected \"bye\", got \"hello\""));
  CHECK_THAT(text, Catch::Contains("actual response_headers:") && Catch::Contains("x-ext: hello"));
  CHECK_THAT(text, Catch::Contains("local_response: expected status 403, got no local response"));
  CHECK_THAT(text, Catch::Contains("the module does not export proxy_on_request_body"));
  CHECK_THAT(text, Catch::Contains("logs: no line contains \"never\""));
  CHECK_THAT(text, Catch::EndsWith("1 passed, 1 failed\n"));
  CHECK(bad.failures.size() >= 4);

  auto j = render_json(report);
  CHECK(j["passed"] == 1);
  CHECK(j["failed"] == 1);
  CHECK(j["specs"][0]["cases"][1]["passed"] == false);
  // One object per failed check: the indented lines are its detail, not failures of their own.
  const ext::testing::Failure* header = nullptr;
  for (const auto& f : bad.failed_checks) {
    CHECK(f.message.rfind(" ", 0) != 0);
    if (f.check == "response_headers[\"x-ext\"]") header = &f;
  }
  REQUIRE(header != nullptr);
  CHECK(header->expected == "\"bye\"");
  CHECK(header->actual == "\"hello\"");
  CHECK(header->detail.front() == "actual response_headers:");
  auto jf = j["specs"][0]["cases"][1]["failures"];
  CHECK(jf.size() == bad.failed_checks.size());
  bool logs_seen = false;
  for (const auto& f : jf)
    if (f["check"] == "logs") {
      logs_seen = true;
      CHECK(f["expected"].is_null());  // "no line contains": no two values compared
    }
  CHECK(logs_seen);

  auto xml = render_junit(report);
  CHECK_THAT(xml, Catch::Contains("<testsuite name=\"add.test.yaml\" tests=\"2\" failures=\"1\""));
  CHECK_THAT(xml, Catch::Contains("<failure message=\"actions.request_body") &&
                      Catch::Contains("response_headers[&quot;x-ext&quot;]: expected"));
}

TEST_CASE("runner: a plugin that fails to start fails every case, traps name the callback",
          "[testing]") {
  auto spec = parse_spec(R"(plugin:
  configuration: '{"fail":"yes"}'
cases:
  - request: {headers: {":path": /}}
  - request: {headers: {":path": /}}
)",
                         "x");
  REQUIRE(spec);
  auto report = run(ext::test::testing_support::module("kitchen_sink"), {*spec}, {});
  CHECK(report.failed == 2);
  CHECK_THAT(report.specs[0].cases[0].failures[0], Catch::Contains("the plugin failed to start") &&
                                                       Catch::Contains("proxy_on_configure"));

  // After a trap, later cases see what the failure policy gives them (Envoy's FailurePolicy).
  auto with = [&](const std::string& p, const std::string& expect) {
    auto text = std::string("plugin: {failure_policy: ") + p + R"(}
cases:
  - name: traps
    request: {headers: {":path": /, x-trap: unreachable}}
    expect: {trap: "proxy_on_request_headers: unreachable"}
  - name: after the trap
    request: {headers: {":path": /, x-trap: badptr}}
    expect: )" + expect +
                "\n";
    auto spec = parse_spec(text, "t");
    REQUIRE(spec);
    return run(ext::test::testing_support::module("traps"), {*spec}, {});
  };
  // fail_reload: a new VM, whose hostcall returns INVALID_MEMORY_ACCESS (6).
  auto reload = with("fail_reload", "{request_headers: {x-log-status: \"6\"}}");
  CHECK(reload.passed == 2);
  // fail_closed (the default): a 503 local reply, the request never goes upstream.
  auto closed = with("fail_closed", "{local_response: {status: 503}, forwarded: false}");
  CHECK(closed.passed == 2);
  auto closed_default = parse_spec(R"(cases:
  - request: {headers: {":path": /, x-trap: unreachable}}
  - request: {headers: {":path": /}}
    expect: {local_response: {status: 503, details: wasm_fail_stream}}
)",
                                   "d");
  REQUIRE(closed_default);
  auto rd = run(ext::test::testing_support::module("traps"), {*closed_default}, {});
  CHECK(rd.passed == 1);
  CHECK(rd.failed == 1);
  CHECK_THAT(rd.specs[0].cases[0].failures[0],
             Catch::Contains("trap: proxy_on_request_headers: unreachable"));
  // fail_open: the filter is skipped: the request goes upstream untouched.
  auto open = with("fail_open", "{forwarded: true, request_headers_absent: [x-log-status]}");
  CHECK(open.passed == 2);
  // A trap that was expected but did not happen fails the case.
  auto missing = parse_spec(R"(cases:
  - request: {headers: {":path": /}}
    expect: {trap: unreachable}
)",
                            "m");
  REQUIRE(missing);
  auto rm = run(ext::test::testing_support::module("traps"), {*missing}, {});
  CHECK(rm.failed == 1);
  CHECK_THAT(rm.specs[0].cases[0].failures[0], Catch::Contains("expected a trap"));
  CHECK(rd.specs[0].cases[0].failures.size() == 1);
  CHECK_THAT(rd.specs[0].cases[0].failures[0],
             Catch::Contains("trap: proxy_on_request_headers: unreachable"));
}

TEST_CASE("spec: a configuration mapping with bytes that are not UTF-8 is an error (fuzz)",
          "[testing]") {
  // Found by the spec fuzz target: nlohmann's dump threw type_error out of parse_spec.
  std::string text =
      "plugin:\n  configuration: {k: \"a\xb4z\"}\ncases:\n  - name: c\n"
      "    request: {headers: {\":path\": /}}\n";
  ext::Result<Spec> s = ext::fail(ext::Errc::internal, "not run");
  REQUIRE_NOTHROW(s = parse_spec(text, "t.yaml"));
  REQUIRE_FALSE(s);
  CHECK(s.error().message().find("not UTF-8") != std::string::npos);
}

TEST_CASE("spec: grpc_calls scripts and expectations", "[testing]") {
  auto s = parse_spec(R"(plugin:
  grpc_calls: [{cluster: authz, service: pkg.Svc, method: Check, response: pong}]
cases:
  - grpc_calls: [{cluster: authz, status: 14, status_message: down}]
    expect:
      grpc_calls: [{cluster: authz, service: pkg.Svc, method: Check, message: req}]
)",
                      "s");
  REQUIRE(s);
  REQUIRE(s->plugin.grpc_calls.size() == 1);
  CHECK(s->plugin.grpc_calls[0].response.message == "pong");
  CHECK(s->plugin.grpc_calls[0].response.status == 0);
  REQUIRE(s->cases[0].grpc_calls.size() == 1);
  CHECK(s->cases[0].grpc_calls[0].response.status == 14);
  CHECK(s->cases[0].grpc_calls[0].response.status_message == "down");
  REQUIRE(s->cases[0].expect.grpc_calls);
  CHECK((*s->cases[0].expect.grpc_calls)[0].message == "req");
  auto bad = parse_spec("cases:\n  - grpc_calls: [{cluster: a, status: 99}]\n", "s");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message(), Catch::Contains("gRPC status code"));
}

TEST_CASE("spec: grpc_streams scripts and expectations", "[testing]") {
  auto s = parse_spec(R"(plugin:
  grpc_streams: [{cluster: authz}]
cases:
  - grpc_streams:
      - service: pkg.Svc
        events:
          - initial_metadata: {X-A: b}
          - message: pong
            after_sends: 2
          - trailing_metadata: [[grpc-status, "0"]]
          - close: {status: 7, message: denied}
    expect:
      grpc_streams: [{cluster: authz, sent: [a, b], closed: true}]
)",
                      "s");
  REQUIRE(s);
  REQUIRE(s->plugin.grpc_streams.size() == 1);
  CHECK(s->plugin.grpc_streams[0].cluster == "authz");
  CHECK(s->plugin.grpc_streams[0].events.empty());
  REQUIRE(s->cases[0].grpc_streams.size() == 1);
  const auto& ev = s->cases[0].grpc_streams[0].events;
  REQUIRE(ev.size() == 4);
  using K = ext::host::GrpcStreamEvent::Kind;
  CHECK(ev[0].kind == K::initial_metadata);
  CHECK(ev[0].metadata == ext::host::HeaderMap{{"x-a", "b"}});
  CHECK(ev[1].kind == K::message);
  CHECK(ev[1].message == "pong");
  CHECK(ev[1].after_sends == 2);
  CHECK(ev[2].kind == K::trailing_metadata);
  CHECK(ev[3].kind == K::close);
  CHECK(ev[3].status == 7);
  CHECK(ev[3].status_message == "denied");
  REQUIRE(s->cases[0].expect.grpc_streams);
  const auto& want = (*s->cases[0].expect.grpc_streams)[0];
  CHECK(want.sent == std::vector<std::string>{"a", "b"});
  CHECK(want.closed == true);

  auto two = parse_spec("cases:\n  - grpc_streams: [{events: [{message: a, close: {}}]}]\n", "s");
  REQUIRE_FALSE(two);
  CHECK_THAT(two.error().message(), Catch::Contains("exactly one of"));
  auto status = parse_spec("cases:\n  - grpc_streams: [{events: [{close: {status: 17}}]}]\n", "s");
  REQUIRE_FALSE(status);
  CHECK_THAT(status.error().message(), Catch::Contains("gRPC status code"));
  auto key = parse_spec("cases:\n  - grpc_streams: [{events: [{mesage: a}]}]\n", "s");
  REQUIRE_FALSE(key);
  CHECK_THAT(key.error().message(), Catch::Contains("mesage"));
}
