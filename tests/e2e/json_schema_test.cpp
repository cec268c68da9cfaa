// Every verb's --json document against its JSON Schema in docs/schema (docs/json.md): the
// verbs run for real (local store, a docker-registry on loopback), each document is written to
// a file and tests/support/cli/validate_json.py checks them all with python3-jsonschema.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <set>

#include "ext/util/files.hpp"
#include "support/expect.hpp"
#include "support/host/filters.hpp"
#include "support/paths.hpp"
#include "support/registry/registry_server.hpp"

using ext::test::unique;

using namespace ext;
using ext::test::run_ext;

namespace {

struct Collector {
  util::TempDir dir{"ext-json-schema-"};
  std::vector<std::string> files;
  std::set<std::string> schemas;

  // Runs ext with --json, keeps stdout as one document; `exit_code` is what the verb must end
  // with (its document is printed either way).
  nlohmann::json run(const std::string& label, std::vector<std::string> args,
                     const std::filesystem::path& store, int exit_code = 0,
                     std::optional<std::string> in = std::nullopt,
                     const std::map<std::string, std::string>& env = {}) {
    args.insert(args.begin(), "--json");
    auto r = run_ext(args, store, in, env);
    INFO(label << ": exit " << r.exit_code << "\nstdout: " << r.out << "\nstderr: " << r.err);
    CHECK(r.exit_code == exit_code);
    nlohmann::json j;
    REQUIRE_NOTHROW(j = nlohmann::json::parse(r.out));
    REQUIRE(j.is_object());
    REQUIRE(j.contains("schema"));
    schemas.insert(j["schema"].get<std::string>());
    auto file = dir.path() / (std::to_string(files.size()) + "-" + label + ".json");
    util::write_file_atomic(file, r.out);
    files.push_back(file.string());
    return j;
  }
};

}  // namespace

TEST_CASE("every verb's --json output validates against docs/schema", "[e2e][cli][json]") {
  test::require_tool("python3");
  auto& server = test::shared_registry(test::RegistryServer::Mode::plain);
  Collector c;
  auto work = c.dir.path() / "work";
  std::filesystem::create_directories(work);
  auto store = work / "store";
  auto wasm = work / "filter.wasm";
  util::write_file_atomic(
      wasm, test::wat_to_wasm(util::read_file(test::data_dir() / "artifact" / "http_filter.wat"),
                              {"--debug-names"}));
  auto repo = server.host() + "/" + unique("schema/f");
  auto ref = repo + ":v1";

  // Project verbs.
  auto proj = work / "proj";
  c.run("init", {"init", proj.string(), "--name", "demo", "--no-prompt"}, store);
  c.run("init-list-templates", {"init", "--list-templates"}, store);
  c.run("build-dry-run", {"build", proj.string(), "--dry-run"}, store);
  auto b =
      c.run("build-wasm", {"build", "--wasm", wasm.string(), "-t", ref, "--root-id", "r1"}, store);
  c.run("validate-file", {"validate", wasm.string()}, store);
  c.run("validate-image", {"validate", ref}, store);
  c.run("test-failing",
        {"test", test::host::filter_file("add_header").string(), "-f",
         (test::data_dir() / "host" / "failing.test.yaml").string()},
        store, 1);
  // Local store verbs.
  c.run("list", {"list"}, store);
  c.run("inspect-image", {"inspect", ref, "--local"}, store);
  c.run("inspect-file", {"inspect", wasm.string()}, store);
  c.run("tag", {"tag", ref, repo + ":v2"}, store);
  c.run("export", {"export", ref, "-o", (work / "out.tar").string()}, store);
  c.run("import", {"import", (work / "out.tar").string()}, work / "store2");
  c.run("rm", {"rm", repo + ":v2"}, store);
  c.run("prune", {"prune"}, store);
  // Registry verbs.
  c.run("push", {"push", ref, "-t", "v3", "--no-readme"}, store);
  c.run("pull", {"pull", ref, "-o", (work / "pulled.wasm").string()}, work / "store3");
  c.run("tags", {"tags", repo}, store);
  c.run("catalog", {"catalog", server.host()}, store);
  c.run("catalog-details", {"catalog", server.host(), "--details"}, store);
  c.run("tag-remote", {"tag", "--remote", ref, "v4"}, store);
  c.run("copy", {"copy", ref, repo + "-copy:v1"}, store);
  util::write_file_atomic(work / "notes.txt", "notes\n");
  c.run("attach", {"attach", ref, (work / "notes.txt").string(), "--artifact-type", "text/plain"},
        store);
  c.run("discover", {"discover", ref}, store);
  c.run("search", {"search", "--repo", repo, "--data-dir", (work / "data").string()}, store);
  c.run("rm-remote", {"rm", "--remote", repo + ":v4"}, store);
  // Deploy.
  c.run("deploy-envoy", {"--data-dir", (work / "data").string(), "deploy", "envoy", ref}, store);
  c.run("deploy-envoy-file",
        {"--data-dir", (work / "data").string(), "deploy", "envoy", wasm.string(), "-f",
         (work / "envoy.yaml").string()},
        store);
  c.run("undeploy-envoy",
        {"undeploy", "envoy", "filter", "--bootstrap", (work / "envoy.yaml").string()}, store);
  // Misc.
  c.run("version", {"version"}, store);
  c.run("completion", {"completion", "bash"}, store);
  // Errors: a verb's, the parser's, login's.
  c.run("error-not-found", {"inspect", "nosuch/thing:v1", "--local"}, store, 1);
  c.run("error-unknown-verb", {"frobnicate"}, store, 2);
  c.run("error-missing-value", {"build", "-t"}, store, 2);
  c.run("error-unknown-flag", {"build", "--tagg", "x"}, store, 2);
  c.run("login-failure", {"login", "127.0.0.1:1", "-u", "u", "--password-stdin"}, store, 1, "p");
  c.run("logout-failure",
        {"logout", "nowhere.example", "--registry-config", (work / "auth.json").string()}, store,
        1);

  // The vocabulary, spot-checked: one name and one form per fact.
  CHECK(b["package"]["digest"].get<std::string>().rfind("sha256:", 0) == 0);
  CHECK(b["module_digest"].get<std::string>().rfind("sha256:", 0) == 0);
  CHECK(b["abi"] == "v0.2.1");

  std::set<std::string> expected;
  for (const char* n :
       {"init",     "templates", "build",      "validate", "test",     "list",   "inspect",
        "tag",      "export",    "import",     "rm",       "prune",    "push",   "pull",
        "tags",     "catalog",   "copy",       "attach",   "discover", "search", "deploy",
        "undeploy", "version",   "completion", "error"})
    expected.insert(std::string("ext.dev/") + n + "/v1");
  CHECK(c.schemas == expected);

  util::SubprocessRunner runner{ext::test::host_environment()};
  util::ProcessSpec spec;
  spec.argv = {ext::test::python(),
               (test::source_dir() / "tests" / "support" / "cli" / "validate_json.py").string(),
               (test::source_dir() / "docs" / "schema").string()};
  spec.argv.insert(spec.argv.end(), c.files.begin(), c.files.end());
  auto v = runner.run(spec);
  INFO(v.out << v.err);
  CHECK(v.exit_code == 0);
  CHECK_THAT(v.out, Catch::Contains(std::to_string(c.files.size()) + " document(s), 0 problem(s)"));
}

TEST_CASE("a document that breaks its schema is caught (the validator is not a no-op)",
          "[e2e][cli][json]") {
  util::TempDir dir;
  auto bad = dir.path() / "bad.json";
  // build's old names: sha256 and manifest_digest, abi without the v.
  util::write_file_atomic(bad, R"({"schema": "ext.dev/build/v1", "dry_run": false,
    "sha256": "ab", "abi": "0.2.1", "package": {"manifest_digest": "sha256:00"}})");
  util::SubprocessRunner runner{ext::test::host_environment()};
  util::ProcessSpec spec;
  spec.argv = {ext::test::python(),
               (test::source_dir() / "tests" / "support" / "cli" / "validate_json.py").string(),
               (test::source_dir() / "docs" / "schema").string(), bad.string()};
  auto v = runner.run(spec);
  CHECK(v.exit_code == 1);
  CHECK_THAT(v.out, Catch::Contains("sha256") && Catch::Contains("abi"));
}
