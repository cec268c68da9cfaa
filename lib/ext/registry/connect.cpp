#include "ext/registry/connect.hpp"

#include "ext/auth/auth_transport.hpp"
#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"
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

namespace {

// GET <scheme>://host/v2/ once, straight on the base transport (no retry, no auth): the status,
// or the error that stopped it.
struct Probe {
  int status = 0;
  std::optional<Error> error;
};

Probe probe(http::Transport& base, const std::string& url) {
  http::Request req;
  req.url = url;
  req.max_response = 64u << 10;
  Probe p;
  try {
    p.status = base.send(req).status;
  } catch (const Error& e) {
    p.error = e;
  }
  return p;
}

// A loopback registry: https when it answers https (any HTTP status), else plain http when that
// answers with something else than 400 (a TLS port answers a plain request with 400). Neither:
// an error naming both attempts and why each failed.
bool choose_plain_for_loopback(http::Transport& base, const std::string& host, Reporter* rep) {
  auto tls = probe(base, "https://" + host + "/v2/");
  if (!tls.error) return false;
  auto plain = probe(base, "http://" + host + "/v2/");
  if (!plain.error && plain.status != 400) {
    if (rep)
      rep->debug(1, "https://" + host + " failed (" + tls.error->message() +
                        "); using plain http, which answered");
    return true;
  }
  std::string plain_why = plain.error ? plain.error->message() : "HTTP 400 (the port expects TLS)";
  std::string hint = tls.error->hint();
  if (hint.empty()) hint = "check that a registry listens on " + host;
  throw Error(
      tls.error->code() == Errc::tls ? Errc::tls : Errc::network,
      host + ": https failed: " + tls.error->message() + "; plain http failed: " + plain_why, hint);
}

}  // namespace

std::shared_ptr<Client> connect(const ConnectOptions& o) {
  auto host = endpoint_host(o.registry);
  http::TransportOptions topts = o.transport;
  if (!topts.reporter) topts.reporter = o.reporter;
  std::shared_ptr<http::Transport> base =
      o.factory ? o.factory(topts) : std::make_shared<http::CurlTransport>(topts);
  bool plain = o.plain_http.value_or(false);
  if (!o.plain_http && is_loopback_host(host))
    plain = choose_plain_for_loopback(*base, host, o.reporter);
  http::RetryPolicy policy = o.retry;
  if (!policy.budget) policy.budget = std::make_shared<http::RetryBudget>();
  auto retrying = std::make_shared<http::RetryingTransport>(base, policy, o.reporter);
  auth::AuthOptions aopts;
  aopts.registry = o.registry;
  aopts.host = host;
  aopts.credentials = o.credentials;
  aopts.credential = o.credential;
  aopts.reporter = o.reporter;
  aopts.allow_plain_http_realm = o.transport.insecure;
  auto authed = std::make_shared<auth::AuthTransport>(retrying, aopts);
  ClientOptions copts = o.client;
  copts.registry = o.registry;
  copts.base_url = (plain ? "http://" : "https://") + host;
  if (!copts.reporter) copts.reporter = o.reporter;
  copts.retry_budget = policy.budget;  // one budget for every retrying layer of the command
  if (!copts.clock) copts.clock = policy.clock;
  return std::make_shared<Client>(authed, copts);
}

}  // namespace ext::registry
