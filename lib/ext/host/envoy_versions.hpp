// ext::host — which Envoy release `ext test` emulates, and the one table of behaviours that
// differ between the releases ext knows (plugin.envoy_version in a spec; default: ext.yaml's
// platform_version, else the newest release ext knows). Each row names the upstream commit it
// comes from. Behaviour that is the same in every known release is not versioned: it is
// implemented once in hostcalls.cpp / host.cpp, with its source cited there.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"

namespace ext::host {

struct VersionedBehaviour {
  std::string_view key;          // "wasi_functions"
  std::string_view description;  // what changes
  std::string_view upstream;     // repository and commit(s) it comes from
  std::string_view per_version;  // how it maps onto the known releases
};

// The table (docs/test-spec.md "Envoy versions" prints the same rows).
const std::vector<VersionedBehaviour>& versioned_behaviours();

// The behaviours of one release, resolved from the table.
struct EnvoyBehaviour {
  std::string version;  // "1.33"
  // >= 1.32: a body callback after StopIterationAndBuffer sees the buffered body including the
  // current chunk; before, only the earlier chunks (the current one is appended afterwards, and
  // the last chunk is never seen).
  bool body_includes_current_chunk = true;
  // >= 1.33: a second proxy_send_local_response goes to Envoy's filter manager again (sent
  // directly if the response headers have not gone downstream yet, else a stream reset);
  // before, it is dropped and the stream stays paused (the client hangs).
  bool second_local_reply_sent = true;
  // WASI functions and env functions allowed during start-up (_initialize, main, _start).
  bool startup_fdstat = true;              // fd_fdstat_get, fd_fdstat_set_flags: >= 1.33
  bool startup_memory_growth = true;       // env.emscripten_notify_memory_growth: >= 1.37
  bool clear_route_cache_function = true;  // foreign function clear_route_cache: >= 1.33
  bool set_filter_state_function = true;   // foreign function set_envoy_filter_state: >= 1.28
  bool verify_signature_function = true;   // foreign function verify_signature: >= 1.30
  bool sign_function = true;               // foreign function sign (and PEM keys): >= 1.37
  // >= 1.37: foreign functions run on the effective context (a stream's, from an HTTP call
  // callback on the root context); before, on the context running the callback.
  bool foreign_effective_context = true;
};

// "1.33", "v1.33.2" -> "1.33"; "" -> the newest known; Error(usage) for a release ext does not
// know, listing the known ones.
Result<std::string> resolve_envoy_version(std::string_view requested);

// The behaviours of a known release ("" = the newest).
EnvoyBehaviour envoy_behaviour(std::string_view envoy_version);

// Does that Envoy release link WASI function `name` (else a module importing it fails to load)?
bool envoy_provides_wasi(std::string_view envoy_version, std::string_view name);

// May `module.name` be called while the VM starts (the start window of proxy-wasm-cpp-host
// src/wasm.cc startVm), or while the host calls the module's allocator (allocMemory)?
// Anything else traps there, failing the VM.
bool allowed_during_startup(const EnvoyBehaviour& b, bool wasi, std::string_view name);
bool allowed_during_allocation(bool wasi, std::string_view name);

}  // namespace ext::host
