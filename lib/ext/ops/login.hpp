// ext::ops — login and logout. Login checks the credentials through the /v2/ handshake (Basic
// or the token flow, distribution docs/spec/auth/token.md) before storing them: through the
// credential helper the docker config names for the registry, else in the file (mode 0600, other
// entries untouched). Logout removes one entry. Secrets never appear in results, messages or logs.
#pragma once

#include <string>

#include "ext/ops/env.hpp"
#include "ext/ops/remote.hpp"

namespace ext::ops {

struct LoginOptions {
  std::string registry;  // host[:port]; docker.io for Docker Hub
  std::string username;
  std::string password;  // or an identity token when username is "<token>"
  RegistryFlags flags;
};

struct LoginResult {
  std::string registry;
  std::string stored_in;  // file path or "credential helper docker-credential-x"
  std::string scheme;     // "basic", "bearer", or "" when the registry asked for nothing
};

LoginResult login(const LoginOptions& opts, Env& env);

struct LogoutResult {
  std::string registry;
  std::string removed_from;
};

LogoutResult logout(const std::string& registry, const RegistryFlags& flags, Env& env);

}  // namespace ext::ops
