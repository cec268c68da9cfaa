// ext::hub — HTML text helpers shared by the pages and the Markdown renderer: every string that
// reaches a page (registry-provided or not) goes through escape(); a URL goes into an href only
// when safe_url() accepts it (http, https, or a relative path: no javascript:, data:, //host).
#pragma once

#include <string>
#include <string_view>

namespace ext::hub {

// & < > " ' as entities: safe in element text and in double- or single-quoted attributes
// (util::markup_escape).
std::string escape(std::string_view text);
void escape_to(std::string& out, std::string_view text);

// True for http://..., https://... (scheme case-insensitive) and relative references (no
// scheme, not starting with "//" or "\\"); false for anything with a control character, a
// space or another scheme (javascript:, data:, vbscript:, file:...).
bool safe_url(std::string_view url);

// Percent-encodes a query-string component (RFC 3986 unreserved characters stay).
std::string url_encode(std::string_view text);

}  // namespace ext::hub
