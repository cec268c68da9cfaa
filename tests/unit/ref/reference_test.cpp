// Reference grammar and normalization (distribution/reference @0965666: reference.go,
// normalize.go; cases after its reference_test.go and normalize_test.go).
#include <catch2/catch.hpp>

#include "ext/ref/reference.hpp"

using ext::ref::Reference;

namespace {
const std::string k_hex64 = "ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff";
const std::string k_d = "sha256:" + k_hex64;
}  // namespace

TEST_CASE("reference: accepted forms and their canonical parts", "[ref]") {
  struct Case {
    std::string in, canonical, registry, repository, tag, digest, endpoint;
  };
  const std::vector<Case> cases = {
      // short names and docker.io normalization (distribution/reference normalize.go)
      {"ubuntu", "docker.io/library/ubuntu:latest", "docker.io", "library/ubuntu", "latest", "",
       "registry-1.docker.io"},
      {"user/filter:1.0", "docker.io/user/filter:1.0", "docker.io", "user/filter", "1.0", "",
       "registry-1.docker.io"},
      {"localhost:5000/f@" + k_d, "localhost:5000/f@" + k_d, "localhost:5000", "f", "", k_d,
       "localhost:5000"},
      {"ghcr.io/org/team/filter", "ghcr.io/org/team/filter:latest", "ghcr.io", "org/team/filter",
       "latest", "", "ghcr.io"},
      {"[::1]:5000/f:dev", "[::1]:5000/f:dev", "[::1]:5000", "f", "dev", "", "[::1]:5000"},
      // normalization
      {"index.docker.io/ubuntu", "docker.io/library/ubuntu:latest", "docker.io", "library/ubuntu",
       "latest", "", "registry-1.docker.io"},
      {"docker.io/ubuntu:22.04", "docker.io/library/ubuntu:22.04", "docker.io", "library/ubuntu",
       "22.04", "", "registry-1.docker.io"},
      {"docker.io/library/ubuntu", "docker.io/library/ubuntu:latest", "docker.io", "library/ubuntu",
       "latest", "", "registry-1.docker.io"},
      {"localhost/f", "localhost/f:latest", "localhost", "f", "latest", "", "localhost"},
      {"foo_bar.com:8080", "docker.io/library/foo_bar.com:8080", "docker.io", "library/foo_bar.com",
       "8080", "", "registry-1.docker.io"},
      {"foo/foo_bar.com:8080", "docker.io/foo/foo_bar.com:8080", "docker.io", "foo/foo_bar.com",
       "8080", "", "registry-1.docker.io"},
      {"Upper.io/repo:Tag_1", "Upper.io/repo:Tag_1", "Upper.io", "repo", "Tag_1", "", "Upper.io"},
      {"UPPERHOST/repo", "UPPERHOST/repo:latest", "UPPERHOST", "repo", "latest", "", "UPPERHOST"},
      {"192.168.1.1:5000/a/b-c__d.e---f:v1", "192.168.1.1:5000/a/b-c__d.e---f:v1",
       "192.168.1.1:5000", "a/b-c__d.e---f", "v1", "", "192.168.1.1:5000"},
      {"127.0.0.1:5000/f:t@" + k_d, "127.0.0.1:5000/f:t@" + k_d, "127.0.0.1:5000", "f", "t", k_d,
       "127.0.0.1:5000"},
      {"a:" + std::string(128, 'x'), "docker.io/library/a:" + std::string(128, 'x'), "docker.io",
       "library/a", std::string(128, 'x'), "", "registry-1.docker.io"},
      {"my-registry.example.com:443/x/y:_under", "my-registry.example.com:443/x/y:_under",
       "my-registry.example.com:443", "x/y", "_under", "", "my-registry.example.com:443"},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    auto r = Reference::parse(c.in);
    REQUIRE(r.has_value());
    CHECK(r->to_string() == c.canonical);
    CHECK(r->registry() == c.registry);
    CHECK(r->repository() == c.repository);
    CHECK(r->tag() == c.tag);
    CHECK((r->digest() ? r->digest()->to_string() : std::string()) == c.digest);
    CHECK(r->endpoint_host() == c.endpoint);
    // The canonical form parses to the same reference.
    auto again = Reference::parse(r->to_string());
    REQUIRE(again.has_value());
    CHECK(*again == *r);
  }
}

TEST_CASE("reference: every rejection of the distribution/reference grammar", "[ref]") {
  struct Case {
    std::string in, why;
  };
  const std::vector<Case> cases = {
      {"", "empty"},
      {":justtag", "repository name is empty"},
      {"@" + k_d, "repository name is empty"},
      {":tag@" + k_d, "repository name is empty"},
      {k_hex64, "hexadecimal"},                // bare 64-hex is an ID
      {"Uppercase:tag", "must be lowercase"},  // repository path lowercase
      {"test:5000/Uppercase/lowercase:tag", "must be lowercase"},
      {"docker.io/Library/ubuntu", "must be lowercase"},
      {"aa/asdf$$^/aa", "invalid repository name"},  // characters outside the grammar
      {"aa/a..b", "invalid repository name"},        // separator ".." not allowed
      {"aa/a___b", "invalid repository name"},       // "___" not a separator
      {"aa/a._b", "invalid repository name"},
      {"aa/-a", "invalid repository name"},  // component starts with separator
      {"aa/a-", "invalid repository name"},  // ends with separator
      {"aa/_a", "invalid repository name"},
      {"a//b", "invalid repository name"},  // empty component
      {"a/b/", "invalid repository name"},
      {"/a", "invalid repository name"},  // empty first component -> hub path
      {"localhost:5000/", "invalid repository name"},
      {"repo:-tag", "invalid tag"},  // tag starts with '-'
      {"repo:.tag", "invalid tag"},
      {"repo:ta/g", "invalid registry host"},  // "repo:ta" is a host with a bad port
      {"repo:t@g", "digest"},                  // '@' starts a digest
      {"repo:tag!", "invalid tag"},
      {"repo:" + std::string(129, 'a'), "longer than 128"},                  // tag max 128
      {"repo@sha256:ffffffffffffffffffffffffffffffffff", "invalid digest"},  // 34 hex: wrong length
      {"repo@sha256:fff", "too short"},                                      // digest-hex needs 32+
      {"repo@sha256:" + std::string(64, 'g'), "not hex"},
      {"repo@sha256:" + std::string(64, 'F'), "invalid digest"},  // sha256 hex must be lowercase
      {"validname@invaliddigest:" + k_hex64, "unsupported digest algorithm"},
      {"repo@1sha:" + k_hex64, "malformed digest algorithm"},
      {"repo@sha256", "not algorithm:hex"},
      {"repo@" + k_d + "@" + k_d, "more than one"},
      {"localhost:abc/repo", "invalid registry host"},  // port must be digits
      {"localhost:/repo", "invalid registry host"},
      {"-bad.io/repo", "invalid registry host"},  // domain component starts with '-'
      {"bad-.io/repo", "invalid registry host"},
      {"a..io/repo", "invalid registry host"},
      {"[fe80::1%eth0]:5000/repo", "invalid registry host"},  // zones are not in the grammar
      {"[fe80::1%@invalidzone]:5000/repo", "digest"},
      {"[]:5000/repo", "invalid registry host"},
      {"[::1/repo", "invalid registry host"},
      {"reg.io/" + std::string(250, 'a'), "longer than 255"},  // NameTotalLengthMax
      {"repo name", "invalid"},
  };
  for (const auto& c : cases) {
    INFO(c.in);
    auto r = Reference::parse(c.in);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code() == ext::Errc::invalid_argument);
    CHECK_THAT(r.error().message(), Catch::Contains(c.why, Catch::CaseSensitive::No));
    CHECK_FALSE(r.error().hint().empty());
  }
}

TEST_CASE("reference: tag and digest helpers", "[ref]") {
  auto r = Reference::parse("ghcr.io/acme/f:v1@" + k_d).value();
  CHECK(r.identifier() == k_d);
  CHECK(r.tag() == "v1");
  auto t = r.with_tag("v2");
  CHECK(t.to_string() == "ghcr.io/acme/f:v2");
  CHECK(t.identifier() == "v2");
  auto d = Reference::parse("ghcr.io/acme/f").value().with_digest(r.digest().value());
  CHECK(d.to_string() == "ghcr.io/acme/f:latest@" + k_d);
  CHECK(r.without_tag_or_digest().to_string() == "ghcr.io/acme/f");
  CHECK(r.name() == "ghcr.io/acme/f");
}

TEST_CASE("reference: loopback registries", "[ref]") {
  for (const char* s : {"localhost/f", "localhost:5000/f", "127.0.0.1:5000/f", "127.1.2.3/f",
                        "[::1]:5000/f", "[::1]/f"}) {
    INFO(s);
    CHECK(Reference::parse(s).value().is_loopback());
  }
  for (const char* s : {"ghcr.io/f", "f", "128.0.0.1:5000/f", "127.0.0.1.nip.io/f",
                        "localhost.example.com/f", "[::2]:5000/f"}) {
    INFO(s);
    CHECK_FALSE(Reference::parse(s).value().is_loopback());
  }
}
