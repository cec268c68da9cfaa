// validate(): the rules of docs/validate.md on assembled fixtures.
#include <catch2/catch.hpp>

#include "ext/wasm/abi_tables.hpp"
#include "ext/wasm/module.hpp"
#include "support/paths.hpp"
#include "support/wasm/fixtures.hpp"

// Everything of this file in its own namespace: its helpers and using-directives stay out of
// the other test files of its unity batch (tests/CMakeLists.txt).
namespace wasm_validate_test {

using namespace ext;
using namespace ext::wasm;
namespace fx = ext::test::wasm;

namespace {

std::vector<Finding> check(const std::string& bytes, const ValidateOptions& opts = {}) {
  auto r = read_module(bytes);
  REQUIRE(r);
  return validate(*r, opts);
}

std::vector<Finding> check_wat(const std::string& extra, const std::vector<std::string>& omit = {},
                               const std::vector<std::string>& flags = {}) {
  return check(fx::assemble(fx::filter_wat(extra, omit), flags));
}

std::vector<std::string> rules(const std::vector<Finding>& f, Severity s) {
  std::vector<std::string> out;
  for (const auto& x : f)
    if (x.severity == s) out.push_back(x.rule);
  return out;
}
std::vector<std::string> errors(const std::vector<Finding>& f) {
  return rules(f, Severity::error);
}
std::vector<std::string> warnings(const std::vector<Finding>& f) {
  return rules(f, Severity::warning);
}

const Finding& only(const std::vector<Finding>& f, const std::string& rule) {
  const Finding* found = nullptr;
  for (const auto& x : f)
    if (x.rule == rule) {
      REQUIRE(found == nullptr);
      found = &x;
    }
  REQUIRE(found != nullptr);
  return *found;
}

using V = std::vector<std::string>;

}  // namespace

TEST_CASE("validate: the valid fixtures have no errors", "[wasm]") {
  auto f = check(fx::fixture("http_0_2_1"));
  CHECK(f.empty());
  CHECK_FALSE(has_errors(f));

  CHECK(check(fx::fixture("network_0_2_1")).empty());
  CHECK(check_wat({}).empty());

  // 0.2.0: no proxy_on_configure is fine (it has on_vm_start).
  CHECK(errors(check(fx::fixture("http_0_2_0"))).empty());
  // 0.1.0: two-parameter header callbacks, () -> i32 continue_request, _start.
  auto v010 = check(fx::fixture("http_0_1_0"));
  CHECK(errors(v010).empty());
  CHECK(warnings(v010).empty());
}

TEST_CASE("validate: component", "[wasm]") {
  auto r = read_module(fx::component_bytes());
  REQUIRE(r);
  auto f = validate(*r);
  REQUIRE(f.size() == 1);
  CHECK(f[0].severity == Severity::error);
  CHECK(f[0].rule == "component");
  CHECK_THAT(f[0].message, Catch::Contains("WebAssembly component, not a core module"));
  CHECK_THAT(f[0].hint, Catch::Contains("wasm32-wasip1"));
  CHECK(has_errors(f));
}

TEST_CASE("validate: ABI marker", "[wasm]") {
  SECTION("missing") {
    auto f = check_wat({}, {"marker"});
    CHECK(errors(f) == V{"abi-marker"});
    CHECK_THAT(only(f, "abi-marker").message, Catch::Contains("proxy_abi_version_0_2_1"));
    CHECK_THAT(only(f, "abi-marker").message,
               Catch::Contains("Missing or unknown Proxy-Wasm ABI version"));
  }
  SECTION("vNEXT marker no host accepts") {
    auto f = check_wat("(func (export \"proxy_abi_version_0_x_x\"))", {"marker"});
    CHECK(errors(f) == V{"abi-marker"});
    CHECK_THAT(only(f, "abi-marker").message, Catch::Contains("proxy_abi_version_0_x_x"));
  }
  SECTION("several markers: first wins, warning") {
    auto f = check_wat("(func (export \"proxy_abi_version_0_2_0\"))");
    CHECK(errors(f).empty());
    CHECK(warnings(f) == V{"abi-marker-multiple"});
    CHECK_THAT(only(f, "abi-marker-multiple").message,
               Catch::Contains("proxy_abi_version_0_2_0 (ABI 0.2.0)"));
  }
  SECTION("marker with params") {
    auto f = check_wat("(func (export \"proxy_abi_version_0_2_1\") (param i32))", {"marker"});
    CHECK(errors(f) == V{"abi-marker-signature"});
    CHECK_THAT(only(f, "abi-marker-signature").message, Catch::Contains("(i32)->()"));
  }
}

TEST_CASE("validate: allocator", "[wasm]") {
  SECTION("missing") {
    auto f = check_wat({}, {"allocator"});
    CHECK(errors(f) == V{"allocator"});
    CHECK_THAT(only(f, "allocator").message, Catch::Contains("proxy_on_memory_allocate"));
    CHECK_THAT(only(f, "allocator").message, Catch::Contains("malloc"));
  }
  SECTION("malloc alone is enough") {
    auto f = check_wat("(func (export \"malloc\") (param i32) (result i32) (i32.const 8))",
                       {"allocator"});
    CHECK(errors(f).empty());
  }
  SECTION("wrong type") {
    auto f = check_wat(
        "(func (export \"proxy_on_memory_allocate\") (param i64) (result i32) "
        "(i32.const 8))",
        {"allocator"});
    CHECK(errors(f) == V{"allocator", "export-signature"});
    CHECK_THAT(only(f, "export-signature").message,
               Catch::Contains("proxy_on_memory_allocate has type (i64)->i32"));
  }
}

TEST_CASE("validate: imports", "[wasm]") {
  SECTION("unknown env import") {
    auto f = check_wat("(import \"env\" \"proxy_make_coffee\" (func (param i32) (result i32)))");
    CHECK(errors(f) == V{"import-unknown"});
    CHECK_THAT(only(f, "import-unknown").message, Catch::Contains("env.proxy_make_coffee"));
    CHECK_THAT(only(f, "import-unknown").message, Catch::Contains("missing import"));
  }
  SECTION("unknown module") {
    auto f = check_wat(
        "(import \"wasi:cli/environment@0.2.0\" \"get-environment\" "
        "(func (param i32)))");
    CHECK(errors(f) == V{"import-module"});
    CHECK_THAT(only(f, "import-module").message,
               Catch::Contains("wasi:cli/environment@0.2.0.get-environment"));
    CHECK_THAT(only(f, "import-module").hint, Catch::Contains("wasm32-wasip1"));
  }
  SECTION("unknown WASI function") {
    auto f = check_wat(
        "(import \"wasi_snapshot_preview1\" \"thread_spawn\" "
        "(func (param i32) (result i32)))");
    CHECK(errors(f) == V{"import-unknown"});
  }
  SECTION("wrong signature") {
    auto f = check_wat(
        "(import \"env\" \"proxy_get_buffer_bytes\" "
        "(func (param i32 i32 i32 i32) (result i32)))");
    CHECK(errors(f) == V{"import-signature"});
    const auto& m = only(f, "import-signature").message;
    CHECK_THAT(m, Catch::Contains("env.proxy_get_buffer_bytes has type (i32,i32,i32,i32)->i32"));
    CHECK_THAT(m, Catch::Contains("(i32,i32,i32,i32,i32)->i32"));
  }
  SECTION("0.1.0 continue_request without a result (the spec's form, not the host's)") {
    auto f = check_wat(
        "(import \"env\" \"proxy_continue_request\" (func))"
        "(func (export \"proxy_abi_version_0_1_0\"))",
        {"marker", "stream"});
    CHECK(errors(f) == V{"import-signature"});
  }
  SECTION("i64 metric delta") {
    CHECK(errors(check_wat("(import \"env\" \"proxy_record_metric\" "
                           "(func (param i32 i64) (result i32)))"))
              .empty());
    CHECK(errors(check_wat("(import \"env\" \"proxy_record_metric\" "
                           "(func (param i32 i32) (result i32)))")) == V{"import-signature"});
  }
  SECTION("imported global") {
    auto f = check_wat("(import \"env\" \"__stack_pointer\" (global (mut i32)))");
    CHECK(errors(f) == V{"import-global"});
    CHECK_THAT(only(f, "import-global").message, Catch::Contains("env.__stack_pointer"));
  }
  SECTION("Emscripten helpers the host registers") {
    CHECK(errors(check_wat("(import \"env\" \"emscripten_notify_memory_growth\" "
                           "(func (param i32)))"
                           "(import \"env\" \"pthread_equal\" "
                           "(func (param i32 i32) (result i32)))"))
              .empty());
  }
  SECTION("WASI under both module names") {
    CHECK(errors(check_wat("(import \"wasi_unstable\" \"random_get\" "
                           "(func (param i32 i32) (result i32)))"
                           "(import \"wasi_snapshot_preview1\" \"proc_exit\" (func (param i32)))"
                           "(import \"wasi_snapshot_preview1\" \"fd_seek\" "
                           "(func (param i32 i64 i32 i32) (result i32)))"))
              .empty());
  }
}

TEST_CASE("validate: imports per ABI version", "[wasm]") {
  auto with_marker = [](const std::string& marker, const std::string& import) {
    return check_wat(import + "(func (export \"proxy_abi_version_" + marker + "\"))",
                     {"marker", "stream"});
  };
  const std::string log_level =
      "(import \"env\" \"proxy_get_log_level\" (func (param i32) (result i32)))";
  const std::string continue_stream =
      "(import \"env\" \"proxy_continue_stream\" (func (param i32) (result i32)))";
  const std::string continue_request =
      "(import \"env\" \"proxy_continue_request\" (func (result i32)))";
  const std::string get_configuration =
      "(import \"env\" \"proxy_get_configuration\" (func (param i32 i32) (result i32)))";

  CHECK(errors(with_marker("0_2_1", log_level)).empty());
  auto f = with_marker("0_2_0", log_level);
  CHECK(errors(f) == V{"import-version"});
  CHECK_THAT(only(f, "import-version").message,
             Catch::Contains("env.proxy_get_log_level is not provided for ABI 0.2.0"));
  CHECK_THAT(only(f, "import-version").message, Catch::Contains("only for 0.2.1"));
  CHECK(errors(with_marker("0_1_0", log_level)) == V{"import-version"});

  CHECK(errors(with_marker("0_2_0", continue_stream)).empty());
  CHECK(errors(with_marker("0_1_0", continue_stream)) == V{"import-version"});

  CHECK(errors(with_marker("0_1_0", continue_request)).empty());
  CHECK(errors(with_marker("0_2_1", continue_request)) == V{"import-version"});
  CHECK(errors(with_marker("0_1_0", get_configuration)).empty());
  CHECK(errors(with_marker("0_2_0", get_configuration)) == V{"import-version"});
}

TEST_CASE("validate: callback signatures", "[wasm]") {
  SECTION("2-param request headers in a 0.2.x module") {
    auto f = check_wat(
        "(func (export \"proxy_on_request_headers\") (param i32 i32) (result i32) "
        "(i32.const 0))",
        {"stream"});
    CHECK(errors(f) == V{"export-signature"});
    const auto& m = only(f, "export-signature").message;
    CHECK_THAT(m, Catch::Contains("proxy_on_request_headers has type (i32,i32)->i32"));
    CHECK_THAT(m, Catch::Contains("(i32,i32,i32)->i32 for ABI 0.2.1"));
  }
  SECTION("3-param response headers in a 0.1.0 module") {
    auto f = check_wat(
        "(func (export \"proxy_abi_version_0_1_0\"))"
        "(func (export \"proxy_on_response_headers\") (param i32 i32 i32) "
        "(result i32) (i32.const 0))",
        {"marker", "stream"});
    CHECK(errors(f) == V{"export-signature"});
  }
  SECTION("void callback returning a value") {
    auto f = check_wat("(func (export \"proxy_on_log\") (param i32) (result i32) (i32.const 0))");
    CHECK(errors(f) == V{"export-signature"});
    CHECK_THAT(only(f, "export-signature").message, Catch::Contains("(i32)->()"));
  }
  SECTION("all the 0.2.1 callbacks with their types") {
    auto f = check_wat(R"(
      (func (export "proxy_on_context_create") (param i32 i32))
      (func (export "proxy_on_configure") (param i32 i32) (result i32) (i32.const 1))
      (func (export "proxy_validate_configuration") (param i32 i32) (result i32) (i32.const 1))
      (func (export "proxy_on_tick") (param i32))
      (func (export "proxy_on_new_connection") (param i32) (result i32) (i32.const 0))
      (func (export "proxy_on_downstream_data") (param i32 i32 i32) (result i32) (i32.const 0))
      (func (export "proxy_on_upstream_data") (param i32 i32 i32) (result i32) (i32.const 0))
      (func (export "proxy_on_downstream_connection_close") (param i32 i32))
      (func (export "proxy_on_upstream_connection_close") (param i32 i32))
      (func (export "proxy_on_request_body") (param i32 i32 i32) (result i32) (i32.const 0))
      (func (export "proxy_on_request_trailers") (param i32 i32) (result i32) (i32.const 0))
      (func (export "proxy_on_request_metadata") (param i32 i32) (result i32) (i32.const 0))
      (func (export "proxy_on_response_headers") (param i32 i32 i32) (result i32) (i32.const 0))
      (func (export "proxy_on_response_body") (param i32 i32 i32) (result i32) (i32.const 0))
      (func (export "proxy_on_response_trailers") (param i32 i32) (result i32) (i32.const 0))
      (func (export "proxy_on_response_metadata") (param i32 i32) (result i32) (i32.const 0))
      (func (export "proxy_on_http_call_response") (param i32 i32 i32 i32 i32))
      (func (export "proxy_on_grpc_receive_initial_metadata") (param i32 i32 i32))
      (func (export "proxy_on_grpc_receive") (param i32 i32 i32))
      (func (export "proxy_on_grpc_receive_trailing_metadata") (param i32 i32 i32))
      (func (export "proxy_on_grpc_close") (param i32 i32 i32))
      (func (export "proxy_on_queue_ready") (param i32 i32))
      (func (export "proxy_on_foreign_function") (param i32 i32 i32))
      (func (export "proxy_on_done") (param i32) (result i32) (i32.const 1))
      (func (export "proxy_on_log") (param i32))
      (func (export "proxy_on_delete") (param i32))
      (func (export "malloc") (param i32) (result i32) (i32.const 0))
      (func (export "main") (param i32 i32) (result i32) (i32.const 0))
    )");
    CHECK(f.empty());
  }
}

TEST_CASE("validate: memory", "[wasm]") {
  SECTION("none") {
    auto f = check_wat({}, {"memory"});
    CHECK(errors(f) == V{"memory-missing"});
  }
  SECTION("not exported") {
    auto f = check_wat("(memory 1)", {"memory"});
    CHECK(errors(f) == V{"memory-missing"});
  }
  SECTION("imported is fine") {
    CHECK(check_wat("(import \"env\" \"memory\" (memory 1))", {"memory"}).empty());
  }
  SECTION("other name") {
    auto f = check_wat("(memory (export \"mem\") 1)", {"memory"});
    CHECK(errors(f).empty());
    CHECK(warnings(f) == V{"memory-name"});
    CHECK_THAT(only(f, "memory-name").message, Catch::Contains("\"mem\""));
  }
  SECTION("shared") {
    auto f = check_wat("(memory (export \"memory\") 1 2 shared)", {"memory"}, {"--enable-threads"});
    CHECK(errors(f) == V{"memory-type"});
    CHECK_THAT(only(f, "memory-type").message, Catch::Contains("shared"));
  }
  SECTION("memory64") {
    auto f = check_wat("(memory (export \"memory\") i64 1)", {"memory"}, {"--enable-memory64"});
    CHECK(errors(f) == V{"memory-type"});
    CHECK_THAT(only(f, "memory-type").message, Catch::Contains("64-bit"));
  }
}

TEST_CASE("validate: warnings", "[wasm]") {
  SECTION("both entry points") {
    auto f = check_wat("(func (export \"_start\"))");
    CHECK(errors(f).empty());
    CHECK(warnings(f) == V{"entry-point-both"});
  }
  SECTION("no entry point") {
    CHECK(warnings(check_wat({}, {"initialize"})) == V{"entry-point-none"});
  }
  SECTION("no root callbacks") {
    CHECK(warnings(check_wat({}, {"root"})) == V{"no-root-callbacks"});
  }
  SECTION("no stream callbacks") {
    auto f = check_wat({}, {"stream"});
    CHECK(warnings(f) == V{"no-stream-callbacks"});
  }
  SECTION("C++ SDK misspelling and unknown callbacks") {
    auto f = check_wat(
        "(func (export \"proxy_on_grpc_trailing_metadata\") (param i32 i32 i32))"
        "(func (export \"proxy_on_request_header\") (param i32 i32 i32) (result i32) "
        "(i32.const 0))");
    CHECK(errors(f).empty());
    CHECK(warnings(f) == V{"grpc-misspelled", "unknown-callback"});
    CHECK_THAT(only(f, "unknown-callback").message, Catch::Contains("proxy_on_request_header "));
  }
  SECTION("callback name on a non-function") {
    auto f = check_wat("(global (export \"proxy_on_tick\") i32 (i32.const 0))");
    CHECK(warnings(f) == V{"export-kind"});
  }
  SECTION("start section") {
    auto f = check_wat("(func $s) (start $s)");
    CHECK(warnings(f) == V{"start-section"});
  }
  SECTION("no name section: information, not a warning (release builds strip it)") {
    auto bytes = ext::test::wat_to_wasm(fx::filter_wat());  // without --debug-names
    auto f = check(bytes);
    CHECK(warnings(f).empty());
    REQUIRE(f.size() == 1);
    CHECK(f[0].rule == "name-section");
    CHECK(f[0].severity == Severity::info);
  }
  SECTION("precompiled, object-file and malformed custom sections") {
    auto bytes = fx::fixture("http_0_2_1");
    auto add = [&](const std::string& name, const std::string& payload) {
      std::string body = std::string(1, char(name.size())) + name + payload;
      bytes += '\x00';
      bytes += char(body.size());
      bytes += body;
    };
    add("precompiled_v8", "xxxx");
    add("linking", std::string("\x02", 1));
    add("producers", std::string("\x07", 1));
    auto f = check(bytes);
    CHECK(errors(f).empty());
    CHECK(warnings(f) == V{"precompiled-section", "object-file", "custom-section"});
  }
  SECTION("module size") {
    ValidateOptions o;
    o.max_module_size = 100;
    auto f = check(fx::fixture("http_0_2_1"), o);
    CHECK(warnings(f) == V{"module-size"});
  }
}

TEST_CASE("validate: errors come before warnings", "[wasm]") {
  auto f = check_wat("(func (export \"_start\"))", {"allocator", "marker"});
  REQUIRE(f.size() == 3);
  CHECK(f[0].severity == Severity::error);
  CHECK(f[1].severity == Severity::error);
  CHECK(f[2].rule == "entry-point-both");
}

TEST_CASE("abi_config_string and names", "[wasm]") {
  CHECK(abi_config_string("0.2.1") == "v0.2.1");
  CHECK(abi_config_string("0.1.0") == "v0.1.0");
  CHECK(abi_config_string("v0.2.0") == "v0.2.0");
  CHECK(abi_config_string("").empty());
  CHECK(std::string(to_string(FilterKind::http)) == "http");
  CHECK(std::string(to_string(FilterKind::network)) == "network");
  CHECK(std::string(to_string(ExternKind::memory)) == "memory");
  CHECK(std::string(to_string(Severity::warning)) == "warning");
}

TEST_CASE("abi::is_wasi_module: the two WASI module names, the one copy validate and the host use",
          "[wasm]") {
  CHECK(abi::is_wasi_module("wasi_snapshot_preview1"));
  CHECK(abi::is_wasi_module("wasi_unstable"));
  CHECK_FALSE(abi::is_wasi_module("env"));
  CHECK_FALSE(abi::is_wasi_module("wasi:cli/environment@0.2.0"));
}

}  // namespace wasm_validate_test
