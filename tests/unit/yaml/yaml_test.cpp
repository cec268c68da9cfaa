#include <catch2/catch.hpp>
#include <chrono>
#include <string>

#include "ext/yaml/yaml.hpp"

using ext::Errc;
using ext::yaml::Pointer;
namespace yaml = ext::yaml;

TEST_CASE("yaml: scalars, mappings and sequences become JSON", "[yaml]") {
  auto d = yaml::parse(
      "name: x\nn: 12\nf: -1.5e3\nv: 1.30\nt: true\nT: True\nz: ~\ne:\nq: '12'\ny: yes\n"
      "hex: 0x1F\nlist: [a, 2, {k: v}]\nblock:\n  - one\n  - two: 2\n",
      "f.yaml");
  REQUIRE(d);
  const auto& j = d->root();
  CHECK(j["name"] == "x");
  CHECK(j["n"] == 12);
  CHECK(j["f"] == -1500.0);
  CHECK(j["v"] == 1.3);
  CHECK(d->text(Pointer("/v")) == "1.30");  // as written
  CHECK(j["t"] == true);
  CHECK(j["T"] == true);
  CHECK(j["z"].is_null());
  CHECK(j["e"].is_null());
  CHECK(j["q"] == "12");   // quoted: a string
  CHECK(j["y"] == "yes");  // YAML 1.2: not a boolean
  CHECK(j["hex"] == "0x1F");
  CHECK(j["list"] == nlohmann::ordered_json::parse(R"(["a",2,{"k":"v"}])"));
  CHECK(j["block"][1]["two"] == 2);
  // key order is kept
  CHECK(j.begin().key() == "name");
  CHECK(d->text(Pointer("/list")) == std::nullopt);
  CHECK(d->text(Pointer("/z")) == std::nullopt);
}

TEST_CASE("yaml: positions of values and keys", "[yaml]") {
  auto d = yaml::parse("a: 1\nb:\n  c: [x, y]\n  dd:   z\n", "p.yaml");
  REQUIRE(d);
  CHECK(d->where(Pointer("/b/c/1")) == "p.yaml:3:10: ");
  CHECK(d->where(Pointer("/b/dd")) == "p.yaml:4:9: ");
  CHECK(d->where_key(Pointer("/b/dd")) == "p.yaml:4:3: ");
  CHECK(d->where(Pointer("/b/missing")) == "p.yaml:3:3: ");  // nearest existing parent
  CHECK(d->mark(Pointer("/a")).line == 1);
}

TEST_CASE("yaml: errors name the file, line and column", "[yaml]") {
  auto bad = yaml::parse("a: [1, 2\n", "e.yaml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == Errc::parse);
  CHECK_THAT(bad.error().message(), Catch::Matches("e\\.yaml:[0-9]+:[0-9]+: .*"));
  auto dup = yaml::parse("a: 1\nb: 2\na: 3\n", "d.yaml");
  REQUIRE_FALSE(dup);
  CHECK(dup.error().message() == "d.yaml:3:1: duplicate key \"a\"");
  auto complex = yaml::parse("? [a]\n: 1\n", "c.yaml");
  REQUIRE_FALSE(complex);
  CHECK_THAT(complex.error().message(), Catch::Contains("key must be a scalar"));
  auto two = yaml::parse("a: 1\n---\nb: 2\n", "t.yaml");
  REQUIRE_FALSE(two);
  CHECK_THAT(two.error().message(), Catch::Contains("more than one YAML document"));
  auto empty = yaml::parse("", "n.yaml");
  REQUIRE(empty);
  CHECK(empty->root().is_null());
}

TEST_CASE("yaml: aliases are copied, within a budget", "[yaml]") {
  auto d = yaml::parse("base: &b {x: 1, y: [1, 2]}\nuse: *b\nk: &s key\n*s : v\n");
  REQUIRE(d);
  CHECK(d->root()["use"] == d->root()["base"]);
  CHECK(d->root()["key"] == "v");
}

TEST_CASE("yaml: a 1 KB alias bomb fails fast naming the limit (issue 11)", "[yaml]") {
  // "billion laughs": 9 levels of 9 aliases = 9^9 copies of "lol" (16.5 GB in yaml-cpp's nodes).
  std::string bomb =
      "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n";
  for (char c = 'b'; c <= 'i'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) bomb += (i ? ",*" : "*") + prev;
    bomb += "]\n";
  }
  REQUIRE(bomb.size() < 1024);
  // The budget, not a clock, bounds the work: the error names the limit that stopped it.
  auto d = yaml::parse(bomb, "lol.yaml");
  REQUIRE_FALSE(d);
  CHECK_THAT(d.error().message(), Catch::StartsWith("lol.yaml:"));
  CHECK_THAT(d.error().message(), Catch::Contains("limit max_alias_nodes = 100000"));
  // The same document under a smaller budget fails at once; a larger one lets small trees by.
  yaml::Limits small;
  small.max_alias_nodes = 50;
  CHECK_FALSE(yaml::parse("a: &a [1,2,3,4,5,6,7,8,9,10]\nb: [*a,*a,*a,*a,*a]\n", "s", small));
  CHECK(yaml::parse("a: &a [1,2,3,4,5,6,7,8,9,10]\nb: [*a,*a,*a]\n", "s", small));
}

TEST_CASE("yaml: size, depth and node limits (issue 11)", "[yaml]") {
  yaml::Limits limits;
  SECTION("depth: 100,000 nested flow sequences") {
    std::string deep = std::string(100'000, '[') + std::string(100'000, ']');
    auto d = yaml::parse(deep, "deep.yaml", limits);
    REQUIRE_FALSE(d);
    CHECK_THAT(d.error().message(), Catch::Contains("limit max_depth = 100"));
  }
  SECTION("depth: block sequences on one line") {
    std::string deep;
    for (int i = 0; i < 5000; ++i) deep += "- ";
    deep += "x\n";
    auto d = yaml::parse(deep, "deep.yaml", limits);
    REQUIRE_FALSE(d);
    CHECK_THAT(d.error().message(), Catch::Contains("max_depth"));
  }
  SECTION("depth within the limit") {
    std::string ok = std::string(99, '[') + std::string(99, ']');
    CHECK(yaml::parse(ok, "ok.yaml", limits));
  }
  SECTION("bytes") {
    limits.max_bytes = 100;
    auto d = yaml::parse(std::string(101, 'a'), "big.yaml", limits);
    REQUIRE_FALSE(d);
    CHECK_THAT(d.error().message(), Catch::Contains("limit max_bytes = 100"));
  }
  SECTION("nodes") {
    limits.max_nodes = 1000;
    std::string many = "[";
    for (int i = 0; i < 2000; ++i) many += "1,";
    many += "1]";
    auto d = yaml::parse(many, "many.yaml", limits);
    REQUIRE_FALSE(d);
    CHECK_THAT(d.error().message(), Catch::Contains("limit max_nodes = 1000"));
  }
  SECTION("an alias of a long string repeated is bounded by bytes") {
    std::string text = "a: &a " + std::string(1 << 20, 'x') + "\nb: [";
    for (int i = 0; i < 100; ++i) text += "*a,";
    text += "*a]\n";
    auto d = yaml::parse(text, "long.yaml", limits);
    REQUIRE_FALSE(d);
    CHECK_THAT(d.error().message(), Catch::Contains("16 x max_bytes"));
  }
}

TEST_CASE("yaml: parse_nodes keeps tags, quoting, key nodes and every document", "[yaml]") {
  auto docs = yaml::parse_nodes(
      "!ignore defs: &t 5s\nq: \"8080\"\np: 8080\ns: !!str 1\nuse: *t\nm: !local {a: 1}\n---\n"
      "---\n- x\n",
      "n.yaml");
  REQUIRE(docs);
  REQUIRE(docs->size() == 3);
  const auto& root = (*docs)[0];
  REQUIRE(root.kind == yaml::Node::Kind::mapping);
  REQUIRE(root.members.size() == 6);
  CHECK(root.tag.empty());
  CHECK(root.members[0].first.tag == "!ignore");
  CHECK(root.members[0].first.scalar == "defs");
  CHECK(root.members[0].second.is_plain_scalar());
  CHECK(root.members[1].second.tag == "!");  // quoted
  CHECK(root.members[2].second.is_plain_scalar());
  CHECK(root.members[3].second.tag == "tag:yaml.org,2002:str");
  // An alias is a copy of its anchor's node, at the alias's position.
  CHECK(root.members[4].second.scalar == "5s");
  CHECK(root.members[4].second.mark.line == 5);
  CHECK(root.members[4].second.mark.column == 6);
  CHECK(root.members[5].second.tag == "!local");
  CHECK(root.members[5].second.members.size() == 1);
  CHECK((*docs)[1].kind == yaml::Node::Kind::null);  // the empty document
  CHECK((*docs)[2].kind == yaml::Node::Kind::sequence);
  CHECK(yaml::parse_nodes("", "e.yaml")->empty());
}

TEST_CASE("yaml: parse_nodes errors and limits match parse's", "[yaml]") {
  auto bad = yaml::parse_nodes("a: [1, 2\n", "e.yaml");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message(), Catch::Matches("e\\.yaml:[0-9]+:[0-9]+: .*"));
  auto dup = yaml::parse_nodes("a: 1\nb: 2\na: 3\n", "d.yaml");
  REQUIRE_FALSE(dup);
  CHECK(dup.error().message() == "d.yaml:3:1: duplicate key \"a\"");

  std::string bomb = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n";
  for (char c = 'b'; c <= 'i'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) bomb += (i ? ",*" : "*") + prev;
    bomb += "]\n";
  }
  auto lol = yaml::parse_nodes(bomb, "lol.yaml");
  REQUIRE_FALSE(lol);
  CHECK_THAT(lol.error().message(), Catch::StartsWith("lol.yaml:"));
  CHECK_THAT(lol.error().message(), Catch::Contains("limit max_alias_nodes = 100000"));

  auto deep = yaml::parse_nodes(std::string(100'000, '[') + std::string(100'000, ']'), "deep");
  REQUIRE_FALSE(deep);
  CHECK_THAT(deep.error().message(), Catch::Contains("limit max_depth = 100"));
  yaml::Limits small;
  small.max_bytes = 10;
  CHECK_THAT(yaml::parse_nodes(std::string(11, 'a'), "big", small).error().message(),
             Catch::Contains("limit max_bytes = 10"));
  small = {};
  small.max_nodes = 100;
  // The limits hold for the whole stream, not each document.
  std::string stream;
  for (int i = 0; i < 60; ++i) stream += "[1]\n---\n";
  CHECK_THAT(yaml::parse_nodes(stream, "s", small).error().message(),
             Catch::Contains("limit max_nodes = 100"));
}
