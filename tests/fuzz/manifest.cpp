// OCI/Docker manifest, index and layout header parsing (bytes from registries and layouts).
#include "ext/oci/descriptor.hpp"
#include "ext/oci/layout.hpp"
#include "fuzz.hpp"

EXT_FUZZ_TARGET(manifest) {
  auto text = ext::fuzz::as_text(data, size);
  (void)ext::oci::detect_media_type(text);
  (void)ext::oci::LayoutHeader::parse(text);
  if (auto m = ext::oci::Manifest::parse(text)) {
    // Canonical bytes parse back to the same manifest and the same bytes.
    auto bytes = m->serialize();
    auto again = ext::oci::Manifest::parse(bytes);
    EXT_FUZZ_CHECK(again.has_value(), "a serialized manifest does not parse");
    EXT_FUZZ_CHECK(again->serialize() == bytes, "manifest round trip changed the bytes");
  }
  if (auto i = ext::oci::Index::parse(text)) {
    auto bytes = i->serialize();
    auto again = ext::oci::Index::parse(bytes);
    EXT_FUZZ_CHECK(again.has_value(), "a serialized index does not parse");
    EXT_FUZZ_CHECK(again->serialize() == bytes, "index round trip changed the bytes");
  }
  return 0;
}
