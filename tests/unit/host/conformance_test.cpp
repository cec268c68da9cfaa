// Conformance: raw-ABI probe filters (WebAssembly text, built in the test with wat2wasm), one
// per hostcall family, asserting the return codes and effects Envoy's proxy-wasm host has. The
// upstream line each expectation comes from is cited beside it:
//   [HOST] = proxy-wasm/proxy-wasm-cpp-host at 52a0291 (src/exports.cc, src/context.cc,
//            src/wasm.cc, include/proxy-wasm/wasm.h)
//   [ENVOY] = envoyproxy/envoy source/extensions/common/wasm/context.cc
// A probe records each hostcall's result by logging two bytes: its letter and '0' + status.
#include <catch2/catch.hpp>
#include <cstring>
#include <map>

#include "ext/digest/signature.hpp"
#include "ext/host/envoy_versions.hpp"
#include "ext/host/host.hpp"
#include "ext/host/pairs.hpp"
#include "ext/host/proto_wire.hpp"
#include "ext/wasm/abi_tables.hpp"
#include "ext/wasm/module.hpp"
#include "support/host/wat_probe.hpp"
#include "support/paths.hpp"

using namespace ext::host;

namespace {

// Builds a probe module: string constants go to data segments.
struct Probe {
  std::string data;
  int next = 1024;
  // "(i32.const ptr) (i32.const len)" for `text` (may hold NULs).
  std::string str(const std::string& text) {
    std::string esc;
    static const char* hex = "0123456789abcdef";
    for (unsigned char c : text) {
      esc += '\\';
      esc += hex[c >> 4];
      esc += hex[c & 15];
    }
    data += " (data (i32.const " + std::to_string(next) + ") \"" + esc + "\")\n";
    std::string out =
        "(i32.const " + std::to_string(next) + ") (i32.const " + std::to_string(text.size()) + ")";
    next += static_cast<int>(text.size()) + 8;
    return out;
  }
  std::string build(const std::string& funcs) {
    using ext::test::host::wat_probe_preamble;
    return ext::test::wat_to_wasm(wat_probe_preamble(
                                      {{"log", "proxy_log"},
                                       {"hget", "proxy_get_header_map_value"},
                                       {"hadd", "proxy_add_header_map_value"},
                                       {"hrep", "proxy_replace_header_map_value"},
                                       {"hpairs", "proxy_get_header_map_pairs"},
                                       {"hsize", "proxy_get_header_map_size"},
                                       {"bget", "proxy_get_buffer_bytes"},
                                       {"bset", "proxy_set_buffer_bytes"},
                                       {"bstat", "proxy_get_buffer_status"},
                                       {"cont", "proxy_continue_stream"},
                                       {"reply", "proxy_send_local_response"},
                                       {"call", "proxy_http_call"},
                                       {"status", "proxy_get_status"},
                                       {"pget", "proxy_get_property"},
                                       {"pset", "proxy_set_property"},
                                       {"mdef", "proxy_define_metric"},
                                       {"minc", "proxy_increment_metric"},
                                       {"qreg", "proxy_register_shared_queue"},
                                       {"qres", "proxy_resolve_shared_queue"},
                                       {"done", "proxy_done"},
                                       {"tick", "proxy_set_tick_period_milliseconds"}},
                                      4) +
                                  R"( (func $rec (param $id i32) (param $code i32)
   (i32.store8 (i32.const 100) (local.get $id))
   (i32.store8 (i32.const 101) (i32.add (i32.const 48) (local.get $code)))
   (drop (call $log (i32.const 2) (i32.const 100) (i32.const 2))))
 (func $out (drop (call $log (i32.const 2) (i32.load (i32.const 200)) (i32.load (i32.const 204)))))
)" + data + funcs + ")");
  }
};

// Letter -> status of the probe's recorded calls (the last record of each letter).
std::map<char, int> codes(const std::vector<LogEntry>& logs) {
  std::map<char, int> out;
  for (const auto& l : logs)
    if (l.message.size() == 2 && l.message[1] >= '0') out[l.message[0]] = l.message[1] - '0';
  return out;
}

bool has_line(const std::vector<LogEntry>& logs, const std::string& text) {
  for (const auto& l : logs)
    if (l.message == text) return true;
  return false;
}

std::unique_ptr<Host> host(const std::string& wasm, HostConfig cfg = {}) {
  HostOptions o;
  o.config = std::move(cfg);
  auto h = Host::create(wasm, std::move(o));
  if (!h) FAIL(h.error().message());
  return std::move(*h);
}

HttpInput request(HeaderMap extra = {}) {
  HttpInput in;
  in.request_headers = {{":method", "GET"}, {":path", "/p"}, {":authority", "a"}};
  for (auto& kv : extra) in.request_headers.push_back(kv);
  in.response_headers = {{":status", "200"}};
  return in;
}

constexpr int OK = 0, NOT_FOUND = 1, BAD_ARGUMENT = 2, BROKEN_CONNECTION = 11, UNIMPLEMENTED = 12;

}  // namespace

TEST_CASE("conformance: header maps live for their phase only", "[host][conformance]") {
  Probe p;
  auto dup = p.str("x-dup"), path = p.str(":path"), z = p.str("z"), status = p.str(":status");
  auto wasm = p.build(R"(
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
   (call $rec (i32.const 97) (call $hget (i32.const 0) )" +
                      dup + R"( (i32.const 200) (i32.const 204)))
   (call $out)
   (call $rec (i32.const 98) (call $hrep (i32.const 0) )" +
                      dup + " " + z + R"())
   (i32.const 0))
 (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
   (call $rec (i32.const 99) (call $hget (i32.const 0) )" +
                      path + R"( (i32.const 200) (i32.const 204)))
   (call $rec (i32.const 100) (call $hadd (i32.const 0) )" +
                      dup + " " + z + R"())
   (call $rec (i32.const 101) (call $hpairs (i32.const 0) (i32.const 200) (i32.const 204)))
   (call $rec (i32.const 102) (call $hsize (i32.const 0) (i32.const 208)))
   (call $rec (i32.const 103) (call $hget (i32.const 2) )" +
                      status + R"( (i32.const 200) (i32.const 204)))
   (call $rec (i32.const 104) (call $hget (i32.const 6) )" +
                      status + R"( (i32.const 200) (i32.const 204)))
   (call $rec (i32.const 109) (call $hget (i32.const 9) )" +
                      status + R"( (i32.const 200) (i32.const 204)))
   (i32.const 0))
 (func (export "proxy_on_log") (param i32)
   (call $rec (i32.const 105) (call $hget (i32.const 0) )" +
                      path + R"( (i32.const 200) (i32.const 204)))
   (call $rec (i32.const 106) (call $hadd (i32.const 0) )" +
                      dup + " " + z + R"()))
)");
  auto h = host(wasm);
  auto out = h->run_http(request({{"x-dup", "first"}, {"x-dup", "second"}, {"x-end", "1"}}));
  REQUIRE_FALSE(out.error);
  auto c = codes(out.logs);
  // [ENVOY] getHeaderMapValue: `*value = entry[0]->value()`: the first value only.
  CHECK(c['a'] == OK);
  CHECK(has_line(out.logs, "first"));
  // [ENVOY] replaceHeaderMapValue -> setCopy: all entries go, one is added at the end.
  CHECK(c['b'] == OK);
  REQUIRE_FALSE(out.request_headers.empty());
  CHECK(out.request_headers.back() == std::pair<std::string, std::string>{"x-dup", "z"});
  // [ENVOY] decodeHeaders: `if (result == Continue) request_headers_ = nullptr`; then
  // getHeaderMapValue / addHeaderMapValue / getHeaderMapSize: `if (!map) return BadArgument`.
  CHECK(c['c'] == BAD_ARGUMENT);
  CHECK(c['d'] == BAD_ARGUMENT);
  // [ENVOY] getHeaderMapPairs: headerMapToPairs(nullptr) = {} -> OK, empty.
  CHECK(c['e'] == OK);
  CHECK(c['f'] == BAD_ARGUMENT);
  CHECK(c['g'] == OK);  // the response headers are in their phase
  // [ENVOY] getConstMap(HttpCallResponseHeaders) without a call response: nullptr.
  CHECK(c['h'] == BAD_ARGUMENT);
  // [HOST] exports.cc get_header_map_value: `type > WasmHeaderMapType::MAX` -> BadArgument.
  CHECK(c['m'] == BAD_ARGUMENT);
  // [ENVOY] log(): access_log_request_headers_ readable in on_log; getMap (writes) is not.
  CHECK(c['i'] == OK);
  CHECK(c['j'] == BAD_ARGUMENT);
}

TEST_CASE("conformance: the end of a stream is log, done, delete (HTTP), done, log, delete (TCP)",
          "[host][conformance]") {
  Probe p;
  auto L = p.str("log"), D = p.str("done"), X = p.str("delete");
  auto wasm = p.build(R"(
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 0))
 (func (export "proxy_on_new_connection") (param i32) (result i32) (i32.const 0))
 (func (export "proxy_on_log") (param i32) (drop (call $log (i32.const 2) )" +
                      L + R"()))
 (func (export "proxy_on_done") (param i32) (result i32) (drop (call $log (i32.const 2) )" +
                      D +
                      R"()) (i32.const 1))
 (func (export "proxy_on_delete") (param i32) (drop (call $log (i32.const 2) )" +
                      X + R"()))
)");
  auto h = host(wasm);
  auto order = [](const std::vector<LogEntry>& logs) {
    std::string s;
    for (const auto& l : logs) s += l.message + " ";
    return s;
  };
  // [ENVOY] the HTTP connection manager logs (Context::log -> onLog) before it destroys the
  // filter (Context::onDestroy -> onDone, onDelete).
  CHECK(order(h->run_http(request()).logs) == "log done delete ");
  // [ENVOY] onCloseTCP: onDone(); onLog(); onDelete();
  TcpInput tcp;
  tcp.downstream = {"x"};
  CHECK(order(h->run_tcp(tcp).logs) == "done log delete ");
}

TEST_CASE("conformance: buffers", "[host][conformance]") {
  Probe p;
  auto he = p.str("HE");
  auto wasm = p.build(R"(
 (func (export "proxy_on_context_create") (param i32 i32)
   (call $rec (i32.const 102) (call $bget (i32.const 7) (i32.const 0) (i32.const 10) (i32.const 200) (i32.const 204))))
 (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
   (call $rec (i32.const 103) (call $bget (i32.const 7) (i32.const 0) (i32.const 10) (i32.const 200) (i32.const 204)))
   (i32.const 1))
 (func (export "proxy_on_configure") (param i32 i32) (result i32)
   (call $rec (i32.const 104) (call $bget (i32.const 7) (i32.const 0) (i32.const 10) (i32.const 200) (i32.const 204)))
   (i32.const 1))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
   (call $rec (i32.const 100) (call $bget (i32.const 0) (i32.const 0) (i32.const 10) (i32.const 200) (i32.const 204)))
   (call $rec (i32.const 101) (call $bget (i32.const 7) (i32.const 0) (i32.const 10) (i32.const 200) (i32.const 204)))
   (i32.const 0))
 (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32)
   (i32.store (i32.const 200) (i32.const 77))
   (call $rec (i32.const 97) (call $bget (i32.const 0) (i32.const 10) (i32.const 5) (i32.const 200) (i32.const 204)))
   (call $rec (i32.const 120) (i32.load (i32.const 204)))
   (call $rec (i32.const 98) (call $bset (i32.const 0) (i32.const 0) (i32.const 2) )" +
                      he + R"())
   (call $rec (i32.const 99) (call $bstat (i32.const 0) (i32.const 208) (i32.const 212)))
   (call $rec (i32.const 121) (i32.load (i32.const 212)))
   (i32.const 0))
)");
  auto h = host(wasm, [] {
    HostConfig c;
    c.plugin_configuration = "cfg";
    return c;
  }());
  auto start = codes(h->logs());
  // [HOST] context.cc onStart: temp_plugin_ set around on_context_create only; onConfigure sets
  // it around on_configure; [ENVOY] getBuffer(PluginConfiguration): nullptr without it.
  CHECK(start['f'] == OK);
  CHECK(start['g'] == NOT_FOUND);
  CHECK(start['h'] == OK);
  auto in = request();
  in.request_headers[0].second = "POST";
  in.request_body = {"hello"};
  auto out = h->run_http(in);
  REQUIRE_FALSE(out.error);
  auto c = codes(out.logs);
  // [ENVOY] getBuffer(HttpRequestBody) outside decodeData: buffer_.set(nullptr): size 0, OK.
  CHECK(c['d'] == OK);
  CHECK(c['e'] == NOT_FOUND);
  // [HOST] exports.cc get_buffer_bytes: `if (start > buffer->size()) length = 0` -> OK,
  // pointer 0, size 0.
  CHECK(c['a'] == OK);
  CHECK(c['x'] == 0);
  // [ENVOY] Buffer::copyFrom(start 0, length < size): drain length, prepend.
  CHECK(c['b'] == OK);
  CHECK(out.request_body == "HEllo");
  // [HOST] exports.cc get_buffer_status: `uint32_t flags = 0`.
  CHECK(c['c'] == OK);
  CHECK(c['y'] == 0);
}

TEST_CASE("conformance: stream control and local replies", "[host][conformance]") {
  Probe p;
  auto details = p.str("no way"), body = p.str("x"), none = p.str("");
  auto wasm = p.build(R"(
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_configure") (param i32 i32) (result i32)
   (call $rec (i32.const 102) (call $reply (i32.const 403) )" +
                      details + " " + body + " " + none +
                      R"( (i32.const -1)))
   (i32.const 1))
 (func (export "proxy_on_new_connection") (param i32) (result i32)
   (call $rec (i32.const 103) (call $reply (i32.const 403) )" +
                      details + " " + body + " " + none +
                      R"( (i32.const -1)))
   (call $rec (i32.const 104) (call $cont (i32.const 2)))
   (i32.const 1))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
   (call $rec (i32.const 97) (call $cont (i32.const 2)))
   (call $rec (i32.const 98) (call $cont (i32.const 3)))
   (call $rec (i32.const 99) (call $cont (i32.const 9)))
   (call $rec (i32.const 100) (call $reply (i32.const 403) )" +
                      details + " " + body + " " + none +
                      R"( (i32.const -1)))
   (call $rec (i32.const 101) (call $reply (i32.const 500) )" +
                      details + " " + body + " " + none +
                      R"( (i32.const -1)))
   (i32.const 1))
)");
  auto h = host(wasm);
  // [ENVOY] sendLocalResponse: `if (decoder_callbacks_)`: a root context has none: OK, no-op.
  CHECK(codes(h->logs())['f'] == OK);
  auto out = h->run_http(request());
  REQUIRE_FALSE(out.error);
  auto c = codes(out.logs);
  // [ENVOY] continueStream: Downstream resumes reading, Upstream is Unimplemented, others Bad.
  CHECK(c['a'] == OK);
  CHECK(c['b'] == UNIMPLEMENTED);
  CHECK(c['c'] == BAD_ARGUMENT);
  // [HOST] exports.cc send_local_response ignores Envoy's result: OK for both replies. The
  // second one runs after the first went downstream: Envoy >= 1.33 resets the stream
  // (filter_manager.cc sendLocalReply, "Prior headers have already been sent").
  CHECK(c['d'] == OK);
  CHECK(c['e'] == OK);
  REQUIRE(out.local_response);
  CHECK(out.local_response->status == 403);
  CHECK(out.reset);
  // Envoy sanitizes response code details (spaces -> '_') and sendLocalReply adds the body's
  // content-type and content-length.
  CHECK(out.local_response->details == "no_way");
  CHECK(header_value(out.response_headers, "content-type") == "text/plain");
  CHECK(header_value(out.response_headers, "content-length") == "1");
  // A network context: no decoder callbacks, the reply is a no-op; DOWNSTREAM resumes.
  TcpInput tcp;
  tcp.downstream = {"data"};
  auto t = h->run_tcp(tcp);
  CHECK(codes(t.logs)['g'] == OK);
  CHECK(codes(t.logs)['h'] == OK);
  CHECK(t.to_upstream == "data");
}

TEST_CASE("conformance: HTTP calls", "[host][conformance]") {
  Probe p;
  auto nope = p.str("nope"), auth = p.str("auth"), empty = p.str("");
  // Headers :method GET, :path /, :authority a as serialized pairs.
  std::string pairs("\x03\0\0\0\x07\0\0\0\x03\0\0\0\x05\0\0\0\x01\0\0\0\x0a\0\0\0\x01\0\0\0", 28);
  pairs += std::string(":method\0GET\0:path\0/\0:authority\0a\0", 33);
  auto hdrs = p.str(pairs);
  auto call = [&](const std::string& cluster, const std::string& timeout) {
    return "(call $call " + cluster + " " + hdrs + " " + empty + " " + empty + " " + timeout +
           " (i32.const 216))";
  };
  auto wasm = p.build(R"(
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
   (call $rec (i32.const 97) )" +
                      call(nope, "(i32.const 1000)") + R"()
   (call $rec (i32.const 98) )" +
                      call(auth, "(i32.const -2147483648)") + R"()
   (call $rec (i32.const 99) )" +
                      call(auth, "(i32.const 1000)") + R"()
   (call $rec (i32.const 116) (i32.load (i32.const 216)))
   (call $rec (i32.const 100) )" +
                      call(auth, "(i32.const 1000)") + R"()
   (call $rec (i32.const 117) (i32.load (i32.const 216)))
   (i32.const 0))
 (func (export "proxy_on_http_call_response") (param i32 i32 i32 i32 i32)
   (call $rec (i32.const 101) (call $status (i32.const 220) (i32.const 200) (i32.const 204)))
   (call $rec (i32.const 115) (i32.load (i32.const 220)))
   (call $out))
)");
  auto h = host(wasm);
  h->set_http_upstream([](const std::string& c) { return c == "auth"; },
                       [](const HttpCallRecord&) -> std::optional<HttpCallResponse> {
                         return std::nullopt;  // every call fails (reset)
                       });
  auto out = h->run_http(request());
  REQUIRE_FALSE(out.error);
  auto c = codes(out.logs);
  // [ENVOY] httpCall: getThreadLocalCluster(cluster) == nullptr -> BadArgument.
  CHECK(c['a'] == BAD_ARGUMENT);
  // [ENVOY] httpCall: `if (timeout_milliseconds < 0) return BadArgument` (int).
  CHECK(c['b'] == BAD_ARGUMENT);
  // [HOST] wasm.h nextHttpCallId: next_http_call_id_ += kCalloutIncrement: 4, 8, ...
  CHECK(c['c'] == OK);
  CHECK(c['t'] == 4);
  CHECK(c['d'] == OK);
  CHECK(c['u'] == 8);
  // [ENVOY] onHttpCallFailure: status_code_ = BrokenConnection, status_message_ = "reset".
  CHECK(c['e'] == OK);
  CHECK(c['s'] == BROKEN_CONNECTION);
  CHECK(has_line(out.logs, "reset"));
  CHECK(out.http_calls.size() == 2);
}

TEST_CASE("conformance: properties", "[host][conformance]") {
  Probe p;
  auto dotted = p.str("request.path"), path = p.str(std::string("request\0path", 12)),
       hdr = p.str(std::string("request\0headers\0X-DUP", 21)), ab = p.str(std::string("a\0b", 3)),
       v = p.str("v");
  auto wasm = p.build(R"(
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_configure") (param i32 i32) (result i32)
   (call $rec (i32.const 100) (call $pset )" +
                      ab + " " + v + R"())
   (i32.const 1))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
   (call $rec (i32.const 97) (call $pget )" +
                      dotted + R"( (i32.const 200) (i32.const 204)))
   (call $rec (i32.const 98) (call $pget )" +
                      path + R"( (i32.const 200) (i32.const 204)))
   (call $out)
   (call $rec (i32.const 99) (call $pget )" +
                      hdr + R"( (i32.const 200) (i32.const 204)))
   (call $out)
   (i32.const 0))
 (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
   (call $rec (i32.const 101) (call $pget )" +
                      path + R"( (i32.const 200) (i32.const 204)))
   (i32.const 0))
)");
  auto h = host(wasm);
  // [ENVOY] setProperty: getRequestStreamInfo() is null on a root context -> NotFound.
  CHECK(codes(h->logs())['d'] == NOT_FOUND);
  auto out = h->run_http(request({{"x-dup", "v1"}}));
  auto c = codes(out.logs);
  // [ENVOY] getProperty: `path.find('\0', start)`: "request.path" is one unknown token.
  CHECK(c['a'] == NOT_FOUND);
  CHECK(c['b'] == OK);
  CHECK(has_line(out.logs, "/p"));
  // Header names are lower-cased (Http::LowerCaseString in the request wrapper).
  CHECK(c['c'] == OK);
  CHECK(has_line(out.logs, "v1"));
  // [ENVOY] findValue(REQUEST) uses request_headers_, nulled once its phase ended.
  CHECK(c['e'] == NOT_FOUND);
}

TEST_CASE("conformance: metrics, queues, proxy_done, ticks", "[host][conformance]") {
  Probe p;
  auto cname = p.str("c"), gname = p.str("g"), q = p.str("q"), empty = p.str("");
  auto wasm = p.build(R"(
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_configure") (param i32 i32) (result i32)
   (call $rec (i32.const 97) (call $mdef (i32.const 0) )" +
                      cname + R"( (i32.const 216)))
   (call $rec (i32.const 120) (i32.load (i32.const 216)))
   (call $rec (i32.const 98) (call $mdef (i32.const 1) )" +
                      gname + R"( (i32.const 220)))
   (call $rec (i32.const 121) (i32.load (i32.const 220)))
   (call $rec (i32.const 99) (call $minc (i32.load (i32.const 216)) (i64.const 0)))
   (call $rec (i32.const 100) (call $minc (i32.load (i32.const 220)) (i64.const 0)))
   (drop (call $qreg )" +
                      q + R"( (i32.const 224)))
   (call $rec (i32.const 101) (call $qres )" +
                      empty + " " + q + R"( (i32.const 228)))
   (call $rec (i32.const 102) (call $done))
   (drop (call $tick (i32.const 100)))
   (i32.const 1))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
   (drop (call $tick (i32.const 100)))
   (i32.const 0))
 (func (export "proxy_on_tick") (param i32) (call $rec (i32.const 84) (i32.const 0)))
)");
  HostConfig cfg;
  cfg.vm_id = "vm1";
  auto h = host(wasm, cfg);
  auto c = codes(h->logs());
  // [HOST] wasm.h: next_counter_metric_id_ = Counter (0), += kMetricIdIncrement (4): 4;
  // gauges start at 1 + 4 = 5.
  CHECK(c['a'] == OK);
  CHECK(c['x'] == 4);
  CHECK(c['y'] == 5);
  // [ENVOY] incrementMetric: a counter needs offset > 0; a gauge takes any offset.
  CHECK(c['c'] == BAD_ARGUMENT);
  CHECK(c['d'] == OK);
  // [HOST] context.cc lookupSharedQueue: `vm_id.empty() ? wasm_->vm_id() : vm_id`.
  CHECK(c['e'] == OK);
  // [HOST] wasm.cc done(): only a root context pending shutdown: NotFound here.
  CHECK(c['f'] == NOT_FOUND);
  // [ENVOY] setTimerPeriod re-arms the timer: 60 ms, re-set, 60 ms: no tick yet.
  (void)h->take_logs();
  REQUIRE(h->advance(60));
  h->run_http(request());
  (void)h->take_logs();
  REQUIRE(h->advance(60));
  CHECK_FALSE(has_line(h->logs(), "T0"));
  REQUIRE(h->advance(40));
  CHECK(has_line(h->logs(), "T0"));
}

TEST_CASE("conformance: WASI as each Envoy release links it", "[host][conformance]") {
  // fd_fdstat_get: file type 0 [HOST exports.cc wasi_unstable_fd_fdstat_get: wasi_fdstat[0]=0].
  auto fdstat = ext::test::wat_to_wasm(R"((module
 (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $st (param i32 i32) (result i32)))
 (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
 (memory (export "memory") 1)
 (func (export "proxy_abi_version_0_2_1"))
 (func (export "malloc") (param i32) (result i32) (i32.const 4096))
 (func (export "_initialize")
   (i32.store8 (i32.const 100) (i32.add (i32.const 48) (call $st (i32.const 1) (i32.const 0))))
   (i32.store8 (i32.const 101) (i32.add (i32.const 48) (i32.load8_u (i32.const 0))))
   (drop (call $log (i32.const 2) (i32.const 100) (i32.const 2))))))");
  auto h = host(fdstat);
  CHECK(has_line(h->logs(), "00"));  // errno 0, file type 0 (not a character device)

  // Which WASI functions load, release by release [HOST f383473, c4d7bb0, 94091cd].
  auto importing = [](const std::string& fn, const std::string& sig) {
    return ext::test::wat_to_wasm("(module (import \"wasi_snapshot_preview1\" \"" + fn +
                                  "\" (func " + sig +
                                  "))\n (memory (export \"memory\") 1)\n"
                                  " (func (export \"proxy_abi_version_0_2_1\"))\n"
                                  " (func (export \"malloc\") (param i32) (result i32) "
                                  "(i32.const 0)))");
  };
  struct Fn {
    std::string name, sig, commit;
  };
  std::vector<Fn> fns = {
      {"fd_write", "(param i32 i32 i32 i32) (result i32)", ""},
      {"path_open", "(param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)", "f383473"},
      {"sched_yield", "(result i32)", "c4d7bb0"},
      {"fd_tell", "(param i32 i32) (result i32)", "94091cd"}};
  for (auto v : ext::wasm::abi::envoy_versions()) {
    for (const auto& f : fns) {
      INFO("Envoy " << v << " " << f.name);
      CHECK(ext::wasm::abi::wasi_added_in(f.name) == f.commit);
      HostOptions o;
      o.config.envoy_version = std::string(v);
      auto r = Host::create(importing(f.name, f.sig), o);
      bool provided = envoy_provides_wasi(v, f.name);
      CHECK(bool(r) == provided);
      if (!r) CHECK_THAT(r.error().message(), Catch::Contains("missing import"));
    }
  }
  CHECK_FALSE(envoy_provides_wasi("1.32", "sched_yield"));
  CHECK(envoy_provides_wasi("1.33", "sched_yield"));
  // 94091cd is first pinned after 1.38 (envoy PR #45756): no known release links fd_tell.
  CHECK_FALSE(envoy_provides_wasi("1.37", "fd_tell"));
  CHECK_FALSE(envoy_provides_wasi("1.38", "fd_tell"));
  CHECK(envoy_provides_wasi("1.24", "path_open"));
  // ext validate --platform-version reads the same table.
  auto info = ext::wasm::read_module(importing("sched_yield", "(result i32)"));
  REQUIRE(info);
  auto has_rule = [](const std::vector<ext::wasm::Finding>& fs, const std::string& id) {
    for (const auto& f : fs)
      if (f.rule == id) return true;
    return false;
  };
  ext::wasm::ValidateOptions old_envoy;
  old_envoy.envoy_version = "1.32";
  CHECK(has_rule(ext::wasm::validate(*info, old_envoy), "import-wasi-envoy"));
  ext::wasm::ValidateOptions new_envoy;
  new_envoy.envoy_version = "1.33";
  CHECK_FALSE(has_rule(ext::wasm::validate(*info, new_envoy), "import-wasi-envoy"));
  CHECK_FALSE(resolve_envoy_version("1.2"));
  CHECK(resolve_envoy_version("v1.33.4").value() == "1.33");
}

TEST_CASE("conformance: a second local reply, by Envoy version", "[host][conformance]") {
  Probe p;
  auto first = p.str("first"), second = p.str("second"), none = p.str("");
  auto wasm = p.build(R"(
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
   (call $rec (i32.const 97) (call $reply (i32.const 403) )" +
                      first + " " + first + " " + none + R"( (i32.const -1)))
   (i32.const 0))
 (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32)
   (call $rec (i32.const 98) (call $reply (i32.const 500) )" +
                      second + " " + second + " " + none + R"( (i32.const -1)))
   (i32.const 0))
)");
  // [HOST] exports.cc send_local_response: always OK, and the callback stops (it returned
  // Continue here).
  SECTION("1.32: the second reply is dropped and the stream stays paused (envoy #28826)") {
    HostConfig cfg;
    cfg.envoy_version = "1.32";
    auto out = host(wasm, cfg)->run_http(request());
    REQUIRE_FALSE(out.error);
    CHECK(codes(out.logs)['a'] == OK);
    CHECK(codes(out.logs)['b'] == OK);
    REQUIRE(out.local_response);
    CHECK(out.local_response->status == 403);
    CHECK_FALSE(out.response_forwarded);
    CHECK(out.paused_at == "proxy_on_response_headers");
  }
  SECTION("1.33: the second reply is sent directly, bypassing the filters (PR #36809)") {
    HostConfig cfg;
    cfg.envoy_version = "1.33";
    auto out = host(wasm, cfg)->run_http(request());
    REQUIRE_FALSE(out.error);
    CHECK(codes(out.logs)['b'] == OK);
    REQUIRE(out.local_response);
    CHECK(out.local_response->status == 500);
    CHECK(out.response_forwarded);
    CHECK(header_value(out.response_headers, ":status") == "500");
    CHECK(out.response_body == "second");
    CHECK_FALSE(out.reset);
  }
}

TEST_CASE("conformance: a local reply after the response headers went downstream resets",
          "[host][conformance]") {
  Probe p;
  auto late = p.str("late"), none = p.str("");
  auto wasm = p.build(R"(
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32)
   (call $rec (i32.const 97) (call $reply (i32.const 502) )" +
                      late + " " + late + " " + none + R"( (i32.const -1)))
   (i32.const 0))
)");
  auto in = request();
  in.response_body = {"upstream"};
  auto out = host(wasm)->run_http(in);
  REQUIRE_FALSE(out.error);
  CHECK(codes(out.logs)['a'] == OK);
  // [ENVOY] filter_manager.cc sendLocalReply: non_100_response_headers_encoded_ -> resetStream.
  CHECK(out.reset);
  CHECK(header_value(out.response_headers, ":status") == "200");
  CHECK_FALSE(out.local_response);
}

TEST_CASE("conformance: body buffering, by Envoy version", "[host][conformance]") {
  Probe p;
  auto x = p.str("X");
  auto wasm = p.build(R"(
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32)
   (drop (call $bget (i32.const 0) (i32.const 0) (local.get 1) (i32.const 200) (i32.const 204)))
   (call $out)
   (if (local.get 2) (then
     (drop (call $bset (i32.const 0) (i32.const 0) (local.get 1) )" +
                      x + R"())))
   (select (i32.const 0) (i32.const 1) (local.get 2)))
)");
  auto in = request();
  in.request_headers[0].second = "POST";
  in.request_body = {"aaaa", "bb", "c"};
  std::vector<std::string> seen;
  auto bodies = [&](const HttpOutcome& out) {
    std::vector<std::string> v;
    for (const auto& l : out.logs) v.push_back(l.message);
    return v;
  };
  // [ENVOY] PR #36411 (1.32.0): the current chunk joins the buffered body before the call.
  HostConfig before, after;
  before.envoy_version = "1.31";
  after.envoy_version = "1.32";
  auto old_out = host(wasm, before)->run_http(in);
  REQUIRE_FALSE(old_out.error);
  CHECK(bodies(old_out) == std::vector<std::string>{"aaaa", "aaaa", "aaaabb"});
  // The replacement covers what the filter saw; the last chunk is appended after it.
  CHECK(old_out.request_body == "Xc");
  auto new_out = host(wasm, after)->run_http(in);
  REQUIRE_FALSE(new_out.error);
  CHECK(bodies(new_out) == std::vector<std::string>{"aaaa", "aaaabb", "aaaabbc"});
  CHECK(new_out.request_body == "X");
}

TEST_CASE("conformance: hostcalls allowed at start-up and in the allocator, by Envoy version",
          "[host][conformance]") {
  auto module = [](const std::string& import, const std::string& call, const std::string& extra) {
    return ext::test::wat_to_wasm("(module " + import +
                                  "\n (memory (export \"memory\") 1)\n"
                                  " (func (export \"proxy_abi_version_0_2_1\"))\n"
                                  " (func (export \"malloc\") (param i32) (result i32) "
                                  "(i32.const 1024))\n"
                                  " (func (export \"_initialize\") " +
                                  call + ")" + extra + ")");
  };
  auto create = [](const std::string& wasm, const char* version) {
    HostOptions o;
    o.config.envoy_version = version;
    return Host::create(wasm, o);
  };
  // [HOST] c4d7bb0 adds fd_fdstat_get to startVm's allow-list: 1.33 on.
  auto fdstat = module(
      "(import \"wasi_snapshot_preview1\" \"fd_fdstat_get\" (func $f (param i32 i32) (result "
      "i32)))",
      "(drop (call $f (i32.const 1) (i32.const 64)))", "");
  auto r32 = create(fdstat, "1.32");
  REQUIRE_FALSE(r32);
  CHECK_THAT(r32.error().message(), Catch::Contains("fd_fdstat_get may not be called during "
                                                    "start-up"));
  CHECK(create(fdstat, "1.33"));
  // [HOST] 14fa83a adds emscripten_notify_memory_growth: 1.37 on.
  auto growth = module("(import \"env\" \"emscripten_notify_memory_growth\" (func $g (param i32)))",
                       "(call $g (i32.const 0))", "");
  CHECK_FALSE(create(growth, "1.36"));
  CHECK(create(growth, "1.37"));
  // [HOST] 66b3b7d: proxy_* other than proxy_log trap in every release.
  auto metric = module(
      "(import \"env\" \"proxy_get_current_time_nanoseconds\" (func $t (param i32) (result "
      "i32)))",
      "(drop (call $t (i32.const 64)))", "");
  for (const char* v : {"1.24", "1.38"}) CHECK_FALSE(create(metric, v));
  // The start section runs at instantiation, outside the restricted window.
  auto start_section = ext::test::wat_to_wasm(
      "(module (import \"env\" \"proxy_get_current_time_nanoseconds\" (func $t (param i32) "
      "(result i32)))\n (memory (export \"memory\") 1)\n"
      " (func (export \"proxy_abi_version_0_2_1\"))\n"
      " (func (export \"malloc\") (param i32) (result i32) (i32.const 1024))\n"
      " (func $s (drop (call $t (i32.const 64)))) (start $s))");
  CHECK(create(start_section, "1.38"));
  // [HOST] wasm.h allocMemory: only proxy_log, fd_write, clock_time_get in the allocator.
  auto alloc = ext::test::wat_to_wasm(R"((module
 (import "env" "proxy_set_tick_period_milliseconds" (func $tick (param i32) (result i32)))
 (import "env" "proxy_get_header_map_value" (func $hget (param i32 i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 1)
 (data (i32.const 16) ":path")
 (func (export "proxy_abi_version_0_2_1"))
 (func (export "malloc") (param i32) (result i32) (drop (call $tick (i32.const 5))) (i32.const 1024))
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
   (drop (call $hget (i32.const 0) (i32.const 16) (i32.const 5) (i32.const 64) (i32.const 68)))
   (i32.const 0))))");
  auto h = create(alloc, "1.38");
  REQUIRE(h);
  auto out = (*h)->run_http(request());
  REQUIRE(out.error);
  CHECK_THAT(*out.error, Catch::Contains("may not be called from the module's allocator"));
}

TEST_CASE("conformance: unary gRPC calls and foreign functions", "[host][conformance]") {
  auto wasm = ext::test::wat_to_wasm(R"((module
 (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
 (import "env" "proxy_grpc_call" (func $grpc (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
 (import "env" "proxy_grpc_cancel" (func $cancel (param i32) (result i32)))
 (import "env" "proxy_get_buffer_bytes" (func $bget (param i32 i32 i32 i32 i32) (result i32)))
 (import "env" "proxy_get_status" (func $status (param i32 i32 i32) (result i32)))
 (import "env" "proxy_call_foreign_function" (func $ff (param i32 i32 i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 2)
 (data (i32.const 16) "authz")
 (data (i32.const 32) "nope")
 (data (i32.const 48) "pkg.Svc")
 (data (i32.const 64) "Check")
 (data (i32.const 80) "req")
 (data (i32.const 96) "compress")
 (data (i32.const 112) "uncompress")
 (data (i32.const 128) "clear_route_cache")
 (data (i32.const 160) "hello hello hello hello")
 (global $heap (mut i32) (i32.const 4096))
 (func (export "malloc") (param $n i32) (result i32) (local $p i32)
   (local.set $p (global.get $heap))
   (global.set $heap (i32.add (global.get $heap) (i32.add (local.get $n) (i32.const 16))))
   (local.get $p))
 (func (export "proxy_abi_version_0_2_1"))
 (func $rec (param $id i32) (param $code i32)
   (i32.store8 (i32.const 8) (local.get $id))
   (i32.store8 (i32.const 9) (i32.add (i32.const 48) (local.get $code)))
   (drop (call $log (i32.const 2) (i32.const 8) (i32.const 2))))
 (func $call (param $cluster i32) (param $len i32) (param $tok i32) (result i32)
   (call $grpc (local.get $cluster) (local.get $len) (i32.const 48) (i32.const 7)
     (i32.const 64) (i32.const 5) (i32.const 0) (i32.const 0) (i32.const 80) (i32.const 3)
     (i32.const 1000) (local.get $tok)))
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
   (call $rec (i32.const 97) (call $call (i32.const 16) (i32.const 5) (i32.const 200)))
   (call $rec (i32.const 116) (i32.load (i32.const 200)))
   (call $rec (i32.const 98) (call $call (i32.const 32) (i32.const 4) (i32.const 204)))
   (call $rec (i32.const 99) (call $call (i32.const 16) (i32.const 5) (i32.const 208)))
   (call $rec (i32.const 122) (call $cancel (i32.const 1)))
   (call $rec (i32.const 100) (call $ff (i32.const 96) (i32.const 8) (i32.const 160) (i32.const 23)
     (i32.const 300) (i32.const 304)))
   (call $rec (i32.const 101) (call $ff (i32.const 112) (i32.const 10) (i32.load (i32.const 300))
     (i32.load (i32.const 304)) (i32.const 308) (i32.const 312)))
   (drop (call $log (i32.const 2) (i32.load (i32.const 308)) (i32.load (i32.const 312))))
   (call $rec (i32.const 102) (call $ff (i32.const 128) (i32.const 17) (i32.const 0) (i32.const 0)
     (i32.const 316) (i32.const 320)))
   (i32.const 0))
 (func (export "proxy_on_grpc_receive") (param $ctx i32) (param $tok i32) (param $size i32)
   (call $rec (i32.const 114) (local.get $tok))
   (drop (call $bget (i32.const 5) (i32.const 0) (local.get $size) (i32.const 400) (i32.const 404)))
   (drop (call $log (i32.const 2) (i32.load (i32.const 400)) (i32.load (i32.const 404)))))
 (func (export "proxy_on_grpc_close") (param $ctx i32) (param $tok i32) (param $code i32)
   (call $rec (i32.const 120) (local.get $tok))
   (drop (call $status (i32.const 408) (i32.const 412) (i32.const 416)))
   (call $rec (i32.const 121) (i32.sub (i32.load (i32.const 408)) (i32.const 10)))
   (drop (call $log (i32.const 2) (i32.load (i32.const 412)) (i32.load (i32.const 416)))))
))");
  for (const char* version : {"1.32", "1.38"}) {
    INFO("Envoy " << version);
    HostConfig cfg;
    cfg.envoy_version = version;
    auto h = host(wasm, cfg);
    int answered = 0;
    h->set_grpc_upstream([](const std::string& c) { return c == "authz"; },
                         [&](const GrpcCallRecord& r) -> std::optional<GrpcCallResponse> {
                           CHECK(r.service == "pkg.Svc");
                           CHECK(r.method == "Check");
                           CHECK(r.message == "req");
                           if (answered++ == 0) return GrpcCallResponse{0, "", "pong"};
                           return GrpcCallResponse{14, "unavailable", ""};
                         });
    auto out = h->run_http(request());
    REQUIRE_FALSE(out.error);
    auto c = codes(out.logs);
    // [ENVOY] grpcCall: a cluster Envoy does not have is PARSE_FAILURE; [HOST] wasm.h
    // nextGrpcCallId: tokens 5, 9, ...
    CHECK(c['a'] == OK);
    CHECK(c['t'] == 5);
    CHECK(c['b'] == 4);
    CHECK(c['c'] == OK);
    // [ENVOY] grpcCancel: a call token nobody holds (1) is NOT_FOUND.
    CHECK(c['z'] == NOT_FOUND);
    REQUIRE(out.grpc_calls.size() == 2);
    CHECK(out.grpc_calls[0].cluster == "authz");
    // [ENVOY] onGrpcReceiveWrapper / onGrpcCloseWrapper: the message in GRPC_RECEIVE_BUFFER;
    // a failure closes with its status, readable with proxy_get_status.
    CHECK(c['r'] == 5);
    CHECK(has_line(out.logs, "pong"));
    CHECK(c['x'] == 9);
    CHECK(c['y'] == 4);  // 14 - 10: UNAVAILABLE
    CHECK(has_line(out.logs, "unavailable"));
    // [ENVOY] foreign.cc compress / uncompress round trip; clear_route_cache from 1.33.
    CHECK(c['d'] == OK);
    CHECK(c['e'] == OK);
    CHECK(has_line(out.logs, "hello hello hello hello"));
    CHECK(c['f'] == (std::string(version) == "1.32" ? NOT_FOUND : OK));
  }
}

TEST_CASE("conformance: gRPC streams", "[host][conformance]") {
  auto wasm = ext::test::wat_to_wasm(R"((module
 (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
 (import "env" "proxy_grpc_stream" (func $stream (param i32 i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
 (import "env" "proxy_grpc_send" (func $send (param i32 i32 i32 i32) (result i32)))
 (import "env" "proxy_grpc_close" (func $close (param i32) (result i32)))
 (import "env" "proxy_grpc_cancel" (func $cancel (param i32) (result i32)))
 (import "env" "proxy_get_buffer_bytes" (func $bget (param i32 i32 i32 i32 i32) (result i32)))
 (import "env" "proxy_get_header_map_value" (func $hget (param i32 i32 i32 i32 i32) (result i32)))
 (import "env" "proxy_get_status" (func $status (param i32 i32 i32) (result i32)))
 (memory (export "memory") 2)
 (data (i32.const 16) "authz")
 (data (i32.const 32) "nope")
 (data (i32.const 48) "pkg.Svc")
 (data (i32.const 64) "Watch")
 (data (i32.const 80) "m1")
 (data (i32.const 96) "x-meta")
 (data (i32.const 112) "grpc-status")
 (global $heap (mut i32) (i32.const 4096))
 (func (export "malloc") (param $n i32) (result i32) (local $p i32)
   (local.set $p (global.get $heap))
   (global.set $heap (i32.add (global.get $heap) (i32.add (local.get $n) (i32.const 16))))
   (local.get $p))
 (func (export "proxy_abi_version_0_2_1"))
 (func $rec (param $id i32) (param $code i32)
   (i32.store8 (i32.const 8) (local.get $id))
   (i32.store8 (i32.const 9) (i32.add (i32.const 48) (local.get $code)))
   (drop (call $log (i32.const 2) (i32.const 8) (i32.const 2))))
 (func $open (param $cluster i32) (param $len i32) (param $tok i32) (result i32)
   (call $stream (local.get $cluster) (local.get $len) (i32.const 48) (i32.const 7)
     (i32.const 64) (i32.const 5) (i32.const 0) (i32.const 0) (local.get $tok)))
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
   (call $rec (i32.const 97) (call $open (i32.const 16) (i32.const 5) (i32.const 200)))
   (call $rec (i32.const 116) (i32.load (i32.const 200)))
   (call $rec (i32.const 98) (call $open (i32.const 32) (i32.const 4) (i32.const 204)))
   (call $rec (i32.const 99) (call $open (i32.const 16) (i32.const 5) (i32.const 208)))
   (call $rec (i32.const 117) (i32.load (i32.const 208)))
   (call $rec (i32.const 115) (call $send (i32.load (i32.const 200)) (i32.const 80) (i32.const 2) (i32.const 0)))
   (call $rec (i32.const 110) (call $send (i32.const 5) (i32.const 80) (i32.const 2) (i32.const 0)))
   (call $rec (i32.const 111) (call $send (i32.const 14) (i32.const 80) (i32.const 2) (i32.const 0)))
   (call $rec (i32.const 107) (call $close (i32.load (i32.const 200))))
   (call $rec (i32.const 122) (call $cancel (i32.load (i32.const 208))))
   (call $rec (i32.const 90) (call $cancel (i32.load (i32.const 208))))
   (call $rec (i32.const 89) (call $send (i32.load (i32.const 208)) (i32.const 80) (i32.const 2) (i32.const 0)))
   (i32.const 0))
 (func (export "proxy_on_grpc_receive_initial_metadata") (param $ctx i32) (param $tok i32) (param $n i32)
   (call $rec (i32.const 105) (local.get $n))
   (call $rec (i32.const 73) (call $hget (i32.const 4) (i32.const 96) (i32.const 6) (i32.const 420) (i32.const 424)))
   (drop (call $log (i32.const 2) (i32.load (i32.const 420)) (i32.load (i32.const 424)))))
 (func (export "proxy_on_grpc_receive") (param $ctx i32) (param $tok i32) (param $size i32)
   (call $rec (i32.const 114) (local.get $tok))
   (drop (call $bget (i32.const 5) (i32.const 0) (local.get $size) (i32.const 400) (i32.const 404)))
   (drop (call $log (i32.const 2) (i32.load (i32.const 400)) (i32.load (i32.const 404)))))
 (func (export "proxy_on_grpc_receive_trailing_metadata") (param $ctx i32) (param $tok i32) (param $n i32)
   (call $rec (i32.const 106) (local.get $n))
   (call $rec (i32.const 74) (call $hget (i32.const 4) (i32.const 96) (i32.const 6) (i32.const 420) (i32.const 424))))
 (func (export "proxy_on_grpc_close") (param $ctx i32) (param $tok i32) (param $code i32)
   (call $rec (i32.const 120) (local.get $tok))
   (drop (call $status (i32.const 408) (i32.const 412) (i32.const 416)))
   (call $rec (i32.const 121) (i32.load (i32.const 408)))
   (drop (call $log (i32.const 2) (i32.load (i32.const 412)) (i32.load (i32.const 416))))
   (call $rec (i32.const 119) (call $send (local.get $tok) (i32.const 80) (i32.const 2) (i32.const 1))))
))");
  auto h = host(wasm);
  GrpcStreamEvent md{GrpcStreamEvent::Kind::initial_metadata, {{"x-meta", "v1"}}, "", 0, "", 0};
  GrpcStreamEvent msg{GrpcStreamEvent::Kind::message, {}, "pong", 0, "", 1};
  GrpcStreamEvent tr{
      GrpcStreamEvent::Kind::trailing_metadata, {{"grpc-status", "0"}}, "", 0, "", 0};
  GrpcStreamEvent close{GrpcStreamEvent::Kind::close, {}, "", 7, "denied", 0};
  int opened = 0;
  h->set_grpc_stream_upstream([](const std::string& c) { return c == "authz"; },
                              [&](const GrpcStreamRecord& r) -> std::vector<GrpcStreamEvent> {
                                CHECK(r.service == "pkg.Svc");
                                CHECK(r.method == "Watch");
                                if (opened++ == 0) return {md, msg, tr, close};
                                return {msg};  // the cancelled stream: never delivered
                              });
  auto out = h->run_http(request());
  REQUIRE_FALSE(out.error);
  auto c = codes(out.logs);
  // [ENVOY] grpcStream: a cluster Envoy does not have is PARSE_FAILURE; [HOST] wasm.h
  // nextGrpcStreamId: tokens 6, 10, ... (2 mod 4).
  CHECK(c['a'] == OK);
  CHECK(c['t'] == 6);
  CHECK(c['b'] == 4);
  CHECK(c['c'] == OK);
  CHECK(c['u'] == 10);
  // [ENVOY] grpcSend: OK on an open stream; a call token is BAD_ARGUMENT; an unknown stream
  // NOT_FOUND.
  CHECK(c['s'] == OK);
  CHECK(c['n'] == BAD_ARGUMENT);
  CHECK(c['o'] == NOT_FOUND);
  // [ENVOY] grpcClose on a stream half-closes it (closeStream): OK, and the server's events
  // still come; grpcCancel resets it: OK, then the token is NOT_FOUND for cancel and send.
  CHECK(c['k'] == OK);
  CHECK(c['z'] == OK);
  CHECK(c['Z'] == NOT_FOUND);
  CHECK(c['Y'] == NOT_FOUND);
  // [ENVOY] onGrpcReceiveInitialMetadataWrapper / onGrpcReceiveWrapper /
  // onGrpcReceiveTrailingMetadataWrapper: the map or buffer exists during its callback (map
  // types 4 and 5, buffer 5); in the trailing callback the initial metadata map is gone
  // (getConstMap returns null: BAD_ARGUMENT).
  CHECK(c['i'] == 1);
  CHECK(c['I'] == OK);
  CHECK(has_line(out.logs, "v1"));
  CHECK(c['r'] == 6);
  CHECK(has_line(out.logs, "pong"));
  CHECK(c['j'] == 1);
  CHECK(c['J'] == BAD_ARGUMENT);
  // [ENVOY] onGrpcCloseWrapper: the status and message through proxy_get_status; the stream
  // is forgotten only after the callback (deferred cleanup), so a send in it is still OK.
  CHECK(c['x'] == 6);
  CHECK(c['y'] == 7);
  CHECK(has_line(out.logs, "denied"));
  CHECK(c['w'] == OK);
  REQUIRE(out.grpc_streams.size() == 2);
  CHECK(out.grpc_streams[0].sent == std::vector<std::string>{"m1", "m1"});
  CHECK(out.grpc_streams[0].end_stream_sent);
  CHECK(out.grpc_streams[0].gone());
  CHECK(out.grpc_streams[1].cancelled);
  CHECK(out.grpc_streams[1].sent.empty());
}

namespace {
// A throwaway RSA-1024 key pair made for this test with `openssl genpkey`.
const std::string k_private_pem = R"PEM(-----BEGIN PRIVATE KEY-----
MIICdwIBADANBgkqhkiG9w0BAQEFAASCAmEwggJdAgEAAoGBAMJdDXTL4knilgmt
rc6eywv0PHt+8l6BJt8V3/aBm6eTpeYz8V7XDtxicinB2/++LUbWzjxuAeN/Fa1i
ScJ1N3Mf1JaKxOdgAyv2gtXAB4eVji3VH+UEPfXEyypzdr9VOeq7Z2Gqm5SPtmHa
W/RadL1rbRoReEPndxgUOaZGq9mpAgMBAAECgYEArpdT3RTAQsptKGiA9leh4S0V
n4GbSdUOC9rkgdRO9CsnHTCPozffu4wbLPNdIc+9cCLIw3O18ptX55Wg2DLfCNMW
s+fX1M7y/trAKNMYy4Qwicp5yGwU2WVVficKedRnR4peExxIthsyBOr+iVt5Vcl6
huXggBV4OU3U4PPSQlkCQQDxO6JaBBNvMKsuIckIO+NwWMjhws8FIyOZvEKI6ZK3
pYUlMbfMxXFpkr3Tjn3+49nQrpPxlU0asK+v5nomfLoDAkEAzkLtHgeKmmZWdHTC
XFjIw8HKzF4XRFHXXkfLy8uxtDIyob5iepyYa+X6Q01cXKZtJ5w6wOP0qRka/LlR
FeGj4wJAei7EOmeaGFVEPqdqFTuQJRUzGfX7uRRlMbbC1GnJoC6702ztNVBD8z8Z
2o9vjayGZEYoNNJ0LTKUqblI4TmHVQJBAKvkuKmzDT6ZlOleuO+vCjmiEnl43JkS
P5MR8HR54DHVN7715CpcwOYC9isKmLOZ+xPsrkY8c5RNGOGPK1U6A5MCQAFD1SRD
Ho4ZWuV1bGcEHFwqqEY8TSIzAgVZ+o71IObpVkdpjslB57Xlu8fwRl5BxePgsUid
/NvAzTLmgkDPHac=
-----END PRIVATE KEY-----
)PEM";
const std::string k_public_pem = R"PEM(-----BEGIN PUBLIC KEY-----
MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQDCXQ10y+JJ4pYJra3OnssL9Dx7
fvJegSbfFd/2gZunk6XmM/Fe1w7cYnIpwdv/vi1G1s48bgHjfxWtYknCdTdzH9SW
isTnYAMr9oLVwAeHlY4t1R/lBD31xMsqc3a/VTnqu2dhqpuUj7Zh2lv0WnS9a20a
EXhD53cYFDmmRqvZqQIDAQAB
-----END PUBLIC KEY-----
)PEM";

// A probe of foreign-function calls: `root` runs in proxy_on_configure, `stream` in
// proxy_on_request_headers. Each call records its status under its letter and, when OK, logs
// the result bytes in the next log entry.
// An expression token as expr_evaluate / expr_delete take it: 4 bytes, little-endian.
std::string token(uint32_t t) {
  std::string out(4, '\0');
  for (int k = 0; k < 4; ++k) out[k] = static_cast<char>((t >> (8 * k)) & 0xff);
  return out;
}

struct ForeignProbe {
  Probe p;
  std::string root, stream;
  std::string call(char letter, const std::string& name, const std::string& args) {
    std::string n = p.str(name), a = p.str(args);
    std::string l = std::to_string(static_cast<int>(letter));
    return "(call $rec (i32.const " + l + ") (local.tee $r (call $ff " + n + " " + a +
           " (i32.const 300) (i32.const 304))))\n"
           "(if (i32.eqz (local.get $r)) (then (call $res (i32.const " +
           l + "))))\n";
  }
  std::string set_property(char letter, const std::string& path, const std::string& value) {
    return "(call $rec (i32.const " + std::to_string(static_cast<int>(letter)) + ") (call $pset " +
           p.str(path) + " " + p.str(value) + "))\n";
  }
  std::string get_property(char letter, const std::string& path) {
    std::string l = std::to_string(static_cast<int>(letter));
    return "(call $rec (i32.const " + l + ") (local.tee $r (call $pget " + p.str(path) +
           " (i32.const 300) (i32.const 304))))\n"
           "(if (i32.eqz (local.get $r)) (then (call $res (i32.const " +
           l + "))))\n";
  }
  std::string wasm() {
    return ext::test::wat_to_wasm(R"((module
 (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
 (import "env" "proxy_call_foreign_function" (func $ff (param i32 i32 i32 i32 i32 i32) (result i32)))
 (import "env" "proxy_get_property" (func $pget (param i32 i32 i32 i32) (result i32)))
 (import "env" "proxy_set_property" (func $pset (param i32 i32 i32 i32) (result i32)))
 (memory (export "memory") 4)
 (global $heap (mut i32) (i32.const 65536))
 (func (export "malloc") (param $n i32) (result i32) (local $p i32)
   (local.set $p (global.get $heap))
   (global.set $heap (i32.add (global.get $heap)
     (i32.and (i32.add (local.get $n) (i32.const 15)) (i32.const -16))))
   (local.get $p))
 (func (export "proxy_abi_version_0_2_1"))
 (func $rec (param $id i32) (param $code i32)
   (i32.store8 (i32.const 100) (local.get $id))
   (i32.store8 (i32.const 101) (i32.add (i32.const 48) (local.get $code)))
   (drop (call $log (i32.const 2) (i32.const 100) (i32.const 2))))
 ;; the result bytes at (300, 304), logged right after the OK record of their letter.
 (func $res (param $id i32)
   (drop (call $log (i32.const 2) (i32.load (i32.const 300)) (i32.load (i32.const 304)))))
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_configure") (param i32 i32) (result i32) (local $r i32)
)" + root + R"( (i32.const 1))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (local $r i32)
)" + stream + " (i32.const 0))\n" +
                                  p.data + ")");
  }
};

// The bytes logged right after the OK record of `letter`.
std::string result_of(const std::vector<LogEntry>& logs, char letter) {
  std::string ok = std::string(1, letter) + "0";
  for (size_t i = 0; i + 1 < logs.size(); ++i)
    if (logs[i].message == ok) return logs[i + 1].message;
  return "<none>";
}

}  // namespace

TEST_CASE(
    "conformance: foreign functions declare_property, set_envoy_filter_state, sign, "
    "verify_signature",
    "[host][conformance]") {
  using ext::host::proto_bytes_field;
  using ext::host::proto_varint_field;
  auto declare = [](const std::string& name, bool readonly) {
    return proto_bytes_field(1, name) + proto_varint_field(2, readonly ? 1 : 0);
  };
  auto fs = [](const std::string& key, const std::string& value) {
    return proto_bytes_field(1, key) + proto_bytes_field(2, value);
  };
  auto signed_hello = ext::digest::sign("sha256", "", k_private_pem, "hello");
  REQUIRE(signed_hello.ok);
  auto verify_args = [&](const std::string& hash, const std::string& text) {
    return proto_bytes_field(1, hash) + proto_bytes_field(3, signed_hello.signature) +
           proto_bytes_field(4, text) + proto_bytes_field(5, k_public_pem);
  };

  ForeignProbe f;
  f.root += f.call('a', "declare_property", declare("ro", true));
  f.root += f.call('b', "declare_property", declare("ro", false));
  f.root += f.call('c', "declare_property",
                   "\x0a\x05"
                   "ab");  // truncated: does not parse
  f.root += f.call('d', "set_envoy_filter_state", fs("envoy.tcp_proxy.cluster", "x"));
  f.stream += f.set_property('e', "ro", "one");
  f.stream += f.set_property('f', "ro", "two");
  f.stream += f.get_property('g', "ro");
  f.stream += f.set_property('h', "rw", "one");
  f.stream += f.set_property('i', "rw", "two");
  f.stream += f.call('j', "set_envoy_filter_state", fs("envoy.tcp_proxy.cluster", "backend"));
  f.stream += f.call('k', "set_envoy_filter_state", fs("my.own.key", "v"));
  f.stream += f.get_property('l', std::string("filter_state\0envoy.tcp_proxy.cluster", 36));
  f.stream += f.call('m', "verify_signature", verify_args("SHA256", "hello"));
  f.stream += f.call('n', "verify_signature", verify_args("sha256", "hellO"));
  f.stream += f.call('o', "verify_signature", verify_args("md5", "hello"));
  f.stream += f.call('p', "sign",
                     proto_bytes_field(1, "sha256") + proto_bytes_field(3, "hello") +
                         proto_bytes_field(4, k_private_pem));
  f.stream += f.call('q', "sign", proto_bytes_field(1, "sha256") + proto_bytes_field(3, "x"));
  f.stream += f.call('r', "verify_signature",
                     proto_bytes_field(1, "sha256") + proto_bytes_field(2, "not a key") +
                         proto_bytes_field(3, "s") + proto_bytes_field(4, "t"));
  auto wasm = f.wasm();

  SECTION("1.38") {
    HostConfig cfg;
    cfg.envoy_version = "1.38";
    auto h = host(wasm, cfg);
    auto startup = h->logs();
    auto c0 = codes(startup);
    // [ENVOY] foreign.cc DeclarePropertyFactory + context.cc declareProperty: OK once, a second
    // declaration of the name BAD_ARGUMENT, arguments that do not parse BAD_ARGUMENT.
    CHECK(c0['a'] == OK);
    CHECK(c0['b'] == BAD_ARGUMENT);
    CHECK(c0['c'] == BAD_ARGUMENT);
    // [ENVOY] setEnvoyFilterState: no stream info on the root context: NOT_FOUND.
    CHECK(c0['d'] == NOT_FOUND);
    auto out = h->run_http(request());
    REQUIRE_FALSE(out.error);
    auto c = codes(out.logs);
    // [ENVOY] setProperty + cel_state.h setValue: a readonly declared property is set once.
    CHECK(c['e'] == OK);
    CHECK(c['f'] == BAD_ARGUMENT);
    CHECK(c['g'] == OK);
    CHECK(result_of(out.logs, 'g') == "one");
    CHECK(c['h'] == OK);
    CHECK(c['i'] == OK);
    // [ENVOY] setEnvoyFilterState: a key with an object factory is stored (readable as
    // filter_state.<key>); a key without one is NOT_FOUND.
    CHECK(c['j'] == OK);
    CHECK(c['k'] == NOT_FOUND);
    CHECK(c['l'] == OK);
    CHECK(result_of(out.logs, 'l') == "backend");
    // [ENVOY] foreign.cc verify_signature: VerifySignatureResult{result=1, error=2}; the hash
    // name in any case; a wrong text or an unknown hash is OK with result false and Envoy's
    // error text; a key that does not import: "Failed to initialize digest verify.".
    CHECK(c['m'] == OK);
    CHECK(result_of(out.logs, 'm') == proto_varint_field(1, 1));
    CHECK(c['n'] == OK);
    CHECK(result_of(out.logs, 'n') ==
          proto_bytes_field(2, "Failed to verify digest. Error code: 0"));
    CHECK(c['o'] == OK);
    CHECK(result_of(out.logs, 'o') == proto_bytes_field(2, "md5 is not supported."));
    CHECK(c['r'] == OK);
    CHECK(result_of(out.logs, 'r') == proto_bytes_field(2, "Failed to initialize digest verify."));
    // [ENVOY] foreign.cc sign (1.37 on): SignResult{result=1, signature=2}; RSA PKCS#1 v1.5 is
    // deterministic, so the signature equals the one made outside; no key: BAD_ARGUMENT.
    CHECK(c['p'] == OK);
    CHECK(result_of(out.logs, 'p') ==
          proto_varint_field(1, 1) + proto_bytes_field(2, signed_hello.signature));
    CHECK(c['q'] == BAD_ARGUMENT);
  }
  SECTION("1.29: no verify_signature, no sign (NOT_FOUND); filter state from 1.28") {
    HostConfig cfg;
    cfg.envoy_version = "1.29";
    auto h = host(wasm, cfg);
    auto out = h->run_http(request());
    REQUIRE_FALSE(out.error);
    auto c = codes(out.logs);
    CHECK(c['j'] == OK);
    CHECK(c['m'] == NOT_FOUND);
    CHECK(c['p'] == NOT_FOUND);
  }
  SECTION("1.27: no set_envoy_filter_state") {
    HostConfig cfg;
    cfg.envoy_version = "1.27";
    auto h = host(wasm, cfg);
    auto out = h->run_http(request());
    REQUIRE_FALSE(out.error);
    CHECK(codes(out.logs)['j'] == NOT_FOUND);
  }
}

TEST_CASE("conformance: network close events and their peer types", "[host][conformance]") {
  auto wasm = ext::test::wat_to_wasm(R"((module
 (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
 (memory (export "memory") 1)
 (func (export "malloc") (param i32) (result i32) (i32.const 4096))
 (func (export "proxy_abi_version_0_2_1"))
 (func $rec (param $id i32) (param $code i32)
   (i32.store8 (i32.const 8) (local.get $id))
   (i32.store8 (i32.const 9) (i32.add (i32.const 48) (local.get $code)))
   (drop (call $log (i32.const 2) (i32.const 8) (i32.const 2))))
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_new_connection") (param i32) (result i32) (i32.const 0))
 (func (export "proxy_on_downstream_data") (param i32 i32 i32) (result i32) (i32.const 0))
 (func (export "proxy_on_upstream_data") (param i32 i32 i32) (result i32)
   (call $rec (i32.const 117) (local.get 2)) (i32.const 0))
 (func (export "proxy_on_downstream_connection_close") (param i32 i32)
   (call $rec (i32.const 68) (local.get 1)))
 (func (export "proxy_on_upstream_connection_close") (param i32 i32)
   (call $rec (i32.const 85) (local.get 1)))
))");
  auto order = [&](CloseSide side) {
    auto h = host(wasm);
    TcpInput in;
    in.downstream = {"ping"};
    in.upstream = {"po", "ng"};
    in.close = side;
    auto out = h->run_tcp(in);
    REQUIRE_FALSE(out.error);
    std::string seq;
    for (const auto& l : out.logs) seq += l.message + " ";
    return seq;
  };
  // [ENVOY] context.cc onWrite: the upstream data that ends the stream is followed by
  // onUpstreamConnectionClose(CloseType::Unknown = 0); no other upstream close event exists.
  // onEvent: the downstream connection's RemoteClose is REMOTE (2), LocalClose LOCAL (1).
  CHECK(order(CloseSide::downstream) == "u0 u1 U0 D2 ");
  CHECK(order(CloseSide::upstream) == "u0 u1 U0 D1 ");
  CHECK(order(CloseSide::none) == "u0 u0 ");
}

TEST_CASE("conformance: CEL foreign functions expr_create, expr_evaluate, expr_delete",
          "[host][conformance][cel]") {
  ForeignProbe f;
  f.root += f.call('a', "expr_create", "request.headers['x-user'] + '!'");
  f.root += f.call('b', "expr_create", "1 +");
  f.root += f.call('c', "expr_create", "1 / 0");
  f.root += f.call('d', "expr_create", "null");
  f.root += f.call('e', "expr_create", "response.code");
  f.stream += f.call('f', "expr_evaluate", token(0));
  f.stream += f.call('g', "expr_evaluate", token(7));
  f.stream += f.call('h', "expr_evaluate", "ab");
  f.stream += f.call('i', "expr_evaluate", token(1));
  f.stream += f.call('j', "expr_evaluate", token(2));
  f.stream += f.call('k', "expr_evaluate", token(3));
  f.stream += f.call('l', "expr_delete", token(0));
  f.stream += f.call('m', "expr_evaluate", token(0));
  auto h = host(f.wasm());
  auto c0 = codes(h->logs());
  // [ENVOY] foreign.cc CreateExpressionFactory: tokens from 0 (ExpressionContext
  // next_expr_token_), returned as 4 bytes; a text that does not parse is BAD_ARGUMENT.
  CHECK(c0['a'] == OK);
  CHECK(result_of(h->logs(), 'a') == token(0));
  CHECK(c0['b'] == BAD_ARGUMENT);
  CHECK(c0['c'] == OK);
  CHECK(result_of(h->logs(), 'c') == token(1));
  auto out = h->run_http(request({{"x-user", "ann"}}));
  REQUIRE_FALSE(out.error);
  auto c = codes(out.logs);
  // [ENVOY] EvaluateExpressionFactory: the serialized value (context.cc serializeValue); an
  // unknown token NOT_FOUND; an argument that is not 4 bytes BAD_ARGUMENT; an evaluation error
  // INTERNAL_FAILURE; a null result SERIALIZATION_FAILURE (serializeValue's default).
  CHECK(c['f'] == OK);
  CHECK(result_of(out.logs, 'f') == "ann!");
  CHECK(c['g'] == NOT_FOUND);
  CHECK(c['h'] == BAD_ARGUMENT);
  CHECK(c['i'] == 10);  // INTERNAL_FAILURE
  CHECK(c['j'] == 3);   // SERIALIZATION_FAILURE
  // response.code is an int: 8 bytes little-endian (the response map is not there yet in
  // proxy_on_request_headers, so the attribute is missing: INTERNAL_FAILURE).
  CHECK(c['k'] == 10);
  // [ENVOY] DeleteExpressionFactory: OK, then the token is gone.
  CHECK(c['l'] == OK);
  CHECK(c['m'] == NOT_FOUND);
}

TEST_CASE("conformance: CEL sees Envoy's typed attributes, metadata and the standard library",
          "[host][conformance][cel]") {
  auto le = [](uint64_t v) {
    std::string out(8, '\0');
    for (int k = 0; k < 8; ++k) out[k] = static_cast<char>((v >> (8 * k)) & 0xff);
    return out;
  };
  ForeignProbe f;
  // [ENVOY] foreign.cc CreateExpressionFactory: a call no overload provides fails
  // CreateExpression (cel-cpp fail_on_warnings) -> BAD_ARGUMENT, no token.
  f.root += f.call('a', "expr_create", "nope(1)");
  f.root += f.call('b', "expr_create", "metadata.filter_metadata['envoy.lb'].canary");  // 0
  f.root += f.call('c', "expr_create", "xds.node.id + '/' + xds.node.cluster");         // 1
  f.root += f.call('d', "expr_create", "request.time.getFullYear()");                   // 2
  f.root += f.call('e', "expr_create",
                   "request.headers.all(h, h.matches('^:?[a-z-]+$')) && "
                   "[1, 2, 3].filter(x, x > 1).size() == 2");          // 3
  f.root += f.call('g', "expr_create", "xds.node.metadata.replicas");  // 4
  f.root += f.call('i', "expr_create", "request.time");                // 5
  // Metadata.typed_filter_metadata: a map (empty: a spec cannot give Any values).
  f.root += f.call('j', "expr_create",
                   "size(metadata.typed_filter_metadata) == 0 && "
                   "size(xds.listener_metadata.typed_filter_metadata) == 0");  // 6
  f.stream += f.call('B', "expr_evaluate", token(0));
  f.stream += f.call('C', "expr_evaluate", token(1));
  f.stream += f.call('D', "expr_evaluate", token(2));
  f.stream += f.call('E', "expr_evaluate", token(3));
  f.stream += f.call('G', "expr_evaluate", token(4));
  f.stream += f.call('I', "expr_evaluate", token(5));
  f.stream += f.call('J', "expr_evaluate", token(6));
  // proxy_get_property reaches a leaf under a key holding '.' by its NUL-separated segments and
  // a mapping as serialized pairs [ENVOY] context.cc getProperty.
  f.stream += f.get_property('P', std::string("metadata\0filter_metadata\0envoy.lb\0zone", 38));
  f.stream += f.get_property('Q', std::string("metadata\0filter_metadata\0envoy.lb", 33));
  f.stream += f.get_property('R', "request.path");  // one segment with '.': nothing
  HostConfig cfg;
  cfg.properties["metadata.filter_metadata.envoy.lb.canary"] = std::string("\1", 1);
  cfg.properties["metadata.filter_metadata.envoy.lb.zone"] = "eu";
  cfg.property_kinds[std::string("metadata\0filter_metadata\0envoy.lb\0canary", 40)] =
      PropertyKind::boolean;
  cfg.property_kinds[std::string("metadata\0filter_metadata\0envoy.lb\0zone", 38)] =
      PropertyKind::string;
  cfg.properties["xds.node.id"] = "n1";
  cfg.property_kinds[std::string("xds\0node\0id", 11)] = PropertyKind::string;
  double three = 3;
  uint64_t bits = 0;
  std::memcpy(&bits, &three, 8);
  cfg.properties["xds.node.metadata.replicas"] = le(bits);
  cfg.property_kinds[std::string("xds\0node\0metadata\0replicas", 26)] = PropertyKind::dbl;
  auto h = host(f.wasm(), cfg);
  auto c0 = codes(h->logs());
  CHECK(c0['a'] == BAD_ARGUMENT);
  for (char k : {'b', 'c', 'd', 'e', 'g', 'i', 'j'}) {
    INFO(k);
    CHECK(c0[k] == OK);
  }
  auto out = h->run_http(request({{"x-user", "ann"}}));
  REQUIRE_FALSE(out.error);
  auto c = codes(out.logs);
  for (char k : {'B', 'C', 'D', 'E', 'G', 'I', 'J', 'P', 'Q'}) {
    INFO(k);
    CHECK(c[k] == OK);
  }
  CHECK(result_of(out.logs, 'B') == std::string("\1", 1));  // a bool: 1 byte
  CHECK(result_of(out.logs, 'C') == "n1/");     // xds.node.cluster: the proto3 default ""
  CHECK(result_of(out.logs, 'D') == le(2024));  // the host's clock starts 2024-01-01
  CHECK(result_of(out.logs, 'E') == std::string("\1", 1));
  CHECK(result_of(out.logs, 'G') == le(bits));                        // a Struct number: double
  CHECK(result_of(out.logs, 'I') == le(1704067200ull * 1000000000));  // timestamp: Unix ns
  CHECK(result_of(out.logs, 'J') == std::string("\1", 1));
  CHECK(result_of(out.logs, 'P') == "eu");
  auto pairs = parse_pairs(result_of(out.logs, 'Q'));
  REQUIRE(pairs);
  CHECK(*pairs == HeaderMap{{"canary", std::string("\1", 1)}, {"zone", "eu"}});
  CHECK(c['R'] == NOT_FOUND);
}

TEST_CASE("conformance: CEL reads a set_property value as bytes unless declared String",
          "[host][conformance][cel]") {
  using ext::host::proto_bytes_field;
  using ext::host::proto_varint_field;
  ForeignProbe f;
  // [ENVOY] filters/common/expr/cel_state.cc exprValue: String -> string, Bytes (the default
  // of an undeclared property) -> bytes; declare_property.proto WasmType String = 1.
  f.root += f.call('a', "declare_property", proto_bytes_field(1, "s") + proto_varint_field(3, 1));
  f.root += f.call('b', "expr_create", "s == 'v' && u == b'v' && u != 'v'");  // token 0
  f.stream += f.set_property('c', "s", "v");
  f.stream += f.set_property('d', "u", "v");
  f.stream += f.call('e', "expr_evaluate", token(0));
  auto h = host(f.wasm());
  auto out = h->run_http(request({}));
  REQUIRE_FALSE(out.error);
  auto c = codes(out.logs);
  CHECK(c['e'] == OK);
  CHECK(result_of(out.logs, 'e') == std::string("\1", 1));
}

TEST_CASE("conformance: CEL reads a set_property value declared Protobuf as its message",
          "[host][conformance][cel]") {
  using ext::host::proto_bytes_field;
  using ext::host::proto_varint_field;
  auto declare = [](const std::string& name, const std::string& type_url) {
    // declare_property.proto: name 1, type 3 (WasmType Protobuf = 3), schema 4 (a type URL).
    return proto_bytes_field(1, name) + proto_varint_field(3, 3) + proto_bytes_field(4, type_url);
  };
  auto fixed64 = [](uint32_t field, double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, 8);
    std::string out(1, static_cast<char>((field << 3) | 1));
    for (int k = 0; k < 8; ++k) out += static_cast<char>((bits >> (8 * k)) & 0xff);
    return out;
  };
  // google.protobuf.Struct {fields: {"tier": Value{string_value: "gold"}, "n": Value{number:
  // 2}, "tags": Value{list_value: [Value{bool_value: true}]}}}.
  auto entry = [&](const std::string& k, const std::string& value) {
    return proto_bytes_field(1, proto_bytes_field(1, k) + proto_bytes_field(2, value));
  };
  std::string st =
      entry("tier", proto_bytes_field(3, "gold")) + entry("n", fixed64(2, 2.0)) +
      entry("tags", proto_bytes_field(6, proto_bytes_field(1, proto_varint_field(4, 1))));
  ForeignProbe f;
  // [ENVOY] filters/common/expr/cel_state.cc exprValue: Protobuf -> serializeAsProto (an Any
  // with the schema as type URL) -> CelProtoWrapper::CreateMessage; [cel-cpp a3fb693
  // eval/public/structs/cel_proto_wrap_util.cc] unwraps the well-known types and reports
  // "Malformed type_url string" / "Descriptor not found" / "Failed to unpack Any into message".
  f.root +=
      f.call('a', "declare_property", declare("st", "type.googleapis.com/google.protobuf.Struct"));
  f.root += f.call('b', "declare_property",
                   declare("ts", "type.googleapis.com/google.protobuf.Timestamp"));
  f.root += f.call('c', "declare_property", declare("mine", "type.googleapis.com/acme.Thing"));
  f.root += f.call('d', "declare_property", declare("bad", "no-slash"));
  f.root += f.call('g', "declare_property",
                   declare("node", "type.googleapis.com/envoy.config.core.v3.Node"));
  f.root += f.call('h', "expr_create",
                   "st.tier == 'gold' && st.n == 2.0 && st.tags[0] && size(st) == 3");  // 0
  f.root += f.call('i', "expr_create", "ts == timestamp('2024-01-01T00:00:01Z')");      // 1
  f.root += f.call('j', "expr_create", "mine");                                         // 2
  f.root += f.call('k', "expr_create", "bad");                                          // 3
  f.root += f.call('l', "expr_create", "node.id == 'n1' && node.cluster == ''");        // 4
  f.stream += f.set_property('m', "st", st);
  f.stream += f.set_property('n', "ts", proto_varint_field(1, 1704067201));
  f.stream += f.set_property('o', "mine", "x");
  f.stream += f.set_property('p', "bad", "x");
  f.stream += f.set_property('q', "node", proto_bytes_field(1, "n1"));
  f.stream += f.call('r', "expr_evaluate", token(0));
  f.stream += f.call('s', "expr_evaluate", token(1));
  f.stream += f.call('t', "expr_evaluate", token(2));
  f.stream += f.call('u', "expr_evaluate", token(3));
  f.stream += f.call('v', "expr_evaluate", token(4));
  // proxy_get_property into the message: the field, serialized [ENVOY context.cc getProperty].
  f.stream += f.get_property('w', std::string("st\0tier", 7));
  f.stream += f.get_property('x', std::string("st\0n", 4));
  f.stream += f.get_property('y', "st");  // the property itself: its bytes (last = true)
  auto h = host(f.wasm());
  auto out = h->run_http(request({}));
  REQUIRE_FALSE(out.error);
  auto c = codes(out.logs);
  CHECK(c['r'] == OK);
  CHECK(result_of(out.logs, 'r') == std::string("\1", 1));
  CHECK(c['s'] == OK);
  CHECK(result_of(out.logs, 's') == std::string("\1", 1));
  // An error value: expr_evaluate fails [Envoy foreign.cc evaluate: INTERNAL_FAILURE].
  CHECK(c['t'] == 10);  // INTERNAL_FAILURE
  CHECK(c['u'] == 10);  // INTERNAL_FAILURE
  CHECK(c['v'] == OK);
  CHECK(result_of(out.logs, 'v') == std::string("\1", 1));
  CHECK(result_of(out.logs, 'w') == "gold");
  CHECK(result_of(out.logs, 'x') == std::string("\0\0\0\0\0\0\0\x40", 8));  // 2.0
  CHECK(result_of(out.logs, 'y') == st);
}

TEST_CASE("conformance: CEL reads a set_property value declared FlatBuffers through its schema",
          "[host][conformance][cel]") {
  using ext::host::proto_bytes_field;
  using ext::host::proto_varint_field;
  auto [schema, buffer] = ext::test::flatc_build(R"(namespace acme;
enum Tier : byte { free = 0, gold = 2 }
table Label { key: string (key); value: string; }
table Inner { n: int; }
table Peer {
  name: string;
  port: ushort = 8080;
  weight: float;
  ok: bool;
  tier: Tier;
  raw: [ubyte];
  nums: [long];
  tags: [string];
  labels: [Label];
  inner: Inner;
  missing: Inner;
  unset: string;
}
root_type Peer;
)",
                                                 R"({"name": "p1", "weight": 0.5, "ok": true,
 "tier": "gold", "raw": [1, 2], "nums": [-3, 4], "tags": ["a", "b"],
 "labels": [{"key": "app", "value": "web"}, {"key": "zone", "value": "eu"}],
 "inner": {"n": 7}})");
  ForeignProbe f;
  // [ENVOY] filters/common/expr/cel_state.cc exprValue: FlatBuffers -> CelValue::CreateMap(
  // CreateFlatBuffersBackedObject(value, GetSchema(schema))); [cel-cpp a3fb693
  // tools/flatbuffers_backed_impl.cc] fields by name: scalars (the schema default when absent;
  // enums as their integer type), strings ("" when absent), tables (null when absent), vectors
  // as lists ([ubyte] as bytes), a vector of tables with a string key as a map by that key.
  // declare_property.proto WasmType FlatBuffers = 2, schema 4 = the binary schema.
  f.root += f.call(
      'a', "declare_property",
      proto_bytes_field(1, "peer") + proto_varint_field(3, 2) + proto_bytes_field(4, schema));
  f.root += f.call('b', "expr_create",
                   "peer.name == 'p1' && peer.port == uint(8080) && peer.weight == 0.5 && "
                   "peer.ok && peer.tier == 2 && peer.raw == b'\\x01\\x02' && "
                   "peer.nums == [-3, 4] && peer.tags == ['a', 'b'] && "
                   "peer.labels['zone'].value == 'eu' && peer.inner.n == 7 && "
                   "peer.missing == null && peer.unset == ''");  // token 0
  f.root += f.call('c', "expr_create", "peer.name");             // 1
  f.stream += f.set_property('d', "peer", buffer);
  f.stream += f.call('e', "expr_evaluate", token(0));
  f.stream += f.call('g', "expr_evaluate", token(1));
  f.stream += f.get_property('h', std::string("peer\0name", 9));
  f.stream += f.get_property('i', "peer");  // the property itself: its bytes
  f.stream += f.set_property('j', "peer", "not a buffer");
  f.stream += f.call('k', "expr_evaluate", token(1));
  auto h = host(f.wasm());
  auto out = h->run_http(request({}));
  REQUIRE_FALSE(out.error);
  auto c = codes(out.logs);
  CHECK(c['a'] == OK);
  CHECK(c['b'] == OK);
  CHECK(c['c'] == OK);
  CHECK(c['d'] == OK);
  CHECK(c['e'] == OK);
  CHECK(result_of(out.logs, 'e') == std::string("\1", 1));
  CHECK(result_of(out.logs, 'g') == "p1");
  CHECK(result_of(out.logs, 'h') == "p1");
  CHECK(result_of(out.logs, 'i') == buffer);
  // ext checks every offset (Envoy trusts the buffer): bytes that are not one are an error.
  CHECK(c['k'] == 10);  // INTERNAL_FAILURE
}
