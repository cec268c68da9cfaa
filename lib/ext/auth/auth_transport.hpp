// ext::auth — AuthTransport: an http::Transport decorator that authenticates requests to one
// registry host (distribution/distribution docs/content/spec/auth/ @0d6b721): anonymous, Basic,
// Bearer tokens from the challenge's realm (GET with scopes, token.md "Requesting a Token"; OAuth2
// POST with a refresh token, oauth.md "Getting a token", falling back to GET on 404/405),
// tokens cached per scope set until they expire, re-authentication on 401 (once per request).
// Credentials are sent only to the registry host and to the realm it names; never logged.
// Owns: the challenge/token dance. Must not: know registry endpoints beyond the host.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

#include "ext/auth/challenge.hpp"
#include "ext/auth/credentials.hpp"
#include "ext/http/transport.hpp"

namespace ext::auth {

struct AuthOptions {
  std::string registry;                    // credential key: the reference's registry ("docker.io")
  std::string host;                        // the API host[:port] requests go to
  CredentialStore* credentials = nullptr;  // looked up once, lazily; null = anonymous
  std::optional<Credential> credential;    // use this instead of the store (ext login)
  std::string client_id = "ext";
  Reporter* reporter = nullptr;
  // Send credentials to a plain-http token realm named by an https registry (--insecure).
  // Without it such a realm gets no credentials: Error(auth) instead (a downgrade would put the
  // password on the wire in clear).
  bool allow_plain_http_realm = false;
};

class AuthTransport final : public http::Transport {
 public:
  AuthTransport(std::shared_ptr<http::Transport> inner, AuthOptions options);

  http::Response send(const http::Request& req) override;
  std::unique_ptr<http::ResponseStream> open(const http::Request& req) override;
  // With the cached authorization for the request's scopes (the upload session's POST has
  // fetched it). A 401 cannot be answered by resending the body: the response is returned, and
  // what its challenge teaches is kept for the caller's restart.
  std::unique_ptr<http::UploadStream> upload(const http::Request& req) override;

  // What the last challenge asked for ("bearer", "basic"; empty before any 401).
  std::string scheme() const;
  // Drops cached tokens (tests; after a credential change).
  void reset();

 private:
  struct Token {
    std::string value;
    std::chrono::steady_clock::time_point expires;
  };

  std::optional<std::string> authorization(const http::Request& req);
  // Learns from a 401; false when nothing can be done (no challenge, unknown scheme...).
  bool on_unauthorized(const http::Headers& headers, const http::Request& req);
  Token fetch_token(const std::set<std::string>& scopes);
  const std::optional<Credential>& credential();
  bool applies_to(const std::string& url) const;

  std::shared_ptr<http::Transport> m_inner;
  AuthOptions m_options;
  std::mutex m_mutex;
  bool m_cred_loaded = false;
  std::optional<Credential> m_cred;
  std::string m_scheme;  // "", "basic", "bearer"
  std::string m_realm;
  bool m_registry_https = false;  // the registry that named the realm answered over https
  std::string m_service;
  std::map<std::string, Token> m_tokens;  // key: sorted scopes joined by ' '
};

// Scope for a repository and actions (distribution/distribution docs/content/spec/auth/scope.md
// "Resource Scope Grammar", @0d6b721): "repository:acme/f:pull,push".
std::string repository_scope(const std::string& repository, const std::string& actions);

}  // namespace ext::auth
