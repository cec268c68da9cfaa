// Blob upload strategies against Debian's docker-registry (directly, or behind
// tests/support/registry/fault_proxy.py): the single-POST shortcut and its fallback, large blobs
// streamed into one PUT, and parallel blob transfers (--concurrency).
#include <catch2/catch.hpp>

#include <algorithm>

#include "ext/core/error.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "unit/registry/live_fixture.hpp"

// Everything of this file in its own namespace: its helpers and using-directives stay out of
// the other test files of its unity batch (tests/CMakeLists.txt).
namespace registry_upload_unit_test {

using namespace ext;
using ext::test::FaultProxy;
using ext::test::RegistryServer;

namespace {

ref::Reference make_ref(const std::string& host, const std::string& repo, const std::string& tag) {
  return ref::Reference::parse(host + "/" + repo + ":" + tag).value();
}

FaultProxy& proxy() {
  static FaultProxy p(test::shared_registry(RegistryServer::Mode::plain).host(), 3.0);
  return p;
}

registry::ConnectOptions proxy_options(CollectingReporter* rep = nullptr) {
  registry::ConnectOptions o;
  o.registry = proxy().host();
  o.plain_http = true;
  o.retry.base_delay = std::chrono::milliseconds(5);
  o.transport.stall_timeout = std::chrono::seconds(2);
  o.reporter = rep;
  return o;
}

size_t count_matching(const std::vector<std::string>& lines, const std::string& prefix,
                      const std::string& part) {
  return static_cast<size_t>(std::count_if(lines.begin(), lines.end(), [&](const std::string& l) {
    return l.starts_with(prefix) && l.find(part) != std::string::npos;
  }));
}

// An image with `layers` random layers of `size` bytes each (plus the config).
struct MultiImage {
  oci::Descriptor manifest;
  std::string manifest_bytes;
  std::vector<oci::Descriptor> layers;
  std::vector<std::string> layer_bytes;
};

MultiImage make_multi_image(store::Store& s, int layers, size_t size, uint64_t seed) {
  MultiImage img;
  std::string config = R"({"seed":)" + std::to_string(seed) + "}";
  oci::Manifest m;
  m.config = oci::Descriptor::for_bytes(oci::media::k_wasm_config, config);
  store::write_all(s, m.config, config);
  for (int i = 0; i < layers; ++i) {
    img.layer_bytes.push_back(test::random_bytes(size + static_cast<size_t>(i), seed * 100 + i));
    img.layers.push_back(
        oci::Descriptor::for_bytes(oci::media::k_wasm_layer, img.layer_bytes.back()));
    store::write_all(s, img.layers.back(), img.layer_bytes.back());
  }
  m.layers = img.layers;
  img.manifest_bytes = m.serialize();
  img.manifest = oci::Descriptor::for_bytes(oci::media::k_manifest, img.manifest_bytes);
  s.put_manifest(img.manifest, img.manifest_bytes, {});
  return img;
}

}  // namespace

TEST_CASE("single-POST upload falls back to POST then PUT when the registry answers 202",
          "[registry]") {
  // docker-registry does not implement the single POST (distribution-spec "Single POST"): it opens
  // a session (202) and ignores the body. The client must notice, PUT the bytes there, and not try
  // again.
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  store::MemoryStore local;
  auto img = test::make_image(local, 5000, 31);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto opts = test::connect_options(server);
  opts.client.single_post = true;
  CollectingReporter rep(2);
  opts.reporter = &rep;
  auto client = registry::connect(opts);
  auto repo = test::unique_repo("single-post-fallback");
  registry::RegistryStore remote(client, repo);
  store::CopyOptions copts;
  copts.names = {make_ref(server.host(), repo, "v1")};
  auto pushed = store::copy_graph(local, remote, img.manifest, copts);
  CHECK(pushed.blobs_copied == 3);

  auto log = rep.all_text();
  CHECK(log.find("single-POST upload not supported") != std::string::npos);
  CHECK_FALSE(client->single_post_works);
  // One single-POST attempt (the first blob); the second blob goes straight to POST then PUT.
  size_t single_posts = 0, pos = 0;
  while ((pos = log.find("> POST ", pos)) != std::string::npos) {
    auto eol = log.find('\n', pos);
    if (log.substr(pos, eol - pos).find("?digest=") != std::string::npos) ++single_posts;
    pos = eol;
  }
  CHECK(single_posts == 1);

  store::MemoryStore back;
  store::copy_graph(remote, back, img.manifest, copts);
  CHECK(back.blob(img.layer.digest) == img.layer_bytes);
  CHECK(back.blob(img.config.digest) == local.blob(img.config.digest));
}

TEST_CASE("single-POST upload: a 201 answer completes each blob in one request",
          "[registry][faults]") {
  // The fault proxy plays a registry that implements the single POST (it turns the POST into
  // POST+PUT upstream and answers with the upstream 201).
  store::MemoryStore local;
  auto img = test::make_image(local, 7000, 32);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto opts = proxy_options();
  opts.client.single_post = true;
  auto client = registry::connect(opts);
  auto repo = test::unique_repo("single-post");
  registry::RegistryStore remote(client, repo);
  proxy().arm("^POST /v2/.*/blobs/uploads/\\?digest=", {"singlepost", "singlepost"});
  store::CopyOptions copts;
  copts.names = {make_ref(proxy().host(), repo, "v1")};
  auto pushed = store::copy_graph(local, remote, img.manifest, copts);
  CHECK(pushed.blobs_copied == 3);
  CHECK(proxy().pending().empty());
  auto seen = proxy().requests();
  CHECK(count_matching(seen, "POST ", "/blobs/uploads/?digest=sha256:") == 2);
  CHECK(count_matching(seen, "PUT ", "/blobs/uploads/") == 0);  // no session was closed by us
  CHECK(client->single_post_works);
  proxy().clear();

  store::MemoryStore back;
  store::copy_graph(remote, back, img.manifest, copts);
  CHECK(back.blob(img.layer.digest) == img.layer_bytes);
}

TEST_CASE("blobs over monolithic_max are streamed into one PUT", "[registry]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  store::MemoryStore local;
  auto img = test::make_image(local, (3u << 20) + 4321, 33);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto opts = test::connect_options(server);
  opts.client.monolithic_max = 1u << 20;  // chunk_size stays 0: stream, do not chunk
  CollectingReporter rep(2);
  opts.reporter = &rep;
  auto client = registry::connect(opts);
  auto repo = test::unique_repo("streamed");
  registry::RegistryStore remote(client, repo);
  store::CopyOptions copts;
  copts.names = {make_ref(server.host(), repo, "v1")};
  store::copy_graph(local, remote, img.manifest, copts);
  auto log = rep.all_text();
  CHECK(log.find("(streamed body, " + std::to_string(img.layer.size) + " bytes)") !=
        std::string::npos);
  CHECK(log.find("> PATCH") == std::string::npos);

  util::TempDir dir;
  store::OciLayoutStore disk(dir.path() / "store");
  store::copy_graph(remote, disk, img.manifest, copts);
  CHECK(digest::sha256_file(disk.blob_path(img.layer.digest)) == img.layer.digest);
}

TEST_CASE("a failed streamed upload is a clear error and a later push completes",
          "[registry][faults]") {
  store::MemoryStore local;
  auto img = test::make_image(local, (2u << 20) + 99, 34);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto opts = proxy_options();
  opts.client.monolithic_max = 1u << 20;
  auto client = registry::connect(opts);
  auto repo = test::unique_repo("streamed-fault");
  registry::RegistryStore remote(client, repo);
  store::CopyOptions copts;
  copts.names = {make_ref(proxy().host(), repo, "v1")};
  // The layer's PUT (the config is small: buffered, and retried by the transport).
  const std::string layer_put =
      "^PUT /v2/.*/blobs/uploads/.*digest=sha256(%3A|:)" + img.layer.digest.hex();

  SECTION("the connection is reset") {
    proxy().arm(layer_put, {"reset"});
    try {
      store::copy_graph(local, remote, img.manifest, copts);
      FAIL("the push should have failed");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::network);
      CHECK_THAT(e.message(), Catch::Contains(img.layer.digest.to_string()));
    }
  }
  SECTION("the registry answers 500") {
    proxy().arm(layer_put, {"500"});
    try {
      store::copy_graph(local, remote, img.manifest, copts);
      FAIL("the push should have failed");
    } catch (const Error& e) {
      CHECK(e.http_status() == 500);
      CHECK_THAT(e.message(), Catch::Contains("injected failure"));
    }
  }
  CHECK(proxy().pending().empty());
  // The failed session was cancelled (DELETE), and the blob is not in the repository.
  CHECK(count_matching(proxy().requests(), "DELETE ", "/blobs/uploads/") == 1);
  proxy().clear();
  CHECK_FALSE(client->has_blob(repo, img.layer.digest));
  // Starting over uploads it (what ext push does once by itself).
  store::copy_graph(local, remote, img.manifest, copts);
  store::MemoryStore back;
  store::copy_graph(remote, back, img.manifest, copts);
  CHECK(back.blob(img.layer.digest) == img.layer_bytes);
}

TEST_CASE("push --concurrency: blobs go up in parallel, through faults, and all arrive",
          "[registry][faults]") {
  store::MemoryStore local;
  auto img = make_multi_image(local, 5, 150000, 35);
  auto client = registry::connect(proxy_options());
  const std::string put_blob = "^PUT /v2/.*/blobs/uploads/";

  SECTION("one at a time by default") {
    auto repo = test::unique_repo("sequential");
    registry::RegistryStore remote(client, repo);
    proxy().arm(put_blob, {"slow", "slow", "slow"});
    store::CopyOptions copts;
    copts.names = {make_ref(proxy().host(), repo, "v1")};
    store::copy_graph(local, remote, img.manifest, copts);
    CHECK(proxy().max_in_flight() == 1);
  }
  SECTION("four at once, with a reset and a 503 among them") {
    auto repo = test::unique_repo("parallel");
    registry::RegistryStore remote(client, repo);
    proxy().arm(put_blob, {"slow", "slow", "reset", "slow", "503", "slow"});
    store::CopyOptions copts;
    copts.names = {make_ref(proxy().host(), repo, "v1")};
    copts.concurrency = 4;
    auto pushed = store::copy_graph(local, remote, img.manifest, copts);
    CHECK(pushed.blobs_copied == 7);  // config, 5 layers, manifest
    CHECK(proxy().max_in_flight() >= 2);
    CHECK(proxy().pending().empty());
    proxy().clear();

    // Every blob arrived, byte for byte (pulled back in parallel too).
    for (const auto& l : img.layers) CHECK(client->has_blob(repo, l.digest));
    store::MemoryStore back;
    auto pulled = store::copy_graph(remote, back, img.manifest, copts);
    CHECK(pulled.blobs_copied == 7);
    for (size_t i = 0; i < img.layers.size(); ++i)
      CHECK(back.blob(img.layers[i].digest) == img.layer_bytes[i]);
  }
  proxy().clear();
}

}  // namespace registry_upload_unit_test
