// host::parse_proto: the foreign functions' protobuf arguments (untrusted module bytes).
#include "ext/host/proto_wire.hpp"
#include "fuzz.hpp"

EXT_FUZZ_TARGET(proto) {
  auto text = ext::fuzz::as_text(data, size);
  if (auto p = ext::host::parse_proto(text)) {
    // Re-encoding what was read gives a message that reads back the same fields.
    std::string again;
    for (const auto& [f, v] : p->varints) again += ext::host::proto_varint_field(f, v);
    for (const auto& [f, v] : p->bytes) again += ext::host::proto_bytes_field(f, v);
    auto q = ext::host::parse_proto(again);
    EXT_FUZZ_CHECK(q && q->varints == p->varints && q->bytes == p->bytes,
                   "protobuf re-encoding changed the fields");
  }
  return 0;
}
