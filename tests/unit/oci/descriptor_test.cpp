// OCI model: parse/serialize round trips, Docker schema2 shapes, tolerance of unknown fields
// and media types (image-spec descriptor.md, manifest.md, image-index.md, image-layout.md), and
// bounded input.
#include <catch2/catch.hpp>

#include "ext/oci/descriptor.hpp"
#include "ext/oci/layout.hpp"
#include "ext/oci/media_types.hpp"

using namespace ext;

namespace {
const std::string k_empty_digest =
    "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a";
const std::string k_e258 =
    "sha256:e258d248fda94c63753607f7c4494ee0fcbe92f1a76bfdac795c9d84101eb317";
}  // namespace

TEST_CASE("oci: the spec's artifact manifest parses and round-trips", "[oci]") {
  std::string text = R"({
    "schemaVersion": 2,
    "mediaType": "application/vnd.oci.image.manifest.v1+json",
    "artifactType": "application/vnd.example+type",
    "config": {"mediaType":"application/vnd.oci.empty.v1+json",
               "digest":")" +
                     k_empty_digest + R"(","size":2, "data":"e30="},
    "layers": [{"mediaType":"application/vnd.example+type",
                "digest":")" +
                     k_e258 + R"(","size":1234,
                "annotations":{"org.opencontainers.image.title":"plugin.wasm"}}],
    "annotations": {"module.wasm.runtime/abi_version": "v0.2.1"},
    "futureField": {"ignored": true}
  })";
  auto m = oci::Manifest::parse(text);
  REQUIRE(m.has_value());
  CHECK(m->artifact_type == "application/vnd.example+type");
  CHECK(m->config.media_type == oci::media::k_empty);
  CHECK(m->config.size == 2);
  CHECK(m->config.data == std::optional<std::string>("e30="));
  REQUIRE(m->layers.size() == 1);
  CHECK(m->layers[0].size == 1234);
  CHECK(m->layers[0].annotations.at("org.opencontainers.image.title") == "plugin.wasm");
  CHECK(m->annotations.at("module.wasm.runtime/abi_version") == "v0.2.1");

  std::string bytes = m->serialize();
  auto again = oci::Manifest::parse(bytes);
  REQUIRE(again.has_value());
  CHECK(*again == *m);
  CHECK(again->serialize() == bytes);  // deterministic
  CHECK(bytes.find("futureField") == std::string::npos);
  CHECK(bytes.find(' ') == std::string::npos);  // compact
  // Keys sorted: "annotations" < "artifactType" < "config" < "layers" < "mediaType" < ...
  CHECK(bytes.find("\"annotations\"") < bytes.find("\"config\""));
  CHECK(bytes.find("\"layers\"") < bytes.find("\"schemaVersion\""));
  CHECK(*oci::detect_media_type(bytes) == oci::media::k_manifest);
}

TEST_CASE("oci: Docker schema2 manifest and manifest list", "[oci]") {
  std::string docker = R"({"schemaVersion":2,
    "mediaType":"application/vnd.docker.distribution.manifest.v2+json",
    "config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":7023,
              "digest":")" +
                       k_e258 + R"("},
    "layers":[{"mediaType":"application/vnd.docker.image.rootfs.diff.tar.gzip","size":32654,
               "digest":")" +
                       k_empty_digest + R"("}]})";
  auto m = oci::Manifest::parse(docker);
  REQUIRE(m.has_value());
  CHECK(m->media_type == oci::media::k_docker_manifest);
  CHECK(oci::is_manifest_type(m->media_type));
  CHECK(oci::Manifest::parse(m->serialize()).value() == *m);

  std::string list = R"({"schemaVersion":2,
    "mediaType":"application/vnd.docker.distribution.manifest.list.v2+json",
    "manifests":[{"mediaType":"application/vnd.docker.distribution.manifest.v2+json",
      "size":7143,"digest":")" +
                     k_e258 + R"(",
      "platform":{"architecture":"ppc64le","os":"linux","os.features":["sse4"],"variant":"v8"}},
      {"mediaType":"application/vnd.example.unknown","size":1,"digest":")" +
                     k_empty_digest + R"("}]})";
  auto idx = oci::Index::parse(list);
  REQUIRE(idx.has_value());
  CHECK(oci::is_index_type(idx->media_type));
  REQUIRE(idx->manifests.size() == 2);
  REQUIRE(idx->manifests[0].platform.has_value());
  CHECK(idx->manifests[0].platform->architecture == "ppc64le");
  CHECK(idx->manifests[0].platform->os_features == std::vector<std::string>{"sse4"});
  CHECK(idx->manifests[1].media_type == "application/vnd.example.unknown");  // tolerated
  CHECK(oci::Index::parse(idx->serialize()).value() == *idx);
  CHECK(*oci::detect_media_type(list) == oci::media::k_docker_manifest_list);
}

TEST_CASE("oci: index without mediaType, empty manifests, detect by shape", "[oci]") {
  auto idx = oci::Index::parse(R"({"schemaVersion":2,"manifests":[]})");
  REQUIRE(idx.has_value());
  CHECK(idx->media_type == oci::media::k_index);
  CHECK(idx->manifests.empty());
  CHECK(*oci::detect_media_type(R"({"schemaVersion":2,"manifests":[]})") == oci::media::k_index);
  CHECK(*oci::detect_media_type(R"({"schemaVersion":2,"config":{},"layers":[]})") ==
        oci::media::k_manifest);
  CHECK_FALSE(oci::detect_media_type("{}").has_value());
  CHECK_FALSE(oci::detect_media_type("[1]").has_value());
}

TEST_CASE("oci: malformed manifests and descriptors are parse errors", "[oci]") {
  const std::string cfg = R"("config":{"mediaType":"a/b","digest":")" + k_e258 + R"(","size":1})";
  struct Case {
    std::string text, why;
  };
  const std::vector<Case> cases = {
      {"not json", "not valid JSON"},
      {"[]", "not a JSON object"},
      {R"({"mediaType":"application/vnd.oci.image.manifest.v1+json",)" + cfg + R"(,"layers":[]})",
       "schemaVersion"},
      {R"({"schemaVersion":1,)" + cfg + R"(,"layers":[]})", "schemaVersion 1"},
      {R"({"schemaVersion":2,"layers":[]})", "missing \"config\""},
      {R"({"schemaVersion":2,)" + cfg + "}", "missing \"layers\""},
      {R"({"schemaVersion":2,)" + cfg + R"(,"layers":{}})", "not an array"},
      {R"({"schemaVersion":2,"config":{"mediaType":"a/b","digest":"sha256:abc","size":1},"layers":[]})",
       "invalid digest"},
      {R"({"schemaVersion":2,"config":{"mediaType":"a/b","digest":")" + k_e258 +
           R"(","size":-1},"layers":[]})",
       "negative"},
      {R"({"schemaVersion":2,"config":{"mediaType":"a/b","digest":")" + k_e258 +
           R"(","size":"1"},"layers":[]})",
       "not an integer"},
      {R"({"schemaVersion":2,"config":{"digest":")" + k_e258 + R"(","size":1},"layers":[]})",
       "mediaType"},
      {R"({"schemaVersion":2,)" + cfg + R"(,"layers":[],"annotations":{"k":1}})", "annotation"},
      {R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json",)" + cfg +
           R"(,"layers":[]})",
       "not an image manifest"},
      {R"({"schemaVersion":2,"manifests":[]})", "image index"},
      {R"({"schemaVersion":2,"config":{"mediaType":"a/b","digest":")" + k_e258 +
           R"(","size":1,"data":"%%%"},"layers":[]})",
       "base64"},
  };
  for (const auto& c : cases) {
    INFO(c.text);
    auto m = oci::Manifest::parse(c.text);
    REQUIRE_FALSE(m.has_value());
    CHECK_THAT(m.error().message(), Catch::Contains(c.why));
  }
  auto big = std::string(oci::k_max_manifest_bytes + 1, ' ');
  auto m = oci::Manifest::parse(big);
  REQUIRE_FALSE(m.has_value());
  CHECK_THAT(m.error().message(), Catch::Contains("larger than"));
  auto pl = oci::Index::parse(R"({"schemaVersion":2,"manifests":[{"mediaType":"a/b","digest":")" +
                              k_e258 + R"(","size":1,"platform":{"os":"linux"}}]})");
  REQUIRE_FALSE(pl.has_value());
  CHECK_THAT(pl.error().message(), Catch::Contains("architecture"));
}

TEST_CASE("oci: descriptor for bytes and JSON form", "[oci]") {
  auto d = oci::Descriptor::for_bytes(oci::media::k_empty, "{}");
  CHECK(d.digest.to_string() == k_empty_digest);
  CHECK(d.size == 2);
  auto j = oci::to_json(d);
  CHECK(j.dump() == R"({"digest":")" + k_empty_digest +
                        R"(","mediaType":"application/vnd.oci.empty.v1+json","size":2})");
  CHECK(oci::parse_descriptor(j).value() == d);
}

TEST_CASE("oci: layout header", "[oci]") {
  CHECK(oci::LayoutHeader{}.serialize() == R"({"imageLayoutVersion":"1.0.0"})");
  CHECK(oci::LayoutHeader::parse(R"({"imageLayoutVersion":"1.0.0","x":1})").has_value());
  CHECK_FALSE(oci::LayoutHeader::parse("{}").has_value());
  CHECK_FALSE(oci::LayoutHeader::parse(R"({"imageLayoutVersion":"2.0.0"})").has_value());
}
