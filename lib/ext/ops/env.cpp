#include "ext/ops/env.hpp"

#include <cstdlib>

namespace ext::ops {

namespace {
std::filesystem::path home() {
  const char* h = std::getenv("HOME");
  return h && *h ? std::filesystem::path(h) : std::filesystem::path("/tmp");
}
const char* env_or_null(const char* name) {
  const char* v = std::getenv(name);
  return v && *v ? v : nullptr;
}
}  // namespace

std::filesystem::path default_store_root(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (auto v = env_or_null("EXT_STORE")) return v;
  if (auto v = env_or_null("XDG_DATA_HOME")) return std::filesystem::path(v) / "ext" / "store";
  return home() / ".local" / "share" / "ext" / "store";
}

std::filesystem::path default_data_root(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (auto v = env_or_null("EXT_DATA_DIR")) return v;
  if (auto v = env_or_null("XDG_DATA_HOME")) return std::filesystem::path(v) / "ext";
  return home() / ".local" / "share" / "ext";
}

std::filesystem::path default_settings_path(const std::string& flag) {
  if (!flag.empty()) return flag;
  if (auto v = env_or_null("EXT_CONFIG")) return v;
  if (auto v = env_or_null("XDG_CONFIG_HOME"))
    return std::filesystem::path(v) / "ext" / "config.yaml";
  return home() / ".config" / "ext" / "config.yaml";
}

}  // namespace ext::ops
