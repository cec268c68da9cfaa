// ext::http — the URL pieces the registry client needs: split an absolute http(s) URL, resolve a
// Location or Link target against the request URL (RFC 3986 §5.2; OCI distribution-spec spec.md
// "POST then PUT": the Location MAY be relative, @967efdc), append query parameters,
// percent-encode. Must not do I/O.
#pragma once

#include <string>
#include <string_view>

#include "ext/core/result.hpp"

namespace ext::http {

struct Url {
  std::string scheme;     // "http" | "https"
  std::string authority;  // "host[:port]" (userinfo removed)
  std::string path;       // starts with '/', may be "/"
  std::string query;      // without '?', may be empty

  static Result<Url> parse(std::string_view text);
  std::string to_string() const;
  // "host[:port]" as the auth layer keys it (lowercase).
  std::string host() const;
};

// Resolves `ref` (absolute URL, "//authority/path", "/path?q", or a relative path) against
// `base` (an absolute URL).
Result<std::string> resolve(std::string_view base, std::string_view ref);

// Appends "name=value" (value percent-encoded) with '?' or '&' as needed.
std::string append_query(std::string url, std::string_view name, std::string_view value);

// Percent-encodes everything outside RFC 3986 unreserved characters.
std::string percent_encode(std::string_view s);

// "host[:port]" of an absolute URL, lowercase; empty when it cannot be parsed.
std::string host_of(std::string_view url);

}  // namespace ext::http
