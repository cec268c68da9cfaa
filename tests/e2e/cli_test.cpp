#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/core/version.hpp"
#include "support/paths.hpp"

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
  ext::util::SubprocessRunner runner;
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
