#include "ext/host/envoy_versions.hpp"

#include "ext/wasm/abi_tables.hpp"

namespace ext::host {

const std::vector<VersionedBehaviour>& versioned_behaviours() {
  static const std::vector<VersionedBehaviour> rows = {
      {"wasi_functions",
       "which WASI functions are linked; importing one the release lacks fails the load "
       "(\"Failed to load Wasm module due to a missing import\")",
       "proxy-wasm/proxy-wasm-cpp-host f383473 (path_open, fd_prestat_*), c4d7bb0 "
       "(fd_fdstat_set_flags, poll_oneoff, sched_yield), 94091cd (the other 27); "
       "lib/ext/wasm/abi_tables.cpp holds the per-function list",
       "1.30-1.32: original set + f383473; 1.33-1.37: + c4d7bb0; 1.38: all"},
  };
  return rows;
}

Result<std::string> resolve_envoy_version(std::string_view requested) {
  if (requested.empty()) return std::string(wasm::abi::newest_envoy_version());
  auto known = wasm::abi::known_envoy_version(requested);
  if (!known.empty()) return known;
  std::string list;
  for (auto v : wasm::abi::envoy_versions()) list += (list.empty() ? "" : ", ") + std::string(v);
  return fail(Errc::usage, "unknown Envoy version \"" + std::string(requested) + "\"",
              "ext test emulates Envoy " + list);
}

bool envoy_provides_wasi(std::string_view envoy_version, std::string_view name) {
  return wasm::abi::wasi_provided(name, envoy_version);
}

}  // namespace ext::host
