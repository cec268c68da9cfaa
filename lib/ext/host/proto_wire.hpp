// ext::host proto_wire — the protobuf wire format (protobuf.dev "Encoding") for the flat
// argument and result messages of Envoy's foreign functions (envoyproxy/envoy
// source/extensions/common/wasm/ext/*.proto), and the field list proto_message.hpp decodes
// messages from. No groups; in ProtoFields a field read twice keeps its last value (proto3). The
// input is bounded by the hostcall byte limit of its caller.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ext::host {

struct ProtoFields {
  std::map<uint32_t, std::string> bytes;    // wire type 2 (string, bytes)
  std::map<uint32_t, uint64_t> varints;     // wire type 0 (bool, enum, integers)
  std::string text(uint32_t field) const {  // "" when absent (the proto3 default)
    auto it = bytes.find(field);
    return it == bytes.end() ? std::string() : it->second;
  }
  uint64_t number(uint32_t field) const {
    auto it = varints.find(field);
    return it == varints.end() ? 0 : it->second;
  }
};

// nullopt for bytes that are not a well-formed message (ParseFromString would fail).
std::optional<ProtoFields> parse_proto(std::string_view message);

// Every field of a message in order, repeated ones included: wire type 0 (varint), 1 (fixed64)
// and 5 (fixed32) in `value`, 2 (length-delimited) in `bytes` (a view into the input).
struct ProtoField {
  uint32_t number = 0;
  uint8_t wire = 0;
  uint64_t value = 0;
  std::string_view bytes;
};
std::optional<std::vector<ProtoField>> proto_fields(std::string_view message);

// Encoders for result messages.
std::string proto_varint_field(uint32_t field, uint64_t value);
std::string proto_bytes_field(uint32_t field, std::string_view value);

}  // namespace ext::host
