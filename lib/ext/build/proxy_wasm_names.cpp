#include "ext/build/proxy_wasm_names.hpp"

namespace ext::build {

const std::vector<std::string_view>& proxy_wasm_exports() {
  static const std::vector<std::string_view> names = {
      // specs.md §4.1 markers, §4.2 allocator, §4.3 callbacks
      "proxy_abi_version_0_1_0", "proxy_abi_version_0_2_0", "proxy_abi_version_0_2_1",
      "proxy_on_memory_allocate", "proxy_on_context_create", "proxy_on_vm_start",
      "proxy_validate_configuration", "proxy_on_configure", "proxy_on_tick",
      "proxy_on_new_connection", "proxy_on_downstream_data", "proxy_on_upstream_data",
      "proxy_on_downstream_connection_close", "proxy_on_upstream_connection_close",
      "proxy_on_request_headers", "proxy_on_request_body", "proxy_on_request_trailers",
      "proxy_on_request_metadata", "proxy_on_response_headers", "proxy_on_response_body",
      "proxy_on_response_trailers", "proxy_on_response_metadata", "proxy_on_http_call_response",
      "proxy_on_grpc_receive_initial_metadata", "proxy_on_grpc_receive",
      "proxy_on_grpc_receive_trailing_metadata", "proxy_on_grpc_close", "proxy_on_queue_ready",
      "proxy_on_foreign_function", "proxy_on_done", "proxy_on_log", "proxy_on_delete",
      // the official C++ SDK's misspelling, exported so validation can point at it
      "proxy_on_grpc_trailing_metadata"};
  return names;
}

const std::vector<std::string_view>& proxy_wasm_host_functions() {
  static const std::vector<std::string_view> names = {// specs.md §4.4
                                                      "proxy_log",
                                                      "proxy_get_log_level",
                                                      "proxy_get_current_time_nanoseconds",
                                                      "proxy_set_tick_period_milliseconds",
                                                      "proxy_get_configuration",
                                                      "proxy_get_buffer_bytes",
                                                      "proxy_set_buffer_bytes",
                                                      "proxy_get_buffer_status",
                                                      "proxy_get_header_map_size",
                                                      "proxy_get_header_map_pairs",
                                                      "proxy_set_header_map_pairs",
                                                      "proxy_get_header_map_value",
                                                      "proxy_add_header_map_value",
                                                      "proxy_replace_header_map_value",
                                                      "proxy_remove_header_map_value",
                                                      "proxy_continue_stream",
                                                      "proxy_close_stream",
                                                      "proxy_continue_request",
                                                      "proxy_continue_response",
                                                      "proxy_clear_route_cache",
                                                      "proxy_get_status",
                                                      "proxy_send_local_response",
                                                      "proxy_http_call",
                                                      "proxy_grpc_call",
                                                      "proxy_grpc_stream",
                                                      "proxy_grpc_send",
                                                      "proxy_grpc_cancel",
                                                      "proxy_grpc_close",
                                                      "proxy_set_shared_data",
                                                      "proxy_get_shared_data",
                                                      "proxy_register_shared_queue",
                                                      "proxy_resolve_shared_queue",
                                                      "proxy_enqueue_shared_queue",
                                                      "proxy_dequeue_shared_queue",
                                                      "proxy_define_metric",
                                                      "proxy_increment_metric",
                                                      "proxy_record_metric",
                                                      "proxy_get_metric",
                                                      "proxy_get_property",
                                                      "proxy_set_property",
                                                      "proxy_set_effective_context",
                                                      "proxy_done",
                                                      "proxy_call_foreign_function"};
  return names;
}

}  // namespace ext::build
