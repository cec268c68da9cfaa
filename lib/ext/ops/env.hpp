// ext::ops — Env: everything with a side effect that a use case needs, in one struct, so tests
// can swap any of it (reporter, process runner, clock, store root, settings file, transport).
// cli/ fills it (cli/context.cpp: the environment read once, the terminal reporter, a real runner);
// a test fills what it needs with fakes (tests/support: FakeRunner, FakeClock, a fake registry).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "ext/core/clock.hpp"
#include "ext/core/reporter.hpp"
#include "ext/core/result.hpp"
#include "ext/project/settings.hpp"
#include "ext/util/environment.hpp"
#include "ext/util/process.hpp"

namespace ext::scaffold {
class TemplateSource;
}
namespace ext::http {
class Transport;
struct TransportOptions;
}  // namespace ext::http

namespace ext::ops {

// Env::http_transport's default: a libcurl transport with these options.
std::shared_ptr<http::Transport> curl_transport(const http::TransportOptions& options);

struct Env {
  // Never null, so no use case checks: a default-constructed Env reports to null_reporter(),
  // runs no process (util::no_process_runner() throws) and waits on system_clock(); cli/ and
  // tests rebind them (`env.reporter = my_reporter;`). The objects must outlive the Env.
  std::reference_wrapper<Reporter> reporter = null_reporter();
  std::reference_wrapper<util::ProcessRunner> runner = util::no_process_runner();
  // What retry backoff, blob-transfer pauses, the store's prune wait and the envoy runner wait
  // on; tests pass a fake clock (tests/support/fake_clock.hpp) so they never sleep.
  std::reference_wrapper<Clock> clock = system_clock();
  std::filesystem::path store_root;  // the local OCI-layout store
  // Files ext keeps beside the store: deployed modules (modules/) and run files (run/).
  std::filesystem::path data_root;
  std::filesystem::path settings_path;  // config.yaml (may not exist)
  int verbosity = 0;
  // The process environment, read once by cli/ (tests: only what they set). Every variable ext
  // reads (HOME, XDG_*, DOCKER_CONFIG, REGISTRY_AUTH_FILE, PATH, WASI_SDK_PATH, CARGO_*,
  // SOURCE_DATE_EPOCH, EXT_TEMPLATES_DIR, EXT_HTTP_*) comes from here.
  util::Environment environment;
  // `ext init` templates; null: EXT_TEMPLATES_DIR, else the ones embedded in the binary.
  const scaffold::TemplateSource* templates = nullptr;
  // Registry verbs: the HTTP transport for one registry (default: libcurl's).
  std::function<std::shared_ptr<http::Transport>(const http::TransportOptions&)> http_transport =
      curl_transport;

  // config.yaml (settings_path), loaded on first use and kept for the rest of the use case
  // (empty settings when the file does not exist; the load error otherwise). A copy of the Env
  // loads it again (the hub copies its Env per request, so an edited config.yaml applies).
  const Result<project::Settings>& settings() const;
  // Settings given directly (tests), instead of reading settings_path.
  void set_settings(project::Settings s) { m_settings.value = std::move(s); }

 private:
  struct LazySettings {
    LazySettings() = default;
    LazySettings(const LazySettings&) {}
    LazySettings& operator=(const LazySettings&) {
      value.reset();
      return *this;
    }
    std::optional<Result<project::Settings>> value;
  };
  mutable LazySettings m_settings;
};

// --store, else $EXT_STORE, else $XDG_DATA_HOME/ext/store, else ~/.local/share/ext/store
// (HOME unset or empty: /tmp).
std::filesystem::path default_store_root(const util::Environment& environment,
                                         const std::string& flag = {});
// --data-dir, else $EXT_DATA_DIR, else $XDG_DATA_HOME/ext, else ~/.local/share/ext (never the
// folder around --store unless the user names it).
std::filesystem::path default_data_root(const util::Environment& environment,
                                        const std::string& flag = {});
// --config, else $EXT_CONFIG, else $XDG_CONFIG_HOME/ext/config.yaml, else ~/.config/ext/...
std::filesystem::path default_settings_path(const util::Environment& environment,
                                            const std::string& flag = {});

}  // namespace ext::ops
