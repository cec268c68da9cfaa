// Workers: the VMs one Envoy process runs for a plugin (host/process.hpp). Envoy loads a base VM
// (start functions only), configures a canary clone and kills it, then gives the main thread and
// each of its --concurrency workers a clone with its own root context, proxy_on_vm_start,
// proxy_on_configure and tick timer [proxy-wasm-cpp-host 52a0291 src/wasm.cc createWasm,
// canary, getOrCreateThreadLocalPlugin; Envoy source/common/thread_local/thread_local_impl.cc
// SlotImpl::set]. Shared data, queues and stats are process-wide [HOST src/shared_data.cc,
// src/shared_queue.cc]. The probe counts its start-ups and ticks in shared data.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "ext/host/process.hpp"
#include "ext/testing/runner.hpp"
#include "ext/testing/spec.hpp"
#include "support/host/wat_probe.hpp"
#include "support/paths.hpp"

namespace {

const std::string& counting_filter() {
  static const std::string wasm = [] {
    using ext::test::host::wat_probe_preamble;
    return ext::test::wat_to_wasm(
        wat_probe_preamble({{"log", "proxy_log"},
                            {"sget", "proxy_get_shared_data"},
                            {"sset", "proxy_set_shared_data"},
                            {"tick", "proxy_set_tick_period_milliseconds"},
                            {"qreg", "proxy_register_shared_queue"},
                            {"qres", "proxy_resolve_shared_queue"},
                            {"qput", "proxy_enqueue_shared_queue"},
                            {"hget", "proxy_get_header_map_value"}}) +
        R"(
 (data (i32.const 300) "starts")
 (data (i32.const 310) "ticks")
 (data (i32.const 320) "q")
 (data (i32.const 330) "init")
 (data (i32.const 340) "vm_start")
 (data (i32.const 350) "trap")
 (data (i32.const 360) "ready")
 ;; a one-digit counter in shared data, bumped with compare-and-swap
 (func $bump (param $k i32) (param $n i32) (local $v i32) (local $cas i32)
   (if (i32.eqz (call $sget (local.get $k) (local.get $n) (i32.const 400) (i32.const 404)
                            (i32.const 408)))
     (then (local.set $v (i32.load8_u (i32.load (i32.const 400))))
           (local.set $cas (i32.load (i32.const 408))))
     (else (local.set $v (i32.const 48))))
   (i32.store8 (i32.const 420) (i32.add (local.get $v) (i32.const 1)))
   (drop (call $sset (local.get $k) (local.get $n) (i32.const 420) (i32.const 1)
                     (local.get $cas))))
 ;; logs "<letter><digit>" for a counter
 (func $show (param $k i32) (param $n i32) (param $letter i32)
   (i32.store8 (i32.const 440) (local.get $letter))
   (i32.store8 (i32.const 441) (i32.const 48))
   (if (i32.eqz (call $sget (local.get $k) (local.get $n) (i32.const 400) (i32.const 404)
                            (i32.const 408)))
     (then (i32.store8 (i32.const 441) (i32.load8_u (i32.load (i32.const 400))))))
   (drop (call $log (i32.const 2) (i32.const 440) (i32.const 2))))
 (func (export "_initialize") (drop (call $log (i32.const 2) (i32.const 330) (i32.const 4))))
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
   (call $bump (i32.const 300) (i32.const 6))
   (drop (call $log (i32.const 2) (i32.const 340) (i32.const 8)))
   (i32.const 1))
 (func (export "proxy_on_configure") (param i32 i32) (result i32)
   (drop (call $tick (i32.const 1000)))
   (drop (call $qreg (i32.const 320) (i32.const 1) (i32.const 430)))
   (i32.const 1))
 (func (export "proxy_on_tick") (param i32) (call $bump (i32.const 310) (i32.const 5)))
 (func (export "proxy_on_queue_ready") (param i32 i32)
   (drop (call $log (i32.const 2) (i32.const 360) (i32.const 5))))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
   (if (i32.eqz (call $hget (i32.const 0) (i32.const 350) (i32.const 4) (i32.const 470)
                            (i32.const 474)))
     (then unreachable))
   (call $show (i32.const 300) (i32.const 6) (i32.const 83))  ;; S<starts>
   (call $show (i32.const 310) (i32.const 5) (i32.const 84))  ;; T<ticks>
   (drop (call $qres (i32.const 0) (i32.const 0) (i32.const 320) (i32.const 1) (i32.const 480)))
   (drop (call $qput (i32.load (i32.const 480)) (i32.const 350) (i32.const 4)))
   (i32.const 0))
))");
  }();
  return wasm;
}

int count(const std::vector<ext::host::LogEntry>& logs, const std::string& message) {
  int n = 0;
  for (const auto& l : logs) n += l.message == message;
  return n;
}

ext::testing::SpecResult run(const std::string& yaml) {
  auto spec = ext::testing::parse_spec(yaml, "workers.yaml");
  if (!spec) FAIL(spec.error().message());
  return ext::testing::run_spec(counting_filter(), *spec, {});
}

}  // namespace

TEST_CASE("workers: every VM of the process starts, configures and ticks, over one shared store",
          "[host][workers]") {
  SECTION("one worker: base, canary, main thread and worker") {
    auto r = run(R"(cases:
  - name: first
    advance_ms: 1000
    request: {headers: {":path": /}}
)");
    REQUIRE_FALSE(r.error);
    REQUIRE(r.cases.size() == 1);
    const auto& logs = r.cases[0].logs;
    CHECK(count(logs, "init") == 4);      // start functions: base, canary, main, worker
    CHECK(count(logs, "vm_start") == 3);  // canary, main, worker
    CHECK(count(logs, "S3") == 1);        // the stream sees 3 start-ups in shared data
    CHECK(count(logs, "T2") == 1);        // one tick each on the main thread and the worker
    CHECK(count(logs, "ready") == 1);     // the worker registered the queue last
  }
  SECTION("four workers, streams on two of them") {
    auto r = run(R"(plugin: {concurrency: 4}
cases:
  - name: on worker 3
    worker: 3
    advance_ms: 1000
    request: {headers: {":path": /}}
  - name: on worker 0
    worker: 0
    request: {headers: {":path": /}}
)");
    REQUIRE_FALSE(r.error);
    REQUIRE(r.cases.size() == 2);
    CHECK(count(r.cases[0].logs, "vm_start") == 6);
    CHECK(count(r.cases[0].logs, "S6") == 1);
    CHECK(count(r.cases[0].logs, "T5") == 1);        // main thread + 4 workers
    CHECK(count(r.cases[1].logs, "vm_start") == 0);  // start-up logs go to the first case only
    CHECK(count(r.cases[1].logs, "S6") == 1);
    // Each stream's enqueue notifies the last registrant (worker 3), not the enqueuing worker.
    CHECK(count(r.cases[0].logs, "ready") == 1);
    CHECK(count(r.cases[1].logs, "ready") == 1);
  }
}

TEST_CASE("workers: a trap fails only its worker's VM, and fail_reload restarts that one",
          "[host][workers]") {
  const std::string cases = R"(
cases:
  - name: traps on worker 0
    request: {headers: {":path": /, trap: "1"}}
    expect: {trap: unreachable}
  - name: worker 0 again
    request: {headers: {":path": /}}
  - name: worker 1 is unaffected
    worker: 1
    request: {headers: {":path": /}}
)";
  SECTION("fail_closed: worker 0 answers 503, worker 1 runs the filter") {
    auto r = run("plugin: {concurrency: 2}" + cases);
    REQUIRE_FALSE(r.error);
    REQUIRE(r.cases.size() == 3);
    CHECK(r.cases[0].passed);
    CHECK(count(r.cases[1].logs, "S4") == 0);  // no callback ran
    CHECK(count(r.cases[2].logs, "S4") == 1);  // canary, main, 2 workers
  }
  SECTION("fail_reload: worker 0 gets a new VM; shared data survives it") {
    auto r = run("plugin: {concurrency: 2, failure_policy: fail_reload}" + cases);
    REQUIRE_FALSE(r.error);
    REQUIRE(r.cases.size() == 3);
    CHECK(count(r.cases[1].logs, "init") == 1);      // the new VM's start functions
    CHECK(count(r.cases[1].logs, "vm_start") == 1);  // and its start, nobody else's
    CHECK(count(r.cases[1].logs, "S5") == 1);        // the store kept the other four
    CHECK(count(r.cases[2].logs, "S5") == 1);
  }
}

TEST_CASE("workers: spec keys are checked", "[host][workers]") {
  CHECK_FALSE(ext::testing::parse_spec("plugin: {concurrency: 0}\ncases: []\n", "a"));
  CHECK_FALSE(ext::testing::parse_spec("plugin: {concurrency: 33}\ncases: []\n", "b"));
  auto worker = ext::testing::parse_spec(
      "plugin: {concurrency: 2}\ncases:\n  - worker: 2\n    request: {headers: {a: b}}\n", "c");
  REQUIRE_FALSE(worker);
  CHECK_THAT(worker.error().message(), Catch::Contains("plugin.concurrency - 1 (1)"));
  auto ok = ext::testing::parse_spec(
      "plugin: {concurrency: 2}\ncases:\n  - worker: 1\n    request: {headers: {a: b}}\n", "d");
  REQUIRE(ok);
  CHECK(ok->plugin.concurrency == 2);
  CHECK(ok->cases[0].worker == 1);
}
