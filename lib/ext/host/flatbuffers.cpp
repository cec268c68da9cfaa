#include "ext/host/flatbuffers.hpp"

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

namespace ext::host {
namespace {

using cel::Value;

constexpr int k_max_depth = 64;
constexpr size_t k_max_values = 100000;

struct Bad {};  // the bytes are not a well-formed buffer

// reflection.fbs BaseType.
enum Base : uint8_t {
  t_none,
  t_utype,
  t_bool,
  t_byte,
  t_ubyte,
  t_short,
  t_ushort,
  t_int,
  t_uint,
  t_long,
  t_ulong,
  t_float,
  t_double,
  t_string,
  t_vector,
  t_obj,
  t_union
};

// One FlatBuffers buffer, every read bounds-checked.
struct Buffer {
  std::string_view b;

  template <class T>
  T read(uint64_t pos) const {
    if (pos > b.size() || b.size() - pos < sizeof(T)) throw Bad{};
    T v;
    std::memcpy(&v, b.data() + pos, sizeof v);  // little-endian, as FlatBuffers is
    return v;
  }
  // The target of a uoffset stored at `pos`.
  uint64_t deref(uint64_t pos) const { return pos + read<uint32_t>(pos); }
  uint64_t root() const { return deref(0); }
  // The position of field `voffset` (4 + 2 * id) of the table at `table`, or 0 when absent.
  uint64_t field(uint64_t table, uint16_t voffset) const {
    int64_t vtable = static_cast<int64_t>(table) - read<int32_t>(table);
    if (vtable < 0) throw Bad{};
    auto vt = static_cast<uint64_t>(vtable);
    uint16_t vsize = read<uint16_t>(vt);
    if (voffset + 2u > vsize) return 0;
    uint16_t off = read<uint16_t>(vt + voffset);
    return off ? table + off : 0;
  }
  std::string string_at(uint64_t pos) const {  // a string object: length, bytes
    uint32_t n = read<uint32_t>(pos);
    if (pos + 4 > b.size() || b.size() - pos - 4 < n) throw Bad{};
    return std::string(b.substr(pos + 4, n));
  }
  // Scalar fields of a table (the schema's own tables have no defaults ext needs).
  template <class T>
  T scalar(uint64_t table, uint16_t id, T def) const {
    uint64_t p = field(table, static_cast<uint16_t>(4 + 2 * id));
    return p ? read<T>(p) : def;
  }
  std::optional<uint64_t> ref(uint64_t table, uint16_t id) const {
    uint64_t p = field(table, static_cast<uint16_t>(4 + 2 * id));
    if (!p) return std::nullopt;
    return deref(p);
  }
  std::string text(uint64_t table, uint16_t id) const {
    auto p = ref(table, id);
    return p ? string_at(*p) : std::string();
  }
  uint32_t count(uint64_t vec) const { return read<uint32_t>(vec); }
};

// reflection.fbs: Schema {objects 0, enums 1, file_ident 2, file_ext 3, root_table 4};
// Object {name 0, fields 1, is_struct 2, ...}; Field {name 0, type 1, id 2, offset 3,
// default_integer 4, default_real 5, deprecated 6, required 7, key 8}; Type {base_type 0,
// element 1, index 2 (-1 by default)}.
struct FieldInfo {
  std::string name;
  uint8_t base = t_none, element = t_none;
  int32_t index = -1;
  uint16_t offset = 0;
  int64_t default_integer = 0;
  double default_real = 0;
  bool key = false;
};
struct ObjectInfo {
  bool is_struct = false;
  std::vector<FieldInfo> fields;
};

struct Reader {
  Buffer schema, data;
  std::vector<std::optional<ObjectInfo>> objects;  // parsed on demand
  uint64_t objects_vec = 0;
  size_t values = 0;

  ObjectInfo parse_object(uint64_t obj) {
    ObjectInfo o;
    o.is_struct = schema.scalar<uint8_t>(obj, 2, 0) != 0;
    auto fields = schema.ref(obj, 1);
    if (!fields) return o;
    uint32_t n = schema.count(*fields);
    if (n > schema.b.size() / 4) throw Bad{};
    for (uint32_t i = 0; i < n; ++i) {
      uint64_t f = schema.deref(*fields + 4 + 4ull * i);
      FieldInfo fi;
      fi.name = schema.text(f, 0);
      if (auto type = schema.ref(f, 1)) {
        fi.base = schema.scalar<uint8_t>(*type, 0, t_none);
        fi.element = schema.scalar<uint8_t>(*type, 1, t_none);
        fi.index = schema.scalar<int32_t>(*type, 2, -1);
      }
      fi.offset = schema.scalar<uint16_t>(f, 3, 0);
      fi.default_integer = schema.scalar<int64_t>(f, 4, 0);
      fi.default_real = schema.scalar<double>(f, 5, 0.0);
      fi.key = schema.scalar<uint8_t>(f, 8, 0) != 0;
      o.fields.push_back(std::move(fi));
    }
    return o;
  }
  const ObjectInfo& object(int32_t index) {
    if (index < 0 || static_cast<size_t>(index) >= objects.size()) throw Bad{};
    auto& slot = objects[static_cast<size_t>(index)];
    if (!slot) slot = parse_object(schema.deref(objects_vec + 4 + 4ull * index));
    return *slot;
  }

  void count_value() {
    if (++values > k_max_values) throw Bad{};
  }

  template <class T>
  Value integer(uint64_t pos) {
    T v = data.read<T>(pos);
    if constexpr (std::is_signed_v<T>) return Value::int64(v);
    return Value::uint64(v);
  }
  std::optional<Value> element(uint8_t type, uint64_t pos) {
    switch (type) {
      case t_bool:
        return Value::boolean(data.read<int8_t>(pos) != 0);
      case t_byte:
        return integer<int8_t>(pos);
      case t_ubyte:
        return integer<uint8_t>(pos);
      case t_short:
        return integer<int16_t>(pos);
      case t_ushort:
        return integer<uint16_t>(pos);
      case t_int:
        return integer<int32_t>(pos);
      case t_uint:
        return integer<uint32_t>(pos);
      case t_long:
        return integer<int64_t>(pos);
      case t_ulong:
        return integer<uint64_t>(pos);
      case t_float:
        return Value::dbl(static_cast<double>(data.read<float>(pos)));
      case t_double:
        return Value::dbl(data.read<double>(pos));
      default:
        return std::nullopt;
    }
  }
  static size_t width(uint8_t type) {
    switch (type) {
      case t_bool:
      case t_byte:
      case t_ubyte:
        return 1;
      case t_short:
      case t_ushort:
        return 2;
      case t_int:
      case t_uint:
      case t_float:
        return 4;
      case t_long:
      case t_ulong:
      case t_double:
        return 8;
      default:
        return 0;
    }
  }

  Value table(uint64_t table, const ObjectInfo& o, int depth) {
    if (depth > k_max_depth || o.is_struct) throw Bad{};
    cel::Map m;
    for (const auto& f : o.fields) {
      count_value();
      auto v = field(table, f, depth);
      if (v) m.emplace_back(Value::string(f.name), std::move(*v));
    }
    return Value::of_map(std::move(m));
  }

  std::optional<Value> field(uint64_t t, const FieldInfo& f, int depth) {
    uint64_t p = data.field(t, f.offset);
    switch (f.base) {
      case t_bool:
        return p ? *element(f.base, p) : Value::boolean(f.default_integer != 0);
      case t_byte:
      case t_short:
      case t_int:
      case t_long:
        return p ? *element(f.base, p) : Value::int64(f.default_integer);
      case t_ubyte:
      case t_ushort:
      case t_uint:
      case t_ulong:
        return p ? *element(f.base, p) : Value::uint64(static_cast<uint64_t>(f.default_integer));
      case t_float:
      case t_double:
        return p ? *element(f.base, p) : Value::dbl(f.default_real);
      case t_string:
        return Value::string(p ? data.string_at(data.deref(p)) : std::string());
      case t_obj: {
        const ObjectInfo& o = object(f.index);
        if (!p) return Value();  // null
        return table(data.deref(p), o, depth + 1);
      }
      case t_vector:
        return vector(p ? std::optional<uint64_t>(data.deref(p)) : std::nullopt, f, depth);
      default:  // enums read as their integer type; unions and arrays have no value
        return std::nullopt;
    }
  }

  std::optional<Value> vector(std::optional<uint64_t> vec, const FieldInfo& f, int depth) {
    uint32_t n = vec ? data.count(*vec) : 0;
    uint64_t first = vec ? *vec + 4 : 0;
    if (f.element == t_byte || f.element == t_ubyte) {
      if (vec && (first > data.b.size() || data.b.size() - first < n)) throw Bad{};
      return Value::bytes(vec ? std::string(data.b.substr(first, n)) : std::string());
    }
    if (size_t w = width(f.element)) {
      if (vec && (data.b.size() - std::min<uint64_t>(first, data.b.size())) / w < n) throw Bad{};
      cel::List out;
      for (uint32_t i = 0; i < n; ++i) {
        count_value();
        out.push_back(*element(f.element, first + uint64_t(i) * w));
      }
      return Value::of_list(std::move(out));
    }
    if (f.element == t_string) {
      cel::List out;
      for (uint32_t i = 0; i < n; ++i) {
        count_value();
        out.push_back(Value::string(data.string_at(data.deref(first + 4ull * i))));
      }
      return Value::of_list(std::move(out));
    }
    if (f.element == t_obj) {
      const ObjectInfo& o = object(f.index);
      const FieldInfo* key = nullptr;
      for (const auto& x : o.fields)
        if (x.key && x.base == t_string) {
          key = &x;
          break;
        }
      cel::List list;
      cel::Map map;
      for (uint32_t i = 0; i < n; ++i) {
        count_value();
        uint64_t t = data.deref(first + 4ull * i);
        Value v = table(t, o, depth + 1);
        if (!key) {
          list.push_back(std::move(v));
          continue;
        }
        uint64_t kp = data.field(t, key->offset);
        std::string k = kp ? data.string_at(data.deref(kp)) : std::string();
        bool seen = false;
        for (const auto& [mk, mv] : map) seen |= mk.s == k;
        if (!seen) map.emplace_back(Value::string(k), std::move(v));
      }
      return key ? Value::of_map(std::move(map)) : Value::of_list(std::move(list));
    }
    return std::nullopt;
  }
};

}  // namespace

Value flatbuffers_value(std::string_view schema, std::string_view data) {
  try {
    Reader r{Buffer{schema}, Buffer{data}, {}, 0, 0};
    uint64_t root_schema = r.schema.root();
    auto objects = r.schema.ref(root_schema, 0);
    auto root_table = r.schema.ref(root_schema, 4);
    if (!objects || !root_table) throw Bad{};
    r.objects_vec = *objects;
    uint32_t n = r.schema.count(*objects);
    if (n > schema.size() / 4) throw Bad{};
    r.objects.resize(n);
    ObjectInfo root = r.parse_object(*root_table);
    return r.table(r.data.root(), root, 0);
  } catch (const Bad&) {
    return Value::error("the value is not a FlatBuffers buffer of the declared schema");
  }
}

}  // namespace ext::host
