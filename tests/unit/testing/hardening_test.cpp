// Issue 11, runner and spec parser: no log line, pattern or spec of any size crashes or exhausts
// ext; and (issue 17) a spec that passes once passes with --repeat N.
#include <catch2/catch.hpp>
#include <chrono>

#include "ext/testing/runner.hpp"
#include "ext/testing/spec.hpp"
#include "ext/util/regex.hpp"
#include "support/paths.hpp"

using namespace ext::testing;
using ext::util::Regex;

namespace {

bool matches(const std::string& pattern, const std::string& text) {
  auto re = Regex::compile(pattern);
  if (!re) FAIL(re.error().message());
  uint64_t steps = 100'000'000;
  auto r = re->search(text, steps);
  REQUIRE(r);
  return *r;
}

// A filter that logs `size` bytes of 'a' (then `tail`) from proxy_on_request_headers.
std::string logging_filter(uint32_t size, const std::string& tail) {
  std::string wat = R"((module
 (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
 (memory (export "memory") 8)
 (func (export "proxy_abi_version_0_2_1"))
 (func (export "malloc") (param i32) (result i32) (i32.const 4096))
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32)
   (memory.fill (i32.const 65536) (i32.const 97) (i32.const SIZE))
   (memory.init 0 (i32.add (i32.const 65536) (i32.const SIZE)) (i32.const 0) (i32.const TAIL))
   (drop (call $log (i32.const 2) (i32.const 65536) (i32.add (i32.const SIZE) (i32.const TAIL))))
   (i32.const 0))
 (data "DATA")))";
  auto put = [&](const std::string& key, const std::string& value) {
    for (size_t p; (p = wat.find(key)) != std::string::npos;) wat.replace(p, key.size(), value);
  };
  put("SIZE", std::to_string(size));
  put("TAIL", std::to_string(tail.size()));
  put("DATA", tail);
  return ext::test::wat_to_wasm(wat);
}

}  // namespace

TEST_CASE("regex: the documented subset matches as ECMAScript would", "[testing]") {
  CHECK(matches("a+$", "xxaaa"));
  CHECK_FALSE(matches("a+$", "aaab"));
  CHECK(matches("^denied .*admin", "denied GET /admin"));
  CHECK_FALSE(matches("^denied", "not denied"));
  CHECK(matches("x-[a-f0-9]{4}\\b", "id x-12ab here"));
  CHECK_FALSE(matches("x-[a-f0-9]{4}\\b", "id x-12abc"));
  CHECK(matches("(get|post) /(?:api|v1)/\\d+", "post /v1/42"));
  CHECK(matches("[^a-z]", "abc1"));
  CHECK_FALSE(matches("[^a-z]", "abc"));
  CHECK(matches("\\s\\S\\w\\W\\.", " x_-."));
  CHECK(matches("colou?r", "color"));
  CHECK(matches("a{2,}", "baab"));
  CHECK_FALSE(matches("a{3}", "baab"));
  CHECK(matches("", "anything"));
  CHECK(matches("(a*)*b", std::string(5000, 'a') + "b"));
  for (const char* bad : {"(a", "a)", "[a", "*a", "\\1", "(?=a)", "a{5,2}", "\\p{L}", "a{2000}"}) {
    INFO(bad);
    CHECK_FALSE(Regex::compile(bad));
  }
}

TEST_CASE("regex: a 200,000-character log line with a+$ neither crashes nor crawls", "[testing]") {
  auto re = Regex::compile("a+$");
  REQUIRE(re);
  std::string line(200'000, 'a');
  // Both answers within 100,000,000 steps for 200,000 characters: linear, where a backtracking
  // matcher would need about 2 x 10^10 (a budget that runs out gives no answer).
  uint64_t steps = 100'000'000;
  CHECK(re->search(line, steps) == std::optional<bool>(true));
  line += 'b';
  CHECK(re->search(line, steps) == std::optional<bool>(false));
  // A budget that runs out is an answer too, never a hang.
  uint64_t few = 1000;
  CHECK_FALSE(re->search(line, few).has_value());

  // Through the runner, on a real module's log line (std::regex_search overflowed the stack).
  auto wasm = logging_filter(200'000, "b");
  auto spec = parse_spec(R"(cases:
  - request: {headers: {":path": /}}
    expect:
      logs: [{regex: "a+b$"}]
      logs_absent: [{regex: "a+$"}]
)",
                         "r");
  REQUIRE(spec);
  auto report = run(wasm, {*spec}, {});
  CHECK(report.passed == 1);
  // regex_steps bounds the work and names itself.
  auto tight = parse_spec(R"(plugin: {limits: {regex_steps: 1000}}
cases:
  - request: {headers: {":path": /}}
    expect: {logs: [{regex: "c"}]}
)",
                          "t");
  REQUIRE(tight);
  auto r2 = run(wasm, {*tight}, {});
  REQUIRE(r2.failed == 1);
  CHECK_THAT(r2.specs[0].cases[0].failures[0], Catch::Contains("regex_steps"));
  // An unsupported pattern is a spec error with its line.
  auto bad = parse_spec("cases:\n  - expect:\n      logs: [{regex: \"(?=x)\"}]\n", "b");
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message(), Catch::Contains("b:3") && Catch::Contains("lookaround"));
}

TEST_CASE("spec: a YAML alias bomb in configuration is refused, not expanded", "[testing]") {
  std::string bomb = "plugin:\n  configuration:\n    a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'j'; ++c) {
    std::string name(1, c);
    bomb += "    " + name + ": &" + name + " [";
    for (int i = 0; i < 10; ++i) bomb += (i ? ", *" : "*") + prev;
    bomb += "]\n";
    prev = name;
  }
  bomb += "cases: []\n";
  CHECK(bomb.size() < 2048);
  // The alias budget, not a clock, is what bounds it (a wall-clock limit failed under ASan); the
  // error names where (ext::yaml: file:line:col) and the limit.
  auto s = parse_spec(bomb, "bomb.yaml");
  REQUIRE_FALSE(s);
  CHECK_THAT(s.error().message(), Catch::Matches("bomb\\.yaml:[0-9]+:[0-9]+: .*") &&
                                      Catch::Contains("limit max_alias_nodes = 100000"));

  std::string deep = "plugin:\n  configuration: " + std::string(300, '[') + std::string(300, ']') +
                     "\ncases: []\n";
  auto d = parse_spec(deep, "deep.yaml");
  REQUIRE_FALSE(d);
  CHECK_THAT(d.error().message(), Catch::Contains("limit max_depth = 128"));
}

TEST_CASE("runner: a spec that passes once passes with --repeat N", "[testing]") {
  // The start-up log (from proxy_on_vm_start) belongs to the first case on the VM: every
  // repetition of that case sees it.
  auto wasm = ext::test::wat_to_wasm(R"((module
 (import "env" "proxy_log" (func $log (param i32 i32 i32) (result i32)))
 (memory (export "memory") 1)
 (data (i32.const 0) "started")
 (func (export "proxy_abi_version_0_2_1"))
 (func (export "malloc") (param i32) (result i32) (i32.const 4096))
 (func (export "proxy_on_context_create") (param i32 i32))
 (func (export "proxy_on_vm_start") (param i32 i32) (result i32)
   (drop (call $log (i32.const 2) (i32.const 0) (i32.const 7))) (i32.const 1))
 (func (export "proxy_on_request_headers") (param i32 i32 i32) (result i32) (i32.const 0))))");
  auto spec = parse_spec(R"(cases:
  - name: start-up logged
    request: {headers: {":path": /}}
    expect: {logs: [started]}
  - name: second
    request: {headers: {":path": /}}
    expect: {logs_absent: [started]}
)",
                         "rep");
  REQUIRE(spec);
  RunOptions once;
  CHECK(run(wasm, {*spec}, once).passed == 2);
  RunOptions twice;
  twice.repeat = 3;
  auto r = run(wasm, {*spec}, twice);
  CHECK(r.passed == 2);
  CHECK(r.failed == 0);
}
