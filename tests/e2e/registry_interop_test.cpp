// Interop with skopeo: what ext pushes, skopeo inspects and copies; what skopeo copies in from
// an OCI layout, ext pulls.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/digest/digest.hpp"
#include "ext/util/files.hpp"
#include "support/paths.hpp"
#include "support/registry/registry_server.hpp"

using namespace ext;
using ext::test::RegistryServer;
using ext::test::run_ext;

TEST_CASE("skopeo reads what ext pushes and ext pulls what skopeo copies", "[registry][e2e]") {
  test::require_tool("skopeo");
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  util::TempDir dir;
  auto wasm = dir.path() / "filter.wasm";
  util::write_file_atomic(
      wasm, test::wat_to_wasm(util::read_file(test::data_dir() / "artifact" / "http_filter.wat"),
                              {"--debug-names"}));
  auto store = dir.path() / "store";
  auto repo = server.host() + "/interop/f" + std::to_string(::getpid());
  REQUIRE(run_ext({"build", "--wasm", wasm.string(), "-t", repo + ":v1"}, store).exit_code == 0);
  auto p = run_ext({"--json", "push", repo + ":v1"}, store);
  REQUIRE(p.exit_code == 0);
  auto digest = nlohmann::json::parse(p.out)["digest"].get<std::string>();

  auto inspect = test::run_checked(
      {"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + repo + ":v1"});
  CHECK(digest::sha256(inspect).to_string() == digest);

  // skopeo copies the image to an OCI layout and back into another repository.
  auto layout = dir.path() / "layout";
  test::run_checked({"skopeo", "copy", "--src-tls-verify=false", "docker://" + repo + ":v1",
                     "oci:" + layout.string() + ":v1"});
  test::run_checked({"skopeo", "copy", "--dest-tls-verify=false", "oci:" + layout.string() + ":v1",
                     "docker://" + repo + "-copy:v1"});
  auto out = dir.path() / "pulled.wasm";
  auto pl = run_ext({"--json", "pull", repo + "-copy:v1", "-o", out.string()}, dir.path() / "s2");
  INFO(pl.err);
  REQUIRE(pl.exit_code == 0);
  CHECK(nlohmann::json::parse(pl.out)["digest"] == digest);
  CHECK(digest::sha256_file(out) == digest::sha256_file(wasm));
}
