// ext::host — the proxy-wasm "pairs" serialization of header maps (proxy-wasm spec
// abi-versions/v0.2.1 "Serialization"; proxy-wasm-cpp-host src/pairs_util.cc): u32 N, N x {u32
// key_len, u32 value_len}, then each key and value NUL-terminated, all LE.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ext/host/types.hpp"

namespace ext::host {

// Host limits (proxy-wasm-cpp-host include/proxy-wasm/limits.h).
inline constexpr size_t k_pairs_max_bytes = 1u << 20;
inline constexpr size_t k_pairs_max_count = 1024;

std::string serialize_pairs(const HeaderMap& map);

// nullopt when the bytes break the pairs serialization (proxy-wasm spec) (too big, too many,
// missing NUL, trailing bytes): the host treats such input as an empty map. Empty input (size 0) is
// an empty map.
std::optional<HeaderMap> parse_pairs(std::string_view bytes);

}  // namespace ext::host
