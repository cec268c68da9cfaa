#include "ext/ops/remote.hpp"

#include <cctype>
#include <cstdlib>

#include "ext/auth/docker_credentials.hpp"
#include "ext/core/error.hpp"
#include "ext/project/settings.hpp"
#include "ext/registry/connect.hpp"
#include "ext/util/strings.hpp"

namespace ext::ops {

std::string normalize_registry(std::string_view text) {
  std::string_view t = util::trim(text);
  if (auto p = t.find("://"); p != std::string_view::npos) t = t.substr(p + 3);
  if (auto slash = t.find('/'); slash != std::string_view::npos) t = t.substr(0, slash);
  std::string r = util::to_lower(t);
  if (r == "index.docker.io" || r == "registry-1.docker.io") r = "docker.io";
  if (r.empty()) throw Error(Errc::invalid_argument, "empty registry name");
  for (char c : r)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':' ||
          c == '[' || c == ']'))
      throw Error(Errc::invalid_argument, "invalid registry name \"" + std::string(text) + "\"",
                  "a registry is host[:port], e.g. ghcr.io or localhost:5000");
  return r;
}

ref::Reference parse_ref(const std::string& text) {
  auto r = ref::Reference::parse(text);
  // The parser's message names the reference already ("invalid reference \"X\": why").
  if (!r) throw Error(r.error()).with_hint("references look like registry.example/team/filter:v1");
  return *r;
}

bool is_referrers_tag(const std::string& tag) {
  if (tag.size() != 71 || tag.rfind("sha256-", 0) != 0) return false;
  for (size_t i = 7; i < tag.size(); ++i)
    if (!std::isxdigit(static_cast<unsigned char>(tag[i]))) return false;
  return true;
}

std::unique_ptr<auth::CredentialStore> credential_store(const RegistryFlags& flags, Env& env) {
  return auth::default_credentials(flags.registry_config, env.runner.get(), env.environment);
}

Remote connect_remote(const std::string& registry, const RegistryFlags& flags, Env& env,
                      std::optional<auth::Credential> credential) {
  const auto& settings = env.settings();
  if (!settings) throw settings.error();
  auto rs = settings->registry(registry);

  Remote remote;
  remote.credentials = credential_store(flags, env);
  registry::ConnectOptions o;
  o.registry = registry;
  o.transport.insecure = flags.insecure || rs.insecure;
  o.transport.ca_file = !flags.ca_file.empty() ? flags.ca_file : rs.ca_file;
  if (flags.plain_http)
    o.plain_http = true;
  else if (rs.plain_http)
    o.plain_http = rs.plain_http;
  else if (!o.transport.ca_file.empty() || o.transport.insecure)
    o.plain_http = false;  // TLS options name a TLS registry, loopback or not
  if (auto t = env.environment.non_empty("EXT_HTTP_STALL_TIMEOUT"))
    o.transport.stall_timeout = std::chrono::seconds(std::max(1, std::atoi(t->c_str())));
  if (auto t = env.environment.non_empty("EXT_HTTP_RETRY_BASE_MS"))
    o.retry.base_delay = std::chrono::milliseconds(std::max(0, std::atoi(t->c_str())));
  // One retry budget for the whole command (docs/limits.md "Retries").
  auto budget = http::RetryBudget::k_default_limit;
  if (auto t = env.environment.non_empty("EXT_HTTP_RETRY_BUDGET"))
    budget = std::chrono::milliseconds(int64_t{1000} * std::max(0, std::atoi(t->c_str())));
  o.retry.budget = std::make_shared<http::RetryBudget>(budget);
  o.retry.clock = &env.clock.get();
  o.credentials = remote.credentials.get();
  o.credential = std::move(credential);
  o.client.single_post = rs.single_post;
  o.reporter = &env.reporter.get();
  o.factory = env.http_transport;
  remote.client = registry::connect(o);
  return remote;
}

}  // namespace ext::ops
