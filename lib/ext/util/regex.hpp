// ext::util — regular expressions for untrusted text (a spec's `logs: [{regex: ...}]`, the CEL
// `matches` function of ext test's host), matched in linear time (a Pike VM: every thread advances
// in lock step over the input, so the work is bounded by pattern size × input length and no input
// length can overflow a stack, as std::regex_search did on a 200,000-character log line). The
// documented subset (docs/test-spec.md "Regular expressions"): literals, `.`, classes `[a-z]`
// `[^...]`, `\d \w \s \D \W \S`, escapes, anchors
// `^ $ \b \B`, groups `( )` `(?: )`, alternation `|`, quantifiers `* + ? {n} {n,} {n,m}` (a
// trailing `?` for laziness is accepted; it changes nothing for a yes/no search). Anything else
// (backreferences, lookaround) is a spec error naming the construct.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"

namespace ext::util {

class Regex {
 public:
  // Parses `pattern` (at most 4,096 bytes; counted repetition expands to at most 20,000
  // instructions). Error(parse) names what is wrong or unsupported.
  // The log dialect is the subset above ('.' matches neither \n nor \r). The re2 dialect is
  // what CEL's `matches` gets in Envoy (RE2 syntax, github.com/google/re2/wiki/Syntax): '.' and
  // negated classes match one UTF-8 character and not only \n is excluded, flags (?i) (?s)
  // (?m) (?U) and (?flags:re), named groups (?P<n>re) (?<n>re), \A \z, POSIX classes
  // [[:alpha:]], UTF-8 characters and ranges inside a class, Unicode classes \pL \p{Greek}
  // \PL \p{^L} \p{Any} (inside classes too; general categories and scripts from
  // unicode_tables.hpp), and (?i) by Unicode simple case folding ((?i)k matches U+212A KELVIN
  // SIGN); \C and \Q..\E are an error naming the construct. A class compiles to at most 2,048
  // UTF-8 sequences, merged into a prefix tree with byte_switch instructions where it branches.
  enum class Dialect { log, re2 };
  static Result<Regex> compile(std::string_view pattern, Dialect dialect = Dialect::log);

  // Does the pattern match anywhere in `text`? nullopt when `steps` (thread steps, decreased
  // as the search runs) ran out before an answer.
  std::optional<bool> search(std::string_view text, uint64_t& steps) const;

  size_t program_size() const { return m_prog.size(); }  // instructions (tests, limits)

  struct Inst {
    enum Op : uint8_t {
      byte_set,
      byte_switch,  // consumes one byte and goes to the target its range names (a class's tree)
      split,
      jump,
      match,
      begin,
      end,
      word,
      not_word,
      line_begin,
      line_end
    } op;
    uint32_t x = 0, y = 0;  // split targets / jump target / byte_set or byte_switch index
  };
  struct Branch {
    uint8_t lo, hi;  // a byte range, disjoint from the other branches of its switch
    uint32_t target;
  };

 private:
  std::vector<Inst> m_prog;
  std::vector<std::vector<bool>> m_sets;        // 256 entries each
  std::vector<std::vector<Branch>> m_switches;  // sorted by lo
};

}  // namespace ext::util
