// run_envoy with a fake process runner and a fake admin API: argv, readiness, the wasm VM
// gauge, Ctrl-C forwarding (POST /quitquitquit, docker stop), Envoy exiting early.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <mutex>
#include <thread>

#include "ext/core/cancel.hpp"
#include "ext/core/error.hpp"
#include "ext/deploy/envoy_runner.hpp"
#include "support/deploy/deploy_support.hpp"

using namespace ext;
using namespace ext::deploy;
using namespace std::chrono_literals;

namespace {

class FakeAdmin : public AdminClient {
 public:
  int not_ready_polls = 2;
  std::string stats =
      "wasm.envoy.wasm.runtime.v8.created: 1\nwasm.envoy.wasm.runtime.v8.active: 2\n";
  std::atomic<bool> quit{false};
  std::optional<AdminReply> request(const std::string& method, const std::string& path) override {
    std::lock_guard lock(m_mutex);
    m_log.push_back(method + " " + path);
    if (method == "POST" && path == "/quitquitquit") {
      quit = true;
      return AdminReply{200, "OK\n"};
    }
    if (path == "/ready") {
      if (not_ready_polls-- > 0) return std::nullopt;  // not listening yet
      return AdminReply{200, "LIVE\n"};
    }
    if (path == "/stats?filter=wasm") return AdminReply{200, stats};
    return AdminReply{404, ""};
  }
  std::vector<std::string> log() {
    std::lock_guard lock(m_mutex);
    return m_log;
  }

 private:
  std::mutex m_mutex;
  std::vector<std::string> m_log;
};

EnvoyRunOptions options() {
  EnvoyRunOptions o;
  o.config = "/tmp/run/envoy.yaml";
  o.module = "/data/modules/abc.wasm";
  o.module_in_container = "/etc/ext/add-header.wasm";
  o.envoy = "/opt/envoy/bin/envoy";
  o.poll_interval = 5ms;
  o.ready_timeout = 2000ms;
  o.listen_url = "http://127.0.0.1:8080";
  return o;
}

// Envoy "runs" until the admin API is told to quit (or 5 s pass).
util::ProcessResult run_until_quit(FakeAdmin& admin) {
  for (int i = 0; i < 500 && !admin.quit; ++i) std::this_thread::sleep_for(10ms);
  util::ProcessResult r;
  r.exit_code = admin.quit ? 0 : 99;
  return r;
}

}  // namespace

TEST_CASE("envoy --run: native envoy, ready, wasm active, Ctrl-C stops it", "[deploy]") {
  ext::reset_interrupt();
  FakeAdmin admin;
  test::FakeRunner runner;
  runner.set_handler([&](const util::ProcessSpec&) { return run_until_quit(admin); });
  CollectingReporter rep;
  // Ctrl-C once the VM is reported active.
  std::thread user([&] {
    for (int i = 0; i < 500; ++i) {
      bool active = false;
      for (const auto& m : rep.of("info")) active |= m.find("wasm VM active") != std::string::npos;
      if (active) break;
      std::this_thread::sleep_for(5ms);
    }
    ext::request_interrupt();
  });
  auto r = run_envoy(options(), runner, admin, rep);
  user.join();
  ext::reset_interrupt();

  CHECK(r.argv == std::vector<std::string>{"/opt/envoy/bin/envoy", "-c", "/tmp/run/envoy.yaml",
                                           "--disable-hot-restart"});
  CHECK(r.ready);
  CHECK(r.wasm_active);
  CHECK(r.wasm_stat == "wasm.envoy.wasm.runtime.v8.active: 2");
  CHECK(r.interrupted);
  CHECK(r.exit_code == 0);
  auto calls = runner.calls();
  REQUIRE(calls.size() == 1);
  CHECK_FALSE(calls[0].capture);  // Envoy's log goes to the terminal
  auto log = admin.log();
  CHECK(log.back() == "POST /quitquitquit");
  auto infos = rep.of("info");
  bool ready_msg = false;
  for (const auto& m : infos) ready_msg |= m == "envoy is ready: http://127.0.0.1:8080";
  CHECK(ready_msg);
}

TEST_CASE("envoy --run --docker: container argv, docker stop on Ctrl-C", "[deploy]") {
  ext::reset_interrupt();
  FakeAdmin admin;
  admin.not_ready_polls = 0;
  test::FakeRunner runner;
  std::atomic<bool> stopped{false};
  runner.set_handler([&](const util::ProcessSpec& spec) {
    util::ProcessResult r;
    if (spec.argv.size() > 1 && spec.argv[1] == "stop") {
      stopped = true;
      r.exit_code = 0;
      return r;
    }
    for (int i = 0; i < 500 && !stopped; ++i) std::this_thread::sleep_for(10ms);
    r.exit_code = 130;
    return r;
  });
  auto o = options();
  o.image = "envoyproxy/envoy:v1.31-latest";
  o.container_tool = "podman";
  o.container_name = "ext-envoy-add-header";
  CollectingReporter rep;
  std::thread user([&] {
    for (int i = 0; i < 500 && admin.log().size() < 2; ++i) std::this_thread::sleep_for(5ms);
    ext::request_interrupt();
  });
  auto r = run_envoy(o, runner, admin, rep);
  user.join();
  ext::reset_interrupt();
  CHECK(r.argv == std::vector<std::string>{"podman", "run", "--rm", "--name",
                                           "ext-envoy-add-header", "--network", "host", "-v",
                                           "/tmp/run/envoy.yaml:/etc/ext/envoy.yaml:ro", "-v",
                                           "/data/modules/abc.wasm:/etc/ext/add-header.wasm:ro",
                                           "--entrypoint", "envoy", "envoyproxy/envoy:v1.31-latest",
                                           "-c", "/etc/ext/envoy.yaml", "--disable-hot-restart"});
  CHECK(r.interrupted);
  auto calls = runner.calls();
  REQUIRE(calls.size() == 2);
  CHECK(calls[1].argv ==
        std::vector<std::string>{"podman", "stop", "--time", "5", "ext-envoy-add-header"});
}

TEST_CASE("envoy --run: exits before ready, no wasm VM, envoy missing", "[deploy]") {
  ext::reset_interrupt();
  {
    FakeAdmin admin;
    admin.not_ready_polls = 1000;
    test::FakeRunner runner;
    runner.set_handler([](const util::ProcessSpec&) {
      std::this_thread::sleep_for(30ms);
      util::ProcessResult r;
      r.exit_code = 1;
      return r;
    });
    CollectingReporter rep;
    auto r = run_envoy(options(), runner, admin, rep);
    CHECK(r.exit_code == 1);
    CHECK_FALSE(r.ready);
    CHECK_FALSE(r.interrupted);
  }
  {
    FakeAdmin admin;
    admin.not_ready_polls = 0;
    admin.stats = "wasm.envoy.wasm.runtime.v8.active: 0\n";
    test::FakeRunner runner;
    runner.set_handler([](const util::ProcessSpec&) {
      std::this_thread::sleep_for(300ms);
      util::ProcessResult r;
      r.exit_code = 0;
      return r;
    });
    auto o = options();
    o.ready_timeout = 100ms;
    CollectingReporter rep;
    auto r = run_envoy(o, runner, admin, rep);
    CHECK(r.ready);
    CHECK_FALSE(r.wasm_active);
    REQUIRE(rep.of("warn").size() == 1);
    CHECK(rep.of("warn")[0].find("no active wasm VM") != std::string::npos);
  }
  {
    FakeAdmin admin;
    test::FakeRunner runner;
    runner.set_handler([](const util::ProcessSpec&) -> util::ProcessResult {
      throw Error(Errc::not_found, "program not found: envoy");
    });
    CollectingReporter rep;
    try {
      run_envoy(options(), runner, admin, rep);
      FAIL("no error");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::not_found);
      CHECK(e.hint().find("--envoy PATH") != std::string::npos);
    }
  }
  CHECK(wasm_active_gauge("x: 1\nwasm.envoy.wasm.runtime.wamr.active: 3\n",
                          "envoy.wasm.runtime.wamr") == 3);
  CHECK_FALSE(
      wasm_active_gauge("wasm.envoy.wasm.runtime.v8.created: 1\n", "envoy.wasm.runtime.v8"));
}
