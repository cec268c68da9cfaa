// ext::util — parse_json: nlohmann::json::parse for untrusted text, with a size and a depth
// limit. nlohmann's parser itself is iterative, but what walks the result (dump, copy, compare,
// to YAML) recurses once per level: JSON nested 100,000 deep (200 KB) crashed ext with a stack
// overflow (issue 11). Every parse of text ext did not write goes through here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string_view>

#include "ext/core/result.hpp"

namespace ext::util {

struct JsonLimits {
  size_t max_bytes = 64u << 20;  // the text
  size_t max_depth = 128;        // nested arrays/objects
};

// Errc::parse on malformed JSON or a limit exceeded; the message names the limit
// ("JSON nested deeper than 128 levels (limit max_depth)") and never quotes more than a few
// dozen characters of the input.
Result<nlohmann::json> parse_json(std::string_view text, const JsonLimits& limits = {});
Result<nlohmann::ordered_json> parse_ordered_json(std::string_view text,
                                                  const JsonLimits& limits = {});
inline Result<nlohmann::json> parse_json(std::span<const uint8_t> bytes,
                                         const JsonLimits& limits = {}) {
  return parse_json(std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()),
                    limits);
}

}  // namespace ext::util
