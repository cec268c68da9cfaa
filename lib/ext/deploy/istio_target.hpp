// ext::deploy — IstioTarget: an Istio WasmPlugin (extensions.istio.io/v1alpha1, peers.md §4
// C.1), or the legacy EnvoyFilter (networking.istio.io/v1alpha3) with remote code for Istio
// versions without WasmPlugin, and a kubernetes.io/dockerconfigjson pull Secret. Every object
// carries the ext labels (kube.hpp) so `ext undeploy istio NAME` deletes exactly what deploy
// created.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ext/core/result.hpp"
#include "ext/deploy/deploy.hpp"

namespace ext::deploy {

struct IstioOptions {
  std::string ns;                                             // --namespace (empty: kubectl's)
  std::vector<std::pair<std::string, std::string>> selector;  // --selector K=V
  std::vector<std::string> target_refs;                       // --target-ref KIND/NAME
  std::string phase;                                          // AUTHN | AUTHZ | STATS
  std::optional<int> priority;
  std::string pull_policy;  // IfNotPresent | Always
  std::string pull_secret;  // imagePullSecret
  bool pin = true;          // url pinned to the manifest digest (+ sha256)
  bool envoyfilter = false;
  std::string patch_context = "SIDECAR_INBOUND";  // EnvoyFilter match.context
};

// What ops knows about the image.
struct IstioImage {
  std::string registry;         // "ghcr.io", "docker.io", "localhost:5000"
  std::string repository;       // "acme/add-header"
  std::string tag;              // may be empty
  std::string manifest_digest;  // "sha256:<hex>" (what Istio's sha256 checks for oci://)
  std::string module_sha256;    // hex of the raw module (Envoy remote code sha256)
  std::string module_url;       // http(s) URL serving the raw module (EnvoyFilter form)
  std::string reference;        // the full reference, for the annotation
};

struct PullCredentials {
  std::string server;  // key in "auths" ("https://index.docker.io/v1/" for Docker Hub)
  std::string username;
  std::string password;
};

// {"auths":{server:{"username","password","auth"}}}, as `kubectl create secret
// docker-registry` writes it.
std::string docker_config_json(const PullCredentials& creds);
std::string base64_encode(std::string_view in);

class IstioTarget {
 public:
  explicit IstioTarget(IstioOptions opts) : m_opts(std::move(opts)) {}

  // Checks the options (names, selector vs targetRefs, enums); Error(invalid_argument).
  Result<void> check(const Plugin& plugin) const;
  // [Secret (when creds)], then WasmPlugin or EnvoyFilter.
  Result<Rendered> render(const Plugin& plugin, const IstioImage& image,
                          const std::optional<PullCredentials>& creds = std::nullopt) const;

  // Kinds `ext undeploy istio` deletes by label, in order.
  static std::vector<std::string> managed_kinds();

 private:
  Result<Json> wasm_plugin(const Plugin& plugin, const IstioImage& image) const;
  Result<Json> envoy_filter(const Plugin& plugin, const IstioImage& image) const;
  Json metadata(const std::string& name, const IstioImage& image) const;
  IstioOptions m_opts;
};

}  // namespace ext::deploy
