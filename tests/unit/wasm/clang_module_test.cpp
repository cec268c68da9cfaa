// Real modules: C filters written against the raw ABI, compiled by clang-14 for wasm32-wasi
// (Debian's wasi-libc and wasm32 compiler-rt), read and validated like any user's module.
#include <catch2/catch.hpp>

#include "ext/wasm/module.hpp"
#include "support/wasm/fixtures.hpp"

using namespace ext::wasm;
namespace fx = ext::test::wasm;

namespace {

std::vector<std::string> rules(const std::vector<Finding>& f, Severity s) {
  std::vector<std::string> out;
  for (const auto& x : f)
    if (x.severity == s) out.push_back(x.rule);
  return out;
}

bool has_producer(const ModuleInfo& m, const std::string& field, const std::string& part) {
  for (const auto& [k, v] : m.producers)
    if (k == field && v.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace

TEST_CASE("clang-built HTTP filter (0.2.1, proxy_on_memory_allocate)", "[wasm][clang]") {
  auto bytes = fx::compile_c("http_filter.c");
  auto r = read_module(bytes);
  REQUIRE(r);
  const auto& m = *r;
  CHECK(m.abi_version == "0.2.1");
  CHECK(m.kind == FilterKind::http);
  CHECK(m.memory_exported);
  CHECK(m.memory_export_name == "memory");
  CHECK(m.exports_function("_initialize"));  // -mexec-model=reactor
  CHECK(m.exports_function("proxy_on_memory_allocate"));
  bool saw_log = false;
  for (const auto& i : m.imports) {
    CHECK(i.module == "env");
    if (i.name == "proxy_log") {
      saw_log = true;
      CHECK(i.signature == "(i32,i32,i32)->i32");
    }
  }
  CHECK(saw_log);
  CHECK(has_producer(m, "processed-by", "clang 14"));  // "Debian clang 14.0.6"
  CHECK(has_producer(m, "language", "C99"));

  auto f = validate(m);
  CHECK(rules(f, Severity::error).empty());
  for (const auto& x : f) INFO(x.rule << ": " << x.message);
  // wasm-ld keeps no `name` section at -O2 without -g: the one warning expected.
  for (const auto& w : rules(f, Severity::warning)) CHECK(w == "name-section");
}

TEST_CASE("clang-built network filter (0.2.0, exported libc malloc)", "[wasm][clang]") {
  auto bytes = fx::compile_c("network_filter.c", {"-Wl,--export=malloc"});
  auto r = read_module(bytes);
  REQUIRE(r);
  CHECK(r->abi_version == "0.2.0");
  CHECK(r->kind == FilterKind::network);
  CHECK(r->exports_function("malloc"));
  CHECK_FALSE(r->exports_function("proxy_on_memory_allocate"));
  auto f = validate(*r);
  CHECK(rules(f, Severity::error).empty());

  // The same filter without the allocator export is refused: the host needs one.
  auto no_alloc = read_module(fx::compile_c("network_filter.c"));
  REQUIRE(no_alloc);
  CHECK(rules(validate(*no_alloc), Severity::error) == std::vector<std::string>{"allocator"});
}
