// run_envoy with a fake process runner, a fake admin API and a fake clock: argv, readiness, the
// wasm VM gauge, Ctrl-C forwarding (POST /quitquitquit, docker stop), Envoy exiting early. No
// test sleeps: the fake Envoy waits for events (quit, stop, the warning) and time is the clock's.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>

#include "ext/core/cancel.hpp"
#include "ext/core/error.hpp"
#include "ext/deploy/envoy_runner.hpp"
#include "ext/util/files.hpp"
#include "support/deploy/deploy_support.hpp"
#include "support/fake_clock.hpp"

using namespace ext;
using namespace ext::deploy;
using namespace std::chrono_literals;

namespace {

class FakeAdmin : public AdminClient {
 public:
  int not_ready_polls = 2;
  std::string stats =
      "wasm.envoy.wasm.runtime.v8.created: 1\nwasm.envoy.wasm.runtime.v8.active: 2\n";
  std::function<void()> on_quit;
  std::function<void(const std::string&)> on_request;
  std::optional<AdminReply> request(const std::string& method, const std::string& path) override {
    std::lock_guard lock(m_mutex);
    m_log.push_back(method + " " + path);
    if (on_request) on_request(path);
    if (method == "POST" && path == "/quitquitquit") {
      if (on_quit) on_quit();
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

// A one-shot event between the test's threads (the fake Envoy and run_envoy): set once, waited
// for with a generous bound that only a broken run_envoy reaches (then the test fails).
class Event {
 public:
  void set() {
    std::lock_guard lock(m_mutex);
    m_set = true;
    m_cv.notify_all();
  }
  bool wait() {
    std::unique_lock lock(m_mutex);
    return m_cv.wait_for(lock, 20s, [&] { return m_set; });
  }

 private:
  std::mutex m_mutex;
  std::condition_variable m_cv;
  bool m_set = false;
};

// Records like CollectingReporter and calls `on_info` / `on_warn` with each message (the test's
// "user" presses Ctrl-C when a message arrives, instead of polling for it).
class HookReporter final : public Reporter {
 public:
  std::function<void(const std::string&)> on_info, on_warn;
  void info(const std::string& m) override {
    m_kept.info(m);
    if (on_info) on_info(m);
  }
  void warn(const std::string& m) override {
    m_kept.warn(m);
    if (on_warn) on_warn(m);
  }
  void debug(int level, const std::string& m) override { m_kept.debug(level, m); }
  std::vector<std::string> of(const std::string& kind) const { return m_kept.of(kind); }

 private:
  CollectingReporter m_kept;
};

}  // namespace

TEST_CASE("envoy --run: native envoy, ready, wasm active, Ctrl-C stops it", "[deploy]") {
  ext::reset_interrupt();
  FakeAdmin admin;
  Event quit;
  admin.on_quit = [&] { quit.set(); };
  test::FakeRunner runner;
  // Envoy "runs" until the admin API is told to quit.
  runner.set_handler([&](const util::ProcessSpec&) {
    util::ProcessResult r;
    r.exit_code = quit.wait() ? 0 : 99;
    return r;
  });
  HookReporter rep;
  // Ctrl-C once the VM is reported active.
  rep.on_info = [](const std::string& m) {
    if (m.find("wasm VM active") != std::string::npos) ext::request_interrupt();
  };
  test::FakeClock clock;
  auto r = run_envoy(options(), runner, admin, rep, clock);
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
  // Two /ready polls failed, then ready: the polls were poll_interval apart on the clock.
  CHECK(std::count(log.begin(), log.end(), "GET /ready") == 3);
  CHECK(clock.elapsed() >= 2 * options().poll_interval);
  auto infos = rep.of("info");
  bool ready_msg = false;
  for (const auto& m : infos) ready_msg |= m == "envoy is ready: http://127.0.0.1:8080";
  CHECK(ready_msg);
}

TEST_CASE("envoy --run --docker: container argv, docker stop on Ctrl-C", "[deploy]") {
  ext::reset_interrupt();
  FakeAdmin admin;
  admin.not_ready_polls = 0;
  // Ctrl-C once run_envoy has asked for the wasm stats (ready, then stats).
  admin.on_request = [](const std::string& path) {
    if (path == "/stats?filter=wasm") ext::request_interrupt();
  };
  test::FakeRunner runner;
  Event stopped;
  runner.set_handler([&](const util::ProcessSpec& spec) {
    util::ProcessResult r;
    if (spec.argv.size() > 1 && spec.argv[1] == "stop") {
      stopped.set();
      r.exit_code = 0;
      return r;
    }
    r.exit_code = stopped.wait() ? 130 : 99;
    return r;
  });
  auto o = options();
  o.image = "envoyproxy/envoy:v1.31-latest";
  o.container_tool = "podman";
  o.container_name = "ext-envoy-add-header";
  CollectingReporter rep;
  test::FakeClock clock;
  auto r = run_envoy(o, runner, admin, rep, clock);
  ext::reset_interrupt();
  CHECK(r.argv == std::vector<std::string>{"podman", "run", "--rm", "--name",
                                           "ext-envoy-add-header", "--network", "host", "-v",
                                           "/tmp/run/envoy.yaml:/etc/ext/envoy.yaml:ro", "-v",
                                           "/data/modules/abc.wasm:/etc/ext/add-header.wasm:ro",
                                           "--entrypoint", "envoy", "envoyproxy/envoy:v1.31-latest",
                                           "-c", "/etc/ext/envoy.yaml", "--disable-hot-restart"});
  CHECK(r.interrupted);
  CHECK(r.exit_code == 130);
  // The container and `podman stop`, in either order: with a clock that never waits, the stop
  // may come before the worker thread has started the container.
  auto calls = runner.calls();
  REQUIRE(calls.size() == 2);
  bool stop_called = false;
  for (const auto& c : calls)
    stop_called |=
        c.argv == std::vector<std::string>{"podman", "stop", "--time", "5", "ext-envoy-add-header"};
  CHECK(stop_called);
}

TEST_CASE("envoy --run: the container tool is docker when PATH has it, else podman", "[deploy]") {
  ext::util::TempDir bin;
  auto o = options();
  o.image = "envoyproxy/envoy:v1.31-latest";
  o.path_env = bin.path().string();
  CHECK(envoy_argv(o)[0] == "podman");
  ext::util::write_file_atomic(bin.path() / "docker", "#!/bin/sh\n");
  std::filesystem::permissions(bin.path() / "docker", std::filesystem::perms::owner_all);
  CHECK(envoy_argv(o)[0] == "docker");
}

TEST_CASE("envoy --run: exits before ready, no wasm VM, envoy missing", "[deploy]") {
  ext::reset_interrupt();
  {
    FakeAdmin admin;
    admin.not_ready_polls = 1000;
    test::FakeRunner runner;
    runner.set_handler([](const util::ProcessSpec&) {
      util::ProcessResult r;
      r.exit_code = 1;
      return r;
    });
    CollectingReporter rep;
    test::FakeClock clock;
    auto r = run_envoy(options(), runner, admin, rep, clock);
    CHECK(r.exit_code == 1);
    CHECK_FALSE(r.ready);
    CHECK_FALSE(r.interrupted);
  }
  {
    FakeAdmin admin;
    admin.not_ready_polls = 0;
    admin.stats = "wasm.envoy.wasm.runtime.v8.active: 0\n";
    test::FakeRunner runner;
    Event warned;
    // Envoy keeps running (no active VM) until run_envoy has given up waiting for the VM.
    runner.set_handler([&](const util::ProcessSpec&) {
      util::ProcessResult r;
      r.exit_code = warned.wait() ? 0 : 99;
      return r;
    });
    auto o = options();
    o.ready_timeout = 100ms;
    HookReporter rep;
    rep.on_warn = [&](const std::string&) { warned.set(); };
    test::FakeClock clock;
    auto r = run_envoy(o, runner, admin, rep, clock);
    CHECK(r.ready);
    CHECK_FALSE(r.wasm_active);
    CHECK(r.exit_code == 0);
    REQUIRE(rep.of("warn").size() == 1);
    CHECK(rep.of("warn")[0].find("no active wasm VM") != std::string::npos);
    // The VM deadline is on the clock: given up after ready_timeout of (fake) time.
    CHECK(clock.elapsed() >= 100ms);
  }
  {
    FakeAdmin admin;
    test::FakeRunner runner;
    runner.set_handler([](const util::ProcessSpec&) -> util::ProcessResult {
      throw Error(Errc::not_found, "program not found: envoy");
    });
    CollectingReporter rep;
    test::FakeClock clock;
    try {
      run_envoy(options(), runner, admin, rep, clock);
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
