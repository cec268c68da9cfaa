// The host functions of wasm/abi_list.hpp (env and WASI), with the result codes Envoy's
// proxy-wasm-cpp-host / Envoy context.cc return [HOST src/exports.cc].
#include "ext/host/hostcalls.hpp"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <functional>
#include <map>
#include <set>

#include "ext/digest/signature.hpp"
#include "ext/host/cel_time.hpp"
#include "ext/host/flatbuffers.hpp"
#include "ext/host/pairs.hpp"
#include "ext/host/proto_message.hpp"
#include "ext/host/proto_wire.hpp"
#include "ext/util/strings.hpp"
#include "ext/wasm/abi_list.hpp"
#include "ext/wasm/abi_tables.hpp"

namespace ext::host {

bool Guest::write_u32(uint32_t ptr, uint32_t v) {
  char b[4];
  for (int i = 0; i < 4; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return write(ptr, std::string_view(b, 4));
}

bool Guest::write_u64(uint32_t ptr, uint64_t v) {
  char b[8];
  for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return write(ptr, std::string_view(b, 8));
}

std::optional<std::string> Guest::read(uint32_t ptr, uint32_t size) {
  auto v = view(ptr, size);
  if (!v) return std::nullopt;
  if (meter) meter->charge(size, meter_what);
  return std::string(*v);
}

uint8_t abi_bit(AbiVersion v) {
  switch (v) {
    case AbiVersion::v0_1_0:
      return k_abi_010;
    case AbiVersion::v0_2_0:
      return k_abi_020;
    case AbiVersion::v0_2_1:
      return k_abi_021;
  }
  return 0;
}

namespace {

using A = const uint64_t*;
inline uint32_t u32(A a, int i) {
  return static_cast<uint32_t>(a[i]);
}
inline uint64_t st(Status s) {
  return static_cast<uint64_t>(s);
}
constexpr uint64_t k_ok = 0;
constexpr uint64_t k_mem = static_cast<uint64_t>(Status::invalid_memory_access);

// WASI errno (WASI snapshot preview1 `errno`).
constexpr uint64_t k_wasi_badf = 8, k_wasi_notdir = 20, k_wasi_fault = 21, k_wasi_inval = 28,
                   k_wasi_noent = 44, k_wasi_nosys = 52, k_wasi_notsup = 58;

void log(HostState& s, LogLevel level, std::string message) {
  s.logs.push_back({level, std::move(message), s.effective_context});
}

// Copies host bytes into memory the module allocates, then writes pointer and size
// (cpp-host exports.cc: results are copied into memory the module allocates). Size 0: pointer 0,
// nothing allocated.
uint64_t copy_out(Guest& g, std::string_view data, uint32_t ptr_out, uint32_t size_out) {
  if (data.empty()) {
    if (!g.write_u32(ptr_out, 0) || !g.write_u32(size_out, 0)) return k_mem;
    return k_ok;
  }
  std::string copy(data);  // the allocator may move memory; never hold a view across it
  auto p = g.allocate(static_cast<uint32_t>(copy.size()));
  if (!p) return k_mem;
  if (!g.write(*p, copy)) return k_mem;
  if (!g.write_u32(ptr_out, *p) || !g.write_u32(size_out, static_cast<uint32_t>(copy.size())))
    return k_mem;
  return k_ok;
}

Context* root_of(HostState& s, Context* c) {
  if (!c) return nullptr;
  if (c->is_root()) return c;
  auto it = s.contexts.find(c->parent);
  return it == s.contexts.end() ? nullptr : &it->second;
}

// The header map a call may read, per Envoy's getConstMap: HTTP call response maps live on the
// root context; stream maps on the effective context; a map whose phase is over is absent
// (nullptr), except in proxy_on_log where request/response headers and response trailers are
// readable again [Envoy source/extensions/common/wasm/context.cc getConstMap, access_log_*].
const HeaderMap* read_map(HostState& s, uint32_t type) {
  Context* c = s.effective();
  if (!c) return nullptr;
  auto t = static_cast<MapType>(type);
  if (t == MapType::http_call_response_headers || t == MapType::http_call_response_trailers) {
    Context* r = root_of(s, c);
    return r && r->maps[type] ? &*r->maps[type] : nullptr;
  }
  if (!c->maps[type]) return nullptr;
  if (c->map_closed[type]) {
    bool log_readable = c->log_phase && t != MapType::request_trailers;
    if (!log_readable) return nullptr;
  }
  return &*c->maps[type];
}

// The map a call may change, per Envoy's getMap: the four stream maps during their phase only.
HeaderMap* write_map(HostState& s, uint32_t type) {
  Context* c = s.effective();
  if (!c || type > 3 || !c->maps[type] || c->map_closed[type] || c->log_phase) return nullptr;
  return &*c->maps[type];
}

std::optional<std::string>* find_buffer(HostState& s, uint32_t type) {
  Context* c = s.effective();
  if (!c) return nullptr;
  if (static_cast<BufferType>(type) == BufferType::http_call_response_body) {
    Context* r = root_of(s, c);
    return r ? &r->buffers[type] : nullptr;
  }
  return &c->buffers[type];
}

// ---- env: logging, time, configuration ----

uint64_t proxy_log(HostState& s, Guest& g, A a) {
  uint32_t level = u32(a, 0);
  auto msg = g.read(u32(a, 1), u32(a, 2));
  if (!msg) return k_mem;
  if (level > 5) return st(Status::bad_argument);
  log(s, static_cast<LogLevel>(level), std::move(*msg));
  return k_ok;
}

uint64_t proxy_get_log_level(HostState& s, Guest& g, A a) {
  return g.write_u32(u32(a, 0), static_cast<uint32_t>(s.config.log_level)) ? k_ok : k_mem;
}

uint64_t proxy_get_current_time_nanoseconds(HostState& s, Guest& g, A a) {
  return g.write_u64(u32(a, 0), s.now_ns) ? k_ok : k_mem;
}

uint64_t proxy_set_tick_period_milliseconds(HostState& s, Guest&, A a) {
  // Every call re-arms the timer: the next tick is one full period away [Envoy
  // source/extensions/common/wasm/context.cc setTimerPeriod -> enableTimer].
  s.tick_period_ms = u32(a, 0);
  s.since_tick_ms = 0;
  return k_ok;
}

// 0.1.0: the plugin configuration in proxy_on_configure, the VM configuration anywhere else
// [Envoy context.cc getConfiguration: temp_plugin_ ? plugin : vm configuration].
uint64_t proxy_get_configuration(HostState& s, Guest& g, A a) {
  const std::string& cfg =
      s.plugin_config_visible ? s.config.plugin_configuration : s.config.vm_configuration;
  return copy_out(g, cfg, u32(a, 0), u32(a, 1));
}

// ---- env: buffers ----

bool is_stream_buffer(uint32_t type) {
  return type <= static_cast<uint32_t>(BufferType::upstream_data);
}

// The bytes a buffer call sees, per Envoy's getBuffer: nullopt = no buffer (NOT_FOUND).
// Body and network buffers outside their callback are an empty buffer (Envoy wraps a null
// Buffer::Instance: size 0) [Envoy context.cc getBuffer]; the plugin configuration exists only
// while the root context is created and in proxy_on_configure [HOST src/context.cc].
std::optional<std::string_view> buffer_view(HostState& s, uint32_t type) {
  auto t = static_cast<BufferType>(type);
  if (t == BufferType::vm_configuration) return std::string_view(s.config.vm_configuration);
  if (t == BufferType::plugin_configuration) {
    if (!s.plugin_config_visible) return std::nullopt;
    return std::string_view(s.config.plugin_configuration);
  }
  auto* b = find_buffer(s, type);
  if (b && *b) return std::string_view(**b);
  if (is_stream_buffer(type) && s.effective()) return std::string_view();
  return std::nullopt;
}

uint64_t proxy_get_buffer_bytes(HostState& s, Guest& g, A a) {
  uint32_t type = u32(a, 0), start = u32(a, 1), max = u32(a, 2);
  if (type >= k_buffer_type_count) return st(Status::bad_argument);
  auto data = buffer_view(s, type);
  if (!data) return st(Status::not_found);
  // start + length overflowing: BAD_ARGUMENT; start past the end: OK, nothing (pointer 0,
  // size 0) [HOST src/exports.cc get_buffer_bytes, since 33b2e75 "Don't overread buffers"].
  if (uint64_t(start) + max > 0xffffffffull) return st(Status::bad_argument);
  if (start >= data->size()) return copy_out(g, {}, u32(a, 3), u32(a, 4));
  auto n = std::min<uint64_t>(max, data->size() - start);
  std::string copy(data->substr(start, n));
  return copy_out(g, copy, u32(a, 3), u32(a, 4));
}

uint64_t proxy_set_buffer_bytes(HostState& s, Guest& g, A a) {
  uint32_t type = u32(a, 0), start = u32(a, 1), size = u32(a, 2);
  if (type >= k_buffer_type_count) return st(Status::bad_argument);
  auto value = g.read(u32(a, 3), u32(a, 4));
  if (!value) return k_mem;
  if (!is_stream_buffer(type)) return st(Status::not_found);
  auto* b = find_buffer(s, type);
  if (!b || !*b) return st(Status::not_found);
  std::string& buf = **b;
  // Envoy context.cc Buffer::copyFrom: (0,0) prepends; (0, >= len) replaces everything;
  // (0, N < len) drains N bytes and prepends; start >= len appends; anything else is
  // BAD_ARGUMENT. (Envoy before 2022 refused (0, N < len), envoy@031fa2b5; no release ext
  // emulates is that old.)
  if (start == 0 && size == 0) {
    buf.insert(0, *value);
  } else if (start == 0 && size >= buf.size()) {
    buf = std::move(*value);
  } else if (start == 0) {
    buf.erase(0, size);
    buf.insert(0, *value);
  } else if (start >= buf.size()) {
    buf.append(*value);
  } else {
    return st(Status::bad_argument);
  }
  return k_ok;
}

// Flags are always 0 [HOST src/exports.cc get_buffer_status: `uint32_t flags = 0`].
uint64_t proxy_get_buffer_status(HostState& s, Guest& g, A a) {
  uint32_t type = u32(a, 0);
  if (type >= k_buffer_type_count) return st(Status::bad_argument);
  auto data = buffer_view(s, type);
  if (!data) return st(Status::not_found);
  if (!g.write_u32(u32(a, 1), static_cast<uint32_t>(data->size())) || !g.write_u32(u32(a, 2), 0))
    return k_mem;
  return k_ok;
}

// ---- env: header maps ----

// Type out of range: BAD_ARGUMENT [HOST src/exports.cc get_header_map_* type > MAX]. A map that
// is absent: BAD_ARGUMENT for everything but get_header_map_pairs, which is OK and empty
// [Envoy context.cc getHeaderMapSize/getHeaderMapValue/...: `if (!map) return BadArgument`;
// getHeaderMapPairs: headerMapToPairs(nullptr) = {}].

uint64_t proxy_get_header_map_size(HostState& s, Guest& g, A a) {
  if (u32(a, 0) >= k_map_type_count) return st(Status::bad_argument);
  // Envoy's getHeaderMapSize uses getMap (the writable map): absent outside the phase.
  const HeaderMap* m = u32(a, 0) <= 3 ? write_map(s, u32(a, 0)) : read_map(s, u32(a, 0));
  if (!m) return st(Status::bad_argument);
  auto size = m->empty() ? 0 : serialize_pairs(*m).size();
  return g.write_u32(u32(a, 1), static_cast<uint32_t>(size)) ? k_ok : k_mem;
}

uint64_t proxy_get_header_map_pairs(HostState& s, Guest& g, A a) {
  if (u32(a, 0) >= k_map_type_count) return st(Status::bad_argument);
  const HeaderMap* m = read_map(s, u32(a, 0));
  // An empty or absent map is returned as pointer 0, size 0 [HOST exports.cc].
  if (!m || m->empty()) return copy_out(g, {}, u32(a, 1), u32(a, 2));
  return copy_out(g, serialize_pairs(*m), u32(a, 1), u32(a, 2));
}

uint64_t proxy_set_header_map_pairs(HostState& s, Guest& g, A a) {
  uint32_t type = u32(a, 0);
  if (type >= k_map_type_count) return st(Status::bad_argument);
  auto bytes = g.read(u32(a, 1), u32(a, 2));
  if (!bytes) return k_mem;
  HeaderMap* m = write_map(s, type);
  if (!m) return st(Status::bad_argument);
  auto parsed = parse_pairs(*bytes);
  if (parsed && parsed->size() > s.limits.header_entries)
    throw LimitExceeded("proxy_set_header_map_pairs: " + std::to_string(parsed->size()) +
                        " entries exceed the limit header_entries (" +
                        std::to_string(s.limits.header_entries) + ")");
  HeaderMap out;
  for (auto& [k, v] : parsed.value_or(HeaderMap{})) out.emplace_back(util::to_lower(k), v);
  *m = std::move(out);
  return k_ok;
}

uint64_t proxy_get_header_map_value(HostState& s, Guest& g, A a) {
  uint32_t type = u32(a, 0);
  if (type >= k_map_type_count) return st(Status::bad_argument);
  auto key = g.read(u32(a, 1), u32(a, 2));
  if (!key) return k_mem;
  const HeaderMap* m = read_map(s, type);
  if (!m) return st(Status::bad_argument);
  // The first value only, not the values joined [Envoy context.cc getHeaderMapValue:
  // `*value = entry[0]->value()`].
  auto k = util::to_lower(*key);
  auto it = std::find_if(m->begin(), m->end(), [&](const auto& p) { return p.first == k; });
  if (it == m->end()) {
    // 0.1.0: OK with an empty value; 0.2.x: NOT_FOUND (same function).
    if (s.abi == AbiVersion::v0_1_0) return copy_out(g, {}, u32(a, 3), u32(a, 4));
    return st(Status::not_found);
  }
  std::string value = it->second;
  return copy_out(g, value, u32(a, 3), u32(a, 4));
}

enum class Edit { add, replace };

uint64_t edit_header(HostState& s, Guest& g, A a, Edit edit) {
  uint32_t type = u32(a, 0);
  if (type >= k_map_type_count) return st(Status::bad_argument);
  auto key = g.read(u32(a, 1), u32(a, 2));
  auto value = g.read(u32(a, 3), u32(a, 4));
  if (!key || !value) return k_mem;
  HeaderMap* m = write_map(s, type);
  if (!m) return st(Status::bad_argument);
  auto k = util::to_lower(*key);
  auto& map = *m;
  if (edit == Edit::replace) {
    // Envoy setCopy: every entry of the key goes, one new entry is added at the end (pseudo
    // headers stay in front of the others, as Envoy's header map keeps them).
    map.erase(std::remove_if(map.begin(), map.end(), [&](auto& p) { return p.first == k; }),
              map.end());
  }
  if (map.size() >= s.limits.header_entries)
    throw LimitExceeded("proxy_add_header_map_value: the map already holds " +
                        std::to_string(map.size()) + " entries, the limit header_entries");
  auto at = map.end();
  if (!k.empty() && k[0] == ':')
    at = std::find_if(map.begin(), map.end(),
                      [](auto& p) { return p.first.empty() || p.first[0] != ':'; });
  map.insert(at, {std::move(k), std::move(*value)});
  return k_ok;
}

uint64_t proxy_add_header_map_value(HostState& s, Guest& g, A a) {
  return edit_header(s, g, a, Edit::add);
}
uint64_t proxy_replace_header_map_value(HostState& s, Guest& g, A a) {
  return edit_header(s, g, a, Edit::replace);
}

uint64_t proxy_remove_header_map_value(HostState& s, Guest& g, A a) {
  uint32_t type = u32(a, 0);
  if (type >= k_map_type_count) return st(Status::bad_argument);
  auto key = g.read(u32(a, 1), u32(a, 2));
  if (!key) return k_mem;
  HeaderMap* m = write_map(s, type);
  if (!m) return st(Status::bad_argument);
  auto k = util::to_lower(*key);
  m->erase(std::remove_if(m->begin(), m->end(), [&](auto& p) { return p.first == k; }), m->end());
  return k_ok;
}

// ---- env: stream control ----

// Envoy context.cc continueStream: REQUEST / RESPONSE resume the HTTP stream and end the maps'
// phase (later access is BAD_ARGUMENT); DOWNSTREAM resumes a network read; UPSTREAM is
// UNIMPLEMENTED; anything else BAD_ARGUMENT.
void close_maps(Context& c, bool request) {
  // Arrays, not initializer_lists in a ?: (their storage would end with the expression).
  static constexpr MapType k_request[] = {MapType::request_headers, MapType::request_trailers};
  static constexpr MapType k_response[] = {MapType::response_headers, MapType::response_trailers};
  for (auto t : request ? k_request : k_response)
    if (c.maps[static_cast<size_t>(t)]) c.map_closed[static_cast<size_t>(t)] = true;
}

uint64_t proxy_continue_stream(HostState& s, Guest&, A a) {
  Context* c = s.effective();
  switch (u32(a, 0)) {
    case 0:
      if (c) {
        c->continue_request = true;
        close_maps(*c, true);
      }
      return k_ok;
    case 1:
      if (c) {
        c->continue_response = true;
        close_maps(*c, false);
      }
      return k_ok;
    case 2:
      if (c) c->continue_downstream = true;
      return k_ok;
    case 3:
      return st(Status::unimplemented);
    default:
      return st(Status::bad_argument);
  }
}

uint64_t proxy_close_stream(HostState& s, Guest&, A a) {
  Context* c = s.effective();
  if (!c) return st(Status::not_found);
  switch (u32(a, 0)) {
    case 0:
    case 1:
      c->reset = true;
      return k_ok;
    case 2:
      c->close_downstream = true;
      return k_ok;
    case 3:
      c->close_upstream = true;
      return k_ok;
    default:
      return st(Status::bad_argument);
  }
}

uint64_t proxy_continue_request(HostState& s, Guest&, A) {
  if (auto* c = s.effective()) c->continue_request = true;
  return k_ok;
}
uint64_t proxy_continue_response(HostState& s, Guest&, A) {
  if (auto* c = s.effective()) c->continue_response = true;
  return k_ok;
}
uint64_t proxy_clear_route_cache(HostState&, Guest&, A) {
  return k_ok;
}

uint64_t proxy_get_status(HostState& s, Guest& g, A a) {
  if (!g.write_u32(u32(a, 0), s.status_code)) return k_mem;
  std::string msg = s.status_message;
  return copy_out(g, msg, u32(a, 1), u32(a, 2));
}

uint64_t proxy_send_local_response(HostState& s, Guest& g, A a) {
  auto details = g.read(u32(a, 1), u32(a, 2));
  auto body = g.read(u32(a, 3), u32(a, 4));
  auto headers = g.read(u32(a, 5), u32(a, 6));
  if (!details || !body || !headers) return k_mem;
  Context* c = s.effective();
  // On a root or network context there are no decoder callbacks: a no-op that returns OK
  // [Envoy context.cc sendLocalResponse: `if (decoder_callbacks_)`].
  if (!c || c->is_root() || !c->http) return k_ok;
  LocalResponse r;
  r.status = u32(a, 0);
  // Envoy keeps details as a token: spaces become '_' (StringUtil::replaceAllEmptySpace).
  r.details = std::move(*details);
  std::replace(r.details.begin(), r.details.end(), ' ', '_');
  r.body = std::move(*body);
  for (auto& [k, v] : parse_pairs(*headers).value_or(HeaderMap{}))
    r.headers.emplace_back(util::to_lower(k), v);
  // sendLocalReply adds the body's type and length (Http::Utility::sendLocalReply).
  if (!r.body.empty() && !header_value(r.headers, "content-type"))
    r.headers.emplace_back("content-type", "text/plain");
  if (!header_value(r.headers, "content-length"))
    r.headers.emplace_back("content-length", std::to_string(r.body.size()));
  r.grpc_status = static_cast<int32_t>(u32(a, 7));
  // cpp-host ignores what Envoy does with the reply: it always stops the running callback and
  // returns OK (src/exports.cc send_local_response, unchanged 2020-2026).
  c->stop_next = true;
  if (c->local_response || c->local_reply_sent) {
    // A second reply: dropped before Envoy 1.33 (the stream stays paused), else handed to the
    // filter manager (envoy_versions.hpp "second_local_reply").
    if (s.envoy.second_local_reply_sent) c->second_local_response = std::move(r);
    return k_ok;
  }
  c->local_response = std::move(r);
  return k_ok;
}

// ---- env: HTTP and gRPC calls ----

uint64_t proxy_http_call(HostState& s, Guest& g, A a) {
  auto upstream = g.read(u32(a, 0), u32(a, 1));
  auto headers = g.read(u32(a, 2), u32(a, 3));
  auto body = g.read(u32(a, 4), u32(a, 5));
  auto trailers = g.read(u32(a, 6), u32(a, 7));
  if (!upstream || !headers || !body || !trailers) return k_mem;
  HttpCallRecord call;
  call.upstream = std::move(*upstream);
  call.headers = parse_pairs(*headers).value_or(HeaderMap{});
  call.body = std::move(*body);
  call.trailers = parse_pairs(*trailers).value_or(HeaderMap{});
  call.timeout_ms = u32(a, 8);
  // Envoy context.cc httpCall: a negative timeout (>= 2^31 as u32) is BAD_ARGUMENT; so is a
  // cluster Envoy does not have (no callback ever comes) and a request without :method, :path
  // and :authority.
  if (call.timeout_ms >= 0x80000000u) return st(Status::bad_argument);
  if (call.upstream.empty() || (s.cluster_known && !s.cluster_known(call.upstream)))
    return st(Status::bad_argument);
  if (!header_value(call.headers, ":method") || !header_value(call.headers, ":path") ||
      !header_value(call.headers, ":authority"))
    return st(Status::bad_argument);
  call.token = s.next_token;
  s.next_token += 4;
  if (!g.write_u32(u32(a, 9), call.token)) return k_mem;
  s.pending_http_calls.push_back(call.token);
  s.http_calls.push_back(std::move(call));
  return k_ok;
}

// Unary gRPC calls are answered by the spec's grpc_calls scripts. Envoy context.cc grpcCall: a
// `service` that is not a GrpcService proto is a cluster name, and a cluster Envoy does not
// have is PARSE_FAILURE; tokens come from cpp-host nextGrpcCallId (1 mod 4: 5, 9, ...).
uint64_t proxy_grpc_call(HostState& s, Guest& g, A a) {
  auto cluster = g.read(u32(a, 0), u32(a, 1));
  auto service = g.read(u32(a, 2), u32(a, 3));
  auto method = g.read(u32(a, 4), u32(a, 5));
  auto metadata = g.read(u32(a, 6), u32(a, 7));
  auto message = g.read(u32(a, 8), u32(a, 9));
  if (!cluster || !service || !method || !metadata || !message) return k_mem;
  if (!s.grpc_cluster_known || !s.grpc_cluster_known(*cluster)) return st(Status::parse_failure);
  GrpcCallRecord call;
  call.cluster = std::move(*cluster);
  call.service = std::move(*service);
  call.method = std::move(*method);
  call.initial_metadata = parse_pairs(*metadata).value_or(HeaderMap{});
  call.message = std::move(*message);
  call.timeout_ms = u32(a, 10);
  call.token = s.next_grpc_token;
  s.next_grpc_token += 4;
  if (!g.write_u32(u32(a, 11), call.token)) return k_mem;
  s.pending_grpc_calls.push_back(call.token);
  s.grpc_calls.push_back(std::move(call));
  return k_ok;
}
// gRPC streams are answered by the spec's grpc_streams scripts [Envoy context.cc grpcStream]:
// a cluster Envoy does not have is PARSE_FAILURE; tokens come from cpp-host nextGrpcStreamId
// (2 mod 4: 6, 10, ...). The server's events (metadata, messages, close) come later, on the
// root context, as the host drains (host.cpp).
uint64_t proxy_grpc_stream(HostState& s, Guest& g, A a) {
  auto cluster = g.read(u32(a, 0), u32(a, 1));
  auto service = g.read(u32(a, 2), u32(a, 3));
  auto method = g.read(u32(a, 4), u32(a, 5));
  auto metadata = g.read(u32(a, 6), u32(a, 7));
  if (!cluster || !service || !method || !metadata) return k_mem;
  if (!s.grpc_stream_cluster_known || !s.grpc_stream_cluster_known(*cluster))
    return st(Status::parse_failure);
  GrpcStreamRecord r;
  r.token = s.next_grpc_stream_token;
  r.cluster = std::move(*cluster);
  r.service = std::move(*service);
  r.method = std::move(*method);
  r.initial_metadata = parse_pairs(*metadata).value_or(HeaderMap{});
  if (!g.write_u32(u32(a, 8), r.token)) return k_mem;
  s.next_grpc_stream_token += 4;
  if (s.grpc_stream_script) r.script = s.grpc_stream_script(r);
  s.grpc_streams.push_back(std::move(r));
  return k_ok;
}

// Envoy context.cc grpcCancel: a pending call or an open stream is cancelled (a stream is
// reset: no callback comes after it), an unknown one NOT_FOUND, a token of another kind
// BAD_ARGUMENT.
uint64_t proxy_grpc_cancel(HostState& s, Guest&, A a) {
  uint32_t token = u32(a, 0);
  if ((token & 3) == 1) {
    auto it = std::find(s.pending_grpc_calls.begin(), s.pending_grpc_calls.end(), token);
    if (it == s.pending_grpc_calls.end()) return st(Status::not_found);
    s.pending_grpc_calls.erase(it);
    return k_ok;
  }
  if ((token & 3) == 2) {
    auto* r = s.grpc_stream(token);
    if (!r) return st(Status::not_found);
    r->cancelled = true;
    return k_ok;
  }
  return st(Status::bad_argument);
}
// Envoy context.cc grpcClose: a call is cancelled; a stream is half-closed (closeStream): the
// server's remaining events still come, and Envoy forgets the stream once the server closed too.
uint64_t proxy_grpc_close(HostState& s, Guest& g, A a) {
  uint32_t token = u32(a, 0);
  if ((token & 3) == 2) {
    auto* r = s.grpc_stream(token);
    if (!r) return st(Status::not_found);
    r->local_closed = true;
    return k_ok;
  }
  return proxy_grpc_cancel(s, g, a);
}
// Envoy context.cc grpcSend: stream tokens only (else BAD_ARGUMENT), NOT_FOUND for a stream
// Envoy no longer has. A send after the filter's own end_stream is accepted (Envoy passes it to
// the async stream).
uint64_t proxy_grpc_send(HostState& s, Guest& g, A a) {
  uint32_t token = u32(a, 0);
  if ((token & 3) != 2) return st(Status::bad_argument);
  auto* r = s.grpc_stream(token);
  if (!r) return st(Status::not_found);
  auto message = g.read(u32(a, 1), u32(a, 2));
  if (!message) return k_mem;
  s.charge(message->size(), "proxy_grpc_send");
  r->sent.push_back(std::move(*message));
  if (u32(a, 3) != 0) r->end_stream_sent = true;
  return k_ok;
}

// ---- env: shared data and queues ----

uint64_t proxy_set_shared_data(HostState& s, Guest& g, A a) {
  auto key = g.read(u32(a, 0), u32(a, 1));
  auto value = g.read(u32(a, 2), u32(a, 3));
  if (!key || !value) return k_mem;
  uint32_t cas = u32(a, 4);
  auto& data = s.shared->data;
  auto it = data.find(*key);
  if (cas != 0 && it != data.end() && it->second.second != cas) return st(Status::cas_mismatch);
  data[*key] = {std::move(*value), s.shared->next_cas++};
  return k_ok;
}

uint64_t proxy_get_shared_data(HostState& s, Guest& g, A a) {
  auto key = g.read(u32(a, 0), u32(a, 1));
  if (!key) return k_mem;
  auto it = s.shared->data.find(*key);
  if (it == s.shared->data.end()) return st(Status::not_found);
  uint32_t cas = it->second.second;
  std::string value = it->second.first;
  auto r = copy_out(g, value, u32(a, 2), u32(a, 3));
  if (r != k_ok) return r;
  return g.write_u32(u32(a, 4), cas) ? k_ok : k_mem;
}

// The token of (vm_id, name), 0 when no VM registered it.
uint32_t queue_token(const SharedStore& shared, const std::string& vm_id, const std::string& name) {
  for (size_t i = 0; i < shared.queues.size(); ++i)
    if (shared.queues[i].vm_id == vm_id && shared.queues[i].name == name)
      return static_cast<uint32_t>(i + 1);
  return 0;
}

uint64_t proxy_register_shared_queue(HostState& s, Guest& g, A a) {
  auto name = g.read(u32(a, 0), u32(a, 1));
  if (!name) return k_mem;
  auto& queues = s.shared->queues;
  uint32_t id = queue_token(*s.shared, s.config.vm_id, *name);
  if (id == 0) {
    queues.push_back({s.config.vm_id, *name, s.vm_index, s.root_context_id, {}});
    id = static_cast<uint32_t>(queues.size());
  }
  // The last VM to register a queue is the one its notifications go to [HOST
  // src/shared_queue.cc registerQueue]; its data stays.
  Context* c = root_of(s, s.effective());
  queues[id - 1].owner_vm = s.vm_index;
  queues[id - 1].owner_context = c ? c->id : s.root_context_id;
  return g.write_u32(u32(a, 2), id) ? k_ok : k_mem;
}

uint64_t proxy_resolve_shared_queue(HostState& s, Guest& g, A a) {
  auto vm_id = g.read(u32(a, 0), u32(a, 1));
  auto name = g.read(u32(a, 2), u32(a, 3));
  if (!vm_id || !name) return k_mem;
  // An empty vm_id means this VM's [HOST src/context.cc lookupSharedQueue].
  if (vm_id->empty()) *vm_id = s.config.vm_id;
  if (uint32_t id = queue_token(*s.shared, *vm_id, *name))
    return g.write_u32(u32(a, 4), id) ? k_ok : k_mem;
  return st(Status::not_found);
}

uint64_t proxy_enqueue_shared_queue(HostState& s, Guest& g, A a) {
  uint32_t id = u32(a, 0);
  auto value = g.read(u32(a, 1), u32(a, 2));
  if (!value) return k_mem;
  auto& queues = s.shared->queues;
  if (id == 0 || id > queues.size()) return st(Status::not_found);
  queues[id - 1].items.push_back(std::move(*value));
  // proxy_on_queue_ready fires on enqueue, on the registering VM's thread.
  s.shared->ready[queues[id - 1].owner_vm].push_back(id);
  return k_ok;
}

uint64_t proxy_dequeue_shared_queue(HostState& s, Guest& g, A a) {
  uint32_t id = u32(a, 0);
  auto& queues = s.shared->queues;
  if (id == 0 || id > queues.size()) return st(Status::not_found);
  auto& q = queues[id - 1].items;
  if (q.empty()) return st(Status::empty);
  std::string v = std::move(q.front());
  q.pop_front();
  return copy_out(g, v, u32(a, 1), u32(a, 2));
}

// ---- env: metrics ----
// Ids carry the type in their low 2 bits and step by 4 per type, numbered by each VM [HOST
// wasm.h kMetricTypeMask]; the value is the process-wide stat of that name.

uint64_t proxy_define_metric(HostState& s, Guest& g, A a) {
  uint32_t type = u32(a, 0);
  auto name = g.read(u32(a, 1), u32(a, 2));
  if (!name) return k_mem;
  if (type > 2) return st(Status::bad_argument);
  auto key = std::to_string(type) + ":" + *name;
  auto it = s.metric_id_by_name.find(key);
  if (it == s.metric_id_by_name.end()) {
    uint32_t n = 0;
    for (auto& [id, index] : s.metric_ids)
      if ((id & 3) == type) ++n;
    uint32_t id = (n + 1) * 4 + type;  // first ids 4/5/6 [HOST include/proxy-wasm/wasm.h]
    auto& shared = *s.shared;
    auto stat = shared.metric_by_name.find(key);
    if (stat == shared.metric_by_name.end()) {
      Metric m;
      m.id = id;
      m.type = static_cast<MetricType>(type);
      m.name = *name;
      shared.metrics.push_back(std::move(m));
      stat = shared.metric_by_name.emplace(key, shared.metrics.size() - 1).first;
    }
    s.metric_ids[id] = stat->second;
    it = s.metric_id_by_name.emplace(key, id).first;
  }
  return g.write_u32(u32(a, 3), it->second) ? k_ok : k_mem;
}

uint64_t proxy_increment_metric(HostState& s, Guest&, A a) {
  Metric* m = s.metric(u32(a, 0));
  if (!m) return st(Status::not_found);
  auto delta = static_cast<int64_t>(a[1]);
  switch (m->type) {
    case MetricType::counter:
      // Envoy context.cc incrementMetric: a counter takes only offset > 0.
      if (delta <= 0) return st(Status::bad_argument);
      m->value += delta;
      return k_ok;
    case MetricType::gauge:
      m->value += delta;
      return k_ok;
    case MetricType::histogram:
      return st(Status::bad_argument);
  }
  return st(Status::bad_argument);
}

uint64_t proxy_record_metric(HostState& s, Guest&, A a) {
  Metric* m = s.metric(u32(a, 0));
  if (!m) return st(Status::not_found);
  uint64_t value = a[1];
  switch (m->type) {
    case MetricType::counter:
      m->value += static_cast<int64_t>(value);
      break;
    case MetricType::gauge:
      m->value = static_cast<int64_t>(value);
      break;
    case MetricType::histogram:
      m->recorded.push_back(value);
      break;
  }
  return k_ok;
}

uint64_t proxy_get_metric(HostState& s, Guest& g, A a) {
  Metric* m = s.metric(u32(a, 0));
  if (!m) return st(Status::not_found);
  if (m->type == MetricType::histogram) return st(Status::bad_argument);
  return g.write_u64(u32(a, 1), static_cast<uint64_t>(m->value)) ? k_ok : k_mem;
}

// ---- env: properties, contexts, foreign functions ----

// Envoy splits a property path on NUL only [Envoy context.cc getProperty]: "request.path" as one
// segment names nothing. Segments are joined with '.' for our lookup tables; a segment that
// itself holds a '.' cannot match (nullopt).
std::optional<std::string> dotted(std::string_view path) {
  std::string out(path);
  if (out.find('.') != std::string::npos) return std::nullopt;
  std::replace(out.begin(), out.end(), '\0', '.');
  return out;
}

std::optional<std::string> spec_property_bytes(HostState& s, const std::string& segments,
                                               bool& unserializable);

std::optional<cel::Value> declared_message(HostState& s, const std::vector<std::string>& path);

uint64_t proxy_get_property(HostState& s, Guest& g, A a) {
  auto path = g.read(u32(a, 0), u32(a, 1));
  if (!path) return k_mem;
  // filter_state.<key>: objects set_envoy_filter_state stored (keys hold dots, so the second
  // segment is taken whole) [Envoy filters/common/expr/context.h FilterState].
  constexpr std::string_view fs_prefix("filter_state\0", 13);
  if (std::string_view(*path).substr(0, fs_prefix.size()) == fs_prefix) {
    std::string key = path->substr(fs_prefix.size());
    Context* c = s.effective();
    if (!c || key.find('\0') != std::string::npos) return st(Status::not_found);
    auto it = c->filter_state.find(key);
    if (it == c->filter_state.end()) return st(Status::not_found);
    return copy_out(g, it->second, u32(a, 2), u32(a, 3));
  }
  if (auto key = dotted(*path))
    if (auto v = s.property(*key)) return copy_out(g, *v, u32(a, 2), u32(a, 3));
  // A path into a property declared Protobuf reads the message's field, serialized [Envoy
  // context.cc getProperty: findValue(last = false), then field by field; serializeValue].
  // The property itself (the last segment) is its bytes, found above.
  {
    auto parts = util::split(*path, '\0');
    if (parts.size() > 1)
      if (auto m = declared_message(s, parts)) {
        if (m->is_error()) return st(Status::not_found);
        auto bytes = cel::serialize(*m);
        if (!bytes) return st(Status::serialization_failure);
        return copy_out(g, *bytes, u32(a, 2), u32(a, 3));
      }
  }
  bool unserializable = false;
  auto bytes = spec_property_bytes(s, *path, unserializable);
  if (unserializable) return st(Status::serialization_failure);
  if (!bytes) return st(Status::not_found);
  return copy_out(g, *bytes, u32(a, 2), u32(a, 3));
}

uint64_t proxy_set_property(HostState& s, Guest& g, A a) {
  auto path = g.read(u32(a, 0), u32(a, 1));
  auto value = g.read(u32(a, 2), u32(a, 3));
  if (!path || !value) return k_mem;
  Context* c = s.effective();
  // No stream info on a root context: NOT_FOUND [Envoy context.cc setProperty].
  if (!c || c->is_root()) return st(Status::not_found);
  auto key = dotted(*path);
  if (!key) return st(Status::bad_argument);
  // A property the root context declared readonly is set once; later sets are BAD_ARGUMENT
  // [Envoy context.cc setProperty; filters/common/expr/cel_state.h CelState::setValue].
  auto& root = s.contexts[s.root_context_id];
  auto decl = root.declared_properties.find(*key);
  if (decl != root.declared_properties.end() && decl->second && c->properties.count(*key))
    return st(Status::bad_argument);
  c->properties[*key] = std::move(*value);
  return k_ok;
}

uint64_t proxy_set_effective_context(HostState& s, Guest&, A a) {
  uint32_t id = u32(a, 0);
  if (!s.contexts.count(id)) return st(Status::bad_argument);
  s.effective_context = id;
  return k_ok;
}

// proxy_done completes a root context's deferred on_done at plugin shutdown [HOST src/wasm.cc
// WasmBase::done]; a stream's on_done result is ignored by Envoy, and ext never shuts a plugin
// down mid-spec, so there is never one pending: NOT_FOUND.
uint64_t proxy_done(HostState&, Guest&, A) {
  return st(Status::not_found);
}

// Filter state keys Envoy has an object factory for (envoyproxy/envoy
// docs/root/configuration/advanced/well_known_filter_state.rst at 029ca6d, and
// changelogs/1.30.0.yaml for per_connection_idle_timeout_ms): set_envoy_filter_state takes only
// these; any other key is NOT_FOUND [Envoy context.cc setEnvoyFilterState].
bool known_filter_state_key(std::string_view key) {
  for (std::string_view k :
       {"envoy.network.upstream_server_name", "envoy.network.application_protocols",
        "envoy.network.upstream_subject_alt_names", "envoy.tcp_proxy.cluster",
        "envoy.network.transport_socket.original_dst_address",
        "envoy.filters.listener.original_dst.local_ip",
        "envoy.filters.listener.original_dst.remote_ip", "envoy.upstream.dynamic_host",
        "envoy.upstream.dynamic_port", "envoy.tcp_proxy.disable_tunneling",
        "envoy.tcp_proxy.per_connection_idle_timeout_ms"})
    if (key == k) return true;
  return false;
}

// The CEL types of Envoy's attributes (envoyproxy/envoy
// source/extensions/filters/common/expr/context.cc, the *LookupValues tables): what is not
// listed is a string (bytes when not UTF-8).
enum class AttrType { int64, uint64, boolean, timestamp, duration };
std::optional<AttrType> attribute_type(const std::string& key) {
  static const std::pair<const char*, AttrType> k_types[] = {
      {"request.time", AttrType::timestamp},
      {"request.duration", AttrType::duration},
      {"request.size", AttrType::int64},
      {"request.total_size", AttrType::int64},
      {"response.code", AttrType::int64},
      {"response.size", AttrType::int64},
      {"response.total_size", AttrType::int64},
      {"response.flags", AttrType::int64},
      {"response.grpc_status", AttrType::int64},
      {"response.backend_latency", AttrType::duration},
      {"connection.id", AttrType::uint64},
      {"connection_id", AttrType::uint64},
      {"connection.mtls", AttrType::boolean},
      {"source.port", AttrType::int64},
      {"destination.port", AttrType::int64},
      {"upstream.port", AttrType::int64},
      {"upstream.request_attempt_count", AttrType::uint64},
      {"upstream.cx_pool_ready_duration", AttrType::duration},
      {"xds.listener_direction", AttrType::int64},
  };
  for (const auto& [k, t] : k_types)
    if (key == k) return t;
  return std::nullopt;
}

uint64_t le_u64(std::string_view raw) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < raw.size(); ++i)
    v |= static_cast<uint64_t>(static_cast<unsigned char>(raw[i])) << (8 * i);
  return v;
}

cel::Value text_value(const std::string& raw) {
  return cel::valid_utf8(raw) ? cel::Value::string(raw) : cel::Value::bytes(raw);
}

// A leaf the spec typed (PropertyKinds) as CEL sees it.
cel::Value typed_leaf(const std::string& raw, PropertyKind kind) {
  switch (kind) {
    case PropertyKind::int64:
      return cel::Value::int64(static_cast<int64_t>(le_u64(raw)));
    case PropertyKind::dbl: {
      uint64_t bits = le_u64(raw);
      double d = 0;
      std::memcpy(&d, &bits, sizeof d);
      return cel::Value::dbl(d);
    }
    case PropertyKind::boolean:
      return cel::Value::boolean(!raw.empty() && raw[0] != 0);
    case PropertyKind::string:
      break;
  }
  return text_value(raw);
}

// The protobuf message Envoy exposes at an attribute path (filters/common/expr/context.cc:
// metadata is the stream's dynamic Metadata, xds.node the Node, xds.*_metadata Metadata,
// upstream.locality a Locality); "" for anything else.
std::string message_at(const std::vector<std::string>& path) {
  if (path.size() == 1 && path[0] == "metadata") return "envoy.config.core.v3.Metadata";
  if (path.size() == 2 && path[0] == "xds" && path[1] == "node") return "envoy.config.core.v3.Node";
  if (path.size() == 2 && path[0] == "xds" && path[1].size() > 9 &&
      path[1].compare(path[1].size() - 9, 9, "_metadata") == 0)
    return "envoy.config.core.v3.Metadata";
  if (path.size() == 2 && path[0] == "upstream" && path[1] == "locality")
    return "envoy.config.core.v3.Locality";
  return "";
}

// A mapping of the spec (or a protobuf message Envoy exposes, such as xds.node or metadata)
// seen as a CEL map: every typed leaf under `prefix` (segments joined with '\0'), the innermost
// property layer winning.
std::optional<cel::Value> property_tree(HostState& s, const std::string& prefix) {
  struct Tree {
    std::optional<cel::Value> leaf;
    std::map<std::string, Tree> kids;
  };
  Tree root;
  bool any = false;
  std::set<std::string> seen;
  for (const auto& layer : s.property_layers()) {
    const std::string start = prefix + '\0';
    for (auto it = layer.kinds->lower_bound(start);
         it != layer.kinds->end() && it->first.compare(0, start.size(), start) == 0; ++it) {
      if (!seen.insert(it->first).second) continue;
      std::string dotted = it->first;
      std::replace(dotted.begin(), dotted.end(), '\0', '.');
      auto raw = layer.values->find(dotted);
      if (raw == layer.values->end()) continue;
      Tree* t = &root;
      std::string_view rest(it->first);
      rest.remove_prefix(start.size());
      for (;;) {
        auto cut = rest.find('\0');
        t = &t->kids[std::string(rest.substr(0, cut))];
        if (cut == std::string_view::npos) break;
        rest.remove_prefix(cut + 1);
      }
      t->leaf = typed_leaf(raw->second, it->second);
      any = true;
    }
  }
  if (!any) return std::nullopt;
  std::function<cel::Value(const Tree&)> to_value = [&](const Tree& t) -> cel::Value {
    if (t.leaf && t.kids.empty()) return *t.leaf;
    cel::Map m;
    for (const auto& [k, kid] : t.kids) m.emplace_back(cel::Value::string(k), to_value(kid));
    return cel::Value::of_map(std::move(m));
  };
  return to_value(root);
}

// Fields of the protobuf messages Envoy exposes that read as their default when the spec does
// not set them (proto3: an unset string is "", an unset map is empty): xds.node
// (envoy.config.core.v3.Node) and the Metadata messages (filter_metadata).
std::optional<cel::Value> message_default(const std::vector<std::string>& path) {
  auto empty_map = [] { return cel::Value::of_map({}); };
  const std::string message = message_at(path);
  if (message == "envoy.config.core.v3.Metadata") {
    cel::Map m;
    m.emplace_back(cel::Value::string("filter_metadata"), empty_map());
    m.emplace_back(cel::Value::string("typed_filter_metadata"), empty_map());
    auto v = cel::Value::of_map(std::move(m));
    v.message = message;
    return v;
  }
  // Metadata's two maps (filter_metadata, and typed_filter_metadata of protobuf Any values,
  // which a spec cannot give: it is empty, as in an Envoy configured with none).
  if (!path.empty() &&
      (path.back() == "filter_metadata" || path.back() == "typed_filter_metadata") &&
      message_at({path.begin(), path.end() - 1}) == "envoy.config.core.v3.Metadata")
    return empty_map();
  if (path.size() == 3 && path[0] == "xds" && path[1] == "node") {
    const auto& f = path[2];
    if (f == "id" || f == "cluster" || f == "user_agent_name" || f == "user_agent_version")
      return cel::Value::string("");
    if (f == "metadata") return empty_map();
  }
  if (path.size() == 2 && path[0] == "xds" && path[1] == "node") {
    cel::Map m;
    for (const char* f : {"id", "cluster", "user_agent_name", "user_agent_version"})
      m.emplace_back(cel::Value::string(f), cel::Value::string(""));
    m.emplace_back(cel::Value::string("metadata"), empty_map());
    auto v = cel::Value::of_map(std::move(m));
    v.message = message;
    return v;
  }
  return std::nullopt;
}

// A property the spec gave by its segments (a segment may hold '.'): a leaf's encoded bytes
// and type, or a mapping as a map (a message at message_at's paths).
struct SpecLeaf {
  std::string raw;
  PropertyKind kind;
};
std::optional<SpecLeaf> spec_leaf(HostState& s, const std::string& segments) {
  std::string key = segments;
  std::replace(key.begin(), key.end(), '\0', '.');
  for (const auto& layer : s.property_layers()) {
    auto kind = layer.kinds->find(segments);
    if (kind == layer.kinds->end()) kind = layer.kinds->find(key);
    if (kind == layer.kinds->end()) continue;
    auto raw = layer.values->find(key);
    if (raw != layer.values->end()) return SpecLeaf{raw->second, kind->second};
  }
  return std::nullopt;
}
std::optional<cel::Value> spec_tree(HostState& s, const std::vector<std::string>& path,
                                    const std::string& segments) {
  auto tree = property_tree(s, segments);
  if (tree) tree->message = message_at(path);
  return tree;
}

// proxy_get_property for what the spec gave by segments and no dotted key reaches: a leaf under
// a segment holding '.' (metadata keys such as "envoy.lb"), or a mapping, which Envoy
// serializes as a map (a google.protobuf.Struct is a CEL map) or, for a whole message
// (xds.node, metadata), as its protobuf encoding [Envoy context.cc getProperty].
std::optional<std::string> spec_property_bytes(HostState& s, const std::string& segments,
                                               bool& unserializable) {
  unserializable = false;
  // One segment with a '.' names nothing in Envoy ("request.path" is not request, path).
  if (segments.empty() ||
      (segments.find('\0') == std::string::npos && segments.find('.') != std::string::npos))
    return std::nullopt;
  if (auto leaf = spec_leaf(s, segments)) return leaf->raw;
  auto parts = util::split(segments, '\0');
  auto tree = spec_tree(s, parts, segments);
  if (!tree) tree = message_default(parts);
  if (!tree) return std::nullopt;
  auto bytes = cel::serialize(*tree);
  unserializable = !bytes;
  return bytes;
}

// A value the filter stored with proxy_set_property and the root context declared Protobuf
// or FlatBuffers, as its message (map), with the rest of `path` selected in it (a field or a
// Struct key): Envoy reads such a CelState through its schema (cel_state.cc exprValue with
// last = false; proto_message.hpp, flatbuffers.hpp). nullopt when no such property starts `path`; a
// CEL error value for bytes Envoy could not unpack (proto_message.hpp), or a field the message
// lacks.
std::optional<cel::Value> declared_message(HostState& s, const std::vector<std::string>& path) {
  const auto& root = s.contexts[s.root_context_id];
  std::string key;
  for (size_t i = 0; i < path.size(); ++i) {
    key += (i ? "." : "") + path[i];
    auto t = root.declared_types.find(key);
    // WasmType FlatBuffers (2) and Protobuf (3).
    if (t == root.declared_types.end() || (t->second != 2 && t->second != 3)) continue;
    for (const auto& layer : s.property_layers()) {
      if (layer.values == &s.config.properties) break;
      auto v = layer.values->find(key);
      if (v == layer.values->end()) continue;
      auto schema = root.declared_schemas.find(key);
      std::string_view text;
      if (schema != root.declared_schemas.end()) text = schema->second;
      cel::Value m = t->second == 3 ? proto_message_value(text, v->second)
                                    : flatbuffers_value(text, v->second);
      for (size_t j = i + 1; j < path.size() && !m.is_error(); ++j) {
        if (m.type != cel::Value::Type::map) return cel::Value::error("no such field " + path[j]);
        const cel::Value* next = nullptr;
        for (const auto& [k, x] : *m.map)
          if (k.type == cel::Value::Type::string && k.s == path[j]) next = &x;
        if (!next) return cel::Value::error("no such field " + path[j]);
        m = *next;
      }
      return m;
    }
  }
  return std::nullopt;
}

// The typed value of an attribute for CEL: Envoy's attribute types (attribute_type), header
// maps as maps of strings (repeated headers joined with ','), filter_state values as bytes,
// spec properties typed as the spec wrote them and mappings as maps (message_default fills the
// fields Envoy's protobuf messages always have).
std::optional<cel::Value> cel_attribute(HostState& s, const std::vector<std::string>& path) {
  if (path.size() == 2 && path[0] == "filter_state") {
    Context* c = s.effective();
    if (!c) return std::nullopt;
    auto it = c->filter_state.find(path[1]);
    if (it == c->filter_state.end()) return std::nullopt;
    return cel::Value::bytes(it->second);
  }
  std::string key, segments;
  for (const auto& p : path) {
    key += (key.empty() ? "" : ".") + p;
    segments += (segments.empty() ? "" : std::string(1, '\0')) + p;
  }
  if (!attribute_type(key))  // an Envoy attribute is typed below from its encoding
    if (auto leaf = spec_leaf(s, segments)) return typed_leaf(leaf->raw, leaf->kind);
  // A value the filter stored with proxy_set_property (a stream property the spec did not
  // type): Envoy keeps it as a CelState, bytes unless the root context declared it String, or
  // Protobuf / FlatBuffers: read through its schema (declare_property WasmType [Envoy
  // source/extensions/common/wasm/ext/declare_property.proto]; filters/common/expr/
  // cel_state.cc exprValue; declared_message above).
  if (auto m = declared_message(s, path)) return m;
  for (const auto& layer : s.property_layers()) {
    if (layer.values == &s.config.properties) break;
    auto v = layer.values->find(key);
    if (v == layer.values->end() || layer.kinds->count(key) || layer.kinds->count(segments))
      continue;
    const auto& root = s.contexts[s.root_context_id];
    auto t = root.declared_types.find(key);
    uint64_t type = t == root.declared_types.end() ? 0 : t->second;
    if (type == 1) return cel::Value::string(v->second);  // WasmType String
    return cel::Value::bytes(v->second);
  }
  auto raw = s.property(key);
  if (raw && (key == "request.headers" || key == "response.headers")) {
    auto pairs = parse_pairs(*raw);
    if (!pairs) return std::nullopt;
    cel::Map m;
    for (auto& [k, v] : *pairs) {
      bool merged = false;
      for (auto& [mk, mv] : m)
        if (mk.s == k) {
          mv.s += "," + v;  // Envoy's HeadersWrapper: getAllOfHeaderAsString
          merged = true;
        }
      if (!merged) m.emplace_back(cel::Value::string(k), cel::Value::string(v));
    }
    return cel::Value::of_map(std::move(m));
  }
  if (raw) {
    if (auto t = attribute_type(key); t && raw->size() == (*t == AttrType::boolean ? 1u : 8u)) {
      uint64_t v = le_u64(*raw);
      switch (*t) {
        case AttrType::int64:
          return cel::Value::int64(static_cast<int64_t>(v));
        case AttrType::uint64:
          return cel::Value::uint64(v);
        case AttrType::boolean:
          return cel::Value::boolean((*raw)[0] != 0);
        case AttrType::timestamp:
        case AttrType::duration: {
          auto at = cel::from_nanos(static_cast<int64_t>(v));
          return *t == AttrType::timestamp ? cel::Value::timestamp(at.seconds, at.nanos)
                                           : cel::Value::duration(at.seconds, at.nanos);
        }
      }
    }
    return text_value(*raw);
  }
  if (auto tree = spec_tree(s, path, segments)) return tree;
  return message_default(path);
}

// Envoy's foreign functions (envoyproxy/envoy source/extensions/common/wasm/foreign.cc), each
// from the release the version table names (envoy_versions.cpp): compress / uncompress (zlib),
// declare_property, set_envoy_filter_state, clear_route_cache, verify_signature, sign. Their
// arguments and results are the protobuf messages of source/extensions/common/wasm/ext/*.proto
// (proto_wire.hpp). A name the release lacks is NOT_FOUND, as cpp-host answers for an unknown
// one. The CEL functions (expr_create, expr_evaluate, expr_delete) are not provided
// (docs/test-spec.md "Remaining differences"). Results go back through the module's allocator
// (cpp-host exports.cc).
uint64_t proxy_call_foreign_function(HostState& s, Guest& g, A a) {
  auto name = g.read(u32(a, 0), u32(a, 1));
  auto args = g.read(u32(a, 2), u32(a, 3));
  if (!name || !args) return k_mem;
  auto give = [&](const std::string& result) { return copy_out(g, result, u32(a, 4), u32(a, 5)); };
  if (*name == "compress") {
    uLongf len = compressBound(static_cast<uLong>(args->size()));
    std::string out(len, '\0');
    if (compress(reinterpret_cast<Bytef*>(out.data()), &len,
                 reinterpret_cast<const Bytef*>(args->data()),
                 static_cast<uLong>(args->size())) != Z_OK)
      return st(Status::serialization_failure);
    out.resize(len);
    return give(out);
  }
  if (*name == "uncompress") {
    // Envoy grows the output until it fits; ext stops at the hostcall_bytes limit.
    uLongf cap = static_cast<uLongf>(args->size()) * 2 + 2;
    for (;;) {
      std::string out(cap, '\0');
      uLongf len = cap;
      int r = uncompress(reinterpret_cast<Bytef*>(out.data()), &len,
                         reinterpret_cast<const Bytef*>(args->data()),
                         static_cast<uLong>(args->size()));
      if (r == Z_OK) {
        out.resize(len);
        s.charge(out.size(), "uncompress");
        return give(out);
      }
      if (r != Z_BUF_ERROR || cap > s.limits.hostcall_bytes)
        return st(Status::serialization_failure);
      cap *= 2;
    }
  }
  if (*name == "clear_route_cache" && s.envoy.clear_route_cache_function) return k_ok;
  // declare_property(DeclarePropertyArguments{name=1, readonly=2, type=3, schema=4, span=5}):
  // on the running context, never twice [Envoy context.cc declareProperty]; only the root
  // context's declarations shape later set_property calls.
  if (*name == "declare_property") {
    auto p = parse_proto(*args);
    if (!p) return st(Status::bad_argument);
    Context* c = s.current();
    if (!c) return st(Status::bad_argument);
    auto prop = p->text(1);
    if (c->declared_properties.count(prop)) return st(Status::bad_argument);
    c->declared_properties[prop] = p->number(2) != 0;
    c->declared_types[prop] = p->number(3);
    c->declared_schemas[prop] = p->text(4);
    return k_ok;
  }
  // set_envoy_filter_state(SetEnvoyFilterStateArguments{path=1, value=2, span=3}): a key
  // without an object factory is NOT_FOUND, so is a context without a stream [Envoy context.cc
  // setEnvoyFilterState]. Readable as property filter_state.<key>.
  if (*name == "set_envoy_filter_state" && s.envoy.set_filter_state_function) {
    auto p = parse_proto(*args);
    if (!p) return st(Status::bad_argument);
    auto key = p->text(1);
    if (!known_filter_state_key(key)) return st(Status::not_found);
    Context* c = s.envoy.foreign_effective_context ? s.effective() : s.current();
    if (!c || c->is_root()) return st(Status::not_found);
    s.charge(p->text(2).size(), "set_envoy_filter_state");
    c->filter_state[key] = p->text(2);
    return k_ok;
  }
  // verify_signature(VerifySignatureArguments{hash_function=1, public_key=2, signature=3,
  // text=4, public_key_pem=5}) -> VerifySignatureResult{result=1, error=2}; sign(SignArguments
  // {hash_function=1, private_key=2, text=3, private_key_pem=4}) -> SignResult{result=1,
  // signature=2, error=3}. A message that does not parse, or both or neither key form, is
  // BAD_ARGUMENT; a key that does not import is a result with result=false [foreign.cc].
  if ((*name == "verify_signature" && s.envoy.verify_signature_function) ||
      (*name == "sign" && s.envoy.sign_function)) {
    bool verify = *name == "verify_signature";
    auto p = parse_proto(*args);
    if (!p) return st(Status::bad_argument);
    std::string der = p->text(2);
    std::string pem = s.envoy.sign_function ? p->text(verify ? 5 : 4) : std::string();
    if (der.empty() == pem.empty()) return st(Status::bad_argument);
    std::string result;
    if (verify) {
      auto r = digest::verify_signature(p->text(1), der, pem, p->text(3), p->text(4));
      if (r.ok) result += proto_varint_field(1, 1);
      if (!r.error.empty()) result += proto_bytes_field(2, r.error);
    } else {
      auto r = digest::sign(p->text(1), der, pem, p->text(3));
      if (r.ok) result += proto_varint_field(1, 1);
      if (!r.signature.empty()) result += proto_bytes_field(2, r.signature);
      if (!r.error.empty()) result += proto_bytes_field(3, r.error);
    }
    return give(result);
  }
  // expr_create(text) -> a 4-byte token (per root context, from 0); expr_evaluate(token) ->
  // the serialized value; expr_delete(token). A text that does not parse is BAD_ARGUMENT, an
  // evaluation error INTERNAL_FAILURE, a null result SERIALIZATION_FAILURE [foreign.cc,
  // context.cc serializeValue]. The language is cel.hpp's subset.
  if (*name == "expr_create") {
    auto e = cel::parse(*args);
    if (!e) {
      log(s, LogLevel::info, "expr_create parse error: " + e.error().message());
      return st(Status::bad_argument);
    }
    if (s.expressions.size() >= 1024) return st(Status::bad_argument);
    uint32_t token = s.next_expression_token++;
    while (s.expressions.count(token)) token = s.next_expression_token++;
    s.expressions[token] = *e;
    std::string out(4, '\0');
    for (int k = 0; k < 4; ++k) out[k] = static_cast<char>((token >> (8 * k)) & 0xff);
    return give(out);
  }
  if (*name == "expr_evaluate" || *name == "expr_delete") {
    if (args->size() != 4) return st(Status::bad_argument);
    uint32_t token = 0;
    for (int k = 0; k < 4; ++k)
      token |= static_cast<uint32_t>(static_cast<unsigned char>((*args)[k])) << (8 * k);
    if (*name == "expr_delete") {
      s.expressions.erase(token);
      return k_ok;
    }
    auto it = s.expressions.find(token);
    if (it == s.expressions.end()) return st(Status::not_found);
    auto v = cel::evaluate(
        it->second, [&s](const std::vector<std::string>& path) { return cel_attribute(s, path); });
    if (v.is_error()) {
      log(s, LogLevel::debug, "expr_evaluate error: " + v.s);
      return st(Status::internal_failure);
    }
    auto out = cel::serialize(v);
    if (!out) return st(Status::serialization_failure);
    s.charge(out->size(), "expr_evaluate");
    return give(*out);
  }
  if (name->rfind("expr_", 0) == 0)
    log(s, LogLevel::warn,
        "ext test host: the CEL foreign function \"" + *name +
            "\" is not emulated (NOT_FOUND here; Envoy's Linux builds provide it)");
  else
    log(s, LogLevel::debug, "ext test host: no foreign function \"" + *name + "\"");
  return st(Status::not_found);
}

uint64_t pthread_equal(HostState&, Guest&, A a) {
  return u32(a, 0) == u32(a, 1) ? 1 : 0;
}
uint64_t emscripten_notify_memory_growth(HostState&, Guest&, A) {
  return 0;
}

// ---- WASI (wasm/abi_list.hpp EXT_PROXY_WASM_WASI_FUNCTIONS) ----

bool std_fd(uint32_t fd) {
  return fd == 1 || fd == 2;
}

uint64_t write_iovs(HostState& s, Guest& g, uint32_t fd, uint32_t iovs, uint32_t n,
                    uint32_t nwritten) {
  if (!std_fd(fd)) return k_wasi_badf;
  if (n > 1024) return k_wasi_inval;
  // Sum the lengths first: the limits apply before anything is copied.
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; ++i) {
    auto iov = g.view(iovs + i * 8 + 4, 4);
    if (!iov) return k_wasi_fault;
    auto p = reinterpret_cast<const unsigned char*>(iov->data());
    total += p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24;
  }
  s.charge(total, "fd_write");
  std::string out;
  for (uint32_t i = 0; i < n; ++i) {
    auto iov = g.view(iovs + i * 8, 8);
    if (!iov) return k_wasi_fault;
    auto p = reinterpret_cast<const unsigned char*>(iov->data());
    uint32_t buf = p[0] | p[1] << 8 | p[2] << 16 | uint32_t(p[3]) << 24;
    uint32_t len = p[4] | p[5] << 8 | p[6] << 16 | uint32_t(p[7]) << 24;
    auto data = g.view(buf, len);
    if (!data) return k_wasi_fault;
    out.append(*data);
  }
  if (!g.write_u32(nwritten, static_cast<uint32_t>(out.size()))) return k_wasi_fault;
  if (!out.empty() && out.back() == '\n') out.pop_back();
  log(s, fd == 1 ? LogLevel::info : LogLevel::error, std::move(out));
  return 0;
}

uint64_t fd_write(HostState& s, Guest& g, A a) {
  return write_iovs(s, g, u32(a, 0), u32(a, 1), u32(a, 2), u32(a, 3));
}
uint64_t fd_pwrite(HostState& s, Guest& g, A a) {
  return write_iovs(s, g, u32(a, 0), u32(a, 1), u32(a, 2), u32(a, 4));
}
uint64_t wasi_nosys(HostState&, Guest&, A) {
  return k_wasi_nosys;
}
uint64_t wasi_notsup(HostState&, Guest&, A) {
  return k_wasi_notsup;
}
uint64_t wasi_badf(HostState&, Guest&, A) {
  return k_wasi_badf;
}
uint64_t wasi_zero(HostState&, Guest&, A) {
  return 0;
}
uint64_t wasi_std_or_badf(HostState&, Guest&, A a) {
  return std_fd(u32(a, 0)) ? 0 : k_wasi_badf;
}
uint64_t fd_seek(HostState& s, Guest&, A) {
  log(s, LogLevel::error, "wasi_unstable fd_seek");
  return 0;
}
uint64_t fd_close(HostState& s, Guest&, A) {
  log(s, LogLevel::error, "wasi_unstable fd_close");
  return 0;
}
uint64_t fd_fdstat_get(HostState&, Guest& g, A a) {
  if (!std_fd(u32(a, 0))) return k_wasi_badf;
  // fdstat: filetype 0 (unknown: not a tty, so wasi-libc buffers stdout), rights FD_WRITE
  // [HOST src/exports.cc wasi_unstable_fd_fdstat_get].
  std::string st(24, '\0');
  st[8] = 1 << 6;  // __WASI_RIGHTS_FD_WRITE
  return g.write(u32(a, 1), st) ? 0 : k_wasi_fault;
}
uint64_t fd_readdir(HostState&, Guest&, A) {
  return k_wasi_notdir;
}
uint64_t fd_renumber(HostState&, Guest&, A a) {
  return std_fd(u32(a, 0)) ? k_wasi_notsup : k_wasi_badf;
}
uint64_t fd_tell(HostState&, Guest& g, A a) {
  if (!std_fd(u32(a, 0))) return k_wasi_badf;
  return g.write_u64(u32(a, 1), 0) ? 0 : k_wasi_fault;
}
uint64_t path_open(HostState&, Guest&, A) {
  return k_wasi_noent;
}

std::vector<std::string> environ_strings(const HostState& s) {
  std::vector<std::string> out;
  for (const auto& [k, v] : s.config.environment) out.push_back(k + "=" + v);
  return out;
}
uint64_t environ_sizes_get(HostState& s, Guest& g, A a) {
  auto env = environ_strings(s);
  uint32_t size = 0;
  for (auto& e : env) size += static_cast<uint32_t>(e.size() + 1);
  if (!g.write_u32(u32(a, 0), static_cast<uint32_t>(env.size())) || !g.write_u32(u32(a, 1), size))
    return k_wasi_fault;
  return 0;
}
uint64_t environ_get(HostState& s, Guest& g, A a) {
  uint32_t ptrs = u32(a, 0), buf = u32(a, 1);
  for (auto& e : environ_strings(s)) {
    if (!g.write_u32(ptrs, buf) || !g.write(buf, std::string_view(e.c_str(), e.size() + 1)))
      return k_wasi_fault;
    ptrs += 4;
    buf += static_cast<uint32_t>(e.size() + 1);
  }
  return 0;
}
uint64_t args_sizes_get(HostState&, Guest& g, A a) {
  return g.write_u32(u32(a, 0), 0) && g.write_u32(u32(a, 1), 0) ? 0 : k_wasi_fault;
}
uint64_t clock_time_get(HostState& s, Guest& g, A a) {
  if (u32(a, 0) > 1) return k_wasi_notsup;
  return g.write_u64(u32(a, 2), s.now_ns) ? 0 : k_wasi_fault;
}
uint64_t clock_res_get(HostState&, Guest& g, A a) {
  if (u32(a, 0) > 1) return k_wasi_notsup;
  return g.write_u64(u32(a, 1), 1) ? 0 : k_wasi_fault;
}
uint64_t random_get(HostState& s, Guest& g, A a) {
  uint32_t len = u32(a, 1);
  if (len > 64 * 1024) return k_wasi_inval;
  std::string bytes(len, '\0');
  for (auto& b : bytes) {  // deterministic (xorshift), so test runs repeat
    s.rng ^= s.rng << 13;
    s.rng ^= s.rng >> 7;
    s.rng ^= s.rng << 17;
    b = static_cast<char>(s.rng & 0xff);
  }
  return g.write(u32(a, 0), bytes) ? 0 : k_wasi_fault;
}
uint64_t poll_oneoff(HostState&, Guest& g, A a) {
  return g.write_u32(u32(a, 3), 0) ? 0 : k_wasi_fault;
}
uint64_t proc_exit(HostState& s, Guest&, A) {
  log(s, LogLevel::error, "wasi_unstable proc_exit");
  return 0;
}

// Implementations shared by several rows of abi_list.hpp, under the rows' names so the
// generated tables below bind every row by name (a row without a function fails the build).
constexpr HostFn fd_read = wasi_nosys;
constexpr HostFn fd_fdstat_set_flags = wasi_nosys;
constexpr HostFn fd_fdstat_set_rights = wasi_std_or_badf;
constexpr HostFn fd_prestat_get = wasi_badf;
constexpr HostFn fd_prestat_dir_name = wasi_nosys;
constexpr HostFn fd_filestat_get = wasi_badf;
constexpr HostFn fd_filestat_set_size = wasi_std_or_badf;
constexpr HostFn fd_filestat_set_times = wasi_std_or_badf;
constexpr HostFn fd_advise = wasi_zero;
constexpr HostFn fd_allocate = wasi_std_or_badf;
constexpr HostFn fd_datasync = wasi_std_or_badf;
constexpr HostFn fd_sync = wasi_std_or_badf;
constexpr HostFn fd_pread = wasi_nosys;
constexpr HostFn path_create_directory = wasi_notsup;
constexpr HostFn path_remove_directory = wasi_notsup;
constexpr HostFn path_unlink_file = wasi_notsup;
constexpr HostFn path_filestat_get = wasi_notsup;
constexpr HostFn path_filestat_set_times = wasi_notsup;
constexpr HostFn path_link = wasi_notsup;
constexpr HostFn path_readlink = wasi_notsup;
constexpr HostFn path_rename = wasi_notsup;
constexpr HostFn path_symlink = wasi_notsup;
constexpr HostFn args_get = wasi_zero;
constexpr HostFn sched_yield = wasi_zero;
constexpr HostFn sock_accept = wasi_notsup;
constexpr HostFn sock_recv = wasi_notsup;
constexpr HostFn sock_send = wasi_notsup;
constexpr HostFn sock_shutdown = wasi_notsup;

uint8_t host_bits(unsigned versions) {
  uint8_t out = 0;
  if (versions & wasm::abi::k_v010) out |= k_abi_010;
  if (versions & wasm::abi::k_v020) out |= k_abi_020;
  if (versions & wasm::abi::k_v021) out |= k_abi_021;
  return out;
}

}  // namespace

const std::vector<HostCall>& env_calls() {
  using namespace wasm::abi;
#define EXT_BIND(name, signature, versions) {#name, signature, host_bits(versions), name},
  static const std::vector<HostCall> calls = {EXT_PROXY_WASM_ENV_FUNCTIONS(EXT_BIND)};
#undef EXT_BIND
  return calls;
}

const std::vector<HostCall>& wasi_calls() {
#define EXT_BIND(name, signature, generation) {#name, signature, k_abi_all, name},
  static const std::vector<HostCall> calls = {EXT_PROXY_WASM_WASI_FUNCTIONS(EXT_BIND)};
#undef EXT_BIND
  return calls;
}

std::optional<std::string_view> callback_signature(std::string_view name, AbiVersion abi) {
  const char* version = to_string(abi);
  const auto* f = wasm::abi::find_export(name, version);
  if (!f || !(f->versions & wasm::abi::version_bit(version))) return std::nullopt;
  return f->signature;
}

}  // namespace ext::host
