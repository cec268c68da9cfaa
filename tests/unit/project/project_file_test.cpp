#include <catch2/catch.hpp>
#include <chrono>

#include "ext/project/project_file.hpp"
#include "ext/project/settings.hpp"
#include "ext/util/files.hpp"
#include "support/paths.hpp"

using ext::Errc;
using ext::project::Language;
using ext::project::ProjectFile;

TEST_CASE("ext.yaml: the docs/ext-yaml.md example parses", "[project]") {
  auto p = ProjectFile::parse(R"(name: add-header            # image name and default tag source
version: 0.1.0
language: cpp               # cpp | rust | custom
root_id: add_header
image: ghcr.io/acme/add-header   # optional default repository for `ext build`
build:                      # language specific; all optional
  sources: [src/filter.cc]
  include_dirs: [sdk]
  flags: []
  command: ""               # custom: any command that writes `output`
  output: ""
config: '{"header":"x-ext","value":"hello"}'   # default plugin configuration
tests: [tests/filter.test.yaml]
)");
  REQUIRE(p);
  CHECK(p->name == "add-header");
  CHECK(p->version == "0.1.0");
  CHECK(p->language == Language::cpp);
  CHECK(p->root_id == "add_header");
  CHECK(p->image == "ghcr.io/acme/add-header");
  CHECK(p->build.sources == std::vector<std::string>{"src/filter.cc"});
  CHECK(p->build.include_dirs == std::vector<std::string>{"sdk"});
  CHECK(p->build.flags.empty());
  CHECK(p->config == R"({"header":"x-ext","value":"hello"})");
  CHECK(p->tests == std::vector<std::string>{"tests/filter.test.yaml"});
}

TEST_CASE("ext.yaml: defaults and conveniences", "[project]") {
  auto p = ProjectFile::parse(
      "name: my-filter.v2\nlanguage: rust\nconfig: {a: 1, b: x, c: true}\n"
      "build: {flags: --features}\nplatform: istio\n");
  REQUIRE(p);
  CHECK(p->root_id == "my_filter_v2");
  CHECK(p->version == "0.1.0");
  CHECK(p->language == Language::rust);
  CHECK(p->config == R"({"a":1,"b":"x","c":true})");
  CHECK(p->build.flags == std::vector<std::string>{"--features"});
  CHECK(p->platform == "istio");
}

TEST_CASE("ext.yaml: language assemblyscript, and the unknown-language hint names it",
          "[project]") {
  auto p = ProjectFile::parse(
      "name: as\nlanguage: assemblyscript\nbuild: {sources: [assembly/index.ts], flags: [--use, "
      "abort=abort_proc_exit]}\n");
  REQUIRE(p);
  CHECK(p->language == Language::assemblyscript);
  CHECK(std::string(to_string(p->language)) == "assemblyscript");
  CHECK(p->build.sources == std::vector<std::string>{"assembly/index.ts"});
  auto bad = ext::project::parse_language("typescript");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().hint(), Catch::Contains("assemblyscript"));
}

TEST_CASE("ext.yaml: errors carry file, line and column", "[project]") {
  SECTION("broken YAML") {
    auto p =
        ProjectFile::parse("name: a\nlanguage: cpp\nbuild:\n  sources: [src/a.cc\n", "x/ext.yaml");
    REQUIRE_FALSE(p);
    CHECK(p.error().code() == Errc::parse);
    CHECK_THAT(p.error().message(), Catch::StartsWith("x/ext.yaml:"));
    // yaml-cpp reports the unclosed flow sequence at the end of the input
    CHECK_THAT(p.error().message(), Catch::Matches("x/ext\\.yaml:[45]:[0-9]+: .*"));
  }
  SECTION("unknown language") {
    auto p = ProjectFile::parse("name: a\nlanguage: cobol\n");
    REQUIRE_FALSE(p);
    CHECK_THAT(p.error().message(), Catch::StartsWith("ext.yaml:2:11: unknown language \"cobol\""));
  }
  SECTION("wrong type") {
    auto p = ProjectFile::parse("name: a\nlanguage: cpp\nbuild:\n  sources: {a: b}\n");
    REQUIRE_FALSE(p);
    CHECK_THAT(p.error().message(), Catch::StartsWith("ext.yaml:4:12: \"build.sources\" must be"));
  }
  SECTION("bad name") {
    auto p = ProjectFile::parse("language: cpp\nname: Add_Header\n");
    REQUIRE_FALSE(p);
    CHECK_THAT(p.error().message(), Catch::StartsWith("ext.yaml:2:7: name \"Add_Header\""));
  }
  SECTION("missing name / language") {
    CHECK_THAT(ProjectFile::parse("language: cpp\n").error().message(),
               Catch::Contains("\"name\" is required"));
    CHECK_THAT(ProjectFile::parse("name: a\n").error().message(),
               Catch::Contains("\"language\" is required"));
  }
  SECTION("custom without command") {
    auto p = ProjectFile::parse("name: a\nlanguage: custom\nbuild: {output: a.wasm}\n");
    REQUIRE_FALSE(p);
    CHECK_THAT(p.error().message(), Catch::Contains("build.command and build.output"));
  }
  SECTION("config that is not JSON") {
    auto p = ProjectFile::parse("name: a\nlanguage: cpp\nconfig: '{nope'\n");
    REQUIRE_FALSE(p);
    CHECK_THAT(p.error().message(), Catch::StartsWith("ext.yaml:3:9: config is not valid JSON"));
  }
  SECTION("not a mapping") {
    CHECK_FALSE(ProjectFile::parse("- a\n- b\n"));
    CHECK_FALSE(ProjectFile::parse(""));
  }
}

TEST_CASE("ext.yaml: an unknown key is an error with its position and the nearest known key",
          "[project]") {
  auto top = ProjectFile::parse("name: a\nlanguage: cpp\nbuidl: {}\n");
  REQUIRE_FALSE(top);
  CHECK(top.error().message() == "ext.yaml:3:1: unknown key \"buidl\" (did you mean \"build\"?)");
  CHECK_THAT(top.error().hint(), Catch::Contains("docs/ext-yaml.md"));
  auto nested = ProjectFile::parse("name: a\nlanguage: cpp\nbuild:\n  sourcse: []\n");
  REQUIRE_FALSE(nested);
  CHECK(nested.error().message() ==
        "ext.yaml:4:3: unknown key \"build.sourcse\" (did you mean \"sources\"?)");
  // The right key at the wrong level names where it belongs.
  auto level = ProjectFile::parse("name: a\nlanguage: cpp\nsources: [a.cc]\n");
  REQUIRE_FALSE(level);
  CHECK(level.error().message() ==
        "ext.yaml:3:1: unknown key \"sources\" (did you mean \"build.sources\"?)");
  auto up = ProjectFile::parse("name: a\nlanguage: cpp\nbuild:\n  image: x\n");
  REQUIRE_FALSE(up);
  CHECK(up.error().message() ==
        "ext.yaml:4:3: unknown key \"build.image\" (did you mean \"image\" at the top level?)");
  // Nothing close: no guess.
  auto far = ProjectFile::parse("name: a\nlanguage: cpp\nzzzzzzzz: 1\n");
  REQUIRE_FALSE(far);
  CHECK(far.error().message() == "ext.yaml:3:1: unknown key \"zzzzzzzz\"");
  // x-* keys are the user's (anchors to reuse); a long key costs no more than a short one.
  CHECK(ProjectFile::parse("name: a\nlanguage: cpp\nx-mine: {a: 1}\n"));
  auto huge = ProjectFile::parse("name: a\nlanguage: cpp\n" + std::string(1000, 'k') + ": 1\n");
  REQUIRE_FALSE(huge);
  CHECK_THAT(huge.error().message(), Catch::StartsWith("ext.yaml:3:1: unknown key \"kkk"));
}

TEST_CASE("ext.yaml: build.offline is a boolean", "[project]") {
  auto on = ProjectFile::parse("name: a\nlanguage: rust\nbuild:\n  offline: true\n");
  REQUIRE(on);
  CHECK(on->build.offline);
  auto off = ProjectFile::parse("name: a\nlanguage: rust\n");
  REQUIRE(off);
  CHECK_FALSE(off->build.offline);
  auto bad = ProjectFile::parse("name: a\nlanguage: rust\nbuild:\n  offline: yes\n");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message(), Catch::StartsWith("ext.yaml:4:12: \"build.offline\" must be"));
}

TEST_CASE("load_project reads DIR/ext.yaml or says how to make one", "[project]") {
  ext::util::TempDir dir;
  auto missing = ext::project::load_project(dir.path());
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == Errc::not_found);
  CHECK_THAT(missing.error().hint(), Catch::Contains("ext init"));
  ext::util::write_file_atomic(dir.path() / "ext.yaml", "name: a\nlanguage: cpp\nversion: [\n");
  auto broken = ext::project::load_project(dir.path());
  REQUIRE_FALSE(broken);
  CHECK_THAT(broken.error().message(), Catch::StartsWith((dir.path() / "ext.yaml").string() + ":"));
}

TEST_CASE("names usable as image names and root ids", "[project]") {
  using ext::project::is_valid_name;
  using ext::project::is_valid_root_id;
  for (const char* ok : {"a", "add-header", "add_header", "a.b", "a__b", "a--b", "x1", "1x"})
    CHECK(is_valid_name(ok));
  for (const char* bad : {"", "-a", "a-", "A", "a b", "a..b", "a___b", "a/b", "é", "a_", ".a"})
    CHECK_FALSE(is_valid_name(bad));
  CHECK_FALSE(is_valid_name(std::string(129, 'a')));
  CHECK(is_valid_root_id("add_header"));
  CHECK(is_valid_root_id("My.Root-1"));
  CHECK_FALSE(is_valid_root_id(""));
  CHECK_FALSE(is_valid_root_id("a b"));
  CHECK_FALSE(is_valid_root_id("a\"b"));
  CHECK(ext::project::root_id_from_name("add-header.v2") == "add_header_v2");
}

TEST_CASE("ext.yaml and config.yaml: an alias bomb and deep nesting fail fast (issue 11)",
          "[project]") {
  std::string bomb = "name: x\nlanguage: cpp\na: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]\n";
  for (char c = 'b'; c <= 'i'; ++c) {
    std::string prev(1, static_cast<char>(c - 1));
    bomb += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) bomb += (i ? ",*" : "*") + prev;
    bomb += "]\n";
  }
  bomb += "config: *i\n";
  REQUIRE(bomb.size() < 1024);
  auto p = ProjectFile::parse(bomb, "x/ext.yaml");
  REQUIRE_FALSE(p);
  CHECK_THAT(p.error().message(), Catch::StartsWith("x/ext.yaml:"));
  CHECK_THAT(p.error().message(), Catch::Contains("max_alias_nodes"));
  auto s = ext::project::Settings::parse(bomb, "config.yaml");
  REQUIRE_FALSE(s);
  CHECK_THAT(s.error().message(), Catch::Contains("max_alias_nodes"));
  auto deep = ProjectFile::parse("name: x\nlanguage: cpp\nconfig: " + std::string(50'000, '[') +
                                 std::string(50'000, ']') + "\n");
  REQUIRE_FALSE(deep);
  CHECK_THAT(deep.error().message(), Catch::Contains("max_depth"));
}

TEST_CASE("config.yaml: settings read through ext::yaml keep their text and positions",
          "[project]") {
  auto s = ext::project::Settings::parse(
      "default_registry: localhost:5000\nregistries:\n  localhost:5000: {plain_http: true}\n"
      "  lab:5000: {insecure: yes, ca_file: /ca.pem}\ndeploy:\n  envoy_version: 1.30\n");
  REQUIRE(s);
  CHECK(s->default_registry == "localhost:5000");
  CHECK(s->registry("localhost:5000").plain_http == true);
  CHECK(s->registry("lab:5000").insecure);
  CHECK(s->registry("lab:5000").ca_file == "/ca.pem");
  CHECK(s->envoy_version == "1.30");  // as written, not the number 1.3
  auto bad = ext::project::Settings::parse("registries:\n  r:\n    plain_http: maybe\n", "c.yaml");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message() == "c.yaml:3:17: plain_http must be true or false");
  auto unknown = ext::project::Settings::parse("a: 1\n", "c.yaml");
  REQUIRE_FALSE(unknown);
  CHECK_THAT(unknown.error().message(), Catch::StartsWith("c.yaml:1:1: unknown setting"));
}

TEST_CASE("ext.yaml: aliased sections and very many keys", "[project]") {
  auto p = ProjectFile::parse(
      "name: x\nlanguage: cpp\nx-base: &b {sources: [a.cc], flags: [-O2]}\nbuild: *b\n");
  REQUIRE(p);
  CHECK(p->build.sources == std::vector<std::string>{"a.cc"});
  CHECK(p->build.flags == std::vector<std::string>{"-O2"});
  // 200,000 keys of the user's own, then a typo that names its line: lookups must not be linear
  // in the number of keys (ordered_json's are), or this takes minutes.
  std::string many = "name: x\nlanguage: cpp\n";
  for (int i = 0; i < 200'000; ++i) many += "x-k" + std::to_string(i) + ": 1\n";
  REQUIRE(ProjectFile::parse(many, "m.yaml"));
  auto m = ProjectFile::parse(many + "verison: 1\n", "m.yaml");
  REQUIRE_FALSE(m);
  CHECK(m.error().message() ==
        "m.yaml:200003:1: unknown key \"verison\" (did you mean \"version\"?)");
}

TEST_CASE("ext.yaml: root_id \"\" is the empty root id, and filter_type is http or network",
          "[project]") {
  auto empty = ProjectFile::parse("name: f\nlanguage: cpp\nroot_id: \"\"\nfilter_type: network\n");
  REQUIRE(empty);
  CHECK(empty->root_id.empty());
  CHECK(empty->filter_type == "network");
  // Absent (or null) still means "from the name".
  auto absent = ProjectFile::parse("name: my-f\nlanguage: cpp\nroot_id:\n");
  REQUIRE(absent);
  CHECK(absent->root_id == "my_f");
  CHECK(absent->filter_type.empty());
  auto bad = ProjectFile::parse("name: f\nlanguage: cpp\nfilter_type: udp\n");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().message().find("ext.yaml:3:") != std::string::npos);
  CHECK(bad.error().message().find("not http or network") != std::string::npos);
}

TEST_CASE("docs/ext-yaml.md: the example uses every key the parser knows, and parses",
          "[project][docs]") {
  auto doc = ext::util::read_file(ext::test::source_dir() / "docs/ext-yaml.md");
  auto at = doc.find("## Example\n");
  REQUIRE(at != std::string::npos);
  auto begin = doc.find("```yaml\n", at);
  auto end = doc.find("```\n", begin + 8);
  REQUIRE(end != std::string::npos);
  std::string example = doc.substr(begin + 8, end - begin - 8);
  auto p = ProjectFile::parse(example, "docs/ext-yaml.md");
  INFO((p ? "" : p.error().message()));
  REQUIRE(p);
  for (const auto& key : ext::project::known_keys()) {
    INFO(key);
    auto dot = key.find('.');
    std::string line =
        dot == std::string::npos ? "\n" + key + ":" : "\n  " + key.substr(dot + 1) + ":";
    CHECK(("\n" + example).find(line) != std::string::npos);
    CHECK(doc.find("| `" + key.substr(dot == std::string::npos ? 0 : dot + 1) + "` |") !=
          std::string::npos);  // a row in its table
  }
}
