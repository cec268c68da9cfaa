// util::Regex's RE2 dialect (what CEL's `matches` gets): Unicode classes and Unicode case
// folding (issue 17), against RE2's documented syntax (github.com/google/re2 doc/syntax.txt at
// 972a15c) and the Unicode data of lib/ext/util/unicode_tables.hpp.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>

#include "ext/host/cel.hpp"
#include "ext/util/regex.hpp"
#include "ext/util/unicode_tables.hpp"

using ext::util::Regex;

namespace {

std::string utf8(uint32_t c) {
  std::string s;
  if (c < 0x80) {
    s += static_cast<char>(c);
  } else if (c < 0x800) {
    s += static_cast<char>(0xc0 | c >> 6);
    s += static_cast<char>(0x80 | (c & 0x3f));
  } else if (c < 0x10000) {
    s += static_cast<char>(0xe0 | c >> 12);
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (c & 0x3f));
  } else {
    s += static_cast<char>(0xf0 | c >> 18);
    s += static_cast<char>(0x80 | ((c >> 12) & 0x3f));
    s += static_cast<char>(0x80 | ((c >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (c & 0x3f));
  }
  return s;
}

// Does the RE2-dialect `pattern` match `text` (anywhere)?
bool m(const std::string& pattern, const std::string& text) {
  auto re = Regex::compile(pattern, Regex::Dialect::re2);
  INFO(pattern);
  if (!re) FAIL(re.error().message());
  uint64_t steps = ext::host::cel::k_max_regex_steps;
  auto r = re->search(text, steps);
  REQUIRE(r);
  return *r;
}
// A whole-text match of one character.
bool is(const std::string& cls, uint32_t c) {
  return m("^" + cls + "$", utf8(c));
}

std::string compile_error(const std::string& pattern) {
  auto re = Regex::compile(pattern, Regex::Dialect::re2);
  return re ? "<compiled>" : re.error().message();
}

}  // namespace

TEST_CASE("regex re2: \\p general categories, one- and two-letter", "[regex]") {
  CHECK(is("\\pL", 'a'));
  CHECK(is("\\p{L}", 0x5d0));  // HEBREW LETTER ALEF
  CHECK_FALSE(is("\\pL", '1'));
  CHECK(is("\\p{Lu}", 'A'));
  CHECK(is("\\p{Lu}", 0xc9));  // É
  CHECK_FALSE(is("\\p{Lu}", 'a'));
  CHECK(is("\\p{Ll}", 0xe9));
  CHECK(is("\\p{Lt}", 0x1c5));  // ǅ
  CHECK_FALSE(is("\\p{Lt}", 0x1c4));
  CHECK(is("\\p{Lm}", 0x2b0));
  CHECK(is("\\p{Lo}", 0x4e2d));  // 中
  CHECK(is("\\pM", 0x301));
  CHECK(is("\\p{Mn}", 0x301));
  CHECK(is("\\p{Mc}", 0x903));
  CHECK(is("\\p{Me}", 0x20dd));
  CHECK(is("\\pN", 0x663));  // ARABIC-INDIC DIGIT THREE
  CHECK(is("\\p{Nd}", '7'));
  CHECK(is("\\p{Nl}", 0x2160));  // Ⅰ
  CHECK(is("\\p{No}", 0xb2));    // ²
  CHECK_FALSE(is("\\p{Nd}", 0xb2));
  CHECK(is("\\pP", '!'));
  for (auto [cat, c] : std::initializer_list<std::pair<const char*, uint32_t>>{{"Pc", '_'},
                                                                               {"Pd", '-'},
                                                                               {"Ps", '('},
                                                                               {"Pe", ')'},
                                                                               {"Pi", 0xab},
                                                                               {"Pf", 0xbb},
                                                                               {"Po", '!'},
                                                                               {"Sm", '+'},
                                                                               {"Sc", '$'},
                                                                               {"Sk", '^'},
                                                                               {"So", 0xa9},
                                                                               {"Zs", ' '},
                                                                               {"Zl", 0x2028},
                                                                               {"Zp", 0x2029},
                                                                               {"Cc", 1},
                                                                               {"Cf", 0x200b},
                                                                               {"Co", 0xe000},
                                                                               {"Co", 0x10fffd}}) {
    INFO(cat);
    CHECK(is("\\p{" + std::string(cat) + "}", c));
    CHECK(is("\\p" + std::string(1, cat[0]), c));  // and its one-letter parent
    CHECK_FALSE(is("\\P{" + std::string(cat) + "}", c));
  }
  CHECK_FALSE(is("\\pS", 'a'));
  CHECK_FALSE(is("\\pZ", '_'));
  CHECK_FALSE(is("\\pC", 'a'));
  // Surrogates are a category but never UTF-8 text: \p{Cs} compiles and matches nothing.
  CHECK_FALSE(m("\\p{Cs}", "abc\xed\xa0\x80"));
  CHECK(m("^\\P{Cs}+$", "abc\xc3\xa9"));
  // Any: every character, \n included.
  CHECK(m("^\\p{Any}{3}$", "a\n" + utf8(0x10ffff)));
}

TEST_CASE("regex re2: \\P, \\p{^..} and classes inside brackets", "[regex]") {
  CHECK(is("\\PL", '1'));
  CHECK_FALSE(is("\\PL", 0xe9));
  CHECK(is("\\PL", 0x1f600));  // an emoji, So
  CHECK(is("\\p{^L}", '1'));
  CHECK_FALSE(is("\\p{^L}", 'a'));
  CHECK(is("\\P{^L}", 'a'));  // two negations
  CHECK(is("\\P{Greek}", 'a'));
  CHECK(is("[\\p{Greek}\\d]", 0x3b1));  // α
  CHECK(is("[\\p{Greek}\\d]", '4'));
  CHECK_FALSE(is("[\\p{Greek}\\d]", 'a'));
  CHECK(is("[^\\p{L}]", '1'));
  CHECK_FALSE(is("[^\\p{L}]", 0x436));
  CHECK(is("[^\\P{L}]", 0x436));
  CHECK(is("[\\PLx]", 'x'));
  CHECK(is("[\\pN\\p{Cyrillic}_-]", '_'));
  CHECK(m("^\\p{Greek}+ \\p{Cyrillic}+$", "\xce\xb1\xce\xb2 \xd0\xb6\xd0\xb8"));
  // \b stays ASCII (RE2): a boundary between x and é, none after é.
  CHECK(m("^\\w\\b\\pL", "x\xc3\xa9"));
  CHECK_FALSE(m("^\\w\\pL\\b", "x\xc3\xa9"));
  // Errors name the construct.
  CHECK(compile_error("\\p{Klingon}").find("unknown Unicode class \\p{Klingon}") !=
        std::string::npos);
  CHECK(compile_error("\\p{greek}").find("unknown Unicode class") != std::string::npos);
  CHECK(compile_error("\\p").find("missing Unicode class name") != std::string::npos);
  CHECK(compile_error("\\p{L").find("missing }") != std::string::npos);
  CHECK(compile_error("[a-\\pL]").find("range ending in a class escape") != std::string::npos);
  // The log dialect (spec `logs: [{regex}]`) keeps its documented subset.
  CHECK_FALSE(Regex::compile("\\pL"));
}

TEST_CASE("regex re2: every script of Unicode's Scripts.txt is a class", "[regex]") {
  CHECK(is("\\p{Greek}", 0x3a9));
  CHECK(is("\\p{Latin}", 'z'));
  CHECK(is("\\p{Latin}", 0xe9));
  CHECK(is("\\p{Cyrillic}", 0x416));
  CHECK(is("\\p{Han}", 0x4e2d));
  CHECK(is("\\p{Han}", 0x20000));  // CJK Extension B
  CHECK(is("\\p{Arabic}", 0x628));
  CHECK(is("\\p{Hiragana}", 0x3042));
  CHECK(is("\\p{Common}", '1'));
  CHECK(is("\\p{Inherited}", 0x301));
  CHECK_FALSE(is("\\p{Greek}", 'a'));
  CHECK_FALSE(is("\\p{Latin}", 0x3b1));
  // Each script named in the Unicode data the tables were generated from (Debian's
  // unicode-data, scripts/setup) matches its first listed code point.
  std::ifstream in("/usr/share/unicode/Scripts.txt");
  REQUIRE(in);
  CHECK(std::string(ext::util::unicode::k_version) == "15.0.0");
  std::set<std::string> seen;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    auto semi = line.find(';');
    auto hash = line.find('#');
    std::string name = line.substr(semi + 1, hash - semi - 1);
    name.erase(0, name.find_first_not_of(' '));
    name.erase(name.find_last_not_of(' ') + 1);
    if (!seen.insert(name).second) continue;
    uint32_t first =
        static_cast<uint32_t>(std::stoul(line.substr(0, line.find_first_of(". ;")), nullptr, 16));
    INFO(name);
    CHECK(is("\\p{" + name + "}", first));
    CHECK_FALSE(is("\\P{" + name + "}", first));
  }
  CHECK(seen.size() == 163);  // Unicode 15.0: Common, Inherited and 161 others
}

TEST_CASE("regex re2: (?i) uses Unicode simple case folding", "[regex]") {
  CHECK(m("(?i)\xc3\xa9", "\xc3\x89"));        // é matches É
  CHECK(m("(?i)\xc3\x89", "\xc3\xa9"));        // and back
  CHECK_FALSE(m("\xc3\xa9", "\xc3\x89"));      // only under (?i)
  CHECK(m("(?i)k", "\xe2\x84\xaa"));           // U+212A KELVIN SIGN
  CHECK(m("(?i)\xe2\x84\xaa", "K"));           // and back
  CHECK(m("(?i)s", "\xc5\xbf"));               // U+017F LONG S
  CHECK(m("^(?i)\xcf\x83$", "\xcf\x82"));      // σ matches ς
  CHECK(m("^(?i)\xcf\x83$", "\xce\xa3"));      // and Σ
  CHECK(m("^(?i)\xcf\x82$", "\xce\xa3"));      // ς matches Σ
  CHECK(m("^(?i)\xc7\x85$", "\xc7\x86"));      // ǅ matches ǆ (and Ǆ)
  CHECK(m("^(?i)\xc3\x9f$", "\xe1\xba\x9e"));  // ß matches ẞ (status S)
  CHECK_FALSE(m("^(?i)\xc3\x9f$", "ss"));      // full folding (F) is not used, as in RE2
  CHECK(
      m("(?i)stra\xc3\x9f"
        "e",
        "STRA\xe1\xba\x9e"
        "E"));
  CHECK(m("^(?i)[a-z]+$",
          "\xe2\x84\xaa"
          "ELVIN"));                                           // ranges fold too
  CHECK(m("^(?i)[\xd0\xb0-\xd1\x8f]+$", "\xd0\x96\xd0\x98"));  // [а-я] matches ЖИ
  CHECK_FALSE(m("^(?i)[^k]$", "\xe2\x84\xaa"));                // folded before negation
  CHECK(m("^[^k]$", "\xe2\x84\xaa"));
  CHECK_FALSE(m("^(?i)\\W$", "\xe2\x84\xaa"));  // \W is the negation of folded \w (RE2)
  CHECK(m("^(?i)\\p{Lu}$", "a"));               // classes fold: (?i)\p{Lu} = cased letters
  CHECK_FALSE(m("^(?i)\\P{Lu}$", "a"));
  CHECK(m("^(?i)\\x{e9}|(?i)\\xc9$", "\xc3\xa9"));  // \xC9 is U+00C9 É, folded
  CHECK(m("^(?i:\xce\xb1)\xce\xb2$", "\xce\x91\xce\xb2"));
  CHECK_FALSE(m("^(?i:\xce\xb1)\xce\xb2$", "\xce\x91\xce\x92"));  // the flag ends with its group
  // Invalid UTF-8 in a pattern is an error (RE2 refuses it too).
  CHECK(compile_error("a\xff").find("invalid UTF-8") != std::string::npos);
}

TEST_CASE("regex re2: Unicode classes stay within the size limits and the step budget", "[regex]") {
  // A class becomes a prefix tree of UTF-8 byte ranges, a byte_switch where it branches: \p{L}
  // (659 ranges) stays small.
  auto letters = Regex::compile("\\p{L}", Regex::Dialect::re2);
  REQUIRE(letters);
  CHECK(letters->program_size() < 1000);
  auto any = Regex::compile("[^\\p{Cs}]", Regex::Dialect::re2);
  REQUIRE(any);
  CHECK(any->program_size() < 60);
  auto dot = Regex::compile(".", Regex::Dialect::re2);  // RE2's loose U+0080..U+10FFFF form
  REQUIRE(dot);
  CHECK(dot->program_size() < 20);
  // The largest classes (every group at once, and its folded negation) compile.
  std::string all;
  for (const char* g : {"L", "M", "N", "P", "S", "Z", "C", "Greek", "Han"})
    all += "\\p{" + std::string(g) + "}";
  CHECK(Regex::compile("[" + all + "]", Regex::Dialect::re2));
  CHECK(Regex::compile("(?i)[^" + all + "]", Regex::Dialect::re2));
  const std::string twelve =
      "\\p{Lu}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Po}\\p{So}\\p{Sm}\\p{Cf}\\p{Lm}\\p{Sk}\\p{Ps}\\p{Pe}";
  auto big = Regex::compile("[" + twelve + "]", Regex::Dialect::re2);  // 1,207 ranges
  REQUIRE(big);
  CHECK(big->program_size() < 1000);
  // A class of 1,300 scattered characters on top of those passes 2,048 UTF-8 sequences: refused
  // with the limit, not compiled.
  std::string sparse;
  for (uint32_t c = 0x4e00; c < 0x4e00 + 2 * 1300; c += 2) sparse += utf8(c);
  CHECK(Regex::compile("[" + sparse + "]", Regex::Dialect::re2));
  auto refused = compile_error("(?i)[" + sparse + twelve + "]");
  CHECK(refused.find("a class with too many ranges (over 2,048 UTF-8 sequences)") !=
        std::string::npos);
  // Repeating a big class runs into the program limit (20,000 instructions).
  CHECK(compile_error("\\p{L}{40}").find("over 20,000 instructions") != std::string::npos);
  CHECK(compile_error("(?:\\p{L}\\p{N}\\p{Greek}\\p{Han}){40}").find("over 20,000") !=
        std::string::npos);
  std::string many;  // a 4,096-byte pattern of classes stops at the limit
  while (many.size() + 3 <= 4096) many += "\\pL";
  CHECK(compile_error(many).find("over 20,000 instructions") != std::string::npos);
  std::string dots = "(?i)";  // each '.' folded once, then reused
  while (dots.size() < 4096) dots += ".";
  CHECK(compile_error(dots).find("over 20,000 instructions") != std::string::npos);
  CHECK(m("^(?i).\\PL.\\PL$", "a1b2"));
  // Matching stays linear: 100,000 letters from four scripts well within CEL's 50,000,000
  // steps.
  std::string text;
  for (int k = 0; k < 25000; ++k) text += "a\xce\xb1\xd0\xb6\xe4\xb8\xad";
  auto re = Regex::compile("^[\\p{Latin}\\p{Greek}\\p{Cyrillic}\\p{Han}]+$", Regex::Dialect::re2);
  REQUIRE(re);
  uint64_t steps = ext::host::cel::k_max_regex_steps;
  auto r = re->search(text, steps);
  REQUIRE(r);
  CHECK(*r);
  uint64_t used = ext::host::cel::k_max_regex_steps - steps;
  INFO("steps used: " << used << " for " << text.size() << " bytes");
  CHECK(used < 6 * text.size());  // 4 per byte
  // Unanchored, a thread starts at every byte: still linear (about 10,000,000 bytes of text
  // fit the budget).
  auto letters_run = Regex::compile("\\p{L}+\\d", Regex::Dialect::re2);
  REQUIRE(letters_run);
  steps = ext::host::cel::k_max_regex_steps;
  r = letters_run->search(text, steps);
  REQUIRE(r);
  CHECK_FALSE(*r);
  used = ext::host::cel::k_max_regex_steps - steps;
  INFO("steps used: " << used << " for " << text.size() << " bytes");
  CHECK(used < 8 * text.size());  // 5 per byte: one switch per character, not 60 branches
}

TEST_CASE("regex re2: a class matches exactly its code points (checked against the tables)",
          "[regex]") {
  namespace uc = ext::util::unicode;
  auto in_group = [](std::string_view name, uint32_t c) {
    for (const auto& r : uc::group(name))
      if (c >= r.lo && c <= r.hi) return true;
    return false;
  };
  auto orbit_in = [&](std::string_view name, uint32_t c) {
    uint32_t x = c;
    do {
      if (in_group(name, x)) return true;
      x = uc::fold_next(x);
    } while (x != c);
    return false;
  };
  struct Case {
    const char* pattern;
    std::function<bool(uint32_t)> expected;
  };
  const std::vector<Case> cases = {
      {"^\\p{Lu}$", [&](uint32_t c) { return in_group("Lu", c); }},
      {"^\\P{L}$", [&](uint32_t c) { return !in_group("L", c); }},
      {"^(?i)\\p{Greek}$", [&](uint32_t c) { return orbit_in("Greek", c); }},
      {"^[^\\p{L}\\p{Nd}x]$",
       [&](uint32_t c) { return !in_group("L", c) && !in_group("Nd", c) && c != 'x'; }},
      {"^[\\p{Han}\\p{Hiragana}\\x{1F600}-\\x{1F64F}]$",
       [&](uint32_t c) {
         return in_group("Han", c) || in_group("Hiragana", c) || (c >= 0x1f600 && c <= 0x1f64f);
       }},
  };
  for (const auto& cs : cases) {
    auto re = Regex::compile(cs.pattern, Regex::Dialect::re2);
    REQUIRE(re);
    int wrong = 0, checked = 0;
    // Every code point below U+3400, then every 31st (surrogates are not UTF-8).
    for (uint32_t c = 0; c <= 0x10ffff; c += c < 0x3400 ? 1 : 31) {
      if (c >= 0xd800 && c <= 0xdfff) continue;
      uint64_t steps = 1000;
      auto r = re->search(utf8(c), steps);
      ++checked;
      if (!r || *r != cs.expected(c)) {
        if (++wrong <= 5) UNSCOPED_INFO(cs.pattern << " U+" << std::hex << c);
      }
    }
    CHECK(wrong == 0);
    CHECK(checked > 45000);
  }
}

// RE2 parse.cc at 972a15c: \C is kRegexpAnyByte; \Q...\E pushes each character as a literal.
TEST_CASE("regex re2: \\C matches any one byte, \\Q...\\E quotes literal text", "[regex]") {
  CHECK(m("^a\\Cb$", "axb"));
  CHECK(m("^\\C\\C$", utf8(0xe9)));  // é is two bytes
  CHECK_FALSE(m("^\\C$", utf8(0xe9)));
  CHECK(m("^.$", utf8(0xe9)));  // while . is one character
  CHECK(m("^\\Qa.b*\\E$", "a.b*"));
  CHECK_FALSE(m("^\\Qa.b*\\E$", "axbb"));
  CHECK(m("^\\Q(a|b)", "(a|b)c"));  // no \E: to the end of the pattern
  CHECK(m("^\\Qab\\E*$", "a"));     // the quantifier repeats the last quoted character
  CHECK(m("^\\Qab\\E*$", "abbb"));
  CHECK_FALSE(m("^\\Qab\\E*$", "abab"));
  CHECK(m("^x\\Q\\E+$", "xxx"));  // nothing quoted: the atom before
  CHECK(m("(?i)^\\QÉ.\\E$", utf8(0xe9) + "."));
  CHECK_THAT(compile_error("a*\\Q\\E*"), Catch::Contains("repetition"));
  CHECK_THAT(compile_error("\\Q\\E*"), Catch::Contains("nothing to repeat"));
}
