#include "ext/hub/markdown.hpp"

#include <array>
#include <cctype>
#include <vector>

#include "ext/hub/html.hpp"
#include "ext/util/strings.hpp"

namespace ext::hub {
namespace {

using Lines = std::vector<std::string_view>;

bool is_punct(char c) {
  return std::ispunct(static_cast<unsigned char>(c)) != 0;
}
bool is_alnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

size_t indent_of(std::string_view line) {
  size_t n = 0;
  for (char c : line) {
    if (c == ' ')
      ++n;
    else if (c == '\t')
      n += 4 - n % 4;
    else
      break;
  }
  return n;
}

// The line without its first `n` columns of indentation (tabs count to the next multiple of 4).
std::string_view dedent(std::string_view line, size_t n) {
  size_t col = 0, i = 0;
  while (i < line.size() && col < n && (line[i] == ' ' || line[i] == '\t')) {
    col += line[i] == '\t' ? 4 - col % 4 : 1;
    ++i;
  }
  return line.substr(i);
}

// Without the spaces and tabs at both ends (a line of only these is blank: CommonMark's
// "Characters and lines"), not util::trim's wider set.
std::string_view trim_blanks(std::string_view s) {
  return util::trim(s, " \t");
}

bool blank(std::string_view line) {
  return trim_blanks(line).empty();
}

// ---- inline ----

class Inline {
 public:
  Inline(std::string_view text, const MarkdownLimits& limits, int depth, bool in_link)
      : m_s(text), m_limits(limits), m_depth(depth), m_in_link(in_link) {}

  void render(std::string& out) {
    size_t i = 0;
    const size_t n = m_s.size();
    while (i < n) {
      char c = m_s[i];
      if (c == '\\' && i + 1 < n && is_punct(m_s[i + 1])) {
        escape_to(out, m_s.substr(i + 1, 1));
        i += 2;
      } else if (c == '`') {
        i = code_span(i, out);
      } else if (c == '!' && i + 1 < n && m_s[i + 1] == '[' && !m_in_link) {
        i = link(i + 1, true, out, i);
      } else if (c == '[' && !m_in_link) {
        i = link(i, false, out, i);
      } else if (c == '<') {
        i = autolink(i, out);
      } else if ((c == '*' || c == '_') && m_depth < m_limits.max_inline_depth) {
        i = emphasis(i, out);
      } else if (c == '\n') {
        out += '\n';
        ++i;
      } else {
        escape_to(out, m_s.substr(i, 1));
        ++i;
      }
    }
  }

 private:
  // The next position >= from where `pred(pos)` holds, cached per key so repeated searches
  // for openers without a closer stay linear.
  template <class Pred>
  size_t find_cached(size_t key, size_t from, Pred pred) {
    auto& slot = m_cache[key];
    if (slot.valid && (slot.pos == std::string_view::npos || slot.pos >= from) && slot.from <= from)
      return slot.pos;
    size_t p = from;
    while (p < m_s.size() && !pred(p)) ++p;
    slot = {true, from, p < m_s.size() ? p : std::string_view::npos};
    return slot.pos;
  }

  size_t run_length(size_t i, char c) const {
    size_t j = i;
    while (j < m_s.size() && m_s[j] == c) ++j;
    return j - i;
  }

  size_t code_span(size_t i, std::string& out) {
    size_t len = run_length(i, '`');
    size_t start = i + len;
    // A closing run of exactly `len` backticks, cached per length; a run of 16 or more is text.
    size_t key = len < 16 ? len : 0;
    size_t close = std::string_view::npos;
    if (key != 0) {
      close = find_cached(key, start, [&](size_t p) {
        return m_s[p] == '`' && (p == 0 || m_s[p - 1] != '`') && run_length(p, '`') == len;
      });
    }
    if (close == std::string_view::npos || close < start) {
      out.append(len, '`');
      return start;
    }
    auto body = m_s.substr(start, close - start);
    if (body.size() >= 2 && body.front() == ' ' && body.back() == ' ')
      body = body.substr(1, body.size() - 2);
    out += "<code>";
    for (char c : body) {
      if (c == '\n')
        out += ' ';
      else
        escape_to(out, std::string_view(&c, 1));
    }
    out += "</code>";
    return close + len;
  }

  // [text](url "title") or ![alt](url); `at` is where the construct starts (for the literal).
  size_t link(size_t open, bool image, std::string& out, size_t at) {
    size_t close =
        find_cached(20, open + 1, [&](size_t p) { return m_s[p] == ']' && m_s[p - 1] != '\\'; });
    if (close == std::string_view::npos || close + 1 >= m_s.size() || m_s[close + 1] != '(') {
      escape_to(out, m_s.substr(at, open + 1 - at));
      return open + 1;
    }
    size_t paren = find_cached(21, close + 2, [&](size_t p) { return m_s[p] == ')'; });
    if (paren == std::string_view::npos) {
      escape_to(out, m_s.substr(at, open + 1 - at));
      return open + 1;
    }
    auto inside = trim_blanks(m_s.substr(close + 2, paren - close - 2));
    auto sp = inside.find_first_of(" \t\n");
    auto url = inside.substr(0, sp);
    if (url.size() >= 2 && url.front() == '<' && url.back() == '>')
      url = url.substr(1, url.size() - 2);
    auto text = m_s.substr(open + 1, close - open - 1);
    // After the destination only a quoted title may follow ("t" or 't'); anything else
    // ("java\tscript:x") makes it no link.
    auto rest = sp == std::string_view::npos ? std::string_view() : trim_blanks(inside.substr(sp));
    bool titled =
        rest.empty() || (rest.size() >= 2 && (rest.front() == '"' || rest.front() == '\'') &&
                         rest.back() == rest.front());
    bool ok = titled && safe_url(url);
    if (ok) {
      out += "<a href=\"";
      escape_to(out, url);
      out += "\" rel=\"nofollow noopener noreferrer\">";
    }
    if (image) {
      out += ok ? "" : "[";
      escape_to(out, text.empty() ? std::string_view("image") : text);
      out += ok ? "" : "]";
    } else {
      Inline inner(text, m_limits, m_depth + 1, true);
      inner.render(out);
    }
    if (ok) out += "</a>";
    return paren + 1;
  }

  size_t autolink(size_t i, std::string& out) {
    size_t j = i + 1;
    while (j < m_s.size() && j - i < 2048 && m_s[j] != '>' && m_s[j] != '<' && m_s[j] != ' ' &&
           m_s[j] != '\n')
      ++j;
    if (j < m_s.size() && m_s[j] == '>') {
      auto url = m_s.substr(i + 1, j - i - 1);
      auto colon = url.find(':');
      if (colon != std::string_view::npos && safe_url(url) && !m_in_link) {
        out += "<a href=\"";
        escape_to(out, url);
        out += "\" rel=\"nofollow noopener noreferrer\">";
        escape_to(out, url);
        out += "</a>";
        return j + 1;
      }
    }
    out += "&lt;";
    return i + 1;
  }

  size_t emphasis(size_t i, std::string& out) {
    char c = m_s[i];
    size_t len = run_length(i, c);
    bool prev_alnum = i > 0 && is_alnum(m_s[i - 1]);
    if (c == '_' && prev_alnum) {  // snake_case stays text
      out.append(len, c);
      return i + len;
    }
    size_t want = len >= 2 ? 2 : 1;
    size_t start = i + want;
    if (start >= m_s.size() || m_s[start] == ' ' || m_s[start] == '\n') {
      out.append(len, c);
      return i + len;
    }
    size_t key = (c == '*' ? 30 : 40) + want;
    size_t close = find_cached(key, start, [&](size_t p) {
      if (m_s[p] != c || m_s[p - 1] == c) return false;  // the start of a run only
      if (m_s[p - 1] == ' ' || m_s[p - 1] == '\n') return false;
      if (run_length(p, c) < want) return false;
      if (c == '_' && p + want < m_s.size() && is_alnum(m_s[p + want])) return false;
      return true;
    });
    if (close == std::string_view::npos || close <= start) {
      out.append(len, c);
      return i + len;
    }
    const char* tag = want == 2 ? "strong" : "em";
    out += '<';
    out += tag;
    out += '>';
    Inline inner(m_s.substr(start, close - start), m_limits, m_depth + 1, m_in_link);
    inner.render(out);
    out += "</";
    out += tag;
    out += '>';
    return close + want;
  }

  struct Slot {
    bool valid = false;
    size_t from = 0;
    size_t pos = 0;
  };
  std::string_view m_s;
  const MarkdownLimits& m_limits;
  int m_depth;
  bool m_in_link;
  std::array<Slot, 48> m_cache{};
};

void render_inline(std::string_view text, const MarkdownLimits& limits, std::string& out) {
  Inline(text, limits, 0, false).render(out);
}

// ---- blocks ----

bool is_fence(std::string_view line, char* ch, size_t* len, size_t* indent) {
  if (indent_of(line) > 3) return false;
  auto t = trim_blanks(line);
  if (t.size() < 3 || (t[0] != '`' && t[0] != '~')) return false;
  size_t n = 0;
  while (n < t.size() && t[n] == t[0]) ++n;
  if (n < 3) return false;
  if (t[0] == '`' && t.substr(n).find('`') != std::string_view::npos) return false;
  *ch = t[0];
  *len = n;
  *indent = indent_of(line);
  return true;
}

int heading_level(std::string_view line) {
  if (indent_of(line) > 3) return 0;
  auto t = trim_blanks(line);
  size_t n = 0;
  while (n < t.size() && t[n] == '#') ++n;
  if (n == 0 || n > 6) return 0;
  if (n < t.size() && t[n] != ' ' && t[n] != '\t') return 0;
  return static_cast<int>(n);
}

bool is_rule(std::string_view line) {
  if (indent_of(line) > 3) return false;
  auto t = trim_blanks(line);
  if (t.empty() || (t[0] != '-' && t[0] != '*' && t[0] != '_')) return false;
  size_t count = 0;
  for (char c : t) {
    if (c == t[0])
      ++count;
    else if (c != ' ' && c != '\t')
      return false;
  }
  return count >= 3;
}

bool is_quote(std::string_view line) {
  return indent_of(line) <= 3 && !trim_blanks(line).empty() && trim_blanks(line)[0] == '>';
}

struct ListMarker {
  bool ordered = false;
  char delim = 0;      // - * + or . )
  size_t content = 0;  // columns to the item's content
  long start = 1;
  std::string_view first;  // the item's first line of content
};

bool list_marker(std::string_view line, ListMarker* m) {
  size_t ind = indent_of(line);
  if (ind > 3) return false;
  auto t = dedent(line, ind);
  if (t.empty()) return false;
  size_t marker = 0;
  if (t[0] == '-' || t[0] == '*' || t[0] == '+') {
    m->ordered = false;
    m->delim = t[0];
    marker = 1;
  } else {
    size_t d = 0;
    while (d < t.size() && d < 9 && std::isdigit(static_cast<unsigned char>(t[d]))) ++d;
    if (d == 0 || d >= t.size() || (t[d] != '.' && t[d] != ')')) return false;
    m->ordered = true;
    m->delim = t[d];
    m->start = std::stol(std::string(t.substr(0, d)));
    marker = d + 1;
  }
  if (marker < t.size() && t[marker] != ' ' && t[marker] != '\t') return false;
  size_t spaces = 0;
  while (marker + spaces < t.size() && t[marker + spaces] == ' ' && spaces < 4) ++spaces;
  if (spaces == 4 || marker + spaces == t.size()) spaces = 1;  // code inside, or an empty item
  m->content = ind + marker + spaces;
  m->first = marker + spaces <= t.size() ? t.substr(marker + spaces) : std::string_view();
  return true;
}

bool starts_block(std::string_view line) {
  char ch;
  size_t len, ind;
  ListMarker m;
  return heading_level(line) || is_rule(line) || is_quote(line) ||
         is_fence(line, &ch, &len, &ind) ||
         (list_marker(line, &m) && !blank(dedent(line, m.content)));
}

void render_blocks(const Lines& lines, const MarkdownLimits& limits, int depth, bool tight,
                   std::string& out);

void render_text_block(const Lines& lines, const MarkdownLimits& limits, std::string& out) {
  // Too deep: the lines as one paragraph of text.
  std::string joined;
  for (auto l : lines) {
    if (!joined.empty()) joined += '\n';
    joined += trim_blanks(l);
  }
  out += "<p>";
  escape_to(out, joined);
  out += "</p>\n";
  (void)limits;
}

void render_blocks(const Lines& lines, const MarkdownLimits& limits, int depth, bool tight,
                   std::string& out) {
  size_t i = 0;
  const size_t n = lines.size();
  while (i < n) {
    auto line = lines[i];
    if (blank(line)) {
      ++i;
      continue;
    }
    char fch;
    size_t flen, find;
    if (is_fence(line, &fch, &flen, &find)) {
      auto info = trim_blanks(trim_blanks(line).substr(flen));
      std::string lang;
      for (char c : info.substr(0, info.find_first_of(" \t")))
        if (is_alnum(c) || c == '-' || c == '_' || c == '+') lang += c;
      out += lang.empty() ? "<pre><code>" : "<pre><code class=\"language-" + lang + "\">";
      ++i;
      while (i < n) {
        auto t = trim_blanks(lines[i]);
        size_t k = 0;
        while (k < t.size() && t[k] == fch) ++k;
        if (indent_of(lines[i]) <= 3 && k >= flen && k == t.size()) {
          ++i;
          break;
        }
        escape_to(out, dedent(lines[i], find));
        out += '\n';
        ++i;
      }
      out += "</code></pre>\n";
      continue;
    }
    if (int level = heading_level(line)) {
      auto t = trim_blanks(trim_blanks(line).substr(static_cast<size_t>(level)));
      while (!t.empty() && t.back() == '#') t.remove_suffix(1);
      t = trim_blanks(t);
      std::string tag = "h" + std::to_string(level);
      out += "<" + tag + ">";
      render_inline(t, limits, out);
      out += "</" + tag + ">\n";
      ++i;
      continue;
    }
    if (is_rule(line)) {
      out += "<hr>\n";
      ++i;
      continue;
    }
    if (is_quote(line)) {
      Lines inner;
      while (i < n && is_quote(lines[i])) {
        auto t = trim_blanks(lines[i]).substr(1);
        if (!t.empty() && t[0] == ' ') t.remove_prefix(1);
        inner.push_back(t);
        ++i;
      }
      if (depth + 1 > limits.max_block_depth) {
        render_text_block(inner, limits, out);
      } else {
        out += "<blockquote>\n";
        render_blocks(inner, limits, depth + 1, false, out);
        out += "</blockquote>\n";
      }
      continue;
    }
    ListMarker first;
    if (list_marker(line, &first)) {
      std::vector<Lines> items;
      Lines raw;  // every line of the list, for the too-deep case
      ListMarker m;
      while (i < n) {
        auto l = lines[i];
        if (list_marker(l, &m) && m.ordered == first.ordered && m.delim == first.delim &&
            indent_of(l) < first.content) {
          items.emplace_back();
          items.back().push_back(m.first);
          first.content = m.content;
          raw.push_back(l);
          ++i;
          continue;
        }
        if (blank(l)) {
          // The list goes on when the next non-blank line is indented into the item or is an item.
          size_t j = i;
          while (j < n && blank(lines[j])) ++j;
          if (j < n && (indent_of(lines[j]) >= first.content ||
                        (list_marker(lines[j], &m) && m.ordered == first.ordered &&
                         m.delim == first.delim))) {
            for (; i < j; ++i) items.back().push_back("");
            continue;
          }
          break;
        }
        if (indent_of(l) >= first.content) {
          items.back().push_back(dedent(l, first.content));
          raw.push_back(l);
          ++i;
          continue;
        }
        // A lazy continuation line of the item's paragraph.
        if (!starts_block(l) && !items.back().empty() && !blank(items.back().back())) {
          items.back().push_back(trim_blanks(l));
          raw.push_back(l);
          ++i;
          continue;
        }
        break;
      }
      if (depth + 1 > limits.max_block_depth) {
        render_text_block(raw, limits, out);
        continue;
      }
      if (first.ordered)
        out += first.start == 1 ? "<ol>\n" : "<ol start=\"" + std::to_string(first.start) + "\">\n";
      else
        out += "<ul>\n";
      for (const auto& item : items) {
        bool loose = false;
        for (size_t k = 0; k + 1 < item.size(); ++k)
          if (blank(item[k]) && !blank(item[k + 1])) loose = true;
        out += "<li>";
        render_blocks(item, limits, depth + 1, !loose, out);
        out += "</li>\n";
      }
      out += first.ordered ? "</ol>\n" : "</ul>\n";
      continue;
    }
    if (indent_of(line) >= 4 && !tight) {
      out += "<pre><code>";
      while (i < n && (indent_of(lines[i]) >= 4 || blank(lines[i]))) {
        size_t j = i;
        while (j < n && blank(lines[j])) ++j;
        if (j == n || indent_of(lines[j]) < 4) break;
        escape_to(out, dedent(lines[i], 4));
        out += '\n';
        ++i;
      }
      out += "</code></pre>\n";
      continue;
    }
    // A paragraph: up to a blank line or the start of another block.
    std::string text;
    text += trim_blanks(line);
    ++i;
    while (i < n && !blank(lines[i]) && !starts_block(lines[i])) {
      text += '\n';
      text += trim_blanks(lines[i]);
      ++i;
    }
    if (!tight) out += "<p>";
    render_inline(text, limits, out);
    out += tight ? "\n" : "</p>\n";
  }
}

}  // namespace

Result<std::string> render_markdown(std::string_view markdown, const MarkdownLimits& limits) {
  if (markdown.size() > limits.max_input)
    return fail(Errc::validation, "the README is " + std::to_string(markdown.size()) +
                                      " bytes, over the limit of " +
                                      std::to_string(limits.max_input));
  Lines lines;
  size_t start = 0;
  while (start <= markdown.size()) {
    auto nl = markdown.find('\n', start);
    auto line =
        markdown.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (nl == std::string_view::npos) break;
    start = nl + 1;
  }
  std::string out;
  out.reserve(markdown.size() * 2);
  render_blocks(lines, limits, 0, false, out);
  return out;
}

}  // namespace ext::hub
