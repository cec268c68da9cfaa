// ext::deploy — which proxy-wasm ABI versions a platform version loads (proxy-wasm-cpp-host
// src/bytecode_util.cc getAbiVersion: the markers proxy_abi_version_0_1_0 / 0_2_0 / 0_2_1, and a
// module without one is refused). Which fields each release accepts is versions.hpp's table.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ext/core/result.hpp"

namespace ext::deploy {

enum class Platform { envoy, istio, gloo };
const char* to_string(Platform p);

struct Version {
  int major = 0;
  int minor = 0;
  int patch = 0;
  // "1.28", "v1.28.2", "1.28.2-distroless" (suffix ignored).
  static Result<Version> parse(std::string_view text);
  auto operator<=>(const Version&) const = default;
  std::string to_string() const;
};

// ABI versions ("0.1.0", "0.2.0", "0.2.1") the platform loads; nullopt version = current.
std::vector<std::string> supported_abis(Platform p, const std::optional<Version>& version);

struct CompatFinding {
  std::string rule;  // "abi-unsupported", "abi-missing", "component", "platform-too-old"
  std::string message;
};

// Problems deploying a module with this ABI (empty = unknown marker) to the platform version.
// The caller makes them warnings, or errors with --strict.
std::vector<CompatFinding> check_compat(Platform p, const std::optional<Version>& version,
                                        const std::string& abi_version, bool is_component);

}  // namespace ext::deploy
