// ext::deploy — EnvoyTarget: a complete Envoy v3 static bootstrap with the wasm filter, or the
// filter inserted into an existing bootstrap (envoy/extensions/filters/http/wasm/v3,
// network/wasm/v3; docs/deploy.md). typed_config on every filter including the router (Envoy
// >= 1.22 looks filters up by type URL, envoyproxy/envoy#20919), failure_policy from 1.33
// (fail_open before; versions.hpp), configuration as google.protobuf.StringValue, vm_config.runtime
// envoy.wasm.runtime.v8 by default, code.local.filename.
#pragma once

#include <string>
#include <string_view>

#include "ext/core/result.hpp"
#include "ext/deploy/deploy.hpp"
#include "ext/deploy/target.hpp"
#include "ext/deploy/versions.hpp"

namespace ext::deploy {

inline constexpr const char* k_http_wasm_type =
    "type.googleapis.com/envoy.extensions.filters.http.wasm.v3.Wasm";
inline constexpr const char* k_network_wasm_type =
    "type.googleapis.com/envoy.extensions.filters.network.wasm.v3.Wasm";
inline constexpr const char* k_hcm_type =
    "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3."
    "HttpConnectionManager";
inline constexpr const char* k_router_type =
    "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router";
inline constexpr const char* k_tcp_proxy_type =
    "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy";
inline constexpr const char* k_string_value_type =
    "type.googleapis.com/google.protobuf.StringValue";

struct HostPort {
  std::string host;  // without brackets for IPv6
  int port = 0;
  bool is_ip() const;
};
// "127.0.0.1:8080", "[::1]:8080", "localhost:80", ":8080" (host defaults to default_host).
Result<HostPort> parse_host_port(std::string_view text, std::string_view what,
                                 std::string_view default_host = "127.0.0.1");

// "v8" | "wamr" | "wasmtime" | "null" or a full "envoy.wasm.runtime.*" name.
Result<std::string> runtime_name(std::string_view text);

struct EnvoyOptions {
  std::string module_filename;            // code.local.filename, as Envoy will see it
  std::string listen = "127.0.0.1:8080";  // --listen
  std::string admin = "127.0.0.1:9901";   // --admin
  std::string upstream;                   // --upstream HOST:PORT; empty: a direct response
  std::string runtime = "v8";             // --runtime
  std::string listener;                   // --listener NAME (with an existing bootstrap)
  Placement placement;                    // --before / --after
  bool bind_all = false;                  // listener and admin on 0.0.0.0 (in a container)
  Version version = newest_known(Platform::envoy);  // --platform-version: what the fields are
};

// The PluginConfig fields that say what happens when the VM fails, as `version` accepts them:
// failure_policy from Envoy 1.33 (envoyproxy/envoy#36456), before that only fail_open. Used by
// the bootstrap and by Istio's EnvoyFilter form (with the Envoy its Istio release bundles).
Result<void> set_failure_fields(Json& plugin_config, FailStrategy policy, bool has_failure_policy,
                                const std::string& needs);

class EnvoyTarget final : public Target {
 public:
  explicit EnvoyTarget(EnvoyOptions opts) : m_opts(std::move(opts)) {}

  // Target: the module is a local file, so every layout loads; `base` is --bootstrap's document.
  Platform platform() const override { return Platform::envoy; }
  Result<void> check(const Plugin& plugin, const Image& image) const override;
  std::vector<std::string> warnings(const Plugin&, const Image&) const override { return {}; }
  Result<Rendered> render(const Plugin& plugin, const Image& image,
                          const Json* base) const override;

  // The http_filters (or network filters) entry for the plugin.
  Result<Json> filter(const Plugin& plugin) const;
  // A complete bootstrap: admin on loopback, one listener with HCM (or tcp_proxy for a network
  // filter with an upstream), the wasm filter, the router, and the upstream cluster.
  Result<Rendered> render(const Plugin& plugin) const;
  // Inserts or updates (same config.name) the filter in every HTTP connection manager of the
  // static listeners (or only --listener's), keeping everything else. Error(validation) when
  // there is no HTTP connection manager (or, for a network filter, no filter chain).
  Result<Rendered> patch(Json bootstrap, const Plugin& plugin) const;
  // Removes the wasm filters named `name`; Error(not_found) when there is none.
  static Result<Rendered> remove(Json bootstrap, const std::string& name,
                                 const std::string& listener = {});

 private:
  EnvoyOptions m_opts;
};

}  // namespace ext::deploy
