// ext::hub — `ext hub` (docs/hub.md): a local web catalog of the Wasm filters in the registries a
// team runs. Serves the pages and the JSON API under /api/ from ext itself (cpp-httplib), with
// the assets embedded in the binary (hub/). It reuses what ext already does: ops::search for
// the catalog (and its cache), ops::inspect for a filter's facts and referrers, the README
// referrer ext push adds, and ops::deploy for the deploy page, so the YAML shown is the YAML
// `ext deploy ... -f` writes. Security (docs/hub.md "Security"): loopback by default, the Host
// of every request checked, a per-run token and a same-origin check on every POST, a strict CSP,
// every registry-provided string escaped, credentials never in a response.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ext/deploy/kube.hpp"
#include "ext/hub/catalog.hpp"
#include "ext/ops/env.hpp"
#include "ext/ops/remote.hpp"

namespace ext::hub {

struct HubOptions {
  std::vector<std::string> registries;  // host[:port], as --registry
  // REGISTRY/REPO, as --repo: repositories read from a registry that does not list them (no
  // catalog API, ops::SearchOptions::repositories); their registries are served too.
  std::vector<std::string> repositories;
  std::string listen = "127.0.0.1:8765";
  bool allow_apply = false;  // POST /api/apply and the page's Apply (else 404)
  ops::RegistryFlags flags;
  int64_t max_age_seconds = 300;  // ops::SearchOptions::max_age_seconds
  int refresh_seconds = 300;      // the catalog is read again this often; 0: only on request
  deploy::KubectlOptions kubectl;
  CatalogSource source;  // null: ops::search on the registry
};

class Hub {
 public:
  Hub(HubOptions opts, ops::Env env);
  ~Hub();
  Hub(const Hub&) = delete;
  Hub& operator=(const Hub&) = delete;

  // Reads the registries once, then binds and serves in background threads. Error(usage) for
  // a malformed --listen, Error(io) when the address cannot be bound.
  void start();
  int port() const;
  std::string url() const;  // "http://127.0.0.1:PORT/"
  const std::string& token() const;
  bool loopback() const;
  // What to print about the --listen address before start(): "" for loopback (security.hpp).
  std::string listen_warning() const;
  // Blocks until stop() or an interrupt (SIGINT: ext::interrupted()).
  void wait();
  void stop();
  Catalog& catalog();

 private:
  struct Impl;
  std::unique_ptr<Impl> m;
};

}  // namespace ext::hub
