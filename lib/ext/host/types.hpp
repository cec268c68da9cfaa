// ext::host — value types of the proxy-wasm host: ABI enums (proxy-wasm spec abi-versions/v0.2.1),
// header maps, and what a run records (logs, local responses, HTTP calls, metrics). Plain C++, no
// WABT.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace ext::host {

// proxy_status_t / WasmResult (proxy-wasm spec; cpp-host include/proxy-wasm/wasm_api_impl.h).
enum class Status : uint32_t {
  ok = 0,
  not_found = 1,
  bad_argument = 2,
  serialization_failure = 3,
  parse_failure = 4,
  bad_expression = 5,
  invalid_memory_access = 6,
  empty = 7,
  cas_mismatch = 8,
  result_mismatch = 9,
  internal_failure = 10,
  broken_connection = 11,
  unimplemented = 12,
};
const char* to_string(Status s);

enum class AbiVersion { v0_1_0, v0_2_0, v0_2_1 };
const char* to_string(AbiVersion v);  // "0.2.1"

// proxy_map_type_t (proxy-wasm spec abi-versions/v0.2.1); 0..7.
enum class MapType : uint32_t {
  request_headers = 0,
  request_trailers = 1,
  response_headers = 2,
  response_trailers = 3,
  grpc_initial_metadata = 4,
  grpc_trailing_metadata = 5,
  http_call_response_headers = 6,
  http_call_response_trailers = 7,
};
inline constexpr uint32_t k_map_type_count = 8;

// proxy_buffer_type_t (proxy-wasm spec abi-versions/v0.2.1); 0..8.
enum class BufferType : uint32_t {
  request_body = 0,
  response_body = 1,
  downstream_data = 2,
  upstream_data = 3,
  http_call_response_body = 4,
  grpc_message = 5,
  vm_configuration = 6,
  plugin_configuration = 7,
  foreign_function_arguments = 8,
};
inline constexpr uint32_t k_buffer_type_count = 9;

enum class StreamType : uint32_t { request = 0, response = 1, downstream = 2, upstream = 3 };

enum class MetricType : uint32_t { counter = 0, gauge = 1, histogram = 2 };
const char* to_string(MetricType t);

// proxy_log_level_t.
enum class LogLevel : int { trace = 0, debug = 1, info = 2, warn = 3, error = 4, critical = 5 };
const char* to_string(LogLevel l);
std::optional<LogLevel> parse_log_level(std::string_view name);

// An ordered multimap, as HTTP header maps are (keys lower-case, pseudo-headers included).
using HeaderMap = std::vector<std::pair<std::string, std::string>>;

// Values of a key joined with "," (as Envoy returns them), or nullopt when absent.
std::optional<std::string> header_value(const HeaderMap& map, std::string_view key);

struct LogEntry {
  LogLevel level = LogLevel::info;
  std::string message;
  uint32_t context_id = 0;
};

struct LocalResponse {
  uint32_t status = 0;
  std::string details;  // status_code_details
  std::string body;
  HeaderMap headers;
  int32_t grpc_status = -1;  // -1 = none
};

// A call the filter made with proxy_http_call, and how the host answered it.
struct HttpCallRecord {
  uint32_t token = 0;
  std::string upstream;
  HeaderMap headers;
  std::string body;
  HeaderMap trailers;
  uint32_t timeout_ms = 0;
  bool answered = false;  // a scripted response was delivered
  bool failed = false;    // delivered as a failure (num_headers == 0)
};

// A scripted answer to an HTTP call.
struct HttpCallResponse {
  HeaderMap headers;  // empty + failed = call failed / timed out
  std::string body;
  HeaderMap trailers;
  bool failed = false;
};

// A unary gRPC call the filter made with proxy_grpc_call.
struct GrpcCallRecord {
  uint32_t token = 0;
  std::string cluster;  // the `service` argument: a cluster name
  std::string service;  // e.g. "envoy.service.auth.v3.Authorization"
  std::string method;   // e.g. "Check"
  HeaderMap initial_metadata;
  std::string message;  // the serialized request
  uint32_t timeout_ms = 0;
  bool answered = false;
};

// A scripted answer to a gRPC call: status 0 delivers `message` (proxy_on_grpc_receive);
// anything else closes the call with that status (proxy_on_grpc_close).
struct GrpcCallResponse {
  uint32_t status = 0;
  std::string status_message;
  std::string message;
};

// What a scripted gRPC stream's server does, in order (docs/test-spec.md "grpc_streams").
struct GrpcStreamEvent {
  enum class Kind { initial_metadata, message, trailing_metadata, close };
  Kind kind = Kind::message;
  HeaderMap metadata;          // initial_metadata / trailing_metadata
  std::string message;         // message
  uint32_t status = 0;         // close: the gRPC status
  std::string status_message;  // close
  uint32_t after_sends = 0;    // delivered once the filter has sent this many messages
};

// A gRPC stream the filter opened (proxy_grpc_stream) and what happened on it.
struct GrpcStreamRecord {
  uint32_t token = 0;
  std::string cluster, service, method;
  HeaderMap initial_metadata;
  std::vector<std::string> sent;  // proxy_grpc_send messages, in order
  bool end_stream_sent = false;   // a send with end_stream set
  bool local_closed = false;      // proxy_grpc_close
  bool remote_closed = false;     // the script's close was delivered
  bool cancelled = false;         // proxy_grpc_cancel (a reset: no callback after it)
  std::vector<GrpcStreamEvent> script;
  size_t next_event = 0;
  // Envoy forgets a stream once both sides closed, or on cancel: then its token is NOT_FOUND.
  bool gone() const { return cancelled || (local_closed && remote_closed); }
};

struct Metric {
  uint32_t id = 0;
  MetricType type = MetricType::counter;
  std::string name;
  int64_t value = 0;               // counter / gauge
  std::vector<uint64_t> recorded;  // histogram values (all of them)
};

// How a spec typed each property leaf, keyed by the leaf's path segments joined with '\0' (a
// segment may itself contain '.': a YAML key with dots is one segment) and also by its dotted
// path: CEL expressions (expr_evaluate) see these types and the structure (a nested mapping is
// a CEL map), while proxy_get_property sees the encoded bytes.
enum class PropertyKind : uint8_t { string, int64, dbl, boolean };
using PropertyKinds = std::map<std::string, PropertyKind>;

}  // namespace ext::host
