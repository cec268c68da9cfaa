// Generated from the rows of wasm/abi_list.hpp (the one declaration of the proxy-wasm ABI).
#include "ext/build/proxy_wasm_names.hpp"

#include <algorithm>

#include "ext/wasm/abi_list.hpp"

namespace ext::build {

const std::vector<std::string_view>& proxy_wasm_exports() {
  static const std::vector<std::string_view> names = [] {
#define EXT_NAME(name, signature, versions) #name,
    std::vector<std::string_view> out = {EXT_PROXY_WASM_ABI_MARKERS(EXT_NAME)
                                             EXT_PROXY_WASM_CALLBACKS(EXT_NAME)};
#undef EXT_NAME
    // A callback with one row per ABI generation is exported once.
    std::vector<std::string_view> unique;
    for (auto n : out)
      if (std::find(unique.begin(), unique.end(), n) == unique.end()) unique.push_back(n);
    // The official C++ SDK's misspelling, exported so validation can point at it.
    unique.push_back("proxy_on_grpc_trailing_metadata");
    return unique;
  }();
  return names;
}

const std::vector<std::string_view>& proxy_wasm_host_functions() {
  // Only the proxy-wasm functions: the Emscripten helpers are not for a wasi-libc link.
  static const std::vector<std::string_view> names = [] {
#define EXT_NAME(name, signature, versions) #name,
    std::vector<std::string_view> out = {EXT_PROXY_WASM_ENV_FUNCTIONS(EXT_NAME)};
#undef EXT_NAME
    std::erase_if(out, [](std::string_view n) { return n.substr(0, 6) != "proxy_"; });
    return out;
  }();
  return names;
}

}  // namespace ext::build
