// ext::host — HostState: everything the host side of the proxy-wasm ABI keeps between calls
// (contexts with their header maps and buffers, logs, metrics, shared data, queues, HTTP calls,
// the clock). Hostcalls (hostcalls.cpp) read and change it; Host (host.hpp) drives it.
// Plain C++: no WABT here.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "ext/host/cel.hpp"
#include "ext/host/envoy_versions.hpp"
#include "ext/host/types.hpp"

namespace ext::host {

struct Context {
  uint32_t id = 0;
  uint32_t parent = 0;  // 0: a root (plugin) context
  bool is_root() const { return parent == 0; }
  std::array<std::optional<HeaderMap>, k_map_type_count> maps;
  // A map whose phase is over: Envoy drops its pointer once the headers callback returns
  // Continue or on proxy_continue_stream, so hostcalls see no map (the host keeps the data).
  std::array<bool, k_map_type_count> map_closed{};
  bool log_phase = false;  // in proxy_on_log: header maps readable again, not writable
  bool http = false;       // an HTTP stream context (local replies, header maps)
  std::array<std::optional<std::string>, k_buffer_type_count> buffers;
  std::array<bool, k_buffer_type_count> buffer_eos{};
  std::optional<LocalResponse> local_response;  // the first reply, until the host sends it
  bool local_reply_sent = false;                // the first reply went out
  // A second reply (Envoy >= 1.33 hands it to the filter manager; envoy_versions.hpp).
  std::optional<LocalResponse> second_local_response;
  // proxy_send_local_response stops the running callback whatever it returns (cpp-host
  // src/exports.cc send_local_response: stopNextIteration(true)).
  bool stop_next = false;
  bool continue_request = false;  // proxy_continue_stream(HTTP_REQUEST) / 0.1.0 continue_request
  bool continue_response = false;
  bool continue_downstream = false;  // proxy_continue_stream(DOWNSTREAM) on a network stream
  bool reset = false;                // proxy_close_stream on HTTP
  bool close_downstream = false;     // proxy_close_stream(DOWNSTREAM)
  bool close_upstream = false;
  bool done_pending = false;  // proxy_on_done returned false; proxy_done completes it
  std::map<std::string, std::string> properties;  // per-stream properties (path "a.b.c")
  PropertyKinds property_kinds;
  uint64_t start_ns = 0;  // when the stream began (request.time)
  // declare_property on this context: name -> readonly (only the root context's count).
  std::map<std::string, bool> declared_properties;
  // declare_property's WasmType (0 Bytes, 1 String, 2 FlatBuffers, 3 Protobuf) and schema (a
  // Protobuf type URL, a FlatBuffers binary schema).
  std::map<std::string, uint64_t> declared_types;
  std::map<std::string, std::string> declared_schemas;
  std::map<std::string, std::string> filter_state;  // set_envoy_filter_state: key -> bytes
};

// What the host needs from outside for one VM (plugin) — all offline.
struct HostConfig {
  std::string root_id;
  std::string plugin_name;  // defaults to root_id
  std::string vm_id;
  std::string vm_configuration;
  std::string plugin_configuration;
  // Property path (segments joined with '.') -> value bytes, already encoded the way Envoy
  // serializes them (strings raw, integers 8-byte little-endian, booleans 1 byte).
  std::map<std::string, std::string> properties;
  PropertyKinds property_kinds;
  std::map<std::string, std::string> environment;  // WASI environ
  LogLevel log_level = LogLevel::info;  // proxy_get_log_level: Envoy's default log level is info
  std::string envoy_version;            // the Envoy release emulated ("" = newest known)
  uint64_t start_time_ns = 1704067200ull * 1000000000ull;  // 2024-01-01T00:00:00Z, fixed
  uint64_t random_seed = 0x5eed;
};

// Bounds on what a module's hostcalls may make the host hold (docs/test-spec.md "Limits").
// Exceeding one traps the callback with a message naming the limit's spec key.
struct HostLimits {
  uint64_t hostcall_bytes = 16ull << 20;  // bytes one hostcall may hand the host (log, header, ...)
  uint64_t case_bytes = 32ull << 20;      // bytes all hostcalls of one case may hand the host
  uint64_t header_entries = 10'000;       // entries one header map may hold
  uint64_t ticks_per_advance = 10'000;    // proxy_on_tick calls one advance_ms may fire
};

// Thrown by a hostcall when a limit is exceeded; the VM turns it into a trap.
struct LimitExceeded : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct Queue {
  std::string vm_id;
  std::string name;
  uint32_t owner_vm = 0;       // the VM (SharedStore index) that registered it last
  uint32_t owner_context = 0;  // its root context
  std::deque<std::string> items;
};

// What Envoy keeps for the whole process, shared by every VM of a plugin: the one of each
// worker thread, the main thread's and the configuration canary (docs/test-spec.md "Workers").
// Shared data and queues are process-wide maps keyed by vm_id [proxy-wasm-cpp-host 52a0291
// src/shared_data.cc, src/shared_queue.cc]; a queue notifies the VM that registered it last
// (registerQueue overwrites context_id and call_on_thread). Metrics are Envoy stats, one per
// name in the plugin's scope; each VM numbers its own ids [HOST include/proxy-wasm/wasm.h].
struct SharedStore {
  std::map<std::string, std::pair<std::string, uint32_t>> data;  // key -> value, cas
  uint32_t next_cas = 1;
  std::vector<Queue> queues;                       // token = index + 1
  std::map<uint32_t, std::deque<uint32_t>> ready;  // VM index -> queues to notify
  std::vector<Metric> metrics;                     // by first definition
  std::map<std::string, size_t> metric_by_name;    // "type:name" -> index in metrics
};

class HostState {
 public:
  explicit HostState(HostConfig cfg)
      : config(std::move(cfg)),
        envoy(envoy_behaviour(config.envoy_version)),
        now_ns(config.start_time_ns),
        rng(config.random_seed | 1) {}

  HostConfig config;
  EnvoyBehaviour envoy;  // what differs in the emulated release (envoy_versions.hpp)
  HostLimits limits;
  uint64_t case_bytes_used = 0;  // reset by the runner at each case
  // Charges `bytes` handed over by one hostcall against hostcall_bytes and case_bytes; throws
  // LimitExceeded naming the limit.
  void charge(uint64_t bytes, const char* what);
  AbiVersion abi = AbiVersion::v0_2_1;
  bool starting = false;    // during _initialize / main / _start (cpp-host startVm)
  bool allocating = false;  // while the host calls the module's allocator (allocMemory)
  // PLUGIN_CONFIGURATION is readable only while the root context is created and in
  // proxy_on_configure (proxy-wasm-cpp-host src/context.cc onStart/onConfigure temp_plugin_).
  bool plugin_config_visible = false;
  // proxy_get_status: set while a failed HTTP call is delivered (BROKEN_CONNECTION, "reset").
  uint32_t status_code = 0;
  std::string status_message;
  // Is `cluster` one Envoy would know (proxy_http_call to any other is BAD_ARGUMENT)?
  std::function<bool(const std::string&)> cluster_known;
  std::string callback;  // the export being run ("proxy_on_request_headers")
  uint64_t now_ns;
  uint32_t tick_period_ms = 0;
  uint64_t since_tick_ms = 0;  // time since the last tick (or since the period was set)
  uint64_t rng;

  std::map<uint32_t, Context> contexts;
  uint32_t root_context_id = 0;
  uint32_t current_context = 0;    // the context the running callback was called for
  uint32_t effective_context = 0;  // proxy_set_effective_context (reset per callback)
  Context* effective();            // nullptr when none
  Context* current();              // the running callback's context; nullptr when none

  std::vector<LogEntry> logs;

  // Process-wide state (shared data, queues, metrics), shared with the plugin's other VMs.
  std::shared_ptr<SharedStore> shared = std::make_shared<SharedStore>();
  uint32_t vm_index = 0;  // this VM's index for queue notifications
  // This VM's metric ids -> index in shared->metrics, and its ids by "type:name".
  std::map<uint32_t, size_t> metric_ids;
  std::map<std::string, uint32_t> metric_id_by_name;
  Metric* metric(uint32_t id);

  std::vector<HttpCallRecord> http_calls;   // every call made (VM lifetime)
  std::deque<uint32_t> pending_http_calls;  // tokens awaiting an answer
  uint32_t next_token = 4;                  // cpp-host wasm.h nextHttpCallId: 4, 8, 12, ...
  // Answers a call (called when the host delivers it); nullopt: the call fails.
  std::function<std::optional<HttpCallResponse>(const HttpCallRecord&)> responder;

  std::vector<GrpcCallRecord> grpc_calls;   // unary gRPC calls made
  std::deque<uint32_t> pending_grpc_calls;  // tokens awaiting an answer
  uint32_t next_grpc_token = 5;             // cpp-host nextGrpcCallId: 5, 9, 13, ...
  std::function<bool(const std::string&)> grpc_cluster_known;
  std::function<std::optional<GrpcCallResponse>(const GrpcCallRecord&)> grpc_responder;
  // CEL expressions (foreign functions expr_create / expr_evaluate / expr_delete), by token.
  std::map<uint32_t, cel::Expr> expressions;
  uint32_t next_expression_token = 0;          // Envoy foreign.cc ExpressionContext: 0, 1, 2, ...
  std::vector<GrpcStreamRecord> grpc_streams;  // streams opened (all of them, for expectations)
  uint32_t next_grpc_stream_token = 6;         // cpp-host nextGrpcStreamId: 6, 10, 14, ...
  std::function<bool(const std::string&)> grpc_stream_cluster_known;
  std::function<std::vector<GrpcStreamEvent>(const GrpcStreamRecord&)> grpc_stream_script;
  GrpcStreamRecord* grpc_stream(uint32_t token) {
    for (auto& r : grpc_streams)
      if (r.token == token && !r.gone()) return &r;
    return nullptr;
  }

  // Finds a property for the effective context: stream properties, then plugin properties,
  // then what the host derives (plugin_root_id, request.path, request.headers.<k>, ...).
  std::optional<std::string> property(const std::string& dotted_path);
  // The spec-given property sources property() reads, innermost (the stream's) first.
  struct PropertyLayer {
    const std::map<std::string, std::string>* values;
    const PropertyKinds* kinds;
  };
  std::vector<PropertyLayer> property_layers();
};

}  // namespace ext::host
