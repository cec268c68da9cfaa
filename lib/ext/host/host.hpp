// ext::host — the built-in proxy-wasm host that `ext test` runs filters in, on WABT's
// interpreter (Debian's libwabt), so tests exercise the exact bytes that ship.
// Owns: loading and linking a module as Envoy does (vm.hpp), the hostcalls of wasm/abi_list.hpp
// abi_list.hpp (hostcalls.hpp), and the lifecycle of cpp-host src/wasm.cc: start functions, VM
// start, plugin configure, root and stream contexts, HTTP request/response headers, bodies
// (buffering while a callback stops), trailers, network connections, async events (HTTP call
// answers, queues, ticks), done/log/delete. Must not use: the CLI, YAML, the network, the wall
// clock. Depends on core and util only (lib/DEPS); WABT appears only in vm.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"
#include "ext/host/state.hpp"
#include "ext/host/types.hpp"
#include "ext/host/vm.hpp"

namespace ext::host {

class Host;
struct HostOptions {
  HostConfig config;
  VmLimits limits;
  HostLimits host_limits;
  // Runs before the VM starts, e.g. to install the scripted upstreams that calls made in
  // proxy_on_vm_start / proxy_on_configure reach.
  std::function<void(Host&)> before_start;
  // The process-wide store this VM shares with the plugin's other VMs (null: its own), and
  // this VM's index in it (where queue notifications for it wait).
  std::shared_ptr<SharedStore> shared;
  uint32_t vm_index = 0;
  // False for Envoy's base VM: load and run the start functions only, no root context.
  bool start_plugin = true;
  // False for the configuration canary, which Envoy kills once configured: what its start-up
  // asked for (HTTP call answers, queue notifications) is never delivered to it.
  bool deliver_at_start = true;
};

// One callback the host invoked, with its raw result (nullopt for void callbacks).
struct CallbackRecord {
  std::string name;  // "proxy_on_request_headers"
  uint32_t context_id = 0;
  std::optional<uint32_t> result;
};

struct HttpInput {
  HeaderMap request_headers;
  std::vector<std::string> request_body;  // chunks; empty: no body
  std::optional<HeaderMap> request_trailers;
  bool has_response = true;  // the upstream answers (unless the filter replied locally)
  HeaderMap response_headers;
  std::vector<std::string> response_body;
  std::optional<HeaderMap> response_trailers;
  std::map<std::string, std::string> properties;  // stream properties (encoded values)
  PropertyKinds property_kinds;
};

struct HttpOutcome {
  uint32_t context_id = 0;
  std::vector<CallbackRecord> callbacks;
  // What went upstream (after the filter), when it did.
  bool request_forwarded = false;
  HeaderMap request_headers;
  std::string request_body;
  std::optional<HeaderMap> request_trailers;
  // What went downstream (the upstream response or the local reply, after the filter).
  bool response_forwarded = false;
  HeaderMap response_headers;
  std::string response_body;
  std::optional<HeaderMap> response_trailers;
  std::optional<LocalResponse> local_response;
  bool reset = false;                      // proxy_close_stream
  std::string paused_at;                   // a callback that stopped and was never continued
  bool done_pending = false;               // proxy_on_done returned false and proxy_done never came
  std::optional<std::string> error;        // a trap or an exhausted budget, naming the callback
  std::vector<LogEntry> logs;              // logs written during the run (all contexts)
  std::vector<HttpCallRecord> http_calls;  // calls made during the run
  std::vector<GrpcCallRecord> grpc_calls;
  std::vector<GrpcStreamRecord> grpc_streams;  // streams opened during the run
};

enum class CloseSide { none, downstream, upstream };

struct TcpInput {
  std::vector<std::string> downstream;  // chunks from the client
  std::vector<std::string> upstream;    // chunks from the server (after all downstream ones)
  CloseSide close = CloseSide::downstream;
  std::map<std::string, std::string> properties;
  PropertyKinds property_kinds;
};

struct TcpOutcome {
  uint32_t context_id = 0;
  std::vector<CallbackRecord> callbacks;
  std::string to_upstream;         // downstream data the filter let through
  std::string to_downstream;       // upstream data the filter let through
  bool closed_downstream = false;  // proxy_close_stream(DOWNSTREAM)
  bool closed_upstream = false;
  std::string paused_at;
  std::optional<std::string> error;
  std::vector<LogEntry> logs;
  std::vector<HttpCallRecord> http_calls;
  std::vector<GrpcCallRecord> grpc_calls;
  std::vector<GrpcStreamRecord> grpc_streams;  // streams opened during the run
};

class Host {
 public:
  // Loads the module, runs its start functions (cpp-host src/wasm.cc startVm), creates the root
  // context and calls proxy_on_vm_start and proxy_on_configure. Errors: the load errors of
  // Vm::load, a trap at start-up (naming the function), on_vm_start/on_configure returning false.
  static Result<std::unique_ptr<Host>> create(std::string_view module_bytes, HostOptions options);
  ~Host();

  HttpOutcome run_http(const HttpInput& input);
  TcpOutcome run_tcp(const TcpInput& input);

  // Advances the host clock by `ms`, calling proxy_on_tick on the root context once per
  // elapsed tick period. Logs of the ticks go to logs().
  Result<void> advance(uint64_t ms);

  // Milliseconds until the next proxy_on_tick, nullopt when no tick period is set.
  std::optional<uint64_t> ms_to_tick() const;
  // Delivers what waits for this VM outside a stream (queue notifications another VM's enqueue
  // caused, call answers), as its thread's event loop would. Logs go to logs().
  Result<void> poll();

  // Callbacks invoked outside a stream (start-up, configure, ticks), with their results.
  const std::vector<CallbackRecord>& root_callbacks() const { return m_root_callbacks; }

  // True once a callback trapped: Envoy fails such a VM; create a new Host to go on.
  bool failed() const { return m_failed; }

  // The host's state is private: the runner and tests use these methods.
  // What the VM logged outside a run_http/run_tcp since the last take_logs(): start-up,
  // configure, ticks (a run's own logs are in its outcome too).
  const std::vector<LogEntry>& logs() const;
  std::vector<LogEntry> take_logs();
  const std::vector<Metric>& metrics() const;
  uint64_t now_ns() const;
  AbiVersion abi() const;        // the module's proxy-wasm ABI version
  uint64_t memory_size() const;  // linear memory in bytes

  // The scripted upstreams. `known` says whether Envoy would have the cluster (a call to one it
  // lacks fails at call time); `answer` answers a call when the host delivers it (nullopt or
  // null: the call fails).
  using ClusterKnown = std::function<bool(const std::string&)>;
  using HttpAnswer = std::function<std::optional<HttpCallResponse>(const HttpCallRecord&)>;
  using GrpcAnswer = std::function<std::optional<GrpcCallResponse>(const GrpcCallRecord&)>;
  void set_http_upstream(ClusterKnown known, HttpAnswer answer);
  void set_grpc_upstream(ClusterKnown known, GrpcAnswer answer);
  // gRPC streams: `script` gives the server's events for a stream when it opens.
  using GrpcStreamAnswer = std::function<std::vector<GrpcStreamEvent>(const GrpcStreamRecord&)>;
  void set_grpc_stream_upstream(ClusterKnown known, GrpcStreamAnswer script);

  // Before each test case: resets the per-case byte budget (limits.case_bytes) and forgets the
  // calls and logs of the previous one.
  void begin_case();
  bool exports(std::string_view callback) const { return m_vm->has_export(callback); }
  uint32_t root_context_id() const { return m_state->root_context_id; }

 private:
  Host() = default;
  struct Run;
  std::optional<uint32_t> invoke(Run& run, const char* name, uint32_t ctx,
                                 std::initializer_list<uint32_t> args);
  void drain(Run& run);
  bool deliver_grpc_stream_event(Run& run);
  uint32_t new_context(Run& run, uint32_t parent);
  void finish_stream(Run& run, uint32_t id);

  std::unique_ptr<HostState> m_state;
  std::unique_ptr<Vm> m_vm;
  uint32_t m_next_context = 1;
  bool m_failed = false;
  std::vector<CallbackRecord> m_root_callbacks;
};

}  // namespace ext::host
