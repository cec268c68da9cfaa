// proxy_wasm_abi.h -- the proxy-wasm ABI v0.2.1 as C declarations: the host functions a module
// imports from "env" (every one returns a proxy_status_t), and the status/enum values.
//
// Written for `ext` from the ABI specification (proxy-wasm/spec, abi-versions/v0.2.1) and the
// host's registration table (proxy-wasm-cpp-host, include/proxy-wasm/exports.h). Pointers and
// sizes are 32-bit on wasm32; `**` results are buffers the host allocates through the module's
// proxy_on_memory_allocate/malloc export, which the module owns and must free().
#pragma once

#include <stddef.h>
#include <stdint.h>

#define PROXY_WASM_IMPORT(name) __attribute__((import_module("env"), import_name(#name)))

extern "C" {

// Logging
PROXY_WASM_IMPORT(proxy_log)
uint32_t proxy_log(uint32_t level, const char* message, size_t message_size);
PROXY_WASM_IMPORT(proxy_get_log_level) uint32_t proxy_get_log_level(uint32_t* level);

// Clock and timers
PROXY_WASM_IMPORT(proxy_get_current_time_nanoseconds)
uint32_t proxy_get_current_time_nanoseconds(uint64_t* nanoseconds);
PROXY_WASM_IMPORT(proxy_set_tick_period_milliseconds)
uint32_t proxy_set_tick_period_milliseconds(uint32_t period_milliseconds);

// Buffers: bodies, TCP data, configuration, http call responses
PROXY_WASM_IMPORT(proxy_get_buffer_bytes)
uint32_t proxy_get_buffer_bytes(uint32_t buffer_type, uint32_t start, uint32_t max_size,
                                const char** data, size_t* size);
PROXY_WASM_IMPORT(proxy_set_buffer_bytes)
uint32_t proxy_set_buffer_bytes(uint32_t buffer_type, uint32_t start, uint32_t size,
                                const char* data, size_t data_size);
PROXY_WASM_IMPORT(proxy_get_buffer_status)
uint32_t proxy_get_buffer_status(uint32_t buffer_type, size_t* size, uint32_t* flags);

// Header maps (headers, trailers, http call response headers)
PROXY_WASM_IMPORT(proxy_get_header_map_size)
uint32_t proxy_get_header_map_size(uint32_t map_type, size_t* size);
PROXY_WASM_IMPORT(proxy_get_header_map_pairs)
uint32_t proxy_get_header_map_pairs(uint32_t map_type, const char** data, size_t* size);
PROXY_WASM_IMPORT(proxy_set_header_map_pairs)
uint32_t proxy_set_header_map_pairs(uint32_t map_type, const char* data, size_t size);
PROXY_WASM_IMPORT(proxy_get_header_map_value)
uint32_t proxy_get_header_map_value(uint32_t map_type, const char* key, size_t key_size,
                                    const char** value, size_t* value_size);
PROXY_WASM_IMPORT(proxy_add_header_map_value)
uint32_t proxy_add_header_map_value(uint32_t map_type, const char* key, size_t key_size,
                                    const char* value, size_t value_size);
PROXY_WASM_IMPORT(proxy_replace_header_map_value)
uint32_t proxy_replace_header_map_value(uint32_t map_type, const char* key, size_t key_size,
                                        const char* value, size_t value_size);
PROXY_WASM_IMPORT(proxy_remove_header_map_value)
uint32_t proxy_remove_header_map_value(uint32_t map_type, const char* key, size_t key_size);

// Stream control (0.2.x)
PROXY_WASM_IMPORT(proxy_continue_stream) uint32_t proxy_continue_stream(uint32_t stream_type);
PROXY_WASM_IMPORT(proxy_close_stream) uint32_t proxy_close_stream(uint32_t stream_type);
PROXY_WASM_IMPORT(proxy_send_local_response)
uint32_t proxy_send_local_response(uint32_t status_code, const char* details, size_t details_size,
                                   const char* body, size_t body_size, const char* headers,
                                   size_t headers_size, int32_t grpc_status);
PROXY_WASM_IMPORT(proxy_get_status)
uint32_t proxy_get_status(uint32_t* status_code, const char** message, size_t* message_size);

// HTTP calls
PROXY_WASM_IMPORT(proxy_http_call)
uint32_t proxy_http_call(const char* upstream, size_t upstream_size, const char* headers,
                         size_t headers_size, const char* body, size_t body_size,
                         const char* trailers, size_t trailers_size, uint32_t timeout_ms,
                         uint32_t* call_id);

// Shared data and queues
PROXY_WASM_IMPORT(proxy_set_shared_data)
uint32_t proxy_set_shared_data(const char* key, size_t key_size, const char* value,
                               size_t value_size, uint32_t cas);
PROXY_WASM_IMPORT(proxy_get_shared_data)
uint32_t proxy_get_shared_data(const char* key, size_t key_size, const char** value,
                               size_t* value_size, uint32_t* cas);
PROXY_WASM_IMPORT(proxy_register_shared_queue)
uint32_t proxy_register_shared_queue(const char* name, size_t name_size, uint32_t* queue_id);
PROXY_WASM_IMPORT(proxy_resolve_shared_queue)
uint32_t proxy_resolve_shared_queue(const char* vm_id, size_t vm_id_size, const char* name,
                                    size_t name_size, uint32_t* queue_id);
PROXY_WASM_IMPORT(proxy_enqueue_shared_queue)
uint32_t proxy_enqueue_shared_queue(uint32_t queue_id, const char* value, size_t value_size);
PROXY_WASM_IMPORT(proxy_dequeue_shared_queue)
uint32_t proxy_dequeue_shared_queue(uint32_t queue_id, const char** value, size_t* value_size);

// Metrics
PROXY_WASM_IMPORT(proxy_define_metric)
uint32_t proxy_define_metric(uint32_t metric_type, const char* name, size_t name_size,
                             uint32_t* metric_id);
PROXY_WASM_IMPORT(proxy_increment_metric)
uint32_t proxy_increment_metric(uint32_t metric_id, int64_t offset);
PROXY_WASM_IMPORT(proxy_record_metric)
uint32_t proxy_record_metric(uint32_t metric_id, uint64_t value);
PROXY_WASM_IMPORT(proxy_get_metric) uint32_t proxy_get_metric(uint32_t metric_id, uint64_t* value);

// Properties
PROXY_WASM_IMPORT(proxy_get_property)
uint32_t proxy_get_property(const char* path, size_t path_size, const char** value,
                            size_t* value_size);
PROXY_WASM_IMPORT(proxy_set_property)
uint32_t proxy_set_property(const char* path, size_t path_size, const char* value,
                            size_t value_size);

// Contexts and foreign functions
PROXY_WASM_IMPORT(proxy_set_effective_context)
uint32_t proxy_set_effective_context(uint32_t context_id);
PROXY_WASM_IMPORT(proxy_done) uint32_t proxy_done();
PROXY_WASM_IMPORT(proxy_call_foreign_function)
uint32_t proxy_call_foreign_function(const char* name, size_t name_size, const char* arguments,
                                     size_t arguments_size, const char** results,
                                     size_t* results_size);

}  // extern "C"

#undef PROXY_WASM_IMPORT

// proxy_status_t (spec "Types"); the extra codes 5, 9, 11 are the host's.
enum class WasmResult : uint32_t {
  Ok = 0,
  NotFound = 1,
  BadArgument = 2,
  SerializationFailure = 3,
  ParseFailure = 4,
  BadExpression = 5,
  InvalidMemoryAccess = 6,
  Empty = 7,
  CasMismatch = 8,
  ResultMismatch = 9,
  InternalFailure = 10,
  BrokenConnection = 11,
  Unimplemented = 12,
};

inline const char* toString(WasmResult r) {
  switch (r) {
    case WasmResult::Ok:
      return "Ok";
    case WasmResult::NotFound:
      return "NotFound";
    case WasmResult::BadArgument:
      return "BadArgument";
    case WasmResult::SerializationFailure:
      return "SerializationFailure";
    case WasmResult::ParseFailure:
      return "ParseFailure";
    case WasmResult::BadExpression:
      return "BadExpression";
    case WasmResult::InvalidMemoryAccess:
      return "InvalidMemoryAccess";
    case WasmResult::Empty:
      return "Empty";
    case WasmResult::CasMismatch:
      return "CasMismatch";
    case WasmResult::ResultMismatch:
      return "ResultMismatch";
    case WasmResult::InternalFailure:
      return "InternalFailure";
    case WasmResult::BrokenConnection:
      return "BrokenConnection";
    case WasmResult::Unimplemented:
      return "Unimplemented";
  }
  return "Unknown";
}

enum class LogLevel : uint32_t {
  trace = 0,
  debug = 1,
  info = 2,
  warn = 3,
  error = 4,
  critical = 5
};

// Results of the TCP and HTTP callbacks (the host accepts these richer values).
enum class FilterStatus : uint32_t { Continue = 0, StopIteration = 1 };
enum class FilterHeadersStatus : uint32_t {
  Continue = 0,
  StopIteration = 1,
  ContinueAndEndStream = 2,
  StopAllIterationAndBuffer = 3,
  StopAllIterationAndWatermark = 4,
};
enum class FilterDataStatus : uint32_t {
  Continue = 0,
  StopIterationAndBuffer = 1,
  StopIterationAndWatermark = 2,
  StopIterationNoBuffer = 3,
};
enum class FilterTrailersStatus : uint32_t { Continue = 0, StopIteration = 1 };

enum class WasmBufferType : uint32_t {
  HttpRequestBody = 0,
  HttpResponseBody = 1,
  NetworkDownstreamData = 2,
  NetworkUpstreamData = 3,
  HttpCallResponseBody = 4,
  GrpcReceiveBuffer = 5,
  VmConfiguration = 6,
  PluginConfiguration = 7,
  CallData = 8,
};

enum class WasmHeaderMapType : uint32_t {
  RequestHeaders = 0,
  RequestTrailers = 1,
  ResponseHeaders = 2,
  ResponseTrailers = 3,
  GrpcReceiveInitialMetadata = 4,
  GrpcReceiveTrailingMetadata = 5,
  HttpCallResponseHeaders = 6,
  HttpCallResponseTrailers = 7,
};

enum class WasmStreamType : uint32_t { Request = 0, Response = 1, Downstream = 2, Upstream = 3 };

enum class CloseType : uint32_t { Unknown = 0, Local = 1, Remote = 2 };

enum class MetricType : uint32_t { Counter = 0, Gauge = 1, Histogram = 2 };

enum class GrpcStatus : int32_t {
  Ok = 0,
  Canceled = 1,
  Unknown = 2,
  InvalidArgument = 3,
  DeadlineExceeded = 4,
  NotFound = 5,
  AlreadyExists = 6,
  PermissionDenied = 7,
  ResourceExhausted = 8,
  FailedPrecondition = 9,
  Aborted = 10,
  OutOfRange = 11,
  Unimplemented = 12,
  Internal = 13,
  Unavailable = 14,
  DataLoss = 15,
  Unauthenticated = 16,
  InvalidCode = -1,
};
