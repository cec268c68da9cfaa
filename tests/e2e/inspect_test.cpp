// `ext inspect REF|FILE.wasm` through the built binary, text and --json.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/archive/archive.hpp"
#include "ext/digest/digest.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "support/artifact/fixtures.hpp"
#include "support/paths.hpp"

namespace fs = std::filesystem;
using ext::test::run_ext;
using ext::test::artifact::write_module;
using nlohmann::json;

namespace {

json parse_json(const std::string& out) {
  auto j = json::parse(out, nullptr, false);
  INFO(out);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

ext::oci::Descriptor put(ext::store::Store& s, const std::string& type, const std::string& b) {
  auto d = ext::oci::Descriptor::for_bytes(type, b);
  if (!s.has(d)) ext::store::write_all(s, d, b);
  return d;
}

}  // namespace

TEST_CASE("ext inspect FILE.wasm shows the module facts", "[e2e][artifact]") {
  ext::util::TempDir dir;
  auto wasm = write_module(dir.path(), "http_filter");
  auto sha = ext::digest::sha256(ext::util::read_file(wasm)).hex();
  auto r = run_ext({"inspect", wasm.string()});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("file:        " + wasm.string()) != std::string::npos);
  CHECK(r.out.find("sha256:      " + sha) != std::string::npos);
  CHECK(r.out.find("abi:         v0.2.1") != std::string::npos);
  CHECK(r.out.find("filter type: http") != std::string::npos);
  CHECK(r.out.find("env.proxy_log (i32,i32,i32)->i32") != std::string::npos);
  CHECK(r.out.find("wasi_snapshot_preview1.fd_write") != std::string::npos);
  CHECK(r.out.find("proxy_on_request_headers (i32,i32,i32)->i32") != std::string::npos);
  CHECK(r.out.find("0 error(s), 0 warning(s)") != std::string::npos);

  auto rj = run_ext({"--json", "inspect", wasm.string()});
  REQUIRE(rj.exit_code == 0);
  auto j = parse_json(rj.out);
  CHECK(j["source_kind"] == "file");
  CHECK(j["module"]["module_digest"] == "sha256:" + sha);
  CHECK(j["module"]["abi"] == "v0.2.1");
  CHECK(j["module"]["module_size"] == fs::file_size(wasm));
  CHECK(j["module"]["imports"].size() == 3);
  CHECK(j["module"]["exports"].size() >= 10);
  CHECK(j["findings"].empty());
}

TEST_CASE("ext inspect REF shows manifest, config, layers, annotations and module",
          "[e2e][artifact]") {
  ext::util::TempDir dir;
  auto store = dir.path() / "store";
  auto wasm = write_module(dir.path(), "http_filter");
  auto sha = ext::digest::sha256(ext::util::read_file(wasm)).hex();
  for (const char* format : {"oci", "compat", "cncf"}) {
    INFO(format);
    std::string ref = std::string("ghcr.io/acme/f:") + format;
    auto b = run_ext(
        {"--json", "build", "--wasm", wasm.string(), "-t", ref, "--format", format, "--root-id",
         "add_header", "--annotation", "org.opencontainers.image.description=adds a header"},
        store);
    INFO(b.err);
    REQUIRE(b.exit_code == 0);
    auto digest = parse_json(b.out)["package"]["digest"].get<std::string>();

    auto r = run_ext({"inspect", ref}, store);
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
    CHECK(r.out.find("reference:   " + ref) != std::string::npos);
    CHECK(r.out.find("manifest:    " + digest) != std::string::npos);
    CHECK(r.out.find(std::string("layout:      ") + format) != std::string::npos);
    CHECK(r.out.find("org.opencontainers.image.description: adds a header") != std::string::npos);
    CHECK(r.out.find("module.wasm.runtime/abi_version: v0.2.1") != std::string::npos);
    CHECK(r.out.find("sha256:      " + sha) != std::string::npos);
    CHECK(r.out.find("abi:         v0.2.1") != std::string::npos);

    auto rj = run_ext({"--json", "inspect", ref}, store);
    REQUIRE(rj.exit_code == 0);
    auto j = parse_json(rj.out);
    CHECK(j["source_kind"] == "image");
    CHECK(j["reference"] == ref);
    CHECK(j["digest"] == digest);
    CHECK(j["layout"] == format);
    CHECK(j["manifest"]["schemaVersion"] == 2);
    CHECK(j["annotations"]["module.wasm.runtime/type"] == "envoy_proxy");
    CHECK(j["module"]["module_digest"] == "sha256:" + sha);
    CHECK(j["module"]["filter_type"] == "http");
    if (std::string(format) == "oci") {
      CHECK(r.out.find("filter.wasm") != std::string::npos);
      CHECK(r.out.find("runtime-config.json") != std::string::npos);
      REQUIRE(j["layers"].size() == 2);
      CHECK(j["layers"][1]["mediaType"] == "application/vnd.module.wasm.content.layer.v1+wasm");
      CHECK(j["runtime_config"]["rootIds"] == json::array({"add_header"}));
      CHECK(j["config_content"]["abiVersions"] == json::array({"v0.2.1"}));
    } else if (std::string(format) == "compat") {
      CHECK(j["runtime_config"]["rootIds"] == json::array({"add_header"}));
      CHECK(j["config_content"]["os"] == "wasip1");
    } else {
      CHECK(j["config_content"]["architecture"] == "wasm");
      CHECK(j["runtime_config"].is_null());
    }
    // By digest too.
    auto bd = run_ext({"--json", "inspect", "ghcr.io/acme/f@" + digest}, store);
    REQUIRE(bd.exit_code == 0);
    CHECK(parse_json(bd.out)["module"]["module_digest"] == "sha256:" + sha);
  }
}

TEST_CASE("ext inspect reads a Docker v2 image with plugin.wasm in the last layer",
          "[e2e][artifact]") {
  ext::util::TempDir dir;
  auto store_dir = dir.path() / "store";
  auto module = ext::test::artifact::module_bytes("network_filter");
  {
    ext::store::OciLayoutStore s(store_dir);
    auto last = ext::util::read_file(
        ext::test::artifact::craft_archive(dir.path(), "docker", true, module));
    auto first =
        ext::archive::tar_bytes({{"etc/os-release", {}, std::string("x"), 0644, false}}, true);
    ext::oci::Manifest m;
    m.media_type = ext::oci::media::k_docker_manifest;
    m.config = put(s, ext::oci::media::k_docker_config, R"({"architecture":"amd64","os":"linux"})");
    m.layers = {put(s, ext::oci::media::k_docker_layer, first),
                put(s, ext::oci::media::k_docker_layer, last)};
    auto bytes = m.serialize();
    s.put_manifest(ext::oci::Descriptor::for_bytes(m.media_type, bytes), bytes,
                   {ext::ref::Reference::parse("registry.example/istio/plugin:1").value()});
  }
  auto r = run_ext({"--json", "inspect", "registry.example/istio/plugin:1"}, store_dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_json(r.out);
  CHECK(j["layout"] == "docker-v2");
  CHECK(j["media_type"] == "application/vnd.docker.distribution.manifest.v2+json");
  CHECK(j["module"]["module_digest"] == ext::digest::sha256(module).to_string());
  CHECK(j["module"]["filter_type"] == "network");
  CHECK(j["layers"].size() == 2);
}

TEST_CASE("ext inspect: unknown images and files are clear errors", "[e2e][artifact]") {
  ext::util::TempDir dir;
  auto store = dir.path() / "store";
  auto r = run_ext({"inspect", "acme/nothing:v1"}, store);
  CHECK(r.exit_code == 1);
  CHECK(r.err.find("ext: error: no image docker.io/acme/nothing:v1 in the local store") !=
        std::string::npos);
  CHECK(r.err.find("hint: ") != std::string::npos);
  CHECK_FALSE(fs::exists(store));

  auto missing = run_ext({"inspect", (dir.path() / "missing.wasm").string()}, store);
  CHECK(missing.exit_code == 1);
  CHECK(missing.err.find("no such file") != std::string::npos);

  auto bad = run_ext({"inspect", "Not A Ref"}, store);
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("neither a file nor a valid reference") != std::string::npos);

  auto junk = dir.path() / "junk.wasm";
  ext::util::write_file_atomic(junk, "junk");
  auto rj = run_ext({"inspect", junk.string()}, store);
  CHECK(rj.exit_code == 1);
  CHECK(rj.err.find("ext: error: " + junk.string()) != std::string::npos);

  auto usage = run_ext({"inspect"}, store);
  CHECK(usage.exit_code == 2);
}
