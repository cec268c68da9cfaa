// A small Pike VM (Thompson's construction, threads in lock step): linear in the input, no
// recursion over the input, an explicit work budget. Our own code; see regex.hpp for the subset.
#include "ext/util/regex.hpp"

#include <cctype>

#include "ext/core/error.hpp"

namespace ext::util {

namespace {

constexpr size_t k_max_pattern = 4096;
constexpr size_t k_max_program = 20000;
constexpr int k_max_depth = 64;
constexpr int k_max_count = 1000;

using Set = std::vector<bool>;

struct RxNode {
  enum Kind { set, cat, alt, rep, assertion } kind = cat;
  std::vector<RxNode> kids;
  uint32_t value = 0;  // set index or assertion op
  int min = 0, max = -1;
};

bool is_word(unsigned char c) {
  return std::isalnum(c) || c == '_';
}

struct RxParser {
  std::string_view p;
  std::vector<Set>& sets;
  Regex::Dialect dialect = Regex::Dialect::log;
  size_t i = 0;
  int depth = 0;
  // RE2 flags (re2 dialect): (?i) case-insensitive, (?s) '.' matches \n, (?m) ^ and $ at lines.
  bool fold = false, dot_nl = false, multi_line = false;

  bool re2() const { return dialect == Regex::Dialect::re2; }

  [[noreturn]] void bad(const std::string& m) const {
    throw Error(Errc::parse, "regex: " + m + " (at offset " + std::to_string(i) + ")",
                "the supported subset is listed in docs/test-spec.md (Regular expressions)");
  }
  bool more() const { return i < p.size(); }

  RxNode raw_set(Set s) {
    sets.push_back(std::move(s));
    RxNode n;
    n.kind = RxNode::set;
    n.value = static_cast<uint32_t>(sets.size() - 1);
    return n;
  }
  static void fold_case(Set& s) {
    for (int b = 'a'; b <= 'z'; ++b)
      if (s[b] || s[b - 'a' + 'A']) s[b] = s[b - 'a' + 'A'] = true;
  }
  static Set range(int lo, int hi) {
    Set s(256, false);
    for (int b = lo; b <= hi; ++b) s[b] = true;
    return s;
  }
  // RE2 matches UTF-8 text a character at a time: a class that includes every byte >= 0x80
  // (a negated class, '.', \D ...) matches any one multi-byte character there instead.
  RxNode set_node(Set s) {
    if (fold) fold_case(s);
    if (!re2()) return raw_set(std::move(s));
    int high = 0;
    for (int b = 0x80; b < 256; ++b) high += s[b] ? 1 : 0;
    if (high == 0) return raw_set(std::move(s));
    if (high != 0x80) bad("non-ASCII characters in a class are not supported");
    for (int b = 0x80; b < 256; ++b) s[b] = false;
    RxNode a;
    a.kind = RxNode::alt;
    a.kids.push_back(raw_set(std::move(s)));
    for (int len = 2; len <= 4; ++len) {
      RxNode c;
      c.kind = RxNode::cat;
      c.kids.push_back(raw_set(len == 2   ? range(0xc2, 0xdf)
                               : len == 3 ? range(0xe0, 0xef)
                                          : range(0xf0, 0xf4)));
      for (int k = 1; k < len; ++k) c.kids.push_back(raw_set(range(0x80, 0xbf)));
      a.kids.push_back(std::move(c));
    }
    return a;
  }
  RxNode literal(unsigned char c) {  // a byte of the pattern (UTF-8 text matches byte by byte)
    Set s(256, false);
    s[c] = true;
    if (fold) fold_case(s);
    return raw_set(std::move(s));
  }
  // [:alpha:] and the other POSIX classes RE2 accepts inside brackets; false when p[i] does not
  // start one.
  bool posix_class(Set& s) {
    if (!re2() || p.substr(i, 2) != "[:") return false;
    auto end = p.find(":]", i + 2);
    if (end == std::string_view::npos) return false;
    std::string_view name = p.substr(i + 2, end - i - 2);
    bool neg = !name.empty() && name[0] == '^';
    if (neg) name.remove_prefix(1);
    int (*pred)(int) = nullptr;
    if (name == "alnum")
      pred = [](int c) { return std::isalnum(c); };
    else if (name == "alpha")
      pred = [](int c) { return std::isalpha(c); };
    else if (name == "ascii")
      pred = [](int c) { return c < 0x80 ? 1 : 0; };
    else if (name == "blank")
      pred = [](int c) { return c == ' ' || c == '\t' ? 1 : 0; };
    else if (name == "cntrl")
      pred = [](int c) { return std::iscntrl(c); };
    else if (name == "digit")
      pred = [](int c) { return std::isdigit(c); };
    else if (name == "graph")
      pred = [](int c) { return std::isgraph(c); };
    else if (name == "lower")
      pred = [](int c) { return std::islower(c); };
    else if (name == "print")
      pred = [](int c) { return std::isprint(c); };
    else if (name == "punct")
      pred = [](int c) { return std::ispunct(c); };
    else if (name == "space")
      pred = [](int c) { return std::isspace(c); };
    else if (name == "upper")
      pred = [](int c) { return std::isupper(c); };
    else if (name == "word")
      pred = [](int c) { return is_word(static_cast<unsigned char>(c)) ? 1 : 0; };
    else if (name == "xdigit")
      pred = [](int c) { return std::isxdigit(c); };
    else
      bad("an unknown class [:" + std::string(name) + ":]");
    for (int b = 0; b < 256; ++b) {
      bool in = b < 0x80 && pred(b) != 0;
      if (neg ? !in : in) s[b] = true;
    }
    i = end + 2;
    return true;
  }
  RxNode assertion(Regex::Inst::Op op) {
    RxNode n;
    n.kind = RxNode::assertion;
    n.value = op;
    return n;
  }

  // \d \w \s and their negations into `s`; false when `c` is not one of them.
  // (RE2's \s is [\t\n\f\r ], without \v.)
  bool class_escape(char c, Set& s) const {
    char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != 'd' && lower != 'w' && lower != 's') return false;
    for (int b = 0; b < 256; ++b) {
      bool in = lower == 'd'   ? (b >= '0' && b <= '9')
                : lower == 'w' ? is_word(static_cast<unsigned char>(b))
                               : (b == ' ' || (b >= '\t' && b <= '\r' && !(re2() && b == '\v')));
      if (std::isupper(static_cast<unsigned char>(c))) in = !in;
      if (in) s[b] = true;
    }
    return true;
  }

  int hex(char c) const {
    if (c >= '0' && c <= '9') return c - '0';
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    bad("a bad \\x escape");
  }

  // The byte an escape (after the backslash, at p[i]) stands for; i moves past it.
  unsigned char escaped_byte(bool in_class) {
    char c = p[i++];
    switch (c) {
      case 'n':
        return '\n';
      case 't':
        return '\t';
      case 'r':
        return '\r';
      case 'f':
        return '\f';
      case 'v':
        return '\v';
      case '0':
        return '\0';
      case 'b':
        if (in_class) return '\b';
        break;
      case 'x': {
        if (i + 2 > p.size()) bad("a bad \\x escape");
        int v = hex(p[i]) * 16 + hex(p[i + 1]);
        i += 2;
        return static_cast<unsigned char>(v);
      }
      default:
        break;
    }
    if (std::isalnum(static_cast<unsigned char>(c))) {
      --i;
      bad(std::string("unsupported escape \\") + c);
    }
    return static_cast<unsigned char>(c);
  }

  RxNode klass() {
    ++i;  // [
    bool negate = more() && p[i] == '^';
    if (negate) ++i;
    Set s(256, false);
    for (;;) {
      if (!more()) bad("a missing ]");
      if (p[i] == ']') {
        ++i;
        break;
      }
      if (posix_class(s)) continue;
      unsigned char lo;
      if (p[i] == '\\') {
        ++i;
        if (!more()) bad("a trailing backslash");
        if (class_escape(p[i], s)) {
          ++i;
          continue;
        }
        lo = escaped_byte(true);
      } else {
        lo = static_cast<unsigned char>(p[i++]);
      }
      unsigned char hi = lo;
      if (i + 1 < p.size() && p[i] == '-' && p[i + 1] != ']') {
        ++i;
        if (p[i] == '\\') {
          ++i;
          if (!more()) bad("a trailing backslash");
          Set probe(256, false);
          if (class_escape(p[i], probe)) bad("a range ending in a class escape");
          hi = escaped_byte(true);
        } else {
          hi = static_cast<unsigned char>(p[i++]);
        }
        if (hi < lo) bad("a range out of order");
      }
      for (int b = lo; b <= hi; ++b) s[b] = true;
    }
    if (fold) fold_case(s);  // before negation: (?i)[^a] excludes 'A' too
    if (negate) s.flip();
    bool saved = fold;
    fold = false;
    RxNode n = set_node(std::move(s));
    fold = saved;
    return n;
  }

  RxNode atom() {
    char c = p[i];
    if (c == '(') {
      ++i;
      if (++depth > k_max_depth) bad("groups nested deeper than 64");
      bool saved[3] = {fold, dot_nl, multi_line};
      if (p.substr(i, 2) == "?:") {
        i += 2;
      } else if (re2() && (p.substr(i, 3) == "?P<" || p.substr(i, 2) == "?<")) {
        i += p[i + 1] == 'P' ? 3 : 2;  // a named group: the name does not change a yes/no search
        size_t start = i;
        while (more() && is_word(static_cast<unsigned char>(p[i]))) ++i;
        if (i == start || !more() || p[i] != '>') bad("a bad group name");
        ++i;
      } else if (re2() && more() && p[i] == '?') {
        // (?flags) for the rest of the enclosing group, (?flags:re) for re alone.
        ++i;
        bool on = true, any = false;
        while (more() && p[i] != ')' && p[i] != ':') {
          char f = p[i++];
          if (f == '-' && on) {
            on = false;
            continue;
          }
          if (f == 'i')
            fold = on;
          else if (f == 's')
            dot_nl = on;
          else if (f == 'm')
            multi_line = on;
          else if (f != 'U')
            bad(std::string("an unsupported flag or group (?") + f);
          any = true;
        }
        if (!more() || !any) bad("a bad flag group");
        if (p[i] == ')') {  // applies to what follows: not restored at this group's end
          ++i;
          --depth;
          RxNode empty;
          empty.kind = RxNode::cat;
          return empty;
        }
        ++i;  // ':'
      } else if (more() && p[i] == '?') {
        bad("lookaround and named groups are not supported");
      }
      RxNode n = alt();
      if (!more() || p[i] != ')') bad("a missing )");
      ++i;
      --depth;
      fold = saved[0], dot_nl = saved[1], multi_line = saved[2];
      return n;
    }
    if (c == '*' || c == '+' || c == '?') bad("nothing to repeat");
    if (c == '^') {
      ++i;
      return assertion(multi_line ? Regex::Inst::line_begin : Regex::Inst::begin);
    }
    if (c == '$') {
      ++i;
      return assertion(multi_line ? Regex::Inst::line_end : Regex::Inst::end);
    }
    if (c == '.') {
      ++i;
      Set s(256, true);
      if (!dot_nl) s['\n'] = false;
      if (!re2()) s['\r'] = false;
      return set_node(std::move(s));
    }
    if (c == '[') return klass();
    if (c == '\\') {
      ++i;
      if (!more()) bad("a trailing backslash");
      char e = p[i];
      if (e == 'b' || e == 'B') {
        ++i;
        return assertion(e == 'b' ? Regex::Inst::word : Regex::Inst::not_word);
      }
      if (e >= '1' && e <= '9') bad("backreferences are not supported");
      if (re2() && (e == 'A' || e == 'z')) {
        ++i;
        return assertion(e == 'A' ? Regex::Inst::begin : Regex::Inst::end);
      }
      Set s(256, false);
      if (class_escape(e, s)) {
        ++i;
        return set_node(std::move(s));
      }
      return literal(escaped_byte(false));
    }
    ++i;
    return literal(static_cast<unsigned char>(c));
  }

  // {n}, {n,}, {n,m} at p[i] == '{'; false (a literal '{') when it is not a count.
  bool counted(int& mn, int& mx) {
    size_t j = i + 1;
    auto num = [&](int& v) {
      size_t s = j;
      v = 0;
      while (j < p.size() && std::isdigit(static_cast<unsigned char>(p[j]))) {
        v = v * 10 + (p[j] - '0');
        if (v > k_max_count) bad("a count over 1000");
        ++j;
      }
      return j > s;
    };
    if (!num(mn)) return false;
    mx = mn;
    if (j < p.size() && p[j] == ',') {
      ++j;
      if (!num(mx)) mx = -1;
    }
    if (j >= p.size() || p[j] != '}') return false;
    if (mx != -1 && mx < mn) bad("a count {n,m} with m < n");
    i = j + 1;
    return true;
  }

  RxNode repeat() {
    RxNode a = atom();
    while (more()) {
      int mn = 0, mx = -1;
      char c = p[i];
      if (c == '*') {
        ++i;
      } else if (c == '+') {
        mn = 1;
        ++i;
      } else if (c == '?') {
        mx = 1;
        ++i;
      } else if (c != '{' || !counted(mn, mx)) {
        break;
      }
      if (more() && p[i] == '?') ++i;  // lazy: same yes/no answer
      if (a.kind == RxNode::assertion) bad("nothing to repeat");
      RxNode r;
      r.kind = RxNode::rep;
      r.min = mn;
      r.max = mx;
      r.kids.push_back(std::move(a));
      a = std::move(r);
    }
    return a;
  }

  RxNode cat() {
    RxNode c;
    c.kind = RxNode::cat;
    while (more() && p[i] != '|' && p[i] != ')') c.kids.push_back(repeat());
    return c;
  }

  RxNode alt() {
    RxNode first = cat();
    if (!more() || p[i] != '|') return first;
    RxNode a;
    a.kind = RxNode::alt;
    a.kids.push_back(std::move(first));
    while (more() && p[i] == '|') {
      ++i;
      a.kids.push_back(cat());
    }
    return a;
  }
};

struct RxCompiler {
  std::vector<Regex::Inst>& prog;
  uint32_t here() const { return static_cast<uint32_t>(prog.size()); }
  uint32_t push(Regex::Inst in) {
    if (prog.size() >= k_max_program)
      throw Error(Errc::parse, "regex: the pattern expands to over 20,000 instructions",
                  "use smaller counts {n,m}");
    prog.push_back(in);
    return here() - 1;
  }
  void emit(const RxNode& n) {
    using I = Regex::Inst;
    switch (n.kind) {
      case RxNode::set:
        push({I::byte_set, n.value, 0});
        return;
      case RxNode::assertion:
        push({static_cast<I::Op>(n.value), 0, 0});
        return;
      case RxNode::cat:
        for (const auto& k : n.kids) emit(k);
        return;
      case RxNode::alt: {
        std::vector<uint32_t> jumps;
        for (size_t k = 0; k + 1 < n.kids.size(); ++k) {
          uint32_t s = push({I::split, 0, 0});
          prog[s].x = here();
          emit(n.kids[k]);
          jumps.push_back(push({I::jump, 0, 0}));
          prog[s].y = here();
        }
        emit(n.kids.back());
        for (auto j : jumps) prog[j].x = here();
        return;
      }
      case RxNode::rep: {
        const RxNode& kid = n.kids.front();
        for (int k = 0; k < n.min; ++k) emit(kid);
        if (n.max < 0) {
          uint32_t s = push({I::split, 0, 0});
          prog[s].x = here();
          emit(kid);
          push({I::jump, s, 0});
          prog[s].y = here();
          return;
        }
        std::vector<uint32_t> splits;
        for (int k = n.min; k < n.max; ++k) {
          uint32_t s = push({I::split, 0, 0});
          prog[s].x = here();
          emit(kid);
          splits.push_back(s);
        }
        for (auto s : splits) prog[s].y = here();
        return;
      }
    }
  }
};

}  // namespace

Result<Regex> Regex::compile(std::string_view pattern, Dialect dialect) {
  if (pattern.size() > k_max_pattern)
    return fail(Errc::parse, "regex: the pattern is over 4,096 bytes");
  Regex r;
  try {
    RxParser ps{pattern, r.m_sets, dialect};
    RxNode root = ps.alt();
    if (ps.more()) ps.bad("an unmatched )");
    RxCompiler c{r.m_prog};
    c.emit(root);
    c.push({Inst::match, 0, 0});
  } catch (const Error& e) {
    return fail(e);
  }
  return r;
}

std::optional<bool> Regex::search(std::string_view text, uint64_t& steps) const {
  const size_t n = m_prog.size();
  std::vector<uint32_t> clist, nlist, stack;
  std::vector<size_t> mark(n, static_cast<size_t>(-1));
  bool out_of_steps = false;
  // Adds pc and everything reachable from it without consuming input at position `pos`.
  // True when a thread reached match.
  auto add = [&](std::vector<uint32_t>& list, uint32_t pc0, size_t pos) -> bool {
    stack.push_back(pc0);
    while (!stack.empty()) {
      uint32_t pc = stack.back();
      stack.pop_back();
      if (mark[pc] == pos) continue;
      mark[pc] = pos;
      if (steps == 0) {
        out_of_steps = true;
        stack.clear();
        return false;
      }
      --steps;
      const Inst& in = m_prog[pc];
      switch (in.op) {
        case Inst::byte_set:
          list.push_back(pc);
          break;
        case Inst::match:
          stack.clear();
          return true;
        case Inst::jump:
          stack.push_back(in.x);
          break;
        case Inst::split:
          stack.push_back(in.y);
          stack.push_back(in.x);
          break;
        case Inst::begin:
          if (pos == 0) stack.push_back(pc + 1);
          break;
        case Inst::end:
          if (pos == text.size()) stack.push_back(pc + 1);
          break;
        case Inst::line_begin:
          if (pos == 0 || text[pos - 1] == '\n') stack.push_back(pc + 1);
          break;
        case Inst::line_end:
          if (pos == text.size() || text[pos] == '\n') stack.push_back(pc + 1);
          break;
        case Inst::word:
        case Inst::not_word: {
          bool before = pos > 0 && is_word(static_cast<unsigned char>(text[pos - 1]));
          bool after = pos < text.size() && is_word(static_cast<unsigned char>(text[pos]));
          if ((before != after) == (in.op == Inst::word)) stack.push_back(pc + 1);
          break;
        }
      }
    }
    return false;
  };
  if (add(clist, 0, 0)) return true;
  if (out_of_steps) return std::nullopt;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    auto c = static_cast<unsigned char>(text[pos]);
    nlist.clear();
    for (uint32_t pc : clist) {
      if (!m_sets[m_prog[pc].x][c]) continue;
      if (add(nlist, pc + 1, pos + 1)) return true;
      if (out_of_steps) return std::nullopt;
    }
    if (add(nlist, 0, pos + 1)) return true;  // a match may start at any position
    if (out_of_steps) return std::nullopt;
    std::swap(clist, nlist);
  }
  return false;
}

}  // namespace ext::util
