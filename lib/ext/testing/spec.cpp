// Test spec parsing: YAML read by ext::yaml (its limits, file:line:col positions), then strict
// (unknown keys are errors with their position), so a typo never silently turns an expectation
// off.
#include "ext/testing/spec.hpp"

#include <charconv>
#include <nlohmann/json.hpp>
#include <set>

#include <cstring>

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"
#include "ext/yaml/yaml.hpp"

namespace ext::testing {

std::string encode_int(int64_t v) {
  std::string s(8, '\0');
  auto u = static_cast<uint64_t>(v);
  for (int i = 0; i < 8; ++i) s[i] = static_cast<char>((u >> (8 * i)) & 0xff);
  return s;
}
std::string encode_bool(bool v) {
  return std::string(1, v ? '\1' : '\0');
}
static std::string encode_double(double v) {
  uint64_t u = 0;
  static_assert(sizeof u == sizeof v);
  std::memcpy(&u, &v, sizeof u);
  return encode_int(static_cast<int64_t>(u));
}

// Metadata (node.metadata, metadata, xds.*_metadata ...) is a protobuf Struct: Envoy hands
// its numbers to the filter as 8-byte doubles (google.protobuf.Value has no integer).
static bool is_struct_path(std::string_view key) {
  size_t start = 0;
  while (start <= key.size()) {
    auto end = key.find('.', start);
    if (end == std::string_view::npos) end = key.size();
    auto seg = key.substr(start, end - start);
    if (end == key.size()) break;  // the leaf itself is not the container
    if (seg == "metadata" || (seg.size() > 9 && seg.substr(seg.size() - 9) == "_metadata"))
      return true;
    start = end + 1;
  }
  return false;
}

namespace {

using Keys = std::set<std::string>;

// What ext::yaml may build from a spec: the file is at most 4 MiB (load_spec), aliases may copy
// 100,000 values and expand the text to 64 MiB, 1,000,000 values and 128 levels at most
// (docs/hardening.md).
yaml::Limits spec_limits() {
  yaml::Limits l;
  l.max_bytes = 4u << 20;
  l.max_depth = 128;
  l.max_nodes = 1'000'000;
  l.max_alias_nodes = 100'000;
  return l;
}

struct NodeEntry;

// A read-only view of a yaml::Node with the few calls the reader makes; empty (false) for a
// key a mapping does not have, as a missing optional key is.
class Node {
 public:
  Node() = default;
  explicit Node(const yaml::Node* n) : m_n(n) {}

  explicit operator bool() const { return m_n != nullptr; }
  bool is_map() const { return m_n && m_n->kind == yaml::Node::Kind::mapping; }
  bool is_sequence() const { return m_n && m_n->kind == yaml::Node::Kind::sequence; }
  bool is_scalar() const { return m_n && m_n->kind == yaml::Node::Kind::scalar; }
  bool is_null() const { return m_n && m_n->kind == yaml::Node::Kind::null; }
  // The text of a scalar ("" for anything else, as a mapping key that is not a scalar).
  const std::string& scalar() const { return is_scalar() ? m_n->scalar : empty_string(); }
  // "!" for a quoted scalar (always a string), "" for a plain one, else the tag as written.
  const std::string& tag() const { return m_n ? m_n->tag : empty_string(); }
  yaml::Mark mark() const { return m_n ? m_n->mark : yaml::Mark{}; }
  size_t size() const {
    return is_sequence() ? m_n->items.size() : is_map() ? m_n->members.size() : 0;
  }
  Node operator[](size_t i) const {
    return is_sequence() && i < m_n->items.size() ? Node(&m_n->items[i]) : Node();
  }
  // The value of the mapping's key `key` (keys are unique: ext::yaml refuses repeats).
  Node operator[](std::string_view key) const {
    if (is_map())
      for (const auto& [k, v] : m_n->members)
        if (k.kind == yaml::Node::Kind::scalar && k.scalar == key) return Node(&v);
    return Node();
  }

  // A sequence's items; a mapping's entries (NodeEntry: first the key, second the value).
  std::vector<Node> items() const {
    std::vector<Node> out;
    if (is_sequence())
      for (const auto& i : m_n->items) out.emplace_back(&i);
    return out;
  }
  std::vector<NodeEntry> entries() const;

 private:
  static const std::string& empty_string() {
    static const std::string k_empty;
    return k_empty;
  }
  const yaml::Node* m_n = nullptr;
};

struct NodeEntry {
  Node first, second;
};

std::vector<NodeEntry> Node::entries() const {
  std::vector<NodeEntry> out;
  if (is_map())
    for (const auto& [k, v] : m_n->members) out.push_back({Node(&k), Node(&v)});
  return out;
}

struct Parser {
  std::string source;

  [[noreturn]] void bad(const Node& n, const std::string& msg) const {
    throw Error(Errc::parse, yaml::where(source, n.mark()) + msg);
  }

  void require_map(const Node& n, const std::string& what) const {
    if (!n.is_map()) bad(n, what + " must be a mapping");
  }

  void check_keys(const Node& n, const Keys& allowed, const std::string& where) const {
    require_map(n, where);
    for (const auto& it : n.entries()) {
      auto key = it.first.scalar();
      if (!allowed.count(key)) {
        std::vector<std::string> names(allowed.begin(), allowed.end());
        throw Error(
            Errc::parse,
            yaml::where(source, it.first.mark()) + "unknown key \"" + key + "\" in " + where,
            "allowed here: " + util::join(names, ", "));
      }
    }
  }

  std::string str(const Node& n, const std::string& what) const {
    if (!n.is_scalar()) bad(n, what + " must be a string");
    return n.scalar();
  }

  int64_t integer(const Node& n, const std::string& what) const {
    if (n.is_scalar()) {
      const auto& s = n.scalar();
      int64_t v = 0;
      auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
      if (ec == std::errc() && p == s.data() + s.size()) return v;
    }
    bad(n, what + " must be an integer");
  }

  bool boolean(const Node& n, const std::string& what) const {
    if (n.is_scalar()) {
      auto s = util::to_lower(n.scalar());
      if (s == "true" || s == "yes" || s == "on") return true;
      if (s == "false" || s == "no" || s == "off") return false;
    }
    bad(n, what + " must be true or false");
  }

  std::vector<std::string> strings(const Node& n, const std::string& what) const {
    std::vector<std::string> out;
    if (n.is_scalar()) return {n.scalar()};
    if (!n.is_sequence()) bad(n, what + " must be a list of strings");
    for (const auto& x : n.items()) out.push_back(str(x, what + " entries"));
    return out;
  }

  // Recursion bounded by spec_limits().max_depth.
  nlohmann::json to_json(const Node& n) const {
    if (n.is_null()) return nullptr;
    if (n.is_map()) {
      nlohmann::json o = nlohmann::json::object();
      for (const auto& it : n.entries()) {
        o[it.first.scalar()] = to_json(it.second);
      }
      return o;
    }
    if (n.is_sequence()) {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& x : n.items()) a.push_back(to_json(x));
      return a;
    }
    const auto& s = n.scalar();
    if (n.tag() == "!") return s;  // quoted: always a string
    if (s == "true") return true;
    if (s == "false") return false;
    int64_t i = 0;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), i);
    if (ec == std::errc() && p == s.data() + s.size() && !s.empty()) return i;
    try {
      size_t used = 0;
      double d = std::stod(s, &used);
      if (used == s.size()) return d;
    } catch (...) {
    }
    return s;
  }

  // configuration: a string is used as is; a mapping or list becomes compact JSON.
  std::string config_text(const Node& n) const {
    if (n.is_scalar()) return n.scalar();
    if (n.is_null()) return "";
    auto j = to_json(n);
    try {
      return j.dump();
    } catch (const nlohmann::json::type_error&) {  // bytes that are not UTF-8 (spec fuzz target)
      bad(n,
          "configuration holds bytes that are not UTF-8; write it as a string to pass raw "
          "bytes");
    }
  }

  // Properties: nested mappings flatten to dotted paths; plain integers and booleans take
  // Envoy's encodings, quoted scalars stay strings.
  // `segments` is the same path with '\0' between segments (host::PropertyKinds).
  void properties(const Node& n, const std::string& prefix, const std::string& segments,
                  std::map<std::string, std::string>& out, host::PropertyKinds& kinds) const {
    require_map(n, "properties");
    for (const auto& it : n.entries()) {
      std::string key = prefix.empty() ? it.first.scalar() : prefix + "." + it.first.scalar();
      std::string seg = prefix.empty() ? it.first.scalar() : segments + '\0' + it.first.scalar();
      const Node v = it.second;
      if (v.is_map()) {
        properties(v, key, seg, out, kinds);
        continue;
      }
      if (!v.is_scalar()) bad(v, "property \"" + key + "\" must be a scalar or a mapping");
      auto j = to_json(v);
      auto& kind = kinds[seg];
      if (j.is_boolean()) {
        out[key] = encode_bool(j.get<bool>());
        kind = host::PropertyKind::boolean;
      } else if (j.is_number() && is_struct_path(key)) {
        out[key] = encode_double(j.get<double>());
        kind = host::PropertyKind::dbl;
      } else if (j.is_number_integer()) {
        out[key] = encode_int(j.get<int64_t>());
        kind = host::PropertyKind::int64;
      } else {
        out[key] = v.scalar();
        kind = host::PropertyKind::string;
      }
      if (seg != key) kinds[key] = kind;  // also by the dotted path (host::PropertyKinds)
    }
  }

  // Input header maps: {k: v} or [[k, v], ...] (for repeated keys). Keys lower-cased.
  host::HeaderMap headers(const Node& n, const std::string& what) const {
    host::HeaderMap out;
    if (n.is_null()) return out;
    if (n.is_map()) {
      for (const auto& it : n.entries()) {
        if (!it.second.is_scalar()) bad(it.second, what + " values must be strings");
        out.emplace_back(util::to_lower(it.first.scalar()), it.second.scalar());
      }
      return out;
    }
    if (n.is_sequence()) {
      for (const auto& p : n.items()) {
        if (!p.is_sequence() || p.size() != 2) bad(p, what + " entries must be [name, value]");
        out.emplace_back(util::to_lower(str(p[0], "a header name")), str(p[1], "a header value"));
      }
      return out;
    }
    bad(n, what + " must be a mapping or a list of [name, value]");
  }

  void message(const Node& n, const std::string& where, host::HeaderMap& h,
               std::vector<std::string>& body, std::optional<host::HeaderMap>& trailers) const {
    check_keys(n, {"headers", "body", "body_chunks", "trailers"}, where);
    if (n["headers"]) h = headers(n["headers"], where + ".headers");
    if (n["body"] && n["body_chunks"]) bad(n, where + ": use body or body_chunks, not both");
    if (n["body"]) {
      auto b = str(n["body"], where + ".body");
      if (!b.empty()) body = {b};
    }
    if (n["body_chunks"]) body = strings(n["body_chunks"], where + ".body_chunks");
    if (n["trailers"]) trailers = headers(n["trailers"], where + ".trailers");
  }

  std::vector<GrpcCallScript> grpc_scripts(const Node& n) const {
    std::vector<GrpcCallScript> out;
    if (!n.is_sequence()) bad(n, "grpc_calls must be a list");
    for (const auto& e : n.items()) {
      check_keys(e, {"cluster", "service", "method", "response", "status", "status_message"},
                 "a grpc_calls entry");
      GrpcCallScript s;
      s.line = e.mark().line;
      if (e["cluster"]) s.cluster = str(e["cluster"], "cluster");
      if (e["service"]) s.service = str(e["service"], "service");
      if (e["method"]) s.method = str(e["method"], "method");
      if (e["response"]) s.response.message = str(e["response"], "response");
      if (e["status"]) {
        auto v = integer(e["status"], "status");
        if (v < 0 || v > 16) bad(e["status"], "status must be a gRPC status code (0-16)");
        s.response.status = static_cast<uint32_t>(v);
      }
      if (e["status_message"])
        s.response.status_message = str(e["status_message"], "status_message");
      out.push_back(std::move(s));
    }
    return out;
  }

  std::vector<GrpcStreamScript> grpc_stream_scripts(const Node& n) const {
    std::vector<GrpcStreamScript> out;
    if (!n.is_sequence()) bad(n, "grpc_streams must be a list");
    for (const auto& e : n.items()) {
      check_keys(e, {"cluster", "service", "method", "events"}, "a grpc_streams entry");
      GrpcStreamScript s;
      s.line = e.mark().line;
      if (e["cluster"]) s.cluster = str(e["cluster"], "cluster");
      if (e["service"]) s.service = str(e["service"], "service");
      if (e["method"]) s.method = str(e["method"], "method");
      if (auto evs = e["events"]) {
        if (!evs.is_sequence()) bad(evs, "grpc_streams events must be a list");
        for (const auto& ev : evs.items()) {
          check_keys(ev,
                     {"initial_metadata", "message", "trailing_metadata", "close", "after_sends"},
                     "a grpc_streams event");
          host::GrpcStreamEvent out_ev;
          int kinds = 0;
          if (ev["initial_metadata"]) {
            ++kinds;
            out_ev.kind = host::GrpcStreamEvent::Kind::initial_metadata;
            out_ev.metadata = headers(ev["initial_metadata"], "initial_metadata");
          }
          if (ev["message"]) {
            ++kinds;
            out_ev.kind = host::GrpcStreamEvent::Kind::message;
            out_ev.message = str(ev["message"], "message");
          }
          if (ev["trailing_metadata"]) {
            ++kinds;
            out_ev.kind = host::GrpcStreamEvent::Kind::trailing_metadata;
            out_ev.metadata = headers(ev["trailing_metadata"], "trailing_metadata");
          }
          if (auto c = ev["close"]) {
            ++kinds;
            out_ev.kind = host::GrpcStreamEvent::Kind::close;
            check_keys(c, {"status", "message"}, "a grpc_streams close");
            if (c["status"]) {
              auto v = integer(c["status"], "status");
              if (v < 0 || v > 16) bad(c["status"], "status must be a gRPC status code (0-16)");
              out_ev.status = static_cast<uint32_t>(v);
            }
            if (c["message"]) out_ev.status_message = str(c["message"], "close.message");
          }
          if (kinds != 1)
            bad(ev,
                "a grpc_streams event is exactly one of initial_metadata, message, "
                "trailing_metadata, close");
          if (ev["after_sends"]) {
            auto v = integer(ev["after_sends"], "after_sends");
            if (v < 0 || v > 100000) bad(ev["after_sends"], "after_sends must be 0-100000");
            out_ev.after_sends = static_cast<uint32_t>(v);
          }
          s.events.push_back(std::move(out_ev));
        }
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  std::vector<HttpCallScript> scripts(const Node& n) const {
    std::vector<HttpCallScript> out;
    if (!n.is_sequence()) bad(n, "http_calls must be a list");
    for (const auto& e : n.items()) {
      check_keys(e, {"upstream", "path", "method", "response", "fail"}, "an http_calls entry");
      HttpCallScript s;
      s.line = e.mark().line;
      if (e["upstream"]) s.upstream = str(e["upstream"], "upstream");
      if (e["path"]) s.path = str(e["path"], "path");
      if (e["method"]) s.method = str(e["method"], "method");
      if (e["fail"] && boolean(e["fail"], "fail")) s.response.failed = true;
      if (e["response"]) {
        const auto& r = e["response"];
        check_keys(r, {"status", "headers", "body", "trailers"}, "an http_calls response");
        if (r["status"]) s.response.headers.emplace_back(":status", str(r["status"], "status"));
        if (r["headers"]) {
          for (auto& kv : headers(r["headers"], "response.headers"))
            s.response.headers.push_back(kv);
        }
        if (r["body"]) s.response.body = str(r["body"], "response.body");
        if (r["trailers"]) s.response.trailers = headers(r["trailers"], "response.trailers");
        if (s.response.headers.empty()) s.response.headers.emplace_back(":status", "200");
      } else if (!s.response.failed) {
        s.response.headers.emplace_back(":status", "200");
      }
      out.push_back(std::move(s));
    }
    return out;
  }

  // Expected headers: {k: v} (v ~ means absent) plus *_present / *_absent lists.
  void header_expect(const Node& n, std::optional<HeaderExpect>& e, const std::string& what) const {
    if (!e) e = HeaderExpect{};
    require_map(n, what);
    for (const auto& it : n.entries()) {
      auto k = util::to_lower(it.first.scalar());
      if (it.second.is_null())
        e->absent.push_back(k);
      else
        e->equal.emplace_back(k, str(it.second, what + " values"));
    }
  }

  void expect(const Node& n, Expect& x) const {
    static const Keys keys = {"request_headers",
                              "request_headers_present",
                              "request_headers_absent",
                              "request_trailers",
                              "response_headers",
                              "response_headers_present",
                              "response_headers_absent",
                              "response_trailers",
                              "request_body",
                              "response_body",
                              "local_response",
                              "actions",
                              "logs",
                              "logs_absent",
                              "metrics",
                              "http_calls",
                              "grpc_calls",
                              "grpc_streams",
                              "reset",
                              "forwarded",
                              "upstream_data",
                              "downstream_data",
                              "connection_closed",
                              "trap"};
    check_keys(n, keys, "expect");
    auto hdr = [&](const char* key, std::optional<HeaderExpect>& e) {
      if (n[key]) header_expect(n[key], e, key);
    };
    hdr("request_headers", x.request_headers);
    hdr("response_headers", x.response_headers);
    hdr("request_trailers", x.request_trailers);
    hdr("response_trailers", x.response_trailers);
    auto list = [&](const char* key, std::optional<HeaderExpect>& e, bool present) {
      if (!n[key]) return;
      if (!e) e = HeaderExpect{};
      for (auto& k : strings(n[key], key))
        (present ? e->present : e->absent).push_back(util::to_lower(k));
    };
    list("request_headers_present", x.request_headers, true);
    list("request_headers_absent", x.request_headers, false);
    list("response_headers_present", x.response_headers, true);
    list("response_headers_absent", x.response_headers, false);
    if (n["request_body"]) x.request_body = str(n["request_body"], "request_body");
    if (n["response_body"]) x.response_body = str(n["response_body"], "response_body");
    if (auto lr = n["local_response"]) {
      if (lr.is_null() || (lr.is_scalar() && (lr.scalar() == "none" || lr.scalar() == "false"))) {
        x.no_local_response = true;
      } else {
        check_keys(lr, {"status", "body", "details", "headers"}, "local_response");
        LocalResponseExpect l;
        if (lr["status"]) l.status = static_cast<uint32_t>(integer(lr["status"], "status"));
        if (lr["body"]) l.body = str(lr["body"], "local_response.body");
        if (lr["details"]) l.details = str(lr["details"], "local_response.details");
        if (lr["headers"]) l.headers = headers(lr["headers"], "local_response.headers");
        x.local_response = std::move(l);
      }
    }
    if (auto a = n["actions"]) {
      static const Keys callbacks = {"request_headers",  "request_body",    "request_trailers",
                                     "response_headers", "response_body",   "response_trailers",
                                     "new_connection",   "downstream_data", "upstream_data"};
      check_keys(a, callbacks, "actions");
      for (const auto& it : a.entries()) {
        ActionExpect e;
        e.callback = it.first.scalar();
        e.values = strings(it.second, "actions." + e.callback);
        e.line = it.first.mark().line;
        x.actions.push_back(std::move(e));
      }
    }
    auto logs = [&](const char* key, std::vector<LogExpect>& out) {
      auto l = n[key];
      if (!l) return;
      if (!l.is_sequence()) bad(l, std::string(key) + " must be a list");
      for (const auto& e : l.items()) {
        LogExpect le;
        if (e.is_scalar()) {
          le.text = e.scalar();
        } else {
          check_keys(e, {"contains", "regex", "level"}, std::string("a ") + key + " entry");
          if (e["contains"] && e["regex"]) bad(e, "use contains or regex, not both");
          if (e["contains"]) le.text = str(e["contains"], "contains");
          if (e["regex"]) {
            le.text = str(e["regex"], "regex");
            le.regex = true;
            auto re = util::Regex::compile(le.text);
            if (!re) bad(e["regex"], re.error().message());
            le.compiled = std::move(*re);
          }
          if (e["level"]) {
            auto lv = host::parse_log_level(str(e["level"], "level"));
            if (!lv) bad(e["level"], "level must be trace, debug, info, warn, error or critical");
            le.level = lv;
          }
        }
        out.push_back(std::move(le));
      }
    };
    logs("logs", x.logs);
    logs("logs_absent", x.logs_absent);
    if (auto m = n["metrics"]) {
      require_map(m, "metrics");
      for (const auto& it : m.entries()) {
        MetricExpect me;
        me.name = it.first.scalar();
        if (it.second.is_sequence()) {
          std::vector<uint64_t> v;
          for (const auto& e : it.second.items())
            v.push_back(static_cast<uint64_t>(integer(e, "a recorded value")));
          me.recorded = std::move(v);
        } else {
          me.value = integer(it.second, "metric " + me.name);
        }
        x.metrics.push_back(std::move(me));
      }
    }
    if (auto c = n["http_calls"]) {
      if (!c.is_sequence()) bad(c, "expect.http_calls must be a list");
      std::vector<HttpCallExpect> calls;
      for (const auto& e : c.items()) {
        check_keys(e, {"upstream", "headers", "body", "timeout_ms"}, "an expected http call");
        HttpCallExpect he;
        if (e["upstream"]) he.upstream = str(e["upstream"], "upstream");
        if (e["headers"]) he.headers = headers(e["headers"], "headers");
        if (e["body"]) he.body = str(e["body"], "body");
        if (e["timeout_ms"])
          he.timeout_ms = static_cast<uint32_t>(integer(e["timeout_ms"], "timeout_ms"));
        calls.push_back(std::move(he));
      }
      x.http_calls = std::move(calls);
    }
    if (auto c = n["grpc_calls"]) {
      if (!c.is_sequence()) bad(c, "expect.grpc_calls must be a list");
      std::vector<GrpcCallExpect> calls;
      for (const auto& e : c.items()) {
        check_keys(e, {"cluster", "service", "method", "message"}, "an expected grpc call");
        GrpcCallExpect ge;
        if (e["cluster"]) ge.cluster = str(e["cluster"], "cluster");
        if (e["service"]) ge.service = str(e["service"], "service");
        if (e["method"]) ge.method = str(e["method"], "method");
        if (e["message"]) ge.message = str(e["message"], "message");
        calls.push_back(std::move(ge));
      }
      x.grpc_calls = std::move(calls);
    }
    if (auto c = n["grpc_streams"]) {
      if (!c.is_sequence()) bad(c, "expect.grpc_streams must be a list");
      std::vector<GrpcStreamExpect> streams;
      for (const auto& e : c.items()) {
        check_keys(e, {"cluster", "service", "method", "sent", "closed"},
                   "an expected grpc stream");
        GrpcStreamExpect ge;
        if (e["cluster"]) ge.cluster = str(e["cluster"], "cluster");
        if (e["service"]) ge.service = str(e["service"], "service");
        if (e["method"]) ge.method = str(e["method"], "method");
        if (e["sent"]) ge.sent = strings(e["sent"], "sent");
        if (e["closed"]) ge.closed = boolean(e["closed"], "closed");
        streams.push_back(std::move(ge));
      }
      x.grpc_streams = std::move(streams);
    }
    if (n["reset"]) x.reset = boolean(n["reset"], "reset");
    if (n["forwarded"]) x.forwarded = boolean(n["forwarded"], "forwarded");
    if (n["upstream_data"]) x.upstream_data = str(n["upstream_data"], "upstream_data");
    if (n["downstream_data"]) x.downstream_data = str(n["downstream_data"], "downstream_data");
    if (n["trap"]) x.trap = str(n["trap"], "trap");
    if (n["connection_closed"])
      x.connection_closed = boolean(n["connection_closed"], "connection_closed");
  }

  Case test_case(const Node& n, size_t index) const {
    check_keys(n,
               {"name", "request", "response", "connection", "properties", "http_calls",
                "grpc_calls", "grpc_streams", "advance_ms", "worker", "expect"},
               "a case");
    Case c;
    c.line = n.mark().line;
    c.name = n["name"] ? str(n["name"], "name") : "case " + std::to_string(index + 1);
    if (n["connection"] && (n["request"] || n["response"]))
      bad(n, "a case is either HTTP (request/response) or network (connection), not both");
    if (auto r = n["request"])
      message(r, "request", c.http.request_headers, c.http.request_body, c.http.request_trailers);
    if (auto r = n["response"]) {
      if (r.is_null() || (r.is_scalar() && r.scalar() == "none")) {
        c.http.has_response = false;
      } else {
        message(r, "response", c.http.response_headers, c.http.response_body,
                c.http.response_trailers);
      }
    }
    if (c.http.has_response && c.http.response_headers.empty())
      c.http.response_headers = {{":status", "200"}};
    if (auto conn = n["connection"]) {
      c.tcp = true;
      check_keys(conn, {"downstream", "upstream", "close"}, "connection");
      if (conn["downstream"]) c.tcp_input.downstream = strings(conn["downstream"], "downstream");
      if (conn["upstream"]) c.tcp_input.upstream = strings(conn["upstream"], "upstream");
      if (conn["close"]) {
        auto s = str(conn["close"], "close");
        if (s == "downstream")
          c.tcp_input.close = host::CloseSide::downstream;
        else if (s == "upstream")
          c.tcp_input.close = host::CloseSide::upstream;
        else if (s == "none")
          c.tcp_input.close = host::CloseSide::none;
        else
          bad(conn["close"], "close must be downstream, upstream or none");
      }
    }
    if (n["properties"]) {
      properties(n["properties"], "", "", c.http.properties, c.http.property_kinds);
      c.tcp_input.properties = c.http.properties;
      c.tcp_input.property_kinds = c.http.property_kinds;
    }
    if (n["http_calls"]) c.http_calls = scripts(n["http_calls"]);
    if (n["grpc_calls"]) c.grpc_calls = grpc_scripts(n["grpc_calls"]);
    if (n["grpc_streams"]) c.grpc_streams = grpc_stream_scripts(n["grpc_streams"]);
    if (n["advance_ms"])
      c.advance_ms = static_cast<uint64_t>(integer(n["advance_ms"], "advance_ms"));
    if (n["worker"]) {
      auto w = integer(n["worker"], "worker");
      if (w < 0 || w >= concurrency)
        bad(n["worker"], "worker must be from 0 to plugin.concurrency - 1 (" +
                             std::to_string(concurrency - 1) + ")");
      c.worker = static_cast<uint32_t>(w);
    }
    if (n["expect"]) expect(n["expect"], c.expect);
    return c;
  }

  Spec spec(const Node& root) {
    Spec s;
    s.source = source;
    if (root.is_null()) throw Error(Errc::parse, source + ": the spec is empty");
    check_keys(root, {"plugin", "cases"}, "the spec");
    if (auto p = root["plugin"]) {
      check_keys(
          p,
          {"root_id", "vm_id", "configuration", "vm_configuration", "properties", "environment",
           "log_level", "http_calls", "grpc_calls", "grpc_streams", "instruction_budget",
           "max_memory_pages", "limits", "failure_policy", "envoy_version", "concurrency"},
          "plugin");
      if (p["concurrency"]) {
        auto n = integer(p["concurrency"], "concurrency");
        if (n < 1 || n > k_max_concurrency)
          bad(p["concurrency"],
              "concurrency must be from 1 to " + std::to_string(k_max_concurrency));
        s.plugin.concurrency = static_cast<uint32_t>(n);
        concurrency = s.plugin.concurrency;
      }
      if (auto l = p["limits"]) {
        check_keys(l,
                   {"instructions", "memory_bytes", "table_elements", "hostcall_bytes",
                    "case_bytes", "header_entries", "ticks_per_advance", "regex_steps"},
                   "plugin.limits");
        auto positive = [&](const char* key) -> std::optional<uint64_t> {
          if (!l[key]) return std::nullopt;
          auto v = integer(l[key], std::string("limits.") + key);
          if (v <= 0) bad(l[key], std::string("limits.") + key + " must be a positive integer");
          return static_cast<uint64_t>(v);
        };
        if (auto v = positive("instructions")) s.plugin.instruction_budget = *v;
        if (auto v = positive("memory_bytes")) {
          // Envoy's cap: 1 GiB (proxy-wasm-cpp-host include/proxy-wasm/limits.h).
          if (*v > (1ull << 30))
            bad(l["memory_bytes"], "limits.memory_bytes is at most 1 GiB (Envoy's limit)");
          s.plugin.max_memory_pages = static_cast<uint32_t>((*v + 65535) / 65536);
        }
        s.plugin.table_elements = positive("table_elements");
        s.plugin.hostcall_bytes = positive("hostcall_bytes");
        s.plugin.case_bytes = positive("case_bytes");
        s.plugin.header_entries = positive("header_entries");
        s.plugin.ticks_per_advance = positive("ticks_per_advance");
        s.plugin.regex_steps = positive("regex_steps");
      }
      if (p["failure_policy"]) {
        auto f = str(p["failure_policy"], "failure_policy");
        if (f == "fail_closed")
          s.plugin.failure_policy = FailurePolicy::fail_closed;
        else if (f == "fail_open")
          s.plugin.failure_policy = FailurePolicy::fail_open;
        else if (f == "fail_reload")
          s.plugin.failure_policy = FailurePolicy::fail_reload;
        else
          bad(p["failure_policy"], "failure_policy must be fail_closed, fail_open or fail_reload");
      }
      if (p["envoy_version"]) s.plugin.envoy_version = str(p["envoy_version"], "envoy_version");
      if (p["root_id"]) s.plugin.root_id = str(p["root_id"], "root_id");
      if (p["vm_id"]) s.plugin.vm_id = str(p["vm_id"], "vm_id");
      if (p["configuration"]) {
        s.plugin.configuration = config_text(p["configuration"]);
        s.plugin.has_configuration = true;
      }
      if (p["vm_configuration"]) s.plugin.vm_configuration = config_text(p["vm_configuration"]);
      if (p["properties"])
        properties(p["properties"], "", "", s.plugin.properties, s.plugin.property_kinds);
      if (auto e = p["environment"]) {
        require_map(e, "environment");
        for (const auto& it : e.entries())
          s.plugin.environment[it.first.scalar()] = str(it.second, "environment values");
      }
      if (p["log_level"]) {
        auto lv = host::parse_log_level(str(p["log_level"], "log_level"));
        if (!lv)
          bad(p["log_level"], "log_level must be trace, debug, info, warn, error or critical");
        s.plugin.log_level = lv;
      }
      if (p["http_calls"]) s.plugin.http_calls = scripts(p["http_calls"]);
      if (p["grpc_calls"]) s.plugin.grpc_calls = grpc_scripts(p["grpc_calls"]);
      if (p["grpc_streams"]) s.plugin.grpc_streams = grpc_stream_scripts(p["grpc_streams"]);
      if (p["instruction_budget"])
        s.plugin.instruction_budget =
            static_cast<uint64_t>(integer(p["instruction_budget"], "instruction_budget"));
      if (p["max_memory_pages"])
        s.plugin.max_memory_pages =
            static_cast<uint32_t>(integer(p["max_memory_pages"], "max_memory_pages"));
    }
    auto cases = root["cases"];
    if (!cases) throw Error(Errc::parse, source + ": the spec has no cases:");
    if (!cases.is_sequence()) bad(cases, "cases must be a list");
    for (size_t i = 0; i < cases.size(); ++i) s.cases.push_back(test_case(cases[i], i));
    return s;
  }

  // Each worker is a VM of up to 1 GiB: bound how many a spec may ask for.
  static constexpr int64_t k_max_concurrency = 32;
  int64_t concurrency = 1;  // plugin.concurrency, read before the cases
};

}  // namespace

Result<Spec> parse_spec(std::string_view text, const std::string& source) {
  auto docs = yaml::parse_nodes(text, source, spec_limits());
  if (!docs) return fail(docs.error());
  if (docs->size() > 1)
    return fail(Errc::parse, source + ": more than one YAML document (\"---\")",
                "keep one spec per file");
  try {
    const yaml::Node empty;
    return Parser{source}.spec(Node(docs->empty() ? &empty : &docs->front()));
  } catch (const Error& e) {
    return fail(e);
  }
}

Result<Spec> load_spec(const std::filesystem::path& path) {
  std::string text;
  try {
    text = util::read_file(path, 4u << 20);
  } catch (const Error& e) {
    return fail(e);
  }
  return parse_spec(text, path.string());
}

}  // namespace ext::testing
