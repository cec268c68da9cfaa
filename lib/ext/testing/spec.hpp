// ext::testing — `ext test`: the test spec (docs/test-spec.md, every key documented in
// docs/test-spec.md), its parsing (YAML read by ext::yaml), the runner that drives ext::host,
// the expectations, and the reports (text, JSON, JUnit XML).
// Must not use: the CLI, the network, WABT (only through ext::host).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"
#include "ext/host/host.hpp"
#include "ext/util/regex.hpp"

namespace ext::testing {

// A scripted answer to proxy_http_call: the first unused script whose filters match.
struct HttpCallScript {
  std::optional<std::string> upstream;  // cluster name
  std::optional<std::string> path;      // :path
  std::optional<std::string> method;    // :method
  host::HttpCallResponse response;
  int line = 0;
};

// A scripted answer to a unary proxy_grpc_call: the first unused script whose filters match.
struct GrpcCallScript {
  std::optional<std::string> cluster, service, method;
  host::GrpcCallResponse response;
  int line = 0;
};

// A scripted server for proxy_grpc_stream: the first unused script whose filters match gives
// the events the stream receives, in order (docs/test-spec.md "grpc_streams").
struct GrpcStreamScript {
  std::optional<std::string> cluster, service, method;
  std::vector<host::GrpcStreamEvent> events;
  int line = 0;
};

struct HeaderExpect {
  host::HeaderMap equal;             // these keys have exactly these values
  std::vector<std::string> present;  // these keys exist
  std::vector<std::string> absent;   // these keys do not
};

struct LocalResponseExpect {
  std::optional<uint32_t> status;
  std::optional<std::string> body;
  std::optional<std::string> details;
  host::HeaderMap headers;
};

struct LogExpect {
  std::string text;
  bool regex = false;
  std::optional<util::Regex> compiled;  // for regex entries (checked when the spec is read)
  std::optional<host::LogLevel> level;
};

struct MetricExpect {
  std::string name;
  std::optional<int64_t> value;                   // counter: change in the case; gauge: value after
  std::optional<std::vector<uint64_t>> recorded;  // histogram: values recorded in the case
};

struct GrpcCallExpect {
  std::optional<std::string> cluster, service, method, message;
};

struct GrpcStreamExpect {
  std::optional<std::string> cluster, service, method;
  std::optional<std::vector<std::string>> sent;  // the messages the filter sent, all of them
  std::optional<bool> closed;                    // the filter closed or cancelled the stream
};

struct HttpCallExpect {
  std::optional<std::string> upstream;
  host::HeaderMap headers;  // subset
  std::optional<std::string> body;
  std::optional<uint32_t> timeout_ms;
};

// Action names per callback kind (proxy-wasm spec abi-versions/v0.2.1, the callbacks' return
// values); values are raw results.
struct ActionExpect {
  std::string callback;             // short name: request_headers, downstream_data, ...
  std::vector<std::string> values;  // one per call, or one for all calls
  int line = 0;
};

struct Expect {
  std::optional<HeaderExpect> request_headers, request_trailers, response_headers,
      response_trailers;
  std::optional<std::string> request_body, response_body;
  std::optional<LocalResponseExpect> local_response;
  bool no_local_response = false;  // `local_response: none`
  std::vector<ActionExpect> actions;
  std::vector<LogExpect> logs, logs_absent;
  std::vector<MetricExpect> metrics;
  std::optional<std::vector<HttpCallExpect>> http_calls;
  std::optional<std::vector<GrpcCallExpect>> grpc_calls;
  std::optional<std::vector<GrpcStreamExpect>> grpc_streams;
  std::optional<bool> reset;      // proxy_close_stream on an HTTP stream
  std::optional<bool> forwarded;  // the request reached the upstream
  // Network filters.
  std::optional<std::string> upstream_data, downstream_data;  // what went through
  std::optional<bool> connection_closed;
  // A callback traps (or a limit is exceeded) with a message containing this text; the case
  // then passes only if it does.
  std::optional<std::string> trap;
};

struct Case {
  std::string name;
  int line = 0;
  bool tcp = false;
  host::HttpInput http;
  host::TcpInput tcp_input;
  std::vector<HttpCallScript> http_calls;
  std::vector<GrpcCallScript> grpc_calls;
  std::vector<GrpcStreamScript> grpc_streams;
  uint64_t advance_ms = 0;  // host clock moves (ticks fire) before the stream starts
  uint32_t worker = 0;      // the worker thread (0-based) the stream lands on
  Expect expect;
};

// What happens to later cases after a callback traps (Envoy's FailurePolicy, docs/test-spec.md).
enum class FailurePolicy { fail_closed, fail_open, fail_reload };

struct Plugin {
  std::optional<std::string> root_id;  // set (even to "") overrides the default
  std::string vm_id;
  std::string configuration;
  std::string vm_configuration;
  std::map<std::string, std::string> properties;  // encoded (Envoy's serialization)
  host::PropertyKinds property_kinds;             // each leaf's type, for CEL
  std::map<std::string, std::string> environment;
  std::optional<host::LogLevel> log_level;
  std::vector<HttpCallScript> http_calls;  // answers for calls made outside cases
  std::vector<GrpcCallScript> grpc_calls;
  std::vector<GrpcStreamScript> grpc_streams;
  std::optional<uint64_t> instruction_budget;
  std::optional<uint32_t> max_memory_pages;
  // plugin.limits (docs/test-spec.md "Limits"); unset keys keep the defaults.
  std::optional<uint64_t> table_elements, hostcall_bytes, case_bytes, header_entries,
      ticks_per_advance, regex_steps;
  FailurePolicy failure_policy = FailurePolicy::fail_closed;
  // Envoy's --concurrency: worker threads, each with its own VM (docs/test-spec.md "Workers").
  uint32_t concurrency = 1;
  std::optional<std::string> envoy_version;  // "1.33"; default: the project's / newest known
  bool has_configuration = false;
};

struct Spec {
  std::string source;  // file name for messages and reports
  Plugin plugin;
  std::vector<Case> cases;
};

// Parses a spec (YAML through ext::yaml, with its limits). Unknown keys are errors naming the
// key and its position ("spec.yaml:7:5: unknown key \"expct\" in a case"); so are wrong types.
Result<Spec> parse_spec(std::string_view yaml, const std::string& source);
Result<Spec> load_spec(const std::filesystem::path& path);

// Property values as Envoy serializes them (Envoy source/extensions/common/wasm/context.cc
// serializeValue): strings raw, integers 8-byte little-endian, booleans one byte.
std::string encode_int(int64_t v);
std::string encode_bool(bool v);

}  // namespace ext::testing
