// Interop with skopeo (containers/image): what `ext export` writes, skopeo reads; what
// `skopeo copy` writes into an OCI layout, `ext import` reads.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/expect.hpp"
#include "support/paths.hpp"
#include "support/store/image_fixture.hpp"

using ext::test::run_json;

using namespace ext;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

util::ProcessResult skopeo(const std::vector<std::string>& args, const fs::path& home) {
  util::SubprocessRunner runner{ext::test::host_environment()};
  util::ProcessSpec spec;
  spec.argv = {"skopeo"};
  spec.argv.insert(spec.argv.end(), args.begin(), args.end());
  spec.env = {{"HOME", home.string()}, {"XDG_RUNTIME_DIR", home.string()}};
  return runner.run(spec);
}

}  // namespace

TEST_CASE("interop: skopeo reads what ext export writes and ext imports what skopeo copy writes",
          "[store][e2e][interop]") {
  test::require_tool("skopeo");
  util::TempDir dir;
  fs::path home = dir.path() / "home";
  fs::create_directories(home);
  fs::path root = dir.path() / "store";
  test::FixtureImage wasm, image;
  {
    store::OciLayoutStore s(root);
    wasm = test::put_image(s, {"ghcr.io/acme/add-header:v1"}, "add", 20000);
    image = test::put_container_image(s, {"localhost:5000/acme/compat:v2"}, "compat", 5000);
  }
  fs::path out = dir.path() / "export";
  run_json(
      {"export", "ghcr.io/acme/add-header:v1", "localhost:5000/acme/compat:v2", "-o", out.string()},
      root);

  // A container-style image: skopeo's own view (digest, layers).
  auto r = skopeo({"inspect", "oci:" + out.string() + ":localhost:5000/acme/compat:v2"}, home);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = json::parse(r.out);
  CHECK(j["Digest"] == image.manifest.digest.to_string());
  CHECK(j["Layers"] == json({image.module.digest.to_string()}));
  CHECK(j["Os"] == "linux");

  // The wasm artifact: skopeo returns the exact manifest bytes (raw; its image view refuses
  // non-image configs) and the config blob.
  r = skopeo({"inspect", "--raw", "oci:" + out.string() + ":ghcr.io/acme/add-header:v1"}, home);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out == wasm.manifest_bytes);
  CHECK(digest::sha256(r.out) == wasm.manifest.digest);
  r = skopeo(
      {"inspect", "--config", "--raw", "oci:" + out.string() + ":ghcr.io/acme/add-header:v1"},
      home);
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(r.out)["type"] == "envoy_proxy");

  // skopeo copy into a fresh layout under a bare tag, then ext import with --name.
  fs::path copied = dir.path() / "copied";
  for (const auto& [src, tag] : std::vector<std::pair<std::string, std::string>>{
           {"ghcr.io/acme/add-header:v1", "wasm"}, {"localhost:5000/acme/compat:v2", "img"}}) {
    r = skopeo({"copy", "oci:" + out.string() + ":" + src, "oci:" + copied.string() + ":" + tag},
               home);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  fs::path store2 = dir.path() / "store2";
  auto missing = test::run_ext({"import", copied.string()}, store2);
  CHECK(missing.exit_code == 2);
  CHECK(missing.err.find("--name") != std::string::npos);
  auto im = run_json({"import", copied.string(), "--name", "registry.example.com/team/f"}, store2);
  REQUIRE(im["images"].size() == 2);
  auto list = run_json({"list"}, store2)["images"];
  REQUIRE(list.size() == 2);
  CHECK(list[0]["reference"] == "registry.example.com/team/f:img");
  // skopeo may rewrite a container image's manifest on copy: compare with what it wrote.
  r = skopeo({"inspect", "--raw", "oci:" + copied.string() + ":img"}, home);
  REQUIRE(r.exit_code == 0);
  CHECK(list[0]["digest"] == digest::sha256(r.out).to_string());
  CHECK(list[1]["reference"] == "registry.example.com/team/f:wasm");
  CHECK(list[1]["digest"] == wasm.manifest.digest.to_string());  // skopeo kept the bytes
  CHECK(store::OciLayoutStore(store2).verify(true).empty());

  // And a tar that skopeo can read (oci-archive transport).
  fs::path tar = dir.path() / "x.tar";
  run_json({"export", "localhost:5000/acme/compat:v2", "-o", tar.string()}, root);
  r = skopeo({"inspect", "oci-archive:" + tar.string() + ":localhost:5000/acme/compat:v2"}, home);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(r.out)["Digest"] == image.manifest.digest.to_string());
}
