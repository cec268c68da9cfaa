// ext::util — small string helpers: trimming, splitting, case, hex, human sizes, redaction.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ext::util {

std::string_view trim(std::string_view s);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

std::string hex_encode(std::span<const uint8_t> bytes);
// Lowercase hex of any length; false on a non-hex character or odd length.
bool is_hex(std::string_view s);

// "1.5 MiB", "812 B".
std::string human_size(uint64_t bytes);

// Replaces secrets in text meant for logs: URL userinfo ("https://u:p@h" -> "https://***@h"),
// Authorization header values, and "token"/"password"/"access_token"/"refresh_token" JSON or
// query values.
std::string redact(std::string_view text);

}  // namespace ext::util
