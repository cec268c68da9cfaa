#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ext/core/version.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "support/paths.hpp"
#include "support/store/image_fixture.hpp"

using ext::test::run_ext;

TEST_CASE("ext version --json names the version and dependency versions", "[e2e][cli]") {
  auto r = run_ext({"--json", "version"});
  REQUIRE(r.exit_code == 0);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["version"].get<std::string>() == std::string(ext::version()));
  CHECK(j["dependencies"].contains("openssl"));
  CHECK(j["dependencies"].contains("cli11"));
  for (const char* dep : {"libcurl", "libarchive", "wabt"})
    CHECK_FALSE(j["dependencies"][dep].get<std::string>().empty());

  auto v = run_ext({"--version"});
  CHECK(v.exit_code == 0);
  CHECK(v.out.find(std::string(ext::version())) != std::string::npos);
}

TEST_CASE("usage errors exit 2 with an error line and a hint", "[e2e][cli]") {
  auto r = run_ext({"no-such-verb"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("ext: error: unknown command \"no-such-verb\"") != std::string::npos);
  CHECK(r.err.find("hint: ") != std::string::npos);

  auto bad_flag = run_ext({"version", "--no-such-flag"});
  CHECK(bad_flag.exit_code == 2);
  CHECK(bad_flag.err.find("ext: error:") != std::string::npos);

  auto build = run_ext({"build", "--wasm", "/nonexistent/x.wasm", "-t", "a:b"});
  CHECK(build.exit_code == 2);
}

TEST_CASE("ext without arguments prints help", "[e2e][cli]") {
  auto r = run_ext({});
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("Usage: ext") != std::string::npos);
}

TEST_CASE("ext completion prints scripts that name every verb", "[e2e][cli]") {
  auto bash = run_ext({"completion", "bash"});
  REQUIRE(bash.exit_code == 0);
  CHECK(bash.out.find("complete -F _ext ext") != std::string::npos);
  CHECK(bash.out.find("'build|--format') echo 'oci compat cncf'") != std::string::npos);
  CHECK(bash.out.find("--wasm") != std::string::npos);
  // The script must be valid bash.
  ext::util::TempDir dir;
  ext::util::write_file_atomic(dir.path() / "c.bash", bash.out);
  ext::util::SubprocessRunner runner{ext::test::host_environment()};
  ext::util::ProcessSpec spec;
  spec.argv = {"bash", "-n", (dir.path() / "c.bash").string()};
  CHECK(runner.run(spec).exit_code == 0);

  auto fish = run_ext({"completion", "fish"});
  CHECK(fish.exit_code == 0);
  CHECK(fish.out.find("complete -c ext") != std::string::npos);
  CHECK(run_ext({"completion", "tcsh"}).exit_code == 2);
}

TEST_CASE("a 40,000-character argument is an error, not a crash (issue 11)", "[e2e][cli]") {
  // util::redact's std::regex overflowed the stack on the error message: exit 139.
  auto r = run_ext({"inspect", std::string(40'000, 'x')});
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("ext: error:") == 0);
  auto secret = run_ext({"inspect", "https://bob:hunter2@" + std::string(40'000, 'x')});
  CHECK(secret.exit_code == 1);
  CHECK(secret.err.find("hunter2") == std::string::npos);
}

TEST_CASE("ext --json: errors survive bytes that are not UTF-8 (issue 11)", "[e2e][cli]") {
  // The message quotes the argument; nlohmann's dump threw type_error 316 inside the error
  // printer and ext aborted (exit 134).
  auto r = run_ext({"--json", "inspect", "\xff\xfe"});
  CHECK(r.exit_code == 1);
  auto j = nlohmann::json::parse(r.out);
  CHECK(j["error"]["message"].get<std::string>().find("valid reference") != std::string::npos);
}

// ---------------------------------------------------------------------------------------------
// Issue 15: usage errors name the word that is wrong and the nearest right one; --json gets the
// error document on stdout too; paths stay paths; help has examples; flags only where they act.

namespace {

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// The verbs `ext --help` lists (its "Subcommands:" section).
std::vector<std::string> verbs() {
  auto help = run_ext({"--help"}).out;
  auto at = help.find("Subcommands:");
  REQUIRE(at != std::string::npos);
  std::vector<std::string> out;
  std::istringstream lines(help.substr(at));
  std::string line;
  std::getline(lines, line);
  while (std::getline(lines, line)) {
    if (line.size() < 3 || line[0] != ' ') break;
    auto start = line.find_first_not_of(' ');
    out.push_back(line.substr(start, line.find_first_of(" ,", start) - start));  // "list, ls"
  }
  return out;
}

}  // namespace

TEST_CASE("an unknown flag is named, with the nearest flag (issue 15)", "[e2e][cli]") {
  auto r = run_ext({"build", "--tagg", "x"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("ext: error: unknown flag \"--tagg\" for ext build") == 0);
  CHECK(r.err.find("did you mean --tag?") != std::string::npos);
  CHECK(r.err.find("Directory does not exist") == std::string::npos);  // CLI11's check on "x"
  CHECK(r.out.empty());

  auto short_flag = run_ext({"push", "-x", "a:b"});
  CHECK(short_flag.exit_code == 2);
  CHECK(short_flag.err.find("unknown flag \"-x\" for ext push") != std::string::npos);

  // --flag=value, global flags after the verb, and a flag's value that starts with '-' are fine.
  CHECK(run_ext({"version", "--json"}).exit_code == 0);
  auto eq = run_ext({"build", "--formatt=oci"});
  CHECK(eq.exit_code == 2);
  CHECK(eq.err.find("unknown flag \"--formatt\"") != std::string::npos);
  CHECK(eq.err.find("did you mean --format?") != std::string::npos);
  // A subcommand's flags: deploy envoy's.
  auto dep = run_ext({"deploy", "envoy", "x.wasm", "--listn", "1"});
  CHECK(dep.exit_code == 2);
  CHECK(dep.err.find("unknown flag \"--listn\" for ext deploy envoy") != std::string::npos);
  CHECK(dep.err.find("did you mean --listen?") != std::string::npos);
}

TEST_CASE("an unknown verb or subcommand gets the nearest one (issue 15)", "[e2e][cli]") {
  auto r = run_ext({"biuld"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("ext: error: unknown command \"biuld\"") == 0);
  CHECK(r.err.find("hint: did you mean build?") != std::string::npos);
  CHECK(run_ext({"tset"}).err.find("did you mean test?") != std::string::npos);
  CHECK(run_ext({"isnpect"}).err.find("did you mean inspect?") != std::string::npos);
  // Nothing near: no guess.
  auto far = run_ext({"frobnicate"});
  CHECK(far.exit_code == 2);
  CHECK(far.err.find("did you mean") == std::string::npos);
  CHECK(run_ext({"x"}).err.find("did you mean") == std::string::npos);  // too short to guess
  // A 40,000-character word: an answer, not a long computation (the distance caps at 64).
  CHECK(run_ext({std::string(40'000, 'b')}).exit_code == 2);

  auto sub = run_ext({"deploy", "envy", "x.wasm"});
  CHECK(sub.exit_code == 2);
  CHECK(sub.err.find("unknown subcommand \"envy\" for ext deploy (envoy, istio, gloo)") !=
        std::string::npos);
  CHECK(sub.err.find("did you mean envoy?") != std::string::npos);
}

TEST_CASE("with --json, command-line errors print the error document on stdout (issue 15)",
          "[e2e][cli][json]") {
  auto verb = run_ext({"--json", "frobnicate"});
  CHECK(verb.exit_code == 2);
  auto j = nlohmann::json::parse(verb.out);
  CHECK(j["schema"] == "ext.dev/error/v1");
  CHECK(j["error"]["code"] == "usage");
  CHECK(j["error"]["argument"] == "frobnicate");
  CHECK(j["error"]["message"] == "unknown command \"frobnicate\"");

  auto missing = run_ext({"--json", "build", "-t"});
  CHECK(missing.exit_code == 2);
  auto m = nlohmann::json::parse(missing.out);
  CHECK(m["schema"] == "ext.dev/error/v1");
  CHECK(m["error"]["code"] == "usage");
  CHECK(m["error"]["message"].get<std::string>().find("--tag") != std::string::npos);

  auto flag = nlohmann::json::parse(run_ext({"--json", "build", "--tagg", "x"}).out);
  CHECK(flag["error"]["argument"] == "--tagg");
  CHECK(flag["error"]["suggestion"] == "--tag");

  auto typo = nlohmann::json::parse(run_ext({"--json", "biuld"}).out);
  CHECK(typo["error"]["suggestion"] == "build");
  // Without --json stdout stays empty.
  CHECK(run_ext({"build", "-t"}).out.empty());
}

TEST_CASE("a missing path is said as a path, not pulled as an image (issue 15)", "[e2e][cli]") {
  ext::util::TempDir dir;
  auto spec = dir.path() / "t.test.yaml";
  ext::util::write_file_atomic(spec, "cases: []\n");
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"test", "missing.wasm", "-f", spec.string()},
        {"test", "./sub/filter", "-f", spec.string()},
        {"validate", "missing.wasm"},
        {"inspect", "missing.wasm"},
        {"deploy", "envoy", "/nowhere/missing.wasm"}}) {
    auto r = run_ext(args);
    INFO(args[0] << " " << args[1] << ": " << r.err);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("no such file: " + args[args[0] == "deploy" ? 2 : 1]) != std::string::npos);
    CHECK(r.err.find("docker.io") == std::string::npos);
    CHECK(r.err.find("library/") == std::string::npos);
  }
  // A reference is still a reference.
  auto ref = run_ext({"validate", "acme/nothing:v1"});
  CHECK(ref.exit_code == 1);
  CHECK(ref.err.find("no such file") == std::string::npos);
}

TEST_CASE("every verb's --help ends with examples, deploy explains its subcommands (issue 15)",
          "[e2e][cli]") {
  auto all = verbs();
  CHECK(all.size() >= 25);
  for (const auto& v : all) {
    auto h = run_ext({v, "--help"});
    INFO(v << ":\n" << h.out);
    CHECK(h.exit_code == 0);
    CHECK(h.out.find("\nExamples:\n  ext ") != std::string::npos);
  }
  for (const char* sub : {"envoy", "istio", "gloo"}) {
    for (const char* verb : {"deploy", "undeploy"}) {
      auto h = run_ext({verb, sub, "--help"});
      INFO(verb << " " << sub);
      CHECK(h.out.find("\nExamples:\n  ext " + std::string(verb) + " " + sub) != std::string::npos);
    }
  }
  auto deploy = run_ext({"deploy", "--help"}).out;
  CHECK(deploy.find("  envoy  write an Envoy v3 bootstrap") != std::string::npos);
  CHECK(deploy.find("  istio  write an Istio WasmPlugin") != std::string::npos);
  CHECK(deploy.find("  gloo   add the filter to a Gloo Edge Gateway") != std::string::npos);
}

TEST_CASE("the --concurrency flag only where blobs move (issue 15)", "[e2e][cli]") {
  for (const std::vector<std::string>& v : {std::vector<std::string>{"tags"},
                                            {"catalog"},
                                            {"login"},
                                            {"inspect"},
                                            {"discover"},
                                            {"attach"},
                                            {"rm"},
                                            {"tag"},
                                            {"deploy", "envoy"},
                                            {"deploy", "istio"},
                                            {"deploy", "gloo"}}) {
    auto args = v;
    args.push_back("--help");
    auto h = run_ext(args);
    INFO(v[0]);
    CHECK(h.out.find("--concurrency") == std::string::npos);
  }
  for (const char* v : {"push", "pull", "copy"})
    CHECK(run_ext({v, "--help"}).out.find("--concurrency") != std::string::npos);
  // search's own: requests in flight.
  CHECK(run_ext({"search", "--help"}).out.find("Manifest requests in flight") != std::string::npos);
  auto r = run_ext({"tags", "localhost:5000/x", "--concurrency", "2"});
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("unknown flag \"--concurrency\" for ext tags") != std::string::npos);
}

TEST_CASE("messages say a thing once: no 'not a wasm image: not a wasm image' (issue 15)",
          "[e2e][cli]") {
  ext::util::TempDir dir;
  auto store = dir.path() / "store";
  {
    ext::store::OciLayoutStore s(store);
    ext::test::put_container_image(s, {"acme/box:v1"});
  }
  auto spec = dir.path() / "t.test.yaml";
  ext::util::write_file_atomic(spec, "cases: []\n");
  auto t = run_ext({"test", "acme/box:v1", "-f", spec.string()}, store);
  INFO(t.err);
  CHECK(t.exit_code == 1);
  CHECK(count_of(t.err, "not a wasm image") == 1);
  CHECK(count_of(t.err, "no wasm image") == 0);
  auto i = run_ext({"inspect", "acme/box:v1", "--local"}, store);
  INFO(i.out);
  CHECK(count_of(i.out, "not a wasm image") == 1);
  auto v = run_ext({"inspect", "Not A Ref"}, store);
  CHECK(count_of(v.err, "\"Not A Ref\"") == 1);
  CHECK(count_of(v.err, "invalid reference") == 0);
}
