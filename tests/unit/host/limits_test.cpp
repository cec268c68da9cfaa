// Issue 11, host part: every resource a module controls is bounded, and exceeding a bound fails
// the case with a message naming the limit (docs/test-spec.md "Limits"). Each case here hung,
// crashed or ate gigabytes before.
#include <sys/resource.h>

#include <catch2/catch.hpp>
#include <chrono>

#include "ext/host/host.hpp"
#include "ext/testing/runner.hpp"
#include "ext/testing/spec.hpp"
#include "support/paths.hpp"

// Everything of this file in its own namespace: its helpers and using-directives stay out of
// the other test files of its unity batch (tests/CMakeLists.txt).
namespace host_limits_test {

using namespace ext::host;

namespace {

std::string module_wat(const std::string& body) {
  return ext::test::wat_to_wasm(
      "(module\n" + body +
      "\n (func (export \"proxy_abi_version_0_2_1\"))\n"
      " (func (export \"malloc\") (param i32) (result i32) (i32.const 4096))\n)");
}

// A filter whose proxy_on_request_headers runs `code` (memory exported, 2 pages unless given).
std::string filter_wat(const std::string& imports, const std::string& code,
                       const std::string& memory = "(memory (export \"memory\") 2)") {
  return module_wat(imports + "\n" + memory +
                    "\n (func (export \"proxy_on_context_create\") (param i32 i32))\n"
                    " (func (export \"proxy_on_request_headers\") (param i32 i32 i32) (result "
                    "i32)\n" +
                    code + "\n  (i32.const 0))");
}

HttpInput get() {
  HttpInput in;
  in.request_headers = {{":method", "GET"}, {":path", "/"}, {":authority", "a"}};
  in.response_headers = {{":status", "200"}};
  return in;
}

long rss_max_kib() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return u.ru_maxrss;
}

}  // namespace

TEST_CASE("limits: a looping start section is stopped by the instruction budget", "[host]") {
  auto wasm = module_wat(R"(
 (memory (export "memory") 1)
 (func $spin (loop $l (br $l)))
 (start $spin))");
  HostOptions o;
  o.limits.instruction_budget = 2'000'000;
  // The budget ends the loop (a hang would be CTest's timeout, not a timed assertion).
  auto h = Host::create(wasm, o);
  REQUIRE_FALSE(h);
  CHECK_THAT(h.error().message(),
             Catch::Contains("start function") && Catch::Contains("instruction budget"));
}

TEST_CASE("limits: tables over V8's 10,000,000 entries do not load", "[host]") {
  auto big = module_wat("(memory (export \"memory\") 1) (table 100000000 funcref)");
  auto h = Host::create(big, {});
  REQUIRE_FALSE(h);
  CHECK_THAT(h.error().message(), Catch::Contains("table_elements"));
  // Growing past the limit fails (table.grow returns -1) instead of allocating.
  auto grow = filter_wat("(table $t 1 funcref)", R"(
  (if (i32.ne (table.grow $t (ref.null func) (i32.const 20000000)) (i32.const -1)) (then unreachable)))");
  auto g = Host::create(grow, {});
  REQUIRE(g);
  auto out = (*g)->run_http(get());
  CHECK_FALSE(out.error);
}

TEST_CASE("limits: bytes per hostcall and per case (logs, headers, WASI writes)", "[host]") {
  long before = rss_max_kib();
  SECTION("100 x proxy_log of 64 MiB fails naming hostcall_bytes") {
    auto wasm =
        filter_wat(R"((import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32))))",
                   R"(
  (local $i i32)
  (loop $l
    (drop (call $log (i32.const 2) (i32.const 0) (i32.const 67108864)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $i) (i32.const 100)))))",
                   "(memory (export \"memory\") 1025)");
    HostOptions o;
    o.limits.max_memory_pages = 2048;
    auto h = Host::create(wasm, o);
    REQUIRE(h);
    auto out = (*h)->run_http(get());
    REQUIRE(out.error);
    CHECK_THAT(*out.error, Catch::Contains("hostcall_bytes") && Catch::Contains("proxy_log"));
  }
  SECTION("many 1 MiB logs fail naming case_bytes") {
    auto wasm =
        filter_wat(R"((import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32))))",
                   R"(
  (local $i i32)
  (loop $l
    (drop (call $log (i32.const 2) (i32.const 0) (i32.const 1048576)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $i) (i32.const 1000)))))",
                   "(memory (export \"memory\") 17)");
    auto h = Host::create(wasm, {});
    REQUIRE(h);
    auto out = (*h)->run_http(get());
    REQUIRE(out.error);
    CHECK_THAT(*out.error, Catch::Contains("case_bytes"));
  }
  SECTION("100,000 header adds fail naming header_entries") {
    auto wasm = filter_wat(
        R"((import "env" "proxy_add_header_map_value" (func $add (param i32 i32 i32 i32 i32) (result i32)))
 (data (i32.const 0) "x-a"))",
        R"(
  (local $i i32)
  (loop $l
    (drop (call $add (i32.const 0) (i32.const 0) (i32.const 3) (i32.const 0) (i32.const 3)))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $i) (i32.const 100000)))))");
    auto h = Host::create(wasm, {});
    REQUIRE(h);
    auto out = (*h)->run_http(get());
    REQUIRE(out.error);
    CHECK_THAT(*out.error, Catch::Contains("header_entries"));
  }
  SECTION("one fd_write with 1,024 iovecs over 64 MiB each fails before copying") {
    // iovec i at 16 + 8*i: {buf 0, len 64 MiB}.
    auto wasm = filter_wat(
        R"((import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32))))",
        R"(
  (local $i i32)
  (loop $l
    (i32.store (i32.add (i32.const 16) (i32.mul (local.get $i) (i32.const 8))) (i32.const 0))
    (i32.store (i32.add (i32.const 20) (i32.mul (local.get $i) (i32.const 8))) (i32.const 67108864))
    (local.set $i (i32.add (local.get $i) (i32.const 1)))
    (br_if $l (i32.lt_u (local.get $i) (i32.const 1024))))
  (drop (call $w (i32.const 1) (i32.const 16) (i32.const 1024) (i32.const 8))))",
        "(memory (export \"memory\") 1025)");
    HostOptions o;
    o.limits.max_memory_pages = 2048;
    auto h = Host::create(wasm, o);
    REQUIRE(h);
    auto out = (*h)->run_http(get());
    REQUIRE(out.error);
    CHECK_THAT(*out.error, Catch::Contains("hostcall_bytes") && Catch::Contains("fd_write"));
  }
  // The module's own 64 MiB of memory is the bulk; nothing close to gigabytes.
  CHECK(rss_max_kib() - before < 512 * 1024);
}

TEST_CASE("limits: advance_ms fires at most ticks_per_advance ticks", "[host]") {
  auto wasm = module_wat(R"(
 (import "env" "proxy_set_tick_period_milliseconds" (func $tick (param i32) (result i32)))
 (memory (export "memory") 1)
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
   (drop (call $tick (i32.const 1))) (i32.const 1))
 (func (export "proxy_on_tick") (param i32)))");
  auto h = Host::create(wasm, {});
  REQUIRE(h);
  auto r = (*h)->advance(100'000'000'000ull);
  REQUIRE_FALSE(r);
  CHECK_THAT(r.error().message(), Catch::Contains("ticks_per_advance"));
  // Refused after the limit's ticks, not after the 100,000,000 the period would give.
  size_t ticks = 0;
  for (const auto& cb : (*h)->root_callbacks()) ticks += cb.name == "proxy_on_tick";
  CHECK(ticks <= 10'000);
  // Within the limit the ticks fire, one per period.
  CHECK((*h)->advance(50));
}

TEST_CASE("limits: plugin.limits keys reach the host", "[host][testing]") {
  using namespace ext::testing;
  auto wasm =
      filter_wat(R"((import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32))))",
                 R"((drop (call $log (i32.const 2) (i32.const 0) (i32.const 2048))))");
  auto spec = parse_spec(R"Y(plugin:
  limits: {hostcall_bytes: 1024}
cases:
  - name: too big
    request: {headers: {":path": /}}
    expect: {trap: "hostcall_bytes (1024)"}
)Y",
                         "l");
  REQUIRE(spec);
  auto report = run(wasm, {*spec}, {});
  CHECK(report.passed == 1);
  // By default a module gets as much linear memory as Envoy gives it (1 GiB), no less.
  CHECK(ext::host::VmLimits{}.max_memory_pages == ext::host::k_envoy_max_memory_pages);
  auto bad = parse_spec("plugin: {limits: {memory_bytes: 2000000000}}\ncases: []\n", "m");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message(), Catch::Contains("1 GiB"));
  auto typo = parse_spec("plugin: {limits: {instructionz: 5}}\ncases: []\n", "t");
  REQUIRE_FALSE(typo);
  CHECK_THAT(typo.error().message(), Catch::Contains("unknown key \"instructionz\""));
}

}  // namespace host_limits_test
