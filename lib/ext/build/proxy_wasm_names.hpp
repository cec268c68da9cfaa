// ext::build — the proxy-wasm names a build has to know (wasm/abi_list.hpp): the callbacks a
// module may export (the C++ link exports each one the code defines) and the host functions it
// may import from "env" (the only undefined symbols the C++ link allows).
#pragma once

#include <string_view>
#include <vector>

namespace ext::build {

// ABI markers, allocator, and every proxy_on_* callback of ABI 0.1.0–0.2.1 (+ host extras).
const std::vector<std::string_view>& proxy_wasm_exports();
// Every host function of ABI 0.1.0–0.2.1 (env.proxy_*).
const std::vector<std::string_view>& proxy_wasm_host_functions();

}  // namespace ext::build
