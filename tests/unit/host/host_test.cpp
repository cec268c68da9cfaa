// The built-in proxy-wasm host, driven through real modules: C filters compiled with clang-14
// against the raw ABI (tests/data/host/*.c) and hand-written .wat for what compilers never emit.
#include <catch2/catch.hpp>

#include "ext/host/host.hpp"
#include "ext/host/pairs.hpp"
#include "support/host/filters.hpp"
#include "support/paths.hpp"

using namespace ext::host;
namespace th = ext::test::host;

namespace {

std::unique_ptr<Host> make(const std::string& name, HostConfig cfg = {}, VmLimits limits = {}) {
  HostOptions o;
  o.config = std::move(cfg);
  o.limits = limits;
  auto h = Host::create(th::filter(name), std::move(o));
  if (!h) FAIL(h.error().message());
  return std::move(*h);
}

HttpInput get(const std::string& path, HeaderMap extra = {}) {
  HttpInput in;
  in.request_headers = {{":method", "GET"}, {":path", path}, {":authority", "example.com"}};
  for (auto& kv : extra) in.request_headers.push_back(kv);
  in.response_headers = {{":status", "200"}};
  in.response_body = {"hello world"};
  return in;
}

std::string hv(const HeaderMap& m, const std::string& k) {
  return header_value(m, k).value_or("<absent>");
}

bool logged(const std::vector<LogEntry>& logs, const std::string& needle) {
  for (const auto& l : logs)
    if (l.message.find(needle) != std::string::npos) return true;
  return false;
}

const Metric* metric(Host& h, const std::string& name) {
  for (const auto& m : h.metrics())
    if (m.name == name) return &m;
  return nullptr;
}

// A minimal 0.2.1 module around `body` (imports and functions in WebAssembly text).
std::string wat_module(const std::string& body, const std::string& abi = "0_2_1") {
  return ext::test::wat_to_wasm(
      "(module\n" + body +
      "\n (memory (export \"memory\") 1)\n"
      " (func (export \"proxy_abi_version_" +
      abi +
      "\"))\n"
      " (func (export \"malloc\") (param i32) (result i32) (i32.const 4096))\n)");
}

std::string load_error(const std::string& wasm) {
  auto h = Host::create(wasm, {});
  REQUIRE_FALSE(h);
  return h.error().message();
}

}  // namespace

TEST_CASE("pairs serialization follows the proxy-wasm spec byte for byte", "[host]") {
  HeaderMap m{{"a", "1"}, {"b", "22"}};
  std::string bytes = serialize_pairs(m);
  std::string want(
      "\x02\0\0\0\x01\0\0\0\x01\0\0\0\x01\0\0\0\x02\0\0\0a\0"
      "1\0b\0"
      "22\0",
      29);
  CHECK(bytes == want);
  auto back = parse_pairs(bytes);
  REQUIRE(back);
  CHECK(*back == m);
  CHECK(parse_pairs("")->empty());
  CHECK_FALSE(parse_pairs(bytes + "x"));          // trailing bytes
  CHECK_FALSE(parse_pairs(bytes.substr(0, 20)));  // truncated
  std::string no_nul = bytes;
  no_nul[21] = 'X';  // the NUL after "a"
  CHECK_FALSE(parse_pairs(no_nul));
  std::string many("\x01\x04\0\0", 4);  // 1025 pairs > 1024
  CHECK_FALSE(parse_pairs(many + std::string(1025 * 8, '\0')));
}

TEST_CASE("add-header filter: configured header on responses", "[host]") {
  HostConfig cfg;
  cfg.root_id = "add_header";
  cfg.plugin_configuration = R"({"header":"x-ext","value":"from-config"})";
  auto h = make("add_header", cfg);
  CHECK(h->abi() == AbiVersion::v0_2_1);
  for (int i = 0; i < 3; ++i) {  // one instance, many streams
    auto out = h->run_http(get("/"));
    REQUIRE_FALSE(out.error);
    CHECK(out.request_forwarded);
    CHECK(out.response_forwarded);
    CHECK(hv(out.response_headers, "x-ext") == "from-config");
    CHECK(hv(out.response_headers, ":status") == "200");
    CHECK(out.response_body == "hello world");
    REQUIRE(out.callbacks.size() >= 2);
    CHECK(out.callbacks.front().name == "proxy_on_context_create");
  }
}

TEST_CASE("kitchen sink: local responses, headers, bodies, trailers", "[host]") {
  HostConfig cfg;
  cfg.root_id = "sink";
  cfg.vm_configuration = "vm-config-bytes";
  cfg.properties["node.id"] = "n1";
  cfg.properties["upstream.port"] = std::string("\x50\x00\0\0\0\0\0\0", 8);  // 80 as 8-byte LE
  cfg.properties["debug"] = std::string("\x01", 1);
  auto h = make("kitchen_sink", cfg);
  CHECK(logged(h->logs(), "vm-config-bytes"));
  CHECK(logged(h->logs(), "vm started"));

  SECTION("local response stops the request and passes the response callbacks") {
    auto out = h->run_http(get("/admin", {{"x-mode", "deny"}}));
    REQUIRE_FALSE(out.error);
    REQUIRE(out.local_response);
    CHECK(out.local_response->status == 403);
    CHECK(out.local_response->body == "denied");
    CHECK(out.local_response->details == "denied_by_filter");
    CHECK(hv(out.local_response->headers, "x-deny") == "yes");
    CHECK_FALSE(out.request_forwarded);
    CHECK(hv(out.response_headers, ":status") == "403");
    CHECK(hv(out.response_headers, "x-ext") == "hello");
    CHECK(logged(out.logs, "denied: no token"));
    CHECK(logged(out.logs, "access: /admin"));  // on_log still runs
  }
  SECTION("replace, remove, and NOT_FOUND for a missing header (0.2.x)") {
    auto out =
        h->run_http(get("/", {{"x-mode", "replace"}, {"x-remove-me", "1"}, {"X-Mode", "b"}}));
    REQUIRE_FALSE(out.error);
    CHECK(hv(out.request_headers, "x-mode") == "replaced");
    CHECK(hv(out.request_headers, "x-remove-me") == "<absent>");
    CHECK(hv(out.request_headers, "x-absent-status") == "1");
    CHECK(hv(out.request_headers, "x-seen") == "1");
  }
  SECTION("header map pairs read and written whole") {
    auto out = h->run_http(get("/p", {{"x-mode", "pairs"}}));
    REQUIRE_FALSE(out.error);
    CHECK(hv(out.request_headers, "x-pairs") == "four");
    CHECK(hv(out.request_headers, ":path") == "/p");
  }
  SECTION("properties with Envoy's encodings, and request attributes") {
    auto out = h->run_http(get("/where", {{"x-mode", "prop"}}));
    REQUIRE_FALSE(out.error);
    CHECK(hv(out.request_headers, "x-node") == "n1");
    CHECK(hv(out.request_headers, "x-path") == "/where");
    CHECK(hv(out.request_headers, "x-port") == "80");
    CHECK(hv(out.request_headers, "x-debug") == "true");
    CHECK(hv(out.request_headers, "x-missing-property") == "1");
  }
  SECTION("time comes from the host clock, log level from the config") {
    auto out = h->run_http(get("/", {{"x-mode", "time"}}));
    CHECK(hv(out.request_headers, "x-time") == std::to_string(cfg.start_time_ns));
    // Envoy's default log level is info (2); the kitchen sink reports what the host says.
    CHECK(hv(out.request_headers, "x-log-level") == "2");
  }
  SECTION("a body is buffered while the callback stops, then replaced") {
    auto in = get("/upload", {{"x-mode", "buffer"}});
    in.request_headers[0].second = "POST";
    in.request_body = {"abc", "def"};
    auto out = h->run_http(in);
    REQUIRE_FALSE(out.error);
    CHECK(out.request_body == "ABCDEF");
    std::vector<uint32_t> actions;
    for (auto& c : out.callbacks)
      if (c.name == "proxy_on_request_body") actions.push_back(c.result.value_or(99));
    CHECK(actions == std::vector<uint32_t>{1, 0});
  }
  SECTION("trailers reach their callback and can be changed") {
    auto in = get("/t");
    in.request_body = {"x"};
    in.request_trailers = HeaderMap{{"grpc-status", "0"}};
    auto out = h->run_http(in);
    REQUIRE(out.request_trailers);
    CHECK(hv(*out.request_trailers, "x-trailer-seen") == "1");
  }
  SECTION("close_stream resets the stream") {
    auto out = h->run_http(get("/", {{"x-mode", "reset"}}));
    CHECK(out.reset);
    CHECK_FALSE(out.response_forwarded);
  }
  SECTION("HTTP calls are answered by scripted responses on the root context") {
    // No cluster check (every cluster known); the answer decides.
    h->set_http_upstream(nullptr,
                         [](const HttpCallRecord& call) -> std::optional<HttpCallResponse> {
                           if (call.upstream != "auth_cluster") return std::nullopt;
                           return HttpCallResponse{{{":status", "200"}}, "granted", {}, false};
                         });
    auto out = h->run_http(get("/", {{"x-mode", "call"}}));
    REQUIRE_FALSE(out.error);
    REQUIRE(out.http_calls.size() == 1);
    CHECK(out.http_calls[0].upstream == "auth_cluster");
    CHECK(hv(out.http_calls[0].headers, ":path") == "/check");
    CHECK(out.http_calls[0].timeout_ms == 500);
    CHECK(out.request_forwarded);
    CHECK(hv(out.request_headers, "x-auth") == "granted");
    CHECK(out.paused_at.empty());

    h->set_http_upstream(nullptr, nullptr);  // no answer: the call fails
    auto failed = h->run_http(get("/", {{"x-mode", "call"}}));
    REQUIRE(failed.local_response);
    CHECK(failed.local_response->status == 401);
    CHECK(logged(failed.logs, "auth call failed"));
  }
  SECTION("shared data with CAS persists across streams") {
    auto a = h->run_http(get("/", {{"x-mode", "shared"}}));
    auto b = h->run_http(get("/", {{"x-mode", "shared"}}));
    CHECK(hv(a.request_headers, "x-hits") == "1");
    CHECK(hv(b.request_headers, "x-hits") == "2");
    CHECK(hv(b.request_headers, "x-stale-cas") == "8");  // CAS_MISMATCH
  }
  SECTION("shared queues notify the registering root context") {
    auto out = h->run_http(get("/", {{"x-mode", "queue"}}));
    CHECK(logged(out.logs, "queue: hello"));
    CHECK(hv(out.request_headers, "x-resolve-missing") == "1");
  }
  SECTION("metrics: counters, gauges, histograms") {
    h->run_http(get("/"));
    h->run_http(get("/"));
    REQUIRE(metric(*h, "requests_total"));
    CHECK(metric(*h, "requests_total")->value == 2);
    CHECK(metric(*h, "requests_total")->type == MetricType::counter);
    CHECK(metric(*h, "inflight")->value == 0);
    CHECK(metric(*h, "response_sizes")->recorded == std::vector<uint64_t>{11, 11});
  }
  SECTION("tick timers follow the host clock") {
    REQUIRE(h->advance(3500));
    CHECK(metric(*h, "ticks")->value == 3);
    REQUIRE(h->advance(600));
    CHECK(metric(*h, "ticks")->value == 4);
    CHECK(h->now_ns() == cfg.start_time_ns + 4100ull * 1000000ull);
  }
}

TEST_CASE("a plugin that rejects its configuration fails to start", "[host]") {
  HostOptions o;
  o.config.plugin_configuration = R"({"fail":"yes"})";
  auto h = Host::create(th::filter("kitchen_sink"), o);
  REQUIRE_FALSE(h);
  CHECK_THAT(h.error().message(), Catch::Contains("proxy_on_configure returned false"));
}

TEST_CASE("traps, endless loops and runaway memory become errors naming the callback", "[host]") {
  VmLimits limits;
  limits.instruction_budget = 5'000'000;
  limits.max_memory_pages = 64;
  auto h = make("traps", {}, limits);
  auto run = [&](const std::string& mode) { return h->run_http(get("/", {{"x-trap", mode}})); };

  auto out = run("unreachable");
  REQUIRE(out.error);
  CHECK_THAT(*out.error,
             Catch::Contains("proxy_on_request_headers") && Catch::Contains("unreachable"));
  CHECK(h->failed());

  h = make("traps", {}, limits);
  out = run("oob");
  REQUIRE(out.error);
  CHECK_THAT(*out.error, Catch::Contains("out of bounds"));

  h = make("traps", {}, limits);
  out = run("loop");
  REQUIRE(out.error);
  CHECK_THAT(*out.error, Catch::Contains("instruction budget"));

  h = make("traps", {}, limits);
  out = run("recurse");
  REQUIRE(out.error);
  CHECK_THAT(*out.error, Catch::Contains("call stack exhausted"));

  h = make("traps", {}, limits);
  out = run("grow");
  REQUIRE(out.error);
  CHECK(h->memory_size() <= 64ull * 65536);

  h = make("traps", {}, limits);
  out = run("badptr");  // bad pointers: INVALID_MEMORY_ACCESS (6), not a crash
  REQUIRE_FALSE(out.error);
  CHECK(hv(out.request_headers, "x-log-status") == "6");
  CHECK(hv(out.request_headers, "x-get-status") == "6");
}

TEST_CASE("network filters: connection, data both ways, close", "[host]") {
  auto h = make("tcp_filter");
  TcpInput in;
  in.downstream = {"hello ", "world"};
  in.upstream = {"reply"};
  auto out = h->run_tcp(in);
  REQUIRE_FALSE(out.error);
  CHECK(out.to_upstream == "HELLO WORLD");
  CHECK(out.to_downstream == "reply");
  CHECK(logged(out.logs, "new connection"));
  CHECK(logged(out.logs, "downstream closed (remote)"));
  CHECK(metric(*h, "tcp_bytes")->value == 11);

  TcpInput quit;
  quit.downstream = {"quit now", "never seen"};
  auto q = h->run_tcp(quit);
  CHECK(q.closed_downstream);
  CHECK(q.to_upstream == "QUIT NOW");
  CHECK(logged(q.logs, "downstream closed (local)"));
}

TEST_CASE("linking refuses what Envoy refuses", "[host]") {
  CHECK_THAT(
      load_error(wat_module(R"((import "env" "proxy_nope" (func (param i32) (result i32))))")),
      Catch::Contains("missing import: env.proxy_nope"));
  CHECK_THAT(
      load_error(wat_module(R"((import "env" "proxy_log" (func (param i32 i32) (result i32))))")),
      Catch::Contains("import type mismatch: env.proxy_log") &&
          Catch::Contains("(i32,i32,i32)->i32"));
  CHECK_THAT(
      load_error(wat_module(
          R"((import "wasi_snapshot_preview2" "fd_write" (func (param i32 i32 i32 i32) (result i32))))")),
      Catch::Contains("missing import: wasi_snapshot_preview2.fd_write"));
  CHECK_THAT(load_error(wat_module(R"((import "env" "g" (global i32)))")),
             Catch::Contains("missing import: env.g"));
  // Version-specific registrations (cpp-host src/wasm.cc registerCallbacks).
  CHECK_THAT(
      load_error(wat_module(
          R"((import "env" "proxy_get_log_level" (func (param i32) (result i32))))", "0_2_0")),
      Catch::Contains("missing import: env.proxy_get_log_level"));
  CHECK_THAT(
      load_error(wat_module(
          R"((import "env" "proxy_continue_stream" (func (param i32) (result i32))))", "0_1_0")),
      Catch::Contains("missing import"));
  CHECK_THAT(
      load_error(wat_module(
          R"((func (export "proxy_on_request_headers") (param i32 i32) (result i32) (i32.const 0)))")),
      Catch::Contains("Bad function signature for: proxy_on_request_headers"));
  CHECK_THAT(
      load_error(ext::test::wat_to_wasm(
          R"((module (memory (export "memory") 1) (func (export "malloc") (param i32) (result i32) (i32.const 0))))")),
      Catch::Contains("Missing or unknown Proxy-Wasm ABI version"));
  CHECK_THAT(
      load_error(ext::test::wat_to_wasm(
          R"((module (memory (export "memory") 1) (func (export "proxy_abi_version_0_2_1"))))")),
      Catch::Contains("missing malloc"));
  CHECK_THAT(load_error("not wasm at all"), Catch::Contains("Failed to parse"));
  // WASI under both names is fine.
  CHECK(Host::create(
      wat_module(R"((import "wasi_unstable" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
                                   (import "wasi_snapshot_preview1" "random_get" (func (param i32 i32) (result i32))))"),
      {}));
}

TEST_CASE("start-up: _initialize then main, traps and restricted hostcalls fail the load",
          "[host]") {
  auto ok = Host::create(wat_module(R"(
    (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
    (data (i32.const 100) "init")
    (data (i32.const 200) "main")
    (func (export "_initialize") (drop (call $log (i32.const 2) (i32.const 100) (i32.const 4))))
    (func (export "main") (param i32 i32) (result i32) (drop (call $log (i32.const 2) (i32.const 200) (i32.const 4))) (i32.const 0)))"),
                         {});
  REQUIRE(ok);
  REQUIRE((*ok)->logs().size() == 2);
  CHECK((*ok)->logs()[0].message == "init");
  CHECK((*ok)->logs()[1].message == "main");

  CHECK_THAT(load_error(wat_module(R"((func (export "_initialize") unreachable))")),
             Catch::Contains("trap at start-up in _initialize") && Catch::Contains("unreachable"));
  CHECK_THAT(load_error(wat_module(R"(
    (import "env" "proxy_define_metric" (func $d (param i32 i32 i32 i32) (result i32)))
    (func (export "_start") (drop (call $d (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)))))")),
             Catch::Contains("env.proxy_define_metric may not be called during start-up"));
}

TEST_CASE("ABI 0.1.0: two-argument header callbacks, OK for a missing header", "[host]") {
  auto wasm = wat_module(R"(
    (import "env" "proxy_get_header_map_value" (func $get (param i32 i32 i32 i32 i32) (result i32)))
    (import "env" "proxy_add_header_map_value" (func $add (param i32 i32 i32 i32 i32) (result i32)))
    (import "env" "proxy_continue_request" (func $cont (result i32)))
    (data (i32.const 100) "x-missingx-status0")
    (func (export "proxy_on_request_headers") (param i32 i32) (result i32)
      (local $r i32)
      (local.set $r (call $get (i32.const 0) (i32.const 100) (i32.const 9) (i32.const 300) (i32.const 304)))
      (i32.store8 (i32.const 117) (i32.add (i32.const 48) (local.get $r)))
      (drop (call $add (i32.const 0) (i32.const 109) (i32.const 8) (i32.const 117) (i32.const 1)))
      (i32.const 0)))",
                         "0_1_0");
  auto h = Host::create(wasm, {});
  REQUIRE(h);
  CHECK((*h)->abi() == AbiVersion::v0_1_0);
  auto out = (*h)->run_http(get("/"));
  REQUIRE_FALSE(out.error);
  CHECK(hv(out.request_headers, "x-status") == "0");
}
