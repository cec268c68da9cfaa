// ext::ops — Env: everything with a side effect that a use case needs, in one struct, so tests
// can swap any of it (reporter, process runner, store root, settings file, ...).
// Later modules add their seams here (transport factory, credential store, clock, templates).
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>

#include "ext/core/reporter.hpp"
#include "ext/util/process.hpp"

namespace ext::scaffold {
class TemplateSource;
}
namespace ext::http {
class Transport;
struct TransportOptions;
}  // namespace ext::http

namespace ext::ops {

struct Env {
  Reporter* reporter = nullptr;
  util::ProcessRunner* runner = nullptr;
  std::filesystem::path store_root;  // the local OCI-layout store
  // Files ext keeps beside the store: deployed modules (modules/) and run files (run/).
  std::filesystem::path data_root;
  std::filesystem::path settings_path;  // config.yaml (may not exist)
  int verbosity = 0;
  // `ext init` templates; null: EXT_TEMPLATES_DIR, else the ones embedded in the binary.
  const scaffold::TemplateSource* templates = nullptr;
  // Registry verbs: the HTTP transport for one registry (null: libcurl), and the sleep used by
  // retry backoff (null: a real sleep) so tests need not wait.
  std::function<std::shared_ptr<http::Transport>(const http::TransportOptions&)> http_transport;
  std::function<void(std::chrono::milliseconds)> sleep;
};

// --store, else $EXT_STORE, else $XDG_DATA_HOME/ext/store, else ~/.local/share/ext/store.
std::filesystem::path default_store_root(const std::string& flag = {});
// --data-dir, else $EXT_DATA_DIR, else $XDG_DATA_HOME/ext, else ~/.local/share/ext (never the
// folder around --store unless the user names it).
std::filesystem::path default_data_root(const std::string& flag = {});
// --config, else $EXT_CONFIG, else $XDG_CONFIG_HOME/ext/config.yaml, else ~/.config/ext/...
std::filesystem::path default_settings_path(const std::string& flag = {});

}  // namespace ext::ops
