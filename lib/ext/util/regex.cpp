// A small Pike VM (Thompson's construction, threads in lock step): linear in the input, no
// recursion over the input, an explicit work budget. Our own code; see regex.hpp for the subset.
#include "ext/util/regex.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <tuple>

#include "ext/core/error.hpp"
#include "ext/util/unicode_tables.hpp"

namespace ext::util {

namespace {

constexpr size_t k_max_pattern = 4096;
constexpr size_t k_max_program = 20000;
constexpr int k_max_depth = 64;
constexpr int k_max_count = 1000;
// The UTF-8 byte sequences one class may compile to, before they are merged into a prefix tree:
// \p{L} needs 800, a union of twelve interleaved categories 1,315; a class of a thousand
// scattered characters plus those would pass 2,048.
constexpr size_t k_max_class_sequences = 2048;

using Set = std::vector<bool>;
using Ranges = std::vector<std::pair<uint32_t, uint32_t>>;  // code points, inclusive
using Seq = std::vector<std::pair<int, int>>;               // UTF-8 byte ranges

constexpr uint32_t k_max_rune = 0x10ffff;

// Sorted, merged.
void tidy(Ranges& r) {
  std::sort(r.begin(), r.end());
  Ranges out;
  for (const auto& x : r)
    if (!out.empty() && x.first <= out.back().second + 1)
      out.back().second = std::max(out.back().second, x.second);
    else
      out.push_back(x);
  r = std::move(out);
}

Ranges complement(Ranges r) {
  tidy(r);
  Ranges out;
  uint32_t next = 0;
  for (const auto& x : r) {
    if (x.first > next) out.emplace_back(next, x.first - 1);
    next = x.second + 1;
  }
  if (next <= k_max_rune) out.emplace_back(next, k_max_rune);
  return out;
}

bool contains(const Ranges& r, uint32_t c) {  // r tidy
  auto it = std::upper_bound(
      r.begin(), r.end(), c,
      [](uint32_t v, const std::pair<uint32_t, uint32_t>& x) { return v < x.first; });
  return it != r.begin() && (--it)->second >= c;
}

// Adds every code point's simple case folding orbit (RE2's (?i)): [k] -> [Kk\x{212A}]. The
// points to add are those outside r whose orbit meets r; they are found from whichever side
// has fewer folding entries, so '.' or [^a] (nearly everything) costs almost nothing.
void fold_closure(Ranges& r) {
  tidy(r);
  size_t inside = 0, all = unicode::folds_in(0, k_max_rune).size();
  for (const auto& [lo, hi] : r) inside += unicode::folds_in(lo, hi).size();
  Ranges extra;
  if (inside <= all / 2) {
    for (const auto& [lo, hi] : r)
      for (const auto& f : unicode::folds_in(lo, hi))
        for (uint32_t c = f.next; c != f.c; c = unicode::fold_next(c))
          if (!contains(r, c)) extra.emplace_back(c, c);
  } else {
    const Ranges outside = complement(r);
    for (const auto& [lo, hi] : outside)
      for (const auto& f : unicode::folds_in(lo, hi))
        for (uint32_t c = f.next; c != f.c; c = unicode::fold_next(c))
          if (!contains(outside, c)) {  // in r: f.c joins it
            extra.emplace_back(f.c, f.c);
            break;
          }
  }
  if (extra.empty()) return;
  r.insert(r.end(), extra.begin(), extra.end());
  tidy(r);
}

Ranges ascii_ranges(const Set& s) {  // the bytes < 0x80 of a byte set
  Ranges r;
  for (uint32_t b = 0; b < 0x80; ++b)
    if (s[b]) r.emplace_back(b, b);
  tidy(r);
  return r;
}

struct RxNode {
  enum Kind { set, cat, alt, rep, assertion, dispatch } kind = cat;
  std::vector<RxNode> kids;
  std::vector<std::pair<int, int>> bytes;  // dispatch: the byte range that leads to each kid
  uint32_t value = 0;                      // set index or assertion op
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

  std::map<Set, uint32_t> set_index;  // equal sets share one entry
  size_t set_nodes = 0;

  std::map<std::pair<int, int>, RxNode> range_sets;
  RxNode range_set(int lo, int hi) {  // bytes lo..hi, without building a Set each time
    auto it = range_sets.find({lo, hi});
    if (it != range_sets.end()) {
      if (++set_nodes > k_max_program) bad("the pattern expands to over 20,000 instructions");
      return it->second;
    }
    RxNode n = raw_set(range(lo, hi));
    range_sets.emplace(std::make_pair(lo, hi), n);
    return n;
  }

  RxNode raw_set(Set s) {
    // Every set node is at least one instruction: a bound on the tree before it is compiled.
    if (++set_nodes > k_max_program) bad("the pattern expands to over 20,000 instructions");
    auto [it, added] = set_index.emplace(std::move(s), static_cast<uint32_t>(sets.size()));
    if (added) sets.push_back(it->first);
    RxNode n;
    n.kind = RxNode::set;
    n.value = it->second;
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
  // A byte set ('.', \d ...; \D holds every byte >= 0x80): in the re2 dialect, where RE2
  // matches UTF-8 text a character at a time, a set with the bytes >= 0x80 stands for every
  // non-ASCII character.
  RxNode set_node(Set s) {
    if (!re2()) {
      if (fold) fold_case(s);
      return raw_set(std::move(s));
    }
    Ranges r = ascii_ranges(s);
    if (s[0x80]) r.emplace_back(0x80, k_max_rune);
    return class_node(std::move(r));
  }
  // re2: a class item that RE2 negates itself (\D, [:^alpha:], \P{L}): under (?i) the item is
  // folded before it is negated, so (?i)\W excludes U+212A KELVIN SIGN as it excludes k.
  std::map<Ranges, Ranges> negated_items;  // (?i) item -> its folded complement, computed once
  void add_item(Ranges& into, Ranges item, bool negated) {
    if (negated && fold) {
      auto it = negated_items.find(item);
      if (it == negated_items.end()) {
        Ranges folded = item;
        fold_closure(folded);
        it = negated_items.emplace(std::move(item), complement(std::move(folded))).first;
      }
      item = it->second;
    } else if (negated) {
      item = complement(std::move(item));
    }
    into.insert(into.end(), item.begin(), item.end());
  }

  // re2: the code points `r` as one node: the ASCII ones a byte set, the others their UTF-8
  // sequences, merged into a prefix tree so that the matcher follows one branch per distinct
  // lead byte range. All of U+0080..U+10FFFF is RE2's loose form (any lead byte C2-F4 and its
  // continuation bytes), as RE2 compiles '.' and [^a].
  // Under (?i) the class is closed under case folding first, then negated if `negate`. A class
  // seen before (the same ranges and flags: '.' or \pL written many times) reuses its node.
  std::map<std::tuple<Ranges, bool, bool>, std::pair<RxNode, size_t>> class_cache;
  RxNode class_node(Ranges r, bool negate = false) {
    tidy(r);
    auto key = std::make_tuple(r, fold, negate);
    if (auto it = class_cache.find(key); it != class_cache.end()) {
      set_nodes += it->second.second;  // charged again: it is emitted again
      if (set_nodes > k_max_program) bad("the pattern expands to over 20,000 instructions");
      return it->second.first;
    }
    const size_t before = set_nodes;
    if (fold) fold_closure(r);
    if (negate) r = complement(std::move(r));
    RxNode n = build_class(r);
    class_cache.emplace(std::move(key), std::make_pair(n, set_nodes - before));
    return n;
  }
  RxNode build_class(const Ranges& r) {
    Set ascii(256, false);
    Ranges wide;
    for (const auto& [lo, hi] : r) {
      for (uint32_t b = lo; b <= std::min<uint32_t>(hi, 0x7f); ++b) ascii[b] = true;
      if (hi >= 0x80) wide.emplace_back(std::max<uint32_t>(lo, 0x80), hi);
    }
    if (wide.empty()) return raw_set(std::move(ascii));
    std::vector<Seq> seqs;
    for (int b = 0; b < 0x80; ++b)  // ASCII: one-byte sequences
      if (ascii[b]) {
        if (!seqs.empty() && seqs.back()[0].second == b - 1)
          seqs.back()[0].second = b;
        else
          seqs.push_back({{b, b}});
      }
    const size_t ascii_seqs = seqs.size();
    if (wide.size() == 1 && wide[0] == std::make_pair(0x80u, k_max_rune)) {
      seqs.push_back({{0xc2, 0xdf}, {0x80, 0xbf}});
      seqs.push_back({{0xe0, 0xef}, {0x80, 0xbf}, {0x80, 0xbf}});
      seqs.push_back({{0xf0, 0xf4}, {0x80, 0xbf}, {0x80, 0xbf}, {0x80, 0xbf}});
    } else {
      for (const auto& [lo, hi] : wide) {
        if (lo < 0xd800 && hi > 0xdfff) {  // no surrogates in UTF-8
          utf8_sequences(lo, 0xd7ff, seqs);
          utf8_sequences(0xe000, hi, seqs);
        } else if (!(lo >= 0xd800 && hi <= 0xdfff)) {
          utf8_sequences(lo < 0xd800 || lo > 0xdfff ? lo : 0xe000,
                         hi < 0xd800 || hi > 0xdfff ? hi : 0xd7ff, seqs);
        }
        if (seqs.size() - ascii_seqs > k_max_class_sequences)
          bad("a class with too many ranges (over 2,048 UTF-8 sequences)");
      }
    }
    std::sort(seqs.begin(), seqs.end());
    if (seqs.empty()) return raw_set(Set(256, false));  // only surrogates: matches nothing
    return prefix_tree(seqs, 0, seqs.size(), 0);
  }
  // seqs[from, to) (sorted) share their first k byte ranges: a node for the rest of them. The
  // distinct k-th ranges are disjoint (a lead or continuation byte range of UTF-8 sequences of
  // disjoint code points either is shared or does not overlap), so more than one becomes a
  // byte_switch: one step for the matcher where an alternation would visit every branch.
  RxNode prefix_tree(const std::vector<Seq>& seqs, size_t from, size_t to, size_t k) {
    RxNode d;
    d.kind = RxNode::dispatch;
    for (size_t i = from; i < to;) {
      if (seqs[i].size() <= k) {
        ++i;
        continue;
      }
      size_t j = i + 1;
      while (j < to && seqs[j].size() > k && seqs[j][k] == seqs[i][k]) ++j;
      d.bytes.push_back(seqs[i][k]);
      d.kids.push_back(prefix_tree(seqs, i, j, k + 1));
      i = j;
    }
    if (d.kids.empty()) return RxNode{};  // the sequences end here: an empty cat
    if (d.kids.size() > 1) {
      if (++set_nodes > k_max_program) bad("the pattern expands to over 20,000 instructions");
      return d;
    }
    RxNode c;  // one range: a byte set and the rest
    c.kind = RxNode::cat;
    c.kids.push_back(range_set(d.bytes[0].first, d.bytes[0].second));
    if (d.kids[0].kind != RxNode::cat || !d.kids[0].kids.empty())
      c.kids.push_back(std::move(d.kids[0]));
    return c;
  }
  // re2: one character (code point) of the pattern; under (?i) its case folding orbit.
  RxNode rune(uint32_t cp) {
    Ranges r{{cp, cp}};
    return class_node(std::move(r));
  }
  RxNode literal(unsigned char c) {  // a byte of the pattern (UTF-8 text matches byte by byte)
    Set s(256, false);
    s[c] = true;
    if (fold) fold_case(s);
    return raw_set(std::move(s));
  }
  // [:alpha:] and the other POSIX classes RE2 accepts inside brackets (re2 dialect), added to
  // `into`; false when p[i] does not start one.
  bool posix_class(Ranges& into) {
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
    Ranges item;
    for (uint32_t b = 0; b < 0x80; ++b)
      if (pred(static_cast<int>(b)) != 0) item.emplace_back(b, b);
    tidy(item);
    add_item(into, std::move(item), neg);
    i = end + 2;
    return true;
  }

  // re2: \pN, \p{Name}, \p{^Name} and the \P negations (p[i] is 'p' or 'P'): a general
  // category or script from lib/ext/util/unicode_tables.hpp, or Any; added to `into`.
  void unicode_class(Ranges& into) {
    bool neg = p[i++] == 'P';
    if (!more()) bad("a missing Unicode class name after \\p");
    std::string_view name;
    if (p[i] == '{') {
      auto close = p.find('}', i);
      if (close == std::string_view::npos || close - i > 64) bad("a missing } after \\p{");
      name = p.substr(i + 1, close - i - 1);
      i = close + 1;
      if (!name.empty() && name[0] == '^') {
        neg = !neg;
        name.remove_prefix(1);
      }
    } else {
      auto c = static_cast<unsigned char>(p[i]);
      if (c >= 0x80) bad("a bad Unicode class name after \\p");
      name = p.substr(i++, 1);
    }
    Ranges item;
    if (name == "Any") {
      item.emplace_back(0, k_max_rune);
    } else {
      auto g = unicode::group(name);
      if (g.empty())
        bad("an unknown Unicode class \\p{" + std::string(name) +
            "} (general categories such as L, Lu, Nd and scripts such as Greek are known)");
      for (const auto& r : g) item.emplace_back(r.lo, r.hi);
    }
    add_item(into, std::move(item), neg);
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

  // The byte (log dialect) or code point (re2 dialect) an escape (after the backslash, at p[i])
  // stands for; i moves past it. re2 also has \x{10FFFF}.
  uint32_t escaped(bool in_class) {
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
        if (re2() && more() && p[i] == '{') {
          uint32_t v = 0;
          size_t start = ++i;
          while (more() && p[i] != '}') {
            v = v * 16 + static_cast<uint32_t>(hex(p[i++]));
            if (v > k_max_rune) bad("a \\x{...} escape over 10FFFF");
          }
          if (!more() || i == start) bad("a bad \\x escape");
          ++i;
          return v;
        }
        if (i + 2 > p.size()) bad("a bad \\x escape");
        int v = hex(p[i]) * 16 + hex(p[i + 1]);
        i += 2;
        return static_cast<uint32_t>(v);
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

  // One class member at p[i] as a code point: in the re2 dialect a UTF-8 sequence is one
  // character (RE2 matches runes); in the log dialect every byte is one.
  uint32_t member() {
    auto c = static_cast<unsigned char>(p[i]);
    if (!re2() || c < 0x80) {
      ++i;
      return c;
    }
    int n = c >= 0xf8 ? 0 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
    if (n == 0 || i + n > p.size()) bad("invalid UTF-8");
    uint32_t cp = c & (0xffu >> (n + 1));
    for (int k = 1; k < n; ++k) {
      auto d = static_cast<unsigned char>(p[i + k]);
      if ((d & 0xc0) != 0x80) bad("invalid UTF-8");
      cp = cp << 6 | (d & 0x3fu);
    }
    const uint32_t least = n == 2 ? 0x80 : n == 3 ? 0x800 : 0x10000;
    if (cp < least || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) bad("invalid UTF-8");
    i += static_cast<size_t>(n);
    return cp;
  }

  // The UTF-8 byte sequences of the code points lo..hi (no surrogates), each a list of byte
  // ranges: split where the encoded length changes, then where a trailing byte would not span
  // its whole range (the construction RE2 and Go's regexp/syntax use).
  static void utf8_sequences(uint32_t lo, uint32_t hi,
                             std::vector<std::vector<std::pair<int, int>>>& out) {
    static const uint32_t k_max[] = {0x7f, 0x7ff, 0xffff};
    for (uint32_t m : k_max)
      if (lo <= m && hi > m) {
        utf8_sequences(lo, m, out);
        utf8_sequences(m + 1, hi, out);
        return;
      }
    auto encode = [](uint32_t cp, std::vector<int>& b) {
      b.clear();
      if (cp < 0x80) {
        b = {static_cast<int>(cp)};
      } else if (cp < 0x800) {
        b = {static_cast<int>(0xc0 | cp >> 6), static_cast<int>(0x80 | (cp & 0x3f))};
      } else if (cp < 0x10000) {
        b = {static_cast<int>(0xe0 | cp >> 12), static_cast<int>(0x80 | ((cp >> 6) & 0x3f)),
             static_cast<int>(0x80 | (cp & 0x3f))};
      } else {
        b = {static_cast<int>(0xf0 | cp >> 18), static_cast<int>(0x80 | ((cp >> 12) & 0x3f)),
             static_cast<int>(0x80 | ((cp >> 6) & 0x3f)), static_cast<int>(0x80 | (cp & 0x3f))};
      }
    };
    std::vector<int> a, b;
    encode(lo, a);
    for (size_t k = 1; k < a.size(); ++k) {
      uint32_t m = (1u << (6 * k)) - 1;
      if ((lo & ~m) != (hi & ~m)) {
        if ((lo & m) != 0) {
          utf8_sequences(lo, lo | m, out);
          utf8_sequences((lo | m) + 1, hi, out);
          return;
        }
        if ((hi & m) != m) {
          utf8_sequences(lo, (hi & ~m) - 1, out);
          utf8_sequences(hi & ~m, hi, out);
          return;
        }
      }
    }
    encode(hi, b);
    std::vector<std::pair<int, int>> seq;
    for (size_t k = 0; k < a.size(); ++k) seq.emplace_back(a[k], b[k]);
    out.push_back(std::move(seq));
  }

  RxNode klass() {
    ++i;  // [
    bool negate = more() && p[i] == '^';
    if (negate) ++i;
    return re2() ? klass_re2(negate) : klass_log(negate);
  }

  // A range's end after '-' (p[i]); class escapes cannot end a range.
  uint32_t range_end() {
    if (p[i] != '\\') return member();
    ++i;
    if (!more()) bad("a trailing backslash");
    Set probe(256, false);
    if (class_escape(p[i], probe) || (re2() && (p[i] == 'p' || p[i] == 'P')))
      bad("a range ending in a class escape");
    return escaped(true);
  }

  RxNode klass_log(bool negate) {  // bytes
    Set s(256, false);
    for (;;) {
      if (!more()) bad("a missing ]");
      if (p[i] == ']') {
        ++i;
        break;
      }
      uint32_t lo;
      if (p[i] == '\\') {
        ++i;
        if (!more()) bad("a trailing backslash");
        if (class_escape(p[i], s)) {
          ++i;
          continue;
        }
        lo = escaped(true);
      } else {
        lo = member();
      }
      uint32_t hi = range_from(lo);
      for (uint32_t b = lo; b <= hi; ++b) s[b] = true;
    }
    if (fold) fold_case(s);  // before negation: (?i)[^a] excludes 'A' too
    if (negate) s.flip();
    return raw_set(std::move(s));
  }

  // After a class member `lo`: the end of a range `lo-hi` at p[i], or `lo` itself.
  uint32_t range_from(uint32_t lo) {
    if (i + 1 >= p.size() || p[i] != '-' || p[i + 1] == ']') return lo;
    ++i;
    uint32_t hi = range_end();
    if (hi < lo) bad("a range out of order");
    return hi;
  }

  // re2: code points (UTF-8 members, \xHH as U+00HH), classes \d \pL [:alpha:] as items;
  // under (?i) the whole class is closed under case folding before it is negated, as RE2 does.
  RxNode klass_re2(bool negate) {
    Ranges r;
    for (;;) {
      if (!more()) bad("a missing ]");
      if (p[i] == ']') {
        ++i;
        break;
      }
      if (posix_class(r)) continue;
      uint32_t lo;
      if (p[i] == '\\') {
        ++i;
        if (!more()) bad("a trailing backslash");
        Set probe(256, false);
        char e = p[i];
        if (class_escape(static_cast<char>(std::tolower(static_cast<unsigned char>(e))), probe)) {
          ++i;
          add_item(r, ascii_ranges(probe), std::isupper(static_cast<unsigned char>(e)) != 0);
          continue;
        }
        if (e == 'p' || e == 'P') {
          unicode_class(r);
          continue;
        }
        lo = escaped(true);
      } else {
        lo = member();
      }
      r.emplace_back(lo, range_from(lo));
    }
    return class_node(std::move(r), negate);
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
      if (re2() && e == 'C') {  // \C: any byte, even in UTF-8 mode (RE2 parse.cc kRegexpAnyByte)
        ++i;
        return raw_set(Set(256, true));
      }
      if (re2() && (e == 'p' || e == 'P')) {
        Ranges r;
        unicode_class(r);
        return class_node(std::move(r));
      }
      Set s(256, false);
      if (re2() &&
          class_escape(static_cast<char>(std::tolower(static_cast<unsigned char>(e))), s)) {
        ++i;
        Ranges r;
        add_item(r, ascii_ranges(s), std::isupper(static_cast<unsigned char>(e)) != 0);
        return class_node(std::move(r));
      }
      if (class_escape(e, s)) {
        ++i;
        return set_node(std::move(s));
      }
      uint32_t v = escaped(false);
      return re2() ? rune(v) : literal(static_cast<unsigned char>(v));  // re2: \xE9 is U+00E9
    }
    if (re2()) return rune(member());  // one UTF-8 character
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

  RxNode repeat() { return quantify(atom()); }

  // The quantifiers after an atom (none: the atom itself).
  RxNode quantify(RxNode a) {
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
    while (more() && p[i] != '|' && p[i] != ')') {
      if (re2() && p.compare(i, 2, "\\Q") == 0) {
        quoted(c);
        continue;
      }
      c.kids.push_back(repeat());
    }
    return c;
  }

  // \Q...\E (or to the end): each character a literal of its own, as RE2 pushes them (re2
  // parse.cc), so a quantifier after \E applies to the last one; with nothing quoted, to the
  // atom before, which may not already be repeated.
  void quoted(RxNode& c) {
    i += 2;
    size_t before = c.kids.size();
    while (more()) {
      if (p.compare(i, 2, "\\E") == 0) {
        i += 2;
        break;
      }
      c.kids.push_back(rune(member()));
    }
    if (!more() || (p[i] != '*' && p[i] != '+' && p[i] != '?' && p[i] != '{')) return;
    if (c.kids.empty()) bad("nothing to repeat");
    if (c.kids.size() == before && c.kids.back().kind == RxNode::rep)
      bad("a repetition of a repetition");
    c.kids.back() = quantify(std::move(c.kids.back()));
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
  std::vector<std::vector<Regex::Branch>>& switches;
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
      case RxNode::dispatch: {
        const auto table = static_cast<uint32_t>(switches.size());
        switches.emplace_back();
        push({I::byte_switch, table, 0});
        std::vector<Regex::Branch> branches;
        std::vector<size_t> to_end;
        std::vector<uint32_t> jumps;
        for (size_t k = 0; k < n.kids.size(); ++k) {
          const RxNode& kid = n.kids[k];
          branches.push_back({static_cast<uint8_t>(n.bytes[k].first),
                              static_cast<uint8_t>(n.bytes[k].second), here()});
          if (kid.kind == RxNode::cat && kid.kids.empty()) {
            to_end.push_back(k);
            continue;
          }
          emit(kid);
          jumps.push_back(push({I::jump, 0, 0}));
        }
        for (auto j : jumps) prog[j].x = here();
        for (auto k : to_end) branches[k].target = here();
        std::sort(branches.begin(), branches.end(),
                  [](const Regex::Branch& a, const Regex::Branch& b) { return a.lo < b.lo; });
        switches[table] = std::move(branches);
        return;
      }
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
    RxCompiler c{r.m_prog, r.m_switches};
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
        case Inst::byte_switch:
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
      const Inst& in = m_prog[pc];
      uint32_t next = pc + 1;
      if (in.op == Inst::byte_set) {
        if (!m_sets[in.x][c]) continue;
      } else {  // byte_switch: the branch whose range holds c, if any
        const auto& branches = m_switches[in.x];
        auto it = std::upper_bound(branches.begin(), branches.end(), c,
                                   [](unsigned char v, const Branch& b) { return v < b.lo; });
        if (it == branches.begin() || (--it)->hi < c) continue;
        next = it->target;
      }
      if (add(nlist, next, pos + 1)) return true;
      if (out_of_steps) return std::nullopt;
    }
    if (add(nlist, 0, pos + 1)) return true;  // a match may start at any position
    if (out_of_steps) return std::nullopt;
    std::swap(clist, nlist);
  }
  return false;
}

}  // namespace ext::util
