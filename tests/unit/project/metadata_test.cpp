// ext.yaml metadata keys (docs/discovery.md): strict types, size caps, clear errors.
#include <catch2/catch.hpp>

#include "ext/project/project_file.hpp"

using ext::Errc;
using ext::project::ProjectFile;

namespace {
const std::string k_head = "name: meta\nlanguage: cpp\n";
}

TEST_CASE("ext.yaml metadata: every key parses", "[project][discovery]") {
  auto p = ProjectFile::parse(k_head + R"(description: Adds a header
authors: [Ann <ann@example.com>, Bob]
license: Apache-2.0 OR MIT
homepage: https://example.com/meta
source: https://github.com/acme/meta
documentation: https://example.com/meta/docs
keywords: [headers, auth, jwt, auth]
readme: docs/FILTER.md
)");
  REQUIRE(p);
  CHECK(p->description == "Adds a header");
  CHECK(p->authors == std::vector<std::string>{"Ann <ann@example.com>", "Bob"});
  CHECK(p->license == "Apache-2.0 OR MIT");
  CHECK(p->homepage == "https://example.com/meta");
  CHECK(p->source == "https://github.com/acme/meta");
  CHECK(p->documentation == "https://example.com/meta/docs");
  CHECK(p->keywords == std::vector<std::string>{"headers", "auth", "jwt"});  // duplicates once
  CHECK(p->readme == "docs/FILTER.md");
  auto one = ProjectFile::parse(k_head + "authors: Ann\n");
  REQUIRE(one);
  CHECK(one->authors == std::vector<std::string>{"Ann"});
}

TEST_CASE("ext.yaml metadata: a malformed keyword list is a clear error", "[project][discovery]") {
  struct Case {
    std::string yaml;
    std::string says;
  };
  std::vector<Case> cases = {
      {"keywords: auth, jwt\n", "must be a list of keywords, got the string \"auth, jwt\""},
      {"keywords: {a: 1}\n", "must be a list of keywords"},
      {"keywords: [auth, [x]]\n", "keyword 2 is array, not a string"},
      {"keywords: [auth, 'two words']\n", "keyword \"two words\" is not a keyword"},
      {"keywords: [Auth]\n", "keyword \"Auth\" is not a keyword"},
      {"keywords: [-x]\n", "is not a keyword"},
      {"keywords: [" + std::string(65, 'a') + "]\n", "is not a keyword"},
  };
  std::string many = "keywords: [";
  for (int i = 0; i < 33; ++i) many += (i ? ",k" : "k") + std::to_string(i);
  cases.push_back({many + "]\n", "33 keywords, over the limit of 32"});
  for (const auto& c : cases) {
    INFO(c.yaml);
    auto p = ProjectFile::parse(k_head + c.yaml, "ext.yaml");
    REQUIRE_FALSE(p);
    CHECK(p.error().code() == Errc::parse);
    CHECK_THAT(p.error().message(), Catch::StartsWith("ext.yaml:3:"));
    CHECK_THAT(p.error().message(), Catch::Contains(c.says));
  }
}

TEST_CASE("ext.yaml metadata: strict types and size caps", "[project][discovery]") {
  struct Case {
    std::string yaml;
    std::string says;
  };
  std::vector<Case> cases = {
      {"description: [a, b]\n", "\"description\" must be a string"},
      {"description: 42\n", "\"description\" must be a string"},
      {"description: " + std::string(4097, 'x') + "\n", "4097 bytes, over the limit of 4096"},
      {"license: {spdx: MIT}\n", "\"license\" must be a string"},
      {"homepage: example.com\n", "must be an http(s) URL"},
      {"source: 'https://x y'\n", "without spaces"},
      {"documentation: true\n", "\"documentation\" must be a string"},
      {"authors: [Ann, {x: 1}]\n", "\"authors\" must be a list of strings"},
      {"authors: " + std::string(1025, 'a') + "\n", "over the limit of 1024"},
      {"license: \"MIT\\u0001\"\n", "control character"},
      {"readme: ../../etc/passwd\n", "inside the project"},
  };
  for (const auto& c : cases) {
    INFO(c.yaml.substr(0, 80));
    auto p = ProjectFile::parse(k_head + c.yaml, "ext.yaml");
    REQUIRE_FALSE(p);
    CHECK_THAT(p.error().message(), Catch::StartsWith("ext.yaml:3:"));
    CHECK_THAT(p.error().message(), Catch::Contains(c.says));
  }
}
