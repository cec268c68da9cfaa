// Issue 16: the AssemblyScript template end to end (init, npm ci, asc, validate, package, ext
// test), the Rust network template, and --list-templates with each toolchain's status. The
// AssemblyScript build downloads the two pinned npm packages (the npm registry is reachable
// from CI); the compiler runs from the project's node_modules.
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

TEST_CASE("AssemblyScript template: init, build with npm ci + asc, validate, package, ext test",
          "[e2e][build][assemblyscript]") {
  ext::util::TempDir tmp;
  auto dir = tmp.path() / "as-filter";
  auto store = tmp.path() / "store";
  auto init = json_of(run_ext({"--json", "init", dir.string(), "--language", "assemblyscript"}));
  CHECK(init["template"] == "assemblyscript/http-filter");
  for (const char* f : {"ext.yaml", "package.json", "package-lock.json", "assembly/index.ts",
                        "assembly/tsconfig.json", "tests/filter.test.yaml", ".gitignore"})
    CHECK(fs::exists(dir / f));
  CHECK(has(ext::util::read_file(dir / "assembly/index.ts"), "\"as_filter\");"));

  // First build: npm ci fills node_modules, then the project's own asc compiles.
  auto built = run_ext({"--json", "build", dir.string(), "-t", "as/filter:v1"}, store);
  auto j = json_of(built);
  REQUIRE(built.exit_code == 0);
  REQUIRE(j["commands"].size() == 2);
  CHECK(has(j["commands"][0], " ci --ignore-scripts"));
  CHECK(j["commands"][1].get<std::string>().rfind(
            (dir / "node_modules/.bin/asc").string() + " assembly/index.ts -b ", 0) == 0);
  CHECK(j["module_file"] == (dir / "build/release/as-filter.wasm").string());
  CHECK(j["abi"] == "v0.2.0");  // what @solo-io/proxy-runtime 0.1.8 implements
  CHECK(j["filter_type"] == "http");
  CHECK(j["module_size"].get<uint64_t>() < 64 * 1024);
  CHECK(j["package"]["refs"][0] == "docker.io/as/filter:v1");
  CHECK(fs::exists(dir / "node_modules/assemblyscript/package.json"));
  auto asc_pkg =
      nlohmann::json::parse(ext::util::read_file(dir / "node_modules/assemblyscript/package.json"));
  CHECK(asc_pkg["version"] == "0.14.9");
  // --explicitStart: the top-level code is an exported _start, not a start section.
  std::string warnings = j["warnings"].dump();
  CHECK_FALSE(has(warnings, "start-section"));
  CHECK_FALSE(has(warnings, "entry-point-none"));

  // The template's spec passes in ext's host.
  auto tested = run_ext({"test", dir.string()}, store);
  INFO(tested.out << tested.err);
  CHECK(tested.exit_code == 0);
  CHECK(has(tested.out, "PASS adds the configured header to responses"));
  CHECK(has(tested.out, "1 passed, 0 failed"));

  // Nothing changed: nothing runs.
  auto again = json_of(run_ext({"--json", "build", dir.string()}, store));
  CHECK(again["up_to_date"] == true);
  CHECK(again["commands"].empty());
  CHECK(again["module_digest"] == j["module_digest"]);

  // node_modules gone (a fresh clone): npm ci and asc again, the same module.
  fs::remove_all(dir / "node_modules");
  auto fresh = json_of(run_ext({"--json", "build", dir.string()}, store));
  CHECK(fresh["commands"].size() == 2);
  CHECK(fresh["module_digest"] == j["module_digest"]);

  // Without node and npm: the build says what is missing and how to get it.
  auto none = run_ext({"build", dir.string()}, store, std::nullopt, {{"PATH", "/nonexistent"}});
  CHECK(none.exit_code == 1);
  CHECK(has(none.err, "no node and npm on PATH"));
  CHECK(has(none.err, "apt-get install nodejs npm"));

  // A compile error shows the compiler's message.
  auto source = ext::util::read_file(dir / "assembly/index.ts");
  ext::util::write_file_atomic(dir / "assembly/index.ts",
                               source + "export function broken(): i32 { return nope; }\n");
  auto broken = run_ext({"build", dir.string()}, store);
  CHECK(broken.exit_code == 1);
  CHECK(has(broken.err, "compiling assembly/index.ts failed"));
  CHECK(has(broken.err, "ERROR TS2304: Cannot find name 'nope'."));
}

TEST_CASE("Rust network-filter template: init renders a StreamContext crate, build runs cargo",
          "[e2e][init][rust]") {
  ext::util::TempDir tmp;
  auto dir = tmp.path() / "tcp-count";
  auto j = json_of(run_ext(
      {"--json", "init", dir.string(), "--language", "rust", "--template", "network-filter"}));
  CHECK(j["template"] == "rust/network-filter");
  auto cargo = ext::util::read_file(dir / "Cargo.toml");
  CHECK(has(cargo, "name = \"tcp-count\""));
  CHECK(has(cargo, "crate-type = [\"cdylib\"]"));
  auto lib = ext::util::read_file(dir / "src/lib.rs");
  CHECK(has(lib, "const ROOT_ID: &str = \"tcp_count\";"));
  CHECK(has(lib, "impl StreamContext for ByteCount"));
  auto yaml = ext::util::read_file(dir / "ext.yaml");
  CHECK(has(yaml, "language: rust\n"));
  CHECK(has(yaml, "filter_type: network\n"));
  auto spec = ext::util::read_file(dir / "tests/filter.test.yaml");
  CHECK(has(spec, "tcp_count.downstream_bytes: 11"));
  // The command ext build runs (the crate itself needs proxy-wasm from crates.io or a vendored
  // copy: scripts/try-official-sdks --templates builds it against an SDK checkout).
  auto dry = run_ext({"build", dir.string(), "--dry-run"});
  INFO(dry.err);
  REQUIRE(dry.exit_code == 0);
  CHECK(has(dry.out, "build --target wasm32-"));
  CHECK(has(dry.out, " --release"));
  CHECK_FALSE(has(dry.out, "--offline"));  // online unless the user says offline
  auto offline = run_ext({"build", dir.string(), "--dry-run", "--offline"});
  CHECK(has(offline.out, " --offline --release"));
  auto by_env = run_ext({"build", dir.string(), "--dry-run"}, {}, std::nullopt,
                        {{"CARGO_NET_OFFLINE", "true"}});
  CHECK(has(by_env.out, " --offline --release"));
}

TEST_CASE("ext init --list-templates: language, kind, SDK, toolchain and whether it is here",
          "[e2e][init]") {
  auto j = json_of(run_ext({"--json", "init", "--list-templates"}))["templates"];
  REQUIRE(j.is_array());
  std::map<std::string, nlohmann::json> by_id;
  for (const auto& t : j) by_id[t["id"]] = t;
  for (const char* id : {"cpp/http-filter", "cpp/network-filter", "rust/http-filter",
                         "rust/network-filter", "assemblyscript/http-filter"}) {
    INFO(id);
    REQUIRE(by_id.count(id));
    const auto& t = by_id[id];
    CHECK_FALSE(t["sdk"].get<std::string>().empty());
    CHECK_FALSE(t["toolchain"]["needs"].get<std::string>().empty());
    CHECK(t["toolchain"]["found"].is_boolean());
    CHECK_FALSE(t["toolchain"]["status"].get<std::string>().empty());
  }
  CHECK(by_id["rust/network-filter"]["kind"] == "network");
  CHECK(by_id["assemblyscript/http-filter"]["kind"] == "http");
  CHECK(by_id["assemblyscript/http-filter"]["language"] == "assemblyscript");
  CHECK(has(by_id["assemblyscript/http-filter"]["sdk"], "@solo-io/proxy-runtime 0.1.8"));
  // scripts/setup installs every toolchain, so on CI all are found.
  CHECK(by_id["assemblyscript/http-filter"]["toolchain"]["found"] == true);
  CHECK(by_id["cpp/http-filter"]["toolchain"]["found"] == true);
  CHECK(has(by_id["assemblyscript/http-filter"]["toolchain"]["status"], "node v"));

  // Nothing on PATH: npm and cargo are missing, and each entry says how to get them.
  auto bare =
      run_ext({"--json", "init", "--list-templates"}, {}, std::nullopt, {{"PATH", "/nonexistent"}});
  auto b = json_of(bare)["templates"];
  REQUIRE(b.size() == 5);
  for (const auto& t : b) {
    if (t["language"] != "assemblyscript") continue;
    CHECK(t["toolchain"]["found"] == false);
    CHECK(has(t["toolchain"]["status"], "no node and npm on PATH"));
    CHECK(has(t["toolchain"]["hint"], "apt-get install nodejs npm"));
  }
  auto human = run_ext({"init", "--list-templates"}, {}, std::nullopt, {{"PATH", "/nonexistent"}});
  CHECK(has(human.out, "assemblyscript/http-filter  (assemblyscript, http)"));
  CHECK(has(human.out, "    sdk:        @solo-io/proxy-runtime 0.1.8"));
  CHECK(has(human.out, "    found:      NO, no node and npm on PATH"));
  CHECK(has(human.out, "    install:    apt-get install nodejs npm"));
}
