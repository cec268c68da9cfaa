// cli/ — the one name and form of each fact in --json documents (docs/json.md "Vocabulary").
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ext::cli::vocab {

// The proxy-wasm ABI as Istio's WasmPlugin abiVersions and the runtime config write it
// ("v0.2.1"); null when none is known.
inline nlohmann::json abi(const std::string& version) {
  if (version.empty()) return nullptr;
  return version.front() == 'v' ? version : "v" + version;
}

// The raw module's digest, "sha256:<64 hex>"; null when there is no module.
inline nlohmann::json module_digest(const std::string& hex_or_digest) {
  if (hex_or_digest.empty()) return nullptr;
  if (hex_or_digest.rfind("sha256:", 0) == 0) return hex_or_digest;
  return "sha256:" + hex_or_digest;
}

// A string that is empty when the fact does not apply: null instead.
inline nlohmann::json or_null(const std::string& s) {
  if (s.empty()) return nullptr;
  return s;
}

}  // namespace ext::cli::vocab
