// ext::auth — credentials and where they live. Owns: the Credential value, the CredentialStore
// interface, docker's key rules (docker/cli
// cli/config/configfile/file.go getAuthConfigKey @28f7560: docker.io ->
// "https://index.docker.io/v1/").
// Must not: log or put a secret into an Error message.
#pragma once

#include <optional>
#include <string>

namespace ext::auth {

struct Credential {
  std::string username;
  std::string password;
  std::string identity_token;  // OAuth2 refresh token (docker "identitytoken")
  std::string registry_token;  // bearer token sent to the registry as is ("registrytoken")

  bool empty() const {
    return username.empty() && password.empty() && identity_token.empty() && registry_token.empty();
  }
  bool has_basic() const { return !username.empty() && !password.empty(); }
  bool operator==(const Credential&) const = default;
};

class CredentialStore {
 public:
  virtual ~CredentialStore() = default;
  // `registry` is a reference's registry ("docker.io", "localhost:5000"). nullopt: none here.
  virtual std::optional<Credential> get(const std::string& registry) = 0;
  virtual void store(const std::string& registry, const Credential& cred) = 0;
  // False when there was nothing to remove.
  virtual bool erase(const std::string& registry) = 0;
  // Where credentials go, for messages ("/home/u/.docker/config.json", "helper pass").
  virtual std::string describe() const = 0;
  // Where this registry's credentials go: a helper's name when one holds them.
  virtual std::string describe_for(const std::string& registry) {
    (void)registry;
    return describe();
  }
};

// The key docker uses in config.json and passes to credential helpers.
std::string docker_key(const std::string& registry);
// "https://host/v1/" or "host/path" -> "host" (legacy keys; containers namespace keys).
std::string key_hostname(const std::string& key);

// base64 (standard alphabet, padding) of "user:pass", and back (split at the first ':',
// username non-empty, NULs stripped from the password: docker's decodeAuth).
std::string encode_basic(const std::string& username, const std::string& password);
std::optional<Credential> decode_basic(const std::string& b64);

}  // namespace ext::auth
