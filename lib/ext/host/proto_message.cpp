#include "ext/host/proto_message.hpp"

#include <cstring>
#include <optional>
#include <string>

#include "ext/host/proto_wire.hpp"

namespace ext::host {
namespace {

using cel::Value;

constexpr int k_max_depth = 100;  // protobuf's default recursion limit (ParsePartialFromString)

struct Failed {};  // the bytes do not parse as the message

const std::string k_wkt = "google.protobuf.";
const std::string k_core = "envoy.config.core.v3.";

std::vector<ProtoField> fields_of(std::string_view bytes, int depth) {
  if (depth > k_max_depth) throw Failed{};
  auto f = proto_fields(bytes);
  if (!f) throw Failed{};
  return std::move(*f);
}

double as_double(uint64_t bits) {
  double d;
  std::memcpy(&d, &bits, sizeof d);
  return d;
}
float as_float(uint64_t bits) {
  auto b = static_cast<uint32_t>(bits);
  float f;
  std::memcpy(&f, &b, sizeof f);
  return f;
}

Value message_value(const std::string& name, std::string_view bytes, int depth);

Value struct_value(std::string_view bytes, int depth);

// google.protobuf.Value: its kind (null_value 1, number_value 2, string_value 3, bool_value 4,
// struct_value 5, list_value 6; the last one set wins, as for a oneof); no kind is null.
Value value_value(std::string_view bytes, int depth) {
  Value out;  // null
  for (const auto& f : fields_of(bytes, depth)) {
    if (f.number == 1 && f.wire == 0) out = Value();
    if (f.number == 2 && f.wire == 1) out = Value::dbl(as_double(f.value));
    if (f.number == 3 && f.wire == 2) out = Value::string(std::string(f.bytes));
    if (f.number == 4 && f.wire == 0) out = Value::boolean(f.value != 0);
    if (f.number == 5 && f.wire == 2) out = struct_value(f.bytes, depth + 1);
    if (f.number == 6 && f.wire == 2) {
      cel::List items;
      for (const auto& g : fields_of(f.bytes, depth + 1))
        if (g.number == 1 && g.wire == 2) items.push_back(value_value(g.bytes, depth + 2));
      out = Value::of_list(std::move(items));
    }
  }
  return out;
}

// A map<string, M> field's entry (key 1, value 2).
std::pair<std::string, std::string_view> map_entry(std::string_view bytes, int depth) {
  std::pair<std::string, std::string_view> out;
  for (const auto& f : fields_of(bytes, depth)) {
    if (f.number == 1 && f.wire == 2) out.first = std::string(f.bytes);
    if (f.number == 2 && f.wire == 2) out.second = f.bytes;
  }
  return out;
}

void put(cel::Map& m, const std::string& key, Value v) {
  for (auto& [k, x] : m)
    if (k.s == key) {
      x = std::move(v);  // a map key seen again: the last entry wins
      return;
    }
  m.emplace_back(Value::string(key), std::move(v));
}

// google.protobuf.Struct: map<string, Value> fields = 1.
Value struct_value(std::string_view bytes, int depth) {
  cel::Map m;
  for (const auto& f : fields_of(bytes, depth))
    if (f.number == 1 && f.wire == 2) {
      auto [key, value] = map_entry(f.bytes, depth + 1);
      put(m, key, value_value(value, depth + 2));
    }
  return Value::of_map(std::move(m));
}

Value tagged(cel::Map m, const std::string& name) {
  auto v = Value::of_map(std::move(m));
  v.message = name;
  return v;
}

// Envoy's messages ext models, with proto3 defaults for the fields it has.
Value core_message(const std::string& name, std::string_view bytes, int depth) {
  cel::Map m;
  auto text = [&](const char* key, uint32_t number, const std::vector<ProtoField>& fs) {
    std::string v;
    for (const auto& f : fs)
      if (f.number == number && f.wire == 2) v = std::string(f.bytes);
    put(m, key, Value::string(v));
  };
  auto fs = fields_of(bytes, depth);
  if (name == k_core + "Locality") {
    text("region", 1, fs);
    text("zone", 2, fs);
    text("sub_zone", 3, fs);
  } else if (name == k_core + "Metadata") {
    cel::Map fm;
    for (const auto& f : fs)
      if (f.number == 1 && f.wire == 2) {
        auto [key, value] = map_entry(f.bytes, depth + 1);
        put(fm, key, struct_value(value, depth + 2));
      }
    put(m, "filter_metadata", Value::of_map(std::move(fm)));
  } else {  // Node
    text("id", 1, fs);
    text("cluster", 2, fs);
    Value metadata = Value::of_map({});
    std::optional<Value> locality;
    for (const auto& f : fs) {
      if (f.number == 3 && f.wire == 2) metadata = struct_value(f.bytes, depth + 1);
      if (f.number == 4 && f.wire == 2)
        locality = message_value(k_core + "Locality", f.bytes, depth + 1);
    }
    put(m, "metadata", std::move(metadata));
    if (locality) put(m, "locality", std::move(*locality));
    text("user_agent_name", 6, fs);
    text("user_agent_version", 7, fs);
  }
  return tagged(std::move(m), name);
}

std::optional<Value> any_value(std::string_view type_url, std::string_view bytes, int depth);

Value message_value(const std::string& name, std::string_view bytes, int depth) {
  if (name == k_wkt + "Struct") return struct_value(bytes, depth);
  if (name == k_wkt + "Value") return value_value(bytes, depth);
  if (name == k_wkt + "ListValue") {
    cel::List items;
    for (const auto& f : fields_of(bytes, depth))
      if (f.number == 1 && f.wire == 2) items.push_back(value_value(f.bytes, depth + 1));
    return Value::of_list(std::move(items));
  }
  if (name == k_wkt + "Timestamp" || name == k_wkt + "Duration") {
    int64_t seconds = 0, nanos = 0;
    for (const auto& f : fields_of(bytes, depth)) {
      if (f.number == 1 && f.wire == 0) seconds = static_cast<int64_t>(f.value);
      if (f.number == 2 && f.wire == 0) nanos = static_cast<int32_t>(f.value);
    }
    seconds += nanos / 1000000000;
    nanos %= 1000000000;
    if (nanos < 0) {
      seconds -= 1;
      nanos += 1000000000;
    }
    auto n = static_cast<int32_t>(nanos);
    return name == k_wkt + "Timestamp" ? Value::timestamp(seconds, n) : Value::duration(seconds, n);
  }
  if (name == k_wkt + "Any") {
    std::string url;
    std::string_view value;
    for (const auto& f : fields_of(bytes, depth)) {
      if (f.number == 1 && f.wire == 2) url = std::string(f.bytes);
      if (f.number == 2 && f.wire == 2) value = f.bytes;
    }
    auto v = any_value(url, value, depth + 1);
    return v ? *v : Value::error("Descriptor not found");
  }
  // Wrappers: their `value` (field 1), widened as CEL does (int32 to int, float to double).
  struct Wrapper {
    const char* name;
    uint8_t wire;
  };
  static const Wrapper wrappers[] = {{"DoubleValue", 1}, {"FloatValue", 5},  {"Int64Value", 0},
                                     {"UInt64Value", 0}, {"Int32Value", 0},  {"UInt32Value", 0},
                                     {"BoolValue", 0},   {"StringValue", 2}, {"BytesValue", 2}};
  for (const auto& w : wrappers) {
    if (name != k_wkt + w.name) continue;
    const ProtoField* last = nullptr;
    auto fs = fields_of(bytes, depth);
    for (const auto& f : fs)
      if (f.number == 1 && f.wire == w.wire) last = &f;
    std::string_view kind = w.name;
    uint64_t raw = last ? last->value : 0;
    std::string text = last ? std::string(last->bytes) : std::string();
    if (kind == "DoubleValue") return Value::dbl(as_double(raw));
    if (kind == "FloatValue") return Value::dbl(static_cast<double>(as_float(raw)));
    if (kind == "Int64Value") return Value::int64(static_cast<int64_t>(raw));
    if (kind == "Int32Value") return Value::int64(static_cast<int32_t>(raw));
    if (kind == "UInt64Value") return Value::uint64(raw);
    if (kind == "UInt32Value") return Value::uint64(static_cast<uint32_t>(raw));
    if (kind == "BoolValue") return Value::boolean(raw != 0);
    if (kind == "StringValue") return Value::string(text);
    return Value::bytes(text);
  }
  if (name == k_core + "Node" || name == k_core + "Metadata" || name == k_core + "Locality")
    return core_message(name, bytes, depth);
  // Messages without a CEL form of their own: their fields (FieldMask's repeated paths = 1).
  if (name == k_wkt + "Empty") {
    (void)fields_of(bytes, depth);
    return tagged({}, name);
  }
  if (name == k_wkt + "FieldMask") {
    cel::List paths;
    for (const auto& f : fields_of(bytes, depth))
      if (f.number == 1 && f.wire == 2) paths.push_back(Value::string(std::string(f.bytes)));
    cel::Map m;
    m.emplace_back(Value::string("paths"), Value::of_list(std::move(paths)));
    return tagged(std::move(m), name);
  }
  return Value::error("Descriptor not found");  // callers check known_type first
}

bool known_type(const std::string& name) {
  static const char* names[] = {
      "Struct",      "Value",       "ListValue",  "Timestamp",   "Duration",   "Any",
      "DoubleValue", "FloatValue",  "Int64Value", "UInt64Value", "Int32Value", "UInt32Value",
      "BoolValue",   "StringValue", "BytesValue", "Empty",       "FieldMask"};
  for (const char* n : names)
    if (name == k_wkt + n) return true;
  return name == k_core + "Node" || name == k_core + "Metadata" || name == k_core + "Locality";
}

// nullopt: a type ext does not know.
std::optional<Value> any_value(std::string_view type_url, std::string_view bytes, int depth) {
  auto slash = type_url.rfind('/');
  if (slash == std::string_view::npos) return Value::error("Malformed type_url string");
  std::string name(type_url.substr(slash + 1));
  if (!known_type(name)) return std::nullopt;
  try {
    return message_value(name, bytes, depth);
  } catch (const Failed&) {
    return Value::error("Failed to unpack Any into message");
  }
}

}  // namespace

Value proto_message_value(std::string_view type_url, std::string_view bytes) {
  auto v = any_value(type_url, bytes, 0);
  if (v) return *v;
  std::string name(type_url.substr(type_url.rfind('/') + 1));
  // Envoy's own messages (envoy.*, xds.*, udpa.*, google.*) are in its descriptor pool and
  // would read as messages; any other type is not, and cel-cpp reports that.
  for (const char* prefix : {"envoy.", "xds.", "udpa.", "google."})
    if (name.rfind(prefix, 0) == 0)
      return Value::error("ext does not model the message type " + name +
                          " (Envoy reads it from its descriptor pool; docs/test-spec.md)");
  return Value::error("Descriptor not found");
}

}  // namespace ext::host
