// host::parse_proto: the foreign functions' protobuf arguments (untrusted module bytes), and
// host::proto_message_value: a property declared Protobuf, as CEL reads it (proto_message.hpp).
#include "ext/host/proto_message.hpp"
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
  // Every message type ext decodes reads any bytes as a value or a CEL error, never a crash.
  for (const char* type :
       {"google.protobuf.Struct", "google.protobuf.Value", "google.protobuf.ListValue",
        "google.protobuf.Any", "google.protobuf.Timestamp", "google.protobuf.FloatValue",
        "envoy.config.core.v3.Node", "envoy.config.core.v3.Metadata"}) {
    auto v = ext::host::proto_message_value(std::string("type.googleapis.com/") + type, text);
    (void)ext::host::cel::serialize(v);
  }
  return 0;
}
