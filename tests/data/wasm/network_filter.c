/* A small network (L4) filter against the raw proxy-wasm ABI 0.2.0 (proxy-wasm/spec
 * abi-versions/v0.2.0/README.md @3a844b8): counts downstream bytes in a metric. Its allocator is
 * libc's malloc, exported by the linker (-Wl,--export=malloc), as the C++ SDK's Emscripten
 * builds do. */
#include <stdint.h>
#include <stdlib.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

IMPORT(proxy_define_metric)
int32_t proxy_define_metric(int32_t type, const char* name, int32_t size, uint32_t* id);
IMPORT(proxy_increment_metric) int32_t proxy_increment_metric(uint32_t id, int64_t delta);
IMPORT(proxy_continue_stream) int32_t proxy_continue_stream(int32_t stream_type);

static uint32_t g_bytes_metric;

EXPORT(proxy_abi_version_0_2_0) void proxy_abi_version_0_2_0(void) {}

EXPORT(proxy_on_vm_start) int32_t proxy_on_vm_start(int32_t ctx, int32_t size) {
  (void)ctx;
  (void)size;
  static const char k_name[] = "ext_downstream_bytes";
  return proxy_define_metric(0, k_name, sizeof k_name - 1, &g_bytes_metric) == 0;
}

EXPORT(proxy_on_context_create) void proxy_on_context_create(int32_t ctx, int32_t parent) {
  (void)ctx;
  (void)parent;
}

EXPORT(proxy_on_new_connection) int32_t proxy_on_new_connection(int32_t ctx) {
  (void)ctx;
  return 0;
}

EXPORT(proxy_on_downstream_data)
int32_t proxy_on_downstream_data(int32_t ctx, int32_t size, int32_t end_of_stream) {
  (void)ctx;
  (void)end_of_stream;
  proxy_increment_metric(g_bytes_metric, size);
  return 0;
}

EXPORT(proxy_on_upstream_data)
int32_t proxy_on_upstream_data(int32_t ctx, int32_t size, int32_t end_of_stream) {
  (void)ctx;
  (void)size;
  (void)end_of_stream;
  if (end_of_stream) proxy_continue_stream(3);
  return 0;
}

/* Keeps libc's malloc and free linked in for the host's allocations. */
EXPORT(proxy_on_delete) void proxy_on_delete(int32_t ctx) { free(malloc((size_t)ctx)); }
