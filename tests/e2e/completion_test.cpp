// `ext completion bash|zsh|fish` typed into the real shells on a pseudo-terminal
// (tests/support/cli/complete_in_shell.py): verbs, subcommands, enumerated values, the local
// store's references (through the hidden `ext __refs`) and files.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/expect.hpp"
#include "support/paths.hpp"

using ext::test::has;

using ext::test::run_ext;

namespace {

// Types each line and presses Tab in `shell`; what the terminal showed, per line.
nlohmann::json complete_in(const std::string& shell, const std::vector<std::string>& lines) {
  ext::test::require_tool(shell);
  ext::util::TempDir dir("ext-completion-");
  auto home = dir.path() / "home";
  auto store = dir.path() / "store";
  std::filesystem::create_directories(home);
  // Two stored images and a file next to them.
  auto wasm = ext::test::wat_to_wasm(R"((module
    (memory (export "memory") 1)
    (func (export "proxy_abi_version_0_2_1"))
    (func (export "proxy_on_memory_allocate") (param i32) (result i32) i32.const 0)
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) i32.const 0)))");
  ext::util::write_file_atomic(dir.path() / "filter-module.wasm", wasm);
  auto built = run_ext({"build", "--wasm", (dir.path() / "filter-module.wasm").string(), "-t",
                        "acme/filter:v1", "--filter-type", "http"},
                       store);
  REQUIRE(built.exit_code == 0);
  REQUIRE(run_ext({"tag", "acme/filter:v1", "ghcr.io/acme/other:v2"}, store).exit_code == 0);

  auto script = run_ext({"completion", shell});
  REQUIRE(script.exit_code == 0);
  auto script_file = dir.path() / ("ext-completion." + shell);
  ext::util::write_file_atomic(script_file, script.out);

  ext::util::ProcessSpec spec;
  spec.argv = {ext::test::python(),
               (ext::test::source_dir() / "tests/support/cli/complete_in_shell.py").string(),
               "--shell",
               shell,
               "--script",
               script_file.string(),
               "--transcript",
               (dir.path() / "transcript").string()};
  spec.argv.insert(spec.argv.end(), lines.begin(), lines.end());
  const char* path = std::getenv("PATH");
  spec.env = {{"PATH", ext::test::ext_binary().parent_path().string() + ":" + (path ? path : "")},
              {"HOME", home.string()},
              {"XDG_CONFIG_HOME", (home / ".config").string()},
              {"XDG_DATA_HOME", (home / ".local/share").string()},
              {"EXT_STORE", store.string()}};
  spec.unset_env = {"EXT_CONFIG", "ZDOTDIR", "BASH_ENV", "ENV"};
  spec.cwd = dir.path();
  ext::util::SubprocessRunner runner{ext::test::host_environment()};
  auto r = runner.run(spec);
  INFO(r.err);
  INFO(ext::util::read_file(dir.path() / "transcript"));
  REQUIRE(r.exit_code == 0);
  return nlohmann::json::parse(r.out);
}

void check_completions(const std::string& shell) {
  auto out = complete_in(shell, {"ext dep", "ext deploy ", "ext build --format ",
                                 "ext init --language ", "ext init --template ", "ext push ",
                                 "ext push docker.io/acme/f", "ext deploy istio gh",
                                 "ext validate filter-mo", "ext build --of", "ext completion "});
  INFO(out.dump(2));
  auto at = [&](const char* line) { return out.value(line, std::string()); };
  // Verbs and subcommands.
  CHECK(has(at("ext dep"), "loy"));
  for (const char* target : {"envoy", "istio", "gloo"}) CHECK(has(at("ext deploy "), target));
  // Enumerated values: --format, --language, --template, a positional's.
  for (const char* f : {"oci", "compat", "cncf"}) CHECK(has(at("ext build --format "), f));
  for (const char* l : {"cpp", "rust", "assemblyscript"}) CHECK(has(at("ext init --language "), l));
  for (const char* t : {"cpp/network-filter", "rust/http-filter", "assemblyscript/http-filter"})
    CHECK(has(at("ext init --template "), t));
  for (const char* s : {"bash", "zsh", "fish"}) CHECK(has(at("ext completion "), s));
  // The local store's references (':' inside a word included), under deploy's subcommands too.
  CHECK(has(at("ext push "), "docker.io/acme/filter:v1"));
  CHECK(has(at("ext push "), "ghcr.io/acme/other:v2"));
  CHECK(has(at("ext push docker.io/acme/f"), "ilter:v1"));
  // (bash quotes the ':' as "\:" where files are offered too: the same word to the shell.)
  CHECK((has(at("ext deploy istio gh"), "cr.io/acme/other:v2") ||
         has(at("ext deploy istio gh"), "cr.io/acme/other\\:v2")));
  // Files, and a verb's flags.
  CHECK(has(at("ext validate filter-mo"), "dule.wasm"));
  CHECK(has(at("ext build --of"), "fline"));
}

}  // namespace

TEST_CASE("completion in a real bash: verbs, values, references, files", "[e2e][completion]") {
  check_completions("bash");
}

TEST_CASE("completion in a real zsh: verbs, values, references, files", "[e2e][completion]") {
  check_completions("zsh");
}

TEST_CASE("completion in a real fish: verbs, values, references, files", "[e2e][completion]") {
  check_completions("fish");
}

TEST_CASE("ext __refs lists the stored references, one a line, and is not in the help",
          "[e2e][completion]") {
  ext::util::TempDir dir;
  auto store = dir.path() / "store";
  CHECK(run_ext({"__refs"}, store).out.empty());
  auto wasm = ext::test::wat_to_wasm(R"((module
    (memory (export "memory") 1)
    (func (export "proxy_abi_version_0_2_1"))
    (func (export "proxy_on_memory_allocate") (param i32) (result i32) i32.const 0)
    (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) i32.const 0)))");
  ext::util::write_file_atomic(dir.path() / "m.wasm", wasm);
  REQUIRE(run_ext({"build", "--wasm", (dir.path() / "m.wasm").string(), "-t", "a/b:v1", "-t",
                   "c/d:v2", "--filter-type", "http"},
                  store)
              .exit_code == 0);
  auto refs = run_ext({"__refs"}, store);
  CHECK(refs.exit_code == 0);
  CHECK(refs.out == "docker.io/a/b:v1\ndocker.io/c/d:v2\n");
  CHECK_FALSE(has(run_ext({"--help"}).out, "__refs"));
}
