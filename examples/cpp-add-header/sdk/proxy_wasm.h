// proxy_wasm.h -- a small, header-only proxy-wasm SDK for C++ filters (ABI v0.2.1).
//
// Written for `ext` from the ABI specification (proxy-wasm/spec v0.2.1). The names follow the
// official proxy-wasm C++ SDK (RootContext, Context, RegisterContextFactory, onConfigure,
// onRequestHeaders, addResponseHeader, sendLocalResponse, LOG_INFO, ...) so filters written
// for that SDK port with few changes, but none of its code is used here.
//
// Build with clang for wasm32-wasi as a reactor (`ext build` does it):
//   clang++ --target=wasm32-wasi -mexec-model=reactor -fno-exceptions -Isdk filter.cc
// Include this header from any number of .cc files: the exported callbacks are inline
// functions kept by the linker once.
//
// Covered: headers, bodies, trailers, local responses, properties, logging, metrics, timers,
// shared data and queues, HTTP calls, stream control, foreign functions.
#pragma once

#include <stdlib.h>
#include <string.h>

#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "proxy_wasm_abi.h"

// ---------------------------------------------------------------------------------------------
// Data owned by the module after a host call (headers, bodies, properties, configuration).

using HeaderStringPairs = std::vector<std::pair<std::string, std::string>>;
using Pairs = std::vector<std::pair<std::string_view, std::string_view>>;

class WasmData {
 public:
  WasmData(const char* data, size_t size) : m_data(data), m_size(size) {}
  ~WasmData() { ::free(const_cast<char*>(m_data)); }
  WasmData(const WasmData&) = delete;
  WasmData& operator=(const WasmData&) = delete;

  const char* data() const { return m_data; }
  size_t size() const { return m_size; }
  std::string_view view() const { return {m_data ? m_data : "", m_size}; }
  std::string toString() const { return std::string(view()); }
  // The data read as serialized header pairs (spec "Serialization"); views into this buffer.
  Pairs pairs() const;

 private:
  const char* m_data;
  size_t m_size;
};
using WasmDataPtr = std::unique_ptr<WasmData>;

namespace proxy_wasm {

// Pairs wire format: u32 count, count x {u32 key_len, u32 value_len}, then each key and value
// followed by a NUL. Little-endian (wasm is little-endian, so memcpy of uint32_t is right).
inline std::string serializePairs(const HeaderStringPairs& pairs) {
  size_t total = 4;
  for (const auto& [k, v] : pairs) total += 8 + k.size() + v.size() + 2;
  std::string out(total, '\0');
  char* p = out.data();
  uint32_t n = static_cast<uint32_t>(pairs.size());
  ::memcpy(p, &n, 4);
  p += 4;
  for (const auto& [k, v] : pairs) {
    uint32_t ks = static_cast<uint32_t>(k.size()), vs = static_cast<uint32_t>(v.size());
    ::memcpy(p, &ks, 4);
    ::memcpy(p + 4, &vs, 4);
    p += 8;
  }
  for (const auto& [k, v] : pairs) {
    ::memcpy(p, k.data(), k.size());
    p += k.size() + 1;
    ::memcpy(p, v.data(), v.size());
    p += v.size() + 1;
  }
  return out;
}

inline Pairs deserializePairs(const char* data, size_t size) {
  Pairs out;
  if (!data || size < 4) return out;
  uint32_t n;
  ::memcpy(&n, data, 4);
  if (n > 1024 || 4 + size_t{n} * 8 > size) return out;
  const char* sizes = data + 4;
  const char* p = sizes + size_t{n} * 8;
  const char* end = data + size;
  out.reserve(n);
  for (uint32_t i = 0; i < n; ++i) {
    uint32_t ks, vs;
    ::memcpy(&ks, sizes + 8 * i, 4);
    ::memcpy(&vs, sizes + 8 * i + 4, 4);
    if (static_cast<size_t>(end - p) < size_t{ks} + vs + 2) return {};
    std::string_view k(p, ks);
    p += ks + 1;
    std::string_view v(p, vs);
    p += vs + 1;
    out.emplace_back(k, v);
  }
  return out;
}

inline WasmDataPtr wrap(const char* data, size_t size) {
  return std::make_unique<WasmData>(data, size);
}

}  // namespace proxy_wasm

inline Pairs WasmData::pairs() const {
  return proxy_wasm::deserializePairs(m_data, m_size);
}

// ---------------------------------------------------------------------------------------------
// Logging

inline WasmResult logMessage(LogLevel level, std::string_view message) {
  return static_cast<WasmResult>(
      proxy_log(static_cast<uint32_t>(level), message.data(), message.size()));
}
inline WasmResult logTrace(std::string_view m) {
  return logMessage(LogLevel::trace, m);
}
inline WasmResult logDebug(std::string_view m) {
  return logMessage(LogLevel::debug, m);
}
inline WasmResult logInfo(std::string_view m) {
  return logMessage(LogLevel::info, m);
}
inline WasmResult logWarn(std::string_view m) {
  return logMessage(LogLevel::warn, m);
}
inline WasmResult logError(std::string_view m) {
  return logMessage(LogLevel::error, m);
}
inline WasmResult logCritical(std::string_view m) {
  return logMessage(LogLevel::critical, m);
}

inline WasmResult getLogLevel(LogLevel* level) {
  uint32_t l = 0;
  auto r = static_cast<WasmResult>(proxy_get_log_level(&l));
  if (r == WasmResult::Ok) *level = static_cast<LogLevel>(l);
  return r;
}

// The message is any expression convertible to std::string_view (e.g. std::string + ...).
#define LOG_TRACE(...) logTrace(__VA_ARGS__)
#define LOG_DEBUG(...) logDebug(__VA_ARGS__)
#define LOG_INFO(...) logInfo(__VA_ARGS__)
#define LOG_WARN(...) logWarn(__VA_ARGS__)
#define LOG_ERROR(...) logError(__VA_ARGS__)
#define LOG_CRITICAL(...) logCritical(__VA_ARGS__)

// ---------------------------------------------------------------------------------------------
// Clock and timers

inline uint64_t getCurrentTimeNanoseconds() {
  uint64_t t = 0;
  proxy_get_current_time_nanoseconds(&t);
  return t;
}
// Calls RootContext::onTick every `period` ms on the root context that asks; 0 stops.
inline WasmResult setTickPeriodMilliseconds(uint32_t period) {
  return static_cast<WasmResult>(proxy_set_tick_period_milliseconds(period));
}

// ---------------------------------------------------------------------------------------------
// Buffers: request/response bodies, TCP data, configuration, http call response body

inline WasmDataPtr getBufferBytes(WasmBufferType type, size_t start, size_t length) {
  const char* data = nullptr;
  size_t size = 0;
  proxy_get_buffer_bytes(static_cast<uint32_t>(type), start, length, &data, &size);
  return proxy_wasm::wrap(data, size);
}
inline WasmResult getBufferStatus(WasmBufferType type, size_t* size, uint32_t* flags) {
  return static_cast<WasmResult>(proxy_get_buffer_status(static_cast<uint32_t>(type), size, flags));
}
// Replaces `length` bytes at `start` with `data`: (0, 0) prepends, (size, 0) appends,
// (0, size) replaces everything.
inline WasmResult setBuffer(WasmBufferType type, size_t start, size_t length,
                            std::string_view data) {
  return static_cast<WasmResult>(
      proxy_set_buffer_bytes(static_cast<uint32_t>(type), start, length, data.data(), data.size()));
}

// ---------------------------------------------------------------------------------------------
// Header maps

inline WasmDataPtr getHeaderMapValue(WasmHeaderMapType type, std::string_view key) {
  const char* data = nullptr;
  size_t size = 0;
  proxy_get_header_map_value(static_cast<uint32_t>(type), key.data(), key.size(), &data, &size);
  return proxy_wasm::wrap(data, size);
}
// Like getHeaderMapValue, but tells a missing header (nullopt) from an empty one.
inline std::optional<WasmDataPtr> findHeaderMapValue(WasmHeaderMapType type, std::string_view key) {
  const char* data = nullptr;
  size_t size = 0;
  auto r =
      proxy_get_header_map_value(static_cast<uint32_t>(type), key.data(), key.size(), &data, &size);
  if (static_cast<WasmResult>(r) != WasmResult::Ok) return std::nullopt;
  return proxy_wasm::wrap(data, size);
}
inline WasmResult addHeaderMapValue(WasmHeaderMapType type, std::string_view key,
                                    std::string_view value) {
  return static_cast<WasmResult>(proxy_add_header_map_value(
      static_cast<uint32_t>(type), key.data(), key.size(), value.data(), value.size()));
}
inline WasmResult replaceHeaderMapValue(WasmHeaderMapType type, std::string_view key,
                                        std::string_view value) {
  return static_cast<WasmResult>(proxy_replace_header_map_value(
      static_cast<uint32_t>(type), key.data(), key.size(), value.data(), value.size()));
}
inline WasmResult removeHeaderMapValue(WasmHeaderMapType type, std::string_view key) {
  return static_cast<WasmResult>(
      proxy_remove_header_map_value(static_cast<uint32_t>(type), key.data(), key.size()));
}
inline WasmDataPtr getHeaderMapPairs(WasmHeaderMapType type) {
  const char* data = nullptr;
  size_t size = 0;
  proxy_get_header_map_pairs(static_cast<uint32_t>(type), &data, &size);
  return proxy_wasm::wrap(data, size);
}
inline WasmResult setHeaderMapPairs(WasmHeaderMapType type, const HeaderStringPairs& pairs) {
  auto s = proxy_wasm::serializePairs(pairs);
  return static_cast<WasmResult>(
      proxy_set_header_map_pairs(static_cast<uint32_t>(type), s.data(), s.size()));
}
inline WasmResult getHeaderMapSize(WasmHeaderMapType type, size_t* size) {
  return static_cast<WasmResult>(proxy_get_header_map_size(static_cast<uint32_t>(type), size));
}

#define PROXY_WASM_HEADER_ACCESSORS(Name, Type)                                   \
  inline WasmDataPtr get##Name(std::string_view key) {                            \
    return getHeaderMapValue(Type, key);                                          \
  }                                                                               \
  inline WasmResult add##Name(std::string_view key, std::string_view value) {     \
    return addHeaderMapValue(Type, key, value);                                   \
  }                                                                               \
  inline WasmResult replace##Name(std::string_view key, std::string_view value) { \
    return replaceHeaderMapValue(Type, key, value);                               \
  }                                                                               \
  inline WasmResult remove##Name(std::string_view key) {                          \
    return removeHeaderMapValue(Type, key);                                       \
  }                                                                               \
  inline WasmDataPtr get##Name##Pairs() {                                         \
    return getHeaderMapPairs(Type);                                               \
  }                                                                               \
  inline WasmResult set##Name##Pairs(const HeaderStringPairs& pairs) {            \
    return setHeaderMapPairs(Type, pairs);                                        \
  }                                                                               \
  inline WasmResult get##Name##Size(size_t* size) {                               \
    return getHeaderMapSize(Type, size);                                          \
  }

PROXY_WASM_HEADER_ACCESSORS(RequestHeader, WasmHeaderMapType::RequestHeaders)
PROXY_WASM_HEADER_ACCESSORS(RequestTrailer, WasmHeaderMapType::RequestTrailers)
PROXY_WASM_HEADER_ACCESSORS(ResponseHeader, WasmHeaderMapType::ResponseHeaders)
PROXY_WASM_HEADER_ACCESSORS(ResponseTrailer, WasmHeaderMapType::ResponseTrailers)
#undef PROXY_WASM_HEADER_ACCESSORS

// ---------------------------------------------------------------------------------------------
// Stream control and local responses

inline WasmResult continueRequest() {
  return static_cast<WasmResult>(proxy_continue_stream(uint32_t(WasmStreamType::Request)));
}
inline WasmResult continueResponse() {
  return static_cast<WasmResult>(proxy_continue_stream(uint32_t(WasmStreamType::Response)));
}
inline WasmResult closeRequest() {
  return static_cast<WasmResult>(proxy_close_stream(uint32_t(WasmStreamType::Request)));
}
inline WasmResult closeResponse() {
  return static_cast<WasmResult>(proxy_close_stream(uint32_t(WasmStreamType::Response)));
}

// Replies to the client without reaching the upstream. `details` is a short token Envoy logs.
inline WasmResult sendLocalResponse(uint32_t response_code, std::string_view details,
                                    std::string_view body,
                                    const HeaderStringPairs& additional_headers,
                                    GrpcStatus grpc_status = GrpcStatus::InvalidCode) {
  auto h = proxy_wasm::serializePairs(additional_headers);
  return static_cast<WasmResult>(proxy_send_local_response(
      response_code, details.data(), details.size(), body.data(), body.size(), h.data(), h.size(),
      static_cast<int32_t>(grpc_status)));
}

// Status of an http call response (in the callback) : code and message.
inline WasmResult getStatus(uint32_t* code, WasmDataPtr* message) {
  const char* data = nullptr;
  size_t size = 0;
  auto r = static_cast<WasmResult>(proxy_get_status(code, &data, &size));
  if (message)
    *message = proxy_wasm::wrap(data, size);
  else
    ::free(const_cast<char*>(data));
  return r;
}

// ---------------------------------------------------------------------------------------------
// Properties: paths are segments, e.g. {"request", "headers", "x-id"} or {"plugin_root_id"}.

namespace proxy_wasm {
inline std::string propertyPath(std::initializer_list<std::string_view> parts) {
  std::string path;
  for (auto p : parts) {
    if (!path.empty()) path.push_back('\0');
    path.append(p.data(), p.size());
  }
  return path;
}
}  // namespace proxy_wasm

inline std::optional<WasmDataPtr> getProperty(std::initializer_list<std::string_view> parts) {
  auto path = proxy_wasm::propertyPath(parts);
  const char* data = nullptr;
  size_t size = 0;
  auto r = proxy_get_property(path.data(), path.size(), &data, &size);
  if (static_cast<WasmResult>(r) != WasmResult::Ok) return std::nullopt;
  return proxy_wasm::wrap(data, size);
}
// Strings as raw bytes; integers as 8-byte little-endian values (Envoy's encoding).
inline bool getValue(std::initializer_list<std::string_view> parts, std::string* out) {
  auto v = getProperty(parts);
  if (!v) return false;
  *out = (*v)->toString();
  return true;
}
inline bool getValue(std::initializer_list<std::string_view> parts, int64_t* out) {
  auto v = getProperty(parts);
  if (!v || (*v)->size() != sizeof(int64_t)) return false;
  ::memcpy(out, (*v)->data(), sizeof(int64_t));
  return true;
}
inline bool getValue(std::initializer_list<std::string_view> parts, uint64_t* out) {
  auto v = getProperty(parts);
  if (!v || (*v)->size() != sizeof(uint64_t)) return false;
  ::memcpy(out, (*v)->data(), sizeof(uint64_t));
  return true;
}
inline bool getValue(std::initializer_list<std::string_view> parts, bool* out) {
  auto v = getProperty(parts);
  if (!v || (*v)->size() != 1) return false;
  *out = (*v)->data()[0] != 0;
  return true;
}
inline WasmResult setProperty(std::string_view key, std::string_view value) {
  return static_cast<WasmResult>(
      proxy_set_property(key.data(), key.size(), value.data(), value.size()));
}
inline WasmResult setFilterState(std::string_view key, std::string_view value) {
  return setProperty(key, value);
}

// ---------------------------------------------------------------------------------------------
// Metrics. Define metrics from onConfigure/onStart, never from a global constructor (the host
// refuses proxy_* calls while the module starts).

inline WasmResult defineMetric(MetricType type, std::string_view name, uint32_t* metric_id) {
  return static_cast<WasmResult>(
      proxy_define_metric(static_cast<uint32_t>(type), name.data(), name.size(), metric_id));
}
inline WasmResult incrementMetric(uint32_t metric_id, int64_t offset) {
  return static_cast<WasmResult>(proxy_increment_metric(metric_id, offset));
}
inline WasmResult recordMetric(uint32_t metric_id, uint64_t value) {
  return static_cast<WasmResult>(proxy_record_metric(metric_id, value));
}
inline WasmResult getMetric(uint32_t metric_id, uint64_t* value) {
  return static_cast<WasmResult>(proxy_get_metric(metric_id, value));
}

// A named metric, defined on first use.
class Metric {
 public:
  Metric(MetricType type, std::string name) : m_type(type), m_name(std::move(name)) {}
  uint32_t id() {
    if (!m_defined) m_defined = defineMetric(m_type, m_name, &m_id) == WasmResult::Ok;
    return m_id;
  }
  const std::string& name() const { return m_name; }

 protected:
  MetricType m_type;
  std::string m_name;
  uint32_t m_id = 0;
  bool m_defined = false;
};
class Counter : public Metric {
 public:
  explicit Counter(std::string name) : Metric(MetricType::Counter, std::move(name)) {}
  void increment(uint64_t by = 1) { incrementMetric(id(), static_cast<int64_t>(by)); }
  uint64_t get() {
    uint64_t v = 0;
    getMetric(id(), &v);
    return v;
  }
};
class Gauge : public Metric {
 public:
  explicit Gauge(std::string name) : Metric(MetricType::Gauge, std::move(name)) {}
  void record(uint64_t value) { recordMetric(id(), value); }
  void increment(int64_t by) { incrementMetric(id(), by); }
  uint64_t get() {
    uint64_t v = 0;
    getMetric(id(), &v);
    return v;
  }
};
class Histogram : public Metric {
 public:
  explicit Histogram(std::string name) : Metric(MetricType::Histogram, std::move(name)) {}
  void record(uint64_t value) { recordMetric(id(), value); }
};

// ---------------------------------------------------------------------------------------------
// Shared data (key/value shared by all VMs of a vm_id) and shared queues

inline WasmResult getSharedData(std::string_view key, WasmDataPtr* value, uint32_t* cas = nullptr) {
  const char* data = nullptr;
  size_t size = 0;
  uint32_t c = 0;
  auto r = static_cast<WasmResult>(proxy_get_shared_data(key.data(), key.size(), &data, &size, &c));
  if (r == WasmResult::Ok) {
    *value = proxy_wasm::wrap(data, size);
    if (cas) *cas = c;
  }
  return r;
}
// cas 0 = unconditional; else the write fails with CasMismatch if someone wrote since.
inline WasmResult setSharedData(std::string_view key, std::string_view value, uint32_t cas = 0) {
  return static_cast<WasmResult>(
      proxy_set_shared_data(key.data(), key.size(), value.data(), value.size(), cas));
}
inline WasmResult registerSharedQueue(std::string_view name, uint32_t* token) {
  return static_cast<WasmResult>(proxy_register_shared_queue(name.data(), name.size(), token));
}
inline WasmResult resolveSharedQueue(std::string_view vm_id, std::string_view name,
                                     uint32_t* token) {
  return static_cast<WasmResult>(
      proxy_resolve_shared_queue(vm_id.data(), vm_id.size(), name.data(), name.size(), token));
}
inline WasmResult enqueueSharedQueue(uint32_t token, std::string_view data) {
  return static_cast<WasmResult>(proxy_enqueue_shared_queue(token, data.data(), data.size()));
}
// Empty when there is nothing to read.
inline WasmResult dequeueSharedQueue(uint32_t token, WasmDataPtr* data) {
  const char* d = nullptr;
  size_t size = 0;
  auto r = static_cast<WasmResult>(proxy_dequeue_shared_queue(token, &d, &size));
  if (r == WasmResult::Ok) *data = proxy_wasm::wrap(d, size);
  return r;
}

// ---------------------------------------------------------------------------------------------
// Foreign functions (host extensions) and context control

inline WasmResult callForeignFunction(std::string_view name, std::string_view arguments,
                                      WasmDataPtr* results) {
  const char* data = nullptr;
  size_t size = 0;
  auto r = static_cast<WasmResult>(proxy_call_foreign_function(
      name.data(), name.size(), arguments.data(), arguments.size(), &data, &size));
  if (results)
    *results = proxy_wasm::wrap(data, size);
  else
    ::free(const_cast<char*>(data));
  return r;
}
inline WasmResult setEffectiveContext(uint32_t context_id) {
  return static_cast<WasmResult>(proxy_set_effective_context(context_id));
}

// ---------------------------------------------------------------------------------------------
// Contexts

class RootContext;

// What every context has: its id and the lifecycle callbacks.
class ContextBase {
 public:
  explicit ContextBase(uint32_t id) : m_id(id) {}
  virtual ~ContextBase() = default;
  uint32_t id() const { return m_id; }

  virtual RootContext* asRoot() { return nullptr; }
  virtual void onCreate() {}
  // Return false to finish later with done().
  virtual bool onDone() { return true; }
  virtual void onLog() {}
  virtual void onDelete() {}
  // Makes this context the current one (from a timer, queue or http call callback).
  WasmResult setEffectiveContext() { return ::setEffectiveContext(m_id); }
  WasmResult done() { return static_cast<WasmResult>(proxy_done()); }

 private:
  uint32_t m_id;
};

// Called with the response of an http call: header count (0 = the call failed or timed out),
// body size and trailer count; read them with getHeaderMapPairs(HttpCallResponseHeaders) and
// getBufferBytes(HttpCallResponseBody, 0, body_size).
using HttpCallCallback = std::function<void(uint32_t headers, size_t body_size, uint32_t trailers)>;

// One per plugin (root id) per VM: configuration, timers, queues, http calls.
class RootContext : public ContextBase {
 public:
  RootContext(uint32_t id, std::string_view root_id) : ContextBase(id), m_root_id(root_id) {}
  RootContext* asRoot() override { return this; }
  std::string_view root_id() const { return m_root_id; }

  // Sizes of the VM configuration / plugin configuration; read them with
  // getBufferBytes(WasmBufferType::VmConfiguration / PluginConfiguration, 0, size).
  virtual bool onStart(size_t /*vm_configuration_size*/) { return true; }
  virtual bool validateConfiguration(size_t /*configuration_size*/) { return true; }
  virtual bool onConfigure(size_t /*configuration_size*/) { return true; }
  virtual void onTick() {}
  virtual void onQueueReady(uint32_t /*token*/) {}
  virtual void onForeignFunction(uint32_t /*function_id*/, size_t /*arguments_size*/) {}

  // Sends an HTTP request to the Envoy cluster named `cluster`. Headers must hold :method,
  // :path and :authority.
  WasmResult httpCall(std::string_view cluster, const HeaderStringPairs& headers,
                      std::string_view body, const HeaderStringPairs& trailers,
                      uint32_t timeout_milliseconds, HttpCallCallback callback) {
    auto h = proxy_wasm::serializePairs(headers);
    auto t = proxy_wasm::serializePairs(trailers);
    uint32_t token = 0;
    auto r = static_cast<WasmResult>(proxy_http_call(cluster.data(), cluster.size(), h.data(),
                                                     h.size(), body.data(), body.size(), t.data(),
                                                     t.size(), timeout_milliseconds, &token));
    if (r == WasmResult::Ok) m_http_calls[token] = std::move(callback);
    return r;
  }
  // Dispatches proxy_on_http_call_response; override to handle responses yourself.
  virtual void onHttpCallResponse(uint32_t token, uint32_t headers, size_t body_size,
                                  uint32_t trailers) {
    auto it = m_http_calls.find(token);
    if (it == m_http_calls.end()) return;
    auto callback = std::move(it->second);
    m_http_calls.erase(it);
    if (callback) callback(headers, body_size, trailers);
  }

 private:
  std::string m_root_id;
  std::unordered_map<uint32_t, HttpCallCallback> m_http_calls;
};

// One per HTTP stream or TCP connection.
class Context : public ContextBase {
 public:
  Context(uint32_t id, RootContext* root) : ContextBase(id), m_root(root) {}
  RootContext* root() const { return m_root; }

  // TCP
  virtual FilterStatus onNewConnection() { return FilterStatus::Continue; }
  virtual FilterStatus onDownstreamData(size_t /*size*/, bool /*end_of_stream*/) {
    return FilterStatus::Continue;
  }
  virtual FilterStatus onUpstreamData(size_t /*size*/, bool /*end_of_stream*/) {
    return FilterStatus::Continue;
  }
  virtual void onDownstreamConnectionClose(CloseType) {}
  virtual void onUpstreamConnectionClose(CloseType) {}

  // HTTP
  virtual FilterHeadersStatus onRequestHeaders(uint32_t /*headers*/, bool /*end_of_stream*/) {
    return FilterHeadersStatus::Continue;
  }
  virtual FilterDataStatus onRequestBody(size_t /*body_size*/, bool /*end_of_stream*/) {
    return FilterDataStatus::Continue;
  }
  virtual FilterTrailersStatus onRequestTrailers(uint32_t /*trailers*/) {
    return FilterTrailersStatus::Continue;
  }
  virtual FilterHeadersStatus onResponseHeaders(uint32_t /*headers*/, bool /*end_of_stream*/) {
    return FilterHeadersStatus::Continue;
  }
  virtual FilterDataStatus onResponseBody(size_t /*body_size*/, bool /*end_of_stream*/) {
    return FilterDataStatus::Continue;
  }
  virtual FilterTrailersStatus onResponseTrailers(uint32_t /*trailers*/) {
    return FilterTrailersStatus::Continue;
  }

 private:
  RootContext* m_root;
};

using RootFactory = std::unique_ptr<RootContext> (*)(uint32_t id, std::string_view root_id);
using ContextFactory = std::unique_ptr<Context> (*)(uint32_t id, RootContext* root);

#define ROOT_FACTORY(T)                                                       \
  [](uint32_t id, std::string_view root_id) -> std::unique_ptr<RootContext> { \
    return std::make_unique<T>(id, root_id);                                  \
  }
#define CONTEXT_FACTORY(T)                                         \
  [](uint32_t id, RootContext* root) -> std::unique_ptr<Context> { \
    return std::make_unique<T>(id, root);                          \
  }

namespace proxy_wasm {

struct Factories {
  RootFactory root = nullptr;
  ContextFactory context = nullptr;
};

// Process-wide state: factories by root id, live contexts by id.
struct Registry {
  std::unordered_map<std::string, Factories> factories;
  std::unordered_map<uint32_t, std::unique_ptr<ContextBase>> contexts;
};
inline Registry& registry() {
  static Registry r;
  return r;
}

template <class T = ContextBase>
T* findContext(uint32_t id) {
  auto& c = registry().contexts;
  auto it = c.find(id);
  return it == c.end() ? nullptr : static_cast<T*>(it->second.get());
}
inline RootContext* findRoot(uint32_t id) {
  auto* c = findContext(id);
  return c ? c->asRoot() : nullptr;
}
inline Context* findStream(uint32_t id) {
  auto* c = findContext(id);
  return c && !c->asRoot() ? static_cast<Context*>(c) : nullptr;
}

inline void createContext(uint32_t id, uint32_t parent_id) {
  auto& reg = registry();
  if (parent_id == 0) {
    std::string root_id;
    getValue({"plugin_root_id"}, &root_id);
    auto it = reg.factories.find(root_id);
    // A single registration serves any root id (like the official SDK's "" root id).
    if (it == reg.factories.end() && reg.factories.size() == 1) it = reg.factories.begin();
    std::unique_ptr<RootContext> root;
    if (it != reg.factories.end() && it->second.root)
      root = it->second.root(id, root_id);
    else
      root = std::make_unique<RootContext>(id, root_id);
    root->onCreate();
    reg.contexts[id] = std::move(root);
    return;
  }
  RootContext* root = findRoot(parent_id);
  std::unique_ptr<Context> ctx;
  if (root) {
    auto it = reg.factories.find(std::string(root->root_id()));
    if (it == reg.factories.end() && reg.factories.size() == 1) it = reg.factories.begin();
    if (it != reg.factories.end() && it->second.context) ctx = it->second.context(id, root);
  }
  if (!ctx) ctx = std::make_unique<Context>(id, root);
  ctx->onCreate();
  reg.contexts[id] = std::move(ctx);
}

}  // namespace proxy_wasm

// Registers the factories for a root id. Use at namespace scope:
//   static RegisterContextFactory reg(CONTEXT_FACTORY(MyContext), ROOT_FACTORY(MyRoot), "my_id");
// Runs during module start-up: it only records the factories (no host calls).
struct RegisterContextFactory {
  RegisterContextFactory(ContextFactory context, RootFactory root, std::string_view root_id = "") {
    proxy_wasm::registry().factories[std::string(root_id)] = {root, context};
  }
  explicit RegisterContextFactory(ContextFactory context, std::string_view root_id = "")
      : RegisterContextFactory(context, nullptr, root_id) {}
};

// ---------------------------------------------------------------------------------------------
// The module's exports (spec "Callbacks"), dispatched to the contexts above.

#define PROXY_WASM_EXPORT(name) extern "C" inline __attribute__((used, export_name(#name)))

PROXY_WASM_EXPORT(proxy_abi_version_0_2_1) void proxy_abi_version_0_2_1() {}

PROXY_WASM_EXPORT(proxy_on_memory_allocate) void* proxy_on_memory_allocate(size_t size) {
  return ::malloc(size);
}

PROXY_WASM_EXPORT(proxy_on_context_create)
void proxy_on_context_create(uint32_t context_id, uint32_t parent_context_id) {
  proxy_wasm::createContext(context_id, parent_context_id);
}

PROXY_WASM_EXPORT(proxy_on_vm_start)
uint32_t proxy_on_vm_start(uint32_t root_id, uint32_t vm_configuration_size) {
  auto* r = proxy_wasm::findRoot(root_id);
  return r ? r->onStart(vm_configuration_size) : 1;
}
PROXY_WASM_EXPORT(proxy_validate_configuration)
uint32_t proxy_validate_configuration(uint32_t root_id, uint32_t configuration_size) {
  auto* r = proxy_wasm::findRoot(root_id);
  return r ? r->validateConfiguration(configuration_size) : 1;
}
PROXY_WASM_EXPORT(proxy_on_configure)
uint32_t proxy_on_configure(uint32_t root_id, uint32_t configuration_size) {
  auto* r = proxy_wasm::findRoot(root_id);
  return r ? r->onConfigure(configuration_size) : 1;
}
PROXY_WASM_EXPORT(proxy_on_tick) void proxy_on_tick(uint32_t root_id) {
  if (auto* r = proxy_wasm::findRoot(root_id)) r->onTick();
}
PROXY_WASM_EXPORT(proxy_on_queue_ready)
void proxy_on_queue_ready(uint32_t root_id, uint32_t token) {
  if (auto* r = proxy_wasm::findRoot(root_id)) r->onQueueReady(token);
}
PROXY_WASM_EXPORT(proxy_on_foreign_function)
void proxy_on_foreign_function(uint32_t root_id, uint32_t function_id, uint32_t arguments_size) {
  if (auto* r = proxy_wasm::findRoot(root_id)) r->onForeignFunction(function_id, arguments_size);
}
PROXY_WASM_EXPORT(proxy_on_http_call_response)
void proxy_on_http_call_response(uint32_t root_id, uint32_t token, uint32_t headers,
                                 uint32_t body_size, uint32_t trailers) {
  if (auto* r = proxy_wasm::findRoot(root_id))
    r->onHttpCallResponse(token, headers, body_size, trailers);
}

PROXY_WASM_EXPORT(proxy_on_new_connection) uint32_t proxy_on_new_connection(uint32_t id) {
  auto* c = proxy_wasm::findStream(id);
  return static_cast<uint32_t>(c ? c->onNewConnection() : FilterStatus::Continue);
}
PROXY_WASM_EXPORT(proxy_on_downstream_data)
uint32_t proxy_on_downstream_data(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  auto* c = proxy_wasm::findStream(id);
  return static_cast<uint32_t>(c ? c->onDownstreamData(size, end_of_stream != 0)
                                 : FilterStatus::Continue);
}
PROXY_WASM_EXPORT(proxy_on_upstream_data)
uint32_t proxy_on_upstream_data(uint32_t id, uint32_t size, uint32_t end_of_stream) {
  auto* c = proxy_wasm::findStream(id);
  return static_cast<uint32_t>(c ? c->onUpstreamData(size, end_of_stream != 0)
                                 : FilterStatus::Continue);
}
PROXY_WASM_EXPORT(proxy_on_downstream_connection_close)
void proxy_on_downstream_connection_close(uint32_t id, uint32_t peer) {
  if (auto* c = proxy_wasm::findStream(id))
    c->onDownstreamConnectionClose(static_cast<CloseType>(peer));
}
PROXY_WASM_EXPORT(proxy_on_upstream_connection_close)
void proxy_on_upstream_connection_close(uint32_t id, uint32_t peer) {
  if (auto* c = proxy_wasm::findStream(id))
    c->onUpstreamConnectionClose(static_cast<CloseType>(peer));
}

PROXY_WASM_EXPORT(proxy_on_request_headers)
uint32_t proxy_on_request_headers(uint32_t id, uint32_t headers, uint32_t end_of_stream) {
  auto* c = proxy_wasm::findStream(id);
  return static_cast<uint32_t>(c ? c->onRequestHeaders(headers, end_of_stream != 0)
                                 : FilterHeadersStatus::Continue);
}
PROXY_WASM_EXPORT(proxy_on_request_body)
uint32_t proxy_on_request_body(uint32_t id, uint32_t body_size, uint32_t end_of_stream) {
  auto* c = proxy_wasm::findStream(id);
  return static_cast<uint32_t>(c ? c->onRequestBody(body_size, end_of_stream != 0)
                                 : FilterDataStatus::Continue);
}
PROXY_WASM_EXPORT(proxy_on_request_trailers)
uint32_t proxy_on_request_trailers(uint32_t id, uint32_t trailers) {
  auto* c = proxy_wasm::findStream(id);
  return static_cast<uint32_t>(c ? c->onRequestTrailers(trailers) : FilterTrailersStatus::Continue);
}
PROXY_WASM_EXPORT(proxy_on_response_headers)
uint32_t proxy_on_response_headers(uint32_t id, uint32_t headers, uint32_t end_of_stream) {
  auto* c = proxy_wasm::findStream(id);
  return static_cast<uint32_t>(c ? c->onResponseHeaders(headers, end_of_stream != 0)
                                 : FilterHeadersStatus::Continue);
}
PROXY_WASM_EXPORT(proxy_on_response_body)
uint32_t proxy_on_response_body(uint32_t id, uint32_t body_size, uint32_t end_of_stream) {
  auto* c = proxy_wasm::findStream(id);
  return static_cast<uint32_t>(c ? c->onResponseBody(body_size, end_of_stream != 0)
                                 : FilterDataStatus::Continue);
}
PROXY_WASM_EXPORT(proxy_on_response_trailers)
uint32_t proxy_on_response_trailers(uint32_t id, uint32_t trailers) {
  auto* c = proxy_wasm::findStream(id);
  return static_cast<uint32_t>(c ? c->onResponseTrailers(trailers)
                                 : FilterTrailersStatus::Continue);
}

PROXY_WASM_EXPORT(proxy_on_done) uint32_t proxy_on_done(uint32_t id) {
  auto* c = proxy_wasm::findContext(id);
  return c ? c->onDone() : 1;
}
PROXY_WASM_EXPORT(proxy_on_log) void proxy_on_log(uint32_t id) {
  if (auto* c = proxy_wasm::findContext(id)) c->onLog();
}
PROXY_WASM_EXPORT(proxy_on_delete) void proxy_on_delete(uint32_t id) {
  auto& contexts = proxy_wasm::registry().contexts;
  auto it = contexts.find(id);
  if (it == contexts.end()) return;
  it->second->onDelete();
  contexts.erase(it);
}

#undef PROXY_WASM_EXPORT
