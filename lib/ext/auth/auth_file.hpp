// ext::auth — AuthFile: a docker config.json (docker/cli cli/config/configfile/file.go and
// cli/config/types/authconfig.go @28f7560) or a containers auth.json (containers/image
// docs/containers-auth.json.5.md) read and written as a credential store. Reads `auths` entries
// ("auth" base64, username/password, identitytoken, registrytoken), legacy "https://host/v1/" keys
// and containers namespace keys; writes one entry through a file lock and an atomic replace with
// mode 0600, keeping every other entry and field as it was.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "ext/auth/credentials.hpp"

namespace ext::auth {

class AuthFile final : public CredentialStore {
 public:
  enum class Flavor { docker, containers };
  AuthFile(std::filesystem::path path, Flavor flavor);

  std::optional<Credential> get(const std::string& registry) override;
  void store(const std::string& registry, const Credential& cred) override;
  bool erase(const std::string& registry) override;
  std::string describe() const override { return m_path.string(); }

  // The most specific entry for a repository ("host/ns/repo", then "host/ns", then "host").
  std::optional<Credential> get_for_repository(const std::string& registry,
                                               const std::string& repository);
  // credsStore and credHelpers (empty when unset or the file is missing).
  std::string creds_store();
  std::map<std::string, std::string> cred_helpers();
  // Writes an empty placeholder entry (what docker writes for helper-backed logins).
  void store_placeholder(const std::string& registry);

  const std::filesystem::path& path() const { return m_path; }

 private:
  std::string key_for(const std::string& registry) const;
  std::optional<Credential> lookup_key(const std::string& key);

  std::filesystem::path m_path;
  Flavor m_flavor;
};

}  // namespace ext::auth
