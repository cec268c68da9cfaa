#include "ext/http/url.hpp"

#include "ext/util/strings.hpp"

namespace ext::http {

Result<Url> Url::parse(std::string_view text) {
  auto sep = text.find("://");
  if (sep == std::string_view::npos) return fail(Errc::invalid_argument, "not an absolute URL");
  Url u;
  u.scheme = util::to_lower(text.substr(0, sep));
  if (u.scheme != "http" && u.scheme != "https")
    return fail(Errc::unsupported, "unsupported URL scheme \"" + u.scheme + "\"");
  auto rest = text.substr(sep + 3);
  auto path_start = rest.find_first_of("/?#");
  auto authority = rest.substr(0, path_start);
  if (auto at = authority.rfind('@'); at != std::string_view::npos)
    authority = authority.substr(at + 1);
  if (authority.empty()) return fail(Errc::invalid_argument, "URL without a host");
  u.authority = std::string(authority);
  rest = path_start == std::string_view::npos ? std::string_view{} : rest.substr(path_start);
  if (auto hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  auto q = rest.find('?');
  u.path = std::string(rest.substr(0, q));
  if (q != std::string_view::npos) u.query = std::string(rest.substr(q + 1));
  if (u.path.empty()) u.path = "/";
  return u;
}

std::string Url::to_string() const {
  std::string s = scheme + "://" + authority + path;
  if (!query.empty()) s += "?" + query;
  return s;
}

std::string Url::host() const {
  return util::to_lower(authority);
}

namespace {

// RFC 3986 §5.2.4.
std::string remove_dot_segments(std::string_view path) {
  std::vector<std::string> out;
  auto parts = util::split(path, '/');
  for (size_t i = 0; i < parts.size(); ++i) {
    const auto& p = parts[i];
    if (p == ".") {
      if (i + 1 == parts.size()) out.emplace_back();
      continue;
    }
    if (p == "..") {
      if (out.size() > 1) out.pop_back();
      if (i + 1 == parts.size()) out.emplace_back();
      continue;
    }
    out.push_back(p);
  }
  auto s = util::join(out, "/");
  if (s.empty() || s.front() != '/') s.insert(s.begin(), '/');
  return s;
}

}  // namespace

Result<std::string> resolve(std::string_view base_text, std::string_view ref) {
  auto base = Url::parse(base_text);
  if (!base) return fail(base.error());
  ref = util::trim(ref);
  if (ref.find("://") != std::string_view::npos) {
    auto abs = Url::parse(ref);
    if (!abs) return fail(abs.error());
    return std::string(ref);
  }
  if (ref.starts_with("//")) return base->scheme + ":" + std::string(ref);
  Url out = *base;
  auto q = ref.find('?');
  auto path = ref.substr(0, q);
  out.query = q == std::string_view::npos ? std::string() : std::string(ref.substr(q + 1));
  if (path.empty()) {
    if (q == std::string_view::npos) out.query = base->query;
  } else if (path.front() == '/') {
    out.path = remove_dot_segments(path);
  } else {
    auto dir = base->path.substr(0, base->path.rfind('/') + 1);
    out.path = remove_dot_segments(dir + std::string(path));
  }
  return out.to_string();
}

std::string append_query(std::string url, std::string_view name, std::string_view value) {
  auto hash = url.find('#');
  if (hash != std::string::npos) url.resize(hash);
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += percent_encode(name);
  url += '=';
  url += percent_encode(value);
  return url;
}

std::string percent_encode(std::string_view s) {
  static const char* k_hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
        c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::string host_of(std::string_view url) {
  auto u = Url::parse(url);
  return u ? u->host() : std::string();
}

}  // namespace ext::http
