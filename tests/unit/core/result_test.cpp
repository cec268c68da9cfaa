#include <catch2/catch.hpp>

#include "ext/core/cancel.hpp"
#include "ext/core/result.hpp"

namespace {
ext::Result<int> parse_positive(int v) {
  if (v <= 0) return ext::fail(ext::Errc::invalid_argument, "not positive", "use 1 or more");
  return v;
}
}  // namespace

TEST_CASE("Result holds a value or the error", "[core]") {
  auto ok = parse_positive(3);
  REQUIRE(ok);
  CHECK(*ok == 3);
  CHECK(ok.value_or(7) == 3);

  auto bad = parse_positive(-1);
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == ext::Errc::invalid_argument);
  CHECK(bad.error().hint() == "use 1 or more");
  CHECK(bad.value_or(7) == 7);
  CHECK_THROWS_AS(bad.value(), ext::Error);
}

TEST_CASE("Error context is added once per layer and keeps code, hint and HTTP details", "[core]") {
  ext::Error e(ext::Errc::registry, "401 UNAUTHORIZED: authentication required",
               "run `ext login ghcr.io`");
  e.with_http(401, "UNAUTHORIZED");
  auto wrapped =
      e.with_context("uploading blob sha256:ab12").with_context("pushing ghcr.io/a/f:v1");
  CHECK(wrapped.message() ==
        "pushing ghcr.io/a/f:v1: uploading blob sha256:ab12: 401 UNAUTHORIZED: authentication "
        "required");
  CHECK(wrapped.code() == ext::Errc::registry);
  CHECK(wrapped.http_status() == 401);
  CHECK(wrapped.registry_code() == "UNAUTHORIZED");
  CHECK(wrapped.hint() == "run `ext login ghcr.io`");

  CHECK_THROWS_WITH(
      ext::with_context("outer", []() -> int { throw ext::Error(ext::Errc::io, "inner"); }),
      "outer: inner");
}

TEST_CASE("interrupt flag", "[core]") {
  ext::reset_interrupt();
  CHECK_NOTHROW(ext::throw_if_interrupted());
  ext::request_interrupt();
  CHECK(ext::interrupted());
  CHECK_THROWS_AS(ext::throw_if_interrupted(), ext::Error);
  ext::reset_interrupt();
}

TEST_CASE("Error::temporary is the one retry rule", "[core]") {
  using namespace ext;
  CHECK(Error(Errc::network, "connection reset").temporary());
  for (int s : {408, 429, 500, 502, 503, 504}) {
    INFO(s);
    CHECK(Error(Errc::registry, "x").with_http(s).temporary());
    CHECK(Error::temporary_status(s));
  }
  for (int s : {0, 400, 401, 403, 404, 409, 501}) {
    INFO(s);
    CHECK_FALSE(Error(Errc::registry, "x").with_http(s).temporary());
  }
  CHECK_FALSE(Error(Errc::tls, "certificate").temporary());
  CHECK_FALSE(Error(Errc::auth, "denied").temporary());
  // Context does not change the answer.
  CHECK(Error(Errc::network, "reset").with_context("pushing").temporary());
}

TEST_CASE("Result is tl::expected with checked access", "[core]") {
  using namespace ext;
  Result<int> bad = fail(Errc::parse, "nope");
  static_assert(std::is_base_of_v<tl::expected<int, Error>, Result<int>>);
  // value(), * and -> throw the Error itself (what cli/main.cpp catches), not
  // tl::bad_expected_access.
  CHECK_THROWS_AS(bad.value(), Error);
  CHECK_THROWS_AS(*bad, Error);
  CHECK_THROWS_WITH(value_or_throw(std::move(bad), "reading"), "reading: nope");
  Result<void> v = fail(Errc::io, "disk");
  CHECK_THROWS_AS(v.value(), Error);
  CHECK(value_or_throw(Result<int>(3)) == 3);
}
