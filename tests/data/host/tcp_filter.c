/* A network filter on the raw ABI: upper-cases downstream data, counts bytes, closes the
 * connection on "QUIT". Test data for tests/unit/host. */
#include "proxy_wasm_abi.h"

static uint32_t g_bytes;

PW_EXPORT(proxy_on_context_create) void on_context_create(uint32_t id, uint32_t parent) {}
PW_EXPORT(proxy_on_configure) int on_configure(uint32_t id, size_t size) {
  proxy_define_metric(0, S("tcp_bytes"), &g_bytes);
  return 1;
}
PW_EXPORT(proxy_on_new_connection) int on_new_connection(uint32_t id) {
  log_str(2, "new connection");
  return 0;
}
PW_EXPORT(proxy_on_downstream_data) int on_downstream_data(uint32_t id, size_t size, uint32_t eos) {
  char* b = 0;
  size_t n = 0;
  proxy_get_buffer_bytes(DOWN_DATA, 0, size, &b, &n);
  proxy_increment_metric(g_bytes, (int64_t)n);
  for (size_t i = 0; i < n; ++i)
    if (b[i] >= 'a' && b[i] <= 'z') b[i] = (char)(b[i] - 32);
  proxy_set_buffer_bytes(DOWN_DATA, 0, size, b, n);
  int quit = n >= 4 && memcmp(b, "QUIT", 4) == 0;
  free(b);
  if (quit) proxy_close_stream(2);
  return 0;
}
PW_EXPORT(proxy_on_upstream_data) int on_upstream_data(uint32_t id, size_t size, uint32_t eos) {
  return 0;
}
PW_EXPORT(proxy_on_downstream_connection_close) void on_down_close(uint32_t id, uint32_t peer) {
  log_str(2, peer == 2 ? "downstream closed (remote)" : "downstream closed (local)");
}
PW_EXPORT(proxy_on_upstream_connection_close) void on_up_close(uint32_t id, uint32_t peer) {}
