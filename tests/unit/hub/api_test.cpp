// The hub's HTTP surface, in process: a Hub on 127.0.0.1:0 over a fake catalog source, talked
// to with ext's own HTTP client (libcurl). Pages and /api/ carry the same data; registry text
// is escaped; POSTs need the token and the hub's own Origin; apply is 404 without --allow-apply;
// a registry that goes away keeps its cached catalog and the page says so.
#include <atomic>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/core/reporter.hpp"
#include "ext/http/curl_transport.hpp"
#include "ext/hub/server.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/expect.hpp"
#include "support/paths.hpp"

using ext::test::has;

using namespace ext;
using nlohmann::json;

namespace {

ops::SearchHit hit(const std::string& repo, const std::string& desc, const std::string& type,
                   const std::string& license) {
  ops::SearchHit h;
  h.registry = "127.0.0.1:5999";
  h.repository = repo;
  h.tag = "v1";
  h.reference = h.registry + "/" + repo + ":v1";
  h.digest = "sha256:" + std::string(64, 'a');
  h.description = desc;
  h.abi = "v0.2.1";
  h.type = type;
  h.license = license;
  h.platforms = {"istio@1.22"};
  h.keywords = {"demo"};
  return h;
}

struct Fixture {
  util::TempDir tmp{"ext-hub-test-"};
  NullReporter reporter;
  util::SubprocessRunner runner{ext::test::host_environment()};
  std::atomic<bool> registry_up{true};
  std::unique_ptr<hub::Hub> hub;
  http::CurlTransport client;

  explicit Fixture(bool allow_apply = false) {
    ops::Env env;
    env.reporter = reporter;
    env.runner = runner;
    env.store_root = tmp.path() / "store";
    env.data_root = tmp.path() / "data";
    hub::HubOptions o;
    o.registries = {"127.0.0.1:5999"};
    o.listen = "127.0.0.1:0";
    o.allow_apply = allow_apply;
    o.refresh_seconds = 0;
    o.source = [this](const std::string& registry) {
      ops::SearchResult r;
      if (!registry_up) {
        r.warnings.push_back("skipping " + registry + ": connection refused");
        return r;
      }
      r.hits.push_back(hit("acme/add-header", "Adds <b>a</b> header <script>alert(1)</script>",
                           "http", "Apache-2.0"));
      r.hits.push_back(hit("acme/tcp-count", "Counts connections", "network", "MIT"));
      return r;
    };
    hub = std::make_unique<hub::Hub>(o, env);
    hub->start();
  }

  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(hub->port()) + path;
  }
  http::Response get(const std::string& path, const std::string& host = {}) {
    http::Request req;
    req.url = url(path);
    if (!host.empty()) req.headers.set("Host", host);
    return client.send(req);
  }
  http::Response post(const std::string& path, const std::string& body,
                      std::map<std::string, std::string> headers) {
    http::Request req;
    req.method = "POST";
    req.url = url(path);
    req.body = body;
    for (auto& [k, v] : headers) req.headers.set(k, v);
    return client.send(req);
  }
  std::string origin() const { return "http://127.0.0.1:" + std::to_string(hub->port()); }
};

}  // namespace

TEST_CASE("hub: the catalog page and /api/catalog show the same filters", "[hub][api]") {
  Fixture f;
  CHECK(f.hub->url() == f.origin() + "/");
  auto page = f.get("/");
  REQUIRE(page.status == 200);
  CHECK(has(*page.headers.get("Content-Type"), "text/html"));
  CHECK(*page.headers.get("Content-Security-Policy") ==
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'");
  CHECK(*page.headers.get("X-Content-Type-Options") == "nosniff");
  CHECK(has(page.body, "acme/add-header"));
  CHECK(has(page.body, "acme/tcp-count"));
  CHECK(has(page.body, "<script src=\"/static/hub.js\" defer></script>"));
  CHECK(!has(page.body, "<script>"));  // no inline script, and the description is escaped
  CHECK(!has(page.body, "<b>a</b>"));
  CHECK(has(page.body, "Adds &lt;b&gt;a&lt;/b&gt; header &lt;script&gt;alert(1)&lt;/script&gt;"));

  auto api = json::parse(f.get("/api/catalog").body);
  CHECK(api["total"] == 2);
  CHECK(api["filters"][0]["repository"] == "acme/add-header");
  CHECK(api["filters"][0]["description"] == "Adds <b>a</b> header <script>alert(1)</script>");
  CHECK(api["registries"][0]["reachable"] == true);

  // The filters of the page are the filters of `ext search`.
  auto net = json::parse(f.get("/api/catalog?type=network").body);
  REQUIRE(net["shown"] == 1);
  CHECK(net["filters"][0]["repository"] == "acme/tcp-count");
  CHECK(json::parse(f.get("/api/catalog?q=HEADER").body)["shown"] == 1);
  CHECK(json::parse(f.get("/api/catalog?license=mit").body)["shown"] == 1);
  CHECK(json::parse(f.get("/api/catalog?abi=0.2.1&platform=istio").body)["shown"] == 2);
  CHECK(json::parse(f.get("/api/catalog?platform=istio@1.21").body)["shown"] == 0);
  CHECK(f.get("/api/catalog?type=bogus").status == 400);
  // Server-side filtering for pages without JavaScript: the other rows are hidden.
  auto filtered = f.get("/?q=count");
  CHECK(has(filtered.body, "<span id=\"count\">1</span>"));

  auto css = f.get("/static/hub.css");
  CHECK(css.status == 200);
  CHECK(has(*css.headers.get("Content-Type"), "text/css"));
  auto js = f.get("/static/hub.js");
  CHECK(js.status == 200);
  CHECK(has(js.body, "search_matches"));
  CHECK(f.get("/static/nope.js").status == 404);
  CHECK(f.get("/api/nope").status == 404);
}

TEST_CASE("hub: a Host that is not the hub's is refused (DNS rebinding)", "[hub][api]") {
  Fixture f;
  auto r = f.get("/api/catalog", "evil.example:" + std::to_string(f.hub->port()));
  CHECK(r.status == 421);
  CHECK(f.get("/api/catalog", "localhost:" + std::to_string(f.hub->port())).status == 200);
}

TEST_CASE("hub: POST needs the token and the hub's own origin", "[hub][api]") {
  Fixture f;
  const auto token = f.hub->token();
  CHECK(f.post("/api/refresh", "", {}).status == 403);
  CHECK(f.post("/api/refresh", "", {{"Origin", f.origin()}}).status == 403);
  // A token that differs in its first character (the real one may itself start with '0').
  std::string wrong = (token[0] == '0' ? "1" : "0") + token.substr(1);
  REQUIRE(wrong != token);
  CHECK(f.post("/api/refresh", "", {{"Origin", f.origin()}, {"X-Hub-Token", wrong}}).status == 403);
  CHECK(f.post("/api/refresh", "", {{"Origin", "https://evil.example"}, {"X-Hub-Token", token}})
            .status == 403);
  CHECK(f.post("/api/refresh", "", {{"X-Hub-Token", token}}).status == 403);  // no Origin
  auto ok = f.post("/api/refresh", "", {{"Origin", f.origin()}, {"X-Hub-Token", token}});
  CHECK(ok.status == 200);
  CHECK(json::parse(ok.body)["total"] == 2);
  // The token is in the page (meta tag) for the page's script, never in the API's data.
  CHECK(has(f.get("/").body, "<meta name=\"hub-token\" content=\"" + token + "\">"));
  CHECK(!has(f.get("/api/catalog").body, token));
  CHECK(!has(f.get("/api/info").body, token));
}

TEST_CASE("hub: apply is 404 unless --allow-apply, then token, origin and confirmation",
          "[hub][api]") {
  {
    Fixture f;
    auto body = json{{"ref", "127.0.0.1:5999/acme/add-header:v1"}, {"token", f.hub->token()}};
    CHECK(
        f.post("/api/apply", body.dump(), {{"Origin", f.origin()}, {"X-Hub-Token", f.hub->token()}})
            .status == 404);
    CHECK(f.post("/deploy/apply", "token=" + f.hub->token(), {{"Origin", f.origin()}}).status ==
          404);
    CHECK(json::parse(f.get("/api/info").body)["allow_apply"] == false);
  }
  Fixture f(true);
  auto body = json{{"ref", "127.0.0.1:5999/acme/add-header:v1"}, {"name", "x"}};
  CHECK(f.post("/api/apply", body.dump(), {{"Origin", f.origin()}}).status == 403);
  CHECK(f.post("/api/apply", body.dump(),
               {{"Origin", "http://evil.example"}, {"X-Hub-Token", f.hub->token()}})
            .status == 403);
  CHECK(f.post("/deploy/apply", "ref=127.0.0.1%3A5999%2Facme%2Fadd-header%3Av1&token=wrong",
               {{"Origin", f.origin()}, {"Content-Type", "application/x-www-form-urlencoded"}})
            .status == 403);
}

TEST_CASE("hub: references outside the served registries are refused", "[hub][api]") {
  Fixture f;
  auto r = f.get("/api/deploy?ref=evil.example/x:v1&platform=istio&name=x");
  CHECK(r.status == 403);
  CHECK(has(json::parse(r.body)["error"].get<std::string>(), "serves only 127.0.0.1:5999"));
  CHECK(f.get("/api/filter?ref=ghcr.io/acme/x").status == 403);
  CHECK(f.get("/filter?ref=ghcr.io/acme/x").status == 403);
  CHECK(
      f.get("/api/deploy?ref=127.0.0.1:5999/acme/add-header:v1&config=%40%2Fetc%2Fpasswd").status ==
      400);
}

TEST_CASE("hub: a registry that goes away keeps its cached catalog, and the page says so",
          "[hub][api]") {
  Fixture f;
  f.registry_up = false;
  auto r = f.post("/api/refresh", "", {{"Origin", f.origin()}, {"X-Hub-Token", f.hub->token()}});
  REQUIRE(r.status == 200);
  auto api = json::parse(f.get("/api/catalog").body);
  CHECK(api["total"] == 2);  // still the filters read before
  CHECK(api["registries"][0]["reachable"] == false);
  CHECK(api["registries"][0]["read"] == true);
  CHECK(has(api["registries"][0]["message"].get<std::string>(), "connection refused"));
  auto page = f.get("/").body;
  CHECK(has(page, "127.0.0.1:5999 is unreachable</strong>: showing the catalog read at"));
  CHECK(has(page, "acme/add-header"));
  // Back again: the banner goes.
  f.registry_up = true;
  f.post("/api/refresh", "", {{"Origin", f.origin()}, {"X-Hub-Token", f.hub->token()}});
  CHECK(!has(f.get("/").body, "is unreachable"));
}
