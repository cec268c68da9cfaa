// ext::host — Vm: one instance of a module on WABT's interpreter, linked the way Envoy links it
// (proxy-wasm-cpp-host src/wasm.cc load sequence): the ABI version from the `proxy_abi_version_*`
// export; every import must be one of our `env` / WASI host functions with the identical signature,
// else the load fails as Envoy's does ("missing import", "import type mismatch"); exported
// callbacks with a wrong signature fail ("Bad function signature"); an allocator (`malloc`, then
// `proxy_on_memory_allocate`) is required. Calls run under an instruction budget and a memory
// cap; a trap (unreachable, out of bounds, call stack exhausted) comes back as an error naming
// the export. WABT types stay in vm.cpp.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"
#include "ext/host/state.hpp"

namespace ext::host {

// Envoy's own cap on a VM's linear memory: 1 GiB (proxy-wasm-cpp-host
// include/proxy-wasm/limits.h PROXY_WASM_HOST_MAX_WASM_MEMORY_SIZE_BYTES, at 52a0291, used by
// src/v8/v8.cc); no spec can go past it.
inline constexpr uint32_t k_envoy_max_memory_pages = 16384;

// Every resource a module controls is bounded (docs/test-spec.md "Limits").
struct VmLimits {
  uint64_t instruction_budget = 500'000'000;  // per top-level call, start function included
  uint32_t max_memory_pages = k_envoy_max_memory_pages;  // linear memory, in 64 KiB pages
  // V8 (Envoy's runtime) refuses tables over 10,000,000 entries (v8 src/wasm/wasm-limits.h
  // kV8MaxWasmTableSize); a table may not start or grow past this.
  uint32_t table_elements = 10'000'000;
};

class Vm {
 public:
  // Reads, links and instantiates `bytes` (start functions are not run here; see start()).
  // Error(parse) for unreadable modules, Error(validation) for what Envoy refuses to load.
  static Result<std::unique_ptr<Vm>> load(std::string_view bytes, HostState& state,
                                          const VmLimits& limits = {});
  ~Vm();
  Vm(const Vm&) = delete;
  Vm& operator=(const Vm&) = delete;

  // Runs the module's start section (if any) under the instruction budget. WABT would run it
  // inside instantiation, where no budget applies; load() strips it and leaves it for here.
  Result<void> run_start();

  AbiVersion abi() const;
  bool has_export(std::string_view name) const;
  std::vector<std::string> exported_functions() const;

  // Calls an exported function with i32 arguments. Its i32 result (nullopt for a void
  // function), or Error(failed) "<name>: <trap message>" on a trap or an exhausted budget.
  Result<std::optional<uint32_t>> call(std::string_view name, std::initializer_list<uint32_t> args);

  uint64_t memory_size() const;  // bytes of linear memory now
  uint64_t instructions_budget() const;

 private:
  Vm();
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

}  // namespace ext::host
