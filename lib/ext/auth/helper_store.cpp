#include "ext/auth/helper_store.hpp"

#include <nlohmann/json.hpp>

#include "ext/core/error.hpp"
#include "ext/util/strings.hpp"

namespace ext::auth {

namespace {
constexpr const char* k_token_username = "<token>";  // docker/cli native_store.go tokenUsername

bool is_not_found(const std::string& out) {
  return util::to_lower(out).find("credentials not found") != std::string::npos;
}
}  // namespace

HelperStore::HelperStore(std::string name, util::ProcessRunner& runner)
    : m_name(std::move(name)), m_runner(runner) {}

util::ProcessResult HelperStore::run(const std::string& action, const std::string& input) {
  util::ProcessSpec spec;
  spec.argv = {"docker-credential-" + m_name, action};
  spec.stdin_data = input;
  spec.max_output = 1u << 20;
  try {
    return m_runner.run(spec);
  } catch (const Error& e) {
    if (e.code() == Errc::not_found)
      throw Error(Errc::auth,
                  "credential helper docker-credential-" + m_name + " not found on PATH",
                  "install it, or remove \"" + m_name +
                      "\" from credsStore/credHelpers in the "
                      "docker config");
    throw;
  }
}

std::optional<Credential> HelperStore::get(const std::string& registry) {
  auto r = run("get", docker_key(registry));
  if (r.exit_code != 0) {
    if (is_not_found(r.out)) return std::nullopt;
    throw Error(Errc::auth, describe() + " failed (exit " + std::to_string(r.exit_code) + ")");
  }
  try {
    auto j = nlohmann::json::parse(r.out);
    Credential c;
    c.username = j.value("Username", "");
    std::string secret = j.value("Secret", "");
    if (c.username == k_token_username) {
      c.username.clear();
      c.identity_token = secret;
    } else {
      c.password = secret;
    }
    if (c.empty()) return std::nullopt;
    return c;
  } catch (const nlohmann::json::exception&) {
    throw Error(Errc::auth, describe() + " returned malformed JSON on get");
  }
}

void HelperStore::store(const std::string& registry, const Credential& cred) {
  nlohmann::json j = {{"ServerURL", docker_key(registry)}};
  if (!cred.identity_token.empty()) {
    j["Username"] = k_token_username;
    j["Secret"] = cred.identity_token;
  } else {
    j["Username"] = cred.username;
    j["Secret"] = cred.password;
  }
  auto r = run("store", j.dump());
  if (r.exit_code != 0)
    throw Error(Errc::auth,
                describe() + " failed to store credentials: " + util::redact(util::trim(r.out)));
}

bool HelperStore::erase(const std::string& registry) {
  auto r = run("erase", docker_key(registry));
  if (r.exit_code != 0) {
    if (is_not_found(r.out)) return false;
    throw Error(Errc::auth,
                describe() + " failed to erase credentials: " + util::redact(util::trim(r.out)));
  }
  return true;
}

}  // namespace ext::auth
