// Reference grammar and normalization, written after distribution/reference (reference.go,
// regexp.go, normalize.go) @0965666. Hand-written matcher (no regex):
// the grammar is small and list/inspect parse many names.
#include "ext/ref/reference.hpp"

#include <cctype>

namespace ext::ref {

namespace {

constexpr size_t k_name_total_length_max = 255;  // reference.go NameTotalLengthMax
constexpr size_t k_tag_max = 128;

const char* const k_default_domain = "docker.io";
const char* const k_legacy_default_domain = "index.docker.io";
const char* const k_official_repo_prefix = "library/";

bool is_lower_alnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}
bool is_word(char c) {
  return is_alnum(c) || c == '_';
}
bool is_hex_char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) != 0;
}

Unexpected invalid(std::string_view text, const std::string& why) {
  return fail(Errc::invalid_argument, "invalid reference \"" + std::string(text) + "\": " + why,
              "references look like [registry/]repository[:tag][@sha256:digest], e.g. "
              "ghcr.io/acme/filter:v1");
}

// domain-component := /([a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])/
bool valid_domain_component(std::string_view c) {
  if (c.empty() || !is_alnum(c.front()) || !is_alnum(c.back())) return false;
  for (char ch : c)
    if (!is_alnum(ch) && ch != '-') return false;
  return true;
}

// domain := host [':' port-number]; host := domain-name | IPv4address | '[' IPv6address ']'
bool valid_domain(std::string_view d) {
  if (d.empty()) return false;
  std::string_view host = d;
  std::string_view port;
  bool has_port = false;
  if (d.front() == '[') {
    auto close = d.find(']');
    if (close == std::string_view::npos || close < 2) return false;
    for (char ch : d.substr(1, close - 1))
      if (!is_hex_char(ch) && ch != ':') return false;
    host = d.substr(0, close + 1);
    std::string_view rest = d.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      has_port = true;
      port = rest.substr(1);
    }
  } else {
    auto colon = d.find(':');
    if (colon != std::string_view::npos) {
      host = d.substr(0, colon);
      port = d.substr(colon + 1);
      has_port = true;
    }
    size_t start = 0;
    while (true) {
      auto dot = host.find('.', start);
      std::string_view comp =
          host.substr(start, dot == std::string_view::npos ? host.npos : dot - start);
      if (!valid_domain_component(comp)) return false;
      if (dot == std::string_view::npos) break;
      start = dot + 1;
    }
  }
  if (has_port) {
    if (port.empty()) return false;
    for (char ch : port)
      if (ch < '0' || ch > '9') return false;
  }
  return true;
}

// path-component := alpha-numeric [separator alpha-numeric]*; separator := [_.]|__|[-]*
bool valid_path_component(std::string_view c) {
  if (c.empty() || !is_lower_alnum(c.front()) || !is_lower_alnum(c.back())) return false;
  size_t i = 0;
  while (i < c.size()) {
    if (is_lower_alnum(c[i])) {
      ++i;
      continue;
    }
    // A separator run between alnums.
    size_t j = i;
    while (j < c.size() && !is_lower_alnum(c[j])) ++j;
    std::string_view sep = c.substr(i, j - i);
    bool ok = sep == "." || sep == "_" || sep == "__" ||
              sep.find_first_not_of('-') == std::string_view::npos;
    if (!ok) return false;
    i = j;
  }
  return true;
}

bool valid_remote_name(std::string_view p) {
  if (p.empty()) return false;
  size_t start = 0;
  while (true) {
    auto slash = p.find('/', start);
    std::string_view comp =
        p.substr(start, slash == std::string_view::npos ? p.npos : slash - start);
    if (!valid_path_component(comp)) return false;
    if (slash == std::string_view::npos) return true;
    start = slash + 1;
  }
}

// tag := /[\w][\w.-]{0,127}/
bool valid_tag(std::string_view t) {
  if (t.empty() || t.size() > k_tag_max || !is_word(t.front())) return false;
  for (char ch : t)
    if (!is_word(ch) && ch != '.' && ch != '-') return false;
  return true;
}

// digest := algorithm ":" hex; algorithm components /[A-Za-z][A-Za-z0-9]*/ joined by [+.-_];
// hex /[0-9a-fA-F]{32,}/. Then the algorithm must be one we support (go-digest Validate).
Result<digest::Digest> parse_digest(std::string_view full, std::string_view d) {
  auto colon = d.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return invalid(full, "digest \"" + std::string(d) + "\" is not algorithm:hex");
  std::string_view alg = d.substr(0, colon);
  std::string_view hex = d.substr(colon + 1);
  bool expect_alpha = true;
  for (char ch : alg) {
    if (expect_alpha) {
      if (!std::isalpha(static_cast<unsigned char>(ch)))
        return invalid(full, "malformed digest algorithm \"" + std::string(alg) + "\"");
      expect_alpha = false;
    } else if (ch == '+' || ch == '.' || ch == '-' || ch == '_') {
      expect_alpha = true;
    } else if (!is_alnum(ch)) {
      return invalid(full, "malformed digest algorithm \"" + std::string(alg) + "\"");
    }
  }
  if (expect_alpha) return invalid(full, "malformed digest algorithm \"" + std::string(alg) + "\"");
  if (hex.size() < 32) return invalid(full, "digest \"" + std::string(d) + "\" is too short");
  for (char ch : hex)
    if (!is_hex_char(ch)) return invalid(full, "digest \"" + std::string(d) + "\" is not hex");
  auto parsed = digest::Digest::parse(d);
  if (!parsed) return invalid(full, parsed.error().message());
  return parsed;
}

bool is_64_hex(std::string_view s) {
  if (s.size() != 64) return false;
  for (char ch : s)
    if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f'))) return false;
  return true;
}

bool has_upper(std::string_view s) {
  for (char ch : s)
    if (ch >= 'A' && ch <= 'Z') return true;
  return false;
}

}  // namespace

Result<Reference> Reference::parse(std::string_view text) {
  if (text.empty())
    return fail(Errc::invalid_argument, "invalid reference: the name is empty",
                "give an image reference such as ghcr.io/acme/filter:v1");
  if (text.size() > 4096) return invalid(text.substr(0, 64), "the reference is too long");
  // normalize.go: a bare 64-hex string is an image ID, not a name.
  if (is_64_hex(text))
    return invalid(text, "a 64-character hexadecimal string is an ID, not a repository name");

  Reference r;
  std::string_view rest = text;
  // Digest: after the one '@'.
  auto at = rest.find('@');
  if (at != std::string_view::npos) {
    std::string_view d = rest.substr(at + 1);
    if (d.find('@') != std::string_view::npos) return invalid(text, "more than one '@'");
    auto parsed = parse_digest(text, d);
    if (!parsed) return fail(parsed.error());
    r.m_digest = *parsed;
    rest = rest.substr(0, at);
  }
  // Tag: a ':' after the last '/'.
  auto last_slash = rest.rfind('/');
  auto colon = rest.rfind(':');
  if (colon != std::string_view::npos &&
      (last_slash == std::string_view::npos || colon > last_slash)) {
    std::string_view tag = rest.substr(colon + 1);
    if (!valid_tag(tag)) {
      if (tag.size() > k_tag_max) return invalid(text, "the tag is longer than 128 characters");
      return invalid(text, "invalid tag \"" + std::string(tag) +
                               "\" (letters, digits, '_', '.', '-'; not starting with '.' or "
                               "'-')");
    }
    r.m_tag = std::string(tag);
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return invalid(text, "the repository name is empty");

  // splitDockerDomain.
  std::string domain;
  std::string path;
  auto slash = rest.find('/');
  std::string_view first = slash == std::string_view::npos ? rest : rest.substr(0, slash);
  if (slash == std::string_view::npos || (first.find_first_of(".:") == std::string_view::npos &&
                                          first != "localhost" && !has_upper(first))) {
    domain = k_default_domain;
    path = std::string(rest);
  } else {
    domain = std::string(first);
    path = std::string(rest.substr(slash + 1));
  }
  if (domain == k_legacy_default_domain) domain = k_default_domain;
  if (domain == k_default_domain && path.find('/') == std::string::npos)
    path = k_official_repo_prefix + path;

  if (!valid_domain(domain)) return invalid(text, "invalid registry host \"" + domain + "\"");
  if (has_upper(path)) return invalid(text, "repository name \"" + path + "\" must be lowercase");
  if (!valid_remote_name(path))
    return invalid(text, "invalid repository name \"" + path +
                             "\" (lowercase letters and digits, separated by '.', '_', '__', "
                             "'-' or '/')");
  if (domain.size() + 1 + path.size() > k_name_total_length_max)
    return invalid(text, "the repository name is longer than 255 characters");

  r.m_registry = std::move(domain);
  r.m_repository = std::move(path);
  if (r.m_tag.empty() && !r.m_digest) r.m_tag = "latest";
  return r;
}

std::string Reference::to_string() const {
  std::string out = name();
  if (!m_tag.empty()) out += ":" + m_tag;
  if (m_digest) out += "@" + m_digest->to_string();
  return out;
}

std::string Reference::identifier() const {
  if (m_digest) return m_digest->to_string();
  return m_tag;
}

std::string Reference::endpoint_host() const {
  if (m_registry == k_default_domain) return "registry-1.docker.io";
  return m_registry;
}

bool Reference::is_loopback() const {
  std::string host = m_registry;
  if (!host.empty() && host.front() == '[') {
    auto close = host.find(']');
    host = host.substr(1, close == std::string::npos ? host.npos : close - 1);
    return host == "::1" || host == "0:0:0:0:0:0:0:1";
  }
  auto colon = host.find(':');
  if (colon != std::string::npos) host = host.substr(0, colon);
  if (host == "localhost") return true;
  // 127.0.0.0/8: four numeric labels, the first 127.
  if (host.rfind("127.", 0) != 0) return false;
  int labels = 0;
  size_t start = 0;
  while (start <= host.size()) {
    auto dot = host.find('.', start);
    std::string label = host.substr(start, dot == std::string::npos ? host.npos : dot - start);
    if (label.empty() || label.size() > 3) return false;
    for (char ch : label)
      if (ch < '0' || ch > '9') return false;
    if (std::stoi(label) > 255) return false;
    ++labels;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return labels == 4;
}

Reference Reference::with_tag(std::string tag) const {
  Reference r = *this;
  r.m_tag = std::move(tag);
  r.m_digest.reset();
  return r;
}

Reference Reference::with_digest(digest::Digest d) const {
  Reference r = *this;
  r.m_digest = std::move(d);
  return r;
}

Reference Reference::without_tag_or_digest() const {
  Reference r = *this;
  r.m_tag.clear();
  r.m_digest.reset();
  return r;
}

}  // namespace ext::ref
