// ext::host — the functions the host exports to modules: `env.proxy_*` (wasm/abi_list.hpp) and the
// WASI subset Envoy provides (abi_list.hpp, under both `wasi_snapshot_preview1` and
// `wasi_unstable`), with their exact wasm signatures and the ABI versions that register them
// (abi_list.hpp). Each works on HostState and reaches module memory only through Guest, which
// bounds every access: a bad pointer is INVALID_MEMORY_ACCESS (or WASI FAULT), never a crash of
// ext.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ext/host/state.hpp"
#include "ext/wasm/abi_tables.hpp"

namespace ext::host {

// The module's linear memory and allocator as hostcalls see them (implemented by Vm).
class Guest {
 public:
  virtual ~Guest() = default;
  // The bytes [ptr, ptr+size), or nullopt when out of bounds. Valid until the next allocate().
  virtual std::optional<std::string_view> view(uint32_t ptr, uint32_t size) = 0;
  virtual bool write(uint32_t ptr, std::string_view bytes) = 0;
  // Calls the module's allocator (malloc / proxy_on_memory_allocate); nullopt when it returns 0.
  virtual std::optional<uint32_t> allocate(uint32_t size) = 0;

  bool write_u32(uint32_t ptr, uint32_t v);
  bool write_u64(uint32_t ptr, uint64_t v);
  // Copies [ptr, ptr+size) out of the module, charging the bytes to `meter` (the host's
  // hostcall_bytes / case_bytes limits; throws LimitExceeded past one).
  std::optional<std::string> read(uint32_t ptr, uint32_t size);

  HostState* meter = nullptr;
  const char* meter_what = "a hostcall";  // the running hostcall's name, for messages
};

// ABI versions as a bit set.
inline constexpr uint8_t k_abi_010 = 1, k_abi_020 = 2, k_abi_021 = 4;
inline constexpr uint8_t k_abi_all = k_abi_010 | k_abi_020 | k_abi_021;
uint8_t abi_bit(AbiVersion v);

using HostFn = uint64_t (*)(HostState&, Guest&, const uint64_t* args);

struct HostCall {
  std::string_view name;
  std::string_view signature;  // "(i32,i32)->i32", "(i32)->()"
  uint8_t abis = k_abi_all;
  HostFn fn = nullptr;
};

// The `env` functions (all versions; filter with `abis`).
const std::vector<HostCall>& env_calls();
// The WASI functions (same table for both module names).
const std::vector<HostCall>& wasi_calls();
using wasm::abi::is_wasi_module;  // one owner: wasm/abi_tables.hpp

// Export callbacks the host looks up, with the signature it requires (abi_list.hpp; 0.1.0 differs).
std::optional<std::string_view> callback_signature(std::string_view name, AbiVersion abi);

}  // namespace ext::host
