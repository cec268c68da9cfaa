// The validator's view of the proxy-wasm ABI, generated from the rows of abi_list.hpp, and the
// Envoy release table (which cpp-host generation of WASI functions each release links).
#include "ext/wasm/abi_tables.hpp"

#include "ext/wasm/abi_list.hpp"

#include <array>
#include <vector>

namespace ext::wasm::abi {
namespace {

#define EXT_ROW(name, signature, versions) {#name, signature, versions},
#define EXT_WASI_ROW(name, signature, generation) {#name, signature, k_all},
constexpr Function k_env[] = {EXT_PROXY_WASM_ENV_FUNCTIONS(EXT_ROW)};
constexpr Function k_wasi[] = {EXT_PROXY_WASM_WASI_FUNCTIONS(EXT_WASI_ROW)};
constexpr Function k_exports[] = {EXT_PROXY_WASM_ABI_MARKERS(
    EXT_ROW) EXT_PROXY_WASM_CONVENTION_EXPORTS(EXT_ROW) EXT_PROXY_WASM_CALLBACKS(EXT_ROW)};
#undef EXT_ROW
#undef EXT_WASI_ROW

template <size_t N>
const Function* find_in(const Function (&table)[N], std::string_view name) {
  for (const auto& f : table)
    if (f.name == name) return &f;
  return nullptr;
}

}  // namespace

unsigned version_bit(std::string_view v) {
  if (v == "0.1.0") return k_v010;
  if (v == "0.2.0") return k_v020;
  if (v == "0.2.1") return k_v021;
  return 0;
}

std::string describe_versions(unsigned mask) {
  std::string out;
  const std::array<std::pair<unsigned, const char*>, 3> all = {
      {{k_v010, "0.1.0"}, {k_v020, "0.2.0"}, {k_v021, "0.2.1"}}};
  for (const auto& [bit, name] : all) {
    if (!(mask & bit)) continue;
    if (!out.empty()) out += ", ";
    out += name;
  }
  return out;
}

const Function* find_env_import(std::string_view name) {
  return find_in(k_env, name);
}
bool is_wasi_module(std::string_view module) {
  return module == "wasi_snapshot_preview1" || module == "wasi_unstable";
}

const Function* find_wasi_import(std::string_view name) {
  return find_in(k_wasi, name);
}

const Function* find_export(std::string_view name, std::string_view abi_version) {
  // A name with one row per ABI generation: the row of `abi_version` (0.2.x when unknown).
  unsigned bit = version_bit(abi_version);
  if (bit == 0) bit = k_v021;
  const Function* any = nullptr;
  for (const auto& f : k_exports) {
    if (f.name != name) continue;
    if (f.versions & bit) return &f;
    if (!any) any = &f;
  }
  return any;
}

// WASI generations of proxy-wasm-cpp-host (github.com/proxy-wasm/proxy-wasm-cpp-host, src/wasm.cc
// registrations, read at 52a0291):
//   0: the original set (fd_write, fd_read, fd_seek, fd_close, fd_fdstat_get, environ_*,
//      args_*, clock_time_get, random_get, proc_exit)
//   1: f383473 (2021-11-18) "wasi: export stubs for preopened files and directories"
//   2: c4d7bb0 (2024-12-19) "feat(go-sdk): add wasi hostcalls used by the Go SDK"
//   3: 94091cd (2026-04-06) "add all wasi hostcalls used by Go SDK"
namespace {
struct WasiAdded {
  std::string_view name;
  int generation;
};
#define EXT_WASI_GENERATION(name, signature, generation) {#name, generation},
constexpr WasiAdded k_wasi_added[] = {EXT_PROXY_WASM_WASI_FUNCTIONS(EXT_WASI_GENERATION)};
#undef EXT_WASI_GENERATION
constexpr std::string_view k_generation_commit[] = {"", "f383473", "c4d7bb0", "94091cd"};

// Envoy release -> WASI generation of the cpp-host it pins (Envoy bazel/repository_locations.bzl
// `proxy_wasm_cpp_host`). 1.33.0 adds Go SDK support (changelogs/1.33.0.yaml), which needs
// c4d7bb0 (2024-12-19), and cpp-host has no later commit until 2025-07-12, so 1.33 and 1.34 pin
// it; 1.38 pins beb8a4e (2026-01-15; envoy PR #43023), which predates 94091cd (2026-04-06), first
// pinned by envoy PR #45756 (2026-06-22) after 1.38. Releases before 1.33 pin commits after
// f383473 (envoy PR #19074, 2021-11-22) and before c4d7bb0. docs/test-spec.md "Envoy versions".
struct EnvoyRow {
  std::string_view version;
  int wasi_generation;
};
constexpr EnvoyRow k_envoy[] = {
    {"1.24", 1}, {"1.25", 1}, {"1.26", 1}, {"1.27", 1}, {"1.28", 1},
    {"1.29", 1}, {"1.30", 1}, {"1.31", 1}, {"1.32", 1}, {"1.33", 2},
    {"1.34", 2}, {"1.35", 2}, {"1.36", 2}, {"1.37", 2}, {"1.38", 2},
};
}  // namespace

const std::vector<std::string_view>& envoy_versions() {
  static const std::vector<std::string_view> v = [] {
    std::vector<std::string_view> out;
    for (const auto& r : k_envoy) out.push_back(r.version);
    return out;
  }();
  return v;
}

std::string_view newest_envoy_version() {
  return std::end(k_envoy)[-1].version;
}

std::string known_envoy_version(std::string_view v) {
  if (!v.empty() && (v[0] == 'v' || v[0] == 'V')) v.remove_prefix(1);
  auto dot = v.find('.');
  if (dot != std::string_view::npos) {
    auto second = v.find('.', dot + 1);
    if (second != std::string_view::npos) v = v.substr(0, second);
  }
  for (const auto& r : k_envoy)
    if (r.version == v) return std::string(v);
  return "";
}

std::string_view wasi_added_in(std::string_view name) {
  for (const auto& w : k_wasi_added)
    if (w.name == name) return k_generation_commit[w.generation];
  return "";
}

bool wasi_provided(std::string_view name, std::string_view envoy_version) {
  if (!find_wasi_import(name)) return false;
  int have = std::end(k_envoy)[-1].wasi_generation;
  auto known = known_envoy_version(envoy_version);
  for (const auto& r : k_envoy)
    if (r.version == known) have = r.wasi_generation;
  for (const auto& w : k_wasi_added)
    if (w.name == name) return w.generation <= have;
  return true;
}

}  // namespace ext::wasm::abi
