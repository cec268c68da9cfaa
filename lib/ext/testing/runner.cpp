#include "ext/testing/runner.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <map>

#include "ext/host/envoy_versions.hpp"
#include "ext/host/process.hpp"
#include "ext/util/strings.hpp"

namespace ext::testing {

namespace {

using host::HeaderMap;

std::string quote(std::string_view s, size_t max = 200) {
  std::string out = "\"";
  size_t n = 0;
  for (unsigned char c : s) {
    if (n++ >= max) {
      out += "...";
      break;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c >= 0x7f) {
      static const char* hex = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

bool is_headers_cb(const std::string& cb) {
  return cb == "request_headers" || cb == "response_headers";
}

// Does `want` (a name, an alias, or a number) accept raw result `got`?
bool action_matches(const std::string& cb, const std::string& want, uint32_t got) {
  if (want == "stop" || want == "pause") return got != 0;
  if (!want.empty() && std::isdigit(static_cast<unsigned char>(want[0])))
    return std::to_string(got) == want;
  return action_name(cb, got) == want;
}

struct Checker {
  std::vector<std::string> failures;  // the text lines
  std::vector<Failure> failed;        // the same, one object per failed check

  // A check whose expected and actual values compare: "CHECK: expected E, got A".
  void fail(const std::string& check, const std::string& expected, const std::string& actual) {
    failures.push_back(check + ": expected " + expected + ", got " + actual);
    failed.push_back({check, expected, actual, failures.back(), {}});
  }
  // A failure that compares no two values, under a check name of its own.
  void note(const std::string& check, std::string line) {
    failures.push_back(line);
    failed.push_back({check, std::nullopt, std::nullopt, std::move(line), {}});
  }
  // A line: indented, it details the failure before it (actual headers, logs, calls made);
  // else it is a failure of its own, "CHECK: what is wrong".
  void add(std::string s) {
    failures.push_back(s);
    if (!s.empty() && s[0] == ' ' && !failed.empty()) {
      auto first = s.find_first_not_of(' ');
      failed.back().detail.push_back(first == std::string::npos ? "" : s.substr(first));
      return;
    }
    auto colon = s.find(": ");
    failed.push_back({colon == std::string::npos ? std::string() : s.substr(0, colon),
                      std::nullopt,
                      std::nullopt,
                      std::move(s),
                      {}});
  }

  void map_dump(const std::string& what, const HeaderMap& m) {
    add("  actual " + what + ":");
    if (m.empty()) add("    (none)");
    for (const auto& [k, v] : m) add("    " + k + ": " + v);
  }

  void headers(const std::string& what, const std::optional<HeaderExpect>& e,
               const HeaderMap* actual, const std::string& missing_reason) {
    if (!e) return;
    if (!actual) {
      add(what + ": expected headers, but " + missing_reason);
      return;
    }
    size_t before = failures.size();
    for (const auto& [k, v] : e->equal) {
      auto got = host::header_value(*actual, k);
      if (!got)
        fail(what + "[\"" + k + "\"]", quote(v), "(absent)");
      else if (*got != v)
        fail(what + "[\"" + k + "\"]", quote(v), quote(*got));
    }
    for (const auto& k : e->present)
      if (!host::header_value(*actual, k)) fail(what + "[\"" + k + "\"]", "present", "(absent)");
    for (const auto& k : e->absent)
      if (auto got = host::header_value(*actual, k))
        fail(what + "[\"" + k + "\"]", "absent", quote(*got));
    if (failures.size() != before) map_dump(what, *actual);
  }
};

std::string describe(const host::LocalResponse& r) {
  return std::to_string(r.status) + (r.body.empty() ? "" : " " + quote(r.body));
}

}  // namespace

std::string action_name(const std::string& cb, uint32_t v) {
  if (is_headers_cb(cb)) {
    static const char* names[] = {"continue", "stop_iteration", "continue_and_end_stream",
                                  "stop_all_iteration_and_buffer",
                                  "stop_all_iteration_and_watermark"};
    if (v < 5) return names[v];
  } else if (cb == "request_body" || cb == "response_body") {
    static const char* names[] = {"continue", "stop_iteration_and_buffer",
                                  "stop_iteration_and_watermark", "stop_iteration_no_buffer"};
    if (v < 4) return names[v];
  } else {
    if (v == 0) return "continue";
    if (v == 1) return "stop_iteration";
  }
  return std::to_string(v);
}

namespace {

// What one case produced, as the checkers read it.
struct Observed {
  bool is_tcp;
  const std::optional<std::string>& error;
  const host::HttpOutcome& http;
  const host::TcpOutcome& tcp;
  const std::vector<host::CallbackRecord>& callbacks;
  const std::vector<host::LogEntry>& logs;
  const std::vector<host::HttpCallRecord>& calls;
  const std::vector<host::GrpcCallRecord>& grpc_calls;
  const std::vector<host::GrpcStreamRecord>& grpc_streams;
  const std::vector<host::Metric>& metrics;
  const std::map<std::string, std::pair<int64_t, size_t>>& metrics_before;
  std::function<bool(const std::string&)> exports;
  uint64_t regex_steps;
};

using CheckFn = void (*)(const Expect&, const Observed&, Checker&);

// trap: the case expects a trap (or a limit) with this text; any other error fails it.
void check_trap(const Expect& x, const Observed& o, Checker& ck) {
  const auto& error = o.error;
  if (x.trap) {
    if (!error)
      ck.fail("trap", "a trap containing " + quote(*x.trap), "none");
    else if (error->find(*x.trap) == std::string::npos)
      ck.fail("trap", "a trap containing " + quote(*x.trap), quote(*error, 400));
  } else if (error) {
    ck.add("trap: " + *error);
  }
}

// HTTP: headers, bodies, trailers, local reply, reset, forwarded. Network: data and close.
void check_stream(const Expect& x, const Observed& o, Checker& ck) {
  const auto& http = o.http;
  const auto& tcp = o.tcp;
  if (!o.is_tcp) {
    std::string why_req =
        "the request never reached the upstream" +
        (http.paused_at.empty() ? std::string() : " (stopped in " + http.paused_at + ")");
    std::string why_resp =
        "no response reached the client" +
        (http.paused_at.empty() ? std::string() : " (stopped in " + http.paused_at + ")");
    ck.headers("request_headers", x.request_headers,
               http.request_forwarded ? &http.request_headers : nullptr, why_req);
    ck.headers("response_headers", x.response_headers,
               http.response_forwarded ? &http.response_headers : nullptr, why_resp);
    ck.headers("request_trailers", x.request_trailers,
               http.request_trailers ? &*http.request_trailers : nullptr,
               "the request had no trailers");
    ck.headers("response_trailers", x.response_trailers,
               http.response_trailers ? &*http.response_trailers : nullptr,
               "the response had no trailers");
    if (x.request_body && (!http.request_forwarded || http.request_body != *x.request_body))
      ck.fail("request_body", quote(*x.request_body),
              http.request_forwarded ? quote(http.request_body) : why_req);
    if (x.response_body && (!http.response_forwarded || http.response_body != *x.response_body))
      ck.fail("response_body", quote(*x.response_body),
              http.response_forwarded ? quote(http.response_body) : why_resp);
    if (x.no_local_response && http.local_response)
      ck.fail("local_response", "none", describe(*http.local_response));
    if (x.local_response) {
      const auto& e = *x.local_response;
      if (!http.local_response) {
        ck.fail("local_response",
                e.status ? "status " + std::to_string(*e.status) : std::string("one"),
                "no local response");
      } else {
        const auto& a = *http.local_response;
        if (e.status && *e.status != a.status)
          ck.fail("local_response.status", std::to_string(*e.status), std::to_string(a.status));
        if (e.body && *e.body != a.body)
          ck.fail("local_response.body", quote(*e.body), quote(a.body));
        if (e.details && *e.details != a.details)
          ck.fail("local_response.details", quote(*e.details), quote(a.details));
        std::optional<HeaderExpect> he = HeaderExpect{e.headers, {}, {}};
        if (!e.headers.empty()) ck.headers("local_response.headers", he, &a.headers, "");
      }
    }
    if (x.reset && *x.reset != http.reset)
      ck.fail("reset", std::string("the stream ") + (*x.reset ? "reset" : "not reset"),
              http.reset ? "reset" : "not reset");
    if (x.forwarded && *x.forwarded != http.request_forwarded)
      ck.fail("forwarded",
              std::string("the request ") + (*x.forwarded ? "forwarded upstream" : "not forwarded"),
              http.request_forwarded ? "forwarded" : why_req);
  } else {
    if (x.upstream_data && *x.upstream_data != tcp.to_upstream)
      ck.fail("upstream_data", quote(*x.upstream_data), quote(tcp.to_upstream));
    if (x.downstream_data && *x.downstream_data != tcp.to_downstream)
      ck.fail("downstream_data", quote(*x.downstream_data), quote(tcp.to_downstream));
    bool closed = tcp.closed_downstream || tcp.closed_upstream;
    if (x.connection_closed && *x.connection_closed != closed)
      ck.fail("connection_closed", *x.connection_closed ? "true" : "false",
              closed ? "true" : "false");
  }
}

// actions: the raw results of a callback, by name.
void check_actions(const Expect& x, const Observed& o, Checker& ck) {
  const auto& callbacks = o.callbacks;
  for (const auto& a : x.actions) {
    if (!o.exports("proxy_on_" + a.callback)) continue;
    std::vector<uint32_t> got;
    for (const auto& cb : callbacks)
      if (cb.name == "proxy_on_" + a.callback && cb.result) got.push_back(*cb.result);
    auto got_text = [&] {
      std::string s;
      for (auto v : got) s += (s.empty() ? "" : ", ") + action_name(a.callback, v);
      return s.empty() ? std::string("not called") : s;
    };
    if (got.empty()) {
      ck.fail("actions." + a.callback, util::join(a.values, ", "), "not called");
      continue;
    }
    bool ok = true;
    if (a.values.size() == 1) {
      for (auto v : got) ok &= action_matches(a.callback, a.values[0], v);
    } else {
      ok = a.values.size() == got.size();
      for (size_t i = 0; ok && i < got.size(); ++i)
        ok &= action_matches(a.callback, a.values[i], got[i]);
    }
    if (!ok) ck.fail("actions." + a.callback, util::join(a.values, ", "), got_text());
  }
}

// logs and logs_absent (regexes run on the linear-time matcher under regex_steps).
void check_logs(const Expect& x, const Observed& o, Checker& ck) {
  const auto& logs = o.logs;
  const uint64_t regex_steps = o.regex_steps;
  // Regexes run on a linear-time matcher (regex.hpp) under the regex_steps budget.
  uint64_t steps = regex_steps;
  auto log_matches = [&steps](const LogExpect& e, const host::LogEntry& l, bool& out_of_steps) {
    if (e.level && *e.level != l.level) return false;
    if (!e.regex) return l.message.find(e.text) != std::string::npos;
    if (!e.compiled || out_of_steps) return false;
    auto r = e.compiled->search(l.message, steps);
    if (!r) out_of_steps = true;
    return r.value_or(false);
  };
  bool dumped = false;
  auto dump_logs = [&] {
    if (dumped) return;
    dumped = true;
    ck.add("  actual logs:");
    if (logs.empty()) ck.add("    (none)");
    size_t n = 0;
    for (const auto& l : logs) {
      if (n++ == 30) {
        ck.add("    ... " + std::to_string(logs.size() - 30) + " more");
        break;
      }
      ck.add(std::string("    [") + host::to_string(l.level) + "] " + l.message);
    }
  };
  for (const auto& e : x.logs) {
    bool bad_regex = false, found = false;
    for (const auto& l : logs) found |= log_matches(e, l, bad_regex);
    if (bad_regex)
      ck.add("logs: matching " + quote(e.text) + " took over " + std::to_string(regex_steps) +
             " steps, the limit regex_steps");
    else if (!found) {
      ck.add(std::string("logs: no ") +
             (e.level ? std::string(host::to_string(*e.level)) + " " : "") + "line " +
             (e.regex ? "matches " : "contains ") + quote(e.text));
      dump_logs();
    }
  }
  for (const auto& e : x.logs_absent) {
    bool bad_regex = false;
    for (const auto& l : logs)
      if (log_matches(e, l, bad_regex)) {
        ck.add("logs_absent: a line " + std::string(e.regex ? "matches " : "contains ") +
               quote(e.text) + ": " + quote(l.message));
        break;
      }
  }
}

// metrics: counters by change in the case, gauges by value, histograms by values recorded.
void check_metrics(const Expect& x, const Observed& o, Checker& ck) {
  const auto& before = o.metrics_before;
  for (const auto& me : x.metrics) {
    const host::Metric* m = nullptr;
    for (const auto& mm : o.metrics)
      if (mm.name == me.name) m = &mm;
    if (!m) {
      ck.add("metrics." + me.name + ": the module defined no such metric");
      continue;
    }
    auto [v0, r0] = before.count(me.name) ? before.at(me.name) : std::pair<int64_t, size_t>{0, 0};
    std::vector<uint64_t> recorded(m->recorded.begin() + static_cast<long>(r0), m->recorded.end());
    if (me.recorded) {
      if (*me.recorded != recorded) {
        std::string want, got;
        for (auto v : *me.recorded) want += (want.empty() ? "" : ", ") + std::to_string(v);
        for (auto v : recorded) got += (got.empty() ? "" : ", ") + std::to_string(v);
        ck.fail("metrics." + me.name, "recorded [" + want + "]", "[" + got + "]");
      }
      continue;
    }
    int64_t got = 0;
    const char* how = "";
    switch (m->type) {
      case host::MetricType::counter:
        got = m->value - v0;
        how = " (change in this case)";
        break;
      case host::MetricType::gauge:
        got = m->value;
        how = " (gauge value)";
        break;
      case host::MetricType::histogram:
        got = static_cast<int64_t>(recorded.size());
        how = " (values recorded)";
        break;
    }
    if (got != *me.value)
      ck.fail("metrics." + me.name, std::to_string(*me.value), std::to_string(got) + how);
  }
}

// http_calls: the calls made, in order and in number.
void check_http_calls(const Expect& x, const Observed& o, Checker& ck) {
  const auto& calls = o.calls;
  if (x.http_calls) {
    const auto& want = *x.http_calls;
    if (want.size() != calls.size()) {
      ck.fail("http_calls", std::to_string(want.size()) + " call(s)", std::to_string(calls.size()));
      for (const auto& call : calls)
        ck.add("  made: " + call.upstream + " " +
               host::header_value(call.headers, ":method").value_or("?") + " " +
               host::header_value(call.headers, ":path").value_or("?"));
    }
    for (size_t i = 0; i < want.size() && i < calls.size(); ++i) {
      const auto& w = want[i];
      const auto& g = calls[i];
      std::string p = "http_calls[" + std::to_string(i) + "]";
      if (w.upstream && *w.upstream != g.upstream)
        ck.fail(p + ".upstream", quote(*w.upstream), quote(g.upstream));
      if (w.body && *w.body != g.body) ck.fail(p + ".body", quote(*w.body), quote(g.body));
      if (w.timeout_ms && *w.timeout_ms != g.timeout_ms)
        ck.fail(p + ".timeout_ms", std::to_string(*w.timeout_ms), std::to_string(g.timeout_ms));
      std::optional<HeaderExpect> he = HeaderExpect{w.headers, {}, {}};
      if (!w.headers.empty()) ck.headers(p + ".headers", he, &g.headers, "");
    }
  }
}

// grpc_calls: the unary gRPC calls made, in order and in number.
void check_grpc_calls(const Expect& x, const Observed& o, Checker& ck) {
  const auto& grpc_calls = o.grpc_calls;
  if (x.grpc_calls) {
    const auto& want = *x.grpc_calls;
    if (want.size() != grpc_calls.size()) {
      ck.fail("grpc_calls", std::to_string(want.size()) + " call(s)",
              std::to_string(grpc_calls.size()));
      for (const auto& call : grpc_calls)
        ck.add("  made: " + call.cluster + " " + call.service + "/" + call.method);
    }
    for (size_t i = 0; i < want.size() && i < grpc_calls.size(); ++i) {
      const auto& w = want[i];
      const auto& g = grpc_calls[i];
      std::string p = "grpc_calls[" + std::to_string(i) + "]";
      auto field = [&](const char* name, const std::optional<std::string>& e,
                       const std::string& got) {
        if (e && *e != got) ck.fail(p + "." + name, quote(*e), quote(got));
      };
      field("cluster", w.cluster, g.cluster);
      field("service", w.service, g.service);
      field("method", w.method, g.method);
      field("message", w.message, g.message);
    }
  }
}

// grpc_streams: the gRPC streams opened, in order and in number.
void check_grpc_streams(const Expect& x, const Observed& o, Checker& ck) {
  if (!x.grpc_streams) return;
  const auto& want = *x.grpc_streams;
  const auto& got = o.grpc_streams;
  if (want.size() != got.size()) {
    ck.add("grpc_streams: expected " + std::to_string(want.size()) + " stream(s), got " +
           std::to_string(got.size()));
    for (const auto& r : got) ck.add("  opened: " + r.cluster + " " + r.service + "/" + r.method);
  }
  for (size_t i = 0; i < want.size() && i < got.size(); ++i) {
    const auto& w = want[i];
    const auto& g = got[i];
    std::string p = "grpc_streams[" + std::to_string(i) + "]";
    auto field = [&](const char* name, const std::optional<std::string>& e, const std::string& v) {
      if (e && *e != v) ck.add(p + "." + name + ": expected " + quote(*e) + ", got " + quote(v));
    };
    field("cluster", w.cluster, g.cluster);
    field("service", w.service, g.service);
    field("method", w.method, g.method);
    if (w.sent) {
      if (w.sent->size() != g.sent.size())
        ck.add(p + ".sent: expected " + std::to_string(w.sent->size()) + " message(s), got " +
               std::to_string(g.sent.size()));
      for (size_t k = 0; k < w.sent->size() && k < g.sent.size(); ++k)
        if ((*w.sent)[k] != g.sent[k])
          ck.add(p + ".sent[" + std::to_string(k) + "]: expected " + quote((*w.sent)[k]) +
                 ", got " + quote(g.sent[k]));
    }
    bool closed = g.local_closed || g.cancelled;
    if (w.closed && *w.closed != closed)
      ck.add(p + ".closed: expected " + std::string(*w.closed ? "true" : "false") + ", got " +
             (closed ? "true" : "false"));
  }
}

// Scripted answers for one case: the case's scripts first, then the plugin's; each answers once
// (the first unused one whose filters match).
template <typename Script>
class ScriptPool {
 public:
  ScriptPool(const std::vector<Script>& first, const std::vector<Script>& then) {
    for (const auto& s : first) m_scripts.push_back(&s);
    for (const auto& s : then) m_scripts.push_back(&s);
    m_used.assign(m_scripts.size(), false);
  }
  template <typename Matches>
  const Script* take(Matches&& matches) {
    for (size_t i = 0; i < m_scripts.size(); ++i)
      if (!m_used[i] && matches(*m_scripts[i])) {
        m_used[i] = true;
        return m_scripts[i];
      }
    return nullptr;
  }

 private:
  std::vector<const Script*> m_scripts;
  std::vector<bool> m_used;
};

template <typename Script>
bool grpc_matches(const Script& s, const std::string& cluster, const std::string& service,
                  const std::string& method) {
  return (!s.cluster || *s.cluster == cluster) && (!s.service || *s.service == service) &&
         (!s.method || *s.method == method);
}

// Installs the scripted upstreams for what runs next: `http`/`grpc`/`streams` (a case's
// scripts, or none between cases) first, then the plugin's; each script answers once. Clusters
// Envoy would know are those the scripts name (a script without one matches any).
void install_upstreams(host::Host& h, const Spec& spec, const std::vector<HttpCallScript>& http,
                       const std::vector<GrpcCallScript>& grpc,
                       const std::vector<GrpcStreamScript>& streams) {
  auto http_known = [&spec, &http](const std::string& cluster) {
    for (const auto* list : {&http, &spec.plugin.http_calls})
      for (const auto& s : *list)
        if (!s.upstream || *s.upstream == cluster) return true;
    return false;
  };
  // One set of gRPC clusters for calls and streams, as Envoy has.
  auto grpc_known = [&spec, &grpc, &streams](const std::string& cluster) {
    for (const auto* list : {&grpc, &spec.plugin.grpc_calls})
      for (const auto& s : *list)
        if (!s.cluster || *s.cluster == cluster) return true;
    for (const auto* list : {&streams, &spec.plugin.grpc_streams})
      for (const auto& s : *list)
        if (!s.cluster || *s.cluster == cluster) return true;
    return false;
  };
  auto http_pool = std::make_shared<ScriptPool<HttpCallScript>>(http, spec.plugin.http_calls);
  auto grpc_pool = std::make_shared<ScriptPool<GrpcCallScript>>(grpc, spec.plugin.grpc_calls);
  auto stream_pool =
      std::make_shared<ScriptPool<GrpcStreamScript>>(streams, spec.plugin.grpc_streams);
  h.set_http_upstream(
      http_known,
      [http_pool](const host::HttpCallRecord& call) -> std::optional<host::HttpCallResponse> {
        auto* s = http_pool->take([&](const HttpCallScript& sc) {
          return (!sc.upstream || *sc.upstream == call.upstream) &&
                 (!sc.path || host::header_value(call.headers, ":path") == *sc.path) &&
                 (!sc.method || host::header_value(call.headers, ":method") == *sc.method);
        });
        if (!s) return std::nullopt;
        return s->response;
      });
  h.set_grpc_upstream(
      grpc_known,
      [grpc_pool](const host::GrpcCallRecord& call) -> std::optional<host::GrpcCallResponse> {
        auto* s = grpc_pool->take([&](const GrpcCallScript& g) {
          return grpc_matches(g, call.cluster, call.service, call.method);
        });
        if (!s) return std::nullopt;
        return s->response;
      });
  // A stream no script answers is closed by the server with 14 UNAVAILABLE, as an unreachable
  // upstream would.
  h.set_grpc_stream_upstream(
      grpc_known,
      [stream_pool](const host::GrpcStreamRecord& r) -> std::vector<host::GrpcStreamEvent> {
        auto* s = stream_pool->take([&](const GrpcStreamScript& g) {
          return grpc_matches(g, r.cluster, r.service, r.method);
        });
        if (s) return s->events;
        host::GrpcStreamEvent close;
        close.kind = host::GrpcStreamEvent::Kind::close;
        close.status = 14;
        close.status_message = "no scripted answer";
        return {close};
      });
}

}  // namespace

SpecResult run_spec(std::string_view module_bytes, const Spec& spec, const RunOptions& opts) {
  SpecResult result;
  result.source = spec.source;

  host::HostOptions ho;
  ho.config.root_id = spec.plugin.root_id.value_or(opts.default_root_id);
  ho.config.vm_id = spec.plugin.vm_id;
  ho.config.plugin_configuration = spec.plugin.has_configuration
                                       ? spec.plugin.configuration
                                       : opts.default_configuration.value_or("");
  ho.config.vm_configuration = spec.plugin.vm_configuration;
  ho.config.properties = spec.plugin.properties;
  ho.config.property_kinds = spec.plugin.property_kinds;
  ho.config.environment = spec.plugin.environment;
  if (spec.plugin.log_level) ho.config.log_level = *spec.plugin.log_level;
  ho.limits = opts.limits;
  ho.host_limits = opts.host_limits;
  const auto& p = spec.plugin;
  if (p.instruction_budget) ho.limits.instruction_budget = *p.instruction_budget;
  if (p.max_memory_pages) ho.limits.max_memory_pages = *p.max_memory_pages;
  if (p.table_elements)
    ho.limits.table_elements =
        static_cast<uint32_t>(std::min<uint64_t>(*p.table_elements, 1u << 30));
  if (p.hostcall_bytes) ho.host_limits.hostcall_bytes = *p.hostcall_bytes;
  if (p.case_bytes) ho.host_limits.case_bytes = *p.case_bytes;
  if (p.header_entries) ho.host_limits.header_entries = *p.header_entries;
  if (p.ticks_per_advance) ho.host_limits.ticks_per_advance = *p.ticks_per_advance;
  uint64_t regex_steps = p.regex_steps.value_or(opts.regex_steps);
  auto version = host::resolve_envoy_version(p.envoy_version.value_or(opts.default_envoy_version));
  if (!version) {
    // A spec naming an unknown release is an error; a project default we do not know falls
    // back to the newest release (ext.yaml may name a platform version ext has no data for).
    if (p.envoy_version) {
      result.error = version.error().message() + " (" + version.error().hint() + ")";
      return result;
    }
    version = host::resolve_envoy_version("");
  }
  ho.config.envoy_version = *version;

  static const std::vector<HttpCallScript> no_http;
  static const std::vector<GrpcCallScript> no_grpc;
  static const std::vector<GrpcStreamScript> no_streams;
  // Calls made at start-up (proxy_on_vm_start, proxy_on_configure) and between cases get the
  // plugin's scripts.
  ho.before_start = [&spec](host::Host& host) {
    install_upstreams(host, spec, no_http, no_grpc, no_streams);
  };

  // The plugin's VMs in one Envoy process: base, canary, main thread, workers (host/process.hpp).
  std::unique_ptr<host::Process> proc;
  std::vector<host::LogEntry> startup_logs;  // shown to the first case of a process, every rep
  size_t first_case_on_vm = 0;
  auto start = [&](size_t case_index) -> bool {
    auto created = host::Process::start(module_bytes, ho, p.concurrency);
    if (!created) {
      result.error = created.error().message();
      return false;
    }
    proc = std::move(*created);
    startup_logs = proc->take_logs();
    first_case_on_vm = case_index;
    return true;
  };

  // Scripted answers on every live VM (the case's first, then the plugin's).
  auto install_everywhere = [&](const std::vector<HttpCallScript>& http,
                                const std::vector<GrpcCallScript>& grpc,
                                const std::vector<GrpcStreamScript>& streams) {
    install_upstreams(proc->main_thread(), spec, http, grpc, streams);
    for (uint32_t w = 0; w < proc->concurrency(); ++w)
      install_upstreams(proc->worker(w), spec, http, grpc, streams);
  };

  for (size_t ci = 0; ci < spec.cases.size(); ++ci) {
    const auto& c = spec.cases[ci];
    CaseResult merged;
    double total_ms = 0;
    for (int rep = 0; rep < std::max(1, opts.repeat); ++rep) {
      auto t0 = std::chrono::steady_clock::now();
      CaseResult cr;
      cr.name = c.name;
      cr.line = c.line;
      Checker ck;
      if (!proc && !result.error) start(ci);
      host::Host* h = proc ? &proc->worker(c.worker) : nullptr;
      std::vector<host::LogEntry> logs;
      std::optional<std::string> error;
      // After a trap Envoy fails the worker's VM; what later streams there see is the failure
      // policy's (fail_reload: the worker gets a new VM, the process-wide store stays).
      bool vm_failed = h && h->failed();
      if (vm_failed && p.failure_policy == FailurePolicy::fail_reload) {
        if (auto r = proc->reload(c.worker); !r) {
          ck.note("start", "the plugin failed to restart: " + r.error().message());
          proc.reset();
          h = nullptr;
          result.error = r.error().message();
        } else {
          h = &proc->worker(c.worker);
          vm_failed = false;
          logs = proc->take_logs();
        }
      }
      if (!h) {
        if (ck.failures.empty())
          ck.note("start", "the plugin failed to start: " + result.error.value_or("unknown error"));
      } else {
        // Scripted answers: the case's first, then the plugin's.
        proc->begin_case();
        install_everywhere(c.http_calls, c.grpc_calls, c.grpc_streams);
        // Metrics before the case (counters compare by change, histograms by new values).
        std::map<std::string, std::pair<int64_t, size_t>> before;
        for (const auto& m : proc->metrics()) before[m.name] = {m.value, m.recorded.size()};

        const auto& x = c.expect;
        // A case that names a callback the module lacks fails: it could never pass in Envoy.
        for (const auto& a : x.actions)
          if (!h->exports("proxy_on_" + a.callback))
            ck.add("actions." + a.callback + ": the module does not export proxy_on_" + a.callback);
        bool has_http = false, has_tcp = false;
        for (const char* cb :
             {"proxy_on_request_headers", "proxy_on_request_body", "proxy_on_request_trailers",
              "proxy_on_response_headers", "proxy_on_response_body", "proxy_on_response_trailers"})
          has_http |= h->exports(cb);
        for (const char* cb :
             {"proxy_on_new_connection", "proxy_on_downstream_data", "proxy_on_upstream_data"})
          has_tcp |= h->exports(cb);
        if (c.tcp && !has_tcp)
          ck.add(
              "connection: the module exports no network callbacks (proxy_on_new_connection, "
              "proxy_on_downstream_data, proxy_on_upstream_data)");
        if (!c.tcp && !has_http)
          ck.add("request: the module exports no HTTP callbacks (proxy_on_request_headers, ...)");

        std::vector<host::CallbackRecord> callbacks;
        std::vector<host::HttpCallRecord> calls;
        std::vector<host::GrpcCallRecord> grpc_calls;
        std::vector<host::GrpcStreamRecord> grpc_streams;
        // Logs since the previous case: the plugin start-up for the first case of a process,
        // a worker's restart, ticks and what they caused on every VM.
        if (ci == first_case_on_vm)
          logs.insert(logs.begin(), startup_logs.begin(), startup_logs.end());
        if (c.advance_ms) {
          auto r = proc->advance(c.advance_ms);
          if (!r) error = r.error().message();
          auto tick_logs = proc->take_logs();
          logs.insert(logs.end(), tick_logs.begin(), tick_logs.end());
          vm_failed = h->failed();
        }
        host::HttpOutcome http;
        host::TcpOutcome tcp;
        if (vm_failed) {
          // Envoy with a failed VM [envoyproxy/envoy api/envoy/extensions/wasm/v3/wasm.proto
          // FailurePolicy]: FAIL_CLOSED answers every stream with a 503 local reply (details
          // wasm_fail_stream) and closes connections; FAIL_OPEN skips the filter.
          bool open = p.failure_policy == FailurePolicy::fail_open;
          if (c.tcp) {
            tcp.to_upstream = open ? util::join(c.tcp_input.downstream, "") : "";
            tcp.to_downstream = open ? util::join(c.tcp_input.upstream, "") : "";
            tcp.closed_downstream = !open;
          } else if (open) {
            http.request_forwarded = true;
            http.request_headers = c.http.request_headers;
            http.request_body = util::join(c.http.request_body, "");
            http.request_trailers = c.http.request_trailers;
            http.response_forwarded = c.http.has_response;
            http.response_headers = c.http.response_headers;
            http.response_body = util::join(c.http.response_body, "");
            http.response_trailers = c.http.response_trailers;
          } else {
            host::LocalResponse lr;
            lr.status = 503;
            lr.details = "wasm_fail_stream";
            http.local_response = lr;
            http.response_forwarded = true;
            http.response_headers = {{":status", "503"}, {"content-length", "0"}};
          }
        } else if (!error) {
          if (c.tcp) {
            tcp = h->run_tcp(c.tcp_input);
            callbacks = tcp.callbacks;
            logs.insert(logs.end(), tcp.logs.begin(), tcp.logs.end());
            calls = tcp.http_calls;
            grpc_calls = tcp.grpc_calls;
            grpc_streams = tcp.grpc_streams;
            error = tcp.error;
          } else {
            http = h->run_http(c.http);
            callbacks = http.callbacks;
            logs.insert(logs.end(), http.logs.begin(), http.logs.end());
            calls = http.http_calls;
            grpc_calls = http.grpc_calls;
            grpc_streams = http.grpc_streams;
            error = http.error;
          }
        }
        // What the stream caused on the other VMs (queue notifications) is delivered now.
        if (!vm_failed && !error) {
          h->take_logs();  // the stream's own logs, already in its outcome
          if (auto r = proc->poll(); !r) error = r.error().message();
          auto later = proc->take_logs();
          logs.insert(logs.end(), later.begin(), later.end());
        }
        install_everywhere(no_http, no_grpc, no_streams);
        proc->begin_case();  // bounded memory under --repeat
        cr.logs = logs;
        // One checker per expectation kind (defined above run_spec).
        Observed o{c.tcp,        error,
                   http,         tcp,
                   callbacks,    logs,
                   calls,        grpc_calls,
                   grpc_streams, proc->metrics(),
                   before,       [h](const std::string& cb) { return h->exports(cb); },
                   regex_steps};
        for (CheckFn check : {check_trap, check_stream, check_actions, check_logs, check_metrics,
                              check_http_calls, check_grpc_calls, check_grpc_streams})
          check(x, o, ck);
      }
      cr.failures = std::move(ck.failures);
      cr.failed_checks = std::move(ck.failed);
      cr.passed = cr.failures.empty();
      cr.ms =
          std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
      total_ms += cr.ms;
      bool first_failure = !cr.passed;
      if (rep == 0 || first_failure) merged = std::move(cr);
      if (first_failure) break;
    }
    merged.ms = total_ms;
    result.cases.push_back(std::move(merged));
  }
  return result;
}

Report run(std::string_view module_bytes, const std::vector<Spec>& specs, const RunOptions& opts) {
  auto t0 = std::chrono::steady_clock::now();
  Report r;
  for (const auto& s : specs) {
    r.specs.push_back(run_spec(module_bytes, s, opts));
    for (const auto& c : r.specs.back().cases) (c.passed ? r.passed : r.failed)++;
    if (r.specs.back().error && r.specs.back().cases.empty()) r.failed++;
  }
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace ext::testing
