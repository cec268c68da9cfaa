// read_module: facts from valid modules, and clear parse errors for bad input.
#include <catch2/catch.hpp>

#include "ext/digest/digest.hpp"
#include "ext/util/files.hpp"
#include "ext/wasm/module.hpp"
#include "support/wasm/fixtures.hpp"

using namespace ext;
using namespace ext::wasm;
namespace fx = ext::test::wasm;

namespace {

const Import* find_import(const ModuleInfo& m, const std::string& name) {
  for (const auto& i : m.imports)
    if (i.name == name) return &i;
  return nullptr;
}
const Export* find_export(const ModuleInfo& m, const std::string& name) {
  for (const auto& e : m.exports)
    if (e.name == name) return &e;
  return nullptr;
}

}  // namespace

TEST_CASE("read_module: a 0.2.1 HTTP filter", "[wasm]") {
  const auto& bytes = fx::fixture("http_0_2_1");
  auto r = read_module(bytes);
  REQUIRE(r);
  const auto& m = *r;
  CHECK(m.size == bytes.size());
  CHECK(m.sha256 == digest::sha256(bytes).hex());
  CHECK_FALSE(m.is_component);
  CHECK(m.abi_version == "0.2.1");
  CHECK(m.kind == FilterKind::http);

  REQUIRE(m.imports.size() == 5);
  CHECK(m.imports[0].module == "env");
  CHECK(m.imports[0].name == "proxy_log");
  CHECK(m.imports[0].kind == ExternKind::func);
  CHECK(m.imports[0].signature == "(i32,i32,i32)->i32");
  CHECK(find_import(m, "proxy_get_header_map_value")->signature == "(i32,i32,i32,i32,i32)->i32");
  CHECK(find_import(m, "clock_time_get")->module == "wasi_snapshot_preview1");
  CHECK(find_import(m, "clock_time_get")->signature == "(i32,i64,i32)->i32");

  CHECK(find_export(m, "proxy_abi_version_0_2_1")->signature == "()->()");
  CHECK(find_export(m, "proxy_on_memory_allocate")->signature == "(i32)->i32");
  CHECK(find_export(m, "proxy_on_context_create")->signature == "(i32,i32)->()");
  CHECK(find_export(m, "proxy_on_request_headers")->signature == "(i32,i32,i32)->i32");
  CHECK(find_export(m, "memory")->kind == ExternKind::memory);
  CHECK(find_export(m, "memory")->signature.empty());
  CHECK(m.exports_function("proxy_on_vm_start"));
  CHECK_FALSE(m.exports_function("memory"));  // a memory, not a function
  CHECK_FALSE(m.exports_function("proxy_on_tick"));

  CHECK(m.memory_exported);
  CHECK(m.memory_export_name == "memory");
  CHECK_FALSE(m.memory_imported);
  CHECK(m.memory_min_pages == 2);
  CHECK(m.memory_max_pages == 16);
  CHECK_FALSE(m.memory_shared);
  CHECK_FALSE(m.memory64);
  CHECK(m.memory_count == 1);
  CHECK_FALSE(m.has_start_section);
  CHECK(m.custom_sections == std::vector<std::string>{"name"});
  CHECK(m.custom_section_sizes.size() == 1);
  CHECK(m.custom_section_sizes[0] > 0);
}

TEST_CASE("read_module: ABI versions and filter kinds", "[wasm]") {
  auto v020 = read_module(fx::fixture("http_0_2_0"));
  REQUIRE(v020);
  CHECK(v020->abi_version == "0.2.0");
  CHECK(v020->kind == FilterKind::http);
  CHECK_FALSE(v020->memory_max_pages.has_value());

  auto v010 = read_module(fx::fixture("http_0_1_0"));
  REQUIRE(v010);
  CHECK(v010->abi_version == "0.1.0");
  CHECK(v010->kind == FilterKind::http);
  CHECK(find_export(*v010, "proxy_on_request_headers")->signature == "(i32,i32)->i32");
  CHECK(find_import(*v010, "proxy_continue_request")->signature == "()->i32");

  auto net = read_module(fx::fixture("network_0_2_1"));
  REQUIRE(net);
  CHECK(net->abi_version == "0.2.1");
  CHECK(net->kind == FilterKind::network);
  CHECK(find_import(*net, "proxy_increment_metric")->signature == "(i32,i64)->i32");
  CHECK(find_import(*net, "fd_write")->module == "wasi_unstable");
}

TEST_CASE("read_module: both sets of callbacks (SDKs export all) need a declared type", "[wasm]") {
  auto bytes = fx::assemble(fx::filter_wat(
      "(func (export \"proxy_on_new_connection\") (param i32) (result i32) (i32.const 0))"));
  auto r = read_module(bytes);
  REQUIRE(r);
  CHECK(r->kind == FilterKind::both);
  // Nothing declared: an error asking for the type, never a guess.
  auto guess = resolve_filter_type(*r, std::nullopt, "--filter-type");
  REQUIRE_FALSE(guess);
  CHECK(guess.error().hint().find("--filter-type") != std::string::npos);
  CHECK(*resolve_filter_type(*r, FilterKind::network, "x") == FilterKind::network);
  CHECK(*resolve_filter_type(*r, FilterKind::http, "x") == FilterKind::http);
  // A declared type the exports do not back is refused.
  auto http_only = read_module(fx::assemble(fx::filter_wat()));
  REQUIRE(http_only);
  CHECK(*resolve_filter_type(*http_only, std::nullopt, "x") == FilterKind::http);
  CHECK_FALSE(resolve_filter_type(*http_only, FilterKind::network, "x"));
  CHECK(*parse_filter_type("NETWORK") == FilterKind::network);
  CHECK_FALSE(parse_filter_type("udp"));

  auto none = read_module(fx::assemble(fx::filter_wat({}, {"stream"})));
  REQUIRE(none);
  CHECK(none->kind == FilterKind::unknown);
}

TEST_CASE("read_module: the first ABI marker in export order wins", "[wasm]") {
  auto r =
      read_module(fx::assemble(fx::filter_wat("(func (export \"proxy_abi_version_0_1_0\"))", {})));
  REQUIRE(r);
  // filter_wat puts `extra` before its own 0_2_1 marker.
  CHECK(r->abi_version == "0.1.0");

  auto none = read_module(fx::assemble(fx::filter_wat({}, {"marker"})));
  REQUIRE(none);
  CHECK(none->abi_version.empty());

  // A global named like a marker is not a marker (the host checks kind == func).
  auto global = read_module(fx::assemble(fx::filter_wat(
      "(global (export \"proxy_abi_version_0_2_0\") i32 (i32.const 0))", {"marker"})));
  REQUIRE(global);
  CHECK(global->abi_version.empty());
}

TEST_CASE("read_module: imported memory, globals, start section, multi-value", "[wasm]") {
  auto r = read_module(fx::assemble(R"((module
    (import "env" "memory" (memory 1 2))
    (import "env" "g" (global i32))
    (func $s)
    (start $s)
    (func (export "pair") (param i64 f32 f64) (result i32 i64) (i32.const 0) (i64.const 0))
  ))"));
  REQUIRE(r);
  CHECK(r->memory_imported);
  CHECK_FALSE(r->memory_exported);
  CHECK(r->memory_min_pages == 1);
  CHECK(r->memory_max_pages == 2);
  CHECK(r->has_start_section);
  REQUIRE(r->imports.size() == 2);
  CHECK(r->imports[0].kind == ExternKind::memory);
  CHECK(r->imports[1].kind == ExternKind::global);
  CHECK(r->imports[1].signature == "i32");
  CHECK(find_export(*r, "pair")->signature == "(i64,f32,f64)->(i32,i64)");
}

TEST_CASE("read_module: shared and 64-bit memories are read, not rejected", "[wasm]") {
  auto shared = read_module(
      fx::assemble("(module (memory (export \"memory\") 1 2 shared))", {"--enable-threads"}));
  REQUIRE(shared);
  CHECK(shared->memory_shared);
  auto m64 = read_module(
      fx::assemble("(module (memory (export \"memory\") i64 1))", {"--enable-memory64"}));
  REQUIRE(m64);
  CHECK(m64->memory64);
}

TEST_CASE("read_module: producers section", "[wasm]") {
  // producers := vec(field vec(name version)) [TC ProducersSection.md]; the wasmparser example.
  static const char k_payload[] =
      "\x01\x08language\x02\x03wat\x01"
      "1\x01"
      "C\x03"
      "9.0";
  std::string payload(k_payload, sizeof k_payload - 1);
  std::string section;
  section += '\x09';
  section += "producers";
  section += payload;
  std::string bytes = fx::fixture("http_0_2_1");
  bytes += '\x00';
  bytes += static_cast<char>(section.size());
  bytes += section;
  auto r = read_module(bytes);
  REQUIRE(r);
  using P = std::pair<std::string, std::string>;
  CHECK(r->producers == std::vector<P>{{"language", "wat 1"}, {"language", "C 9.0"}});
  CHECK(r->custom_sections.back() == "producers");
  CHECK(r->custom_section_sizes.back() == payload.size());
  CHECK(r->custom_section_problems.empty());

  // A malformed producers section is reported, never fatal (tool-conventions ProducersSection.md).
  std::string bad = fx::fixture("http_0_2_1");
  bad += std::string("\x00\x0c\x09producers\x05\x01", 14);
  auto rb = read_module(bad);
  REQUIRE(rb);
  CHECK(rb->producers.empty());
  REQUIRE(rb->custom_section_problems.size() == 1);
  CHECK_THAT(rb->custom_section_problems[0], Catch::Contains("producers"));
}

TEST_CASE("read_module: a component is detected, not parsed", "[wasm]") {
  auto r = read_module(fx::component_bytes());
  REQUIRE(r);
  CHECK(r->is_component);
  CHECK(r->abi_version.empty());
  CHECK(r->imports.empty());
}

TEST_CASE("read_module: bad input is a parse error with a clear message", "[wasm]") {
  auto expect_parse = [](std::string_view bytes, const std::string& needle) {
    auto r = read_module(bytes);
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::parse);
    CHECK_THAT(r.error().message(), Catch::Contains(needle));
  };
  SECTION("empty") {
    expect_parse("", "the file is empty");
  }
  SECTION("not wasm") {
    expect_parse("hello world, not wasm", "not a WebAssembly module");
  }
  SECTION("ELF") {
    expect_parse(std::string("\x7f"
                             "ELF\x02\x01\x01",
                             7),
                 "ELF");
  }
  SECTION("wat text") {
    expect_parse("(module)", "wat2wasm");
  }
  SECTION("short preamble") {
    expect_parse(std::string("\0asm\x01", 5), "truncated");
  }
  SECTION("wrong version") {
    expect_parse(std::string("\0asm\x02\x00\x00\x00", 8), "unsupported WebAssembly binary version");
  }
  SECTION("truncated module") {
    const auto& good = fx::fixture("http_0_2_1");
    auto r = read_module(std::string_view(good).substr(0, good.size() / 2));
    REQUIRE_FALSE(r);
    CHECK(r.error().code() == Errc::parse);
    CHECK_THAT(r.error().message(), Catch::Contains("truncated or malformed"));
    CHECK_THAT(r.error().message(), Catch::Contains("offset"));
    CHECK_FALSE(r.error().hint().empty());
  }
  SECTION("section size past the end") {
    expect_parse(std::string("\0asm\x01\x00\x00\x00\x01\x7f\x00", 11), "WebAssembly module");
  }
  SECTION("overlong LEB128") {
    expect_parse(std::string("\0asm\x01\x00\x00\x00\x01\xff\xff\xff\xff\x7f", 14),
                 "WebAssembly module");
  }
  SECTION("sections out of order") {
    // export section (7) then type section (1)
    expect_parse(std::string("\0asm\x01\x00\x00\x00\x07\x01\x00\x01\x01\x00", 14),
                 "WebAssembly module");
  }
  SECTION("huge count") {
    // type section claiming 2^32-1 entries in 5 bytes
    expect_parse(std::string("\0asm\x01\x00\x00\x00\x01\x05\xff\xff\xff\xff\x0f", 15),
                 "WebAssembly module");
  }
  SECTION("duplicate export") {
    std::string bytes = fx::fixture("http_0_2_1");
    // Rebuild a module with two exports of the same name by hand:
    // type ()->(); func 0; export "a" func 0 twice; code.
    std::string m("\0asm\x01\x00\x00\x00", 8);
    m += std::string("\x01\x04\x01\x60\x00\x00", 6);  // type section
    m += std::string("\x03\x02\x01\x00", 4);          // function section
    m += std::string(
        "\x07\x09\x02\x01"
        "a\x00\x00\x01"
        "a\x00\x00",
        11);                                          // exports
    m += std::string("\x0a\x04\x01\x02\x00\x0b", 6);  // code
    expect_parse(m, "duplicate export name \"a\"");
  }
}

TEST_CASE("read_module_file: reads a file and names it in errors", "[wasm]") {
  util::TempDir dir;
  auto good = dir.path() / "good.wasm";
  util::write_file_atomic(good, fx::fixture("network_0_2_1"));
  auto r = read_module_file(good);
  REQUIRE(r);
  CHECK(r->abi_version == "0.2.1");

  auto bad = dir.path() / "bad.wasm";
  util::write_file_atomic(bad, "garbage");
  auto rb = read_module_file(bad);
  REQUIRE_FALSE(rb);
  CHECK(rb.error().code() == Errc::parse);
  CHECK_THAT(rb.error().message(), Catch::Contains("bad.wasm"));

  auto missing = read_module_file(dir.path() / "missing.wasm");
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code() == Errc::not_found);
}
