#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/archive/archive.hpp"
#include "ext/artifact/artifact.hpp"
#include "ext/core/error.hpp"
#include "ext/digest/digest.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/store/memory_store.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "support/artifact/fixtures.hpp"

namespace fs = std::filesystem;
namespace artifact = ext::artifact;
namespace media = ext::oci::media;
using ext::Errc;
using ext::Error;
using ext::artifact::Format;
using ext::artifact::Layout;
using ext::oci::Descriptor;
using ext::oci::Manifest;
using nlohmann::json;

namespace {

const char* const k_title = "org.opencontainers.image.title";

struct Module {
  ext::util::TempDir dir{"ext-artifact-test-"};
  fs::path path;
  ext::wasm::ModuleInfo info;
  std::string bytes;
  explicit Module(const std::string& name = "http_filter") {
    path = ext::test::artifact::write_module(dir.path(), name);
    bytes = ext::util::read_file(path);
    info = ext::wasm::read_module(bytes).value();
  }
};

Manifest manifest_of(ext::store::Store& s, const artifact::Packed& p) {
  auto bytes = ext::store::read_all(s, p.manifest);
  CHECK(bytes == p.manifest_bytes);
  return Manifest::parse(bytes).value();
}

std::string blob(ext::store::Store& s, const Descriptor& d) {
  return ext::store::read_all(s, d);
}

artifact::PackOptions options(Format f) {
  artifact::PackOptions o;
  o.format = f;
  o.root_ids = {"add_header"};
  o.filter_type = "http";
  return o;
}

// Puts raw bytes and returns their descriptor.
Descriptor put(ext::store::Store& s, const std::string& media_type, const std::string& bytes) {
  auto d = Descriptor::for_bytes(media_type, bytes);
  if (!s.has(d)) ext::store::write_all(s, d, bytes);
  return d;
}

Manifest store_manifest(ext::store::Store& s, const Manifest& m) {
  auto bytes = m.serialize();
  auto d = Descriptor::for_bytes(m.media_type, bytes);
  s.put_manifest(d, bytes, {});
  return m;
}

}  // namespace

TEST_CASE("runtime-config.json is wasme's compact camelCase form", "[artifact]") {
  artifact::RuntimeConfig rc;
  rc.abi_versions = {"v0.2.1"};
  rc.root_ids = {"add_header"};
  CHECK(rc.to_json() ==
        R"({"type":"envoy_proxy","abiVersions":["v0.2.1"],"config":{"rootIds":["add_header"]}})");
  artifact::RuntimeConfig empty;
  CHECK(empty.to_json() == R"({"type":"envoy_proxy","config":{}})");

  auto back = artifact::RuntimeConfig::parse(rc.to_json());
  REQUIRE(back);
  CHECK(*back == rc);
  // Proto names too (the wasme README example), unknown keys ignored.
  auto snake = artifact::RuntimeConfig::parse(
      R"({"type":"envoy_proxy","abi_versions":["v0.2.0","v0.2.1"],"config":{"root_ids":["a","b"]},"x":1})");
  REQUIRE(snake);
  CHECK(snake->abi_versions == std::vector<std::string>{"v0.2.0", "v0.2.1"});
  CHECK(snake->root_ids == std::vector<std::string>{"a", "b"});
  auto bare = artifact::RuntimeConfig::parse("{}");
  REQUIRE(bare);
  CHECK(bare->type.empty());

  for (const char* bad : {"", "[]", "not json", R"({"type":1})", R"({"abiVersions":"v0.2.1"})",
                          R"({"config":{"rootIds":[1]}})", R"({"config":[]})"}) {
    INFO(bad);
    auto r = artifact::RuntimeConfig::parse(bad);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::parse);
  }
}

TEST_CASE("format names", "[artifact]") {
  CHECK(artifact::parse_format("oci").value() == Format::oci);
  CHECK(artifact::parse_format("compat").value() == Format::compat);
  CHECK(artifact::parse_format("cncf").value() == Format::cncf);
  auto bad = artifact::parse_format("docker");
  REQUIRE_FALSE(bad);
  CHECK(bad.error().code() == Errc::invalid_argument);
  CHECK(bad.error().hint().find("compat") != std::string::npos);
  CHECK(std::string(artifact::to_string(Format::compat)) == "compat");
  CHECK(std::string(artifact::to_string(Layout::docker_v2)) == "docker-v2");
}

TEST_CASE("oci format: wasme's two layers, config repeated as layer 0", "[artifact]") {
  Module mod;
  ext::store::MemoryStore s;
  auto o = options(Format::oci);
  o.annotations["org.opencontainers.image.source"] = "https://example.com/f";
  auto p = artifact::pack(s, mod.path, mod.info, o);
  auto m = manifest_of(s, p);

  CHECK(m.schema_version == 2);
  CHECK(m.media_type == media::k_manifest);
  CHECK(m.artifact_type.empty());
  CHECK(m.config.media_type == "application/vnd.module.wasm.config.v1+json");
  CHECK(m.config.annotations.at(k_title) == "runtime-config.json");
  CHECK(blob(s, m.config) ==
        R"({"type":"envoy_proxy","abiVersions":["v0.2.1"],"config":{"rootIds":["add_header"]}})");
  REQUIRE(m.layers.size() == 2);
  CHECK(m.layers[0] == m.config);
  CHECK(m.layers[1].media_type == "application/vnd.module.wasm.content.layer.v1+wasm");
  CHECK(m.layers[1].annotations.at(k_title) == "filter.wasm");
  CHECK(m.layers[1].digest == ext::digest::sha256(mod.bytes));
  CHECK(m.layers[1].size == static_cast<int64_t>(mod.bytes.size()));
  CHECK(blob(s, m.layers[1]) == mod.bytes);  // raw, uncompressed

  CHECK(m.annotations == std::map<std::string, std::string>{
                             {"module.wasm.runtime/abi_version", "v0.2.1"},
                             {"module.wasm.runtime/type", "envoy_proxy"},
                             {"module.wasm.runtime/filter_type", "http"},
                             {"org.opencontainers.image.source", "https://example.com/f"}});
  CHECK(p.manifest.media_type == media::k_manifest);
  CHECK(p.manifest.digest == ext::digest::sha256(p.manifest_bytes));
  CHECK(p.module_layer == m.layers[1]);
  CHECK(p.module_sha256 == ext::digest::sha256(mod.bytes).hex());
  CHECK(p.module_size == mod.bytes.size());
  CHECK(p.abi_version == "0.2.1");
  CHECK(s.blob_count() == 3);  // config, module, manifest; nothing named
  CHECK(s.names().empty());
}

TEST_CASE("compat format: one deterministic tar.gz with plugin.wasm and an OCI image config",
          "[artifact]") {
  Module mod;
  ext::store::MemoryStore s;
  auto p = artifact::pack(s, mod.path, mod.info, options(Format::compat));
  auto m = manifest_of(s, p);
  CHECK(m.media_type == media::k_manifest);
  CHECK(m.annotations.at("module.wasm.image/variant") == "compat");
  CHECK(m.annotations.at("module.wasm.runtime/abi_version") == "v0.2.1");
  CHECK(m.annotations.at("module.wasm.runtime/type") == "envoy_proxy");
  REQUIRE(m.layers.size() == 1);
  const auto& layer = m.layers[0];
  CHECK(layer.media_type == "application/vnd.oci.image.layer.v1.tar+gzip");
  CHECK(p.module_layer == layer);

  // The layer's files, in order, with fixed modes.
  auto gz = blob(s, layer);
  size_t pos = 0;
  ext::archive::ReadFn src = [&](void* buf, size_t n) {
    n = std::min(n, gz.size() - pos);
    std::memcpy(buf, gz.data() + pos, n);
    pos += n;
    return n;
  };
  auto entries = ext::archive::list(src);
  REQUIRE(entries.size() == 2);
  CHECK(entries[0].path == "runtime-config.json");
  CHECK(entries[1].path == "plugin.wasm");
  CHECK(entries[1].size == mod.bytes.size());
  CHECK(entries[1].mode == 0644);

  // Config: architecture/os/rootfs with the uncompressed tar's digest as diff_id.
  CHECK(m.config.media_type == "application/vnd.oci.image.config.v1+json");
  auto cfg = json::parse(blob(s, m.config));
  CHECK(cfg["architecture"] == "wasm");
  CHECK(cfg["os"] == "wasip1");
  CHECK(cfg["rootfs"]["type"] == "layers");
  auto rc = artifact::RuntimeConfig{"envoy_proxy", {"v0.2.1"}, {"add_header"}}.to_json();
  auto plain = ext::archive::tar_bytes(
      {{"runtime-config.json", {}, rc, 0644, false}, {"plugin.wasm", {}, mod.bytes, 0644, false}},
      false);
  CHECK(cfg["rootfs"]["diff_ids"] == json::array({ext::digest::sha256(plain).to_string()}));
  CHECK_FALSE(cfg.contains("created"));
}

TEST_CASE("cncf format: application/wasm under a wasm config v0", "[artifact]") {
  Module mod;
  ext::store::MemoryStore s;
  auto p = artifact::pack(s, mod.path, mod.info, options(Format::cncf));
  auto m = manifest_of(s, p);
  CHECK(m.config.media_type == "application/vnd.wasm.config.v0+json");
  REQUIRE(m.layers.size() == 1);
  CHECK(m.layers[0].media_type == "application/wasm");
  CHECK(blob(s, m.layers[0]) == mod.bytes);
  auto cfg = json::parse(blob(s, m.config));
  CHECK(cfg["architecture"] == "wasm");
  CHECK(cfg["os"] == "wasip1");
  CHECK(cfg["layerDigests"] == json::array({m.layers[0].digest.to_string()}));
  CHECK_FALSE(cfg.contains("component"));
  CHECK(m.annotations.at("module.wasm.runtime/abi_version") == "v0.2.1");
}

TEST_CASE("same module and options give the same manifest digest, in every format and store",
          "[artifact]") {
  Module mod;
  for (auto f : {Format::oci, Format::compat, Format::cncf}) {
    INFO(artifact::to_string(f));
    ext::store::MemoryStore a;
    ext::store::MemoryStore b;
    ext::util::TempDir root;
    ext::store::OciLayoutStore layout(root.path() / "store");
    auto o = options(f);
    auto pa = artifact::pack(a, mod.path, mod.info, o);
    auto pb = artifact::pack(b, mod.path, mod.info, o);
    auto pl = artifact::pack(layout, mod.path, mod.info, o);
    CHECK(pa.manifest == pb.manifest);
    CHECK(pa.manifest_bytes == pb.manifest_bytes);
    CHECK(pa.manifest == pl.manifest);
    // The module copied elsewhere (another name, another time): still the same digest.
    auto copy = root.path() / "elsewhere.wasm";
    fs::copy_file(mod.path, copy);
    CHECK(artifact::pack(a, copy, mod.info, o).manifest == pa.manifest);

    // created only when given (SOURCE_DATE_EPOCH); it then changes the digest, stably.
    auto oc = o;
    oc.created = "2024-01-01T00:00:00Z";
    auto pc = artifact::pack(a, mod.path, mod.info, oc);
    CHECK(pc.manifest != pa.manifest);
    CHECK(artifact::pack(b, mod.path, mod.info, oc).manifest == pc.manifest);
    CHECK(Manifest::parse(pc.manifest_bytes)->annotations.at("org.opencontainers.image.created") ==
          "2024-01-01T00:00:00Z");
    // Other options change it too.
    auto other = o;
    other.root_ids = {"other"};
    if (f != Format::cncf)
      CHECK(artifact::pack(a, mod.path, mod.info, other).manifest != pa.manifest);
  }
}

TEST_CASE("a module changed after validation is not packed", "[artifact]") {
  Module mod;
  ext::util::write_file_atomic(mod.path, mod.bytes + std::string("\0", 1));
  for (auto f : {Format::oci, Format::compat, Format::cncf}) {
    ext::store::MemoryStore s;
    try {
      (void)artifact::pack(s, mod.path, mod.info, options(f));
      FAIL("pack accepted a changed module");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::digest_mismatch);
    }
  }
}

TEST_CASE("detect and unpack what pack wrote, in each format", "[artifact]") {
  Module mod;
  struct Want {
    Format format;
    Layout layout;
    bool in_tar;
  };
  for (auto w : {Want{Format::oci, Layout::oci, false}, Want{Format::compat, Layout::compat, true},
                 Want{Format::cncf, Layout::cncf, false}}) {
    INFO(artifact::to_string(w.format));
    ext::store::MemoryStore s;
    auto p = artifact::pack(s, mod.path, mod.info, options(w.format));
    auto d = artifact::detect(manifest_of(s, p), s);
    REQUIRE(d);
    CHECK(d->layout == w.layout);
    CHECK(d->module_in_tar == w.in_tar);
    CHECK(d->module_blob == p.module_layer);
    CHECK(d->annotations.at("module.wasm.runtime/filter_type") == "http");
    if (w.format == Format::cncf) {
      CHECK_FALSE(d->runtime_config);
    } else {
      REQUIRE(d->runtime_config);
      CHECK(d->runtime_config->root_ids == std::vector<std::string>{"add_header"});
      CHECK(d->runtime_config->abi_versions == std::vector<std::string>{"v0.2.1"});
    }
    ext::util::TempDir out;
    auto sha = artifact::extract_module(s, *d, out.path() / "m.wasm");
    CHECK(sha == p.module_sha256);
    CHECK(ext::util::read_file(out.path() / "m.wasm") == mod.bytes);
  }
}

TEST_CASE("detect reads layouts made by other tools", "[artifact]") {
  Module mod;
  ext::store::MemoryStore s;
  ext::util::TempDir tmp;
  auto wasm_layer = [&](const char* type) {
    auto d = put(s, type, mod.bytes);
    d.annotations[k_title] = "filter.wasm";
    return d;
  };
  auto check_module = [&](const artifact::Detected& d) {
    auto out = tmp.path() / "out.wasm";
    CHECK(artifact::extract_module(s, d, out) == ext::digest::sha256(mod.bytes).hex());
    CHECK(ext::util::read_file(out) == mod.bytes);
  };

  SECTION("wasme: config blob + the same blob as layer 0, module as layer 1") {
    auto cfg = put(
        s, media::k_wasm_config,
        R"({"type":"envoy_proxy","abiVersions":["v0-4689a30309abf31aee9ae36e73d34b1bb182685f","v0.2.1"],"config":{"rootIds":["add_header_root_id"]}})");
    Manifest m;
    m.media_type = media::k_manifest;
    m.config = cfg;
    m.layers = {cfg, wasm_layer(media::k_wasm_layer)};
    m.annotations = {{"module.wasm.runtime/abi_version", "v0.2.1"}};
    auto d = artifact::detect(store_manifest(s, m), s);
    REQUIRE(d);
    CHECK(d->layout == Layout::oci);
    REQUIRE(d->runtime_config);
    CHECK(d->runtime_config->root_ids == std::vector<std::string>{"add_header_root_id"});
    check_module(*d);
  }
  SECTION("Istio's test layout: empty config, module first, runtime config second") {
    auto rc = put(s, media::k_wasm_config, R"({"type":"envoy_proxy","config":{"root_ids":["r"]}})");
    Manifest m;
    m.config = put(s, media::k_empty, "{}");
    m.layers = {wasm_layer(media::k_wasm_layer), rc};
    auto d = artifact::detect(m, s);
    REQUIRE(d);
    CHECK(d->layout == Layout::oci);
    CHECK(d->module_blob.media_type == media::k_wasm_layer);
    REQUIRE(d->runtime_config);
    CHECK(d->runtime_config->root_ids == std::vector<std::string>{"r"});
    check_module(*d);
  }
  SECTION("Docker v2 image whose LAST layer is a tar.gz holding ./x/plugin.wasm") {
    auto base_gz =
        ext::util::read_file(ext::test::artifact::craft_archive(tmp.path(), "big", true));
    auto last_gz = ext::util::read_file(
        ext::test::artifact::craft_archive(tmp.path(), "docker", true, mod.bytes));
    Manifest m;
    m.media_type = media::k_docker_manifest;
    m.config = put(s, media::k_docker_config, R"({"architecture":"amd64","os":"linux"})");
    m.layers = {put(s, media::k_docker_layer, base_gz), put(s, media::k_docker_layer, last_gz)};
    auto d = artifact::detect(m, s);
    REQUIRE(d);
    CHECK(d->layout == Layout::docker_v2);
    CHECK(d->module_in_tar);
    CHECK(d->module_blob == m.layers[1]);
    CHECK_FALSE(d->runtime_config);
    check_module(*d);
  }
  SECTION("OCI compat built by buildah / crane append: plugin.wasm + runtime-config.json") {
    auto gz =
        ext::archive::tar_bytes({{"runtime-config.json",
                                  {},
                                  std::string(R"({"type":"envoy_proxy","abiVersions":["v0.2.0"]})"),
                                  0644,
                                  false},
                                 {"plugin.wasm", {}, mod.bytes, 0644, false}},
                                true);
    Manifest m;
    m.config = put(s, media::k_image_config, R"({"architecture":"amd64","os":"linux"})");
    m.layers = {put(s, media::k_layer_tar_gzip, gz)};
    auto d = artifact::detect(m, s);
    REQUIRE(d);
    CHECK(d->layout == Layout::compat);
    REQUIRE(d->runtime_config);
    CHECK(d->runtime_config->abi_versions == std::vector<std::string>{"v0.2.0"});
    check_module(*d);
  }
  SECTION("GetEnvoy push: config {} as vnd.module.wasm.config, one module layer") {
    Manifest m;
    m.config = put(s, media::k_wasm_config, "{}");
    m.layers = {wasm_layer(media::k_wasm_layer)};
    auto d = artifact::detect(m, s);
    REQUIRE(d);
    CHECK(d->layout == Layout::single_layer);
    CHECK_FALSE(d->runtime_config);
    check_module(*d);
  }
  SECTION("wasm-to-oci: vnd.wasm.config.v1 + vnd.wasm.content.layer.v1+wasm") {
    Manifest m;
    m.config = put(s, "application/vnd.wasm.config.v1+json", "{}");
    m.layers = {wasm_layer("application/vnd.wasm.content.layer.v1+wasm")};
    auto d = artifact::detect(m, s);
    REQUIRE(d);
    CHECK(d->layout == Layout::single_layer);
    check_module(*d);
  }
  SECTION("CNCF artifact from wkg") {
    Manifest m;
    auto layer = put(s, "application/wasm", mod.bytes);
    m.config = put(s, media::k_cncf_wasm_config,
                   R"({"architecture":"wasm","os":"wasip1","layerDigests":[")" +
                       layer.digest.to_string() + R"("]})");
    m.layers = {layer};
    auto d = artifact::detect(m, s);
    REQUIRE(d);
    CHECK(d->layout == Layout::cncf);
    check_module(*d);
  }
}

TEST_CASE("detect refuses what is no wasm image, naming the media types", "[artifact]") {
  Module mod;
  ext::store::MemoryStore s;
  auto cfg = put(s, media::k_image_config, "{}");
  auto expect_unsupported = [&](const Manifest& m, const std::string& says) {
    auto d = artifact::detect(m, s);
    REQUIRE_FALSE(d);
    CHECK(d.error().code() == Errc::unsupported);
    INFO(d.error().message());
    CHECK(d.error().message().find(says) != std::string::npos);
  };
  Manifest none;
  none.config = cfg;
  expect_unsupported(none, "no layers");

  Manifest plain_tar;
  plain_tar.config = cfg;
  plain_tar.layers = {put(s, media::k_layer_tar, "x")};
  expect_unsupported(plain_tar, "application/vnd.oci.image.layer.v1.tar ");

  Manifest zstd;
  zstd.config = cfg;
  zstd.layers = {put(s, "application/vnd.oci.image.layer.v1.tar+zstd", "x")};
  expect_unsupported(zstd, "tar+zstd");

  Manifest three;
  three.config = cfg;
  auto w = put(s, media::k_wasm_layer, mod.bytes);
  three.layers = {w, w, w};
  expect_unsupported(three, "vnd.module.wasm.content.layer.v1+wasm");

  Manifest docker_plain;
  docker_plain.media_type = media::k_docker_manifest;
  docker_plain.config = cfg;
  docker_plain.layers = {w};
  expect_unsupported(docker_plain, "last layer");

  // A broken runtime config in the oci layout is a parse error, not a silent default.
  Manifest broken;
  auto bad = put(s, media::k_wasm_config, "not json");
  broken.config = bad;
  broken.layers = {bad, w};
  auto d = artifact::detect(broken, s);
  REQUIRE_FALSE(d);
  CHECK(d.error().code() == Errc::parse);
}

TEST_CASE("unpacking checks digests and finds plugin.wasm", "[artifact]") {
  Module mod;
  ext::util::TempDir tmp;
  for (auto f : {Format::oci, Format::compat}) {
    INFO(artifact::to_string(f));
    ext::store::MemoryStore s;
    auto p = artifact::pack(s, mod.path, mod.info, options(f));
    auto d = artifact::detect(manifest_of(s, p), s).value();
    // Same size, one byte flipped: the damage is named.
    auto bytes = s.blob(d.module_blob.digest).value();
    bytes[bytes.size() / 2] ^= 0x01;
    // (In the tar.gz, gunzip may notice first: then it is a parse error. Either way a clear
    // error and no output file.)
    s.put_blob_unchecked(d.module_blob.digest, bytes);
    auto out = tmp.path() / "out.wasm";
    try {
      (void)artifact::extract_module(s, d, out);
      FAIL("corruption not detected");
    } catch (const Error& e) {
      INFO(e.message());
      if (f == Format::oci) {
        CHECK(e.code() == Errc::digest_mismatch);
        CHECK(e.message().find(d.module_blob.digest.to_string()) != std::string::npos);
      } else {
        CHECK((e.code() == Errc::digest_mismatch || e.code() == Errc::parse));
      }
    }
    CHECK_FALSE(fs::exists(out));
  }

  // A compat layer without plugin.wasm.
  ext::store::MemoryStore s;
  Manifest m;
  m.config = put(s, media::k_image_config, "{}");
  m.layers = {put(s, media::k_layer_tar_gzip,
                  ext::archive::tar_bytes({{"filter.wasm", {}, mod.bytes, 0644, false}}, true))};
  auto d = artifact::detect(m, s).value();
  try {
    (void)artifact::extract_module(s, d, tmp.path() / "x.wasm");
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::validation);
    CHECK(e.message().find("without plugin.wasm") != std::string::npos);
  }
  CHECK_FALSE(fs::exists(tmp.path() / "x.wasm"));
}

TEST_CASE("detect reads ORAS's default layout (oras push file.wasm)", "[artifact][discovery]") {
  Module mod;
  ext::store::MemoryStore s;
  ext::util::TempDir tmp;
  // oras-go v2.6.0: empty config (artifactType set), each file a vnd.oci.image.layer.v1.tar
  // layer holding the file as is, titled with its name.
  Manifest m;
  m.artifact_type = "application/vnd.unknown.artifact.v1";
  m.config = put(s, media::k_empty, "{}");
  auto file_layer = [&](const std::string& bytes, const std::string& title) {
    auto d = put(s, media::k_layer_tar, bytes);
    if (!title.empty()) d.annotations[k_title] = title;
    return d;
  };
  auto check_module = [&](const artifact::Detected& d) {
    auto out = tmp.path() / "out.wasm";
    CHECK(artifact::extract_module(s, d, out) == ext::digest::sha256(mod.bytes).hex());
    CHECK(ext::util::read_file(out) == mod.bytes);
  };
  SECTION("one file titled *.wasm") {
    m.layers = {file_layer(mod.bytes, "my-filter.wasm")};
    auto d = artifact::detect(m, s);
    REQUIRE(d);
    CHECK(d->layout == Layout::oras);
    CHECK(std::string(artifact::to_string(d->layout)) == "oras");
    check_module(*d);
  }
  SECTION("the *.wasm file among others (README first, module second)") {
    m.layers = {file_layer("# readme\n", "README.md"), file_layer(mod.bytes, "f.wasm")};
    auto d = artifact::detect(m, s);
    REQUIRE(d);
    CHECK(d->layout == Layout::oras);
    CHECK(d->module_blob == m.layers[1]);
    check_module(*d);
  }
  SECTION("a tar-typed layer with another title whose bytes are a wasm module") {
    m.layers = {file_layer(mod.bytes, "plugin")};
    auto d = artifact::detect(m, s);
    REQUIRE(d);
    CHECK(d->layout == Layout::oras);
    check_module(*d);
  }
  SECTION("custom media type, title *.wasm (oras push f.wasm:application/x-foo)") {
    auto d0 = put(s, "application/x-foo", mod.bytes);
    d0.annotations[k_title] = "f.wasm";
    m.layers = {file_layer("notes", "NOTES.txt"), d0};
    auto d = artifact::detect(m, s);
    REQUIRE(d);
    CHECK(d->layout == Layout::oras);
    check_module(*d);
  }
  SECTION("two *.wasm files: not ours to choose") {
    m.layers = {file_layer(mod.bytes, "a.wasm"), file_layer(mod.bytes + "x", "b.wasm")};
    auto d = artifact::detect(m, s);
    REQUIRE_FALSE(d);
    CHECK(d.error().code() == Errc::unsupported);
  }
  SECTION("a real tar layer is still refused") {
    m.layers = {file_layer(std::string(1024, '\0'), "")};
    auto d = artifact::detect(m, s);
    REQUIRE_FALSE(d);
    CHECK(d.error().code() == Errc::unsupported);
  }
  SECTION("the wasme oci layout (module titled filter.wasm) stays oci") {
    auto cfg = put(s, media::k_wasm_config, R"({"type":"envoy_proxy"})");
    auto w = put(s, media::k_wasm_layer, mod.bytes);
    w.annotations[k_title] = "filter.wasm";
    Manifest o;
    o.config = cfg;
    o.layers = {cfg, w};
    auto d = artifact::detect(o, s);
    REQUIRE(d);
    CHECK(d->layout == Layout::oci);
  }
}
