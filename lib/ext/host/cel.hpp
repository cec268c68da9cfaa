// ext::host cel — the Common Expression Language (github.com/google/cel-spec, doc/langdef.md)
// as Envoy's foreign functions expr_create / expr_evaluate / expr_delete use it
// (envoyproxy/envoy source/extensions/common/wasm/foreign.cc): an expression over the stream's
// attributes, evaluated to a value that Envoy serializes for the module (context.cc
// serializeValue). This is ext's own evaluator of the language's core: literals (int, uint,
// double, string, bytes, bool, null, lists, maps), attributes and field selection, indexing,
// the arithmetic, comparison, logical (error-absorbing && and ||), conditional and `in`
// operators, the macros has, all, exists, exists_one, map and filter, timestamps and durations
// (cel_time.hpp), and cel-cpp's standard functions (size, startsWith, endsWith, contains,
// matches over RE2 syntax by ext's linear-time matcher, int, uint, double, string, bytes, bool,
// dyn, type, timestamp, duration and the get* accessors). A call to a function cel-cpp does not
// have is refused when the expression is created, as Envoy's builder (fail_on_warnings) refuses it.
// Bounded: the text (4 KiB), nesting (64), evaluation steps (100,000) and result sizes.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ext/core/result.hpp"

namespace ext::host::cel {

struct Value;
using List = std::vector<Value>;
using Map = std::vector<std::pair<Value, Value>>;

struct Value {
  enum class Type {
    null,
    boolean,
    int64,
    uint64,
    dbl,
    string,
    bytes,
    list,
    map,
    timestamp,
    duration,
    type,  // a type value (`type(1) == int`): its name in s
    error
  };
  Type type = Type::null;
  bool b = false;
  int64_t i = 0;      // int64; the seconds of a timestamp (Unix) or a duration
  int32_t nanos = 0;  // timestamp, duration: [0, 1e9)
  uint64_t u = 0;
  double d = 0;
  std::string s;  // string, bytes; the message of an error
  std::shared_ptr<const List> list;
  std::shared_ptr<const Map> map;
  // A map that stands for one of the protobuf messages Envoy exposes ("envoy.config.core.v3.Node",
  // ".Metadata", ".Locality"; its fields by name): serialize() gives its protobuf encoding, as
  // Envoy's serializeValue does for a message (google.protobuf.Struct fields are plain maps).
  std::string message;

  static Value boolean(bool v);
  static Value int64(int64_t v);
  static Value uint64(uint64_t v);
  static Value dbl(double v);
  static Value string(std::string v);
  static Value bytes(std::string v);
  static Value error(std::string message);
  static Value timestamp(int64_t seconds, int32_t nanos);
  static Value duration(int64_t seconds, int32_t nanos);
  static Value of_list(List v);
  static Value of_map(Map v);
  bool is_error() const { return type == Type::error; }
};

// Resolves an attribute path (`request.headers["x-id"]` is {"request", "headers", "x-id"});
// nullopt when the stream has no such attribute.
using Resolver = std::function<std::optional<Value>(const std::vector<std::string>& path)>;

struct Node;
using Expr = std::shared_ptr<const Node>;

inline constexpr size_t k_max_text = 4096;
inline constexpr int k_max_depth = 64;
inline constexpr uint64_t k_max_steps = 100000;
inline constexpr size_t k_max_value_bytes = 1 << 20;
// Thread steps of one `matches` search (ext's matcher is linear: pattern × text); past it the
// call is an evaluation error rather than a long stall.
inline constexpr uint64_t k_max_regex_steps = 50'000'000;

// A parse error names the offset ("at 12: ..."), as Envoy's parser rejects the text
// (expr_create: BAD_ARGUMENT).
Result<Expr> parse(std::string_view text);

// Never throws; an evaluation error is a Value of type error (expr_evaluate: INTERNAL_FAILURE).
Value evaluate(const Expr& expr, const Resolver& resolve);

// Structurally valid UTF-8 (lead and continuation bytes).
bool valid_utf8(std::string_view s);

// Envoy's serializeValue: strings and bytes as they are, int64/uint64/double as 8 bytes
// little-endian, timestamps (Unix) and durations as 8-byte nanoseconds, bool as 1 byte, maps and
// lists as proxy-wasm pairs (a list's values with empty second halves), a message map
// (Value::message) as its protobuf encoding. nullopt for null, types and errors
// (SERIALIZATION_FAILURE).
std::optional<std::string> serialize(const Value& v);

}  // namespace ext::host::cel
