// ext::deploy — YAML in and out for the documents deploy writes and reads (Envoy bootstraps,
// Kubernetes objects, plugin configuration files). Values are nlohmann::ordered_json so key
// order survives a round trip; reading goes through ext::yaml (its limits, label:line:col
// positions), emitting is our own block-style writer: deterministic, and every string that YAML
// could read as another type is quoted (YAML 1.2 core schema plus the YAML 1.1 booleans some
// Kubernetes tools still read).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"

namespace ext::deploy {

using Json = nlohmann::ordered_json;

// One YAML document (JSON is YAML too; later documents are ignored). Error(parse) with
// "label:line:col: " on malformed input, also for an empty document.
Result<Json> parse_yaml(std::string_view text, const std::string& label = "YAML");
// A stream of documents separated by `---` (empty documents skipped).
Result<std::vector<Json>> parse_yaml_documents(std::string_view text,
                                               const std::string& label = "YAML");

// `patched` (the JSON view of `original` after a change) written back over the original YAML:
// every unchanged node is the original one, so tags (Envoy's `!ignore` keys) survive; aliases
// are written as copies of their anchor's value and comments are lost (docs/deploy.md). Keys
// tagged !ignore are absent from the JSON view (as Envoy reads them) and kept here.
Result<std::string> patch_yaml_text(std::string_view original, const Json& patched,
                                    const std::string& label = "YAML");

// Block-style YAML for one value, ending in a newline.
std::string to_yaml(const Json& value);
// Several documents joined with "---" lines.
std::string to_yaml_documents(const std::vector<Json>& docs);

}  // namespace ext::deploy
