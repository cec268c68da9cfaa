// ext::wasm — the proxy-wasm ABI, declared once (the pattern of proxy-wasm-cpp-host's
// FOR_ALL_HOST_FUNCTIONS X-macros). Everything that needs a list of hostcalls or callbacks is
// generated from these rows:
//   - the validator's tables (wasm/abi_tables.cpp: find_env_import, find_wasi_import,
//     find_export),
//   - the host's bindings (host/hostcalls.cpp: every row must name a host function of the same
//     name, or the build fails; tests/unit/ops/abi_list_test.cpp checks the tables agree),
//   - the C++ driver's link lists (build/proxy_wasm_names.cpp: allowed undefined symbols and
//     exported callbacks).
// Sources: the proxy-wasm ABI specification (github.com/proxy-wasm/spec, abi-versions/v0.1.0,
// v0.2.0, v0.2.1) and proxy-wasm-cpp-host (include/proxy-wasm/exports.h, src/wasm.cc
// registerCallbacks / getFunctions), which registers some functions with a result the spec
// omits (docs/test-spec.md, "Remaining differences" lists none of them as a difference).
//
// Each row is X(name, signature, versions). `signature` is the form wasm::ModuleInfo uses:
// "(i32,i64)->i32", "(i32)->()". `versions` is a wasm::abi::VersionBits mask.
#pragma once

// clang-format off

// env.<name>: the proxy-wasm host functions (every one returns proxy_status_t as i32), then the
// two Emscripten helpers cpp-host also registers under env.
#define EXT_PROXY_WASM_ENV_FUNCTIONS(X)                                                           \
  X(proxy_log, "(i32,i32,i32)->i32", k_all)                                                       \
  X(proxy_get_log_level, "(i32)->i32", k_v021)                                                    \
  X(proxy_get_current_time_nanoseconds, "(i32)->i32", k_all)                                      \
  X(proxy_set_tick_period_milliseconds, "(i32)->i32", k_all)                                      \
  X(proxy_get_configuration, "(i32,i32)->i32", k_v010)                                            \
  X(proxy_get_buffer_bytes, "(i32,i32,i32,i32,i32)->i32", k_all)                                  \
  X(proxy_set_buffer_bytes, "(i32,i32,i32,i32,i32)->i32", k_all)                                  \
  X(proxy_get_buffer_status, "(i32,i32,i32)->i32", k_all)                                         \
  X(proxy_get_header_map_size, "(i32,i32)->i32", k_all)                                           \
  X(proxy_get_header_map_pairs, "(i32,i32,i32)->i32", k_all)                                      \
  X(proxy_set_header_map_pairs, "(i32,i32,i32)->i32", k_all)                                      \
  X(proxy_get_header_map_value, "(i32,i32,i32,i32,i32)->i32", k_all)                              \
  X(proxy_add_header_map_value, "(i32,i32,i32,i32,i32)->i32", k_all)                              \
  X(proxy_replace_header_map_value, "(i32,i32,i32,i32,i32)->i32", k_all)                          \
  X(proxy_remove_header_map_value, "(i32,i32,i32)->i32", k_all)                                   \
  X(proxy_continue_stream, "(i32)->i32", k_v02x)                                                  \
  X(proxy_close_stream, "(i32)->i32", k_v02x)                                                     \
  /* 0.1.0: the spec says no result; cpp-host registers () -> i32 */                              \
  X(proxy_continue_request, "()->i32", k_v010)                                                    \
  X(proxy_continue_response, "()->i32", k_v010)                                                   \
  X(proxy_clear_route_cache, "()->i32", k_v010)                                                   \
  X(proxy_get_status, "(i32,i32,i32)->i32", k_all)                                                \
  X(proxy_send_local_response, "(i32,i32,i32,i32,i32,i32,i32,i32)->i32", k_all)                   \
  X(proxy_http_call, "(i32,i32,i32,i32,i32,i32,i32,i32,i32,i32)->i32", k_all)                     \
  X(proxy_grpc_call, "(i32,i32,i32,i32,i32,i32,i32,i32,i32,i32,i32,i32)->i32", k_all)             \
  X(proxy_grpc_stream, "(i32,i32,i32,i32,i32,i32,i32,i32,i32)->i32", k_all)                       \
  X(proxy_grpc_send, "(i32,i32,i32,i32)->i32", k_all)                                             \
  X(proxy_grpc_cancel, "(i32)->i32", k_all)                                                       \
  X(proxy_grpc_close, "(i32)->i32", k_all)                                                        \
  X(proxy_set_shared_data, "(i32,i32,i32,i32,i32)->i32", k_all)                                   \
  X(proxy_get_shared_data, "(i32,i32,i32,i32,i32)->i32", k_all)                                   \
  X(proxy_register_shared_queue, "(i32,i32,i32)->i32", k_all)                                     \
  X(proxy_resolve_shared_queue, "(i32,i32,i32,i32,i32)->i32", k_all)                              \
  X(proxy_enqueue_shared_queue, "(i32,i32,i32)->i32", k_all)                                      \
  X(proxy_dequeue_shared_queue, "(i32,i32,i32)->i32", k_all)                                      \
  X(proxy_define_metric, "(i32,i32,i32,i32)->i32", k_all)                                         \
  X(proxy_increment_metric, "(i32,i64)->i32", k_all)                                              \
  X(proxy_record_metric, "(i32,i64)->i32", k_all)                                                 \
  X(proxy_get_metric, "(i32,i32)->i32", k_all)                                                    \
  X(proxy_get_property, "(i32,i32,i32,i32)->i32", k_all)                                          \
  X(proxy_set_property, "(i32,i32,i32,i32)->i32", k_all)                                          \
  X(proxy_set_effective_context, "(i32)->i32", k_all)                                             \
  X(proxy_done, "()->i32", k_all)                                                                 \
  X(proxy_call_foreign_function, "(i32,i32,i32,i32,i32,i32)->i32", k_all)                         \
  /* Emscripten support cpp-host registers under env (not part of the proxy-wasm spec) */         \
  X(pthread_equal, "(i32,i32)->i32", k_all)                                                       \
  X(emscripten_notify_memory_growth, "(i32)->()", k_all)

// WASI functions cpp-host registers under both wasi_snapshot_preview1 and wasi_unstable. Here
// the third field is the cpp-host generation that added the function (see
// wasm/abi_tables.cpp, k_generation_commit): 0 the original set, 1 f383473, 2 c4d7bb0,
// 3 94091cd. Which Envoy release pins which generation is the envoy table in abi_tables.cpp.
#define EXT_PROXY_WASM_WASI_FUNCTIONS(X)                                                          \
  X(fd_write, "(i32,i32,i32,i32)->i32", 0)                                                        \
  X(fd_read, "(i32,i32,i32,i32)->i32", 0)                                                         \
  X(fd_seek, "(i32,i64,i32,i32)->i32", 0)                                                         \
  X(fd_close, "(i32)->i32", 0)                                                                    \
  X(fd_fdstat_get, "(i32,i32)->i32", 0)                                                           \
  X(fd_fdstat_set_flags, "(i32,i32)->i32", 2)                                                     \
  X(fd_fdstat_set_rights, "(i32,i64,i64)->i32", 3)                                                \
  X(fd_prestat_get, "(i32,i32)->i32", 1)                                                          \
  X(fd_prestat_dir_name, "(i32,i32,i32)->i32", 1)                                                 \
  X(fd_filestat_get, "(i32,i32)->i32", 3)                                                         \
  X(fd_filestat_set_size, "(i32,i64)->i32", 3)                                                    \
  X(fd_filestat_set_times, "(i32,i64,i64,i32)->i32", 3)                                           \
  X(fd_advise, "(i32,i64,i64,i32)->i32", 3)                                                       \
  X(fd_allocate, "(i32,i64,i64)->i32", 3)                                                         \
  X(fd_datasync, "(i32)->i32", 3)                                                                 \
  X(fd_sync, "(i32)->i32", 3)                                                                     \
  X(fd_pread, "(i32,i32,i32,i64,i32)->i32", 3)                                                    \
  X(fd_pwrite, "(i32,i32,i32,i64,i32)->i32", 3)                                                   \
  X(fd_readdir, "(i32,i32,i32,i64,i32)->i32", 3)                                                  \
  X(fd_renumber, "(i32,i32)->i32", 3)                                                             \
  X(fd_tell, "(i32,i32)->i32", 3)                                                                 \
  X(path_open, "(i32,i32,i32,i32,i32,i64,i64,i32,i32)->i32", 1)                                   \
  X(path_create_directory, "(i32,i32,i32)->i32", 3)                                               \
  X(path_remove_directory, "(i32,i32,i32)->i32", 3)                                               \
  X(path_unlink_file, "(i32,i32,i32)->i32", 3)                                                    \
  X(path_filestat_get, "(i32,i32,i32,i32,i32)->i32", 3)                                           \
  X(path_filestat_set_times, "(i32,i32,i32,i32,i64,i64,i32)->i32", 3)                             \
  X(path_link, "(i32,i32,i32,i32,i32,i32)->i32", 3)                                               \
  X(path_readlink, "(i32,i32,i32,i32,i32,i32)->i32", 3)                                           \
  X(path_rename, "(i32,i32,i32,i32,i32,i32)->i32", 3)                                             \
  X(path_symlink, "(i32,i32,i32,i32)->i32", 3)                                                    \
  X(environ_sizes_get, "(i32,i32)->i32", 0)                                                       \
  X(environ_get, "(i32,i32)->i32", 0)                                                             \
  X(args_sizes_get, "(i32,i32)->i32", 0)                                                          \
  X(args_get, "(i32,i32)->i32", 0)                                                                \
  X(clock_time_get, "(i32,i64,i32)->i32", 0)                                                      \
  X(clock_res_get, "(i32,i32)->i32", 3)                                                           \
  X(random_get, "(i32,i32)->i32", 0)                                                              \
  X(sched_yield, "()->i32", 2)                                                                    \
  X(poll_oneoff, "(i32,i32,i32,i32)->i32", 2)                                                     \
  X(proc_exit, "(i32)->()", 0)                                                                    \
  X(sock_accept, "(i32,i32,i32)->i32", 3)                                                         \
  X(sock_recv, "(i32,i32,i32,i32,i32,i32)->i32", 3)                                               \
  X(sock_send, "(i32,i32,i32,i32,i32)->i32", 3)                                                   \
  X(sock_shutdown, "(i32,i32)->i32", 3)

// Exports the host looks up, with the exact types it checks (cpp-host WasmCallWord<N> =
// (i32 x N) -> i32, WasmCallVoid<N> = (i32 x N) -> ()). A name may have one row per ABI
// generation when its type changed (the 0.1.0 headers callbacks take no end_of_stream).
#define EXT_PROXY_WASM_ABI_MARKERS(X)                                                             \
  X(proxy_abi_version_0_1_0, "()->()", k_all)                                                     \
  X(proxy_abi_version_0_2_0, "()->()", k_all)                                                     \
  X(proxy_abi_version_0_2_1, "()->()", k_all)

// WASI / C start functions and allocators (looked up, not proxy-wasm callbacks).
#define EXT_PROXY_WASM_CONVENTION_EXPORTS(X)                                                      \
  X(_initialize, "()->()", k_all)                                                                 \
  X(_start, "()->()", k_all)                                                                      \
  X(main, "(i32,i32)->i32", k_all)                                                                \
  X(__main_void, "()->i32", k_all)                                                                \
  X(malloc, "(i32)->i32", k_all)

#define EXT_PROXY_WASM_CALLBACKS(X)                                                               \
  X(proxy_on_memory_allocate, "(i32)->i32", k_all)                                                \
  X(proxy_on_context_create, "(i32,i32)->()", k_all)                                              \
  X(proxy_on_vm_start, "(i32,i32)->i32", k_all)                                                   \
  X(proxy_validate_configuration, "(i32,i32)->i32", k_all)                                        \
  X(proxy_on_configure, "(i32,i32)->i32", k_all)                                                  \
  X(proxy_on_tick, "(i32)->()", k_all)                                                            \
  X(proxy_on_new_connection, "(i32)->i32", k_all)                                                 \
  X(proxy_on_downstream_data, "(i32,i32,i32)->i32", k_all)                                        \
  X(proxy_on_upstream_data, "(i32,i32,i32)->i32", k_all)                                          \
  X(proxy_on_downstream_connection_close, "(i32,i32)->()", k_all)                                 \
  X(proxy_on_upstream_connection_close, "(i32,i32)->()", k_all)                                   \
  X(proxy_on_request_headers, "(i32,i32)->i32", k_v010)                                           \
  X(proxy_on_request_headers, "(i32,i32,i32)->i32", k_v02x)                                       \
  X(proxy_on_request_body, "(i32,i32,i32)->i32", k_all)                                           \
  X(proxy_on_request_trailers, "(i32,i32)->i32", k_all)                                           \
  X(proxy_on_request_metadata, "(i32,i32)->i32", k_all)                                           \
  X(proxy_on_response_headers, "(i32,i32)->i32", k_v010)                                          \
  X(proxy_on_response_headers, "(i32,i32,i32)->i32", k_v02x)                                      \
  X(proxy_on_response_body, "(i32,i32,i32)->i32", k_all)                                          \
  X(proxy_on_response_trailers, "(i32,i32)->i32", k_all)                                          \
  X(proxy_on_response_metadata, "(i32,i32)->i32", k_all)                                          \
  X(proxy_on_http_call_response, "(i32,i32,i32,i32,i32)->()", k_all)                              \
  X(proxy_on_grpc_receive_initial_metadata, "(i32,i32,i32)->()", k_all)                           \
  X(proxy_on_grpc_receive, "(i32,i32,i32)->()", k_all)                                            \
  X(proxy_on_grpc_receive_trailing_metadata, "(i32,i32,i32)->()", k_all)                          \
  X(proxy_on_grpc_close, "(i32,i32,i32)->()", k_all)                                              \
  X(proxy_on_queue_ready, "(i32,i32)->()", k_all)                                                 \
  X(proxy_on_foreign_function, "(i32,i32,i32)->()", k_v02x)                                       \
  X(proxy_on_done, "(i32)->i32", k_all)                                                           \
  X(proxy_on_log, "(i32)->()", k_all)                                                             \
  X(proxy_on_delete, "(i32)->()", k_all)
// clang-format on
