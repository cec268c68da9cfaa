// ext::util — small string helpers: trimming, splitting, case, hex, human sizes, redaction.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace ext::util {

// Without leading and trailing whitespace (" \t\r\n\f\v"), or without the characters in `chars`.
std::string_view trim(std::string_view s);
std::string_view trim(std::string_view s, std::string_view chars);
std::vector<std::string> split(std::string_view s, char sep);
std::string join(const std::vector<std::string>& parts, std::string_view sep);
std::string to_lower(std::string_view s);
bool iequals(std::string_view a, std::string_view b);

std::string hex_encode(std::span<const uint8_t> bytes);
// Lowercase hex of any length; false on a non-hex character or odd length.
bool is_hex(std::string_view s);

// Optimal string alignment distance (Levenshtein plus a swap of two neighbours as one edit):
// "biuld" -> "build" is 1. For "did you mean" suggestions over short words (command-line words,
// ext.yaml keys): only the first 64 bytes of each are compared, so it stays O(64 x 64).
size_t edit_distance(std::string_view a, std::string_view b);

// Text for HTML or XML (element content, single- or double-quoted attributes): & < > " ' as
// entities (' as &#39;, which both read), and the characters XML 1.0 forbids (C0 controls but
// tab, LF and CR) as U+FFFD, as HTML parsers do with NUL. The hub's pages and JUnit reports.
std::string markup_escape(std::string_view text);
void markup_escape_to(std::string& out, std::string_view text);

// base64, standard alphabet with padding (RFC 4648 section 4): HTTP Basic credentials, docker
// config "auth" values, Kubernetes Secret data. Decoding skips '=' and line breaks; nullopt on
// any other character outside the alphabet.
std::string base64_encode(std::string_view in);
std::optional<std::string> base64_decode(std::string_view in);

// "1.5 MiB", "812 B".
std::string human_size(uint64_t bytes);

// Replaces secrets in text meant for logs: URL userinfo ("https://u:p@h" -> "https://***@h"),
// Authorization header values, and "token"/"password"/"access_token"/"refresh_token" JSON or
// query values.
std::string redact(std::string_view text);

}  // namespace ext::util
