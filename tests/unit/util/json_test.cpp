#include <catch2/catch.hpp>
#include <string>

#include "ext/util/json.hpp"

using ext::Errc;
namespace util = ext::util;

TEST_CASE("parse_json parses and reports errors briefly", "[util][json]") {
  auto j = util::parse_json(R"({"a":[1,{"b":null}]})");
  REQUIRE(j);
  CHECK((*j)["a"][1]["b"].is_null());
  auto o = util::parse_ordered_json(R"({"z":1,"a":2})");
  REQUIRE(o);
  CHECK(o->begin().key() == "z");
  auto bad = util::parse_json("{\"a\": " + std::string(100'000, 'x') + "}");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == Errc::parse);
  CHECK(bad.error().message().size() < 300);
  CHECK_FALSE(util::parse_json(""));
  CHECK_FALSE(util::parse_json("{} x"));
}

TEST_CASE("parse_json: depth and size limits (issue 11)", "[util][json]") {
  // --config @deep.json nested 100,000 deep (200 KB) crashed ext (exit 139).
  std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
  auto j = util::parse_json(deep);
  REQUIRE_FALSE(j);
  CHECK(j.error().message() == "JSON nested deeper than 128 levels (limit max_depth)");
  std::string objects;
  for (int i = 0; i < 200; ++i) objects += "{\"a\":";
  objects += "1" + std::string(200, '}');
  CHECK_FALSE(util::parse_json(objects));
  CHECK_FALSE(util::parse_ordered_json(objects));

  util::JsonLimits limits;
  limits.max_depth = 3;
  CHECK(util::parse_json("[[[1]]]", limits));
  CHECK_FALSE(util::parse_json("[[[[1]]]]", limits));
  CHECK(util::parse_json("[[[\"[[[[\"]]]", limits));  // brackets in strings do not count
  limits.max_bytes = 4;
  auto big = util::parse_json("[1,2]", limits);
  REQUIRE_FALSE(big);
  CHECK_THAT(big.error().message(), Catch::Contains("max_bytes"));
}
