// ext::auth — HelperStore: credentials kept by a docker credential helper,
// `docker-credential-<name>` on PATH, run through util::ProcessRunner with the protocol of
// docker/docker-credential-helpers client/client.go and credentials/credentials.go @594c023
// (action in argv[1], data on stdin/stdout, errors on stdout). The helper's stdout
// is never logged nor quoted in errors on `get`.
#pragma once

#include "ext/auth/credentials.hpp"
#include "ext/util/process.hpp"

namespace ext::auth {

class HelperStore final : public CredentialStore {
 public:
  HelperStore(std::string name, util::ProcessRunner& runner);

  // `registry` is passed to the helper as docker would (docker_key()).
  std::optional<Credential> get(const std::string& registry) override;
  void store(const std::string& registry, const Credential& cred) override;
  bool erase(const std::string& registry) override;
  std::string describe() const override { return "credential helper docker-credential-" + m_name; }

 private:
  util::ProcessResult run(const std::string& action, const std::string& input);
  std::string m_name;
  util::ProcessRunner& m_runner;
};

}  // namespace ext::auth
