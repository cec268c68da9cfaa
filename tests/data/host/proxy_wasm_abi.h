/* Raw proxy-wasm ABI 0.2.1 for the host's C test filters (proxy-wasm/spec
 * abi-versions/v0.2.1/README.md @3a844b8). Test data only. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define PW_IMPORT(n) __attribute__((import_module("env"), import_name(#n)))
#define PW_EXPORT(n) __attribute__((export_name(#n)))

PW_IMPORT(proxy_log) int proxy_log(int level, const char* msg, size_t size);
PW_IMPORT(proxy_get_log_level) int proxy_get_log_level(int* level);
PW_IMPORT(proxy_get_current_time_nanoseconds) int proxy_get_current_time_nanoseconds(uint64_t* t);
PW_IMPORT(proxy_set_tick_period_milliseconds) int proxy_set_tick_period_milliseconds(int ms);
PW_IMPORT(proxy_get_buffer_bytes)
int proxy_get_buffer_bytes(int type, int start, int max, char** data, size_t* size);
PW_IMPORT(proxy_set_buffer_bytes)
int proxy_set_buffer_bytes(int type, int start, int size, const char* data, size_t data_size);
PW_IMPORT(proxy_get_buffer_status) int proxy_get_buffer_status(int type, size_t* size, int* flags);
PW_IMPORT(proxy_get_header_map_pairs)
int proxy_get_header_map_pairs(int type, char** data, size_t* size);
PW_IMPORT(proxy_get_header_map_size) int proxy_get_header_map_size(int type, size_t* size);
PW_IMPORT(proxy_set_header_map_pairs)
int proxy_set_header_map_pairs(int type, const char* data, size_t size);
PW_IMPORT(proxy_get_header_map_value)
int proxy_get_header_map_value(int type, const char* key, size_t key_size, char** value,
                               size_t* value_size);
PW_IMPORT(proxy_add_header_map_value)
int proxy_add_header_map_value(int type, const char* key, size_t ks, const char* value, size_t vs);
PW_IMPORT(proxy_replace_header_map_value)
int proxy_replace_header_map_value(int type, const char* key, size_t ks, const char* value,
                                   size_t vs);
PW_IMPORT(proxy_remove_header_map_value)
int proxy_remove_header_map_value(int type, const char* key, size_t ks);
PW_IMPORT(proxy_continue_stream) int proxy_continue_stream(int stream);
PW_IMPORT(proxy_close_stream) int proxy_close_stream(int stream);
PW_IMPORT(proxy_send_local_response)
int proxy_send_local_response(int status, const char* details, size_t ds, const char* body,
                              size_t bs, const char* headers, size_t hs, int grpc_status);
PW_IMPORT(proxy_http_call)
int proxy_http_call(const char* up, size_t ups, const char* h, size_t hs, const char* b, size_t bs,
                    const char* t, size_t ts, int timeout, uint32_t* token);
PW_IMPORT(proxy_set_shared_data)
int proxy_set_shared_data(const char* k, size_t ks, const char* v, size_t vs, uint32_t cas);
PW_IMPORT(proxy_get_shared_data)
int proxy_get_shared_data(const char* k, size_t ks, char** v, size_t* vs, uint32_t* cas);
PW_IMPORT(proxy_register_shared_queue)
int proxy_register_shared_queue(const char* n, size_t ns, uint32_t* id);
PW_IMPORT(proxy_resolve_shared_queue)
int proxy_resolve_shared_queue(const char* vm, size_t vms, const char* n, size_t ns, uint32_t* id);
PW_IMPORT(proxy_enqueue_shared_queue)
int proxy_enqueue_shared_queue(uint32_t id, const char* v, size_t vs);
PW_IMPORT(proxy_dequeue_shared_queue)
int proxy_dequeue_shared_queue(uint32_t id, char** v, size_t* vs);
PW_IMPORT(proxy_define_metric)
int proxy_define_metric(int type, const char* n, size_t ns, uint32_t* id);
PW_IMPORT(proxy_increment_metric) int proxy_increment_metric(uint32_t id, int64_t delta);
PW_IMPORT(proxy_record_metric) int proxy_record_metric(uint32_t id, uint64_t value);
PW_IMPORT(proxy_get_metric) int proxy_get_metric(uint32_t id, uint64_t* value);
PW_IMPORT(proxy_get_property)
int proxy_get_property(const char* p, size_t ps, char** v, size_t* vs);
PW_IMPORT(proxy_set_property)
int proxy_set_property(const char* p, size_t ps, const char* v, size_t vs);
PW_IMPORT(proxy_set_effective_context) int proxy_set_effective_context(uint32_t id);
PW_IMPORT(proxy_done) int proxy_done(void);

enum { REQ_HEADERS = 0, REQ_TRAILERS = 1, RESP_HEADERS = 2, RESP_TRAILERS = 3, CALL_HEADERS = 6 };
enum {
  REQ_BODY = 0,
  RESP_BODY = 1,
  DOWN_DATA = 2,
  UP_DATA = 3,
  CALL_BODY = 4,
  VM_CONFIG = 6,
  PLUGIN_CONFIG = 7
};

#define S(lit) lit, (sizeof(lit) - 1)

PW_EXPORT(proxy_abi_version_0_2_1) void proxy_abi_version_0_2_1(void) {}
PW_EXPORT(proxy_on_memory_allocate) void* proxy_on_memory_allocate(size_t n) {
  return malloc(n);
}

static void log_str(int level, const char* s) {
  proxy_log(level, s, strlen(s));
}

/* Copies a header value into buf (NUL-terminated); returns the status. */
static int get_header(int map, const char* key, char* buf, size_t cap) {
  char* v = 0;
  size_t n = 0;
  int r = proxy_get_header_map_value(map, key, strlen(key), &v, &n);
  if (r != 0) return r;
  if (n >= cap) n = cap - 1;
  memcpy(buf, v, n);
  buf[n] = 0;
  free(v);
  return 0;
}

/* Finds "key":"value" in a flat JSON object; copies value into out. */
static int json_string(const char* json, size_t len, const char* key, char* out, size_t cap) {
  char pat[64];
  size_t kl = strlen(key);
  if (kl + 3 > sizeof pat) return 0;
  pat[0] = '"';
  memcpy(pat + 1, key, kl);
  pat[kl + 1] = '"';
  pat[kl + 2] = 0;
  for (size_t i = 0; i + kl + 2 <= len; ++i) {
    if (memcmp(json + i, pat, kl + 2) != 0) continue;
    size_t j = i + kl + 2;
    while (j < len && (json[j] == ' ' || json[j] == ':')) ++j;
    if (j >= len || json[j] != '"') return 0;
    ++j;
    size_t o = 0;
    while (j < len && json[j] != '"' && o + 1 < cap) out[o++] = json[j++];
    out[o] = 0;
    return 1;
  }
  return 0;
}
