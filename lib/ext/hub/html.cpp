#include "ext/hub/html.hpp"

#include <cctype>

#include "ext/util/strings.hpp"

namespace ext::hub {

void escape_to(std::string& out, std::string_view text) {
  util::markup_escape_to(out, text);
}

std::string escape(std::string_view text) {
  return util::markup_escape(text);
}

bool safe_url(std::string_view url) {
  if (url.empty() || url.size() > 2048) return false;
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '\\' || c == '"' || c == '\'' || c == '<' || c == '>' ||
        c == '`')
      return false;
  }
  if (url.size() >= 2 && url[0] == '/' && url[1] == '/') return false;  // another host
  // A scheme is letters, digits, + - . before the first ':' that comes before any / ? #.
  auto colon = url.find(':');
  auto stop = url.find_first_of("/?#");
  if (colon == std::string_view::npos || (stop != std::string_view::npos && stop < colon))
    return true;  // relative
  std::string scheme;
  for (char c : url.substr(0, colon))
    scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (scheme != "http" && scheme != "https") return false;
  // http:foo (no //) is a relative-looking URL browsers resolve oddly: require a host.
  return url.substr(colon + 1, 2) == "//" && url.size() > colon + 3;
}

std::string url_encode(std::string_view text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += c;
    } else {
      out += '%';
      out += hex[u >> 4];
      out += hex[u & 15];
    }
  }
  return out;
}

}  // namespace ext::hub
