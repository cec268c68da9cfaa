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

std::string encode_basic(const std::string& username, const std::string& password) {
  return util::base64_encode(username + ":" + password);
}

std::optional<Credential> decode_basic(const std::string& b64) {
  auto raw = util::base64_decode(b64);
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
