// The CEL subset of ext's host (lib/ext/host/cel.hpp), against the semantics of
// google/cel-spec doc/langdef.md and Envoy's serializeValue.
#include <catch2/catch.hpp>

#include "ext/host/cel.hpp"
#include "ext/host/pairs.hpp"

using namespace ext::host;
using cel::Value;

namespace {

cel::Value eval(const std::string& text) {
  auto e = cel::parse(text);
  if (!e) FAIL(text << ": " << e.error().message());
  return cel::evaluate(*e, [](const std::vector<std::string>& path) -> std::optional<Value> {
    std::string key;
    for (const auto& p : path) key += (key.empty() ? "" : ".") + p;
    if (key == "request.path") return Value::string("/api/v1?x=1");
    if (key == "response.code") return Value::int64(200);
    if (key == "request.headers")
      return Value::of_map({{Value::string("x-user"), Value::string("ann")}});
    if (key == "request.headers.x-user") return Value::string("ann");
    return std::nullopt;
  });
}

bool is_true(const std::string& text) {
  auto v = eval(text);
  INFO(text << " -> " << (v.is_error() ? v.s : "not an error"));
  return v.type == Value::Type::boolean && v.b;
}

std::string err(const std::string& text) {
  auto v = eval(text);
  return v.is_error() ? v.s : "<no error>";
}

}  // namespace

TEST_CASE("cel: literals, arithmetic, comparison and logic", "[host][cel]") {
  CHECK(is_true("1 + 2 * 3 == 7"));
  CHECK(is_true("(1 + 2) * 3 == 9"));
  CHECK(is_true("7 / 2 == 3 && 7 % 2 == 1"));
  CHECK(is_true("-7 / 2 == -3"));
  CHECK(is_true("1u + 2u == 3u"));
  CHECK(is_true("1.5 * 2.0 == 3.0"));
  CHECK(is_true("1 == 1u && 1 == 1.0"));  // numeric values compare across types
  CHECK(is_true("'ab' + \"cd\" == 'abcd'"));
  CHECK(is_true("b'\\x00\\x01' == b'\\x00\\x01'"));
  CHECK(is_true("r'\\n' == '\\\\n'"));
  CHECK(is_true("'a' < 'b' && 2 >= 2 && !(3 < 1)"));
  CHECK(is_true("true ? 1 == 1 : 1 / 0 == 0"));
  CHECK(is_true("2 in [1, 2, 3] && 'k' in {'k': 1}"));
  CHECK(is_true("[1, 2] + [3] == [1, 2, 3]"));
  CHECK(is_true("{'a': 1}['a'] == 1 && [5, 6][1] == 6"));
  CHECK(is_true("0x10 == 16 && -9223372036854775808 < 0"));
  CHECK(is_true("size('héllo') == 5 && size(b'ab') == 2 && size([1]) == 1"));
  CHECK(is_true("'abc'.startsWith('ab') && 'abc'.endsWith('bc') && 'abc'.contains('b')"));
  CHECK(is_true("int('42') == 42 && uint(3) == 3u && double(1) == 1.0 && string(5) == '5'"));
  // Error absorption in either order (cel-spec "Logical operators").
  CHECK(is_true("1 / 0 == 0 || true"));
  CHECK(is_true("!(false && 1 / 0 == 0)"));
}

TEST_CASE("cel: evaluation errors", "[host][cel]") {
  CHECK(err("1 / 0") == "division by zero");
  CHECK(err("9223372036854775807 + 1") == "integer overflow");
  CHECK(err("1 + 1u").find("no matching overload") == 0);
  CHECK(err("[1][5]") == "index out of range");
  CHECK(err("{'a': 1}['b']") == "no such key");
  CHECK(err("nope(1)") == "no such function: nope");
  CHECK(err("'a'.matches('a')").find("not evaluated") != std::string::npos);
  CHECK(err("source.address") == "no such attribute: source.address");
  CHECK(err("{'a': 1, 'a': 2}") == "repeated map key");
}

TEST_CASE("cel: attributes resolve when used", "[host][cel]") {
  CHECK(is_true("request.path.startsWith('/api')"));
  CHECK(is_true("response.code == 200 && response.code < 300"));
  CHECK(is_true("request.headers['x-user'] == 'ann'"));
  CHECK(is_true("'x-user' in request.headers"));
  CHECK(is_true("has(request.headers.x) == false && has(request.path)"));
}

TEST_CASE("cel: parse errors and limits", "[host][cel]") {
  for (const char* bad : {"1 +", "(1", "'open", "1 ? 2", "a.", "[1,", "{1: }",
                          "99999999999999999999", "'\\q'", "1 2"}) {
    INFO(bad);
    CHECK_FALSE(cel::parse(bad));
  }
  CHECK_FALSE(cel::parse(std::string(cel::k_max_text + 1, '1')));
  CHECK_FALSE(cel::parse(std::string(200, '(') + "1" + std::string(200, ')')));
  CHECK_FALSE(cel::parse(std::string(200, '!') + "true"));
  // A long but flat chain stays within the step budget or fails with it, never hangs.
  std::string chain = "1";
  for (int i = 0; i < 1500; ++i) chain += "+1";
  auto v = eval(chain);
  CHECK((v.type == Value::Type::int64 && v.i == 1501));
}

TEST_CASE("cel: values serialize as Envoy's serializeValue", "[host][cel]") {
  CHECK(cel::serialize(Value::string("ab")) == std::string("ab"));
  CHECK(cel::serialize(Value::int64(1)) == std::string("\1\0\0\0\0\0\0\0", 8));
  CHECK(cel::serialize(Value::boolean(true)) == std::string("\1", 1));
  CHECK(cel::serialize(Value::dbl(1.0)) == std::string("\0\0\0\0\0\0\xf0\x3f", 8));
  CHECK_FALSE(cel::serialize(Value{}));  // null
  auto m = cel::serialize(eval("{'k': 'v'}"));
  REQUIRE(m);
  CHECK(parse_pairs(*m) == HeaderMap{{"k", "v"}});
  auto l = cel::serialize(eval("['a', 'b']"));
  REQUIRE(l);
  CHECK(parse_pairs(*l) == HeaderMap{{"a", ""}, {"b", ""}});
}
