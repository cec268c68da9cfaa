/* A small HTTP filter written against the raw proxy-wasm ABI 0.2.1 (proxy-wasm/spec
 * abi-versions/v0.2.1/README.md @3a844b8), built by the wasm tests with clang-14 for wasm32-wasi
 * as a reactor. It adds a response header and logs the request path. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
#define EXPORT(name) __attribute__((export_name(#name)))

IMPORT(proxy_log) int32_t proxy_log(int32_t level, const char* msg, int32_t size);
IMPORT(proxy_get_header_map_value)
int32_t proxy_get_header_map_value(int32_t map, const char* key, int32_t key_size,
                                   char** value, int32_t* value_size);
IMPORT(proxy_add_header_map_value)
int32_t proxy_add_header_map_value(int32_t map, const char* key, int32_t key_size,
                                   const char* value, int32_t value_size);
IMPORT(proxy_get_log_level) int32_t proxy_get_log_level(int32_t* level);

enum { k_request_headers = 0, k_response_headers = 2, k_info = 2 };

EXPORT(proxy_abi_version_0_2_1) void proxy_abi_version_0_2_1(void) {}

EXPORT(proxy_on_memory_allocate) void* proxy_on_memory_allocate(int32_t size) {
  return malloc((size_t)size);
}

EXPORT(proxy_on_context_create) void proxy_on_context_create(int32_t ctx, int32_t parent) {
  (void)ctx;
  (void)parent;
}

EXPORT(proxy_on_vm_start) int32_t proxy_on_vm_start(int32_t ctx, int32_t size) {
  (void)ctx;
  (void)size;
  int32_t level = 0;
  proxy_get_log_level(&level);
  return 1;
}

EXPORT(proxy_on_configure) int32_t proxy_on_configure(int32_t ctx, int32_t size) {
  (void)ctx;
  (void)size;
  return 1;
}

EXPORT(proxy_on_request_headers)
int32_t proxy_on_request_headers(int32_t ctx, int32_t headers, int32_t end_of_stream) {
  (void)ctx;
  (void)headers;
  (void)end_of_stream;
  char* path = NULL;
  int32_t size = 0;
  if (proxy_get_header_map_value(k_request_headers, ":path", 5, &path, &size) == 0) {
    proxy_log(k_info, path, size);
    free(path);
  }
  return 0;
}

EXPORT(proxy_on_response_headers)
int32_t proxy_on_response_headers(int32_t ctx, int32_t headers, int32_t end_of_stream) {
  (void)ctx;
  (void)headers;
  (void)end_of_stream;
  static const char k_key[] = "x-ext-filter";
  static const char k_value[] = "c";
  proxy_add_header_map_value(k_response_headers, k_key, (int32_t)strlen(k_key), k_value,
                             (int32_t)strlen(k_value));
  return 0;
}

EXPORT(proxy_on_done) int32_t proxy_on_done(int32_t ctx) {
  (void)ctx;
  return 1;
}

EXPORT(proxy_on_delete) void proxy_on_delete(int32_t ctx) { (void)ctx; }
