#include "ext/deploy/versions.hpp"

namespace ext::deploy {

namespace {

// The table. Envoy rows: envoyproxy/data-plane-api (the mirror of envoy's api/), commit and
// upstream PR; the release is the first whose date (envoy RELEASES.md) follows the merge.
// Istio rows: istio/api or istio/istio commit, release by `git tag --contains`. Gloo rows:
// solo-io/gloo commit, release by `git tag --contains`. docs/deploy.md has the same table.
const std::vector<FeatureRow> k_rows = {
    {Feature::envoy_failure_policy,
     Platform::envoy,
     {1, 33, 0},
     "PluginConfig.failure_policy (FAIL_CLOSED / FAIL_OPEN / FAIL_RELOAD)",
     "envoyproxy/envoy#36456, data-plane-api 1cfc0d5a (merged 2024-10-24; Envoy 1.33.0)"},
    {Feature::istio_wasm_plugin,
     Platform::istio,
     {1, 12, 0},
     "the WasmPlugin kind",
     "istio/api 5e10e5cff (istio/api#1940; Istio 1.12.0)"},
    {Feature::istio_image_pull_secret,
     Platform::istio,
     {1, 14, 0},
     "spec.imagePullSecret",
     "istio/istio e9dcadbb3e8 \"Implement Wasm pull secret\" (Istio 1.14.0; 1.12-1.13 accept "
     "the field and ignore it)"},
    {Feature::istio_fail_strategy,
     Platform::istio,
     {1, 19, 0},
     "spec.failStrategy (FAIL_CLOSE / FAIL_OPEN)",
     "istio/api 9242317ad (istio/api#2799), istio/istio 82c6704f851 (Istio 1.19.0)"},
    {Feature::istio_plugin_type,
     Platform::istio,
     {1, 20, 0},
     "spec.type (HTTP / NETWORK)",
     "istio/api 3cfacc600 (istio/api#2904), istio/istio ddeb613f158 (Istio 1.20.0)"},
    {Feature::istio_target_refs,
     Platform::istio,
     {1, 22, 0},
     "spec.targetRefs",
     "istio/api fe48267f8 (istio/api#3159), istio/istio 81a350c1c94 (Istio 1.22.0)"},
    {Feature::istio_fail_reload,
     Platform::istio,
     {1, 27, 0},
     "spec.failStrategy FAIL_RELOAD",
     "istio/api 5e743e9aa (istio/api#3471), istio/istio 6345c258088 (Istio 1.27.0)"},
    {Feature::istio_envoy_failure_policy,
     Platform::istio,
     {1, 25, 0},
     "Envoy's PluginConfig.failure_policy in an EnvoyFilter",
     "istio/istio febfa591f5a: Istio writes failure_policy itself from 1.25.0 (its Envoy has "
     "envoyproxy/envoy#36456)"},
    {Feature::istio_envoy_typed_san,
     Platform::istio,
     {1, 13, 0},
     "match_typed_subject_alt_names in an EnvoyFilter cluster",
     "data-plane-api 41cd30f3 (envoyproxy/envoy#18628, 2021-11-24: Envoy 1.21.0, first bundled "
     "by Istio 1.13)"},
    {Feature::gloo_fail_open,
     Platform::gloo,
     {1, 12, 0},
     "filters[].failOpen",
     "solo-io/gloo 1f457f4ef5 (solo-io/gloo#6515; Gloo 1.12.0)"},
};

}  // namespace

const std::vector<FeatureRow>& feature_table() {
  return k_rows;
}

const FeatureRow& row(Feature f) {
  for (const auto& r : k_rows)
    if (r.feature == f) return r;
  throw Error(Errc::internal, "no version row for a deploy feature");
}

Version oldest_known(Platform p) {
  switch (p) {
    case Platform::envoy:
      return {1, 24, 0};  // the oldest release ext writes for (wasm API as of envoy 1.24.0)
    case Platform::istio:
      return {1, 9, 0};  // EnvoyFilter form; WasmPlugin from 1.12 (istio_wasm_plugin)
    case Platform::gloo:
      return {1, 6, 0};  // ABI 0.2.1 filters (Gloo Enterprise 1.6)
  }
  return {};
}

Version newest_known(Platform p) {
  switch (p) {
    case Platform::envoy:
      return {1, 37, 0};  // data-plane-api 84e84367 (2026-01-29) covers the API through 1.37.0
    case Platform::istio:
      return {1, 30, 0};  // istio/api v1.30.3 (newest stable in istio/api and istio/istio)
    case Platform::gloo:
      return {1, 22, 0};  // solo-io/gloo v1.22.1
  }
  return {};
}

std::string short_version(const Version& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor);
}

std::string default_envoy_image() {
  // Official images are envoyproxy/envoy:vX.Y-latest (envoy docs/root/start/install.rst).
  return "envoyproxy/envoy:v" + short_version(newest_known(Platform::envoy)) + "-latest";
}

Result<Version> parse_platform_version(Platform p, std::string_view text) {
  auto v = Version::parse(text);
  if (!v) return v;
  Version lo = oldest_known(p), hi = newest_known(p);
  Version minor{v->major, v->minor, 0};
  if (minor < lo || minor > hi)
    return fail(Errc::invalid_argument,
                std::string(to_string(p)) + " " + short_version(*v) +
                    " is not a release ext knows (" + to_string(p) + " " + short_version(lo) +
                    " to " + short_version(hi) + ")",
                minor > hi ? "pass --platform-version " + short_version(hi) +
                                 " to write what the newest release ext knows accepts"
                           : std::string("that release is older than ext supports"));
  return *v;
}

bool has(Feature f, const Version& v) {
  const auto& r = row(f);
  return Version{v.major, v.minor, 0} >= r.since;
}

Result<void> require(Feature f, const Version& v) {
  if (has(f, v)) return {};
  const auto& r = row(f);
  std::string platform = r.platform == Platform::envoy   ? "Envoy"
                         : r.platform == Platform::istio ? "Istio"
                                                         : "Gloo";
  return fail(Errc::unsupported,
              std::string(r.what) + " needs " + platform + " " + short_version(r.since) +
                  " or later (" + r.source + "); the target is " + platform + " " +
                  short_version(v),
              "raise --platform-version (or platform_version in ext.yaml) to " +
                  short_version(r.since) + " or later if the proxy runs that, or drop the option");
}

}  // namespace ext::deploy
