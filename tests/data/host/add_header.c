/* The add-header filter on the raw ABI: adds the configured header to responses. Mirrors the
 * C++ template's logic; used by the host's unit tests and by scripts/bench-host. */
#include "proxy_wasm_abi.h"

static char g_header[128] = "x-ext";
static char g_value[256] = "hello";
static size_t g_hl = 5, g_vl = 5;

PW_EXPORT(proxy_on_context_create) void on_context_create(uint32_t id, uint32_t parent) {}

PW_EXPORT(proxy_on_configure) int on_configure(uint32_t id, size_t size) {
  char* cfg = 0;
  size_t n = 0;
  if (size == 0) return 1;
  if (proxy_get_buffer_bytes(PLUGIN_CONFIG, 0, size, &cfg, &n) != 0) return 0;
  json_string(cfg, n, "header", g_header, sizeof g_header);
  json_string(cfg, n, "value", g_value, sizeof g_value);
  g_hl = strlen(g_header);
  g_vl = strlen(g_value);
  free(cfg);
  return 1;
}

PW_EXPORT(proxy_on_response_headers) int on_response_headers(uint32_t id, uint32_t n, uint32_t eos) {
  proxy_add_header_map_value(RESP_HEADERS, g_header, g_hl, g_value, g_vl);
  return 0;
}
