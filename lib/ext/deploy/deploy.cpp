#include "ext/deploy/deploy.hpp"

#include "ext/util/strings.hpp"

namespace ext::deploy {

const char* to_string(FilterType t) {
  return t == FilterType::http ? "http" : "network";
}

Result<FailStrategy> parse_fail_strategy(std::string_view text) {
  std::string t = util::to_lower(util::trim(text));
  for (auto& c : t)
    if (c == '-') c = '_';
  if (t == "fail_close" || t == "fail_closed" || t == "closed" || t == "close")
    return FailStrategy::fail_closed;
  if (t == "fail_open" || t == "open") return FailStrategy::fail_open;
  if (t == "fail_reload" || t == "reload") return FailStrategy::fail_reload;
  return fail(Errc::invalid_argument, "unknown fail strategy \"" + std::string(text) + "\"",
              "use FAIL_CLOSE (default), FAIL_OPEN or FAIL_RELOAD");
}

}  // namespace ext::deploy
