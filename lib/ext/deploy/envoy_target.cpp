#include "ext/deploy/envoy_target.hpp"

#include <arpa/inet.h>

#include <cstdlib>

#include "ext/util/strings.hpp"

namespace ext::deploy {

namespace {

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string str_at(const Json& j, const char* key) {
  if (!j.is_object()) return {};
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string type_url(const Json& filter) {
  if (!filter.is_object()) return {};
  auto it = filter.find("typed_config");
  if (it == filter.end()) return {};
  return str_at(*it, "@type");
}

bool is_hcm(const Json& f) {
  auto name = str_at(f, "name");
  return name == "envoy.filters.network.http_connection_manager" ||
         name == "envoy.http_connection_manager" ||
         ends_with(type_url(f), ".HttpConnectionManager");
}

bool is_router(const Json& f) {
  auto name = str_at(f, "name");
  return name == "envoy.filters.http.router" || name == "envoy.router" ||
         type_url(f) == k_router_type;
}

// The plugin name of a wasm filter entry (typed_config.config.name), or "".
std::string wasm_plugin_name(const Json& f) {
  auto t = type_url(f);
  if (t != k_http_wasm_type && t != k_network_wasm_type) return {};
  const auto& tc = f["typed_config"];
  auto it = tc.find("config");
  return it == tc.end() ? std::string() : str_at(*it, "name");
}

// A filter matches `name` by its plugin name or by its own name.
bool names(const Json& f, const std::string& name) {
  return wasm_plugin_name(f) == name || str_at(f, "name") == name;
}

Json socket_address(const std::string& host, int port) {
  Json sa = Json::object();
  sa["address"] = host;
  sa["port_value"] = port;
  Json a = Json::object();
  a["socket_address"] = sa;
  return a;
}

// Inserts `entry` into `list`: replaces a same-name plugin in place, else honours placement,
// else goes before the terminal filter (`terminal`, or the last entry). Returns a note.
Result<std::string> place(Json& list, const Json& entry, const std::string& name,
                          const Placement& placement, bool (*terminal)(const Json&),
                          const std::string& where) {
  bool explicit_place = !placement.before.empty() || !placement.after.empty();
  for (size_t i = 0; i < list.size(); ++i) {
    if (wasm_plugin_name(list[i]) != name) continue;
    if (!explicit_place) {
      list[i] = entry;
      return where + ": updated " + name + " in place";
    }
    list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
    break;
  }
  auto find = [&](const std::string& n) -> std::optional<size_t> {
    for (size_t i = 0; i < list.size(); ++i)
      if (names(list[i], n)) return i;
    return std::nullopt;
  };
  if (!placement.before.empty() || !placement.after.empty()) {
    const std::string& anchor = placement.before.empty() ? placement.after : placement.before;
    auto at = find(anchor);
    if (!at)
      return fail(Errc::not_found, where + ": no filter named \"" + anchor + "\"",
                  "--before/--after take a filter name or a wasm plugin name in that chain");
    size_t pos = placement.before.empty() ? *at + 1 : *at;
    if (!placement.after.empty() && terminal(list[*at]))
      return fail(Errc::invalid_argument,
                  where + ": cannot place a filter after the terminal filter " + anchor);
    list.insert(list.begin() + static_cast<std::ptrdiff_t>(pos), entry);
    return where + ": inserted " + name + (placement.before.empty() ? " after " : " before ") +
           anchor;
  }
  if (list.empty()) return fail(Errc::validation, where + ": the filter list is empty");
  size_t pos = list.size() - 1;
  for (size_t i = 0; i < list.size(); ++i)
    if (terminal(list[i])) {
      pos = i;
      break;
    }
  std::string before = str_at(list[pos], "name");
  list.insert(list.begin() + static_cast<std::ptrdiff_t>(pos), entry);
  return where + ": inserted " + name + " before " + (before.empty() ? "the last filter" : before);
}

bool is_network_terminal(const Json& f) {
  auto name = str_at(f, "name");
  return is_hcm(f) || name == "envoy.filters.network.tcp_proxy" || name == "envoy.tcp_proxy" ||
         type_url(f) == k_tcp_proxy_type;
}

// Calls fn(chain, where) for each filter chain of the selected static listeners.
template <class Fn>
Result<size_t> for_each_chain(Json& bootstrap, const std::string& listener, Fn&& fn) {
  if (!bootstrap.is_object())
    return fail(Errc::validation, "the bootstrap is not a YAML/JSON mapping");
  Json* listeners = nullptr;
  auto sr = bootstrap.find("static_resources");
  if (sr != bootstrap.end() && sr->is_object()) {
    auto l = sr->find("listeners");
    if (l != sr->end() && l->is_array()) listeners = &*l;
  }
  if (!listeners || listeners->empty()) {
    std::string hint = bootstrap.contains("dynamic_resources")
                           ? "this bootstrap gets its listeners over xDS (dynamic_resources); "
                             "add the filter on the management server instead"
                           : "give a bootstrap with static_resources.listeners, or omit "
                             "--bootstrap to generate one";
    return fail(Errc::validation, "the bootstrap has no static listeners", hint);
  }
  size_t matched_listeners = 0, chains = 0;
  for (size_t li = 0; li < listeners->size(); ++li) {
    Json& l = (*listeners)[li];
    std::string lname = str_at(l, "name");
    if (!listener.empty() && lname != listener) continue;
    ++matched_listeners;
    std::string lwhere = "listener " + (lname.empty() ? "#" + std::to_string(li) : lname);
    if (l.contains("filter_chains") && l["filter_chains"].is_array()) {
      auto& fcs = l["filter_chains"];
      for (size_t ci = 0; ci < fcs.size(); ++ci) {
        std::string where = lwhere + (fcs.size() > 1 ? " chain " + std::to_string(ci) : "");
        auto r = fn(fcs[ci], where);
        if (!r) return fail(r.error());
        chains += *r;
      }
    }
    if (l.contains("default_filter_chain") && l["default_filter_chain"].is_object()) {
      auto r = fn(l["default_filter_chain"], lwhere + " default chain");
      if (!r) return fail(r.error());
      chains += *r;
    }
  }
  if (!listener.empty() && matched_listeners == 0)
    return fail(Errc::not_found, "the bootstrap has no static listener named \"" + listener + "\"");
  return chains;
}

}  // namespace

bool HostPort::is_ip() const {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

Result<HostPort> parse_host_port(std::string_view text, std::string_view what,
                                 std::string_view default_host) {
  std::string w(what);
  auto bad = [&](const std::string& why) {
    return fail(Errc::invalid_argument,
                w + " \"" + std::string(text) + "\" is not HOST:PORT: " + why,
                "e.g. 127.0.0.1:8080, [::1]:8080 or localhost:3000");
  };
  auto t = util::trim(text);
  HostPort hp;
  std::string_view port;
  if (!t.empty() && t.front() == '[') {
    auto close = t.find(']');
    if (close == std::string_view::npos || close + 1 >= t.size() || t[close + 1] != ':')
      return bad("unterminated IPv6 address");
    hp.host = std::string(t.substr(1, close - 1));
    port = t.substr(close + 2);
  } else {
    auto colon = t.rfind(':');
    if (colon == std::string_view::npos) return bad("no port");
    hp.host = std::string(t.substr(0, colon));
    if (hp.host.find(':') != std::string::npos) return bad("write IPv6 addresses as [addr]:port");
    port = t.substr(colon + 1);
  }
  if (hp.host.empty()) hp.host = std::string(default_host);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != port.npos)
    return bad("the port must be a number");
  hp.port = std::atoi(std::string(port).c_str());
  if (hp.port < 1 || hp.port > 65535) return bad("the port must be 1-65535");
  return hp;
}

Result<std::string> runtime_name(std::string_view text) {
  std::string t = util::to_lower(util::trim(text));
  if (t.rfind("envoy.wasm.runtime.", 0) == 0) t = t.substr(19);
  if (t == "v8" || t == "wamr" || t == "wasmtime" || t == "null") return "envoy.wasm.runtime." + t;
  if (t == "wavm")
    return fail(Errc::unsupported, "the WAVM runtime was removed from Envoy in 2024 (#32872)",
                "use --runtime v8 (official builds), wamr or wasmtime");
  return fail(Errc::invalid_argument, "unknown wasm runtime \"" + std::string(text) + "\"",
              "use v8 (default, in official Envoy builds), wamr or wasmtime");
}

Result<void> set_failure_fields(Json& config, FailStrategy policy, bool has_failure_policy,
                                const std::string& target) {
  if (has_failure_policy) {
    switch (policy) {
      case FailStrategy::unspecified:
      case FailStrategy::fail_closed:
        config["failure_policy"] = "FAIL_CLOSED";
        break;
      case FailStrategy::fail_open:
        config["failure_policy"] = "FAIL_OPEN";
        break;
      case FailStrategy::fail_reload:
        config["failure_policy"] = "FAIL_RELOAD";
        break;
    }
    return {};
  }
  // Before failure_policy: fail_open (default false, i.e. fail closed); no reload policy.
  if (policy == FailStrategy::fail_open) config["fail_open"] = true;
  if (policy == FailStrategy::fail_reload) {
    const auto& r = row(Feature::envoy_failure_policy);
    return fail(Errc::unsupported,
                "FAIL_RELOAD needs Envoy's failure_policy, first in Envoy 1.33 (" +
                    std::string(r.source) + "); the target is " + target,
                "use FAIL_OPEN or FAIL_CLOSED, or raise --platform-version");
  }
  return {};
}

Result<void> EnvoyTarget::check(const Plugin& plugin, const Image&) const {
  auto runtime = runtime_name(m_opts.runtime);
  if (!runtime) return fail(runtime.error());
  auto probe = filter(plugin);  // the failure policy the release accepts
  if (!probe) return fail(probe.error());
  return {};
}

Result<Rendered> EnvoyTarget::render(const Plugin& plugin, const Image&, const Json* base) const {
  if (base) return patch(*base, plugin);
  return render(plugin);
}

Result<Json> EnvoyTarget::filter(const Plugin& plugin) const {
  auto runtime = runtime_name(m_opts.runtime);
  if (!runtime) return fail(runtime.error());
  if (m_opts.module_filename.empty())
    return fail(Errc::internal, "no module file for the Envoy bootstrap");

  Json config = Json::object();
  config["name"] = plugin.name;
  config["root_id"] = plugin.root_id;
  if (plugin.config) {
    Json c = Json::object();
    c["@type"] = k_string_value_type;
    c["value"] = plugin.config->raw;
    config["configuration"] = c;
  }
  auto failure =
      set_failure_fields(config, plugin.fail, has(Feature::envoy_failure_policy, m_opts.version),
                         "Envoy " + short_version(m_opts.version));
  if (!failure) return fail(failure.error());
  Json vm = Json::object();
  vm["vm_id"] = plugin.name;
  vm["runtime"] = *runtime;
  vm["code"]["local"]["filename"] = m_opts.module_filename;
  config["vm_config"] = vm;

  bool http = plugin.type == FilterType::http;
  Json tc = Json::object();
  tc["@type"] = http ? k_http_wasm_type : k_network_wasm_type;
  tc["config"] = config;
  Json f = Json::object();
  f["name"] = http ? "envoy.filters.http.wasm" : "envoy.filters.network.wasm";
  f["typed_config"] = tc;
  return f;
}

Result<Rendered> EnvoyTarget::render(const Plugin& plugin) const {
  auto listen = parse_host_port(m_opts.listen, "--listen");
  if (!listen) return fail(listen.error());
  auto admin = parse_host_port(m_opts.admin, "--admin");
  if (!admin) return fail(admin.error());
  std::optional<HostPort> upstream;
  if (!m_opts.upstream.empty()) {
    auto u = parse_host_port(m_opts.upstream, "--upstream");
    if (!u) return fail(u.error());
    upstream = *u;
  }
  if (listen->port == admin->port && (listen->host == admin->host || m_opts.bind_all))
    return fail(Errc::invalid_argument,
                "--listen and --admin use the same port " + std::to_string(listen->port));
  std::string any = listen->host.find(':') != std::string::npos ? "::" : "0.0.0.0";

  Json b = Json::object();
  b["admin"]["address"] = socket_address(m_opts.bind_all ? "0.0.0.0" : admin->host, admin->port);

  Json router = Json::object();
  router["name"] = "envoy.filters.http.router";
  router["typed_config"]["@type"] = k_router_type;

  Json terminal;
  bool tcp = plugin.type == FilterType::network && upstream;
  if (tcp) {
    terminal["name"] = "envoy.filters.network.tcp_proxy";
    terminal["typed_config"]["@type"] = k_tcp_proxy_type;
    terminal["typed_config"]["stat_prefix"] = "ingress_tcp";
    terminal["typed_config"]["cluster"] = "upstream";
  } else {
    Json route = Json::object();
    route["match"]["prefix"] = "/";
    if (upstream) {
      route["route"]["cluster"] = "upstream";
    } else {
      route["direct_response"]["status"] = 200;
      route["direct_response"]["body"]["inline_string"] =
          "hello from ext: no --upstream, this is Envoy's direct response\n";
    }
    Json vh = Json::object();
    vh["name"] = "local";
    vh["domains"] = Json::array({"*"});
    vh["routes"] = Json::array({route});
    Json hcm = Json::object();
    hcm["@type"] = k_hcm_type;
    hcm["stat_prefix"] = "ingress_http";
    hcm["route_config"]["name"] = "local_route";
    hcm["route_config"]["virtual_hosts"] = Json::array({vh});
    hcm["http_filters"] = Json::array({router});
    terminal["name"] = "envoy.filters.network.http_connection_manager";
    terminal["typed_config"] = hcm;
  }
  Json chain = Json::object();
  chain["filters"] = Json::array({terminal});
  Json listener = Json::object();
  listener["name"] = "ext";
  listener["address"] = socket_address(m_opts.bind_all ? any : listen->host, listen->port);
  listener["filter_chains"] = Json::array({chain});
  b["static_resources"]["listeners"] = Json::array({listener});
  if (upstream) {
    Json endpoint = Json::object();
    endpoint["endpoint"]["address"] = socket_address(upstream->host, upstream->port);
    Json lb = Json::object();
    lb["lb_endpoints"] = Json::array({endpoint});
    Json cluster = Json::object();
    cluster["name"] = "upstream";
    cluster["connect_timeout"] = "5s";
    cluster["type"] = upstream->is_ip() ? "STATIC" : "STRICT_DNS";
    cluster["lb_policy"] = "ROUND_ROBIN";
    cluster["load_assignment"]["cluster_name"] = "upstream";
    cluster["load_assignment"]["endpoints"] = Json::array({lb});
    b["static_resources"]["clusters"] = Json::array({cluster});
  }
  EnvoyTarget plain(m_opts);
  plain.m_opts.listener.clear();
  plain.m_opts.placement = {};
  auto r = plain.patch(std::move(b), plugin);
  if (!r) return r;
  r->notes.clear();
  r->notes.push_back(
      "listener http://" +
      (listen->host.find(':') != std::string::npos ? "[" + listen->host + "]" : listen->host) +
      ":" + std::to_string(listen->port) + ", admin http://" + admin->host + ":" +
      std::to_string(admin->port) +
      (upstream ? ", upstream " + upstream->host + ":" + std::to_string(upstream->port)
                : ", no upstream (direct response)"));
  return r;
}

Result<Rendered> EnvoyTarget::patch(Json bootstrap, const Plugin& plugin) const {
  auto entry = filter(plugin);
  if (!entry) return fail(entry.error());
  Rendered out;
  bool http = plugin.type == FilterType::http;
  size_t hcms_seen = 0;
  auto chains = for_each_chain(
      bootstrap, m_opts.listener, [&](Json& chain, const std::string& where) -> Result<size_t> {
        if (!chain.is_object() || !chain.contains("filters") || !chain["filters"].is_array())
          return size_t{0};
        Json& filters = chain["filters"];
        if (!http) {
          auto note =
              place(filters, *entry, plugin.name, m_opts.placement, is_network_terminal, where);
          if (!note) return fail(note.error());
          out.notes.push_back(*note);
          return size_t{1};
        }
        size_t n = 0;
        for (auto& f : filters) {
          if (!is_hcm(f)) continue;
          ++hcms_seen;
          if (!f.contains("typed_config") || !f["typed_config"].is_object())
            return fail(Errc::validation,
                        where + ": the HTTP connection manager has no typed_config",
                        "Envoy >= 1.22 needs typed_config on every filter");
          Json& hcm = f["typed_config"];
          if (!hcm.contains("http_filters") || !hcm["http_filters"].is_array() ||
              hcm["http_filters"].empty())
            return fail(Errc::validation,
                        where + ": the HTTP connection manager has no http_filters (no router)");
          Json& hf = hcm["http_filters"];
          for (auto& h : hf) {
            // Router without typed_config: Envoy >= 1.22 refuses it; add the type.
            if (is_router(h) && type_url(h).empty() && !h.contains("config")) {
              h["typed_config"]["@type"] = k_router_type;
              out.notes.push_back(where + ": added typed_config to " + str_at(h, "name"));
            }
          }
          auto note = place(hf, *entry, plugin.name, m_opts.placement, is_router, where);
          if (!note) return fail(note.error());
          out.notes.push_back(*note);
          ++n;
        }
        return n;
      });
  if (!chains) return fail(chains.error());
  if (*chains == 0) {
    std::string scope =
        m_opts.listener.empty() ? "its static listeners" : "listener \"" + m_opts.listener + "\"";
    if (http)
      return fail(Errc::validation, "the bootstrap has no HTTP connection manager in " + scope,
                  "an HTTP filter goes into envoy.filters.network.http_connection_manager; for "
                  "an L4 module build a network filter");
    return fail(Errc::validation, "the bootstrap has no filter chain in " + scope);
  }
  (void)hcms_seen;
  out.documents.push_back(std::move(bootstrap));
  return out;
}

Result<Rendered> EnvoyTarget::remove(Json bootstrap, const std::string& name,
                                     const std::string& listener) {
  Rendered out;
  auto drop = [&](Json& list, const std::string& where) {
    size_t n = 0;
    for (size_t i = 0; i < list.size();) {
      if (wasm_plugin_name(list[i]) == name) {
        list.erase(list.begin() + static_cast<std::ptrdiff_t>(i));
        out.notes.push_back(where + ": removed " + name);
        ++n;
      } else {
        ++i;
      }
    }
    return n;
  };
  auto removed = for_each_chain(
      bootstrap, listener, [&](Json& chain, const std::string& where) -> Result<size_t> {
        if (!chain.is_object() || !chain.contains("filters") || !chain["filters"].is_array())
          return size_t{0};
        Json& filters = chain["filters"];
        size_t n = drop(filters, where);
        for (auto& f : filters) {
          if (!is_hcm(f) || !f.contains("typed_config")) continue;
          auto& tc = f["typed_config"];
          if (tc.contains("http_filters") && tc["http_filters"].is_array())
            n += drop(tc["http_filters"], where);
        }
        return n;
      });
  if (!removed) return fail(removed.error());
  if (*removed == 0)
    return fail(Errc::not_found, "no wasm filter named \"" + name + "\" in the bootstrap");
  out.documents.push_back(std::move(bootstrap));
  return out;
}

}  // namespace ext::deploy
