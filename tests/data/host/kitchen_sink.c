/* An HTTP filter on the raw ABI that exercises most hostcalls; the request header `x-mode`
 * picks the behaviour. Test data for tests/unit/host and tests/e2e/test_cmd_test.cpp. */
#include "proxy_wasm_abi.h"

static uint32_t g_root, g_requests, g_inflight, g_sizes, g_ticks, g_queue;
static char g_mode[64][32];
static uint32_t g_call_ctx[64];

static char* mode_of(uint32_t id) { return g_mode[id % 64]; }
static int is(uint32_t id, const char* m) { return strcmp(mode_of(id), m) == 0; }
static void add(int map, const char* k, const char* v) {
  proxy_add_header_map_value(map, k, strlen(k), v, strlen(v));
}
static void utoa(uint64_t v, char* out) {
  char tmp[24];
  int n = 0;
  do { tmp[n++] = (char)('0' + v % 10); v /= 10; } while (v);
  for (int i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
  out[n] = 0;
}

PW_EXPORT(proxy_on_context_create) void on_context_create(uint32_t id, uint32_t parent) {
  if (parent == 0) g_root = id;
  mode_of(id)[0] = 0;
}

PW_EXPORT(proxy_on_vm_start) int on_vm_start(uint32_t id, size_t size) {
  char* cfg = 0;
  size_t n = 0;
  if (size && proxy_get_buffer_bytes(VM_CONFIG, 0, size, &cfg, &n) == 0) {
    proxy_log(2, cfg, n);
    free(cfg);
  }
  log_str(2, "vm started");
  return 1;
}

PW_EXPORT(proxy_on_configure) int on_configure(uint32_t id, size_t size) {
  char* cfg = 0;
  size_t n = 0;
  if (size && proxy_get_buffer_bytes(PLUGIN_CONFIG, 0, size, &cfg, &n) == 0) {
    char v[32];
    if (json_string(cfg, n, "fail", v, sizeof v)) return 0;
    free(cfg);
  }
  proxy_define_metric(0, S("requests_total"), &g_requests);
  proxy_define_metric(1, S("inflight"), &g_inflight);
  proxy_define_metric(2, S("response_sizes"), &g_sizes);
  proxy_define_metric(0, S("ticks"), &g_ticks);
  proxy_register_shared_queue(S("events"), &g_queue);
  proxy_set_tick_period_milliseconds(1000);
  return 1;
}

PW_EXPORT(proxy_on_tick) void on_tick(uint32_t id) {
  proxy_increment_metric(g_ticks, 1);
  log_str(2, "tick");
}

PW_EXPORT(proxy_on_queue_ready) void on_queue_ready(uint32_t id, uint32_t queue) {
  char* v = 0;
  size_t n = 0;
  while (proxy_dequeue_shared_queue(queue, &v, &n) == 0) {
    char line[128] = "queue: ";
    if (n > 100) n = 100;
    memcpy(line + 7, v, n);
    line[7 + n] = 0;
    log_str(2, line);
    free(v);
  }
}

PW_EXPORT(proxy_on_request_headers) int on_request_headers(uint32_t id, uint32_t n, uint32_t eos) {
  proxy_increment_metric(g_requests, 1);
  proxy_increment_metric(g_inflight, 1);
  get_header(REQ_HEADERS, "x-mode", mode_of(id), 32);
  add(REQ_HEADERS, "x-seen", "1");
  if (is(id, "deny")) {
    log_str(3, "denied: no token");
    proxy_send_local_response(403, S("denied_by_filter"), S("denied"),
                              "\1\0\0\0\6\0\0\0\3\0\0\0x-deny\0yes\0", 4 + 8 + 11, -1);
    return 1;
  }
  if (is(id, "call")) {
    static const char hdrs[] =
        "\3\0\0\0"
        "\7\0\0\0\3\0\0\0"
        "\5\0\0\0\6\0\0\0"
        "\12\0\0\0\4\0\0\0"
        ":method\0GET\0:path\0/check\0:authority\0auth\0";
    uint32_t token = 0;
    int r = proxy_http_call(S("auth_cluster"), hdrs, sizeof hdrs - 1, "", 0, "", 0, 500, &token);
    if (r != 0) {
      log_str(4, "http call failed to start");
      return 0;
    }
    g_call_ctx[token % 64] = id;
    return 1;
  }
  if (is(id, "shared")) {
    char* v = 0;
    size_t vn = 0;
    uint32_t cas = 0;
    uint64_t hits = 0;
    if (proxy_get_shared_data(S("hits"), &v, &vn, &cas) == 0) {
      for (size_t i = 0; i < vn; ++i) hits = hits * 10 + (uint64_t)(v[i] - '0');
      free(v);
    }
    char buf[24];
    utoa(hits + 1, buf);
    int r = proxy_set_shared_data(S("hits"), buf, strlen(buf), cas);
    add(REQ_HEADERS, "x-hits", buf);
    /* A stale CAS must be refused. */
    char code[8];
    uint32_t stale = cas ? cas : 999;
    utoa((uint64_t)proxy_set_shared_data(S("hits"), "0", 1, stale), code);
    add(REQ_HEADERS, "x-stale-cas", code);
    (void)r;
  }
  if (is(id, "queue")) {
    uint32_t q = 0;
    proxy_resolve_shared_queue(S(""), S("events"), &q);
    char code[8];
    utoa((uint64_t)proxy_resolve_shared_queue(S(""), S("nope"), &q), code);
    add(REQ_HEADERS, "x-resolve-missing", code);
    proxy_resolve_shared_queue(S(""), S("events"), &q);
    proxy_enqueue_shared_queue(q, S("hello"));
  }
  if (is(id, "prop")) {
    char* v = 0;
    size_t vn = 0;
    char buf[128];
    if (proxy_get_property(S("node\0id"), &v, &vn) == 0) {
      memcpy(buf, v, vn < 127 ? vn : 127);
      buf[vn < 127 ? vn : 127] = 0;
      add(REQ_HEADERS, "x-node", buf);
      free(v);
    }
    if (proxy_get_property(S("request\0path"), &v, &vn) == 0) {
      memcpy(buf, v, vn < 127 ? vn : 127);
      buf[vn < 127 ? vn : 127] = 0;
      add(REQ_HEADERS, "x-path", buf);
      free(v);
    }
    if (proxy_get_property(S("upstream\0port"), &v, &vn) == 0 && vn == 8) {
      uint64_t port;
      memcpy(&port, v, 8);
      utoa(port, buf);
      add(REQ_HEADERS, "x-port", buf);
      free(v);
    }
    if (proxy_get_property(S("debug"), &v, &vn) == 0 && vn == 1) {
      add(REQ_HEADERS, "x-debug", v[0] ? "true" : "false");
      free(v);
    }
    char code[8];
    utoa((uint64_t)proxy_get_property(S("no\0such"), &v, &vn), code);
    add(REQ_HEADERS, "x-missing-property", code);
  }
  if (is(id, "replace")) {
    proxy_replace_header_map_value(REQ_HEADERS, S("x-mode"), S("replaced"));
    proxy_remove_header_map_value(REQ_HEADERS, S("x-remove-me"));
    char code[8], buf[8];
    utoa((uint64_t)get_header(REQ_HEADERS, "x-absent", buf, sizeof buf), code);
    add(REQ_HEADERS, "x-absent-status", code);
  }
  if (is(id, "pairs")) {
    char* p = 0;
    size_t pn = 0;
    proxy_get_header_map_pairs(REQ_HEADERS, &p, &pn);
    /* Append one pair by re-serializing: count + sizes + data. */
    uint32_t count;
    memcpy(&count, p, 4);
    size_t data_off = 4 + 8 * (size_t)count;
    size_t out_n = pn + 8 + 13;
    char* out = malloc(out_n);
    uint32_t c2 = count + 1, ks = 7, vs = 4;
    memcpy(out, &c2, 4);
    memcpy(out + 4, p + 4, 8 * (size_t)count);
    memcpy(out + 4 + 8 * (size_t)count, &ks, 4);
    memcpy(out + 8 + 8 * (size_t)count, &vs, 4);
    memcpy(out + 12 + 8 * (size_t)count, p + data_off, pn - data_off);
    memcpy(out + 12 + 8 * (size_t)count + pn - data_off, "x-pairs\0four\0", 13);
    proxy_set_header_map_pairs(REQ_HEADERS, out, out_n);
    free(out);
    free(p);
  }
  if (is(id, "time")) {
    uint64_t t = 0;
    proxy_get_current_time_nanoseconds(&t);
    char buf[24];
    utoa(t, buf);
    add(REQ_HEADERS, "x-time", buf);
    int level = -1;
    proxy_get_log_level(&level);
    utoa((uint64_t)level, buf);
    add(REQ_HEADERS, "x-log-level", buf);
  }
  if (is(id, "reset")) {
    proxy_close_stream(0);
    return 0;
  }
  return 0;
}

PW_EXPORT(proxy_on_request_body) int on_request_body(uint32_t id, size_t size, uint32_t eos) {
  if (is(id, "drop")) return eos ? 0 : 3; /* StopIterationNoBuffer: drop all but the last */
  if (!is(id, "buffer")) return 0;
  if (!eos) return 1; /* StopIterationAndBuffer until the whole body is here */
  char* b = 0;
  size_t n = 0;
  proxy_get_buffer_bytes(REQ_BODY, 0, size, &b, &n);
  for (size_t i = 0; i < n; ++i)
    if (b[i] >= 'a' && b[i] <= 'z') b[i] = (char)(b[i] - 32);
  proxy_set_buffer_bytes(REQ_BODY, 0, size, b, n);
  free(b);
  return 0;
}

PW_EXPORT(proxy_on_request_trailers) int on_request_trailers(uint32_t id, uint32_t n) {
  add(REQ_TRAILERS, "x-trailer-seen", "1");
  return 0;
}

PW_EXPORT(proxy_on_http_call_response)
void on_http_call_response(uint32_t id, uint32_t token, uint32_t nh, uint32_t bs, uint32_t nt) {
  uint32_t stream = g_call_ctx[token % 64];
  char status[8] = "";
  if (nh) get_header(CALL_HEADERS, ":status", status, sizeof status);
  char* body = 0;
  size_t bn = 0;
  if (bs) proxy_get_buffer_bytes(CALL_BODY, 0, bs, &body, &bn);
  proxy_set_effective_context(stream);
  if (strcmp(status, "200") == 0) {
    char v[64] = "";
    if (bn && bn < 63) memcpy(v, body, bn);
    add(REQ_HEADERS, "x-auth", v[0] ? v : "ok");
    proxy_continue_stream(0);
  } else {
    log_str(3, nh ? "auth refused" : "auth call failed");
    proxy_send_local_response(401, S("auth"), S("unauthorized"), 0, 0, -1);
  }
  free(body);
}

PW_EXPORT(proxy_on_response_headers) int on_response_headers(uint32_t id, uint32_t n, uint32_t eos) {
  add(RESP_HEADERS, "x-ext", "hello");
  proxy_increment_metric(g_inflight, -1);
  return 0;
}

PW_EXPORT(proxy_on_response_body) int on_response_body(uint32_t id, size_t size, uint32_t eos) {
  proxy_record_metric(g_sizes, size);
  return 0;
}

PW_EXPORT(proxy_on_done) int on_done(uint32_t id) { return 1; }

PW_EXPORT(proxy_on_log) void on_log(uint32_t id) {
  char path[64] = "";
  if (get_header(REQ_HEADERS, ":path", path, sizeof path) == 0) {
    char line[96] = "access: ";
    strcat(line, path);
    log_str(2, line);
  }
}

PW_EXPORT(proxy_on_delete) void on_delete(uint32_t id) {}
