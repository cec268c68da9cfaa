// End to end: `ext push` of a module larger than the buffered-upload bound (streamed into one
// PUT) through tests/support/registry/fault_proxy.py: a failed streamed upload makes ext push
// start over once by itself; --concurrency transfers blobs in parallel; the module pulls back.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/digest/digest.hpp"
#include "ext/util/files.hpp"
#include "support/paths.hpp"
#include "support/registry/registry_server.hpp"

using namespace ext;
using ext::test::FaultProxy;
using ext::test::RegistryServer;
using ext::test::run_ext;

namespace {

// A valid module of about `mib` MiB: the test filter plus a custom section of random bytes.
std::filesystem::path big_module(const util::TempDir& dir, int mib) {
  auto small = dir.path() / "small.wasm";
  util::write_file_atomic(
      small, test::wat_to_wasm(util::read_file(test::data_dir() / "artifact" / "http_filter.wat")));
  auto big = dir.path() / "big.wasm";
  test::run_checked({test::python(), (test::registry_support_dir() / "make_big_wasm.py").string(),
                     small.string(), big.string(), std::to_string(mib)});
  return big;
}

}  // namespace

TEST_CASE("ext push streams a large module, restarts a failed upload once, --concurrency",
          "[registry][e2e]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  FaultProxy proxy(server.host(), 3.0);
  util::TempDir dir;
  auto wasm = big_module(dir, 9);  // over the 8 MiB buffered-upload bound
  auto hex = digest::sha256_file(wasm).hex();
  auto store = dir.path() / "store";
  auto ref = proxy.host() + "/e2e/streamed-" + std::to_string(::getpid()) + ":v1";
  REQUIRE(run_ext({"build", "--wasm", wasm.string(), "-t", ref}, store).exit_code == 0);

  // The module layer's upload is reset once, after the proxy has read the whole body.
  proxy.arm("^PUT /v2/.*/blobs/uploads/.*digest=sha256(%3A|:)" + hex, {"reset"});
  std::map<std::string, std::string> env{{"EXT_HTTP_RETRY_BASE_MS", "5"}};
  auto p = run_ext({"--json", "-v", "push", "--concurrency", "2", ref}, store, std::nullopt, env);
  INFO("stderr: " << p.err);
  REQUIRE(p.exit_code == 0);
  CHECK(p.err.find("retrying the push") != std::string::npos);
  CHECK(proxy.pending().empty());
  auto j = nlohmann::json::parse(p.out);
  CHECK(j["module_digest"] == "sha256:" + hex);
  CHECK(j["bytes_uploaded"].get<uint64_t>() >= std::filesystem::file_size(wasm));
  proxy.clear();

  auto out = dir.path() / "pulled.wasm";
  auto pl = run_ext({"pull", "--concurrency", "2", ref, "-o", out.string()}, dir.path() / "store2");
  INFO("pull stderr: " << pl.err);
  REQUIRE(pl.exit_code == 0);
  CHECK(digest::sha256_file(out).hex() == hex);
}
