// Faults injected by tests/support/registry/fault_proxy.py between the client and a real
// docker-registry: pushes and pulls complete, or fail with a clear error and a clean store.
// Backoff waits and blob-transfer pauses are taken on a FakeClock (asserted, not timed); only the
// retry-budget case keeps the real clock, since what it bounds is the real time of stalls.
#include <catch2/catch.hpp>

#include <algorithm>

#include "ext/core/error.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "support/fake_clock.hpp"
#include "unit/registry/live_fixture.hpp"

using namespace ext;
using ext::test::FaultProxy;
using ext::test::RegistryServer;
using namespace std::chrono_literals;

namespace {

struct ProxyRig {
  RegistryServer& server = test::shared_registry(RegistryServer::Mode::plain);
  test::FakeClock clock;  // backoff and blob-transfer pauses
  FaultProxy& proxy() {
    static FaultProxy p(test::shared_registry(RegistryServer::Mode::plain).host(), 3.0);
    return p;
  }
  std::shared_ptr<registry::Client> client(CollectingReporter* rep = nullptr) {
    registry::ConnectOptions o;
    o.registry = proxy().host();
    o.plain_http = true;
    o.retry.base_delay = std::chrono::milliseconds(5);
    o.retry.max_retry_after = std::chrono::seconds(2);
    o.transport.stall_timeout = std::chrono::seconds(1);
    o.retry.clock = &clock;
    o.reporter = rep;
    return registry::connect(o);
  }
  ref::Reference ref(const std::string& repo, const std::string& tag) {
    return ref::Reference::parse(proxy().host() + "/" + repo + ":" + tag).value();
  }
};

// Files under blobs/ (committed blobs and any temp file left behind).
size_t files_under(const std::filesystem::path& root) {
  size_t n = 0;
  std::error_code ec;
  if (!std::filesystem::exists(root / "blobs", ec)) return 0;
  for (auto& e : std::filesystem::recursive_directory_iterator(root / "blobs"))
    if (e.is_regular_file()) ++n;
  return n;
}

}  // namespace

TEST_CASE("push survives resets, 500, 503 and 429 with Retry-After", "[registry][faults]") {
  ProxyRig rig;
  store::MemoryStore local;
  auto img = test::make_image(local, 4000, 11);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto repo = test::unique_repo("fault-push");
  CollectingReporter rep(2);
  auto client = rig.client(&rep);
  registry::RegistryStore remote(client, repo);
  rig.proxy().arm("^(PUT|POST|HEAD) ", {"reset", "500", "429", "503"});
  store::CopyOptions copts;
  copts.names = {rig.ref(repo, "v1")};
  store::copy_graph(local, remote, img.manifest, copts);
  CHECK(rig.proxy().pending().empty());
  CHECK(rep.all_text().find("retrying") != std::string::npos);
  rig.proxy().clear();
  CHECK(client->tags(repo) == std::vector<std::string>{"v1"});
}

TEST_CASE("an interrupted blob upload restarts cleanly", "[registry][faults]") {
  ProxyRig rig;
  store::MemoryStore local;
  auto img = test::make_image(local, 200000, 12);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto repo = test::unique_repo("fault-upload");
  auto client = rig.client();
  registry::RegistryStore remote(client, repo);
  // Every retry of the PUT fails too: the writer must open a new session.
  rig.proxy().arm("^PUT .*/blobs/uploads/", {"reset", "reset", "reset", "reset", "reset"});
  store::CopyOptions copts;
  copts.names = {rig.ref(repo, "v1")};
  store::copy_graph(local, remote, img.manifest, copts);
  rig.proxy().clear();
  store::MemoryStore back;
  store::copy_graph(remote, back, img.manifest, copts);
  CHECK(back.blob(img.layer.digest) == img.layer_bytes);
  // The transport's backoffs (5 ms base: under 100 ms) and the writer's one pause before the
  // new session (100 ms), all on the fake clock.
  auto sleeps = rig.clock.sleeps();
  CHECK(std::count(sleeps.begin(), sleeps.end(), 100ms) == 1);
}

TEST_CASE("chunked upload resumes from the upload status after failures", "[registry][faults]") {
  ProxyRig rig;
  store::MemoryStore local;
  auto img = test::make_image(local, (2u << 20) + 777, 13);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  registry::ConnectOptions o;
  o.registry = rig.proxy().host();
  o.plain_http = true;
  o.retry.max_attempts = 1;  // no transport retry: the chunk logic must recover itself
  o.retry.clock = &rig.clock;
  o.client.monolithic_max = 1u << 20;
  o.client.chunk_size = 1u << 20;
  auto client = registry::connect(o);
  auto repo = test::unique_repo("fault-chunk");
  registry::RegistryStore remote(client, repo);
  rig.proxy().arm("^PATCH ", {"reset", "500"});
  store::CopyOptions copts;
  copts.names = {rig.ref(repo, "v1")};
  store::copy_graph(local, remote, img.manifest, copts);
  CHECK(rig.proxy().pending().empty());
  rig.proxy().clear();
  store::MemoryStore back;
  store::copy_graph(remote, back, img.manifest, copts);
  CHECK(back.blob(img.layer.digest) == img.layer_bytes);
  // After the reset and after the 500: the status check, then 100 ms x attempt.
  CHECK(rig.clock.sleeps() == std::vector<std::chrono::milliseconds>{100ms, 200ms});
}

TEST_CASE("pull survives truncated bodies, lying Content-Length, resets and stalls",
          "[registry][faults]") {
  ProxyRig rig;
  store::MemoryStore local;
  auto img = test::make_image(local, 300000, 14);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto repo = test::unique_repo("fault-pull");
  auto client = rig.client();
  registry::RegistryStore remote(client, repo);
  store::CopyOptions copts;
  copts.names = {rig.ref(repo, "v1")};
  store::copy_graph(local, remote, img.manifest, copts);

  // The proxy holds one plan at a time (arm replaces it): first faults on the layer only, whose
  // cut bodies the reader resumes with Range, then faults on every request.
  auto pull = [&] {
    util::TempDir dir;
    store::OciLayoutStore disk(dir.path() / "store");
    auto d = remote.resolve(rig.ref(repo, "v1"));
    REQUIRE(d);
    store::copy_graph(remote, disk, *d, copts);
    CHECK(rig.proxy().pending().empty());
    CHECK(digest::sha256_file(disk.blob_path(img.layer.digest)) == img.layer.digest);
  };
  // A lying Content-Length comes last in each plan: the body is whole, so the reader (which takes
  // the descriptor's size and lets the digest decide) may need no further request after it.
  rig.proxy().arm("^GET .*/blobs/sha256:" + img.layer.digest.hex(),
                  {"truncate", "reset", "stall", "lie"});
  pull();
  // Every wait was on the fake clock: the reader's pause before resuming a cut body (100 ms x
  // its attempt) or, when the cut surfaces as a transport error instead (which of the two
  // happens depends on where the proxy cuts relative to what libcurl has read), the
  // transport's backoff (5 ms base, under 100 ms). At least one fault made the client wait.
  auto sleeps = rig.clock.sleeps();
  CHECK_FALSE(sleeps.empty());
  for (auto s : sleeps) {
    INFO(s.count() << " ms");
    CHECK((s < 100ms || s % 100ms == 0ms));
  }
  rig.proxy().arm("^(GET|HEAD) ", {"reset", "truncate", "500", "truncate", "stall", "lie"});
  pull();
  rig.proxy().clear();
}

TEST_CASE("wrong content from the server fails the pull and leaves the store clean",
          "[registry][faults]") {
  ProxyRig rig;
  store::MemoryStore local;
  auto img = test::make_image(local, 50000, 15);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto repo = test::unique_repo("fault-bad");
  auto client = rig.client();
  registry::RegistryStore remote(client, repo);
  store::CopyOptions copts;
  copts.names = {rig.ref(repo, "v1")};
  store::copy_graph(local, remote, img.manifest, copts);

  util::TempDir dir;
  store::OciLayoutStore disk(dir.path() / "store");
  auto layer_re = "^GET .*/blobs/sha256:" + img.layer.digest.hex();
  auto expect_failure = [&](const std::string& fault, Errc code) {
    rig.proxy().arm(layer_re, {fault, fault, fault, fault, fault, fault});
    try {
      store::copy_graph(remote, disk, img.manifest, copts);
      FAIL("expected " << fault << " to fail the pull");
    } catch (const Error& e) {
      CHECK(e.code() == code);
      CHECK(std::string(e.what()).find(img.layer.digest.to_string()) != std::string::npos);
    }
    CHECK_FALSE(disk.has(img.layer));
    CHECK_FALSE(disk.resolve(rig.ref(repo, "v1")));
  };
  SECTION("Docker-Content-Digest names another blob") {
    expect_failure("baddigest", Errc::digest_mismatch);
  }
  SECTION("a flipped byte") {
    expect_failure("corrupt", Errc::digest_mismatch);
  }
  SECTION("the connection keeps dropping") {
    expect_failure("reset", Errc::network);
  }
  // Only the config blob (fetched before the layer) may be there; no partial layer, no temp.
  CHECK(files_under(dir.path() / "store") <= 1);
  rig.proxy().clear();
}

TEST_CASE("malformed and oversized manifests and error bodies are clear errors",
          "[registry][faults]") {
  ProxyRig rig;
  auto client = rig.client();
  SECTION("oversized manifest body") {
    rig.proxy().arm("^GET .*/manifests/", {"oversize"});
    try {
      client->get_manifest("whatever", "v1");
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(std::string(e.what()).find("larger than") != std::string::npos);
    }
  }
  SECTION("malformed manifest JSON") {
    rig.proxy().arm("^GET .*/manifests/", {"badjson"});
    CHECK_THROWS_AS(client->get_manifest("whatever", "v1"), Error);
  }
  SECTION("non-JSON error body") {
    rig.proxy().arm("^GET .*/manifests/", {"errorbody"});
    try {
      client->get_manifest("whatever", "v1");
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.http_status() == 400);
      CHECK(std::string(e.what()).find("HTTP 400") != std::string::npos);
    }
  }
  SECTION("a registry that keeps failing gives up, bounded") {
    rig.proxy().arm("^GET .*/manifests/", std::vector<std::string>(10, "500"));
    try {
      client->get_manifest("whatever", "v1");
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.http_status() == 500);
    }
    CHECK(rig.proxy().pending().size() == 5);  // bounded: 5 attempts made of the 10 armed
  }
  rig.proxy().clear();
}

TEST_CASE("one retry budget bounds a pull whose blob keeps stalling",
          "[registry][faults][budget]") {
  ProxyRig rig;
  store::MemoryStore local;
  auto img = test::make_image(local, 300000, 21);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto repo = test::unique_repo("fault-budget");
  store::CopyOptions copts;
  copts.names = {rig.ref(repo, "v1")};
  {
    registry::RegistryStore up(rig.client(), repo);
    store::copy_graph(local, up, img.manifest, copts);
  }
  // Every request for the layer stalls, before the headers or after half the body: the
  // transport retries each open, the reader resumes each cut body. Layered, that was
  // 5 x 5 stalls; one budget of 3 s ends it after about 3 s of failures plus one stall.
  std::vector<std::string> faults;
  for (int i = 0; i < 10; ++i)
    for (const char* f : {"stall", "stall", "stall", "stall", "stallbody"}) faults.push_back(f);
  rig.proxy().arm("^GET .*/blobs/sha256:" + img.layer.digest.hex(), faults);
  registry::ConnectOptions o;
  o.registry = rig.proxy().host();
  o.plain_http = true;
  o.retry.base_delay = std::chrono::milliseconds(5);
  o.transport.stall_timeout = std::chrono::seconds(1);
  o.retry.budget = std::make_shared<http::RetryBudget>(std::chrono::seconds(3));
  auto client = registry::connect(o);
  registry::RegistryStore remote(client, repo);
  util::TempDir dir;
  store::OciLayoutStore disk(dir.path() / "store");
  try {
    store::copy_graph(remote, disk, img.manifest, copts);
    FAIL("the pull was expected to fail");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::network);
    CHECK_THAT(e.message(), Catch::Contains("retry budget of 3 s used up"));
  }
  CHECK(client->retry_budget().spent() >= std::chrono::seconds(3));
  // Counted in requests, not in wall time: each stall costs the 1 s stall timeout, so the 3 s
  // budget allows a handful of layer requests, where the layered retries made up to 25.
  size_t used = faults.size() - rig.proxy().pending().size();
  INFO(used << " layer requests");
  CHECK(used >= 2);
  CHECK(used <= 6);
  rig.proxy().clear();
  CHECK_FALSE(disk.resolve(rig.ref(repo, "v1")).has_value());
}

TEST_CASE("a HEAD answered with Content-Length: 0 falls back to GET", "[registry][faults]") {
  ProxyRig rig;
  store::MemoryStore local;
  auto img = test::make_image(local, 3000, 22);
  local.put_manifest(img.manifest, img.manifest_bytes, {});
  auto repo = test::unique_repo("fault-head0");
  auto client = rig.client();
  registry::RegistryStore remote(client, repo);
  store::CopyOptions copts;
  copts.names = {rig.ref(repo, "v1")};
  store::copy_graph(local, remote, img.manifest, copts);
  rig.proxy().arm("^HEAD .*/manifests/", {"headzero"});
  auto d = remote.resolve(rig.ref(repo, "v1"));
  REQUIRE(d);
  CHECK(d->size == img.manifest.size);
  CHECK(d->digest == img.manifest.digest);
  auto seen = rig.proxy().requests();
  CHECK(std::find_if(seen.begin(), seen.end(), [](const std::string& r) {
          return r.starts_with("GET ") && r.find("/manifests/") != std::string::npos;
        }) != seen.end());
  store::MemoryStore back;
  CHECK(store::copy_graph(remote, back, *d, copts).blobs_copied == 3);
  rig.proxy().clear();
}
