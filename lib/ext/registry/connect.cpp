#include "ext/registry/connect.hpp"

#include "ext/auth/auth_transport.hpp"
#include "ext/http/curl_transport.hpp"
#include "ext/util/strings.hpp"

namespace ext::registry {

std::string endpoint_host(const std::string& registry) {
  auto r = util::to_lower(registry);
  if (r == "docker.io" || r == "index.docker.io") return "registry-1.docker.io";
  return registry;
}

bool is_loopback_host(const std::string& registry) {
  std::string host = util::to_lower(registry);
  if (host.starts_with("[")) {
    auto close = host.find(']');
    host = host.substr(1, close == std::string::npos ? std::string::npos : close - 1);
    return host == "::1";
  }
  if (auto colon = host.rfind(':'); colon != std::string::npos) host = host.substr(0, colon);
  if (host == "localhost") return true;
  if (!host.starts_with("127.")) return false;
  auto parts = util::split(host, '.');
  if (parts.size() != 4) return false;
  for (const auto& p : parts) {
    if (p.empty() || p.size() > 3) return false;
    for (char c : p)
      if (c < '0' || c > '9') return false;
    if (std::stoi(p) > 255) return false;
  }
  return true;
}

std::shared_ptr<Client> connect(const ConnectOptions& o) {
  auto host = endpoint_host(o.registry);
  bool plain = o.plain_http.value_or(is_loopback_host(host));
  http::TransportOptions topts = o.transport;
  if (!topts.reporter) topts.reporter = o.reporter;
  std::shared_ptr<http::Transport> base =
      o.factory ? o.factory(topts) : std::make_shared<http::CurlTransport>(topts);
  auto retrying = std::make_shared<http::RetryingTransport>(base, o.retry, o.reporter);
  auth::AuthOptions aopts;
  aopts.registry = o.registry;
  aopts.host = host;
  aopts.credentials = o.credentials;
  aopts.credential = o.credential;
  aopts.reporter = o.reporter;
  auto authed = std::make_shared<auth::AuthTransport>(retrying, aopts);
  ClientOptions copts = o.client;
  copts.registry = o.registry;
  copts.base_url = (plain ? "http://" : "https://") + host;
  if (!copts.reporter) copts.reporter = o.reporter;
  return std::make_shared<Client>(authed, copts);
}

}  // namespace ext::registry
