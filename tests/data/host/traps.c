/* A filter that misbehaves on request (header `x-trap`): traps, endless loop, deep recursion,
 * runaway memory growth, hostcalls with bad pointers. Test data for tests/unit/host. */
#include "proxy_wasm_abi.h"

static volatile int sink;
static int recurse(int n) { return n == 0 ? 0 : recurse(n + 1) + 1 + sink; }

PW_EXPORT(proxy_on_context_create) void on_context_create(uint32_t id, uint32_t parent) {}

PW_EXPORT(proxy_on_request_headers) int on_request_headers(uint32_t id, uint32_t n, uint32_t eos) {
  char mode[32] = "";
  get_header(REQ_HEADERS, "x-trap", mode, sizeof mode);
  if (strcmp(mode, "unreachable") == 0) __builtin_trap();
  if (strcmp(mode, "oob") == 0) *(volatile int*)(uintptr_t)0xFFFFFFF0u = 1;
  if (strcmp(mode, "loop") == 0)
    for (;;) sink++;
  if (strcmp(mode, "recurse") == 0) sink = recurse(1);
  if (strcmp(mode, "grow") == 0) {
    while (__builtin_wasm_memory_grow(0, 256) != (size_t)-1) {
    }
    char buf[16];
    size_t pages = __builtin_wasm_memory_size(0);
    int i = 0;
    do { buf[i++] = (char)('0' + pages % 10); pages /= 10; } while (pages);
    buf[i] = 0;
    for (int a = 0, b = i - 1; a < b; ++a, --b) { char t = buf[a]; buf[a] = buf[b]; buf[b] = t; }
    proxy_add_header_map_value(REQ_HEADERS, S("x-pages"), buf, strlen(buf));
    __builtin_trap(); /* as an allocator does when memory runs out */
  }
  if (strcmp(mode, "badptr") == 0) {
    char code[4] = "0";
    code[0] = (char)('0' + proxy_log(2, (const char*)(uintptr_t)0xFFFFFF00u, 4096));
    proxy_add_header_map_value(REQ_HEADERS, S("x-log-status"), code, 1);
    char* v;
    code[0] = (char)('0' + proxy_get_header_map_value(REQ_HEADERS, S(":path"), (char**)(uintptr_t)0xFFFFFFFCu, (size_t*)&v));
    proxy_add_header_map_value(REQ_HEADERS, S("x-get-status"), code, 1);
  }
  return 0;
}
