// ext::host proto_message — a protobuf message as a CEL value, for a property the root context
// declared `Protobuf` (foreign function declare_property, WasmType Protobuf; its schema is a
// type URL). Envoy wraps the stored bytes in an Any with that URL (envoyproxy/envoy
// source/extensions/filters/common/expr/cel_state.cc serializeAsProto) and cel-cpp unpacks it
// from Envoy's descriptor pool (google/cel-cpp a3fb693 eval/public/structs/
// cel_proto_wrap_util.cc ValueFromMessage(Any)): a URL without '/' is the error "Malformed
// type_url string", a type Envoy does not have "Descriptor not found", bytes that do not parse
// "Failed to unpack Any into message". ext decodes the well-known types, unwrapped as cel-cpp
// does (Struct a map, Value its kind, ListValue a list, the wrappers their value, Timestamp,
// Duration, Any what it holds; Empty and FieldMask as messages), and Envoy's Node, Metadata and
// Locality (envoyproxy/data-plane-api 84e8436 envoy/config/core/v3/base.proto).
// docs/test-spec.md "Remaining differences".
#pragma once

#include <string_view>

#include "ext/host/cel.hpp"

namespace ext::host {

// The CEL value of `bytes` as the message `type_url` names; a CEL error value when Envoy's
// would be one, or when the type is one of Envoy's that ext does not model (the message says
// so). Nesting deeper than protobuf's default recursion limit (100) does not parse.
cel::Value proto_message_value(std::string_view type_url, std::string_view bytes);

}  // namespace ext::host
