#include "ext/auth/docker_credentials.hpp"

#include "ext/auth/helper_store.hpp"
#include "ext/core/error.hpp"
#include "ext/util/strings.hpp"

namespace ext::auth {

namespace fs = std::filesystem;

namespace {
fs::path home(const util::Environment& environment) {
  auto h = environment.value("HOME");
  return h.empty() ? fs::path("/") : fs::path(h);
}

// Reads only: a containers auth.json, with namespace keys.
class ReadOnlyFile final : public CredentialStore {
 public:
  explicit ReadOnlyFile(fs::path p) : m_file(std::move(p), AuthFile::Flavor::containers) {}
  std::optional<Credential> get(const std::string& registry) override {
    try {
      return m_file.get(registry);
    } catch (const Error&) {
      return std::nullopt;  // a broken podman file must not break docker users
    }
  }
  void store(const std::string& r, const Credential& c) override { m_file.store(r, c); }
  bool erase(const std::string& r) override { return m_file.erase(r); }
  std::string describe() const override { return m_file.describe(); }

 private:
  AuthFile m_file;
};
}  // namespace

DockerCredentials::DockerCredentials(fs::path config_file, util::ProcessRunner& runner)
    : m_file(std::move(config_file), AuthFile::Flavor::docker), m_runner(runner) {}

std::string DockerCredentials::helper_for(const std::string& registry) {
  auto helpers = m_file.cred_helpers();
  for (const auto& key : {docker_key(registry), registry})
    if (auto it = helpers.find(key); it != helpers.end()) return it->second;
  return m_file.creds_store();
}

std::optional<Credential> DockerCredentials::get(const std::string& registry) {
  auto helper = helper_for(registry);
  if (!helper.empty()) return HelperStore(helper, m_runner).get(registry);
  return m_file.get(registry);
}

void DockerCredentials::store(const std::string& registry, const Credential& cred) {
  auto helper = helper_for(registry);
  if (!helper.empty()) {
    HelperStore(helper, m_runner).store(registry, cred);
    m_file.store_placeholder(registry);
    return;
  }
  m_file.store(registry, cred);
}

bool DockerCredentials::erase(const std::string& registry) {
  auto helper = helper_for(registry);
  bool removed = false;
  if (!helper.empty()) removed = HelperStore(helper, m_runner).erase(registry);
  removed |= m_file.erase(registry);
  return removed;
}

std::string DockerCredentials::describe() const {
  return m_file.describe();
}

std::string DockerCredentials::describe_for(const std::string& registry) {
  auto helper = helper_for(registry);
  if (helper.empty()) return m_file.describe();
  return HelperStore(helper, m_runner).describe();
}

CredentialChain::CredentialChain(std::vector<std::unique_ptr<CredentialStore>> stores,
                                 size_t writer)
    : m_stores(std::move(stores)), m_writer(writer) {
  if (m_stores.empty() || m_writer >= m_stores.size())
    throw Error(Errc::internal, "CredentialChain: no writable store");
}

std::optional<Credential> CredentialChain::get(const std::string& registry) {
  for (auto& s : m_stores)
    if (auto c = s->get(registry)) return c;
  return std::nullopt;
}

void CredentialChain::store(const std::string& registry, const Credential& cred) {
  m_stores[m_writer]->store(registry, cred);
}

bool CredentialChain::erase(const std::string& registry) {
  return m_stores[m_writer]->erase(registry);
}

std::string CredentialChain::describe() const {
  return m_stores[m_writer]->describe();
}

std::string CredentialChain::describe_for(const std::string& registry) {
  return m_stores[m_writer]->describe_for(registry);
}

fs::path docker_config_path(const util::Environment& environment) {
  auto d = environment.value("DOCKER_CONFIG");
  if (!d.empty()) return fs::path(d) / "config.json";
  return home(environment) / ".docker" / "config.json";
}

std::unique_ptr<CredentialStore> default_credentials(const fs::path& registry_config,
                                                     util::ProcessRunner& runner,
                                                     const util::Environment& environment) {
  if (!registry_config.empty()) return std::make_unique<DockerCredentials>(registry_config, runner);
  std::vector<std::unique_ptr<CredentialStore>> stores;
  size_t writer = 0;
  if (auto f = environment.value("REGISTRY_AUTH_FILE"); !f.empty()) {
    stores.push_back(std::make_unique<ReadOnlyFile>(f));
    writer = 1;
  }
  stores.push_back(std::make_unique<DockerCredentials>(docker_config_path(environment), runner));
  if (auto r = environment.value("XDG_RUNTIME_DIR"); !r.empty())
    stores.push_back(std::make_unique<ReadOnlyFile>(fs::path(r) / "containers" / "auth.json"));
  auto cfg = environment.value("XDG_CONFIG_HOME");
  stores.push_back(std::make_unique<ReadOnlyFile>(
      (cfg.empty() ? home(environment) / ".config" : fs::path(cfg)) / "containers" / "auth.json"));
  return std::make_unique<CredentialChain>(std::move(stores), writer);
}

}  // namespace ext::auth
