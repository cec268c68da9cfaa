// ext::deploy — what each release of each platform accepts: ONE table (versions.cpp), each row
// citing the upstream commit the fact comes from. Targets ask `has(feature, version)` before
// writing a field, and `require()` turns a requested feature the release lacks into an error
// naming the first release that has it. docs/deploy.md explains the table and how it was
// established (release membership of Envoy API commits is by merge date against Envoy's
// RELEASES.md, since the API mirror carries no tags; Istio and Gloo by `git tag --contains`).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"
#include "ext/deploy/platform.hpp"

namespace ext::deploy {

enum class Feature {
  // Envoy (PluginConfig, envoy/extensions/wasm/v3/wasm.proto)
  envoy_failure_policy,  // failure_policy + FailurePolicy {FAIL_CLOSED, FAIL_OPEN, FAIL_RELOAD}
  // Istio (WasmPlugin, extensions/v1alpha1/wasm.proto; and what its fetcher and proxy do)
  istio_wasm_plugin,           // the WasmPlugin kind
  istio_image_pull_secret,     // spec.imagePullSecret honoured by the agent
  istio_fail_strategy,         // spec.failStrategy FAIL_CLOSE / FAIL_OPEN
  istio_plugin_type,           // spec.type HTTP / NETWORK
  istio_target_refs,           // spec.targetRefs
  istio_fail_reload,           // spec.failStrategy FAIL_RELOAD
  istio_envoy_failure_policy,  // the bundled Envoy reads PluginConfig.failure_policy (EnvoyFilter)
  istio_envoy_typed_san,       // the bundled Envoy reads match_typed_subject_alt_names
  // Gloo Edge Enterprise (Gateway httpGateway.options.wasm.filters[], gloo wasm.proto)
  gloo_fail_open,  // filters[].failOpen
};

struct FeatureRow {
  Feature feature;
  Platform platform;
  Version since;
  const char* what;    // "failure_policy", "spec.type (network filters)"
  const char* source;  // "envoyproxy/envoy#36456 (data-plane-api 1cfc0d5a)"
};

// Every row, for docs and tests.
const std::vector<FeatureRow>& feature_table();
const FeatureRow& row(Feature f);

// Releases ext knows, oldest and newest, per platform (Envoy 1.24-1.37, Istio 1.9-1.30 with
// WasmPlugin from 1.12, Gloo 1.6-1.22). The newest is the default platform version.
Version oldest_known(Platform p);
Version newest_known(Platform p);
// "1.37" for the newest Envoy: what ext.yaml's platform_version holds by default.
std::string short_version(const Version& v);
// The default container image for `ext deploy envoy --run --docker`: the newest known release.
std::string default_envoy_image();

// --platform-version or ext.yaml's platform_version: parsed and within the known releases;
// Error(invalid_argument) naming the range otherwise.
Result<Version> parse_platform_version(Platform p, std::string_view text);

bool has(Feature f, const Version& v);
// Error(unsupported): "<what> needs <platform> <since> or later (<source>); the target is
// <platform> <v>", with a hint to raise --platform-version.
Result<void> require(Feature f, const Version& v);

}  // namespace ext::deploy
