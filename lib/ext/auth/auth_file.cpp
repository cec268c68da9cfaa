#include "ext/auth/auth_file.hpp"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"

namespace ext::auth {

namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

constexpr uint64_t k_max_file = 4u << 20;

Json load(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return Json::object();
  auto text = util::read_file(path, k_max_file);
  if (util::trim(text).empty()) return Json::object();
  try {
    auto j = Json::parse(text);
    if (!j.is_object()) throw Error(Errc::parse, path.string() + ": not a JSON object");
    return j;
  } catch (const Json::exception&) {
    // The parser's message can quote file content: keep it out.
    throw Error(Errc::parse, path.string() + ": malformed JSON");
  }
}

void save(const fs::path& path, const Json& j) {
  if (path.has_parent_path()) {
    fs::create_directories(path.parent_path());
  }
  util::write_file_atomic(path, j.dump(1, '\t') + "\n", 0600);
  ::chmod(path.c_str(), 0600);
}

std::optional<Credential> parse_entry(const Json& e) {
  if (!e.is_object()) return std::nullopt;
  Credential c;
  auto str = [&](const char* k) {
    auto it = e.find(k);
    return it != e.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  if (auto a = str("auth"); !a.empty()) {
    if (auto d = decode_basic(a)) c = *d;
  }
  if (c.username.empty()) c.username = str("username");
  if (c.password.empty()) c.password = str("password");
  c.identity_token = str("identitytoken");
  c.registry_token = str("registrytoken");
  if (c.empty()) return std::nullopt;
  return c;
}

}  // namespace

AuthFile::AuthFile(fs::path path, Flavor flavor) : m_path(std::move(path)), m_flavor(flavor) {}

std::string AuthFile::key_for(const std::string& registry) const {
  if (m_flavor == Flavor::docker) return docker_key(registry);
  auto k = docker_key(registry);
  return k == "https://index.docker.io/v1/" ? "docker.io" : registry;
}

std::optional<Credential> AuthFile::lookup_key(const std::string& key) {
  auto j = load(m_path);
  auto auths = j.find("auths");
  if (auths == j.end() || !auths->is_object()) return std::nullopt;
  if (auto it = auths->find(key); it != auths->end()) return parse_entry(*it);
  return std::nullopt;
}

std::optional<Credential> AuthFile::get(const std::string& registry) {
  auto j = load(m_path);
  auto auths = j.find("auths");
  if (auths == j.end() || !auths->is_object()) return std::nullopt;
  for (const auto& key : {key_for(registry), docker_key(registry), registry})
    if (auto it = auths->find(key); it != auths->end()) return parse_entry(*it);
  // Legacy keys ("https://host/v1/", "http://host") compared by host name.
  std::string want = key_hostname(docker_key(registry));
  bool hub = docker_key(registry) == "https://index.docker.io/v1/";
  for (auto it = auths->begin(); it != auths->end(); ++it) {
    auto host = util::to_lower(key_hostname(it.key()));
    if (host == util::to_lower(want) || (hub && (host == "docker.io" || host == "index.docker.io")))
      if (it.key().find('/') == std::string::npos || it.key().find("://") != std::string::npos)
        return parse_entry(it.value());
  }
  return std::nullopt;
}

std::optional<Credential> AuthFile::get_for_repository(const std::string& registry,
                                                       const std::string& repository) {
  if (m_flavor == Flavor::containers) {
    std::string ns = key_for(registry) + "/" + repository;
    while (true) {
      if (auto c = lookup_key(ns)) return c;
      auto slash = ns.rfind('/');
      if (slash == std::string::npos || ns.substr(0, slash) == key_for(registry)) break;
      ns = ns.substr(0, slash);
    }
  }
  return get(registry);
}

std::string AuthFile::creds_store() {
  auto j = load(m_path);
  auto it = j.find("credsStore");
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::map<std::string, std::string> AuthFile::cred_helpers() {
  std::map<std::string, std::string> out;
  auto j = load(m_path);
  auto it = j.find("credHelpers");
  if (it == j.end() || !it->is_object()) return out;
  for (auto h = it->begin(); h != it->end(); ++h)
    if (h.value().is_string()) out[h.key()] = h.value().get<std::string>();
  return out;
}

namespace {
fs::path lock_path(const fs::path& p) {
  if (p.has_parent_path()) fs::create_directories(p.parent_path());
  return fs::path(p.string() + ".lock");
}
}  // namespace

void AuthFile::store(const std::string& registry, const Credential& cred) {
  util::FileLock lock(lock_path(m_path));
  auto j = load(m_path);
  if (!j.contains("auths") || !j["auths"].is_object()) j["auths"] = Json::object();
  Json entry = Json::object();
  if (cred.has_basic()) entry["auth"] = encode_basic(cred.username, cred.password);
  if (!cred.identity_token.empty()) entry["identitytoken"] = cred.identity_token;
  if (!cred.registry_token.empty()) entry["registrytoken"] = cred.registry_token;
  j["auths"][key_for(registry)] = entry;
  save(m_path, j);
}

void AuthFile::store_placeholder(const std::string& registry) {
  util::FileLock lock(lock_path(m_path));
  auto j = load(m_path);
  if (!j.contains("auths") || !j["auths"].is_object()) j["auths"] = Json::object();
  j["auths"][key_for(registry)] = Json::object();
  save(m_path, j);
}

bool AuthFile::erase(const std::string& registry) {
  std::error_code ec;
  if (!fs::exists(m_path, ec)) return false;
  util::FileLock lock(lock_path(m_path));
  auto j = load(m_path);
  auto auths = j.find("auths");
  if (auths == j.end() || !auths->is_object()) return false;
  bool removed = false;
  for (const auto& key : {key_for(registry), docker_key(registry), registry})
    removed |= auths->erase(key) > 0;
  if (removed) save(m_path, j);
  return removed;
}

}  // namespace ext::auth
