// hub::render_markdown (every README a registry serves): never crashes, stays bounded, and its
// output holds only the tags it writes itself, with links that pass hub::safe_url.
#include <set>
#include <string>

#include "ext/hub/html.hpp"
#include "ext/hub/markdown.hpp"
#include "fuzz.hpp"

EXT_FUZZ_TARGET(markdown) {
  auto text = ext::fuzz::as_text(data, size);
  auto html = ext::hub::render_markdown(text);
  if (!html) return 0;
  const std::string& out = *html;
  EXT_FUZZ_CHECK(out.size() <= 32 * text.size() + 256, "output grew more than 32x the input");
  static const std::set<std::string> allowed = {"p",  "h1",  "h2",   "h3",         "h4", "h5",
                                                "h6", "pre", "code", "blockquote", "ul", "ol",
                                                "li", "hr",  "em",   "strong",     "a"};
  for (size_t i = out.find('<'); i != std::string::npos; i = out.find('<', i + 1)) {
    size_t j = i + 1;
    if (j < out.size() && out[j] == '/') ++j;
    size_t k = j;
    while (k < out.size() && std::isalnum(static_cast<unsigned char>(out[k]))) ++k;
    EXT_FUZZ_CHECK(allowed.count(out.substr(j, k - j)) == 1, "a tag the renderer does not write");
    EXT_FUZZ_CHECK(k < out.size() && (out[k] == '>' || out[k] == ' '), "a malformed tag");
    if (out.compare(i, 9, "<a href=\"") == 0) {
      auto end = out.find('"', i + 9);
      EXT_FUZZ_CHECK(end != std::string::npos, "an unterminated href");
      // The href is escaped; unescaping &amp; is enough to judge its scheme.
      std::string href = out.substr(i + 9, end - i - 9);
      for (size_t p; (p = href.find("&amp;")) != std::string::npos;) href.replace(p, 5, "&");
      EXT_FUZZ_CHECK(ext::hub::safe_url(href), "a link that is not http, https or relative");
    }
  }
  return 0;
}
