// Progress bars: on a terminal, transfers over 1 MiB draw a bar on stderr; without a terminal,
// with -q or with --json, nothing. Push and pull against a real docker-registry on loopback.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/expect.hpp"
#include "support/paths.hpp"
#include "support/registry/registry_server.hpp"

// Everything of this file in its own namespace: its helpers and using-directives stay out of
// the other test files of its unity batch (tests/CMakeLists.txt).
namespace e2e_progress_test {

using ext::test::has;

using namespace ext;
namespace fs = std::filesystem;

namespace {

// A valid module of about `mib` MiB (a small filter plus one custom section).
fs::path big_module(const util::TempDir& dir, int mib) {
  auto small = dir.path() / "small.wasm";
  util::write_file_atomic(
      small, test::wat_to_wasm(util::read_file(test::data_dir() / "artifact/http_filter.wat")));
  auto big = dir.path() / "big.wasm";
  util::ProcessSpec spec;
  spec.argv = {test::python(),
               (test::source_dir() / "tests/support/registry/make_big_wasm.py").string(),
               small.string(), big.string(), std::to_string(mib)};
  util::SubprocessRunner runner{ext::test::host_environment()};
  auto r = runner.run(spec);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return big;
}

}  // namespace

TEST_CASE("push and pull draw progress bars on a terminal only", "[e2e][registry][progress]") {
  auto& server = test::shared_registry(test::RegistryServer::Mode::plain);
  util::TempDir dir;
  auto wasm = big_module(dir, 3);
  auto store = (dir.path() / "store").string();
  auto ref = server.host() + "/progress/f" + std::to_string(::getpid()) + ":v1";
  REQUIRE(test::run_ext({"build", "--wasm", wasm.string(), "-t", ref}, store).exit_code == 0);

  auto push = test::run_ext_on_tty({"--store", store, "push", ref}, dir.path());
  INFO(push.out);
  REQUIRE(push.exit_code == 0);
  CHECK(has(push.out, "[##############################] 100.0%"));
  CHECK(has(push.out, "/ 3.0 MiB"));

  auto pulled = (dir.path() / "pulled").string();
  auto pull = test::run_ext_on_tty({"--store", pulled, "pull", ref}, dir.path());
  INFO(pull.out);
  REQUIRE(pull.exit_code == 0);
  CHECK(has(pull.out, "100.0%"));

  // -q on a terminal, and no terminal at all: no bar.
  auto quiet =
      test::run_ext_on_tty({"--store", (dir.path() / "q").string(), "-q", "pull", ref}, dir.path());
  REQUIRE(quiet.exit_code == 0);
  CHECK_FALSE(has(quiet.out, "%"));
  auto piped = test::run_ext({"pull", ref}, dir.path() / "p");
  REQUIRE(piped.exit_code == 0);
  CHECK_FALSE(has(piped.err, "%"));
  CHECK_FALSE(has(piped.err, "[#"));

  // A small transfer (under 1 MiB) draws nothing even on a terminal.
  auto small_ref = server.host() + "/progress/small" + std::to_string(::getpid()) + ":v1";
  REQUIRE(test::run_ext({"build", "--wasm", (dir.path() / "small.wasm").string(), "-t", small_ref},
                        store)
              .exit_code == 0);
  auto small = test::run_ext_on_tty({"--store", store, "push", small_ref}, dir.path());
  REQUIRE(small.exit_code == 0);
  CHECK_FALSE(has(small.out, "%"));
}

}  // namespace e2e_progress_test
