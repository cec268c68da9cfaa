#include "ext/ops/login.hpp"

#include "ext/auth/auth_transport.hpp"
#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"

namespace ext::ops {

LoginResult login(const LoginOptions& opts, Env& env) {
  auto registry = normalize_registry(opts.registry);
  if (opts.username.empty()) throw Error(Errc::usage, "ext login needs a username", "pass -u USER");
  if (opts.password.empty())
    throw Error(Errc::usage, "ext login needs a password",
                "pass --password-stdin and the password on stdin (or -p PASS)");
  auth::Credential cred;
  if (opts.username == "<token>") {
    cred.identity_token = opts.password;
  } else {
    cred.username = opts.username;
    cred.password = opts.password;
  }
  auto remote = connect_remote(registry, opts.flags, env, cred);
  try {
    with_context("logging in to " + registry, [&] { remote.client->ping(); });
  } catch (const Error& e) {
    // The registry's "run `ext login`" hint is for later verbs; here the credentials were
    // just typed.
    if (e.code() != Errc::auth) throw;
    Error again(Errc::auth, e.message(),
                "check the user name and password for " + registry +
                    " (a personal access token goes in as the password)");
    again.with_http(e.http_status(), e.registry_code());
    throw again;
  }
  LoginResult r;
  r.registry = registry;
  if (auto* a = dynamic_cast<auth::AuthTransport*>(&remote.client->transport()))
    r.scheme = a->scheme();
  if (r.scheme.empty())
    env.reporter.get().warn(registry + " did not ask for credentials; storing them anyway");
  with_context("storing credentials for " + registry,
               [&] { remote.credentials->store(registry, cred); });
  r.stored_in = remote.credentials->describe_for(registry);
  return r;
}

LogoutResult logout(const std::string& registry_text, const RegistryFlags& flags, Env& env) {
  auto registry = normalize_registry(registry_text);
  auto creds = credential_store(flags, env);
  if (!creds->erase(registry))
    throw Error(Errc::not_found, "not logged in to " + registry + " (" + creds->describe() + ")");
  return {registry, creds->describe()};
}

}  // namespace ext::ops
