// ext init + ext build end to end: the built binary, the embedded templates, the real clang.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/util/files.hpp"
#include "support/expect.hpp"
#include "support/paths.hpp"

using ext::test::has;
using ext::test::json_of;

using ext::test::run_ext;
namespace fs = std::filesystem;

namespace {}  // namespace

TEST_CASE("ext init --list-templates", "[e2e][init]") {
  auto r = run_ext({"init", "--list-templates"});
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "cpp/http-filter"));
  CHECK(has(r.out, "cpp/network-filter"));
  CHECK(has(r.out, "rust/http-filter"));
  CHECK(has(r.out, "rust/network-filter"));
  CHECK(has(r.out, "assemblyscript/http-filter"));
  auto doc = json_of(run_ext({"--json", "init", "--list-templates"}));
  CHECK(doc["schema"] == "ext.dev/templates/v1");
  auto j = doc["templates"];
  REQUIRE(j.is_array());
  CHECK(j.size() == 5);
  CHECK(j[0]["id"] == "cpp/http-filter");
  CHECK(j[0]["language"] == "cpp");
}

TEST_CASE("ext init writes a project, honours every flag, refuses a non-empty folder",
          "[e2e][init]") {
  ext::util::TempDir tmp;
  auto dir = tmp.path() / "add-header";
  auto r = run_ext({"init", dir.string(), "--no-prompt"});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  for (const char* f : {"ext.yaml", "README.md", ".gitignore", "src/filter.cc", "sdk/proxy_wasm.h",
                        "tests/filter.test.yaml"})
    CHECK(fs::exists(dir / f));
  auto yaml = ext::util::read_file(dir / "ext.yaml");
  CHECK(has(yaml, "name: add-header\n"));
  CHECK(has(yaml, "root_id: add_header\n"));
  CHECK(has(yaml, "language: cpp\n"));
  CHECK(has(ext::util::read_file(dir / "src/filter.cc"), "\"add_header\");"));

  auto again = run_ext({"init", dir.string(), "--no-prompt"});
  CHECK(again.exit_code == 1);
  CHECK(has(again.err, "is not empty"));
  CHECK(has(again.err, "--force"));
  CHECK(run_ext({"init", dir.string(), "--no-prompt", "--force"}).exit_code == 0);

  // Every flag, without a terminal (stdin is not a TTY here, so no prompt either way).
  auto rust = tmp.path() / "r";
  auto j = json_of(
      run_ext({"--json", "init", rust.string(), "--language", "rust", "--name", "my-rust",
               "--root-id", "my_root", "--platform", "istio", "--platform-version", "1.22"}));
  CHECK(j["template"] == "rust/http-filter");
  CHECK(j["name"] == "my-rust");
  CHECK(j["root_id"] == "my_root");
  CHECK(j["platform"] == "istio");
  auto ry = ext::util::read_file(rust / "ext.yaml");
  CHECK(has(ry, "name: my-rust\n"));
  CHECK(has(ry, "root_id: my_root\n"));
  CHECK(has(ry, "platform: istio\n"));
  CHECK(has(ry, "platform_version: \"1.22\"\n"));
  CHECK(has(ext::util::read_file(rust / "Cargo.toml"), "name = \"my-rust\""));

  auto net = json_of(
      run_ext({"--json", "init", (tmp.path() / "net").string(), "--template", "network-filter"}));
  CHECK(net["template"] == "cpp/network-filter");
}

TEST_CASE("ext init on a terminal asks for what the flags leave open", "[e2e][init]") {
  ext::util::TempDir tmp;
  // Numbered menus; a wrong number and a bad name are asked again, not fatal.
  auto r = ext::test::run_ext_on_tty({"init"}, tmp.path(),
                                     {{"choice [1]: ", "7"},  // there are 3 languages
                                      {"please answer 1-3\nLanguage?", "1"},
                                      {"Template?", "2"},
                                      {"Filter name (image name)? [my-filter]: ", "Bad Name"},
                                      {"is not valid", "tty-net"}});
  INFO(r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(has(r.out, "1) cpp  [default]"));
  CHECK(has(r.out, "2) rust"));
  CHECK(has(r.out, "3) assemblyscript"));
  CHECK(has(r.out, "2) cpp/network-filter"));
  CHECK(has(r.out, "\"Bad Name\" is not valid"));
  CHECK(has(r.out, "Created tty-net (cpp/network-filter, root id tty_net)"));
  auto yaml = ext::util::read_file(tmp.path() / "tty-net/ext.yaml");
  CHECK(has(yaml, "name: tty-net\n"));
  CHECK(has(yaml, "language: cpp\n"));
  CHECK(has(ext::util::read_file(tmp.path() / "tty-net/src/filter.cc"), "onDownstreamData"));

  // A language by name, Enter for the rest: the template default and the folder's name.
  auto d = ext::test::run_ext_on_tty(
      {"init", "rusty"}, tmp.path(),
      {{"choice [1]: ", "rust"}, {"Template?", ""}, {"Filter name (image name)? [rusty]: ", ""}});
  INFO(d.out);
  REQUIRE(d.exit_code == 0);
  CHECK(has(d.out, "2) rust/network-filter"));
  CHECK(has(d.out, "Created rusty (rust/http-filter, root id rusty)"));
  CHECK(fs::exists(tmp.path() / "rusty/Cargo.toml"));
  auto s = ext::test::run_ext_on_tty(
      {"init", "scripty"}, tmp.path(),
      {{"choice [1]: ", "assemblyscript"}, {"Filter name (image name)? [scripty]: ", ""}});
  INFO(s.out);
  REQUIRE(s.exit_code == 0);
  CHECK_FALSE(has(s.out, "Template?"));  // one AssemblyScript template: nothing to choose
  CHECK(has(s.out, "Created scripty (assemblyscript/http-filter, root id scripty)"));
  CHECK(fs::exists(tmp.path() / "scripty/package-lock.json"));

  // Flags answer the questions; --no-prompt asks nothing even on a terminal.
  auto quiet = ext::test::run_ext_on_tty({"init", "quiet", "--no-prompt"}, tmp.path());
  INFO(quiet.out);
  REQUIRE(quiet.exit_code == 0);
  CHECK_FALSE(has(quiet.out, "?"));
  CHECK(has(quiet.out, "Created quiet (cpp/http-filter, root id quiet)"));
  auto flagged = ext::test::run_ext_on_tty(
      {"init", "f", "--template", "cpp/http-filter", "--name", "flagged"}, tmp.path());
  INFO(flagged.out);
  REQUIRE(flagged.exit_code == 0);
  CHECK_FALSE(has(flagged.out, "?"));
  CHECK(fs::exists(tmp.path() / "f/ext.yaml"));

  // The first Ctrl-C at a question ends ext init at once (exit 130), nothing written.
  auto ctrl_c =
      ext::test::run_ext_on_tty({"init", "stopped"}, tmp.path(), {{"choice [1]: ", "\x03"}});
  INFO(ctrl_c.out);
  CHECK(ctrl_c.exit_code == 130);
  CHECK_FALSE(fs::exists(tmp.path() / "stopped"));

  // End of input at a question: interrupted, nothing written.
  auto eof = ext::test::run_ext_on_tty({"init", "gone"}, tmp.path(), {{"choice [1]: ", "\x04"}});
  CHECK(eof.exit_code != 0);
  CHECK_FALSE(fs::exists(tmp.path() / "gone"));
}

TEST_CASE("ext init rejects bad names, unknown templates and languages", "[e2e][init]") {
  ext::util::TempDir tmp;
  auto bad_name = run_ext({"init", (tmp.path() / "x").string(), "--name", "Bad Name"});
  CHECK(bad_name.exit_code == 1);
  CHECK(has(bad_name.err, "not a valid filter name"));
  auto bad_dir = run_ext({"init", (tmp.path() / "Has Caps").string()});
  CHECK(bad_dir.exit_code == 1);
  CHECK(has(bad_dir.err, "--name"));
  auto unknown = run_ext(
      {"init", (tmp.path() / "y").string(), "--template", "grpc-filter", "--language", "cpp"});
  CHECK(unknown.exit_code == 1);
  CHECK(has(unknown.err, "unknown template \"grpc-filter\""));
  CHECK(has(unknown.err, "cpp/http-filter"));
  auto lang = run_ext({"init", (tmp.path() / "z").string(), "--language", "cobol"});
  CHECK(lang.exit_code == 1);
  CHECK(has(lang.err, "unknown language \"cobol\""));
  CHECK(run_ext({"init", (tmp.path() / "w").string(), "--platform", "nginx"}).exit_code == 2);
  CHECK_FALSE(fs::exists(tmp.path() / "x"));
  CHECK_FALSE(fs::exists(tmp.path() / "y"));
}

TEST_CASE("EXT_TEMPLATES_DIR replaces the embedded templates", "[e2e][init]") {
  ext::util::TempDir tmp;
  auto templates = tmp.path() / "templates";
  fs::create_directories(templates / "cpp/mine");
  ext::util::write_file_atomic(templates / "cpp/mine/template.json",
                               R"({"language":"cpp","description":"my own"})");
  ext::util::write_file_atomic(templates / "cpp/mine/hello.txt", "hello {{name}}\n");
  auto list = run_ext({"init", "--list-templates"}, {}, std::nullopt,
                      {{"EXT_TEMPLATES_DIR", templates.string()}});
  CHECK(list.exit_code == 0);
  CHECK(has(list.out, "cpp/mine"));
  CHECK_FALSE(has(list.out, "cpp/http-filter"));
  auto r = run_ext({"init", (tmp.path() / "p").string(), "--template", "mine"}, {}, std::nullopt,
                   {{"EXT_TEMPLATES_DIR", templates.string()}});
  REQUIRE(r.exit_code == 0);
  CHECK(ext::util::read_file(tmp.path() / "p/hello.txt") == "hello p\n");
}

TEST_CASE("ext build: init, compile, validate, package, no-op rebuild, dry run", "[e2e][build]") {
  ext::util::TempDir tmp;
  auto dir = tmp.path() / "demo-filter";
  auto store = tmp.path() / "store";
  REQUIRE(run_ext({"init", dir.string(), "--no-prompt"}).exit_code == 0);

  auto dry = run_ext({"build", dir.string(), "--dry-run"}, store);
  REQUIRE(dry.exit_code == 0);
  CHECK(has(dry.out, "--target=wasm32-wasi"));
  CHECK(has(dry.out, "-mexec-model=reactor"));
  CHECK_FALSE(fs::exists(dir / "build/release/demo-filter.wasm"));

  auto built = run_ext({"--json", "-v", "build", dir.string(), "-t", "demo/filter:v1"}, store);
  INFO(built.err);
  REQUIRE(built.exit_code == 0);
  auto j = json_of(built);
  CHECK(j["abi"] == "v0.2.1");
  CHECK(j["module_file"] == (dir / "build/release/demo-filter.wasm").string());
  CHECK(j["module_digest"].get<std::string>().size() == 71);
  CHECK(j["module_size"].get<uint64_t>() < 64 * 1024);
  CHECK(j["up_to_date"] == false);
  REQUIRE(j.contains("package"));
  CHECK(j["package"]["digest"].get<std::string>().rfind("sha256:", 0) == 0);
  CHECK(j["package"]["refs"][0] == "docker.io/demo/filter:v1");
  CHECK(has(built.err, "debug: $ "));  // -v shows the toolchain commands
  CHECK(has(built.err, "clang++"));
  // A release build strips names on purpose: said at -v, not warned about.
  CHECK(has(built.err, "name-section"));
  CHECK(has(built.err, "(expected"));
  CHECK_FALSE(has(built.err, "warning:"));

  auto text = run_ext({"build", dir.string()}, store);
  REQUIRE(text.exit_code == 0);
  CHECK(has(text.out, "module:"));
  CHECK(has(text.out, "sha256:"));
  CHECK(has(text.out, "abi:      v0.2.1"));
  CHECK(has(text.err, "up to date"));
  CHECK_FALSE(has(text.err, "name-section"));

  auto again = json_of(run_ext({"--json", "build", dir.string()}, store));
  CHECK(again["up_to_date"] == true);
  CHECK(again["commands"].empty());
  CHECK(again["module_digest"] == j["module_digest"]);

  // image: in ext.yaml packages without -t, tagged with the version.
  auto yaml = ext::util::read_file(dir / "ext.yaml");
  ext::util::write_file_atomic(dir / "ext.yaml", yaml + "image: localhost:5000/acme/demo\n");
  auto imaged = json_of(run_ext({"--json", "build", dir.string()}, store));
  CHECK(imaged["package"]["refs"][0] == "localhost:5000/acme/demo:0.1.0");
}

TEST_CASE("ext build without -t or image: packages under ext.yaml's name and version, and says so",
          "[e2e][build][build-name]") {
  ext::util::TempDir tmp;
  auto dir = tmp.path() / "named";
  auto store = tmp.path() / "store";
  REQUIRE(run_ext({"init", dir.string(), "--no-prompt"}).exit_code == 0);
  auto yaml = ext::util::read_file(dir / "ext.yaml");
  ext::util::write_file_atomic(dir / "ext.yaml",
                               yaml.replace(yaml.find("version: 0.1.0"), 14, "version: 1.2.3"));
  auto built = run_ext({"--json", "build", dir.string()}, store);
  INFO(built.err);
  REQUIRE(built.exit_code == 0);
  auto j = json_of(built);
  REQUIRE(j.contains("package"));
  CHECK(j["package"]["refs"][0] == "docker.io/library/named:1.2.3");
  CHECK(has(built.err, "packaged under ext.yaml's name and version"));
  CHECK(has(built.err, "-t REF"));
  // The store has it: list, test and inspect find it by that name.
  auto list = run_ext({"list"}, store);
  CHECK(has(list.out, "named"));
  CHECK(has(list.out, "1.2.3"));
  CHECK(run_ext({"inspect", "named:1.2.3"}, store).exit_code == 0);
}

TEST_CASE("ext build: broken ext.yaml, compile error, missing source leave the store alone",
          "[e2e][build]") {
  ext::util::TempDir tmp;
  auto dir = tmp.path() / "bad";
  auto store = tmp.path() / "store";
  REQUIRE(run_ext({"init", dir.string(), "--no-prompt"}).exit_code == 0);
  auto yaml = ext::util::read_file(dir / "ext.yaml");

  ext::util::write_file_atomic(dir / "ext.yaml", "name: bad\nlanguage: cpp\nbuild: [\n");
  auto broken = run_ext({"build", dir.string(), "-t", "x/bad:v1"}, store);
  CHECK(broken.exit_code == 1);
  CHECK(has(broken.err, (dir / "ext.yaml").string() + ":"));
  CHECK(has(broken.err, "ext: error: "));

  // A misspelled key stops the build (it used to warn and build with defaults).
  ext::util::write_file_atomic(dir / "ext.yaml", yaml + "buidl:\n  sources: [src/filter.cc]\n");
  auto typo = run_ext({"build", dir.string(), "-t", "x/bad:v1"}, store);
  CHECK(typo.exit_code == 1);
  CHECK(has(typo.err, "unknown key \"buidl\" (did you mean \"build\"?)"));
  CHECK(has(typo.err, "docs/ext-yaml.md"));

  ext::util::write_file_atomic(dir / "ext.yaml", "name: bad\nlanguage: fortran\n");
  auto lang = run_ext({"build", dir.string()}, store);
  CHECK(lang.exit_code == 1);
  CHECK(has(lang.err, "ext.yaml:2:11: unknown language \"fortran\""));

  ext::util::write_file_atomic(dir / "ext.yaml", yaml);
  ext::util::write_file_atomic(dir / "src/filter.cc", "#include \"proxy_wasm.h\"\nint x = ;\n");
  auto compile = run_ext({"build", dir.string(), "-t", "x/bad:v1"}, store);
  CHECK(compile.exit_code == 1);
  CHECK(has(compile.err, "compiling src/filter.cc failed"));
  CHECK(has(compile.err, "src/filter.cc:2:9: error: expected expression"));

  fs::remove(dir / "src/filter.cc");
  auto missing = run_ext({"build", dir.string(), "-t", "x/bad:v1"}, store);
  CHECK(missing.exit_code == 1);
  CHECK(has(missing.err, "source src/filter.cc (listed in ext.yaml) does not exist"));

  // Nothing reached the store.
  bool stored = false;
  if (fs::exists(store / "index.json"))
    stored = has(ext::util::read_file(store / "index.json"), "x/bad");
  CHECK_FALSE(stored);
}

TEST_CASE("ext build: the network template and a custom command", "[e2e][build]") {
  ext::util::TempDir tmp;
  auto net = tmp.path() / "bytes";
  REQUIRE(run_ext({"init", net.string(), "--template", "cpp/network-filter"}).exit_code == 0);
  auto j = json_of(run_ext({"--json", "build", net.string()}));
  CHECK(j["abi"] == "v0.2.1");

  // language: custom packages whatever the command writes (here: the module just built).
  auto custom = tmp.path() / "custom";
  fs::create_directories(custom);
  ext::util::write_file_atomic(custom / "ext.yaml",
                               "name: custom\nlanguage: custom\nbuild:\n  command: cp " +
                                   j["module_file"].get<std::string>() +
                                   " out.wasm\n  output: out.wasm\n");
  auto c = json_of(run_ext({"--json", "build", custom.string()}));
  CHECK(c["module_digest"] == j["module_digest"]);
  CHECK(c["commands"][0] == "cp " + j["module_file"].get<std::string>() + " out.wasm");
}

TEST_CASE("ext build: a module that breaks the ABI fails with the rule", "[e2e][build]") {
  ext::util::TempDir tmp;
  auto wasm = ext::test::wat_to_wasm(
      "(module (memory (export \"memory\") 1) (func (export \"proxy_on_tick\") (param i32)))");
  ext::util::write_file_atomic(tmp.path() / "m.wasm", wasm);
  ext::util::write_file_atomic(tmp.path() / "ext.yaml",
                               "name: noabi\nlanguage: custom\nbuild: {command: 'true', "
                               "output: m.wasm}\n");
  auto r = run_ext({"build", tmp.path().string(), "-t", "x/noabi:v1"}, tmp.path() / "store");
  CHECK(r.exit_code == 1);
  CHECK(has(r.err, "is not a valid proxy-wasm module"));
  CHECK(has(r.err, "abi"));
}
