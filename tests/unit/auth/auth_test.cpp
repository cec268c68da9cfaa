#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/auth/auth_file.hpp"
#include "ext/auth/auth_transport.hpp"
#include "ext/auth/challenge.hpp"
#include "ext/auth/docker_credentials.hpp"
#include "ext/auth/helper_store.hpp"
#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"
#include "support/fake_runner.hpp"
#include "support/http/fake_transport.hpp"

using namespace ext;

TEST_CASE("WWW-Authenticate challenges", "[auth]") {
  auto c = auth::parse_challenges(
      R"(Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:samalba/my-app:pull,push")");
  REQUIRE(c);
  REQUIRE(c->size() == 1);
  CHECK((*c)[0].scheme == "bearer");
  CHECK((*c)[0].param("realm") == "https://auth.docker.io/token");
  CHECK((*c)[0].param("scope") == "repository:samalba/my-app:pull,push");

  auto two = auth::parse_challenges(
      R"(Basic realm="a, \"b\"", BEARER Realm=https://x/t, error=insufficient_scope)");
  REQUIRE(two);
  REQUIRE(two->size() == 2);
  CHECK((*two)[0].scheme == "basic");
  CHECK((*two)[0].param("realm") == "a, \"b\"");
  CHECK((*two)[1].param("realm") == "https://x/t");
  CHECK((*two)[1].param("error") == "insufficient_scope");

  CHECK(auth::pick_challenge({"Basic realm=x", "Bearer realm=y"})->scheme == "bearer");
  CHECK(auth::pick_challenge({"Negotiate abc=="})->scheme == "negotiate");
  CHECK_FALSE(auth::pick_challenge({}));
  CHECK_FALSE(auth::parse_challenges(R"(Bearer realm="unterminated)"));
}

TEST_CASE("docker config keys and base64 auth", "[auth]") {
  CHECK(auth::docker_key("docker.io") == "https://index.docker.io/v1/");
  CHECK(auth::docker_key("index.docker.io") == "https://index.docker.io/v1/");
  CHECK(auth::docker_key("localhost:5000") == "localhost:5000");
  CHECK(auth::key_hostname("https://quay.io/v1/") == "quay.io");
  CHECK(auth::encode_basic("user", "pass") == "dXNlcjpwYXNz");
  auto d = auth::decode_basic("dXNlcjpwYTpzcw==");  // user:pa:ss
  REQUIRE(d);
  CHECK(d->username == "user");
  CHECK(d->password == "pa:ss");
  CHECK_FALSE(auth::decode_basic(ext::util::base64_encode(":nouser")));
  CHECK_FALSE(auth::decode_basic("***"));
  for (std::string s : {"", "a", "ab", "abc", "abcd"})
    CHECK(ext::util::base64_decode(ext::util::base64_encode(s)) == s);
}

TEST_CASE("AuthFile reads every entry shape and writes one entry, mode 0600", "[auth]") {
  util::TempDir dir;
  auto path = dir.path() / "config.json";
  util::write_file_atomic(path, R"({
    "auths": {
      "https://index.docker.io/v1/": {"auth": "aHViOmh1YnB3"},
      "https://legacy.example/v1/": {"auth": "bGVnOmxlZ3B3"},
      "plain.example:5000": {"username": "u", "password": "p"},
      "tok.example": {"identitytoken": "refresh-me"},
      "empty.example": {}
    },
    "credHelpers": {"ecr.example": "ecr-login"},
    "credsStore": "desktop",
    "other": {"keep": true}
  })");
  auth::AuthFile f(path, auth::AuthFile::Flavor::docker);
  CHECK(f.get("docker.io")->username == "hub");
  CHECK(f.get("legacy.example")->password == "legpw");
  CHECK(f.get("plain.example:5000")->password == "p");
  CHECK(f.get("tok.example")->identity_token == "refresh-me");
  CHECK_FALSE(f.get("empty.example"));
  CHECK_FALSE(f.get("missing.example"));
  CHECK(f.creds_store() == "desktop");
  CHECK(f.cred_helpers().at("ecr.example") == "ecr-login");

  f.store("new.example:443", {"nu", "npw", "", ""});
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
  auto j = nlohmann::json::parse(util::read_file(path));
  CHECK(j["other"]["keep"] == true);
  CHECK(j["auths"]["new.example:443"]["auth"] == auth::encode_basic("nu", "npw"));
  CHECK(j["auths"].size() == 6);
  CHECK(f.erase("new.example:443"));
  CHECK_FALSE(f.erase("new.example:443"));
  CHECK(nlohmann::json::parse(util::read_file(path))["auths"].size() == 5);

  util::write_file_atomic(path, "{ not json");
  try {
    f.get("x");
    FAIL("expected a parse error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::parse);
  }
}

TEST_CASE("containers auth.json: namespace keys, most specific first", "[auth]") {
  util::TempDir dir;
  auto path = dir.path() / "auth.json";
  util::write_file_atomic(path, R"({"auths": {
    "reg.example": {"auth": "aG9zdDpob3N0cHc="},
    "reg.example/team": {"auth": "dGVhbTp0ZWFtcHc="},
    "docker.io": {"auth": "aHViOmh1YnB3"}}})");
  auth::AuthFile f(path, auth::AuthFile::Flavor::containers);
  CHECK(f.get_for_repository("reg.example", "team/filter")->username == "team");
  CHECK(f.get_for_repository("reg.example", "other/filter")->username == "host");
  CHECK(f.get("docker.io")->username == "hub");
}

namespace {

using ext::test::FakeRunner;

}  // namespace

TEST_CASE("credential helper protocol", "[auth]") {
  FakeRunner runner;
  runner.set_handler([](const util::ProcessSpec& s) {
    util::ProcessResult r;
    r.exit_code = 0;
    if (s.argv[1] == "get") {
      if (*s.stdin_data == "https://index.docker.io/v1/")
        r.out =
            R"({"ServerURL":"https://index.docker.io/v1/","Username":"hubuser","Secret":"hubpw"})";
      else if (*s.stdin_data == "tok.example")
        r.out = R"({"ServerURL":"tok.example","Username":"<token>","Secret":"idtok"})";
      else {
        r.exit_code = 1;
        r.out = "credentials not found in native keychain\n";
      }
    }
    return r;
  });
  auth::HelperStore h("test", runner);
  auto c = h.get("docker.io");
  REQUIRE(c);
  CHECK(c->username == "hubuser");
  CHECK(runner.calls().back().argv == std::vector<std::string>{"docker-credential-test", "get"});
  CHECK(h.get("tok.example")->identity_token == "idtok");
  CHECK_FALSE(h.get("none.example"));
  h.store("reg.example", {"u", "secretpw", "", ""});
  auto stored = nlohmann::json::parse(*runner.calls().back().stdin_data);
  CHECK(stored["ServerURL"] == "reg.example");
  CHECK(stored["Secret"] == "secretpw");

  runner.set_handler([](const util::ProcessSpec&) {
    return util::ProcessResult{3, "boom secretpw", ""};
  });
  try {
    h.get("x.example");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::auth);
    CHECK(std::string(e.what()).find("secretpw") == std::string::npos);
  }
}

TEST_CASE("DockerCredentials picks credHelpers, then credsStore, then the file", "[auth]") {
  util::TempDir dir;
  auto path = dir.path() / "config.json";
  util::write_file_atomic(path, R"({"auths":{"file.example":{"auth":"ZjpmcHc="}},
    "credHelpers":{"helped.example":"one"}})");
  FakeRunner runner;
  runner.set_handler([](const util::ProcessSpec& s) {
    util::ProcessResult r{0, R"({"Username":"h","Secret":"hs"})", ""};
    if (s.argv[1] != "get") r.out.clear();
    return r;
  });
  auth::DockerCredentials d(path, runner);
  CHECK(d.get("file.example")->username == "f");
  CHECK(d.get("helped.example")->username == "h");
  CHECK(runner.calls().back().argv[0] == "docker-credential-one");
  d.store("helped.example", {"h", "new", "", ""});
  auto j = nlohmann::json::parse(util::read_file(path));
  CHECK(j["auths"]["helped.example"].empty());  // placeholder only
}

namespace {

// Plays a registry with Bearer auth and a token realm: the shared fake transport
// (tests/support/http) answering with the token dance; `seen` has each request with its
// Authorization header.
class TokenRegistry final : public test::FakeTransport {
 public:
  std::vector<std::string> seen;
  std::string expect_basic;  // Authorization the token endpoint requires ("" = anonymous ok)
  int token_requests = 0;
  int post_status = 200;
  std::string realm = "https://auth.example/token";
  http::Response answer(const http::Request& req) override {
    std::string auth = req.headers.get("Authorization").value_or("");
    seen.push_back(req.method + " " + req.url + " [" + auth + "]");
    http::Response r;
    r.url = req.url;
    if (req.url.rfind(realm, 0) == 0) {
      ++token_requests;
      if (req.method == "POST") {
        r.status = post_status;
        if (post_status == 200) r.body = R"({"access_token":"TOKEN-POST","expires_in":300})";
        return r;
      }
      if (!expect_basic.empty() && auth != expect_basic) {
        r.status = 401;
        return r;
      }
      r.status = 200;
      r.body = R"({"token":"TOKEN-GET"})";
      return r;
    }
    if (auth == "Bearer TOKEN-GET" || auth == "Bearer TOKEN-POST") {
      r.status = 200;
      return r;
    }
    r.status = 401;
    r.headers.add("WWW-Authenticate",
                  "Bearer realm=\"" + realm + R"(",service="reg",scope="repository:a:pull")");
    return r;
  }
};

}  // namespace

TEST_CASE("AuthTransport: bearer flow, token cache per scope, no credentials to other hosts",
          "[auth]") {
  auto fake = std::make_shared<TokenRegistry>();
  auth::AuthOptions o;
  o.registry = "reg.example";
  o.host = "reg.example";
  o.credential = auth::Credential{"alice", "pw", "", ""};
  fake->expect_basic = "Basic " + auth::encode_basic("alice", "pw");
  auth::AuthTransport t(fake, o);
  http::Request req;
  req.url = "https://reg.example/v2/a/manifests/v1";
  req.scopes = {"repository:a:pull"};
  CHECK(t.send(req).status == 200);
  CHECK(fake->token_requests == 1);
  CHECK(t.scheme() == "bearer");
  CHECK(fake->seen[1].find("scope=repository%3Aa%3Apull") != std::string::npos);
  CHECK(fake->seen[1].find("service=reg") != std::string::npos);
  // Same scope: cached, sent pre-emptively.
  CHECK(t.send(req).status == 200);
  CHECK(fake->token_requests == 1);
  // Another scope: a new token, fetched before the request.
  req.scopes = {"repository:b:pull,push"};
  CHECK(t.send(req).status == 200);
  CHECK(fake->token_requests == 2);
  // Another host (a blob redirect target, say): no Authorization.
  http::Request other;
  other.url = "https://storage.example/blob";
  t.send(other);
  CHECK(fake->seen.back().find("[]") != std::string::npos);
}

TEST_CASE("AuthTransport: refresh token uses the OAuth2 POST, falls back to GET on 404", "[auth]") {
  auto fake = std::make_shared<TokenRegistry>();
  auth::AuthOptions o;
  o.registry = "reg.example";
  o.host = "reg.example";
  o.credential = auth::Credential{"", "", "refresh-xyz", ""};
  http::Request req;
  req.url = "https://reg.example/v2/";
  {
    auth::AuthTransport t(fake, o);
    CHECK(t.send(req).status == 200);
    CHECK(fake->seen[1].rfind("POST https://auth.example/token", 0) == 0);
  }
  fake->post_status = 404;
  fake->seen.clear();
  auth::AuthTransport t(fake, o);
  CHECK(t.send(req).status == 200);
  CHECK(fake->seen[1].rfind("POST", 0) == 0);
  CHECK(fake->seen[2].rfind("GET https://auth.example/token", 0) == 0);
}

TEST_CASE("AuthTransport: token server refusal and unknown schemes are clear errors", "[auth]") {
  auto fake = std::make_shared<TokenRegistry>();
  fake->expect_basic = "Basic " + auth::encode_basic("alice", "right");
  auth::AuthOptions o;
  o.registry = "reg.example";
  o.host = "reg.example";
  o.credential = auth::Credential{"alice", "wrong-pw-42", "", ""};
  auth::AuthTransport t(fake, o);
  http::Request req;
  req.url = "https://reg.example/v2/";
  try {
    t.send(req);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::auth);
    // Credentials given to this run (ext login's): no "run ext login" hint, and not "stored"
    // (issue 15).
    CHECK(e.hint() == "check the user name and password for reg.example");
    CHECK(e.message().find("rejected the credentials given") != std::string::npos);
    CHECK(e.message().find("stored") == std::string::npos);
    CHECK(std::string(e.what()).find("wrong-pw-42") == std::string::npos);
  }

  // A registry that asks for Negotiate (Kerberos), which ext does not speak.
  auto negotiate = std::make_shared<test::FakeTransport>();
  http::Headers challenge;
  challenge.add("WWW-Authenticate", "Negotiate");
  negotiate->answer_for("", {.status = 401, .headers = challenge});
  auth::AuthTransport n(negotiate, o);
  try {
    n.send(req);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::unsupported);
    CHECK(std::string(e.what()).find("negotiate") != std::string::npos);
  }
}

TEST_CASE("AuthTransport: no credentials to a plain-http realm of an https registry",
          "[auth][limits]") {
  auto fake = std::make_shared<TokenRegistry>();
  fake->realm = "http://auth.example/token";
  auth::AuthOptions o;
  o.registry = "reg.example";
  o.host = "reg.example";
  o.credential = auth::Credential{"alice", "pw", "", ""};
  http::Request req;
  req.url = "https://reg.example/v2/a/manifests/v1";
  req.scopes = {"repository:a:pull"};
  SECTION("refused without --insecure, nothing sent to the realm") {
    auth::AuthTransport t(fake, o);
    try {
      t.send(req);
      FAIL("expected an auth error");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::auth);
      CHECK_THAT(e.message(), Catch::Contains("plain-http token realm"));
      CHECK_THAT(e.hint(), Catch::Contains("--insecure"));
    }
    CHECK(fake->token_requests == 0);
    for (const auto& l : fake->seen) CHECK(l.find("Basic") == std::string::npos);
  }
  SECTION("allowed with --insecure") {
    fake->expect_basic = "Basic " + auth::encode_basic("alice", "pw");
    o.allow_plain_http_realm = true;
    auth::AuthTransport t(fake, o);
    CHECK(t.send(req).status == 200);
    CHECK(fake->token_requests == 1);
  }
  SECTION("anonymous token requests carry no secret and go ahead") {
    o.credential = auth::Credential{};
    auth::AuthTransport t(fake, o);
    CHECK(t.send(req).status == 200);
  }
}
