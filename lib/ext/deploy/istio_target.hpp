// ext::deploy — IstioTarget: an Istio WasmPlugin (extensions.istio.io/v1alpha1, istio/api
// extensions/v1alpha1/wasm.proto; docs/deploy.md C.1), or the legacy EnvoyFilter
// (networking.istio.io/v1alpha3) with remote code for Istio versions without WasmPlugin, and a
// kubernetes.io/dockerconfigjson pull Secret. Every object carries the ext labels (kube.hpp) so
// `ext undeploy istio NAME` deletes exactly what deploy created.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ext/core/result.hpp"
#include "ext/deploy/deploy.hpp"
#include "ext/deploy/target.hpp"
#include "ext/deploy/versions.hpp"

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
  std::string patch_context = "SIDECAR_INBOUND";    // EnvoyFilter match.context
  Version version = newest_known(Platform::istio);  // --platform-version: what is written
};

// What ops knows about the image (the common deploy::Image).
using IstioImage = Image;

// Whether Istio's wasm fetcher (istio/istio pkg/wasm/imagefetcher.go) loads a layout: the compat
// tar.gz with plugin.wasm (Docker or OCI manifest), and the two-layer oci layout with an
// application/vnd.module.wasm.content.layer.v1+wasm layer; not the CNCF single application/wasm
// layer nor wasm-to-oci single layers (no release through 1.30 reads them). "" when it does.
std::string istio_layout_problem(const std::string& layout);

struct PullCredentials {
  std::string server;  // key in "auths" ("https://index.docker.io/v1/" for Docker Hub)
  std::string username;
  std::string password;
};

// {"auths":{server:{"username","password","auth"}}}, as `kubectl create secret
// docker-registry` writes it.
std::string docker_config_json(const PullCredentials& creds);

class IstioTarget final : public Target {
 public:
  explicit IstioTarget(IstioOptions opts) : m_opts(std::move(opts)) {}

  // Target
  Platform platform() const override { return Platform::istio; }
  Result<void> check(const Plugin& plugin, const Image& image) const override;
  std::vector<std::string> warnings(const Plugin& plugin, const Image& image) const override;
  // [Secret (with pull credentials)], then WasmPlugin or EnvoyFilter.
  Result<Rendered> render(const Plugin& plugin, const Image& image,
                          const Json* base = nullptr) const override;
  // Removes the other form of the same deployment (a WasmPlugin replaces an EnvoyFilter and the
  // other way round, so the filter never runs twice), records this deployment on a shared pull
  // Secret, then `kubectl apply`.
  std::string apply(const Plugin& plugin, const Rendered& rendered,
                    Kubectl& kubectl) const override;
  // Credentials for the pull Secret (--create-pull-secret).
  void set_pull_credentials(std::optional<PullCredentials> creds) { m_creds = std::move(creds); }
  // Deletes what `ext deploy istio NAME` created; a shared pull Secret only with its last user.
  static std::vector<std::string> remove(const std::string& name, const std::string& ns,
                                         Kubectl& kubectl, bool dry_run,
                                         std::vector<std::vector<std::string>>* would_run);

  // Kinds `ext undeploy istio` deletes by label, in order.
  static std::vector<std::string> managed_kinds();

 private:
  // The options (names, labels, selector vs targetRefs, enums) and what the release accepts;
  // Error(invalid_argument) / Error(unsupported) naming the first release that has it.
  Result<void> check_options(const Plugin& plugin) const;
  Result<Json> wasm_plugin(const Plugin& plugin, const IstioImage& image) const;
  Result<Json> envoy_filter(const Plugin& plugin, const IstioImage& image) const;
  Json metadata(const std::string& name, const IstioImage& image) const;
  IstioOptions m_opts;
  std::optional<PullCredentials> m_creds;
};

}  // namespace ext::deploy
