// ext::deploy — putting a proxy-wasm filter into a proxy: one Target per platform
// (EnvoyTarget: a v3 static bootstrap and a local run; IstioTarget: WasmPlugin / legacy
// EnvoyFilter and a pull Secret, applied with kubectl; GlooTarget: a Gateway's
// httpGateway.options.wasm.filters[]), behind deploy::Target (target.hpp). Field names,
// semantics and the release each appeared in: docs/deploy.md and versions.hpp. Renders YAML
// (yaml.hpp; documents are read through ext::yaml) and runs the user's own tools (envoy,
// docker/podman, kubectl) through util::ProcessRunner so tests can check argv/stdin. Owns:
// rendering, patching existing documents, the platform/ABI table, the local Envoy run. Must not:
// read the store or the network (ops materialises the module and passes facts in), print, or hold
// credentials beyond the rendered Secret it is given.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ext/core/result.hpp"
#include "ext/deploy/plugin_config.hpp"
#include "ext/deploy/yaml.hpp"

namespace ext::deploy {

enum class FilterType { http, network };
const char* to_string(FilterType t);

// What happens when the VM fails (Envoy PluginConfig.failure_policy; Istio failStrategy;
// Gloo failOpen). "unspecified" leaves the platform default (fail closed everywhere).
enum class FailStrategy { unspecified, fail_closed, fail_open, fail_reload };
// Accepts FAIL_CLOSE / FAIL_CLOSED / FAIL_OPEN / FAIL_RELOAD (any case, '-' or '_').
Result<FailStrategy> parse_fail_strategy(std::string_view text);

// The filter as every target sees it.
struct Plugin {
  std::string name;     // plugin / filter name: the key that makes deploy idempotent
  std::string root_id;  // Envoy root_id, Istio pluginName, Gloo rootId
  FilterType type = FilterType::http;
  std::optional<PluginConfig> config;
  FailStrategy fail = FailStrategy::unspecified;
};

// Where a new filter goes among existing ones: before/after a named filter, else just before
// the terminal filter (HTTP router / tcp_proxy / HCM) or at the end of Gloo's list.
struct Placement {
  std::string before;
  std::string after;
};

// The result of rendering: the documents, in order, ready for -f, stdout or kubectl.
struct Rendered {
  std::vector<Json> documents;
  std::vector<std::string> notes;  // facts for the user ("inserted before router in ...")
  std::string yaml() const { return to_yaml_documents(documents); }
};

}  // namespace ext::deploy
