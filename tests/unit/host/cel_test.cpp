// The CEL subset of ext's host (lib/ext/host/cel.hpp), against the semantics of
// google/cel-spec doc/langdef.md and Envoy's serializeValue.
#include <catch2/catch.hpp>

#include "ext/host/cel.hpp"
#include "ext/host/cel_time.hpp"
#include "ext/host/pairs.hpp"
#include "ext/host/proto_message.hpp"
#include "ext/host/proto_wire.hpp"

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
  CHECK(err("'a'.matches('(')").find("invalid regex") == 0);
  CHECK(err("timestamp('2024-13-01T00:00:00Z')") == "String to Timestamp conversion failed");
  CHECK(err("duration('1d')") == "String to Duration conversion failed");
  CHECK(err("string(timestamp('9999-12-31T23:59:59Z') + duration('1s'))")
            .find("above maximum allowed timestamp") != std::string::npos);
  CHECK(err("timestamp(0).getHours('Mars/Olympus')") == "Invalid timezone");
  CHECK(err("[1, 'a'].all(x, x > 0)").find("no matching overload") == 0);
  CHECK(err("[1, 2].map(x, x / 0)") == "division by zero");
  CHECK(err("1.all(x, true)").find("needs a list or map") != std::string::npos);
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
  for (const char* bad :
       {"1 +", "(1", "'open", "1 ? 2", "a.", "[1,", "{1: }", "99999999999999999999", "'\\q'", "1 2",
        // Envoy builds with fail_on_warnings: no overload, no expression.
        "nope(1)", "size(1, 2)", "'a'.startsWith()", "int(1, 2)", "'a'.lowerAscii()",
        "[1].all(1, true)", "[1].exists(x.y, true)"}) {
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

TEST_CASE("cel: comprehension macros", "[host][cel]") {
  CHECK(is_true("[1, 2, 3].all(x, x > 0) && ![1, 2, 3].all(x, x > 1)"));
  CHECK(is_true("[1, 2, 3].exists(x, x == 2) && ![1, 2].exists(x, x == 5)"));
  CHECK(is_true("[1, 2, 3].exists_one(x, x > 2) && ![1, 2, 3].exists_one(x, x > 1)"));
  CHECK(is_true("[1, 2, 3].map(x, x * 2) == [2, 4, 6]"));
  CHECK(is_true("[1, 2, 3].map(x, x > 1, x * 10) == [20, 30]"));
  CHECK(is_true("[1, 2, 3, 4].filter(x, x % 2 == 0) == [2, 4]"));
  CHECK(is_true("{'a': 1, 'b': 2}.all(k, k in ['a', 'b'])"));  // maps iterate their keys
  CHECK(is_true("{'a': 1}.map(k, k + '!') == ['a!']"));
  CHECK(is_true("[[1, 2], [3]].all(l, l.all(x, x > 0))"));  // nested, each its own variable
  CHECK(is_true("[].all(x, false) && ![].exists(x, true)"));
  // Errors are absorbed as by && and ||: a false (all) or a true (exists) decides.
  CHECK(is_true("![0, 1].all(x, 1 / x > 1)"));
  CHECK(is_true("[0, 1].exists(x, 1 / x == 1)"));
  // The variable shadows an attribute of the same name inside the macro only.
  CHECK(is_true("['/x'].all(request, request == '/x') && request.path.startsWith('/api')"));
  CHECK(is_true("request.headers.exists(h, h == 'x-user')"));
}

TEST_CASE("cel: matches uses RE2 syntax over a linear-time matcher", "[host][cel]") {
  CHECK(is_true("'abc123'.matches('[a-z]+\\\\d+') && matches('abc', '^a.c$')"));
  CHECK(is_true("'xABCx'.matches('(?i)abc') && !'xABCx'.matches('abc')"));
  CHECK(is_true("'h\\u00e9llo'.matches('^h.llo$')"));  // '.' is one UTF-8 character
  CHECK(is_true("'h\\u00e9llo'.matches('^h[^a]llo$')"));
  CHECK(is_true("'a\\nb'.matches('(?s)a.b') && !'a\\nb'.matches('a.b')"));
  CHECK(is_true("'a\\nb'.matches('(?m)^b$') && !'a\\nb'.matches('^b$')"));
  CHECK(is_true("'v1.2'.matches('^v(?P<major>[[:digit:]]+)\\\\.\\\\d+\\\\z')"));
  CHECK(is_true("request.path.matches('^/api/v[0-9]+')"));
  // Non-ASCII class members are characters (UTF-8 sequences), ranges and negation included.
  CHECK(is_true("'\\u00e9'.matches('^[\\u00e9]$') && !'\\u00e9'.matches('^[^\\u00e9]$')"));
  CHECK(is_true("'x'.matches('^[^\\u00e9]$') && '\\u00e8'.matches('^[^\\u00e9]$')"));
  CHECK(
      is_true("'\\u0436'.matches('^[\\u0430-\\u044f]+$') && !'z'.matches('^[\\u0430-\\u044f]$')"));
  CHECK(is_true("'\\U0001F600'.matches('^[\\U0001F600-\\U0001F64F]$')"));
  CHECK(is_true("'\\u07ff\\u0800\\uffff\\U00010000'.matches('^[\\u0080-\\U0010FFFF]{4}$')"));
  CHECK(is_true(
      "!'\\u0800'.matches('^[\\u0080-\\u07ff]$') && '\\u0800'.matches('^[^\\u0080-\\u07ff]$')"));
  // Unicode classes and case folding (tests/unit/util/regex_test.cpp has the details); RE2
  // features ext's matcher lacks are an evaluation error naming the construct.
  CHECK(is_true("'\\u03b1\\u03b2'.matches('^\\\\p{Greek}+$') && !'ab'.matches('\\\\p{Greek}')"));
  CHECK(is_true("'\\u00c9T\\u00c9'.matches('(?i)^\\u00e9t\\u00e9$')"));
  CHECK(err("'a'.matches('\\\\p{Klingon}')").find("invalid regex") == 0);
  CHECK(is_true("'a.b'.matches('^\\\\Qa.b\\\\E$') && !'axb'.matches('^\\\\Qa.b\\\\E$')"));
  CHECK(err("'a'.matches('(?=a)')").find("invalid regex") == 0);  // lookaround: RE2 refuses it
  // A pathological pattern costs linear time (no backtracking).
  CHECK(is_true("!'aaaa'.matches('(a*)*b') && '\\101\\u00e9' == 'A\\U000000e9'"));
  std::string long_a = "'" + std::string(3900, 'a') + "'";
  CHECK(is_true("!" + long_a + ".matches('(a|aa)*(a|aa)*b')"));
}

TEST_CASE("cel: timestamps and durations", "[host][cel]") {
  CHECK(is_true("timestamp('2024-01-01T00:00:00Z') == timestamp(1704067200)"));
  CHECK(is_true("int(timestamp('2024-01-01T01:00:00+01:00')) == 1704067200"));
  CHECK(is_true("string(timestamp('2024-01-01T00:00:00.5Z')) == '2024-01-01T00:00:00.500Z'"));
  CHECK(
      is_true("string(timestamp('2024-02-29T23:59:59.000000001Z')) == "
              "'2024-02-29T23:59:59.000000001Z'"));
  CHECK(is_true("duration('1h30m') == duration('5400s') && duration('1.5s') < duration('2s')"));
  CHECK(is_true("string(duration('-1.5s')) == '-1.500s' && string(duration('90m')) == '5400s'"));
  CHECK(is_true("duration('250ms') + duration('750ms') == duration('1s')"));
  CHECK(
      is_true("timestamp('2024-01-01T00:00:00Z') + duration('24h') == "
              "timestamp('2024-01-02T00:00:00Z')"));
  CHECK(
      is_true("timestamp('2024-01-02T00:00:00Z') - timestamp('2024-01-01T00:00:00Z') == "
              "duration('86400s')"));
  CHECK(is_true("duration('2h').getHours() == 2 && duration('2h').getMinutes() == 120"));
  CHECK(is_true(
      "duration('-1.5s').getSeconds() == -1 && duration('1.25s').getMilliseconds() == 250"));
  // 2024-03-05T14:07:09.123Z was a Tuesday, the 65th day (0-based 64) of a leap year.
  auto t = std::string("timestamp('2024-03-05T14:07:09.123Z')");
  CHECK(is_true(t + ".getFullYear() == 2024 && " + t + ".getMonth() == 2"));
  CHECK(is_true(t + ".getDate() == 5 && " + t + ".getDayOfMonth() == 4"));
  CHECK(is_true(t + ".getDayOfWeek() == 2 && " + t + ".getDayOfYear() == 64"));
  CHECK(is_true(t + ".getHours() == 14 && " + t + ".getMinutes() == 7"));
  CHECK(is_true(t + ".getSeconds() == 9 && " + t + ".getMilliseconds() == 123"));
  CHECK(is_true(t + ".getHours('+05:30') == 19 && " + t + ".getMinutes('-00:30') == 37"));
  CHECK(is_true(t + ".getHours('UTC') == 14"));
  CHECK(cel::serialize(eval("timestamp(1)")) == std::string("\x00\xca\x9a\x3b\0\0\0\0", 8));
  CHECK(cel::serialize(eval("duration('1ns')")) == std::string("\1\0\0\0\0\0\0\0", 8));
}

TEST_CASE("cel: time arithmetic leaves the CEL ranges as Envoy's cel-cpp does (unchecked)",
          "[host][cel]") {
  // Envoy's expr_create uses default InterpreterOptions: no overflow errors. The result is a
  // value outside the range; only string() (cel-cpp's JSON encoders) refuses it.
  const std::string last = "timestamp('9999-12-31T23:59:59Z')";
  CHECK(is_true(last + " + duration('1s') > " + last));
  CHECK(is_true("(" + last + " + duration('1s')).getFullYear() == 10000"));
  CHECK(is_true("int(" + last + " + duration('1s')) == 253402300800"));
  CHECK(cel::serialize(eval(last + " + duration('1s')")) ==
        cel::serialize(eval("timestamp(253402300800)")));
  CHECK(err("string(" + last + " + duration('1s'))") ==
        "Timestamp above maximum allowed timestamp \"9999-12-31T23:59:59.999999999Z\"");
  CHECK(err("string(timestamp('0001-01-01T00:00:00Z') - duration('1ns'))") ==
        "Timestamp below minimum allowed timestamp \"0001-01-01T00:00:00Z\"");
  // dur + dur past 10,000 years is a duration; string() of it is an error.
  CHECK(is_true("duration('315576000000s') + duration('1s') > duration('315576000000s')"));
  CHECK(err("string(duration('315576000000s') + duration('1s'))") ==
        "Duration above maximum allowed duration");
  CHECK(err("string(duration('-315576000000s') - duration('1s'))") ==
        "Duration below minimum allowed duration");
  CHECK(
      is_true("(duration('315576000000s') + duration('315576000000s')).getHours() == "
              "175320000"));
  // The range itself is protobuf's: +-315,576,000,000.999999999 s.
  CHECK(is_true("string(duration('315576000000.999999999s')) == '315576000000.999999999s'"));
  CHECK(is_true("string(duration('-315576000000.999999999s')) == '-315576000000.999999999s'"));
  CHECK(err("duration('315576000001s')") == "String to Duration conversion failed");
  // Past int64 seconds absl saturates to an infinity, which then stays.
  const std::string big = "timestamp(9223372036854775807)";
  CHECK(cel::serialize(eval(big + " + duration('1s')")) ==
        std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8));
  CHECK(is_true("int(" + big + " + duration('1s') - duration('100s')) == 9223372036854775807"));
  CHECK(
      is_true("int(timestamp(-9223372036854775807) - duration('2s')) == "
              "-9223372036854775807 - 1"));
  CHECK(is_true("(" + big + " + duration('1s')) - " + big + " > duration('0s')"));
  CHECK(cel::serialize(eval("timestamp(9223372036854775807) - timestamp(-1)")) ==
        std::string("\xff\xff\xff\xff\xff\xff\xff\x7f", 8));
  // getMilliseconds of an infinite duration: absl::ToInt64Milliseconds saturates (max % 1000).
  CHECK(is_true("(" + big + " - timestamp(-5)).getMilliseconds() == 807"));
}

TEST_CASE("cel: IANA time zones come from the system's zoneinfo (TZif)", "[host][cel]") {
  // Debian's tzdata (scripts/setup). Paris is UTC+1 in winter and UTC+2 in summer.
  CHECK(is_true("timestamp('2024-01-15T12:00:00Z').getHours('Europe/Paris') == 13"));
  CHECK(is_true("timestamp('2024-07-15T12:00:00Z').getHours('Europe/Paris') == 14"));
  CHECK(is_true("timestamp('2024-07-15T02:00:00Z').getDate('America/New_York') == 14"));
  CHECK(err("timestamp(0).getHours('../../etc/passwd')") == "Invalid timezone");
  // Bytes that are not TZif are refused, never read past their end.
  CHECK_FALSE(cel::tzif_offset("TZif2", 0));
  CHECK_FALSE(cel::tzif_offset(std::string(44, 'x'), 0));
}

TEST_CASE("cel: IANA zones after the last transition follow the TZif footer", "[host][cel]") {
  // Debian's zoneinfo lists transitions up to 2037; the footer (RFC 8536 3.3) goes on.
  for (const char* year : {"2040", "2100"}) {
    std::string y = year;
    INFO(y);
    CHECK(is_true("timestamp('" + y + "-01-15T12:00:00Z').getHours('Europe/Paris') == 13"));
    CHECK(is_true("timestamp('" + y + "-07-15T12:00:00Z').getHours('Europe/Paris') == 14"));
    CHECK(is_true("timestamp('" + y + "-01-15T12:00:00Z').getHours('America/New_York') == 7"));
    CHECK(is_true("timestamp('" + y + "-07-15T12:00:00Z').getHours('America/New_York') == 8"));
    CHECK(is_true("timestamp('" + y + "-01-15T12:00:00Z').getHours('Australia/Sydney') == 23"));
    CHECK(is_true("timestamp('" + y + "-07-15T12:00:00Z').getHours('Australia/Sydney') == 22"));
  }
  // The 2040 switches, to the second: last Sundays of March and October at 01:00 UTC in Paris,
  // 11 March 07:00 and 4 November 06:00 UTC in New York.
  CHECK(is_true("timestamp('2040-03-25T00:59:59Z').getHours('Europe/Paris') == 1"));
  CHECK(is_true("timestamp('2040-03-25T01:00:00Z').getHours('Europe/Paris') == 3"));
  CHECK(is_true("timestamp('2040-10-28T00:59:59Z').getHours('Europe/Paris') == 2"));
  CHECK(is_true("timestamp('2040-10-28T01:00:00Z').getHours('Europe/Paris') == 2"));
  CHECK(is_true("timestamp('2040-03-11T06:59:59Z').getHours('America/New_York') == 1"));
  CHECK(is_true("timestamp('2040-03-11T07:00:00Z').getHours('America/New_York') == 3"));
  CHECK(is_true("timestamp('2040-11-04T05:59:59Z').getHours('America/New_York') == 1"));
  CHECK(is_true("timestamp('2040-11-04T06:00:00Z').getHours('America/New_York') == 1"));
  // Nuuk's footer has negative transition times: <-02>2<-01>,M3.5.0/-1,M10.5.0/0.
  CHECK(is_true("timestamp('2040-03-25T00:59:59Z').getHours('America/Nuuk') == 22"));
  CHECK(is_true("timestamp('2040-03-25T01:00:00Z').getHours('America/Nuuk') == 0"));
  CHECK(is_true("timestamp('2040-10-28T01:00:00Z').getHours('America/Nuuk') == 23"));
}

TEST_CASE("cel: POSIX TZ strings as TZif footers hold them (RFC 8536 3.3)", "[host][cel]") {
  auto at = [](const std::string& tz, const std::string& utc) -> std::optional<int64_t> {
    auto t = cel::parse_timestamp(utc);
    REQUIRE(t);
    return cel::posix_tz_offset(tz, t->seconds);
  };
  const std::string paris = "CET-1CEST,M3.5.0,M10.5.0/3";
  CHECK(at(paris, "2040-01-15T12:00:00Z") == 3600);
  CHECK(at(paris, "2040-07-15T12:00:00Z") == 7200);
  CHECK(at(paris, "2041-03-31T00:59:59Z") == 3600);  // last Sunday of March 2041: the 31st
  CHECK(at(paris, "2041-03-31T01:00:00Z") == 7200);
  CHECK(at("EST5EDT,M3.2.0,M11.1.0", "2100-07-01T00:00:00Z") == -4 * 3600);
  CHECK(at("EST5EDT,M3.2.0,M11.1.0", "1900-01-01T00:00:00Z") == -5 * 3600);
  // Southern hemisphere: DST across the new year.
  CHECK(at("AEST-10AEDT,M10.1.0,M4.1.0/3", "2040-01-01T00:00:00Z") == 11 * 3600);
  CHECK(at("AEST-10AEDT,M10.1.0,M4.1.0/3", "2040-06-01T00:00:00Z") == 10 * 3600);
  // Quoted names, minutes, no DST.
  CHECK(at("<+0330>-3:30", "2040-06-01T00:00:00Z") == 12600);
  CHECK(at("<-0930>9:30", "2040-06-01T00:00:00Z") == -34200);
  CHECK(at("UTC0", "2040-06-01T00:00:00Z") == 0);
  // An explicit DST offset.
  CHECK(at("AAA3BBB1,M3.5.0,M10.5.0", "2040-07-01T00:00:00Z") == -3600);
  // Jn never counts 29 February: J60 is 1 March in every year.
  CHECK(at("AAA0BBB,J60/0,J300", "2040-02-29T23:59:59Z") == 0);
  CHECK(at("AAA0BBB,J60/0,J300", "2040-03-01T00:00:00Z") == 3600);
  // n counts it: day 59 is 29 February in 2040, 1 March in 2041.
  CHECK(at("AAA0BBB,59/0,300", "2040-02-29T00:00:00Z") == 3600);
  CHECK(at("AAA0BBB,59/0,300", "2041-02-28T23:59:59Z") == 0);
  CHECK(at("AAA0BBB,59/0,300", "2041-03-01T00:00:00Z") == 3600);
  // Hours past 24 and below 0 (RFC 8536 3.3.1), and DST all year (EST5EDT,0/0,J365/25).
  CHECK(at("AAA0BBB,M3.5.0/167,M10.5.0/-167", "2040-03-31T22:59:59Z") == 0);  // Sun 25 + 167h
  CHECK(at("AAA0BBB,M3.5.0/167,M10.5.0/-167", "2040-03-31T23:00:00Z") == 3600);
  for (const char* t : {"2040-01-01T05:00:00Z", "2040-07-01T00:00:00Z", "2040-12-31T23:59:59Z",
                        "2041-01-01T05:00:00Z", "2041-01-01T04:59:59Z"})
    CHECK(at("EST5EDT,0/0,J365/25", t) == -4 * 3600);
  // Not TZ strings: refused (a TZif file then keeps its last transition's type).
  for (const char* bad :
       {"", "CET", "CE-1", "CET-25", "CET-1CEST", "CET-1CEST,M3.5.0", "CET-1CEST,M13.5.0,M10.5.0",
        "CET-1CEST,M3.6.0,M10.5.0", "CET-1CEST,M3.5.7,M10.5.0", "CET-1CEST,J0,J300",
        "CET-1CEST,366,300", "CET-1CEST,M3.5.0/168,M10.5.0", "<+03-3", "<>-3", "CET-1:60",
        "CET-1CEST,M3.5.0,M10.5.0x", "CET99999999999999999999"})
    CHECK_FALSE(cel::posix_tz_offset(bad, 0));
  CHECK_FALSE(cel::posix_tz_offset("CET-1CEST,M3.5.0,M10.5.0/3" + std::string(120, ' '), 0));
}

TEST_CASE("cel: bool, dyn and string conversions", "[host][cel]") {
  CHECK(is_true("bool('true') && !bool('0') && bool(true) && dyn(1) == 1"));
  CHECK(is_true("int(true) == 1 && string(1.5) == '1.5' && string(2.0) == '2'"));
  CHECK(err("bool('yes')").find("conversion error") != std::string::npos);
  CHECK(is_true("type(1) == int && type('a') == string && type([]) == list && type(int) == type"));
  CHECK(is_true("type(duration('1s')) != type(1) && type(1u) == uint"));
  CHECK_FALSE(cel::serialize(eval("type(1)")));  // Envoy's serializeValue has no type case
}

TEST_CASE("cel: a message value serializes as its protobuf encoding", "[host][cel]") {
  // envoy.config.core.v3.Node {id: "n1", metadata: Struct{a: 1.0}}: field 1 (string), field 3
  // (Struct: map entry {key = 1, value = 2: Value{number_value = 2 (64-bit)}}).
  Value md = Value::of_map({{Value::string("a"), Value::dbl(1.0)}});
  Value node = Value::of_map({{Value::string("id"), Value::string("n1")},
                              {Value::string("cluster"), Value::string("")},
                              {Value::string("metadata"), md}});
  node.message = "envoy.config.core.v3.Node";
  std::string number = std::string("\x11\0\0\0\0\0\0\xf0\x3f", 9);
  std::string entry = std::string(
                          "\x0a\x01"
                          "a"
                          "\x12\x09",
                          5) +
                      number;
  std::string strukt = std::string("\x0a\x0e", 2) + entry;
  CHECK(cel::serialize(node) == std::string("\x0a\x02n1\x1a\x10", 6) + strukt);
  // Metadata {filter_metadata: {"envoy.lb": Struct{}}}: field 1, entry {1: key, 2: Struct}.
  Value meta = Value::of_map({{Value::string("filter_metadata"),
                               Value::of_map({{Value::string("envoy.lb"), Value::of_map({})}})}});
  meta.message = "envoy.config.core.v3.Metadata";
  CHECK(cel::serialize(meta) == std::string("\x0a\x0c\x0a\x08"
                                            "envoy.lb"
                                            "\x12\x00",
                                            14));
  // Without the tag the same map is proxy-wasm pairs.
  meta.message.clear();
  CHECK(cel::serialize(meta) != std::string("\x0a\x0c\x0a\x08"
                                            "envoy.lb"
                                            "\x12\x00",
                                            14));
}

TEST_CASE("cel: a property declared Protobuf reads as the message its type URL names", "[cel]") {
  using ext::host::proto_bytes_field;
  using ext::host::proto_message_value;
  using ext::host::proto_varint_field;
  using T = ext::host::cel::Value::Type;
  const std::string wkt = "type.googleapis.com/google.protobuf.";
  // Wrappers widen as CEL does [cel-cpp a3fb693 eval/public/structs/cel_proto_wrap_util.cc].
  auto i32 = proto_message_value(wkt + "Int32Value", proto_varint_field(1, uint64_t(-5)));
  CHECK(i32.type == T::int64);
  CHECK(i32.i == -5);
  std::string f1 = "\x0d";                   // field 1, wire type 5
  f1 += std::string("\x00\x00\xc0\x3f", 4);  // 1.5f
  auto fl = proto_message_value(wkt + "FloatValue", f1);
  CHECK(fl.type == T::dbl);
  CHECK(fl.d == 1.5);
  auto u32 = proto_message_value(wkt + "UInt32Value", proto_varint_field(1, 7));
  CHECK(u32.type == T::uint64);
  CHECK(proto_message_value(wkt + "StringValue", "").type == T::string);  // "" by default
  auto dur = proto_message_value(wkt + "Duration",
                                 proto_varint_field(1, 3) + proto_varint_field(2, 500000000));
  CHECK(dur.type == T::duration);
  CHECK(dur.i == 3);
  CHECK(dur.nanos == 500000000);
  // An Any holds its message; an empty Value is null.
  auto any = proto_message_value(wkt + "Any", proto_bytes_field(1, wkt + "BoolValue") +
                                                  proto_bytes_field(2, proto_varint_field(1, 1)));
  CHECK(any.type == T::boolean);
  CHECK(any.b);
  CHECK(proto_message_value(wkt + "Value", "").type == T::null);
  // Envoy's errors: no '/', a type outside Envoy, bytes that do not parse, nesting over 100.
  CHECK(proto_message_value("google.protobuf.Struct", "").s == "Malformed type_url string");
  CHECK(proto_message_value("type.googleapis.com/acme.Thing", "").s == "Descriptor not found");
  CHECK(proto_message_value(wkt + "Struct", "\x0a\x05").s == "Failed to unpack Any into message");
  std::string deep = proto_varint_field(4, 1);  // Value{bool_value: true}
  for (int i = 0; i < 60; ++i)  // Value{list_value: ListValue{values: [deep]}}: 2 levels each
    deep = proto_bytes_field(6, proto_bytes_field(1, deep));
  CHECK(proto_message_value(wkt + "Value", deep).s == "Failed to unpack Any into message");
  // One of Envoy's many messages ext does not model: an error that says so.
  auto route = proto_message_value("type.googleapis.com/envoy.config.route.v3.Route", "");
  CHECK(route.type == T::error);
  CHECK_THAT(route.s, Catch::Contains("does not model"));
  // Messages with no CEL form of their own keep their fields (and encode back).
  auto mask = proto_message_value(wkt + "FieldMask",
                                  proto_bytes_field(1, "a.b") + proto_bytes_field(1, "c"));
  REQUIRE(mask.type == T::map);
  CHECK(ext::host::cel::serialize(mask) == proto_bytes_field(1, "a.b") + proto_bytes_field(1, "c"));
  CHECK(proto_message_value(wkt + "Empty", "").type == T::map);
  // Node: proto3 defaults for the fields ext has, and its protobuf encoding back.
  auto node = proto_message_value("type.googleapis.com/envoy.config.core.v3.Node",
                                  proto_bytes_field(1, "n1"));
  REQUIRE(node.type == T::map);
  CHECK(node.message == "envoy.config.core.v3.Node");
  CHECK(ext::host::cel::serialize(node) == proto_bytes_field(1, "n1"));
}
