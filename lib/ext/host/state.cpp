#include "ext/host/state.hpp"

#include "ext/host/pairs.hpp"
#include "ext/util/strings.hpp"

namespace ext::host {

const char* to_string(Status s) {
  switch (s) {
    case Status::ok:
      return "OK";
    case Status::not_found:
      return "NOT_FOUND";
    case Status::bad_argument:
      return "BAD_ARGUMENT";
    case Status::serialization_failure:
      return "SERIALIZATION_FAILURE";
    case Status::parse_failure:
      return "PARSE_FAILURE";
    case Status::bad_expression:
      return "BAD_EXPRESSION";
    case Status::invalid_memory_access:
      return "INVALID_MEMORY_ACCESS";
    case Status::empty:
      return "EMPTY";
    case Status::cas_mismatch:
      return "CAS_MISMATCH";
    case Status::result_mismatch:
      return "RESULT_MISMATCH";
    case Status::internal_failure:
      return "INTERNAL_FAILURE";
    case Status::broken_connection:
      return "BROKEN_CONNECTION";
    case Status::unimplemented:
      return "UNIMPLEMENTED";
  }
  return "UNKNOWN";
}

const char* to_string(AbiVersion v) {
  switch (v) {
    case AbiVersion::v0_1_0:
      return "0.1.0";
    case AbiVersion::v0_2_0:
      return "0.2.0";
    case AbiVersion::v0_2_1:
      return "0.2.1";
  }
  return "?";
}

const char* to_string(MetricType t) {
  switch (t) {
    case MetricType::counter:
      return "counter";
    case MetricType::gauge:
      return "gauge";
    case MetricType::histogram:
      return "histogram";
  }
  return "?";
}

const char* to_string(LogLevel l) {
  switch (l) {
    case LogLevel::trace:
      return "trace";
    case LogLevel::debug:
      return "debug";
    case LogLevel::info:
      return "info";
    case LogLevel::warn:
      return "warn";
    case LogLevel::error:
      return "error";
    case LogLevel::critical:
      return "critical";
  }
  return "?";
}

std::optional<LogLevel> parse_log_level(std::string_view name) {
  for (int i = 0; i <= 5; ++i)
    if (name == to_string(static_cast<LogLevel>(i))) return static_cast<LogLevel>(i);
  if (name == "warning") return LogLevel::warn;
  return std::nullopt;
}

std::optional<std::string> header_value(const HeaderMap& map, std::string_view key) {
  std::optional<std::string> out;
  for (const auto& [k, v] : map) {
    if (k != key) continue;
    if (out) {
      *out += ",";
      *out += v;
    } else {
      out = v;
    }
  }
  return out;
}

Context* HostState::effective() {
  auto it = contexts.find(effective_context);
  return it == contexts.end() ? nullptr : &it->second;
}

Context* HostState::current() {
  auto it = contexts.find(current_context);
  return it == contexts.end() ? nullptr : &it->second;
}

void HostState::charge(uint64_t bytes, const char* what) {
  if (bytes > limits.hostcall_bytes)
    throw LimitExceeded(std::string(what) + " of " + std::to_string(bytes) +
                        " bytes exceeds the limit hostcall_bytes (" +
                        std::to_string(limits.hostcall_bytes) + ")");
  case_bytes_used += bytes;
  if (case_bytes_used > limits.case_bytes)
    throw LimitExceeded(std::string(what) + ": the case handed the host " +
                        std::to_string(case_bytes_used) + " bytes, over the limit case_bytes (" +
                        std::to_string(limits.case_bytes) + ")");
}

Metric* HostState::metric(uint32_t id) {
  auto it = metric_ids.find(id);
  return it == metric_ids.end() ? nullptr : &shared->metrics[it->second];
}

namespace {
std::string le64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  return s;
}

// request.* / response.* attributes Envoy derives from the stream [Envoy attributes docs].
std::optional<std::string> stream_attribute(const Context& c, const std::string& path) {
  // A map whose phase is over is gone for properties too (Envoy's findValue(REQUEST) reads
  // request_headers_, nulled after Continue), except in proxy_on_log (access_log_*).
  auto map_of = [&](MapType t) -> const HeaderMap* {
    auto i = static_cast<size_t>(t);
    auto& m = c.maps[i];
    if (!m || (c.map_closed[i] && !c.log_phase)) return nullptr;
    return &*m;
  };
  const HeaderMap* req = map_of(MapType::request_headers);
  const HeaderMap* resp = map_of(MapType::response_headers);
  auto req_header = [&](const char* k) -> std::optional<std::string> {
    return req ? header_value(*req, k) : std::nullopt;
  };
  // StreamInfo::startTime (Envoy filters/common/expr/context.cc "time"): 8-byte Unix nanoseconds.
  if (path == "request.time") return le64(c.start_ns);
  if (path == "request.path") return req_header(":path");
  if (path == "request.url_path") {
    auto p = req_header(":path");
    if (p) p = p->substr(0, p->find('?'));
    return p;
  }
  if (path == "request.host") return req_header(":authority");
  if (path == "request.method") return req_header(":method");
  if (path == "request.scheme") return req_header(":scheme");
  if (path == "request.id") return req_header("x-request-id");
  if (path == "request.useragent") return req_header("user-agent");
  if (path == "request.referer") return req_header("referer");
  if (path == "request.headers" && req) return serialize_pairs(*req);
  // Header names are looked up lower-cased (Envoy's header maps are).
  if (path.rfind("request.headers.", 0) == 0)
    return req_header(util::to_lower(path.substr(16)).c_str());
  if (path == "response.code" && resp) {
    auto s = header_value(*resp, ":status");
    if (s) {
      try {
        return le64(static_cast<uint64_t>(std::stoll(*s)));
      } catch (...) {
        return std::nullopt;
      }
    }
  }
  if (path == "response.headers" && resp) return serialize_pairs(*resp);
  if (path.rfind("response.headers.", 0) == 0 && resp)
    return header_value(*resp, util::to_lower(path.substr(17)));
  return std::nullopt;
}
}  // namespace

std::vector<HostState::PropertyLayer> HostState::property_layers() {
  std::vector<PropertyLayer> out;
  for (Context* x = effective(); x;) {
    out.push_back({&x->properties, &x->property_kinds});
    if (x->is_root()) break;
    auto p = contexts.find(x->parent);
    x = p == contexts.end() ? nullptr : &p->second;
  }
  out.push_back({&config.properties, &config.property_kinds});
  return out;
}

std::optional<std::string> HostState::property(const std::string& path) {
  Context* c = effective();
  for (Context* x = c; x;) {
    auto it = x->properties.find(path);
    if (it != x->properties.end()) return it->second;
    if (x->is_root()) break;
    auto p = contexts.find(x->parent);
    x = p == contexts.end() ? nullptr : &p->second;
  }
  if (auto it = config.properties.find(path); it != config.properties.end()) return it->second;
  if (path == "plugin_root_id") return config.root_id;
  if (path == "plugin_name")
    return config.plugin_name.empty() ? config.root_id : config.plugin_name;
  if (path == "plugin_vm_id") return config.vm_id;
  if (c && !c->is_root()) {
    if (path == "connection.id" || path == "connection_id") return le64(c->id);
    return stream_attribute(*c, path);
  }
  return std::nullopt;
}

}  // namespace ext::host
