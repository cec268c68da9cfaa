#include "ext/host/envoy_versions.hpp"

#include "ext/wasm/abi_tables.hpp"

namespace ext::host {
namespace {

// "1.33" -> 33 (every known release is 1.x).
int minor_of(std::string_view v) {
  auto dot = v.find('.');
  int n = 0;
  for (size_t i = dot + 1; dot != std::string_view::npos && i < v.size(); ++i) {
    if (v[i] < '0' || v[i] > '9') break;
    n = n * 10 + (v[i] - '0');
  }
  return n;
}

}  // namespace

const std::vector<VersionedBehaviour>& versioned_behaviours() {
  static const std::vector<VersionedBehaviour> rows = {
      {"wasi_functions",
       "which WASI functions are linked; importing one the release lacks fails the load "
       "(\"Failed to load Wasm module due to a missing import\")",
       "proxy-wasm/proxy-wasm-cpp-host f383473 (2021-11-18: path_open, fd_prestat_*), c4d7bb0 "
       "(2024-12-19: fd_fdstat_set_flags, poll_oneoff, sched_yield), 94091cd (2026-04-06: 27 "
       "more, first pinned after 1.38); lib/ext/wasm/abi_list.hpp holds the per-function list",
       "1.24-1.32: original set + f383473; 1.33-1.38: + c4d7bb0"},
      {"startup_calls",
       "hostcalls allowed while the VM starts (_initialize, main, _start; the start section is "
       "not restricted); any other traps and fails the VM (V8, Envoy's default runtime)",
       "proxy-wasm-cpp-host 66b3b7d (2022-08-05, src/wasm.cc startVm: proxy_log, fd_write, "
       "args_*, environ_*, fd_prestat_*, clock_time_get, random_get), c4d7bb0 (+ fd_fdstat_get, "
       "fd_fdstat_set_flags), 14fa83a (2025-11-20, + emscripten_notify_memory_growth)",
       "1.24-1.32: 66b3b7d list; 1.33-1.36: + c4d7bb0; 1.37-1.38: + 14fa83a"},
      {"allocation_calls",
       "hostcalls allowed while the host calls the module's allocator (malloc / "
       "proxy_on_memory_allocate): proxy_log, fd_write, clock_time_get",
       "proxy-wasm-cpp-host 66b3b7d (include/proxy-wasm/wasm.h allocMemory)", "1.24-1.38"},
      {"body_buffering",
       "after a body callback returns StopIterationAndBuffer, what the next one sees: before, "
       "the earlier chunks only (body size excludes the current chunk, which is appended after "
       "the callback; the last chunk is never seen); after, the whole body so far",
       "envoyproxy/envoy PR #36411 (changelogs/1.32.0.yaml, bug_fixes, wasm: \"body received in "
       "chunks is not correctly dumped\"); symptom in envoy issue #36227",
       "1.24-1.31: earlier chunks only; 1.32-1.38: including the current chunk"},
      {"second_local_reply",
       "a second proxy_send_local_response on a stream (it always returns OK and stops the "
       "callback: cpp-host src/exports.cc send_local_response): before, Envoy drops it and the "
       "stream stays paused (the client hangs, envoy issue #28826); after, it reaches Envoy's "
       "filter manager (source/common/http/filter_manager.cc sendLocalReply): sent directly if "
       "the response headers have not gone downstream, else the stream is reset",
       "envoyproxy/envoy PR #23049 (2022, local_reply_sent_ guard) and PR #36809 (opened "
       "2024-10-24 after 1.32.0, removes it)",
       "1.24-1.32: dropped, stream paused; 1.33-1.38: sent (first release inferred from the PR "
       "date)"},
      {"clear_route_cache_function",
       "the clear_route_cache foreign function (OK; NOT_FOUND where the release lacks it)",
       "envoyproxy/envoy changelogs/1.33.0.yaml new_features wasm; "
       "source/extensions/common/wasm/foreign.cc",
       "1.24-1.32: absent; 1.33-1.38: present"},
      {"set_envoy_filter_state_function",
       "the set_envoy_filter_state foreign function (NOT_FOUND where the release lacks it)",
       "envoyproxy/envoy PR #29320 (opened 2023-08-29, merged before the 1.28 branch); no "
       "changelog entry",
       "1.24-1.27: absent; 1.28-1.38: present (first release inferred from the PR date)"},
      {"verify_signature_function",
       "the verify_signature foreign function (NOT_FOUND where the release lacks it)",
       "envoyproxy/envoy PR #32127, changelogs/1.30.0.yaml new_features wasm",
       "1.24-1.29: absent; 1.30-1.38: present"},
      {"sign_function",
       "the sign foreign function, and PEM keys (public_key_pem, private_key_pem) for it and "
       "verify_signature",
       "envoyproxy/envoy PR #41032, changelogs/1.37.0.yaml new_features wasm",
       "1.24-1.36: absent (PEM fields ignored); 1.37-1.38: present"},
      {"foreign_effective_context",
       "which context a foreign function acts on: the effective one (set by the SDK in an HTTP or "
       "gRPC call callback) or the one running the callback; set_envoy_filter_state and "
       "clear_route_cache depend on it, declare_property always uses the running one",
       "envoyproxy/envoy PR #42227, changelogs/1.37.0.yaml minor_behavior_changes wasm (runtime "
       "guard wasm_use_effective_ctx_for_foreign_functions)",
       "1.24-1.36: running context; 1.37-1.38: effective context"},
  };
  return rows;
}

Result<std::string> resolve_envoy_version(std::string_view requested) {
  if (requested.empty()) return std::string(wasm::abi::newest_envoy_version());
  auto known = wasm::abi::known_envoy_version(requested);
  if (!known.empty()) return known;
  std::string list;
  for (auto v : wasm::abi::envoy_versions()) list += (list.empty() ? "" : ", ") + std::string(v);
  return fail(Errc::usage, "unknown Envoy version \"" + std::string(requested) + "\"",
              "ext test emulates Envoy " + list);
}

EnvoyBehaviour envoy_behaviour(std::string_view envoy_version) {
  EnvoyBehaviour b;
  b.version = wasm::abi::known_envoy_version(envoy_version);
  if (b.version.empty()) b.version = std::string(wasm::abi::newest_envoy_version());
  int minor = minor_of(b.version);
  b.body_includes_current_chunk = minor >= 32;
  b.second_local_reply_sent = minor >= 33;
  b.startup_fdstat = minor >= 33;
  b.startup_memory_growth = minor >= 37;
  b.clear_route_cache_function = minor >= 33;
  b.set_filter_state_function = minor >= 28;
  b.verify_signature_function = minor >= 30;
  b.sign_function = minor >= 37;
  b.foreign_effective_context = minor >= 37;
  return b;
}

bool envoy_provides_wasi(std::string_view envoy_version, std::string_view name) {
  return wasm::abi::wasi_provided(name, envoy_version);
}

bool allowed_during_startup(const EnvoyBehaviour& b, bool wasi, std::string_view name) {
  if (!wasi)
    return name == "proxy_log" ||
           (b.startup_memory_growth && name == "emscripten_notify_memory_growth");
  for (std::string_view n :
       {"fd_write", "args_sizes_get", "args_get", "environ_sizes_get", "environ_get",
        "fd_prestat_get", "fd_prestat_dir_name", "clock_time_get", "random_get"})
    if (name == n) return true;
  return b.startup_fdstat && (name == "fd_fdstat_get" || name == "fd_fdstat_set_flags");
}

bool allowed_during_allocation(bool wasi, std::string_view name) {
  if (!wasi) return name == "proxy_log";
  return name == "fd_write" || name == "clock_time_get";
}

}  // namespace ext::host
