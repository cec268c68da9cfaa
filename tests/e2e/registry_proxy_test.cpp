// Proxy variables: ext's HTTP goes through the proxy that http_proxy names (libcurl's
// variables), and NO_PROXY exempts hosts from it. A small forward proxy on loopback logs what
// it forwarded to a real docker-registry.
#include <catch2/catch.hpp>

#include "ext/util/files.hpp"
#include "support/paths.hpp"
#include "support/registry/registry_server.hpp"

using namespace ext;
namespace fs = std::filesystem;

TEST_CASE("http_proxy is honoured and NO_PROXY exempts hosts", "[e2e][registry][proxy]") {
  auto& server = test::shared_registry(test::RegistryServer::Mode::plain);
  util::TempDir dir;
  auto log = dir.path() / "proxy-requests.log";
  test::Background proxy(
      {test::python(), (test::source_dir() / "tests/support/registry/forward_proxy.py").string(),
       "--log", log.string(), "--lifetime", "300"},
      {}, dir.path() / "proxy.out");
  auto proxy_url = "http://127.0.0.1:" + proxy.wait_line("PORT ", 15000);

  auto wasm = dir.path() / "f.wasm";
  util::write_file_atomic(
      wasm, test::wat_to_wasm(util::read_file(test::data_dir() / "artifact/http_filter.wat")));
  auto store = dir.path() / "store";
  auto ref = server.host() + "/proxied/f" + std::to_string(::getpid()) + ":v1";
  REQUIRE(test::run_ext({"build", "--wasm", wasm.string(), "-t", ref}, store).exit_code == 0);

  // Through the proxy: the push succeeds and every request went through it.
  auto push = test::run_ext({"push", ref}, store, std::nullopt,
                            {{"http_proxy", proxy_url}, {"NO_PROXY", ""}, {"no_proxy", ""}});
  INFO(push.err);
  REQUIRE(push.exit_code == 0);
  auto seen = fs::exists(log) ? util::read_file(log) : std::string();
  INFO(seen);
  CHECK(seen.find("POST http://" + server.host() + "/v2/proxied/") != std::string::npos);
  CHECK(seen.find("/manifests/v1\n") != std::string::npos);
  CHECK(seen.find("PUT http://" + server.host() + "/v2/proxied/") != std::string::npos);

  // NO_PROXY names the registry: nothing more reaches the proxy.
  fs::remove(log);
  auto pull = test::run_ext({"pull", ref}, dir.path() / "pulled", std::nullopt,
                            {{"http_proxy", proxy_url}, {"NO_PROXY", "127.0.0.1"}});
  INFO(pull.err);
  REQUIRE(pull.exit_code == 0);
  CHECK_FALSE(fs::exists(log));
  proxy.stop();
}
