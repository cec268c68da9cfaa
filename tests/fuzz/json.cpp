// util::parse_json (every untrusted JSON text) and util::redact (every message ext prints).
#include "ext/util/json.hpp"
#include "ext/util/strings.hpp"
#include "fuzz.hpp"

EXT_FUZZ_TARGET(json) {
  auto text = ext::fuzz::as_text(data, size);
  if (auto j = ext::util::parse_json(text)) {
    auto dumped = j->dump();
    auto again = ext::util::parse_json(dumped);
    EXT_FUZZ_CHECK(again.has_value() && *again == *j, "JSON round trip changed the value");
  }
  auto red = ext::util::redact(text);
  EXT_FUZZ_CHECK(red.size() <= text.size() + 3 * (text.size() / 2 + 1),
                 "redaction grew the text beyond one *** per two bytes");
  return 0;
}
