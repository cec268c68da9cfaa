// ops::deploy in-process: the image is built by the fake compiler (tests/unit/ops/build_test.cpp
// does the same), pushed to the fake registry, then deployed: Istio applied through a fake
// kubectl, Envoy run through a fake envoy process, a fake admin API and the fake clock. No child
// process, no socket, no sleep.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <mutex>

#include "ext/core/cancel.hpp"
#include "ext/core/error.hpp"
#include "ext/ops/build_project.hpp"
#include "ext/ops/deploy.hpp"
#include "ext/ops/push.hpp"
#include "ext/util/files.hpp"
#include "support/ops/ops_env.hpp"
#include "support/wasm/fixtures.hpp"

using namespace ext;
namespace fs = std::filesystem;

namespace {

// Packages the in-process module as registry.example/acme/f:v1 in t's store (nothing runs)
// and pushes it to t's fake registry.
void build_and_push(test::OpsEnv& t) {
  t.package_minimal_filter("registry.example/acme/f:v1");
  ops::PushOptions o;
  o.ref = "registry.example/acme/f:v1";
  o.readme = false;
  o.project_dir = t.dir();
  ops::push(o, t.env);
}

// Envoy's admin API: ready at once, one active wasm VM; `on_stats` runs at the stats request.
class ReadyAdmin final : public deploy::AdminClient {
 public:
  std::function<void()> on_stats;
  std::optional<deploy::AdminReply> request(const std::string& method,
                                            const std::string& path) override {
    {
      std::lock_guard lock(m_mutex);
      m_log.push_back(method + " " + path);
    }
    if (path == "/ready") return deploy::AdminReply{200, "LIVE\n"};
    if (path == "/stats?filter=wasm") {
      if (on_stats) on_stats();
      return deploy::AdminReply{200, "wasm.envoy.wasm.runtime.v8.active: 1\n"};
    }
    return deploy::AdminReply{200, ""};
  }
  std::vector<std::string> log() {
    std::lock_guard lock(m_mutex);
    return m_log;
  }

 private:
  std::mutex m_mutex;
  std::vector<std::string> m_log;
};

}  // namespace

TEST_CASE("ops::deploy istio --apply: the pinned WasmPlugin goes to kubectl apply",
          "[ops][deploy]") {
  test::OpsEnv t;
  build_and_push(t);
  t.runner.set_handler([](const util::ProcessSpec& spec) {
    util::ProcessResult r;
    r.exit_code = 0;
    r.out = "wasmplugin.extensions.istio.io/f created\n";
    if (spec.argv.empty() || spec.argv[0] != "kubectl") r.exit_code = 127;
    return r;
  });
  ops::DeployOptions o;
  o.platform = deploy::Platform::istio;
  o.source = "registry.example/acme/f:v1";
  o.name = "f";
  o.project_dir = t.dir();
  o.apply = true;
  auto r = ops::deploy(o, t.env);
  CHECK(r.applied);
  CHECK(r.reference == "registry.example/acme/f:v1");
  // The EnvoyFilter form of the same deployment is deleted first, then the WasmPlugin applied.
  auto calls = t.runner.calls();
  REQUIRE(calls.size() == 2);
  auto has_arg = [](const util::ProcessSpec& c, const std::string& a) {
    return std::find(c.argv.begin(), c.argv.end(), a) != c.argv.end();
  };
  CHECK(calls[0].argv[0] == "kubectl");
  CHECK(has_arg(calls[0], "delete"));
  CHECK(has_arg(calls[0], "envoyfilters.networking.istio.io"));
  CHECK(calls[1].argv[0] == "kubectl");
  CHECK(has_arg(calls[1], "apply"));
  REQUIRE(calls[1].stdin_data.has_value());
  CHECK_THAT(*calls[1].stdin_data, Catch::Contains("kind: WasmPlugin"));
  // Pinned to the digest the registry serves (docs/deploy.md).
  CHECK_THAT(*calls[1].stdin_data, Catch::Contains(r.manifest_digest));
  CHECK(t.clock.sleeps().empty());
}

TEST_CASE("ops::deploy envoy --run: ready, wasm VM active, Envoy exits, no real wait",
          "[ops][deploy]") {
  ext::reset_interrupt();
  test::OpsEnv t;
  build_and_push(t);
  ReadyAdmin admin;
  std::mutex m;
  std::condition_variable cv;
  bool active_seen = false;
  admin.on_stats = [&] {
    std::lock_guard lock(m);
    active_seen = true;
    cv.notify_all();
  };
  // "envoy" runs until the admin API has been asked for the VM gauge, then exits 0.
  t.runner.set_handler([&](const util::ProcessSpec&) {
    std::unique_lock lock(m);
    bool ok = cv.wait_for(lock, std::chrono::seconds(20), [&] { return active_seen; });
    util::ProcessResult r;
    r.exit_code = ok ? 0 : 99;
    return r;
  });
  ops::DeployOptions o;
  o.platform = deploy::Platform::envoy;
  o.source = "registry.example/acme/f:v1";
  o.name = "f";
  o.project_dir = t.dir();
  o.run = true;
  o.envoy_program = "/opt/envoy/bin/envoy";
  o.admin_client = &admin;
  auto r = ops::deploy(o, t.env);
  REQUIRE(r.run.has_value());
  CHECK(r.run->ready);
  CHECK(r.run->wasm_active);
  CHECK(r.run->exit_code == 0);
  auto calls = t.runner.calls();
  REQUIRE(calls.size() == 1);
  CHECK(calls[0].argv[0] == "/opt/envoy/bin/envoy");
  CHECK(fs::exists(r.written));  // the bootstrap under the data folder
  CHECK(r.written.string().rfind(t.env.data_root.string(), 0) == 0);
}
