// Registry client hardening with the shared FakeTransport: a Link cycle between tag pages stops
// at the first repeated page; TLS failures are not retried; the retry budget is shared.
#include <catch2/catch.hpp>

#include "ext/core/error.hpp"
#include "ext/http/retry_transport.hpp"
#include "ext/registry/client.hpp"
#include "support/fake_clock.hpp"
#include "support/http/fake_transport.hpp"

using namespace ext;
using namespace std::chrono_literals;

namespace {

// A transport on which every request fails with `code`.
std::shared_ptr<test::FakeTransport> failing(Errc code) {
  auto t = std::make_shared<test::FakeTransport>();
  t->answer_for("", {.drop = true, .error = code});
  return t;
}

http::Headers link_to(const std::string& next) {
  http::Headers h;
  h.add("Link", "<" + next + ">; rel=\"next\"");
  return h;
}

}  // namespace

TEST_CASE("tags: a Link cycle stops at the first repeated page", "[registry][limits]") {
  // Two tag pages whose Link headers point at each other.
  auto pages = std::make_shared<test::FakeTransport>();
  pages->answer_for("last=a", {.headers = link_to("/v2/acme/f/tags/list?n=1"),
                               .body = R"({"name":"acme/f","tags":["b"]})"});
  pages->answer_for("/tags/list", {.headers = link_to("/v2/acme/f/tags/list?n=1&last=a"),
                                   .body = R"({"name":"acme/f","tags":["a"]})"});
  registry::ClientOptions o;
  o.registry = "registry.example.com";
  o.base_url = "https://registry.example.com";
  registry::Client client(pages, o);
  try {
    client.tags("acme/f", 1);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::registry);
    CHECK_THAT(e.message(), Catch::Contains("leads back to a page already listed"));
  }
  CHECK(pages->calls() == 2);  // not 10,000
}

TEST_CASE("retries: TLS failures are not retried, network failures are", "[http][limits]") {
  ext::test::FakeClock clock;
  http::RetryPolicy p;
  p.base_delay = 1ms;
  p.clock = &clock;
  http::Request req;
  req.url = "https://h/v2/";
  auto tls = failing(Errc::tls);
  http::RetryingTransport t1(tls, p);
  CHECK_THROWS_AS(t1.send(req), Error);
  CHECK_THROWS_AS(t1.open(req), Error);
  CHECK(tls->calls() == 2);  // one each
  auto net = failing(Errc::network);
  http::RetryingTransport t2(net, p);
  CHECK_THROWS_AS(t2.send(req), Error);
  CHECK(net->calls() == 5);
}

TEST_CASE("retries: one budget is shared by every transport of a command", "[http][limits]") {
  auto budget = std::make_shared<http::RetryBudget>(1000ms);
  ext::test::FakeClock clock;
  http::RetryPolicy p;
  p.base_delay = 300ms;
  p.max_delay = 300ms;
  p.clock = &clock;
  p.budget = budget;
  http::Request req;
  req.url = "http://h/v2/";
  auto a = failing(Errc::network);
  auto b = failing(Errc::network);
  http::RetryingTransport ta(a, p), tb(b, p);
  // Waits are charged: at most ~1 s of backoff in all, whatever the number of layers/requests.
  for (int i = 0; i < 4; ++i) {
    CHECK_THROWS_AS(ta.send(req), Error);
    CHECK_THROWS_AS(tb.send(req), Error);
  }
  CHECK(budget->spent() <= 1000ms);
  CHECK(a->calls() + b->calls() < 4 * 2 * 5);  // without the budget: 5 attempts each time
  budget->charge(1001ms);                      // used up: the next failure is final at once
  int before = b->calls();
  try {
    tb.send(req);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK_THAT(e.message(), Catch::Contains("retry budget of 1 s used up"));
  }
  CHECK(b->calls() == before + 1);
}
