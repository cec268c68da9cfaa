#include "ext/ops/env.hpp"

#include "ext/http/curl_transport.hpp"

namespace ext::ops {

namespace {
std::filesystem::path home(const util::Environment& environment) {
  auto h = environment.non_empty("HOME");
  return h ? std::filesystem::path(*h) : std::filesystem::path("/tmp");
}
}  // namespace

std::shared_ptr<http::Transport> curl_transport(const http::TransportOptions& options) {
  return std::make_shared<http::CurlTransport>(options);
}

const Result<project::Settings>& Env::settings() const {
  if (!m_settings.value) m_settings.value = project::Settings::load(settings_path);
  return *m_settings.value;
}

std::filesystem::path default_store_root(const util::Environment& environment,
                                         const std::string& flag) {
  if (!flag.empty()) return flag;
  if (auto v = environment.non_empty("EXT_STORE")) return *v;
  if (auto v = environment.non_empty("XDG_DATA_HOME"))
    return std::filesystem::path(*v) / "ext" / "store";
  return home(environment) / ".local" / "share" / "ext" / "store";
}

std::filesystem::path default_data_root(const util::Environment& environment,
                                        const std::string& flag) {
  if (!flag.empty()) return flag;
  if (auto v = environment.non_empty("EXT_DATA_DIR")) return *v;
  if (auto v = environment.non_empty("XDG_DATA_HOME")) return std::filesystem::path(*v) / "ext";
  return home(environment) / ".local" / "share" / "ext";
}

std::filesystem::path default_settings_path(const util::Environment& environment,
                                            const std::string& flag) {
  if (!flag.empty()) return flag;
  if (auto v = environment.non_empty("EXT_CONFIG")) return *v;
  if (auto v = environment.non_empty("XDG_CONFIG_HOME"))
    return std::filesystem::path(*v) / "ext" / "config.yaml";
  return home(environment) / ".config" / "ext" / "config.yaml";
}

}  // namespace ext::ops
