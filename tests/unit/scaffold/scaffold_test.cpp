#include <catch2/catch.hpp>
#include <filesystem>

#include <nlohmann/json.hpp>

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

TEST_CASE("embedded templates: both kinds for C++ and Rust, HTTP for AssemblyScript",
          "[scaffold]") {
  EmbeddedTemplates t;
  auto list = t.list();
  std::vector<std::string> ids;
  for (const auto& i : list) ids.push_back(i.id);
  CHECK(ids == std::vector<std::string>{"assemblyscript/http-filter", "cpp/http-filter",
                                        "cpp/network-filter", "rust/http-filter",
                                        "rust/network-filter"});
  for (const auto& i : list) {
    INFO(i.id);
    CHECK_FALSE(i.description.empty());
    CHECK_FALSE(i.sdk.empty());
    CHECK(i.id == i.language + "/" + i.name);
    CHECK(i.kind == (i.name == "network-filter" ? "network" : "http"));
    CHECK(ext::project::parse_language(i.language));  // every template has a driver
  }
}

TEST_CASE("template.json: kind must be http or network, non-string members read as absent",
          "[scaffold]") {
  ext::util::TempDir dir;
  fs::create_directories(dir.path() / "x/bad");
  fs::create_directories(dir.path() / "x/odd");
  ext::util::write_file_atomic(dir.path() / "x/bad/template.json",
                               R"({"language":"custom","kind":"grpc"})");
  ext::util::write_file_atomic(dir.path() / "x/odd/template.json",
                               R"({"language":"custom","kind":7,"sdk":["a"],"description":1})");
  DirectoryTemplates t(dir.path());
  auto list = t.list();
  REQUIRE(list.size() == 2);
  CHECK(list[0].kind.empty());  // x/bad: its metadata does not parse
  auto bad = t.files("x/bad");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message(), Catch::Contains("\"kind\" must be http or network"));
  CHECK(list[1].kind.empty());
  CHECK(list[1].sdk.empty());
  CHECK(list[1].description.empty());
  CHECK(t.files("x/odd"));
}

TEST_CASE("find: by id, by name within a language, errors name what exists", "[scaffold]") {
  EmbeddedTemplates t;
  CHECK(t.find("cpp/network-filter")->id == "cpp/network-filter");
  CHECK(t.find("http-filter", "rust")->id == "rust/http-filter");
  CHECK(t.find("network-filter", "rust")->id == "rust/network-filter");
  CHECK_FALSE(t.find("network-filter"));  // C++ and Rust both have one
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
  for (const char* id : {"cpp/http-filter", "cpp/network-filter", "rust/http-filter",
                         "rust/network-filter", "assemblyscript/http-filter"}) {
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

  auto rust_net = *t.files("rust/network-filter");
  REQUIRE(file(rust_net, "Cargo.toml") != nullptr);
  CHECK_THAT(file(rust_net, "Cargo.toml")->data, Catch::Contains("proxy-wasm = \"0.2\""));
  REQUIRE(file(rust_net, "src/lib.rs") != nullptr);
  CHECK_THAT(file(rust_net, "src/lib.rs")->data, Catch::Contains("impl StreamContext for"));
  CHECK_THAT(file(rust_net, "src/lib.rs")->data, Catch::Contains("ContextType::StreamContext"));
  CHECK_THAT(file(rust_net, "ext.yaml")->data, Catch::Contains("filter_type: network"));

  // AssemblyScript: the SDK and the compiler it supports, pinned exactly, with a lock file.
  auto as = *t.files("assemblyscript/http-filter");
  REQUIRE(file(as, "package.json") != nullptr);
  REQUIRE(file(as, "package-lock.json") != nullptr);
  REQUIRE(file(as, "assembly/index.ts") != nullptr);
  auto pkg = nlohmann::json::parse(render(file(as, "package.json")->data, vars()));
  CHECK(pkg["name"] == "my-filter");
  CHECK(pkg["devDependencies"]["@solo-io/proxy-runtime"] == "0.1.8");
  CHECK(pkg["devDependencies"]["assemblyscript"] == "0.14.9");
  auto lock = nlohmann::json::parse(render(file(as, "package-lock.json")->data, vars()));
  CHECK(lock["name"] == "my-filter");
  CHECK(lock["packages"][""]["devDependencies"] == pkg["devDependencies"]);
  CHECK(lock["packages"]["node_modules/assemblyscript"]["version"] == "0.14.9");
  CHECK(lock["packages"]["node_modules/@solo-io/proxy-runtime"]["version"] == "0.1.8");
  CHECK_THAT(file(as, "assembly/index.ts")->data,
             Catch::Contains("from \"@solo-io/proxy-runtime\""));
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
