// ext::wasm — JSON forms of module facts and findings, shared by `ext validate --json` and
// `ext inspect --json` so both print the same shape.
#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "ext/wasm/module.hpp"

namespace ext::wasm {

// {"size","sha256","component","abi_version","abi","filter_type","start","allocator",
//  "memory":{...},"imports":[...],"exports":[...],"custom_sections":[...],"producers":[...]}
nlohmann::json to_json(const ModuleInfo& info);
// {"severity","rule","message","hint"?,"subject"?}
nlohmann::json to_json(const Finding& finding);
nlohmann::json to_json(const std::vector<Finding>& findings);

// "_initialize", "_start" or "none": what the host runs first (cpp-host src/wasm.cc startVm).
std::string start_convention(const ModuleInfo& info);
// "proxy_on_memory_allocate", "malloc" (the host looks for malloc first) or "none".
std::string allocator_export(const ModuleInfo& info);

}  // namespace ext::wasm
