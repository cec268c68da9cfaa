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
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ext/host/types.hpp"

namespace ext::host {

struct Context {
  uint32_t id = 0;
  uint32_t parent = 0;  // 0: a root (plugin) context
  bool is_root() const { return parent == 0; }
  std::array<std::optional<HeaderMap>, k_map_type_count> maps;
  std::array<std::optional<std::string>, k_buffer_type_count> buffers;
  std::array<bool, k_buffer_type_count> buffer_eos{};
  std::optional<LocalResponse> local_response;
  bool continue_request = false;  // proxy_continue_stream(HTTP_REQUEST) / 0.1.0 continue_request
  bool continue_response = false;
  bool reset = false;             // proxy_close_stream on HTTP
  bool close_downstream = false;  // proxy_close_stream(DOWNSTREAM)
  bool close_upstream = false;
  bool done_pending = false;  // proxy_on_done returned false; proxy_done completes it
  std::map<std::string, std::string> properties;  // per-stream properties (path "a.b.c")
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
  std::map<std::string, std::string> environment;          // WASI environ
  LogLevel log_level = LogLevel::trace;                    // what proxy_get_log_level reports
  uint64_t start_time_ns = 1704067200ull * 1000000000ull;  // 2024-01-01T00:00:00Z, fixed
  uint64_t random_seed = 0x5eed;
};

struct Queue {
  std::string vm_id;
  std::string name;
  uint32_t owner_context = 0;  // root context that registered it
  std::deque<std::string> items;
};

class HostState {
 public:
  explicit HostState(HostConfig cfg)
      : config(std::move(cfg)), now_ns(config.start_time_ns), rng(config.random_seed | 1) {}

  HostConfig config;
  AbiVersion abi = AbiVersion::v0_2_1;
  bool starting = true;  // during _initialize / main / _start (specs.md §4.2 step 3)
  std::string callback;  // the export being run ("proxy_on_request_headers")
  uint64_t now_ns;
  uint32_t tick_period_ms = 0;
  uint64_t rng;

  std::map<uint32_t, Context> contexts;
  uint32_t root_context_id = 0;
  uint32_t current_context = 0;    // the context the running callback was called for
  uint32_t effective_context = 0;  // proxy_set_effective_context (reset per callback)
  Context* effective();            // nullptr when none

  std::vector<LogEntry> logs;

  std::vector<Metric> metrics;
  std::map<std::string, size_t> metric_by_name;
  Metric* metric(uint32_t id);

  std::map<std::string, std::pair<std::string, uint32_t>> shared_data;  // key -> value, cas
  uint32_t next_cas = 1;

  std::vector<Queue> queues;  // id = index + 1
  std::deque<uint32_t> ready_queues;

  std::vector<HttpCallRecord> http_calls;   // every call made (VM lifetime)
  std::deque<uint32_t> pending_http_calls;  // tokens awaiting an answer
  uint32_t next_token = 1;
  // Answers a call (called when the host delivers it); nullopt: the call fails.
  std::function<std::optional<HttpCallResponse>(const HttpCallRecord&)> responder;

  // Finds a property for the effective context: stream properties, then plugin properties,
  // then what the host derives (plugin_root_id, request.path, request.headers.<k>, ...).
  std::optional<std::string> property(const std::string& dotted_path);
};

}  // namespace ext::host
