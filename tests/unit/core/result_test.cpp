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

TEST_CASE("Error context is added once per layer and keeps code, hint and HTTP details",
          "[core]") {
  ext::Error e(ext::Errc::registry, "401 UNAUTHORIZED: authentication required",
               "run `ext login ghcr.io`");
  e.with_http(401, "UNAUTHORIZED");
  auto wrapped = e.with_context("uploading blob sha256:ab12").with_context("pushing ghcr.io/a/f:v1");
  CHECK(wrapped.message() ==
        "pushing ghcr.io/a/f:v1: uploading blob sha256:ab12: 401 UNAUTHORIZED: authentication "
        "required");
  CHECK(wrapped.code() == ext::Errc::registry);
  CHECK(wrapped.http_status() == 401);
  CHECK(wrapped.registry_code() == "UNAUTHORIZED");
  CHECK(wrapped.hint() == "run `ext login ghcr.io`");

  CHECK_THROWS_WITH(ext::with_context("outer", []() -> int {
                      throw ext::Error(ext::Errc::io, "inner");
                    }),
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
