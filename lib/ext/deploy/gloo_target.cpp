#include "ext/deploy/gloo_target.hpp"

#include "ext/deploy/envoy_target.hpp"
#include "ext/deploy/kube.hpp"
#include "ext/util/strings.hpp"

namespace ext::deploy {

namespace {

Result<std::string> stage_name(const std::string& text) {
  std::string t = util::to_lower(text);
  if (t.size() > 5 && t.substr(t.size() - 5) == "stage") t = t.substr(0, t.size() - 5);
  static const std::pair<const char*, const char*> k_stages[] = {
      {"fault", "FaultStage"},       {"cors", "CorsStage"},       {"waf", "WafStage"},
      {"authn", "AuthNStage"},       {"authz", "AuthZStage"},     {"ratelimit", "RateLimitStage"},
      {"accepted", "AcceptedStage"}, {"outauth", "OutAuthStage"}, {"route", "RouteStage"}};
  for (const auto& [k, v] : k_stages)
    if (t == k) return std::string(v);
  return fail(Errc::invalid_argument, "unknown Gloo filter stage \"" + text + "\"",
              "use fault, cors, waf, authn, authz, ratelimit, accepted, outauth or route");
}

Result<std::string> predicate_name(const std::string& text) {
  std::string t = util::to_lower(text);
  if (t == "before") return std::string("Before");
  if (t == "during") return std::string("During");
  if (t == "after") return std::string("After");
  return fail(Errc::invalid_argument, "unknown Gloo stage predicate \"" + text + "\"",
              "use before, during or after");
}

// spec.httpGateway.options.wasm.filters, created as needed; Error when not an HTTP gateway.
Result<Json*> filters_of(Json& gateway, bool create) {
  if (!gateway.is_object() || gateway.value("kind", "") != "Gateway")
    return fail(Errc::validation, "not a Gloo Gateway object (kind: Gateway)");
  auto api = gateway.value("apiVersion", "");
  if (api.rfind("gateway.solo.io/", 0) != 0)
    return fail(Errc::validation, "Gateway apiVersion is \"" + api + "\", not gateway.solo.io/v1",
                "Kubernetes Gateway API gateways (kgateway, Gloo Gateway v2) are not Gloo Edge");
  Json& spec = gateway["spec"];
  if (!spec.is_object()) spec = Json::object();
  if (spec.contains("tcpGateway") || spec.contains("hybridGateway"))
    return fail(Errc::validation, "Gateway " + gateway["metadata"].value("name", "") +
                                      " is not an HTTP gateway (httpGateway)");
  if (!spec.contains("httpGateway")) {
    if (!create) return fail(Errc::not_found, "the Gateway has no httpGateway");
    spec["httpGateway"] = Json::object();
  }
  Json* cur = &spec["httpGateway"];
  for (const char* key : {"options", "wasm"}) {
    if (!cur->is_object()) *cur = Json::object();
    if (!cur->contains(key)) {
      if (!create) return fail(Errc::not_found, "the Gateway has no wasm filters");
      (*cur)[key] = Json::object();
    }
    cur = &(*cur)[key];
  }
  if (!cur->is_object()) *cur = Json::object();
  if (!cur->contains("filters") || !(*cur)["filters"].is_array()) {
    if (!create) return fail(Errc::not_found, "the Gateway has no wasm filters");
    (*cur)["filters"] = Json::array();
  }
  return &(*cur)["filters"];
}

}  // namespace

Result<void> GlooTarget::check(const Plugin& plugin, const Image& image) const {
  auto ok = check(plugin);
  if (!ok) return ok;
  if (image.reference.empty())
    return fail(Errc::invalid_argument,
                "Gloo pulls the module from a registry: deploy an image reference, not a file",
                "push the module first (ext build -t REF && ext push REF), then deploy REF");
  return {};
}

std::vector<std::string> GlooTarget::warnings(const Plugin&, const Image& image) const {
  if (image.layout.empty() || image.layout == "oci") return {};
  return {"the image is in the " + image.layout +
          " layout; Gloo's wasm cache reads the wasme \"oci\" layout (ext build --format oci)"};
}

Result<Rendered> GlooTarget::render(const Plugin& plugin, const Image& image,
                                    const Json* base) const {
  auto ok = check(plugin, image);
  if (!ok) return fail(ok.error());
  return patch(base ? *base : default_gateway(), plugin, image.reference);
}

std::optional<Json> GlooTarget::live_base(Kubectl& kubectl) const {
  auto gateway = kubectl.get("gateways.gateway.solo.io", m_opts.gateway, m_opts.ns);
  strip_server_fields(gateway);
  return gateway;
}

std::string GlooTarget::apply(const Plugin&, const Rendered& rendered, Kubectl& kubectl) const {
  return kubectl.replace(rendered.yaml());
}

Result<void> GlooTarget::check(const Plugin& plugin) const {
  auto v = validate_kube_name(plugin.name, "--name");
  if (!v) return v;
  auto g = validate_kube_name(m_opts.gateway, "--gateway");
  if (!g) return g;
  auto n = validate_kube_namespace(m_opts.ns, "--namespace");
  if (!n) return n;
  if (plugin.fail == FailStrategy::fail_open) {
    auto f = require(Feature::gloo_fail_open, m_opts.version);
    if (!f) return f;
  }
  if (plugin.type != FilterType::http)
    return fail(Errc::unsupported,
                "Gloo Edge runs HTTP wasm filters only; this is a network filter");
  if (plugin.fail == FailStrategy::fail_reload)
    return fail(Errc::unsupported, "Gloo has failOpen only; use FAIL_OPEN or FAIL_CLOSE");
  if (!m_opts.stage.empty()) {
    auto s = stage_name(m_opts.stage);
    if (!s) return fail(s.error());
  }
  if (!m_opts.predicate.empty()) {
    if (m_opts.stage.empty()) return fail(Errc::usage, "--predicate needs --stage");
    auto p = predicate_name(m_opts.predicate);
    if (!p) return fail(p.error());
  }
  if (!m_opts.placement.before.empty() && !m_opts.placement.after.empty())
    return fail(Errc::usage, "give --before or --after, not both");
  return {};
}

Json GlooTarget::default_gateway() const {
  Json g = Json::object();
  g["apiVersion"] = "gateway.solo.io/v1";
  g["kind"] = "Gateway";
  g["metadata"]["name"] = m_opts.gateway;
  g["metadata"]["namespace"] = m_opts.ns;
  g["spec"]["bindAddress"] = "::";
  g["spec"]["bindPort"] = 8080;
  g["spec"]["proxyNames"] = Json::array({"gateway-proxy"});
  g["spec"]["useProxyProto"] = false;
  g["spec"]["ssl"] = false;
  g["spec"]["httpGateway"] = Json::object();
  return g;
}

Result<Json> GlooTarget::filter(const Plugin& plugin, const std::string& image) const {
  Json f = Json::object();
  f["name"] = plugin.name;
  f["image"] = image;
  f["rootId"] = plugin.root_id;
  if (plugin.config) {
    f["config"]["@type"] = k_string_value_type;
    f["config"]["value"] = plugin.config->raw;
  }
  if (!m_opts.stage.empty()) {
    f["filterStage"]["stage"] = *stage_name(m_opts.stage);
    f["filterStage"]["predicate"] =
        m_opts.predicate.empty() ? std::string("During") : *predicate_name(m_opts.predicate);
  }
  if (plugin.fail == FailStrategy::fail_open) f["failOpen"] = true;
  return f;
}

Result<Rendered> GlooTarget::patch(Json gateway, const Plugin& plugin,
                                   const std::string& image) const {
  auto ok = check(plugin);
  if (!ok) return fail(ok.error());
  auto entry = filter(plugin, image);
  if (!entry) return fail(entry.error());
  auto list = filters_of(gateway, true);
  if (!list) return fail(list.error());
  Json& filters = **list;
  Rendered out;
  std::string gw =
      gateway["metadata"].value("namespace", "") + "/" + gateway["metadata"].value("name", "");
  const auto& pl = m_opts.placement;
  bool explicit_place = !pl.before.empty() || !pl.after.empty();
  bool replaced = false;
  for (size_t i = 0; i < filters.size(); ++i) {
    if (!filters[i].is_object() || filters[i].value("name", "") != plugin.name) continue;
    if (explicit_place) {
      filters.erase(filters.begin() + static_cast<std::ptrdiff_t>(i));
    } else {
      filters[i] = *entry;
      out.notes.push_back("gateway " + gw + ": updated filter " + plugin.name + " in place");
      replaced = true;
    }
    break;
  }
  if (!replaced) {
    if (explicit_place) {
      const std::string& anchor = pl.before.empty() ? pl.after : pl.before;
      std::optional<size_t> at;
      for (size_t i = 0; i < filters.size(); ++i)
        if (filters[i].is_object() && filters[i].value("name", "") == anchor) at = i;
      if (!at)
        return fail(Errc::not_found,
                    "gateway " + gw + " has no wasm filter named \"" + anchor + "\"");
      size_t pos = pl.before.empty() ? *at + 1 : *at;
      filters.insert(filters.begin() + static_cast<std::ptrdiff_t>(pos), *entry);
      out.notes.push_back("gateway " + gw + ": inserted filter " + plugin.name +
                          (pl.before.empty() ? " after " : " before ") + anchor);
    } else {
      filters.push_back(*entry);
      out.notes.push_back("gateway " + gw + ": added filter " + plugin.name + " (position " +
                          std::to_string(filters.size()) + ")");
    }
  }
  out.documents.push_back(std::move(gateway));
  return out;
}

Result<Rendered> GlooTarget::remove(Json gateway, const std::string& name) {
  auto list = filters_of(gateway, false);
  if (!list) {
    if (list.error().code() == Errc::not_found)
      return fail(Errc::not_found, "no wasm filter named \"" + name + "\" in the Gateway");
    return fail(list.error());
  }
  Json& filters = **list;
  Rendered out;
  size_t before = filters.size();
  for (size_t i = 0; i < filters.size();) {
    if (filters[i].is_object() && filters[i].value("name", "") == name)
      filters.erase(filters.begin() + static_cast<std::ptrdiff_t>(i));
    else
      ++i;
  }
  if (filters.size() == before)
    return fail(Errc::not_found, "no wasm filter named \"" + name + "\" in the Gateway");
  out.notes.push_back("removed filter " + name + " (" + std::to_string(filters.size()) +
                      " other wasm filter(s) kept)");
  out.documents.push_back(std::move(gateway));
  return out;
}

void GlooTarget::strip_server_fields(Json& object) {
  if (!object.is_object()) return;
  object.erase("status");
  if (object.contains("metadata") && object["metadata"].is_object()) {
    auto& m = object["metadata"];
    for (const char* k : {"managedFields", "uid", "creationTimestamp", "generation", "selfLink"})
      m.erase(k);
  }
}

}  // namespace ext::deploy
