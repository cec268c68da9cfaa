#include <catch2/catch.hpp>
#include <filesystem>

#include "ext/project/project_file.hpp"
#include "ext/scaffold/template_source.hpp"
#include "ext/util/files.hpp"
#include "support/paths.hpp"

using namespace ext::scaffold;
namespace fs = std::filesystem;

namespace {
std::map<std::string, std::string> vars() {
  return {{"name", "my-filter"},           {"root_id", "my_filter"}, {"language", "cpp"},
          {"template", "cpp/http-filter"}, {"platform", "envoy"},    {"platform_version", "1.32"},
          {"ext_version", "0.1.0"}};
}
const TemplateFile* file(const std::vector<TemplateFile>& files, const std::string& path) {
  for (const auto& f : files)
    if (f.path == path) return &f;
  return nullptr;
}
}  // namespace

TEST_CASE("embedded templates: the three required ones", "[scaffold]") {
  EmbeddedTemplates t;
  auto list = t.list();
  std::vector<std::string> ids;
  for (const auto& i : list) ids.push_back(i.id);
  CHECK(ids ==
        std::vector<std::string>{"cpp/http-filter", "cpp/network-filter", "rust/http-filter"});
  for (const auto& i : list) {
    CHECK_FALSE(i.description.empty());
    CHECK(i.id == i.language + "/" + i.name);
  }
}

TEST_CASE("find: by id, by name within a language, errors name what exists", "[scaffold]") {
  EmbeddedTemplates t;
  CHECK(t.find("cpp/network-filter")->id == "cpp/network-filter");
  CHECK(t.find("http-filter", "rust")->id == "rust/http-filter");
  CHECK(t.find("network-filter")->id == "cpp/network-filter");  // unique name
  auto ambiguous = t.find("http-filter");
  REQUIRE_FALSE(ambiguous);
  CHECK_THAT(ambiguous.error().message(), Catch::Contains("ambiguous"));
  auto unknown = t.find("grpc-filter", "cpp");
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().code() == ext::Errc::not_found);
  CHECK_THAT(unknown.error().hint(), Catch::Contains("cpp/http-filter"));
  CHECK_FALSE(t.find("cpp/http-filter", "rust"));
}

TEST_CASE("a template's files: project files plus included SDK, no metadata", "[scaffold]") {
  EmbeddedTemplates t;
  for (const char* id : {"cpp/http-filter", "cpp/network-filter", "rust/http-filter"}) {
    INFO(id);
    auto files = t.files(id);
    REQUIRE(files);
    CHECK(file(*files, "template.json") == nullptr);
    for (const char* must : {"ext.yaml", "README.md", ".gitignore", "tests/filter.test.yaml"})
      CHECK(file(*files, must) != nullptr);
  }
  auto cpp = *t.files("cpp/http-filter");
  CHECK(file(cpp, "src/filter.cc") != nullptr);
  REQUIRE(file(cpp, "sdk/proxy_wasm.h") != nullptr);
  CHECK(file(cpp, "sdk/proxy_wasm_abi.h") != nullptr);
  CHECK_THAT(file(cpp, "sdk/proxy_wasm.h")->data, Catch::Contains("class RootContext"));
  auto rust = *t.files("rust/http-filter");
  REQUIRE(file(rust, "Cargo.toml") != nullptr);
  CHECK_THAT(file(rust, "Cargo.toml")->data, Catch::Contains("proxy-wasm = \"0.2\""));
  CHECK_THAT(file(rust, "Cargo.toml")->data, Catch::Contains("panic = \"abort\""));
  CHECK(file(rust, "sdk/proxy_wasm.h") == nullptr);
}

TEST_CASE("every template's ext.yaml renders to a valid project file", "[scaffold]") {
  EmbeddedTemplates t;
  for (const auto& info : t.list()) {
    INFO(info.id);
    auto files = *t.files(info.id);
    auto text = render(file(files, "ext.yaml")->data, vars());
    auto p = ext::project::ProjectFile::parse(text);
    REQUIRE(p);
    CHECK(p->name == "my-filter");
    CHECK(p->root_id == "my_filter");
    CHECK(ext::project::to_string(p->language) == info.language);
    CHECK(p->warnings.empty());
    for (const auto& f : files) CHECK(render(f.data, vars()).find("{{name}}") == std::string::npos);
  }
}

TEST_CASE("the embedded copy matches templates/ and EXT_TEMPLATES_DIR reads a folder",
          "[scaffold]") {
  EmbeddedTemplates embedded;
  DirectoryTemplates dir(ext::test::source_dir() / "templates");
  CHECK(dir.origin() == (ext::test::source_dir() / "templates").string());
  REQUIRE(embedded.list().size() == dir.list().size());
  for (const auto& info : embedded.list()) {
    auto a = *embedded.files(info.id);
    auto b = *dir.files(info.id);
    REQUIRE(a.size() == b.size());
    for (size_t i = 0; i < a.size(); ++i) {
      CHECK(a[i].path == b[i].path);
      CHECK(a[i].data == b[i].data);
    }
  }

  ext::util::TempDir custom;
  fs::create_directories(custom.path() / "zig/hello/src");
  ext::util::write_file_atomic(custom.path() / "zig/hello/template.json",
                               R"({"language":"custom","description":"Zig"})");
  ext::util::write_file_atomic(custom.path() / "zig/hello/src/main.zig", "// {{name}}\n");
  ext::util::write_file_atomic(custom.path() / "zig/hello/build.sh", "#!/bin/sh\n", 0755);
  DirectoryTemplates mine(custom.path());
  REQUIRE(mine.list().size() == 1);
  CHECK(mine.list()[0].id == "zig/hello");
  CHECK(mine.list()[0].language == "custom");
  auto files = *mine.files("zig/hello");
  REQUIRE(files.size() == 2);
  CHECK(files[0].path == "build.sh");
  CHECK(files[0].executable);
  CHECK(render(files[1].data, vars()) == "// my-filter\n");
  CHECK_THROWS_AS(DirectoryTemplates(custom.path() / "nope"), ext::Error);
}

TEST_CASE("render replaces known keys only", "[scaffold]") {
  auto v = vars();
  CHECK(render("{{name}} {{ root_id }}", v) == "my-filter my_filter");
  CHECK(render(R"(pairs({{"a", "b"}}))", v) == R"(pairs({{"a", "b"}}))");
  CHECK(render("{{unknown}} {{{name}}}", v) == "{{unknown}} {my-filter}");
  CHECK(render("{{name", v) == "{{name");
  CHECK(render("", v).empty());
}

TEST_CASE("examples ship the same SDK as the templates", "[scaffold]") {
  EmbeddedTemplates t;
  auto files = *t.files("cpp/http-filter");
  for (const char* example : {"cpp-add-header", "cpp-auth-deny"}) {
    for (const auto& f : files) {
      if (f.path.rfind("sdk/", 0) != 0) continue;
      INFO(example << "/" << f.path);
      auto copy = ext::test::source_dir() / "examples" / example / f.path;
      REQUIRE(fs::exists(copy));
      CHECK(ext::util::read_file(copy) == f.data);
    }
  }
}
