// A small Pike VM (Thompson's construction, threads in lock step): linear in the input, no
// recursion over the input, an explicit work budget. Our own code; see regex.hpp for the subset.
#include "ext/testing/regex.hpp"

#include <cctype>

#include "ext/core/error.hpp"

namespace ext::testing {

namespace {

constexpr size_t k_max_pattern = 4096;
constexpr size_t k_max_program = 20000;
constexpr int k_max_depth = 64;
constexpr int k_max_count = 1000;

using Set = std::vector<bool>;

struct Node {
  enum Kind { set, cat, alt, rep, assertion } kind = cat;
  std::vector<Node> kids;
  uint32_t value = 0;  // set index or assertion op
  int min = 0, max = -1;
};

bool is_word(unsigned char c) {
  return std::isalnum(c) || c == '_';
}

struct Parser {
  std::string_view p;
  std::vector<Set>& sets;
  size_t i = 0;
  int depth = 0;

  [[noreturn]] void bad(const std::string& m) const {
    throw Error(Errc::parse, "regex: " + m + " (at offset " + std::to_string(i) + ")",
                "the supported subset is listed in docs/test-spec.md (Regular expressions)");
  }
  bool more() const { return i < p.size(); }

  Node set_node(Set s) {
    sets.push_back(std::move(s));
    Node n;
    n.kind = Node::set;
    n.value = static_cast<uint32_t>(sets.size() - 1);
    return n;
  }
  Node literal(unsigned char c) {
    Set s(256, false);
    s[c] = true;
    return set_node(std::move(s));
  }
  Node assertion(Regex::Inst::Op op) {
    Node n;
    n.kind = Node::assertion;
    n.value = op;
    return n;
  }

  // \d \w \s and their negations into `s`; false when `c` is not one of them.
  static bool class_escape(char c, Set& s) {
    Set add(256, false);
    char lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (lower != 'd' && lower != 'w' && lower != 's') return false;
    for (int b = 0; b < 256; ++b) {
      bool in = lower == 'd'   ? (b >= '0' && b <= '9')
                : lower == 'w' ? is_word(static_cast<unsigned char>(b))
                               : (b == ' ' || (b >= '\t' && b <= '\r'));
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

  Node klass() {
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
    if (negate) s.flip();
    return set_node(std::move(s));
  }

  Node atom() {
    char c = p[i];
    if (c == '(') {
      ++i;
      if (++depth > k_max_depth) bad("groups nested deeper than 64");
      if (p.substr(i, 2) == "?:")
        i += 2;
      else if (more() && p[i] == '?')
        bad("lookaround and named groups are not supported");
      Node n = alt();
      if (!more() || p[i] != ')') bad("a missing )");
      ++i;
      --depth;
      return n;
    }
    if (c == '*' || c == '+' || c == '?') bad("nothing to repeat");
    if (c == '^') {
      ++i;
      return assertion(Regex::Inst::begin);
    }
    if (c == '$') {
      ++i;
      return assertion(Regex::Inst::end);
    }
    if (c == '.') {
      ++i;
      Set s(256, true);
      s['\n'] = s['\r'] = false;
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

  Node repeat() {
    Node a = atom();
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
      if (a.kind == Node::assertion) bad("nothing to repeat");
      Node r;
      r.kind = Node::rep;
      r.min = mn;
      r.max = mx;
      r.kids.push_back(std::move(a));
      a = std::move(r);
    }
    return a;
  }

  Node cat() {
    Node c;
    c.kind = Node::cat;
    while (more() && p[i] != '|' && p[i] != ')') c.kids.push_back(repeat());
    return c;
  }

  Node alt() {
    Node first = cat();
    if (!more() || p[i] != '|') return first;
    Node a;
    a.kind = Node::alt;
    a.kids.push_back(std::move(first));
    while (more() && p[i] == '|') {
      ++i;
      a.kids.push_back(cat());
    }
    return a;
  }
};

struct Compiler {
  std::vector<Regex::Inst>& prog;
  uint32_t here() const { return static_cast<uint32_t>(prog.size()); }
  uint32_t push(Regex::Inst in) {
    if (prog.size() >= k_max_program)
      throw Error(Errc::parse, "regex: the pattern expands to over 20,000 instructions",
                  "use smaller counts {n,m}");
    prog.push_back(in);
    return here() - 1;
  }
  void emit(const Node& n) {
    using I = Regex::Inst;
    switch (n.kind) {
      case Node::set:
        push({I::byte_set, n.value, 0});
        return;
      case Node::assertion:
        push({static_cast<I::Op>(n.value), 0, 0});
        return;
      case Node::cat:
        for (const auto& k : n.kids) emit(k);
        return;
      case Node::alt: {
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
      case Node::rep: {
        const Node& kid = n.kids.front();
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

Result<Regex> Regex::compile(std::string_view pattern) {
  if (pattern.size() > k_max_pattern)
    return fail(Errc::parse, "regex: the pattern is over 4,096 bytes");
  Regex r;
  try {
    Parser ps{pattern, r.m_sets};
    Node root = ps.alt();
    if (ps.more()) ps.bad("an unmatched )");
    Compiler c{r.m_prog};
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

}  // namespace ext::testing
