// ext::wasm — the proxy-wasm ABI as data: host functions per ABI version (generated from
// abi_list.hpp), WASI functions the host provides (abi_list.hpp) and the callbacks it looks up with
// their exact wasm types (abi_list.hpp). Used by validate(); read by the host module to know what
// it must provide.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ext::wasm::abi {

// ABI versions as bits, so a table row says where it exists.
enum VersionBits : unsigned {
  k_v010 = 1u << 0,
  k_v020 = 1u << 1,
  k_v021 = 1u << 2,
  k_v02x = k_v020 | k_v021,
  k_all = k_v010 | k_v020 | k_v021,
};

// "0.2.1" -> k_v021; 0 for an unknown or empty version.
unsigned version_bit(std::string_view abi_version);
// The versions a mask covers, for messages: "0.2.0, 0.2.1".
std::string describe_versions(unsigned mask);

struct Function {
  std::string_view name;
  std::string_view signature;  // "(i32,i32)->i32", the form module.hpp uses
  unsigned versions;           // where the host provides (imports) or looks it up (exports)
};

// env.<name> host function; nullptr when no ABI version has it.
const Function* find_env_import(std::string_view name);
// "wasi_snapshot_preview1" or "wasi_unstable": the module names WASI imports come from.
bool is_wasi_module(std::string_view module);
// wasi_snapshot_preview1.<name> / wasi_unstable.<name>; nullptr when the host lacks it.
const Function* find_wasi_import(std::string_view name);
// A callback or convention export the host looks up (including the allocator and the start
// functions); for proxy_on_request_headers/response_headers the signature depends on the
// version, so pass it. nullptr for names the host never looks up.
const Function* find_export(std::string_view name, std::string_view abi_version);

// Envoy releases ext knows, oldest first ("1.30" ... ), and the WASI functions each one's
// pinned proxy-wasm-cpp-host provides. This is the one place that says which WASI functions a
// given Envoy links; the host (ext test) and validate (--platform-version) both read it.
const std::vector<std::string_view>& envoy_versions();
std::string_view newest_envoy_version();
// "1.33", "1.33.2", "v1.33" -> "1.33" when known; "" otherwise.
std::string known_envoy_version(std::string_view version);
// Does Envoy `envoy_version` (a known one; "" = newest) provide WASI function `name`?
bool wasi_provided(std::string_view name, std::string_view envoy_version);
// The proxy-wasm-cpp-host commit that added WASI function `name` ("" for the original set).
std::string_view wasi_added_in(std::string_view name);

inline constexpr std::string_view k_abi_markers[] = {
    "proxy_abi_version_0_1_0", "proxy_abi_version_0_2_0", "proxy_abi_version_0_2_1"};

}  // namespace ext::wasm::abi
