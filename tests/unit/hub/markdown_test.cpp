// The hub's Markdown renderer (lib/ext/hub/markdown.hpp): the subset it renders, and that no
// raw HTML, no unsafe link and no unbounded input gets through.
#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "ext/hub/markdown.hpp"
#include "support/expect.hpp"

using ext::test::has;

using ext::hub::render_markdown;

namespace {
std::string md(const std::string& text) {
  return render_markdown(text).value();
}
}  // namespace

TEST_CASE("markdown: headings, paragraphs, emphasis, code, lists, quotes, rules",
          "[hub][markdown]") {
  CHECK(md("# Title\n\nSome *words* and **strong** text.\n") ==
        "<h1>Title</h1>\n<p>Some <em>words</em> and <strong>strong</strong> text.</p>\n");
  CHECK(md("### Three ###\n") == "<h3>Three</h3>\n");
  CHECK(md("`a < b` here\n") == "<p><code>a &lt; b</code> here</p>\n");
  CHECK(md("```yaml\nkey: <v>\n```\n") ==
        "<pre><code class=\"language-yaml\">key: &lt;v&gt;\n</code></pre>\n");
  CHECK(md("- one\n- two\n  - nested\n") ==
        "<ul>\n<li>one\n</li>\n<li>two\n<ul>\n<li>nested\n</li>\n</ul>\n</li>\n</ul>\n");
  CHECK(md("3. c\n4. d\n") == "<ol start=\"3\">\n<li>c\n</li>\n<li>d\n</li>\n</ol>\n");
  CHECK(md("> quoted\n> more\n") == "<blockquote>\n<p>quoted\nmore</p>\n</blockquote>\n");
  CHECK(md("---\n") == "<hr>\n");
  CHECK(md("    indented code\n") == "<pre><code>indented code\n</code></pre>\n");
  CHECK(md("snake_case_name stays\n") == "<p>snake_case_name stays</p>\n");
  CHECK(md("\\*not em\\*\n") == "<p>*not em*</p>\n");
}

TEST_CASE("markdown: links are http, https or relative, everything else is text",
          "[hub][markdown]") {
  CHECK(md("[docs](https://example.com/a?b=1&c=2)\n") ==
        "<p><a href=\"https://example.com/a?b=1&amp;c=2\" rel=\"nofollow noopener "
        "noreferrer\">docs</a></p>\n");
  CHECK(has(md("[rel](docs/usage.md)\n"), "<a href=\"docs/usage.md\""));
  CHECK(has(md("<https://example.com>\n"), "<a href=\"https://example.com\""));
  for (const char* bad :
       {"javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,x", "vbscript:x",
        "//evil.example/x", "java\tscript:x", "file:///etc/passwd"}) {
    auto out = md(std::string("[click](") + bad + ")\n");
    INFO(bad << " -> " << out);
    CHECK(!has(out, "<a "));
    CHECK(has(out, "click"));
  }
  // An image is a link to it, never a remote load.
  auto img = md("![logo](https://example.com/logo.png)\n");
  CHECK(!has(img, "<img"));
  CHECK(has(img, "<a href=\"https://example.com/logo.png\""));
}

TEST_CASE("markdown: raw HTML never passes", "[hub][markdown]") {
  auto out =
      md("<script>alert(1)</script>\n\n<img src=x onerror=alert(1)>\n\n"
         "Text <b onclick=\"x\">bold</b> and <a href=\"javascript:x\">a</a>\n\n"
         "```\n</code></pre><script>x</script>\n```\n"
         "# <svg onload=alert(1)>\n"
         "[<script>](https://x.example/\"onmouseover=\"alert(1))\n");
  INFO(out);
  CHECK(!has(out, "<script"));
  CHECK(!has(out, "<img"));
  CHECK(!has(out, "<b "));
  CHECK(!has(out, "<svg"));
  CHECK(!has(out, "onmouseover=\""));
  CHECK(has(out, "&lt;script&gt;alert(1)&lt;/script&gt;"));
}

TEST_CASE("markdown: bounded input and nesting", "[hub][markdown]") {
  ext::hub::MarkdownLimits limits;
  limits.max_input = 100;
  auto big = render_markdown(std::string(101, 'a'), limits);
  REQUIRE(!big);
  CHECK(big.error().code() == ext::Errc::validation);
  // 10,000 nested quotes and list levels: rendered flat past the depth limit, no recursion blowup.
  auto quotes = md(std::string(10000, '>') + " deep\n");
  CHECK(has(quotes, "deep"));
  std::string list;
  for (int i = 0; i < 200; ++i) list += std::string(static_cast<size_t>(i) * 2, ' ') + "- x\n";
  CHECK(has(md(list), "<ul>"));
  // Pathological delimiters stay fast (linear): 200 KiB of unmatched openers.
  auto t0 = std::chrono::steady_clock::now();
  (void)md(std::string(50000, '[') + std::string(50000, '*') + std::string(50000, '`') +
           std::string(50000, '_'));
  (void)md(std::string(100000, '*') + "a");
  CHECK(std::chrono::steady_clock::now() - t0 < std::chrono::seconds(2));
}
