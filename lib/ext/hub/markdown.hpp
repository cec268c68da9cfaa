// ext::hub — a small, bounded Markdown renderer for the READMEs filters carry (docs/hub.md
// "README"). It renders the common subset of CommonMark (https://spec.commonmark.org/0.30/):
// ATX headings, paragraphs, fenced and indented code, block quotes, bullet and ordered lists
// (nested), thematic breaks, code spans, emphasis, links, images (as links: the page loads
// nothing remote) and autolinks. Everything else is text.
// Safety: no raw HTML passes (every character of the input reaches the page escaped); a link's
// target must pass hub::safe_url (http, https or relative), else its text is shown without a
// link; links get rel="nofollow noopener noreferrer". Bounds: the input size (Error over it),
// the nesting depth of block quotes and lists, and of inline emphasis (deeper is plain text);
// every delimiter search is cached so the work stays linear in the input.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "ext/core/result.hpp"

namespace ext::hub {

struct MarkdownLimits {
  size_t max_input = 256u << 10;  // the README referrer's cap (ops::k_max_readme_bytes)
  int max_block_depth = 8;        // block quotes and lists inside each other
  int max_inline_depth = 4;       // emphasis and links inside each other
};

// HTML for `markdown`; Error(validation) when the input is over limits.max_input.
Result<std::string> render_markdown(std::string_view markdown, const MarkdownLimits& limits = {});

}  // namespace ext::hub
