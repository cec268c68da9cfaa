// ext::util — Environment: the process environment as a value. cli/ reads it once (main's
// environment, cli/context.cpp) and hands it down through ops::Env; nothing in lib/ext/ calls
// getenv or reads `environ` (tests/unit/deps_test.cpp checks), so tests give each use case
// exactly the variables they mean and no test depends on the machine's HOME or PATH.
#pragma once

#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace ext::util {

class Environment {
 public:
  Environment() = default;  // empty: no variable is set
  Environment(std::initializer_list<std::pair<const std::string, std::string>> vars);
  // From a null-terminated array of "NAME=value" strings (main's envp, `environ`). The first
  // of two entries with one name wins, as getenv(3) does; entries without '=' are ignored.
  static Environment from_envp(const char* const* envp);

  // The value when set (possibly empty), else nullopt.
  std::optional<std::string> get(std::string_view name) const;
  // The value, or "" when unset.
  std::string value(std::string_view name) const;
  // The value when set and not empty, else nullopt (most of ext treats VAR= as unset).
  std::optional<std::string> non_empty(std::string_view name) const;
  // $PATH, or "/usr/local/bin:/usr/bin:/bin" when PATH is unset.
  std::string path() const;

  void set(const std::string& name, std::string value);
  void unset(std::string_view name);
  const std::map<std::string, std::string, std::less<>>& vars() const { return m_vars; }

 private:
  std::map<std::string, std::string, std::less<>> m_vars;
};

}  // namespace ext::util
