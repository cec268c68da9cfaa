// ops::push in-process: the shared fakes (tests/support/ops/ops_env.hpp) stand for the
// registry, the processes and the clock, so these tests start nothing and never sleep.
#include <catch2/catch.hpp>

#include "ext/core/error.hpp"
#include "ext/ops/push.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "support/ops/ops_env.hpp"
#include "support/store/image_fixture.hpp"

using namespace ext;
using namespace std::chrono_literals;

namespace {

ops::PushOptions push_options(const test::OpsEnv& t, const std::string& ref) {
  ops::PushOptions o;
  o.ref = ref;
  o.readme = false;
  o.project_dir = t.dir();
  return o;
}

}  // namespace

TEST_CASE("ops::push: blobs, then the manifest under its tag, a second push skips them",
          "[ops][push]") {
  test::OpsEnv t;
  test::FixtureImage img;
  {
    store::OciLayoutStore local(t.env.store_root);
    img = test::put_image(local, {"registry.example/acme/f:v1"});
  }
  auto r = ops::push(push_options(t, "registry.example/acme/f:v1"), t.env);
  CHECK(r.reference == "registry.example/acme/f:v1");
  CHECK(r.tags == std::vector<std::string>{"v1"});
  CHECK(r.manifest_digest == img.manifest.digest.to_string());
  CHECK(r.blobs_uploaded == 3);  // config, module, and the manifest
  CHECK(t.registry->manifest("acme/f", "v1") == img.manifest_bytes);
  CHECK(t.registry->blob("acme/f", img.module.digest.to_string()).has_value());
  CHECK(t.registry->blob("acme/f", img.config.digest.to_string()).has_value());
  // The manifest goes last: a puller never sees a tag whose blobs are missing.
  auto log = t.registry->log();
  REQUIRE_FALSE(log.empty());
  CHECK(log.back() == "PUT /v2/acme/f/manifests/v1");

  auto again = ops::push(push_options(t, "registry.example/acme/f:v1"), t.env);
  CHECK(again.blobs_uploaded == 1);  // the manifest PUT only
  CHECK(again.blobs_skipped == 2);
  CHECK(t.runner.calls().empty());  // no credential helper, nothing else ran
  CHECK(t.clock.sleeps().empty());  // nothing failed, nothing waited
}

TEST_CASE("ops::push: extra tags, and a tag outside the repository is refused", "[ops][push]") {
  test::OpsEnv t;
  {
    store::OciLayoutStore local(t.env.store_root);
    test::put_image(local, {"registry.example/acme/f:v1"});
  }
  auto o = push_options(t, "registry.example/acme/f:v1");
  o.tags = {"latest", "registry.example/acme/f:1"};
  auto r = ops::push(o, t.env);
  CHECK(r.tags == std::vector<std::string>{"v1", "latest", "1"});
  CHECK(t.registry->tags("acme/f") == std::vector<std::string>{"1", "latest", "v1"});

  o.tags = {"registry.example/other/f:v1"};
  CHECK_THROWS_WITH(ops::push(o, t.env), Catch::Contains("is not in registry.example/acme/f"));
}

TEST_CASE("ops::push: 503s and a dropped connection are retried on the Env's clock",
          "[ops][push]") {
  test::OpsEnv t;
  {
    store::OciLayoutStore local(t.env.store_root);
    test::put_image(local, {"registry.example/acme/f:v1"});
  }
  test::FakeRegistry::Reply unavailable;
  unavailable.status = 503;
  t.registry->push_script(unavailable);
  t.registry->drop_next(1);
  t.registry->push_script(unavailable);
  auto r = ops::push(push_options(t, "registry.example/acme/f:v1"), t.env);
  CHECK(r.blobs_uploaded == 3);
  CHECK(t.registry->manifest("acme/f", "v1").has_value());
  // Three failures, three backoff waits: taken on the fake clock, none in real time.
  CHECK(t.clock.sleeps().size() == 3);
}

TEST_CASE("ops::push: an image missing from the local store names how to make it", "[ops][push]") {
  test::OpsEnv t;
  try {
    ops::push(push_options(t, "registry.example/acme/none:v1"), t.env);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::not_found);
    CHECK_THAT(e.hint(), Catch::Contains("ext build -t registry.example/acme/none:v1"));
  }
  CHECK(t.registry->calls() == 0);  // checked before connecting
}
