// The tables of specs.md §4.3–§4.5, cross-checked with proxy-wasm-cpp-host
// (include/proxy-wasm/exports.h, src/wasm.cc registerCallbacks/getFunctions).
#include "ext/wasm/abi_tables.hpp"

#include <array>
#include <vector>

namespace ext::wasm::abi {
namespace {

constexpr const char* k_i32x1 = "(i32)->i32";
constexpr const char* k_i32x2 = "(i32,i32)->i32";
constexpr const char* k_i32x3 = "(i32,i32,i32)->i32";
constexpr const char* k_i32x4 = "(i32,i32,i32,i32)->i32";
constexpr const char* k_i32x5 = "(i32,i32,i32,i32,i32)->i32";
constexpr const char* k_i32x6 = "(i32,i32,i32,i32,i32,i32)->i32";

// §4.4: every function returns i32 (proxy_status_t).
constexpr Function k_env[] = {
    {"proxy_log", k_i32x3, k_all},
    {"proxy_get_log_level", k_i32x1, k_v021},
    {"proxy_get_current_time_nanoseconds", k_i32x1, k_all},
    {"proxy_set_tick_period_milliseconds", k_i32x1, k_all},
    {"proxy_get_configuration", k_i32x2, k_v010},
    {"proxy_get_buffer_bytes", k_i32x5, k_all},
    {"proxy_set_buffer_bytes", k_i32x5, k_all},
    {"proxy_get_buffer_status", k_i32x3, k_all},
    {"proxy_get_header_map_size", k_i32x2, k_all},
    {"proxy_get_header_map_pairs", k_i32x3, k_all},
    {"proxy_set_header_map_pairs", k_i32x3, k_all},
    {"proxy_get_header_map_value", k_i32x5, k_all},
    {"proxy_add_header_map_value", k_i32x5, k_all},
    {"proxy_replace_header_map_value", k_i32x5, k_all},
    {"proxy_remove_header_map_value", k_i32x3, k_all},
    {"proxy_continue_stream", k_i32x1, k_v02x},
    {"proxy_close_stream", k_i32x1, k_v02x},
    // 0.1.0: the spec says no result, the host registers () -> i32 (§4.1 "Spec vs host").
    {"proxy_continue_request", "()->i32", k_v010},
    {"proxy_continue_response", "()->i32", k_v010},
    {"proxy_clear_route_cache", "()->i32", k_v010},
    {"proxy_get_status", k_i32x3, k_all},
    {"proxy_send_local_response", "(i32,i32,i32,i32,i32,i32,i32,i32)->i32", k_all},
    {"proxy_http_call", "(i32,i32,i32,i32,i32,i32,i32,i32,i32,i32)->i32", k_all},
    {"proxy_grpc_call", "(i32,i32,i32,i32,i32,i32,i32,i32,i32,i32,i32,i32)->i32", k_all},
    {"proxy_grpc_stream", "(i32,i32,i32,i32,i32,i32,i32,i32,i32)->i32", k_all},
    {"proxy_grpc_send", k_i32x4, k_all},
    {"proxy_grpc_cancel", k_i32x1, k_all},
    {"proxy_grpc_close", k_i32x1, k_all},
    {"proxy_set_shared_data", k_i32x5, k_all},
    {"proxy_get_shared_data", k_i32x5, k_all},
    {"proxy_register_shared_queue", k_i32x3, k_all},
    {"proxy_resolve_shared_queue", k_i32x5, k_all},
    {"proxy_enqueue_shared_queue", k_i32x3, k_all},
    {"proxy_dequeue_shared_queue", k_i32x3, k_all},
    {"proxy_define_metric", k_i32x4, k_all},
    {"proxy_increment_metric", "(i32,i64)->i32", k_all},
    {"proxy_record_metric", "(i32,i64)->i32", k_all},
    {"proxy_get_metric", k_i32x2, k_all},
    {"proxy_get_property", k_i32x4, k_all},
    {"proxy_set_property", k_i32x4, k_all},
    {"proxy_set_effective_context", k_i32x1, k_all},
    {"proxy_done", "()->i32", k_all},
    {"proxy_call_foreign_function", k_i32x6, k_all},
    // Emscripten support the host registers (§4.4 "host only").
    {"pthread_equal", k_i32x2, k_all},
    {"emscripten_notify_memory_growth", "(i32)->()", k_all},
};

// §4.5: registered under both wasi_snapshot_preview1 and wasi_unstable.
constexpr Function k_wasi[] = {
    {"fd_write", k_i32x4, k_all},
    {"fd_read", k_i32x4, k_all},
    {"fd_seek", "(i32,i64,i32,i32)->i32", k_all},
    {"fd_close", k_i32x1, k_all},
    {"fd_fdstat_get", k_i32x2, k_all},
    {"fd_fdstat_set_flags", k_i32x2, k_all},
    {"fd_fdstat_set_rights", "(i32,i64,i64)->i32", k_all},
    {"fd_prestat_get", k_i32x2, k_all},
    {"fd_prestat_dir_name", k_i32x3, k_all},
    {"fd_filestat_get", k_i32x2, k_all},
    {"fd_filestat_set_size", "(i32,i64)->i32", k_all},
    {"fd_filestat_set_times", "(i32,i64,i64,i32)->i32", k_all},
    {"fd_advise", "(i32,i64,i64,i32)->i32", k_all},
    {"fd_allocate", "(i32,i64,i64)->i32", k_all},
    {"fd_datasync", k_i32x1, k_all},
    {"fd_sync", k_i32x1, k_all},
    {"fd_pread", "(i32,i32,i32,i64,i32)->i32", k_all},
    {"fd_pwrite", "(i32,i32,i32,i64,i32)->i32", k_all},
    {"fd_readdir", "(i32,i32,i32,i64,i32)->i32", k_all},
    {"fd_renumber", k_i32x2, k_all},
    {"fd_tell", k_i32x2, k_all},
    {"path_open", "(i32,i32,i32,i32,i32,i64,i64,i32,i32)->i32", k_all},
    {"path_create_directory", k_i32x3, k_all},
    {"path_remove_directory", k_i32x3, k_all},
    {"path_unlink_file", k_i32x3, k_all},
    {"path_filestat_get", k_i32x5, k_all},
    {"path_filestat_set_times", "(i32,i32,i32,i32,i64,i64,i32)->i32", k_all},
    {"path_link", k_i32x6, k_all},
    {"path_readlink", k_i32x6, k_all},
    {"path_rename", k_i32x6, k_all},
    {"path_symlink", k_i32x4, k_all},
    {"environ_sizes_get", k_i32x2, k_all},
    {"environ_get", k_i32x2, k_all},
    {"args_sizes_get", k_i32x2, k_all},
    {"args_get", k_i32x2, k_all},
    {"clock_time_get", "(i32,i64,i32)->i32", k_all},
    {"clock_res_get", k_i32x2, k_all},
    {"random_get", k_i32x2, k_all},
    {"sched_yield", "()->i32", k_all},
    {"poll_oneoff", k_i32x4, k_all},
    {"proc_exit", "(i32)->()", k_all},
    {"sock_accept", k_i32x3, k_all},
    {"sock_recv", k_i32x6, k_all},
    {"sock_send", k_i32x5, k_all},
    {"sock_shutdown", k_i32x2, k_all},
};

// §4.3: exports the host looks up, with the exact types it checks (WasmCallWord<N> =
// (i32 x N) -> i32, WasmCallVoid<N> = (i32 x N) -> ()).
constexpr Function k_exports[] = {
    {"proxy_abi_version_0_1_0", "()->()", k_all},
    {"proxy_abi_version_0_2_0", "()->()", k_all},
    {"proxy_abi_version_0_2_1", "()->()", k_all},
    {"_initialize", "()->()", k_all},
    {"_start", "()->()", k_all},
    {"main", k_i32x2, k_all},
    {"__main_void", "()->i32", k_all},
    {"proxy_on_memory_allocate", k_i32x1, k_all},
    {"malloc", k_i32x1, k_all},
    {"proxy_on_context_create", "(i32,i32)->()", k_all},
    {"proxy_on_vm_start", k_i32x2, k_all},
    {"proxy_validate_configuration", k_i32x2, k_all},
    {"proxy_on_configure", k_i32x2, k_all},
    {"proxy_on_tick", "(i32)->()", k_all},
    {"proxy_on_new_connection", k_i32x1, k_all},
    {"proxy_on_downstream_data", k_i32x3, k_all},
    {"proxy_on_upstream_data", k_i32x3, k_all},
    {"proxy_on_downstream_connection_close", "(i32,i32)->()", k_all},
    {"proxy_on_upstream_connection_close", "(i32,i32)->()", k_all},
    {"proxy_on_request_headers", k_i32x3, k_v02x},
    {"proxy_on_request_body", k_i32x3, k_all},
    {"proxy_on_request_trailers", k_i32x2, k_all},
    {"proxy_on_request_metadata", k_i32x2, k_all},
    {"proxy_on_response_headers", k_i32x3, k_v02x},
    {"proxy_on_response_body", k_i32x3, k_all},
    {"proxy_on_response_trailers", k_i32x2, k_all},
    {"proxy_on_response_metadata", k_i32x2, k_all},
    {"proxy_on_http_call_response", "(i32,i32,i32,i32,i32)->()", k_all},
    {"proxy_on_grpc_receive_initial_metadata", "(i32,i32,i32)->()", k_all},
    {"proxy_on_grpc_receive", "(i32,i32,i32)->()", k_all},
    {"proxy_on_grpc_receive_trailing_metadata", "(i32,i32,i32)->()", k_all},
    {"proxy_on_grpc_close", "(i32,i32,i32)->()", k_all},
    {"proxy_on_queue_ready", "(i32,i32)->()", k_all},
    {"proxy_on_foreign_function", "(i32,i32,i32)->()", k_v02x},
    {"proxy_on_done", k_i32x1, k_all},
    {"proxy_on_log", "(i32)->()", k_all},
    {"proxy_on_delete", "(i32)->()", k_all},
};

// 0.1.0 headers callbacks take (context_id, num_headers) [HOST getFunctions].
constexpr Function k_exports_v010[] = {
    {"proxy_on_request_headers", k_i32x2, k_v010},
    {"proxy_on_response_headers", k_i32x2, k_v010},
};

template <size_t N>
const Function* find_in(const Function (&table)[N], std::string_view name) {
  for (const auto& f : table)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace

unsigned version_bit(std::string_view v) {
  if (v == "0.1.0") return k_v010;
  if (v == "0.2.0") return k_v020;
  if (v == "0.2.1") return k_v021;
  return 0;
}

std::string describe_versions(unsigned mask) {
  std::string out;
  const std::array<std::pair<unsigned, const char*>, 3> all = {
      {{k_v010, "0.1.0"}, {k_v020, "0.2.0"}, {k_v021, "0.2.1"}}};
  for (const auto& [bit, name] : all) {
    if (!(mask & bit)) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

const Function* find_env_import(std::string_view name) {
  return find_in(k_env, name);
}
const Function* find_wasi_import(std::string_view name) {
  return find_in(k_wasi, name);
}

const Function* find_export(std::string_view name, std::string_view abi_version) {
  if (version_bit(abi_version) == k_v010)
    if (const auto* f = find_in(k_exports_v010, name)) return f;
  return find_in(k_exports, name);
}

// WASI generations of proxy-wasm-cpp-host (github.com/proxy-wasm/proxy-wasm-cpp-host, src/wasm.cc
// registrations, read at 52a0291):
//   0: the original set (fd_write, fd_read, fd_seek, fd_close, fd_fdstat_get, environ_*,
//      args_*, clock_time_get, random_get, proc_exit)
//   1: f383473 (2021-11-18) "wasi: export stubs for preopened files and directories"
//   2: c4d7bb0 (2024-12-19) "feat(go-sdk): add wasi hostcalls used by the Go SDK"
//   3: 94091cd (2026-04-06) "add all wasi hostcalls used by Go SDK"
namespace {
struct WasiAdded {
  std::string_view name;
  int generation;
};
constexpr WasiAdded k_wasi_added[] = {
    {"path_open", 1},
    {"fd_prestat_get", 1},
    {"fd_prestat_dir_name", 1},
    {"fd_fdstat_set_flags", 2},
    {"poll_oneoff", 2},
    {"sched_yield", 2},
    {"clock_res_get", 3},
    {"fd_advise", 3},
    {"fd_allocate", 3},
    {"fd_datasync", 3},
    {"fd_fdstat_set_rights", 3},
    {"fd_filestat_get", 3},
    {"fd_filestat_set_size", 3},
    {"fd_filestat_set_times", 3},
    {"fd_pread", 3},
    {"fd_pwrite", 3},
    {"fd_readdir", 3},
    {"fd_renumber", 3},
    {"fd_sync", 3},
    {"fd_tell", 3},
    {"path_create_directory", 3},
    {"path_filestat_get", 3},
    {"path_filestat_set_times", 3},
    {"path_link", 3},
    {"path_readlink", 3},
    {"path_remove_directory", 3},
    {"path_rename", 3},
    {"path_symlink", 3},
    {"path_unlink_file", 3},
    {"sock_accept", 3},
    {"sock_recv", 3},
    {"sock_send", 3},
    {"sock_shutdown", 3},
};
constexpr std::string_view k_generation_commit[] = {"", "f383473", "c4d7bb0", "94091cd"};

// Envoy release -> WASI generation of the cpp-host it pins. Envoy 1.36.4 pins cpp-host
// a0f625e (envoyproxy/envoy bazel/repository_locations.bzl), which predates 94091cd. The other
// rows follow the release dates against the cpp-host commit dates (a release cut before a
// commit cannot contain it); docs/test-spec.md lists this as an inference.
struct EnvoyRow {
  std::string_view version;
  int wasi_generation;
};
constexpr EnvoyRow k_envoy[] = {
    {"1.30", 1}, {"1.31", 1}, {"1.32", 1}, {"1.33", 2}, {"1.34", 2},
    {"1.35", 2}, {"1.36", 2}, {"1.37", 2}, {"1.38", 3},
};
}  // namespace

const std::vector<std::string_view>& envoy_versions() {
  static const std::vector<std::string_view> v = [] {
    std::vector<std::string_view> out;
    for (const auto& r : k_envoy) out.push_back(r.version);
    return out;
  }();
  return v;
}

std::string_view newest_envoy_version() {
  return std::end(k_envoy)[-1].version;
}

std::string known_envoy_version(std::string_view v) {
  if (!v.empty() && (v[0] == 'v' || v[0] == 'V')) v.remove_prefix(1);
  auto dot = v.find('.');
  if (dot != std::string_view::npos) {
    auto second = v.find('.', dot + 1);
    if (second != std::string_view::npos) v = v.substr(0, second);
  }
  for (const auto& r : k_envoy)
    if (r.version == v) return std::string(v);
  return "";
}

std::string_view wasi_added_in(std::string_view name) {
  for (const auto& w : k_wasi_added)
    if (w.name == name) return k_generation_commit[w.generation];
  return "";
}

bool wasi_provided(std::string_view name, std::string_view envoy_version) {
  if (!find_wasi_import(name)) return false;
  int have = std::end(k_envoy)[-1].wasi_generation;
  auto known = known_envoy_version(envoy_version);
  for (const auto& r : k_envoy)
    if (r.version == known) have = r.wasi_generation;
  for (const auto& w : k_wasi_added)
    if (w.name == name) return w.generation <= have;
  return true;
}

}  // namespace ext::wasm::abi
