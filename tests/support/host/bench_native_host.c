/* The native floor for scripts/bench-host: tests/data/host/add_header.c compiled for the build
 * machine and driven through the same request/response cycle with a minimal in-process host
 * (header maps as arrays of copied strings, as the interpreter's host keeps them). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "add_header.c"

typedef struct {
  char* k;
  char* v;
} Pair;
static Pair g_maps[4][32];
static int g_sizes[4];
static const char* g_config = "{\"header\":\"x-ext\",\"value\":\"hello\"}";

static void map_add(int map, const char* k, size_t ks, const char* v, size_t vs) {
  Pair* p = &g_maps[map][g_sizes[map]++];
  p->k = strndup(k, ks);
  p->v = strndup(v, vs);
}
static void map_clear(int map) {
  for (int i = 0; i < g_sizes[map]; ++i) {
    free(g_maps[map][i].k);
    free(g_maps[map][i].v);
  }
  g_sizes[map] = 0;
}

int proxy_log(int level, const char* msg, size_t size) {
  (void)level, (void)msg, (void)size;
  return 0;
}
int proxy_get_buffer_bytes(int type, int start, int max, char** data, size_t* size) {
  size_t n = strlen(g_config);
  (void)type, (void)start, (void)max;
  *data = malloc(n);
  memcpy(*data, g_config, n);
  *size = n;
  return 0;
}
int proxy_add_header_map_value(int type, const char* key, size_t ks, const char* value, size_t vs) {
  map_add(type, key, ks, value, vs);
  return 0;
}

int main(int argc, char** argv) {
  long n = argc > 1 ? atol(argv[1]) : 1000000;
  on_context_create(1, 0);
  on_configure(1, strlen(g_config));
  struct timespec t0, t1;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  for (long i = 0; i < n; ++i) {
    uint32_t id = (uint32_t)(i + 2);
    on_context_create(id, 1);
    map_add(0, ":method", 7, "GET", 3);
    map_add(0, ":path", 5, "/", 1);
    map_add(0, ":authority", 10, "example.com", 11);
    map_add(2, ":status", 7, "200", 3);
    on_response_headers(id, (uint32_t)g_sizes[2], 1);
    if (g_sizes[2] != 2) return 1;
    map_clear(0);
    map_clear(2);
  }
  clock_gettime(CLOCK_MONOTONIC, &t1);
  double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
  printf("%ld %.6f\n", n, s);
  return 0;
}
