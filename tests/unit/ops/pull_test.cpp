// ops::pull in-process: push from one local store into the shared fake registry, pull into
// another (tests/support/ops/ops_env.hpp): no socket, no child process, no sleep.
#include <catch2/catch.hpp>

#include "ext/core/error.hpp"
#include "ext/ops/pull.hpp"
#include "ext/ops/push.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "support/ops/ops_env.hpp"
#include "support/store/image_fixture.hpp"

using namespace ext;

namespace {

// An image pushed to `registry` as registry.example/acme/f:v1 (from a store of its own).
test::FixtureImage pushed(std::shared_ptr<test::FakeRegistry> registry) {
  test::OpsEnv from(registry);
  test::FixtureImage img;
  {
    store::OciLayoutStore local(from.env.store_root);
    img = test::put_image(local, {"registry.example/acme/f:v1"}, "p", 2048);
  }
  ops::PushOptions o;
  o.ref = "registry.example/acme/f:v1";
  o.readme = false;
  o.project_dir = from.dir();
  ops::push(o, from.env);
  return img;
}

}  // namespace

TEST_CASE("ops::pull: the graph into the local store, named last, again nothing fetched",
          "[ops][pull]") {
  auto registry = std::make_shared<test::FakeRegistry>();
  auto img = pushed(registry);
  test::OpsEnv t(registry);
  ops::PullOptions o;
  o.ref = "registry.example/acme/f:v1";
  auto r = ops::pull(o, t.env);
  CHECK(r.reference == "registry.example/acme/f:v1");
  CHECK(r.manifest_digest == img.manifest.digest.to_string());
  CHECK(r.blobs_fetched == 3);  // manifest, config, module
  CHECK(r.module_sha256 == img.module.digest.hex());
  CHECK(r.layout == "oci");
  {
    store::OciLayoutStore local(t.env.store_root);
    auto ref = ops::parse_ref("registry.example/acme/f:v1");
    REQUIRE(local.resolve(ref).has_value());
    CHECK(local.resolve(ref)->digest == img.manifest.digest);
  }
  auto again = ops::pull(o, t.env);
  CHECK(again.blobs_fetched == 1);  // the root manifest is always read
  CHECK(t.runner.calls().empty());
  CHECK(t.clock.sleeps().empty());
}

TEST_CASE("ops::pull: -o writes the module file", "[ops][pull]") {
  auto registry = std::make_shared<test::FakeRegistry>();
  auto img = pushed(registry);
  test::OpsEnv t(registry);
  ops::PullOptions o;
  o.ref = "registry.example/acme/f:v1";
  o.output = t.dir() / "f.wasm";
  auto r = ops::pull(o, t.env);
  CHECK(r.output == o.output);
  CHECK(util::read_file(o.output) == test::fixture_module("p", 2048));
  CHECK(r.module_size == 2048);
}

TEST_CASE(
    "ops::pull: a failing registry is retried on the fake clock, an unknown tag is "
    "not_found",
    "[ops][pull]") {
  auto registry = std::make_shared<test::FakeRegistry>();
  pushed(registry);
  test::OpsEnv t(registry);
  test::FakeRegistry::Reply busy;
  busy.status = 429;
  busy.headers.set("Retry-After", "7");
  registry->push_script(busy);
  ops::PullOptions o;
  o.ref = "registry.example/acme/f:v1";
  auto r = ops::pull(o, t.env);
  CHECK(r.blobs_fetched == 3);
  auto sleeps = t.clock.sleeps();
  REQUIRE(sleeps.size() == 1);
  CHECK(sleeps[0] >= std::chrono::seconds(7));  // Retry-After honoured, without waiting 7 s

  o.ref = "registry.example/acme/f:nope";
  try {
    ops::pull(o, t.env);
    FAIL("no error");
  } catch (const Error& e) {
    CHECK(e.code() == Errc::not_found);
  }
}
