// The image reference parser (`ext pull REF`, names in manifests and index.json).
#include "ext/ref/reference.hpp"

#include "fuzz.hpp"

EXT_FUZZ_TARGET(reference) {
  auto text = ext::fuzz::as_text(data, size);
  auto ref = ext::ref::Reference::parse(text);
  if (!ref) return 0;
  // What we print parses back to the same reference.
  auto printed = ref->to_string();
  auto again = ext::ref::Reference::parse(printed);
  EXT_FUZZ_CHECK(again.has_value(), "a parsed reference prints as text that does not parse");
  EXT_FUZZ_CHECK(again->to_string() == printed, "reference round trip changed the text");
  (void)ref->identifier();
  (void)ref->endpoint_host();
  (void)ref->name();
  return 0;
}
