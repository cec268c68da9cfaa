// ext::deploy — running the bootstrap in a local Envoy: `envoy -c FILE` (PATH or --envoy), or
// the image with --docker (docker or podman, host network, module and bootstrap mounted
// read-only). Waits for GET /ready on the admin port, then for the wasm VM gauge
// `wasm.envoy.wasm.runtime.<rt>.active` > 0 in GET /stats?filter=wasm (the readiness probe
// GetEnvoy's e2e used, docs/deploy.md), and on Ctrl-C asks Envoy to stop
// (POST /quitquitquit; `docker stop` for a container) besides the SIGINT the terminal sends.
// The process goes through util::ProcessRunner and the admin API through AdminClient, so tests
// use fakes for both.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ext/core/clock.hpp"
#include "ext/core/reporter.hpp"
#include "ext/util/process.hpp"

namespace ext::deploy {

struct AdminReply {
  int status = 0;
  std::string body;
};

class AdminClient {
 public:
  virtual ~AdminClient() = default;
  // nullopt when nothing answers (not listening yet, refused, timed out).
  virtual std::optional<AdminReply> request(const std::string& method, const std::string& path) = 0;
};

// HTTP/1.0 over a TCP socket to host:port (loopback admin), short timeouts, bounded body.
class SocketAdminClient final : public AdminClient {
 public:
  SocketAdminClient(std::string host, int port) : m_host(std::move(host)), m_port(port) {}
  std::optional<AdminReply> request(const std::string& method, const std::string& path) override;

 private:
  std::string m_host;
  int m_port;
};

struct EnvoyRunOptions {
  std::filesystem::path config;     // the bootstrap on this machine
  std::filesystem::path module;     // the module on this machine (mounted into a container)
  std::string module_in_container;  // where the bootstrap names it inside the container
  std::string envoy = "envoy";      // --envoy PATH
  std::string image;                // --docker IMAGE: run in a container
  std::string container_tool;       // docker | podman; empty: docker when on path_env, else podman
  std::string path_env;             // $PATH (ops::Env's environment)
  std::string container_name = "ext-envoy";
  std::string runtime = "envoy.wasm.runtime.v8";
  std::string listen_url;  // for the "ready" message
  std::chrono::milliseconds ready_timeout{60000};
  std::chrono::milliseconds poll_interval{200};
  std::vector<std::string> extra_args;  // passed to envoy
};

struct EnvoyRunResult {
  std::vector<std::string> argv;  // what was started
  int exit_code = -1;
  bool ready = false;        // /ready answered 200
  bool wasm_active = false;  // the runtime's active gauge was > 0
  bool interrupted = false;  // Ctrl-C ended it
  std::string wasm_stat;     // the stats line seen
};

// The argv run_envoy starts (container tool resolved through PATH when empty).
std::vector<std::string> envoy_argv(const EnvoyRunOptions& opts);
// Value of `wasm.envoy.wasm.runtime.<rt>.active` in /stats text output, or nullopt.
std::optional<long> wasm_active_gauge(const std::string& stats, const std::string& runtime);

// Runs Envoy until it exits. Throws Error(not_found) when envoy/docker cannot be found.
// Polls and deadlines use `clock` (tests: a fake one, so nothing waits for real time).
EnvoyRunResult run_envoy(const EnvoyRunOptions& opts, util::ProcessRunner& runner,
                         AdminClient& admin, Reporter& reporter, Clock& clock = system_clock());

}  // namespace ext::deploy
