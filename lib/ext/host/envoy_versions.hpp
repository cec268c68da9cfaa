// ext::host — which Envoy release `ext test` emulates, and the one table of behaviours that
// differ between the releases ext knows (plugin.envoy_version in a spec; default: ext.yaml's
// platform_version, else the newest release ext knows). Each row names the upstream commit it
// comes from. Behaviour that is the same in every known release is not versioned: it is
// implemented once in hostcalls.cpp / host.cpp, with its source cited there.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"

namespace ext::host {

struct VersionedBehaviour {
  std::string_view key;          // "wasi_functions"
  std::string_view description;  // what changes
  std::string_view upstream;     // repository and commit(s) it comes from
  std::string_view per_version;  // how it maps onto the known releases
};

// The table (docs/test-spec.md "Envoy versions" prints the same rows).
const std::vector<VersionedBehaviour>& versioned_behaviours();

// "1.33", "v1.33.2" -> "1.33"; "" -> the newest known; Error(usage) for a release ext does not
// know, listing the known ones.
Result<std::string> resolve_envoy_version(std::string_view requested);

// Does that Envoy release link WASI function `name` (else a module importing it fails to load)?
bool envoy_provides_wasi(std::string_view envoy_version, std::string_view name);

}  // namespace ext::host
