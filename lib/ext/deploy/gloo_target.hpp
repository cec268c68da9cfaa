// ext::deploy — GlooTarget: a Gloo Edge Gateway (gateway.solo.io/v1) whose
// spec.httpGateway.options.wasm.filters[] holds the filter (solo-io/gloo
// projects/gloo/api/v1/options/wasm/wasm.proto: image, config as google.protobuf.StringValue, name,
// rootId, filterStage{stage, predicate}, failOpen; vmType left out: WAVM is gone from Envoy).
// Upsert by name keeps every other filter and the order; wasm in Gloo Edge is an Enterprise feature
// (OSS answers "Could not load configuration for the following Enterprise features: [wasm]").
#pragma once

#include <string>

#include "ext/core/result.hpp"
#include "ext/deploy/deploy.hpp"
#include "ext/deploy/target.hpp"
#include "ext/deploy/versions.hpp"

namespace ext::deploy {

inline constexpr const char* k_gloo_enterprise_warning =
    "Gloo Edge runs wasm filters only in Gloo Enterprise (1.6.2+); open-source Gloo rejects the "
    "Gateway option (\"Enterprise features: [wasm]\"). Gloo OSS reaches end of life on "
    "2026-12-31";

struct GlooOptions {
  std::string gateway = "gateway-proxy";           // --gateway
  std::string ns = "gloo-system";                  // --namespace
  std::string stage;                               // --stage: authn, AuthNStage, ...
  std::string predicate;                           // --predicate: before | during | after
  Placement placement;                             // --before / --after NAME
  Version version = newest_known(Platform::gloo);  // --platform-version
};

class GlooTarget final : public Target {
 public:
  explicit GlooTarget(GlooOptions opts) : m_opts(std::move(opts)) {}

  // Target: `base` is the Gateway to patch (live, from a file, or default_gateway()).
  Platform platform() const override { return Platform::gloo; }
  Result<void> check(const Plugin& plugin, const Image& image) const override;
  // Gloo's wasm cache reads the wasme "oci" layout only.
  std::vector<std::string> warnings(const Plugin& plugin, const Image& image) const override;
  Result<Rendered> render(const Plugin& plugin, const Image& image,
                          const Json* base) const override;
  std::optional<Json> live_base(Kubectl& kubectl) const override;
  // `kubectl replace` of the patched Gateway (keeps the resourceVersion check).
  std::string apply(const Plugin& plugin, const Rendered& rendered,
                    Kubectl& kubectl) const override;

  Result<void> check(const Plugin& plugin) const;
  // The Gateway gateway-proxy would have after a default install (bind :: 8080), for output
  // without a cluster or --gateway-file.
  Json default_gateway() const;
  // The filters[] entry.
  Result<Json> filter(const Plugin& plugin, const std::string& image) const;
  // Upserts the filter into `gateway` (a Gateway object, e.g. from kubectl get -o json).
  Result<Rendered> patch(Json gateway, const Plugin& plugin, const std::string& image) const;
  // Removes only the filter named `name`; Error(not_found) when absent.
  static Result<Rendered> remove(Json gateway, const std::string& name);
  // Drops server-managed fields (status, managedFields, uid, ...) before writing back.
  static void strip_server_fields(Json& object);

 private:
  GlooOptions m_opts;
};

}  // namespace ext::deploy
