// host::flatbuffers_value: a property declared FlatBuffers (untrusted schema and buffer from
// the module). Input: a 2-byte little-endian schema length, the schema, then the buffer.
#include "ext/host/flatbuffers.hpp"
#include "fuzz.hpp"

EXT_FUZZ_TARGET(flatbuffers) {
  auto text = ext::fuzz::as_text(data, size);
  if (text.size() < 2) return 0;
  size_t n =
      static_cast<uint8_t>(text[0]) | (static_cast<size_t>(static_cast<uint8_t>(text[1])) << 8);
  text.remove_prefix(2);
  n = std::min(n, text.size());
  auto v = ext::host::flatbuffers_value(text.substr(0, n), text.substr(n));
  (void)ext::host::cel::serialize(v);
  return 0;
}
