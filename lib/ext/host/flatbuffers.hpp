// ext::host flatbuffers — a FlatBuffers value as a CEL value, for a property the root context
// declared `FlatBuffers` (foreign function declare_property, WasmType FlatBuffers; its schema
// is a binary schema, reflection.fbs's Schema). Envoy reads such a CelState as a map over the
// root table (envoyproxy/envoy source/extensions/filters/common/expr/cel_state.cc exprValue,
// google/cel-cpp a3fb693 tools/flatbuffers_backed_impl.cc): each field of the root object by
// name; integers as int or uint, floats as double, bools, strings ("" when absent), tables as
// maps (null when absent), vectors as lists (of bytes: bytes), a vector of tables with a string
// key field as a map by that key; enums read as their integer type; unions and arrays have no
// value. Formats from
// google/flatbuffers reflection/reflection.fbs and docs "FlatBuffers internals".
// Unlike Envoy (which trusts the buffers), every offset is checked: bytes that are not a
// buffer of the schema give a CEL error, as do more than 64 nested tables or 100,000 values.
#pragma once

#include <string_view>

#include "ext/host/cel.hpp"

namespace ext::host {

cel::Value flatbuffers_value(std::string_view schema, std::string_view data);

}  // namespace ext::host
