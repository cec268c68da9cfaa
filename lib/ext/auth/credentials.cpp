#include "ext/auth/credentials.hpp"

#include <algorithm>

#include "ext/util/strings.hpp"

namespace ext::auth {

std::string docker_key(const std::string& registry) {
  auto r = util::to_lower(registry);
  if (r == "docker.io" || r == "index.docker.io" || r == "registry-1.docker.io")
    return "https://index.docker.io/v1/";
  return registry;
}

std::string key_hostname(const std::string& key) {
  std::string_view k = key;
  if (auto p = k.find("://"); p != std::string_view::npos) k = k.substr(p + 3);
  if (auto slash = k.find('/'); slash != std::string_view::npos) k = k.substr(0, slash);
  return std::string(k);
}

namespace {
constexpr const char* k_b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}

std::string base64_encode(std::string_view in) {
  std::string out;
  size_t i = 0;
  while (i + 2 < in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += k_b64[v >> 18];
    out += k_b64[(v >> 12) & 63];
    out += k_b64[(v >> 6) & 63];
    out += k_b64[v & 63];
    i += 3;
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += k_b64[v >> 18];
    out += k_b64[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += k_b64[v >> 18];
    out += k_b64[(v >> 12) & 63];
    out += k_b64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    const char* p = std::find(k_b64, k_b64 + 64, c);
    if (p == k_b64 + 64) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(p - k_b64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string encode_basic(const std::string& username, const std::string& password) {
  return base64_encode(username + ":" + password);
}

std::optional<Credential> decode_basic(const std::string& b64) {
  auto raw = base64_decode(b64);
  if (!raw) return std::nullopt;
  auto colon = raw->find(':');
  if (colon == std::string::npos || colon == 0) return std::nullopt;
  Credential c;
  c.username = raw->substr(0, colon);
  c.password = raw->substr(colon + 1);
  std::erase(c.password, '\0');
  return c;
}

}  // namespace ext::auth
