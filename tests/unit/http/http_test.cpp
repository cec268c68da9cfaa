#include <catch2/catch.hpp>

#include "ext/core/error.hpp"
#include "ext/http/headers.hpp"
#include "ext/http/retry_transport.hpp"
#include "ext/http/url.hpp"
#include "support/fake_clock.hpp"
#include "support/http/fake_transport.hpp"

using namespace ext;
using namespace std::chrono_literals;

TEST_CASE("headers are case-insensitive and keep repeats", "[http]") {
  http::Headers h;
  h.add("WWW-Authenticate", "Basic realm=x");
  h.add("www-authenticate", "Bearer realm=y");
  CHECK(h.get("Www-Authenticate") == "Basic realm=x");
  CHECK(h.get_all("WWW-AUTHENTICATE").size() == 2);
  h.set("Content-Type", "a");
  h.set("content-type", "b");
  CHECK(h.get_all("Content-Type") == std::vector<std::string>{"b"});
  h.remove("CONTENT-TYPE");
  CHECK_FALSE(h.has("content-type"));
}

TEST_CASE("Link rel=next parsing", "[http]") {
  CHECK(http::parse_link_next({R"(</v2/r/tags/list?last=b&n=2>; rel="next")"}) ==
        "/v2/r/tags/list?last=b&n=2");
  CHECK(http::parse_link_next({R"(<https://x/a?q=1,2>; rel="prev", </b>; rel=next)"}) == "/b");
  CHECK(http::parse_link_next({R"(</a>; rel="first last")"}) == std::nullopt);
  CHECK(http::parse_link_next({}) == std::nullopt);
  CHECK(http::parse_link_next({"garbage"}) == std::nullopt);
}

TEST_CASE("Retry-After: seconds and HTTP dates", "[http]") {
  auto now = std::chrono::system_clock::from_time_t(784111777);  // Sun, 06 Nov 1994 08:49:37
  CHECK(http::parse_retry_after("3") == std::chrono::milliseconds(3000));
  CHECK(http::parse_retry_after("Sun, 06 Nov 1994 08:49:47 GMT", now) ==
        std::chrono::milliseconds(10000));
  CHECK(http::parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now) ==
        std::chrono::milliseconds(0));
  CHECK_FALSE(http::parse_retry_after("soon"));
  CHECK_FALSE(http::parse_retry_after(""));
}

TEST_CASE("URL resolution for Location and Link", "[http]") {
  auto base = "http://127.0.0.1:5000/v2/a/blobs/uploads/?x=1";
  CHECK(http::resolve(base, "/v2/a/blobs/uploads/u1?_state=s").value() ==
        "http://127.0.0.1:5000/v2/a/blobs/uploads/u1?_state=s");
  CHECK(http::resolve(base, "https://s3.example/bucket?sig=1").value() ==
        "https://s3.example/bucket?sig=1");
  CHECK(http::resolve(base, "//other:1/p").value() == "http://other:1/p");
  CHECK(http::resolve(base, "u2").value() == "http://127.0.0.1:5000/v2/a/blobs/uploads/u2");
  CHECK(http::resolve(base, "../x").value() == "http://127.0.0.1:5000/v2/a/blobs/x");
  CHECK_FALSE(http::resolve("not a url", "/x"));
  CHECK_FALSE(http::resolve(base, "ftp://x/y"));
  CHECK(http::append_query("http://h/p?_state=a", "digest", "sha256:ab") ==
        "http://h/p?_state=a&digest=sha256%3Aab");
  CHECK(http::append_query("http://h/p", "n", "2") == "http://h/p?n=2");
  CHECK(http::host_of("https://User:pw@Registry.Example:443/v2/") == "registry.example:443");
}

namespace {

class OneShotSource final : public http::BodySource {
 public:
  size_t read(void*, size_t) override { return 0; }
  bool rewind() override { return false; }
};

}  // namespace

TEST_CASE("retries: 5xx, 429 and resets, bounded, Retry-After honoured", "[http]") {
  auto fake = std::make_shared<test::FakeTransport>();
  ext::test::FakeClock clock;
  http::RetryPolicy policy;
  policy.base_delay = 100ms;
  policy.max_delay = 1000ms;
  policy.clock = &clock;
  http::RetryingTransport t(fake, policy);
  http::Request req;
  req.url = "http://h/v2/";

  SECTION("recovers") {
    fake->drop_next(1);
    fake->push_status(503);
    test::FakeTransport::Reply busy;
    busy.status = 429;
    busy.headers.add("Retry-After", "2");
    fake->push_script(busy);
    CHECK(t.send(req).status == 200);  // the script is spent: the fake answers 200
    CHECK(fake->calls() == 4);
    auto slept = clock.sleeps();
    REQUIRE(slept.size() == 3);
    CHECK(slept[2] >= 2000ms);  // Retry-After wins over a shorter backoff
    for (auto d : slept) CHECK(d <= 2000ms);
  }
  SECTION("gives up after max_attempts with the last status") {
    for (int i = 0; i < 10; ++i) fake->push_status(500);
    CHECK(t.send(req).status == 500);
    CHECK(fake->calls() == 5);
  }
  SECTION("connection errors rethrown after the last attempt, with the count") {
    fake->drop_next(10);
    try {
      t.send(req);
      FAIL("expected a throw");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::network);
      CHECK(std::string(e.what()).find("after 5 attempts") != std::string::npos);
    }
  }
  SECTION("4xx and 501 are not retried") {
    fake->push_status(404);
    CHECK(t.send(req).status == 404);
    CHECK(fake->calls() == 1);
    fake->push_status(501);
    CHECK(t.send(req).status == 501);
    CHECK(fake->calls() == 2);
  }
  SECTION("a body that cannot rewind is not resent") {
    OneShotSource src;
    req.method = "PUT";
    req.source = &src;
    fake->push_status(503);
    CHECK(t.send(req).status == 503);
    CHECK(fake->calls() == 1);
  }
  SECTION("Retry-After beyond the bound gives up at once") {
    test::FakeTransport::Reply busy;
    busy.status = 429;
    busy.headers.add("Retry-After", "3600");
    fake->push_script(busy);
    CHECK(t.send(req).status == 429);
    CHECK(clock.sleeps().empty());
  }
}

TEST_CASE("backoff grows exponentially with full jitter, capped", "[http]") {
  http::RetryPolicy policy;
  policy.base_delay = 100ms;
  policy.max_delay = 400ms;
  http::RetryingTransport t(std::make_shared<test::FakeTransport>(), policy);
  for (int i = 0; i < 50; ++i) {
    CHECK(t.backoff(1) <= 100ms);
    CHECK(t.backoff(2) <= 200ms);
    CHECK(t.backoff(6) <= 400ms);
  }
}
