#include "ext/deploy/istio_target.hpp"

#include <algorithm>
#include <cstdlib>

#include "ext/deploy/envoy_target.hpp"
#include "ext/deploy/kube.hpp"
#include "ext/util/strings.hpp"

namespace ext::deploy {

// The CA bundle of Debian/Ubuntu based proxy images (Istio's proxyv2 is Ubuntu based).
constexpr const char* k_system_ca_bundle = "/etc/ssl/certs/ca-certificates.crt";

namespace {

std::string hex_of(const std::string& digest) {
  auto colon = digest.find(':');
  return colon == std::string::npos ? digest : digest.substr(colon + 1);
}

struct Url {
  std::string scheme, host, path;
  int port = 0;
};

Result<Url> parse_url(const std::string& text) {
  Url u;
  auto sep = text.find("://");
  if (sep == std::string::npos)
    return fail(Errc::invalid_argument, "module URL \"" + text + "\" has no scheme");
  u.scheme = util::to_lower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https")
    return fail(Errc::invalid_argument, "module URL must be http:// or https://, got " + text);
  auto rest = text.substr(sep + 3);
  auto slash = rest.find('/');
  std::string authority = rest.substr(0, slash);
  u.path = slash == std::string::npos ? "/" : rest.substr(slash);
  if (authority.find('@') != std::string::npos)
    return fail(Errc::invalid_argument, "module URL must not carry credentials");
  u.port = u.scheme == "https" ? 443 : 80;
  std::string host = authority;
  if (!authority.empty() && authority.front() == '[') {
    auto close = authority.find(']');
    if (close == std::string::npos) return fail(Errc::invalid_argument, "bad module URL " + text);
    host = authority.substr(1, close - 1);
    if (close + 1 < authority.size() && authority[close + 1] == ':')
      u.port = std::atoi(authority.substr(close + 2).c_str());
  } else if (auto colon = authority.rfind(':'); colon != std::string::npos) {
    host = authority.substr(0, colon);
    u.port = std::atoi(authority.substr(colon + 1).c_str());
  }
  if (host.empty() || u.port <= 0 || u.port > 65535)
    return fail(Errc::invalid_argument, "bad module URL " + text);
  u.host = host;
  return u;
}

Result<std::string> upper_enum(const std::string& value, const std::vector<std::string>& allowed,
                               const std::string& flag) {
  std::string up;
  for (char c : value) up += static_cast<char>(c == '-' ? '_' : std::toupper(c));
  for (const auto& a : allowed) {
    std::string aup;
    for (char c : a) aup += static_cast<char>(std::toupper(c));
    if (aup == up) return a;
  }
  return fail(Errc::invalid_argument,
              flag + " \"" + value + "\" is not one of " + util::join(allowed, ", "));
}

struct TargetRef {
  std::string group, kind, name;
};

Result<TargetRef> parse_target_ref(const std::string& text) {
  auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 >= text.size())
    return fail(Errc::invalid_argument, "--target-ref \"" + text + "\" is not KIND/NAME",
                "e.g. --target-ref Gateway/my-gateway or --target-ref Service/reviews");
  std::string kind = text.substr(0, slash), name = text.substr(slash + 1);
  std::string k = util::to_lower(kind);
  TargetRef r;
  r.name = name;
  if (k == "gateway") {
    r.group = "gateway.networking.k8s.io";
    r.kind = "Gateway";
  } else if (k == "gatewayclass") {
    r.group = "gateway.networking.k8s.io";
    r.kind = "GatewayClass";
  } else if (k == "service") {
    r.group = "";
    r.kind = "Service";
  } else if (k == "serviceentry") {
    r.group = "networking.istio.io";
    r.kind = "ServiceEntry";
  } else {
    return fail(Errc::invalid_argument, "--target-ref kind \"" + kind + "\" is not supported",
                "WasmPlugin targetRefs take Gateway, GatewayClass, Service or ServiceEntry");
  }
  auto v = validate_kube_name(name, "--target-ref name");
  if (!v) return fail(v.error());
  return r;
}

}  // namespace

std::string docker_config_json(const PullCredentials& creds) {
  // Same bytes as `kubectl create secret docker-registry` (key order username, password, auth).
  Json entry = Json::object();
  entry["username"] = creds.username;
  entry["password"] = creds.password;
  entry["auth"] = util::base64_encode(creds.username + ":" + creds.password);
  Json j = Json::object();
  j["auths"][creds.server] = entry;
  return j.dump();
}

std::vector<std::string> IstioTarget::managed_kinds() {
  return {"wasmplugins.extensions.istio.io", "envoyfilters.networking.istio.io", "secrets"};
}

Result<void> IstioTarget::check_options(const Plugin& plugin) const {
  auto v = validate_kube_name(plugin.name, "--name");
  if (!v) return v;
  if (!m_opts.ns.empty()) {
    auto n = validate_kube_namespace(m_opts.ns, "--namespace");
    if (!n) return n;
  }
  if (!m_opts.pull_secret.empty()) {
    auto n = validate_kube_name(m_opts.pull_secret, "--pull-secret");
    if (!n) return n;
  }
  if (!m_opts.selector.empty() && !m_opts.target_refs.empty())
    return fail(Errc::invalid_argument, "--selector and --target-ref cannot be combined",
                "WasmPlugin allows only one of selector and targetRefs");
  if (m_opts.target_refs.size() > 16)
    return fail(Errc::invalid_argument, "at most 16 --target-ref values");
  for (const auto& t : m_opts.target_refs) {
    auto r = parse_target_ref(t);
    if (!r) return fail(r.error());
  }
  if (m_opts.envoyfilter && !m_opts.target_refs.empty())
    return fail(Errc::invalid_argument, "--target-ref needs WasmPlugin; drop --envoyfilter");
  for (const auto& [k, val] : m_opts.selector)
    if (k.empty()) return fail(Errc::invalid_argument, "--selector needs KEY=VALUE");
  if (!m_opts.phase.empty()) {
    auto p = upper_enum(m_opts.phase, {"AUTHN", "AUTHZ", "STATS"}, "--phase");
    if (!p) return fail(p.error());
  }
  if (!m_opts.pull_policy.empty()) {
    auto p = upper_enum(m_opts.pull_policy, {"IfNotPresent", "Always"}, "--pull-policy");
    if (!p) return fail(p.error());
  }
  if (m_opts.envoyfilter) {
    auto c =
        upper_enum(m_opts.patch_context, {"SIDECAR_INBOUND", "SIDECAR_OUTBOUND", "GATEWAY", "ANY"},
                   "--patch-context");
    if (!c) return fail(c.error());
  }
  if (plugin.root_id.size() > 256)
    return fail(Errc::invalid_argument, "the root id (pluginName) is longer than 256 characters");
  for (const auto& [k, val] : m_opts.selector) {
    auto l = validate_label(k, val, "--selector");
    if (!l) return l;
  }
  // What the release accepts.
  const Version& ver = m_opts.version;
  if (!m_opts.envoyfilter) {
    auto r = require(Feature::istio_wasm_plugin, ver);
    if (!r)
      return fail(Errc::unsupported, r.error().message(),
                  "use --envoyfilter (an EnvoyFilter with remote code) for Istio before 1.12");
    if (plugin.type == FilterType::network) {
      auto t = require(Feature::istio_plugin_type, ver);
      if (!t)
        return fail(Errc::unsupported, "a network filter " + t.error().message(),
                    "before Istio 1.20 a WasmPlugin is always an HTTP filter; use --envoyfilter "
                    "for a network filter, or raise --platform-version");
    }
    if (!m_opts.target_refs.empty()) {
      auto t = require(Feature::istio_target_refs, ver);
      if (!t) return t;
    }
    if (!m_opts.pull_secret.empty()) {
      auto t = require(Feature::istio_image_pull_secret, ver);
      if (!t) return t;
    }
    if (plugin.fail == FailStrategy::fail_open || plugin.fail == FailStrategy::fail_closed) {
      auto t = require(Feature::istio_fail_strategy, ver);
      if (!t) return t;
    }
    if (plugin.fail == FailStrategy::fail_reload) {
      auto t = require(Feature::istio_fail_reload, ver);
      if (!t) return t;
    }
  } else if (plugin.fail == FailStrategy::fail_reload) {
    auto t = require(Feature::istio_envoy_failure_policy, ver);
    if (!t) return t;
  }
  return {};
}

std::string istio_layout_problem(const std::string& layout) {
  if (layout.empty() || layout == "oci" || layout == "compat" || layout == "docker-v2") return {};
  return "the image is in the " + layout +
         " layout, which Istio's wasm fetcher does not read (it reads the oci and compat "
         "layouts: istio/istio pkg/wasm/imagefetcher.go, through 1.30); rebuild with "
         "`ext build --format oci` (or compat) and push";
}

Json IstioTarget::metadata(const std::string& name, const IstioImage& image) const {
  Json m = Json::object();
  m["name"] = name;
  if (!m_opts.ns.empty()) m["namespace"] = m_opts.ns;
  m["labels"] = managed_labels(name);
  if (!image.reference.empty()) {
    m["annotations"]["ext.dev/reference"] = image.reference;
    if (!image.module_sha256.empty())
      m["annotations"]["ext.dev/module-sha256"] = image.module_sha256;
  }
  return m;
}

Result<Json> IstioTarget::wasm_plugin(const Plugin& plugin, const IstioImage& image) const {
  if (image.registry.empty() || image.repository.empty())
    return fail(Errc::invalid_argument, "Istio needs an image reference, not a file",
                "push the module first (ext build -t REF && ext push REF), then deploy REF");
  Json spec = Json::object();
  if (!m_opts.selector.empty()) {
    Json labels = Json::object();
    for (const auto& [k, v] : m_opts.selector) labels[k] = v;
    spec["selector"]["matchLabels"] = labels;
  }
  if (!m_opts.target_refs.empty()) {
    Json refs = Json::array();
    for (const auto& t : m_opts.target_refs) {
      auto r = parse_target_ref(t);
      if (!r) return fail(r.error());
      Json ref = Json::object();
      ref["group"] = r->group;
      ref["kind"] = r->kind;
      ref["name"] = r->name;
      refs.push_back(ref);
    }
    spec["targetRefs"] = refs;
  }
  std::string base = "oci://" + image.registry + "/" + image.repository;
  if (m_opts.pin) {
    if (image.manifest_digest.empty())
      return fail(Errc::internal, "no manifest digest to pin the WasmPlugin url to");
    spec["url"] = base + "@" + image.manifest_digest;
    spec["sha256"] = hex_of(image.manifest_digest);
  } else {
    spec["url"] = base + (image.tag.empty() ? "" : ":" + image.tag);
  }
  if (!m_opts.pull_policy.empty())
    spec["imagePullPolicy"] = *upper_enum(m_opts.pull_policy, {"IfNotPresent", "Always"}, "");
  if (!m_opts.pull_secret.empty()) spec["imagePullSecret"] = m_opts.pull_secret;
  if (!m_opts.phase.empty())
    spec["phase"] = *upper_enum(m_opts.phase, {"AUTHN", "AUTHZ", "STATS"}, "");
  if (m_opts.priority) spec["priority"] = *m_opts.priority;
  switch (plugin.fail) {
    case FailStrategy::unspecified:
      break;
    case FailStrategy::fail_closed:
      spec["failStrategy"] = "FAIL_CLOSE";
      break;
    case FailStrategy::fail_open:
      spec["failStrategy"] = "FAIL_OPEN";
      break;
    case FailStrategy::fail_reload:
      spec["failStrategy"] = "FAIL_RELOAD";
      break;
  }
  if (!plugin.root_id.empty()) spec["pluginName"] = plugin.root_id;
  if (plugin.config) {
    auto obj = plugin.config->as_object();
    if (!obj) return fail(obj.error());
    spec["pluginConfig"] = *obj;
  }
  // spec.type exists from Istio 1.20 (before it, every WasmPlugin is an HTTP filter).
  if (has(Feature::istio_plugin_type, m_opts.version))
    spec["type"] = plugin.type == FilterType::http ? "HTTP" : "NETWORK";

  Json doc = Json::object();
  doc["apiVersion"] = "extensions.istio.io/v1alpha1";
  doc["kind"] = "WasmPlugin";
  doc["metadata"] = metadata(plugin.name, image);
  doc["spec"] = spec;
  return doc;
}

Result<Json> IstioTarget::envoy_filter(const Plugin& plugin, const IstioImage& image) const {
  if (image.module_url.empty())
    return fail(Errc::invalid_argument,
                "the EnvoyFilter form needs an http(s) URL that serves the raw module",
                "pass --module-url https://.../filter.wasm");
  if (image.module_sha256.size() != 64)
    return fail(Errc::internal, "no module sha256 for the EnvoyFilter remote code");
  auto url = parse_url(image.module_url);
  if (!url) return fail(url.error());
  std::string context =
      *upper_enum(m_opts.patch_context, {"SIDECAR_INBOUND", "SIDECAR_OUTBOUND", "GATEWAY", "ANY"},
                  "--patch-context");
  std::string cluster_name = "ext-wasm-" + plugin.name;

  // The cluster Envoy fetches the module through (remote code needs a defined cluster).
  Json endpoint = Json::object();
  endpoint["endpoint"]["address"]["socket_address"]["address"] = url->host;
  endpoint["endpoint"]["address"]["socket_address"]["port_value"] = url->port;
  Json lb = Json::object();
  lb["lb_endpoints"] = Json::array({endpoint});
  Json cluster = Json::object();
  cluster["name"] = cluster_name;
  cluster["type"] = HostPort{url->host, url->port}.is_ip() ? "STATIC" : "STRICT_DNS";
  cluster["connect_timeout"] = "5s";
  cluster["dns_lookup_family"] = "V4_ONLY";
  cluster["load_assignment"]["cluster_name"] = cluster_name;
  cluster["load_assignment"]["endpoints"] = Json::array({lb});
  if (url->scheme == "https") {
    cluster["transport_socket"]["name"] = "envoy.transport_sockets.tls";
    cluster["transport_socket"]["typed_config"]["@type"] =
        "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext";
    cluster["transport_socket"]["typed_config"]["sni"] = url->host;
    // Verify the server: the system CAs of the proxy image (Debian/Ubuntu path, as in Istio's
    // proxyv2 image) and the host name in the certificate.
    Json& vc =
        cluster["transport_socket"]["typed_config"]["common_tls_context"]["validation_context"];
    vc["trusted_ca"]["filename"] = k_system_ca_bundle;
    Json san = Json::object();
    if (has(Feature::istio_envoy_typed_san, m_opts.version)) {
      san["san_type"] = HostPort{url->host, url->port}.is_ip() ? "IP_ADDRESS" : "DNS";
      san["matcher"]["exact"] = url->host;
      vc["match_typed_subject_alt_names"] = Json::array({san});
    } else {
      san["exact"] = url->host;
      vc["match_subject_alt_names"] = Json::array({san});
    }
  }
  Json cluster_patch = Json::object();
  cluster_patch["applyTo"] = "CLUSTER";
  cluster_patch["match"]["context"] = context;
  cluster_patch["patch"]["operation"] = "ADD";
  cluster_patch["patch"]["value"] = cluster;

  // The filter, with remote code (envoy.config.core.v3.RemoteDataSource: http_uri + sha256;
  // docs/deploy.md).
  Json config = Json::object();
  config["name"] = plugin.name;
  config["root_id"] = plugin.root_id;
  if (plugin.config) {
    config["configuration"]["@type"] = k_string_value_type;
    config["configuration"]["value"] = plugin.config->raw;
  }
  // failure_policy once the Istio release's own Envoy reads it (1.25), fail_open before.
  auto failure = set_failure_fields(config, plugin.fail,
                                    has(Feature::istio_envoy_failure_policy, m_opts.version),
                                    "the Envoy of Istio " + short_version(m_opts.version));
  if (!failure) return fail(failure.error());
  Json remote = Json::object();
  remote["http_uri"]["uri"] = image.module_url;
  remote["http_uri"]["cluster"] = cluster_name;
  remote["http_uri"]["timeout"] = "30s";
  remote["sha256"] = image.module_sha256;
  remote["retry_policy"]["num_retries"] = 3;
  config["vm_config"]["vm_id"] = plugin.name;
  config["vm_config"]["runtime"] = "envoy.wasm.runtime.v8";
  config["vm_config"]["code"]["remote"] = remote;

  bool http = plugin.type == FilterType::http;
  Json value = Json::object();
  value["name"] = plugin.name;
  value["typed_config"]["@type"] = http ? k_http_wasm_type : k_network_wasm_type;
  value["typed_config"]["config"] = config;

  Json filter_patch = Json::object();
  filter_patch["applyTo"] = http ? "HTTP_FILTER" : "NETWORK_FILTER";
  filter_patch["match"]["context"] = context;
  if (http) {
    filter_patch["match"]["listener"]["filterChain"]["filter"]["name"] =
        "envoy.filters.network.http_connection_manager";
    filter_patch["match"]["listener"]["filterChain"]["filter"]["subFilter"]["name"] =
        "envoy.filters.http.router";
  } else {
    filter_patch["match"]["listener"]["filterChain"]["filter"]["name"] =
        "envoy.filters.network.tcp_proxy";
  }
  filter_patch["patch"]["operation"] = "INSERT_BEFORE";
  filter_patch["patch"]["value"] = value;

  Json spec = Json::object();
  if (!m_opts.selector.empty()) {
    Json labels = Json::object();
    for (const auto& [k, v] : m_opts.selector) labels[k] = v;
    spec["workloadSelector"]["labels"] = labels;
  }
  if (m_opts.priority) spec["priority"] = *m_opts.priority;
  spec["configPatches"] = Json::array({cluster_patch, filter_patch});

  Json doc = Json::object();
  doc["apiVersion"] = "networking.istio.io/v1alpha3";
  doc["kind"] = "EnvoyFilter";
  doc["metadata"] = metadata(plugin.name, image);
  doc["spec"] = spec;
  return doc;
}

Result<void> IstioTarget::check(const Plugin& plugin, const Image& image) const {
  auto ok = check_options(plugin);
  if (!ok) return ok;
  if (image.registry.empty() || image.repository.empty())
    return fail(Errc::invalid_argument,
                "Istio pulls the module from a registry: deploy an image reference, not a file",
                "push the module first (ext build -t REF && ext push REF), then deploy REF");
  return {};
}

std::vector<std::string> IstioTarget::warnings(const Plugin&, const Image& image) const {
  std::vector<std::string> out;
  if (!m_opts.envoyfilter) {
    if (auto p = istio_layout_problem(image.layout); !p.empty()) out.push_back(p);
  } else if (image.module_url.empty()) {
    out.push_back(
        "the EnvoyFilter form fetches the raw module over http(s), and this image "
        "(layout " +
        image.layout + ") has no raw module layer to serve");
  }
  return out;
}

Result<Rendered> IstioTarget::render(const Plugin& plugin, const Image& image, const Json*) const {
  auto ok = check(plugin, image);
  if (!ok) return fail(ok.error());
  Rendered out;
  if (m_creds) {
    if (m_opts.pull_secret.empty())
      return fail(Errc::usage, "--create-pull-secret needs --pull-secret NAME");
    Json secret = Json::object();
    secret["apiVersion"] = "v1";
    secret["kind"] = "Secret";
    secret["metadata"]["name"] = m_opts.pull_secret;
    if (!m_opts.ns.empty()) secret["metadata"]["namespace"] = m_opts.ns;
    // Not labelled with the deployment: several deployments may share it (remove()).
    secret["metadata"]["labels"][k_managed_by_label] = k_managed_by_value;
    secret["metadata"]["labels"][k_pull_secret_label] = "true";
    secret["metadata"]["annotations"][k_used_by_annotation] = plugin.name;
    secret["type"] = "kubernetes.io/dockerconfigjson";
    secret["data"][".dockerconfigjson"] = util::base64_encode(docker_config_json(*m_creds));
    out.documents.push_back(secret);
    out.notes.push_back("pull secret " + m_opts.pull_secret + " for " + m_creds->server);
  }
  auto doc = m_opts.envoyfilter ? envoy_filter(plugin, image) : wasm_plugin(plugin, image);
  if (!doc) return fail(doc.error());
  if (m_opts.envoyfilter && !m_opts.phase.empty())
    out.notes.push_back(
        "--phase applies to WasmPlugin only; the EnvoyFilter inserts the "
        "filter before the router");
  out.documents.push_back(std::move(*doc));
  return out;
}

namespace {
std::vector<std::string> split_users(const std::string& s) {
  std::vector<std::string> out;
  for (auto& u : util::split(s, ','))
    if (!util::trim(u).empty()) out.emplace_back(util::trim(u));
  return out;
}
std::string users_of(const Json& object) {
  const auto& md = object.value("metadata", Json::object());
  const auto& an = md.value("annotations", Json::object());
  auto it = an.find(k_used_by_annotation);
  return it != an.end() && it->is_string() ? it->get<std::string>() : std::string();
}
std::string selector_for(const std::string& name) {
  return std::string(k_managed_by_label) + "=" + k_managed_by_value + "," + k_deployment_label +
         "=" + name;
}
}  // namespace

std::string IstioTarget::apply(const Plugin& plugin, const Rendered& rendered,
                               Kubectl& kubectl) const {
  std::string out;
  // The other form of this deployment goes first, so the filter never runs twice.
  std::string other =
      m_opts.envoyfilter ? "wasmplugins.extensions.istio.io" : "envoyfilters.networking.istio.io";
  kubectl.delete_by_label(other, m_opts.ns, selector_for(plugin.name), &out);
  std::vector<Json> docs = rendered.documents;
  for (auto& d : docs) {
    if (d.value("kind", "") != "Secret") continue;
    // Keep the users the cluster already knows of.
    auto users = std::vector<std::string>{plugin.name};
    try {
      auto live = kubectl.get("secret", m_opts.pull_secret, m_opts.ns);
      for (auto& u : split_users(users_of(live)))
        if (std::find(users.begin(), users.end(), u) == users.end()) users.push_back(u);
    } catch (const Error& e) {
      if (e.code() != Errc::not_found) throw;
    }
    std::sort(users.begin(), users.end());
    d["metadata"]["annotations"][k_used_by_annotation] = util::join(users, ",");
  }
  out += kubectl.apply(to_yaml_documents(docs));
  return out;
}

std::vector<std::string> IstioTarget::remove(const std::string& name, const std::string& ns,
                                             Kubectl& kubectl, bool dry_run,
                                             std::vector<std::vector<std::string>>* would_run) {
  std::vector<std::string> notes;
  std::string out;
  for (const auto& kind : {"wasmplugins.extensions.istio.io", "envoyfilters.networking.istio.io"}) {
    if (dry_run) {
      std::vector<std::string> argv{"delete", kind};
      if (!ns.empty()) argv.insert(argv.end(), {"-n", ns});
      argv.insert(argv.end(), {"-l", selector_for(name), "--ignore-not-found"});
      if (would_run) would_run->push_back(argv);
      continue;
    }
    if (!kubectl.delete_by_label(kind, ns, selector_for(name), &out))
      notes.push_back(std::string(kind) + ": not installed in the cluster, skipped");
  }
  // Pull secrets: drop this deployment from each; delete a secret with no user left.
  std::string secret_sel = std::string(k_managed_by_label) + "=" + k_managed_by_value + "," +
                           k_pull_secret_label + "=true";
  if (dry_run) {
    std::vector<std::string> argv{"get", "secrets"};
    if (!ns.empty()) argv.insert(argv.end(), {"-n", ns});
    argv.insert(argv.end(), {"-l", secret_sel, "-o", "json"});
    if (would_run) would_run->push_back(argv);
    return notes;
  }
  for (const auto& s : kubectl.list("secrets", ns, secret_sel)) {
    auto users = split_users(users_of(s));
    auto it = std::find(users.begin(), users.end(), name);
    if (it == users.end()) continue;
    users.erase(it);
    std::string sname = s["metadata"].value("name", "");
    if (sname.empty()) continue;
    if (users.empty()) {
      kubectl.delete_named("secret", sname, ns);
      notes.push_back("secret " + sname + ": deleted (no other deployment uses it)");
    } else {
      kubectl.annotate("secret", sname, ns, k_used_by_annotation, util::join(users, ","));
      notes.push_back("secret " + sname + ": kept for " + util::join(users, ", "));
    }
  }
  return notes;
}

}  // namespace ext::deploy
