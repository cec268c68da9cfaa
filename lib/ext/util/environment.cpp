#include "ext/util/environment.hpp"

namespace ext::util {

Environment::Environment(std::initializer_list<std::pair<const std::string, std::string>> vars) {
  for (const auto& [k, v] : vars) m_vars[k] = v;
}

Environment Environment::from_envp(const char* const* envp) {
  Environment e;
  for (const char* const* p = envp; p && *p; ++p) {
    std::string_view kv(*p);
    auto eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    e.m_vars.emplace(std::string(kv.substr(0, eq)), std::string(kv.substr(eq + 1)));
  }
  return e;
}

std::optional<std::string> Environment::get(std::string_view name) const {
  auto it = m_vars.find(name);
  if (it == m_vars.end()) return std::nullopt;
  return it->second;
}

std::string Environment::value(std::string_view name) const {
  auto it = m_vars.find(name);
  return it == m_vars.end() ? std::string() : it->second;
}

std::optional<std::string> Environment::non_empty(std::string_view name) const {
  auto it = m_vars.find(name);
  if (it == m_vars.end() || it->second.empty()) return std::nullopt;
  return it->second;
}

std::string Environment::path() const {
  auto p = get("PATH");
  return p ? *p : std::string("/usr/local/bin:/usr/bin:/bin");
}

void Environment::set(const std::string& name, std::string value) {
  m_vars[name] = std::move(value);
}

void Environment::unset(std::string_view name) {
  auto it = m_vars.find(name);
  if (it != m_vars.end()) m_vars.erase(it);
}

}  // namespace ext::util
