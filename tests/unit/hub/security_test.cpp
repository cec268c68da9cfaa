// The hub's guards (lib/ext/hub/security.hpp, html.hpp): escaping, URL policy, --listen, the
// token, the Host and same-origin checks.
#include <catch2/catch.hpp>
#include <set>

#include "ext/hub/html.hpp"
#include "ext/hub/security.hpp"

using namespace ext::hub;

TEST_CASE("escape: every HTML-special character becomes an entity", "[hub][security]") {
  CHECK(escape("<a href=\"x\" onclick='y'>&</a>") ==
        "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  CHECK(escape("plain text") == "plain text");
  CHECK(escape(std::string("a\0b", 3)) ==
        "a\xEF\xBF\xBD"
        "b");
}

TEST_CASE("safe_url: http, https and relative only", "[hub][security]") {
  for (const char* ok : {"https://example.com", "http://example.com/a?b#c", "HTTPS://X.example",
                         "docs/readme.md", "/filter?ref=a", "#section", "?q=1"})
    CHECK(safe_url(ok));
  for (const char* bad :
       {"javascript:alert(1)", " javascript:x", "data:text/html,x", "//evil.example", "\\\\evil",
        "http:relative", "https://", "mailto:a@b.example", "java\nscript:x", ""})
    CHECK_FALSE(safe_url(bad));
}

TEST_CASE("listen address (--listen): loopback or not, ports, malformed", "[hub][security]") {
  auto a = parse_listen("127.0.0.1:8765").value();
  CHECK(a.host == "127.0.0.1");
  CHECK(a.port == 8765);
  CHECK(a.loopback());
  CHECK(parse_listen("localhost:0").value().loopback());
  CHECK(parse_listen("[::1]:80").value().loopback());
  CHECK_FALSE(parse_listen("0.0.0.0:8765").value().loopback());
  CHECK_FALSE(parse_listen("192.168.1.10:8765").value().loopback());
  CHECK(parse_listen(":9000").value().host == "127.0.0.1");
  CHECK(parse_listen("127.255.0.9:1").value().loopback());
  CHECK(parse_listen("[::ffff:127.0.0.1]:1").value().loopback());
  CHECK(parse_listen("[0:0:0:0:0:0:0:1]:1").value().loopback());
  CHECK_FALSE(parse_listen("[::]:8765").value().loopback());
  CHECK_FALSE(parse_listen("[::ffff:10.0.0.1]:1").value().loopback());
  // A name that only starts like a loopback address resolves to whatever its DNS says.
  CHECK_FALSE(parse_listen("127.example.com:8765").value().loopback());
  CHECK_FALSE(parse_listen("127.0.0.1.nip.io:8765").value().loopback());
  for (const char* bad : {"8765", "127.0.0.1:http", "127.0.0.1:70000", "::1:80", "a b:1"})
    CHECK(parse_listen(bad).error().code() == ext::Errc::usage);
}

TEST_CASE("token: 64 random hex digits per run, compared whole", "[hub][security]") {
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    auto t = new_token();
    CHECK(t.size() == 64);
    CHECK(t.find_first_not_of("0123456789abcdef") == std::string::npos);
    seen.insert(t);
  }
  CHECK(seen.size() == 20);
  auto t = new_token();
  CHECK(token_equal(t, t));
  CHECK_FALSE(token_equal(t, t.substr(0, 63)));
  CHECK_FALSE(token_equal(t, t + "0"));
  CHECK_FALSE(token_equal("", ""));
  CHECK_FALSE(token_equal(t, std::string(64, '0')));
}

TEST_CASE("Host and Origin checks accept the hub's own origins only", "[hub][security]") {
  auto origins = own_origins(parse_listen("127.0.0.1:0").value(), 8765);
  CHECK(origins.front() == "http://127.0.0.1:8765");
  CHECK(host_allowed("127.0.0.1:8765", origins));
  CHECK(host_allowed("localhost:8765", origins));
  CHECK_FALSE(host_allowed("evil.example:8765", origins));  // DNS rebinding
  CHECK_FALSE(host_allowed("127.0.0.1:8766", origins));
  CHECK_FALSE(host_allowed("", origins));
  CHECK(origin_allowed("http://127.0.0.1:8765", "", origins));
  CHECK(origin_allowed("", "http://localhost:8765/deploy?ref=x", origins));
  CHECK_FALSE(origin_allowed("https://evil.example", "", origins));
  CHECK_FALSE(origin_allowed("null", "", origins));
  CHECK_FALSE(origin_allowed("", "http://127.0.0.1:8765.evil.example/", origins));
  CHECK_FALSE(origin_allowed("", "", origins));
  auto lan = own_origins(parse_listen("192.168.1.10:80").value(), 80);
  CHECK(lan == std::vector<std::string>{"http://192.168.1.10:80"});
}

TEST_CASE("listen warning: any address that is not loopback, said before it is bound",
          "[hub][security]") {
  for (const char* text : {"0.0.0.0:8765", "192.168.1.10:80", "[::]:8765", "hub.example.com:1",
                           "127.example.com:8765"}) {
    auto w = listen_warning(parse_listen(text).value(), text, false);
    INFO(text);
    CHECK(w == std::string("the hub listens on ") + text +
                   ", which is not a loopback address: anyone who can reach it can browse these "
                   "registries with your credentials");
  }
  CHECK(listen_warning(parse_listen("0.0.0.0:1").value(), "0.0.0.0:1", true)
            .find("with your credentials and apply to your cluster") != std::string::npos);
  for (const char* text : {"127.0.0.1:0", "localhost:8765", "[::1]:0", ":9000", "127.1.2.3:4"})
    CHECK(listen_warning(parse_listen(text).value(), text, true).empty());
}
