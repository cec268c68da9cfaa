// ext::registry — connect(): the transport stack for one registry, bottom to top:
//   CurlTransport (TLS, timeouts, connection reuse) -> RetryingTransport (backoff)
//   -> auth::AuthTransport (challenges, tokens) -> Client.
// Also the endpoint rules: docker.io -> registry-1.docker.io (docker/cli registry endpoint rules);
// for localhost, 127.0.0.0/8 and ::1 without --plain-http or TLS flags, https is tried first and
// plain http second (as docker does for local registries), and when neither answers the error says
// what each one did (docs/limits.md "Loopback registries").
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "ext/auth/credentials.hpp"
#include "ext/http/retry_transport.hpp"
#include "ext/http/transport.hpp"
#include "ext/registry/client.hpp"

namespace ext::registry {

using TransportFactory =
    std::function<std::shared_ptr<http::Transport>(const http::TransportOptions&)>;

struct ConnectOptions {
  std::string registry;            // "docker.io", "localhost:5000", "[::1]:5000"
  std::optional<bool> plain_http;  // nullopt: automatic (loopback => https, else plain http)
  http::TransportOptions transport;
  http::RetryPolicy retry;
  auth::CredentialStore* credentials = nullptr;
  std::optional<auth::Credential> credential;  // overrides the store (login)
  ClientOptions client;                        // registry/base_url/reporter are filled in
  TransportFactory factory;                    // default: CurlTransport
  Reporter* reporter = nullptr;
};

// "registry-1.docker.io" for docker.io, else the registry itself.
std::string endpoint_host(const std::string& registry);
// localhost, 127.0.0.0/8, ::1 (with or without a port).
bool is_loopback_host(const std::string& registry);

std::shared_ptr<Client> connect(const ConnectOptions& options);

}  // namespace ext::registry
