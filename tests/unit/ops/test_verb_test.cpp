// ops::test in-process: an image built from the in-process module (no compiler), its module
// extracted from the local store and run in the built-in host against a spec. No child process.
#include <catch2/catch.hpp>

#include "ext/core/error.hpp"
#include "ext/ops/package.hpp"
#include "ext/ops/test.hpp"
#include "ext/util/files.hpp"
#include "support/ops/ops_env.hpp"
#include "support/wasm/fixtures.hpp"

using namespace ext;
namespace fs = std::filesystem;

TEST_CASE("ops::test REF: the stored image's module runs against the spec", "[ops][test]") {
  test::OpsEnv t;
  t.package_minimal_filter("registry.example/acme/f:v1");

  auto spec = t.dir() / "f.test.yaml";
  util::write_file_atomic(spec,
                          "cases:\n"
                          "  - name: passes through\n"
                          "    request:\n"
                          "      headers: {\":method\": GET, \":path\": /, \":authority\": a}\n"
                          "    expect:\n"
                          "      forwarded: true\n"
                          "      local_response: none\n"
                          "  - name: expects a local reply it does not get\n"
                          "    request:\n"
                          "      headers: {\":method\": GET, \":path\": /, \":authority\": a}\n"
                          "    expect:\n"
                          "      forwarded: false\n");
  ops::TestOptions o;
  o.target = "registry.example/acme/f:v1";
  o.specs = {spec};
  auto r = ops::test(o, t.env);
  CHECK(r.source_kind == "image");
  CHECK(r.report.abi_version == "0.2.1");
  CHECK(r.report.passed == 1);
  CHECK(r.report.failed == 1);
  REQUIRE(r.report.specs.size() == 1);
  REQUIRE(r.report.specs[0].cases.size() == 2);
  CHECK(r.report.specs[0].cases[0].passed);
  CHECK_FALSE(r.report.specs[0].cases[1].passed);
  CHECK(t.runner.calls().empty());
}
