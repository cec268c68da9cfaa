// ext::deploy — the plugin configuration handed to proxy_on_configure: from --config JSON,
// --config @file.json / @file.yaml / @file (raw bytes), or the project's `config:`.
// Envoy and Gloo pass it as google.protobuf.StringValue (raw bytes:
// envoy/extensions/wasm/v3/wasm.proto PluginConfig.configuration); Istio's pluginConfig is a Struct
// and must be a JSON object (istio/api extensions/v1alpha1/wasm.proto pluginConfig).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ext/core/result.hpp"

namespace ext::deploy {

struct PluginConfig {
  std::string raw;  // the bytes the filter reads: a JSON string's content, else compact JSON
  std::optional<nlohmann::ordered_json> value;  // the parsed value, when it is JSON/YAML

  // Istio's pluginConfig: the object, or Error(invalid_argument) when not an object.
  Result<nlohmann::ordered_json> as_object() const;
};

// --config TEXT: TEXT is JSON; "@path" reads a file (.json: JSON; .yaml/.yml: YAML; anything
// else: raw bytes). Error(parse) names the file and the position for invalid JSON/YAML;
// Error(not_found) for a missing file. Bounded at 1 MiB.
Result<PluginConfig> parse_config_arg(std::string_view text,
                                      const std::filesystem::path& base_dir = {});
// The project's `config:` value: a string is used verbatim (parsed too when it is JSON), a
// mapping or list is JSON-encoded.
PluginConfig config_from_project(const nlohmann::ordered_json& value);

}  // namespace ext::deploy
