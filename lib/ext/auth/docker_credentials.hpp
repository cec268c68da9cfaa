// ext::auth — DockerCredentials: docker's credential rules over one config file
// (docker/cli cli/config/configfile/file.go getConfiguredCredentialStore @28f7560:
// credHelpers[key], else credsStore, else the file's auths),
// and CredentialChain: the lookup order ext uses when no --registry-config is given:
//   1. $REGISTRY_AUTH_FILE (containers format), when set
//   2. the docker config: $DOCKER_CONFIG/config.json, else ~/.docker/config.json (+ helpers)
//   3. ${XDG_RUNTIME_DIR}/containers/auth.json   4.
//   ${XDG_CONFIG_HOME:-~/.config}/containers/auth.json
// `ext login` writes to --registry-config, else to the docker config (through its helper).
#pragma once

#include <filesystem>
#include <memory>
#include <vector>

#include "ext/auth/auth_file.hpp"
#include "ext/auth/credentials.hpp"
#include "ext/util/environment.hpp"
#include "ext/util/process.hpp"

namespace ext::auth {

class DockerCredentials final : public CredentialStore {
 public:
  DockerCredentials(std::filesystem::path config_file, util::ProcessRunner& runner);

  std::optional<Credential> get(const std::string& registry) override;
  void store(const std::string& registry, const Credential& cred) override;
  bool erase(const std::string& registry) override;
  std::string describe() const override;
  std::string describe_for(const std::string& registry) override;

  // The helper configured for this registry, or empty (the file itself).
  std::string helper_for(const std::string& registry);

 private:
  AuthFile m_file;
  util::ProcessRunner& m_runner;
};

// First store that knows a registry wins; writes and erases go to stores[writer].
class CredentialChain final : public CredentialStore {
 public:
  CredentialChain(std::vector<std::unique_ptr<CredentialStore>> stores, size_t writer = 0);
  std::optional<Credential> get(const std::string& registry) override;
  void store(const std::string& registry, const Credential& cred) override;
  bool erase(const std::string& registry) override;
  std::string describe() const override;
  std::string describe_for(const std::string& registry) override;

 private:
  std::vector<std::unique_ptr<CredentialStore>> m_stores;
  size_t m_writer;
};

// $DOCKER_CONFIG/config.json, else ~/.docker/config.json.
std::filesystem::path docker_config_path(const util::Environment& environment);

// The credential store ext uses: `registry_config` alone when given (read and written), else
// the chain above; writes go to the docker config.
// The locations come from `environment` (DOCKER_CONFIG, HOME, REGISTRY_AUTH_FILE,
// XDG_RUNTIME_DIR, XDG_CONFIG_HOME).
std::unique_ptr<CredentialStore> default_credentials(const std::filesystem::path& registry_config,
                                                     util::ProcessRunner& runner,
                                                     const util::Environment& environment);

}  // namespace ext::auth
