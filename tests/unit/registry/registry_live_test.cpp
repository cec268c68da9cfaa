// Push and pull through store::copy_graph against Debian's docker-registry on loopback.
#include <catch2/catch.hpp>

#include "ext/auth/credentials.hpp"
#include "ext/core/error.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "unit/registry/live_fixture.hpp"

using namespace ext;
using ext::test::RegistryServer;

namespace {

ref::Reference make_ref(const RegistryServer& s, const std::string& repo, const std::string& tag) {
  return ref::Reference::parse(s.host() + "/" + repo + ":" + tag).value();
}

}  // namespace

TEST_CASE("push then pull round-trips an image through a plain-HTTP registry", "[registry]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  store::MemoryStore local;
  auto img = test::make_image(local, 3000, 1);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto repo = test::unique_repo("roundtrip");
  auto client = registry::connect(test::connect_options(server));
  registry::RegistryStore remote(client, repo);

  store::CopyOptions copts;
  copts.names = {make_ref(server, repo, "v1"), make_ref(server, repo, "latest")};
  auto pushed = store::copy_graph(local, remote, img.manifest, copts);
  CHECK(pushed.blobs_copied == 3);  // config, layer, manifest

  auto tags = client->tags(repo);
  std::sort(tags.begin(), tags.end());
  CHECK(tags == std::vector<std::string>{"latest", "v1"});

  auto resolved = remote.resolve(make_ref(server, repo, "v1"));
  REQUIRE(resolved);
  CHECK(resolved->digest == img.manifest.digest);
  CHECK(resolved->media_type == oci::media::k_manifest);
  CHECK(resolved->size == img.manifest.size);

  store::MemoryStore back;
  store::CopyOptions popts;
  popts.names = {make_ref(server, repo, "v1")};
  store::copy_graph(remote, back, *resolved, popts);
  CHECK(back.blob(img.layer.digest) == img.layer_bytes);
  CHECK(back.blob(img.manifest.digest) == img.manifest_bytes);

  SECTION("pushing again sends no blob bytes") {
    auto again = store::copy_graph(local, remote, img.manifest, copts);
    CHECK(again.blobs_skipped == 2);
    CHECK(again.blobs_copied == 1);  // the manifest PUT per push
  }
  SECTION("unknown tags resolve to nothing") {
    CHECK_FALSE(remote.resolve(make_ref(server, repo, "nope")));
  }
}

TEST_CASE("large blobs go up in chunks and stream down", "[registry]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  store::MemoryStore local;
  auto img = test::make_image(local, (3u << 20) + 12345, 2);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto opts = test::connect_options(server);
  opts.client.monolithic_max = 1u << 20;
  opts.client.chunk_size = 1u << 20;
  CollectingReporter rep(2);
  opts.reporter = &rep;
  auto client = registry::connect(opts);
  auto repo = test::unique_repo("chunked");
  registry::RegistryStore remote(client, repo);
  store::CopyOptions copts;
  copts.names = {make_ref(server, repo, "big")};
  store::copy_graph(local, remote, img.manifest, copts);
  auto log = rep.all_text();
  CHECK(log.find("> PATCH") != std::string::npos);

  util::TempDir dir;
  store::OciLayoutStore disk(dir.path() / "store");
  auto resolved = remote.resolve(make_ref(server, repo, "big"));
  REQUIRE(resolved);
  store::copy_graph(remote, disk, *resolved, copts);
  CHECK(digest::sha256_file(disk.blob_path(img.layer.digest)) == img.layer.digest);
}

TEST_CASE("cross-repository mount skips the upload on the same registry", "[registry]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  store::MemoryStore local;
  auto img = test::make_image(local, 5000, 3);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  CollectingReporter rep(2);
  auto opts = test::connect_options(server);
  opts.reporter = &rep;
  auto client = registry::connect(opts);
  auto a = test::unique_repo("mount-src");
  auto b = test::unique_repo("mount-dst");
  registry::RegistryStore src(client, a);
  store::CopyOptions copts;
  copts.names = {make_ref(server, a, "v1")};
  store::copy_graph(local, src, img.manifest, copts);

  registry::RegistryStore dst(client, b);
  dst.set_mount_sources({a});
  copts.names = {make_ref(server, b, "v1")};
  store::copy_graph(local, dst, img.manifest, copts);
  CHECK(dst.blobs_mounted() == 2);
  CHECK(rep.all_text().find("mount=") != std::string::npos);
  CHECK(client->has_blob(b, img.layer.digest));
}

TEST_CASE("tags and catalog follow Link pagination to the end", "[registry]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  store::MemoryStore local;
  auto img = test::make_image(local, 100, 4);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto client = registry::connect(test::connect_options(server));
  auto repo = test::unique_repo("paged");
  registry::RegistryStore remote(client, repo);
  store::CopyOptions copts;
  for (int i = 0; i < 7; ++i)
    copts.names.push_back(make_ref(server, repo, "t" + std::to_string(i)));
  store::copy_graph(local, remote, img.manifest, copts);
  auto tags = client->tags(repo, 2);
  CHECK(tags.size() == 7);
  auto repos = client->catalog(1);
  CHECK(std::find(repos.begin(), repos.end(), repo) != repos.end());
}

TEST_CASE("registry errors are clear and carry the OCI code", "[registry]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  auto client = registry::connect(test::connect_options(server));
  try {
    client->get_manifest("does-not-exist", "v1");
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::not_found);
    CHECK(e.http_status() == 404);
    CHECK(std::string(e.what()).find("MANIFEST_UNKNOWN") != std::string::npos);
  }
  store::MemoryStore sink;
  oci::Descriptor missing = oci::Descriptor::for_bytes("application/octet-stream", "nope");
  CHECK_THROWS_AS(client->open_blob("does-not-exist", missing), Error);
}

TEST_CASE("TLS with a private CA and Basic auth", "[registry][auth]") {
  auto& server = test::shared_registry(RegistryServer::Mode::tls_basic);
  store::MemoryStore local;
  auto img = test::make_image(local, 2000, 5);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto repo = test::unique_repo("tls");

  SECTION("without the CA the TLS check fails with a hint") {
    auto o = test::connect_options(server);
    o.transport.ca_file.clear();
    try {
      registry::connect(o)->ping();
      FAIL("expected a TLS error");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::tls);  // not network: never retried
      CHECK_THAT(e.message(), !Catch::Contains("attempts"));
      CHECK(e.hint().find("--ca-file") != std::string::npos);
    }
  }
  SECTION("--insecure skips verification (then Basic auth is still required)") {
    auto o = test::connect_options(server);
    o.transport.ca_file.clear();
    o.transport.insecure = true;
    try {
      registry::connect(o)->ping();
      FAIL("expected an auth error");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::auth);
      CHECK(e.hint().find("ext login") != std::string::npos);
    }
  }
  SECTION("wrong password is an auth error without the password in it") {
    auto o = test::connect_options(server);
    o.credential = auth::Credential{RegistryServer::k_user, "not-the-password-xyz", "", ""};
    try {
      registry::connect(o)->ping();
      FAIL("expected an auth error");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::auth);
      CHECK(std::string(e.what()).find("not-the-password-xyz") == std::string::npos);
    }
  }
  SECTION("right credentials push and pull; nothing secret in the -vv log") {
    CollectingReporter rep(2);
    auto o = test::connect_options(server);
    o.reporter = &rep;
    o.credential = auth::Credential{RegistryServer::k_user, RegistryServer::k_password, "", ""};
    auto client = registry::connect(o);
    client->ping();
    registry::RegistryStore remote(client, repo);
    store::CopyOptions copts;
    copts.names = {make_ref(server, repo, "v1")};
    store::copy_graph(local, remote, img.manifest, copts);
    store::MemoryStore back;
    store::copy_graph(remote, back, img.manifest, copts);
    CHECK(back.blob(img.layer.digest) == img.layer_bytes);
    auto log = rep.all_text();
    CHECK(log.find("> PUT") != std::string::npos);
    CHECK(log.find(RegistryServer::k_password) == std::string::npos);
    CHECK(log.find(auth::encode_basic(RegistryServer::k_user, RegistryServer::k_password)) ==
          std::string::npos);
  }
}

TEST_CASE("token auth: scoped JWTs from the token server", "[registry][auth]") {
  auto& server = test::shared_registry(RegistryServer::Mode::token);
  store::MemoryStore local;
  auto img = test::make_image(local, 2000, 6);
  local.put_manifest(img.manifest, img.manifest_bytes, {});

  SECTION("anonymous push is refused with a login hint") {
    auto client = registry::connect(test::connect_options(server));
    registry::RegistryStore remote(client, test::unique_repo("anon"));
    store::CopyOptions copts;
    copts.names = {make_ref(server, remote.repository(), "v1")};
    try {
      store::copy_graph(local, remote, img.manifest, copts);
      FAIL("expected an auth error");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::auth);
      CHECK(e.hint().find("ext login") != std::string::npos);
    }
  }
  SECTION("password: token GET with Basic; push, then anonymous pull of public/ repos") {
    CollectingReporter rep(2);
    auto o = test::connect_options(server);
    o.reporter = &rep;
    o.credential = auth::Credential{RegistryServer::k_user, RegistryServer::k_password, "", ""};
    auto client = registry::connect(o);
    auto repo = "public/" + test::unique_repo("tok");
    registry::RegistryStore remote(client, repo);
    store::CopyOptions copts;
    copts.names = {make_ref(server, repo, "v1")};
    store::copy_graph(local, remote, img.manifest, copts);
    CHECK(rep.all_text().find(RegistryServer::k_password) == std::string::npos);
    CHECK(rep.all_text().find("eyJ") == std::string::npos);  // no JWT in the log

    auto anon = registry::connect(test::connect_options(server));
    registry::RegistryStore pub(anon, repo);
    store::MemoryStore back;
    auto d = pub.resolve(make_ref(server, repo, "v1"));
    REQUIRE(d);
    store::copy_graph(pub, back, *d, copts);
    CHECK(back.blob(img.layer.digest) == img.layer_bytes);
  }
  SECTION("identity token: OAuth2 refresh-token POST") {
    auto o = test::connect_options(server);
    o.credential = auth::Credential{"", "", "rt-preissued", ""};
    auto client = registry::connect(o);
    auto repo = test::unique_repo("oauth");
    registry::RegistryStore remote(client, repo);
    store::CopyOptions copts;
    copts.names = {make_ref(server, repo, "v1")};
    store::copy_graph(local, remote, img.manifest, copts);
    CHECK(client->tags(repo) == std::vector<std::string>{"v1"});
  }
  SECTION("wrong password: the token server's 401 becomes a clear error") {
    auto o = test::connect_options(server);
    o.credential = auth::Credential{RegistryServer::k_user, "bad-pw-123", "", ""};
    try {
      registry::connect(o)->ping();
      FAIL("expected an auth error");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::auth);
      CHECK(std::string(e.what()).find("bad-pw-123") == std::string::npos);
    }
  }
}
