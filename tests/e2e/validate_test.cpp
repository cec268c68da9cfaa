// `ext validate` end to end: exit codes, text report, --json, --strict, bad input.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/artifact/artifact.hpp"
#include "ext/ref/reference.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "ext/wasm/module.hpp"
#include "support/paths.hpp"
#include "support/wasm/fixtures.hpp"

using ext::test::run_ext;
namespace fx = ext::test::wasm;
using nlohmann::json;

namespace {

std::string write(const ext::util::TempDir& dir, const std::string& name, const std::string& b) {
  auto p = dir.path() / name;
  ext::util::write_file_atomic(p, b);
  return p.string();
}

}  // namespace

TEST_CASE("ext validate: a valid module", "[e2e][validate]") {
  ext::util::TempDir dir;
  auto file = write(dir, "filter.wasm", fx::fixture("http_0_2_1"));
  auto r = run_ext({"validate", file});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("abi:       v0.2.1"));
  CHECK_THAT(r.out, Catch::Contains("filter:    http"));
  CHECK_THAT(r.out, Catch::Contains("allocator: proxy_on_memory_allocate"));
  CHECK_THAT(r.out, Catch::Contains("result:    valid (0 errors, 0 warnings)"));

  auto j = run_ext({"--json", "validate", file});
  REQUIRE(j.exit_code == 0);
  auto doc = json::parse(j.out);
  CHECK(doc["valid"] == true);
  CHECK(doc["source_kind"] == "file");
  CHECK(doc["error_count"] == 0);
  CHECK(doc["findings"].empty());
  CHECK(doc["module"]["abi"] == "v0.2.1");
  CHECK(doc["module"]["filter_type"] == "http");
  CHECK(doc["module"]["start"] == "_initialize");
  CHECK(doc["module"]["memory"]["min_pages"] == 2);
  CHECK(doc["module"]["imports"].size() == 5);
  CHECK(doc["module"]["imports"][0] == json({{"module", "env"},
                                             {"name", "proxy_log"},
                                             {"kind", "func"},
                                             {"signature", "(i32,i32,i32)->i32"}}));
  CHECK(doc["module"]["module_digest"].get<std::string>().size() == 71);

  // -v lists every import with its verdict.
  auto v = run_ext({"-v", "validate", file});
  CHECK_THAT(v.out, Catch::Contains("env.proxy_get_header_map_value (i32,i32,i32,i32,i32)->i32"));
}

TEST_CASE("ext validate: errors exit 1 with the rule and the import named", "[e2e][validate]") {
  ext::util::TempDir dir;
  auto file = write(dir, "bad.wasm",
                    fx::assemble(fx::filter_wat("(import \"env\" \"proxy_log_everything\" "
                                                "(func (param i32) (result i32)))",
                                                {"allocator"})));
  auto r = run_ext({"validate", file});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("error [import-unknown]"));
  CHECK_THAT(r.out, Catch::Contains("env.proxy_log_everything"));
  CHECK_THAT(r.out, Catch::Contains("bad env.proxy_log_everything"));
  CHECK_THAT(r.out, Catch::Contains("error [allocator]"));
  CHECK_THAT(r.out, Catch::Contains("invalid (2 errors"));

  auto j = run_ext({"--json", "validate", file});
  CHECK(j.exit_code == 1);
  auto doc = json::parse(j.out);
  CHECK(doc["valid"] == false);
  CHECK(doc["error_count"] == 2);
  std::vector<std::string> rules;
  for (const auto& f : doc["findings"]) rules.push_back(f["rule"]);
  CHECK(rules == std::vector<std::string>{"allocator", "import-unknown"});
  CHECK(doc["findings"][1]["subject"] == "env.proxy_log_everything");
}

TEST_CASE("ext validate: warnings exit 0, or 1 with --strict", "[e2e][validate]") {
  ext::util::TempDir dir;
  auto file = write(dir, "warn.wasm", fx::assemble(fx::filter_wat("(func (export \"_start\"))")));
  auto r = run_ext({"validate", file});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("warning [entry-point-both]"));
  CHECK_THAT(r.out, Catch::Contains("valid (0 errors, 1 warning)"));

  auto s = run_ext({"validate", "--strict", file});
  CHECK(s.exit_code == 1);
  CHECK_THAT(s.out, Catch::Contains("--strict"));

  auto big = run_ext({"--json", "validate", "--max-size", "10", file});
  CHECK(big.exit_code == 0);
  CHECK(json::parse(big.out)["warning_count"] == 2);
}

TEST_CASE("ext validate: bad input is a clear error", "[e2e][validate]") {
  ext::util::TempDir dir;
  SECTION("not wasm") {
    auto r = run_ext({"validate", write(dir, "x.wasm", "#!/bin/sh\necho hi\n")});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("ext: error:"));
    CHECK_THAT(r.err, Catch::Contains("not a WebAssembly module"));
    CHECK(r.out.empty());
  }
  SECTION("truncated") {
    const auto& good = fx::fixture("http_0_2_1");
    auto r = run_ext({"validate", write(dir, "t.wasm", good.substr(0, good.size() - 7))});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("truncated"));
    CHECK_THAT(r.err, Catch::Contains("hint:"));
  }
  SECTION("component") {
    auto r = run_ext({"validate", write(dir, "c.wasm", fx::component_bytes())});
    INFO(r.out << r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("WebAssembly component, not a core module"));
    CHECK_THAT(r.out, Catch::Contains("hint: build a core module"));
    auto j = run_ext({"--json", "validate", write(dir, "c.wasm", fx::component_bytes())});
    auto doc = json::parse(j.out);
    CHECK(doc["module"]["component"] == true);
    CHECK(doc["findings"][0]["rule"] == "component");
  }
  SECTION("no ABI marker") {
    auto r =
        run_ext({"validate", write(dir, "m.wasm", fx::assemble(fx::filter_wat({}, {"marker"})))});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.out, Catch::Contains("error [abi-marker]"));
    CHECK_THAT(r.out, Catch::Contains("abi:       unknown"));
  }
  SECTION("missing file") {
    auto r = run_ext({"validate", (dir.path() / "nope.wasm").string()});
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("nope.wasm"));
  }
  SECTION("no argument is a usage error") {
    auto r = run_ext({"validate"});
    CHECK(r.exit_code == 2);
  }
}

namespace {

// Packs `bytes` into the store at `store_root` in `format` and names it `name`, through the
// library (the artifact and store modules), as `ext build --wasm` would.
void put_module_image(const std::filesystem::path& store_root, const std::string& name,
                      const std::string& bytes, ext::artifact::Format format) {
  ext::util::TempDir tmp;
  auto file = tmp.path() / "plugin.wasm";
  ext::util::write_file_atomic(file, bytes);
  auto info = ext::wasm::read_module(bytes).value();
  ext::store::OciLayoutStore st(store_root);
  ext::artifact::PackOptions o;
  o.format = format;
  o.filter_type = ext::wasm::to_string(info.kind);
  auto packed = ext::artifact::pack(st, file, info, o);
  st.set_name(ext::ref::Reference::parse(name).value(), packed.manifest);
}

}  // namespace

TEST_CASE("ext validate REF: the module of an image in the local store", "[e2e][validate]") {
  ext::util::TempDir dir;
  auto store = dir.path() / "store";
  put_module_image(store, "localhost:5000/filters/http:v1", fx::fixture("http_0_2_1"),
                   ext::artifact::Format::oci);
  put_module_image(store, "localhost:5000/filters/net:compat", fx::fixture("network_0_2_1"),
                   ext::artifact::Format::compat);
  put_module_image(store, "localhost:5000/filters/bad:v1",
                   fx::assemble(fx::filter_wat({}, {"allocator"})), ext::artifact::Format::oci);

  auto r = run_ext({"validate", "localhost:5000/filters/http:v1"}, store);
  INFO(r.out << r.err);
  CHECK(r.exit_code == 0);
  CHECK_THAT(r.out, Catch::Contains("module:    localhost:5000/filters/http:v1"));
  CHECK_THAT(r.out, Catch::Contains("manifest:  sha256:"));
  CHECK_THAT(r.out, Catch::Contains("(oci)"));
  CHECK_THAT(r.out, Catch::Contains("result:    valid"));

  auto j = run_ext({"--json", "validate", "localhost:5000/filters/net:compat"}, store);
  INFO(j.out << j.err);
  REQUIRE(j.exit_code == 0);
  auto doc = json::parse(j.out);
  CHECK(doc["source_kind"] == "image");
  CHECK(doc["layout"] == "compat");
  CHECK(doc["digest"].get<std::string>().rfind("sha256:", 0) == 0);
  CHECK(doc["module"]["filter_type"] == "network");
  CHECK(doc["module"]["module_digest"] ==
        "sha256:" + ext::wasm::read_module(fx::fixture("network_0_2_1"))->sha256);

  auto bad = run_ext({"validate", "localhost:5000/filters/bad:v1"}, store);
  CHECK(bad.exit_code == 1);
  CHECK_THAT(bad.out, Catch::Contains("error [allocator]"));

  auto missing = run_ext({"validate", "localhost:5000/filters/none:v1"}, store);
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err, Catch::Contains("no image localhost:5000/filters/none:v1"));
  CHECK_THAT(missing.err, Catch::Contains("hint: ext list"));
}
