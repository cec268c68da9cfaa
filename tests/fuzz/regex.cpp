// util::Regex: patterns from specs and from modules' CEL `matches` (both dialects), searched
// over text, always within the step budget.
#include "ext/util/regex.hpp"
#include "fuzz.hpp"

EXT_FUZZ_TARGET(regex) {
  auto text = ext::fuzz::as_text(data, size);
  // The first line is the pattern, the rest the text searched.
  auto nl = text.find('\n');
  auto pattern = text.substr(0, nl);
  auto subject = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
  for (auto d : {ext::util::Regex::Dialect::log, ext::util::Regex::Dialect::re2}) {
    auto re = ext::util::Regex::compile(pattern, d);
    if (!re) continue;
    uint64_t steps = 1'000'000;
    auto hit = re->search(subject, steps);
    EXT_FUZZ_CHECK(hit.has_value() || steps == 0, "a search stopped with steps left");
  }
  return 0;
}
