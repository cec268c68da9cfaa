// Issue 17's acceptance case: a Rust filter written the official SDK's way that reads request
// headers from on_http_response_headers must FAIL `ext test`, as it panics in Envoy (the
// request map is gone: BAD_ARGUMENT, and the SDK panics on any status it does not expect).
// Built with cargo (offline, no crates) through `ext test DIR`.
#include <catch2/catch.hpp>
#include <filesystem>

#include "ext/util/files.hpp"
#include "support/paths.hpp"

TEST_CASE("ext test: an SDK-style Rust filter reading request headers late fails as in Envoy",
          "[e2e][test][conformance]") {
  ext::test::require_tool("cargo");
  ext::util::TempDir dir("ext-conformance-rust-");
  auto proj = dir.path() / "rust";
  std::filesystem::copy(ext::test::data_dir() / "host" / "rust-sdk-panic", proj,
                        std::filesystem::copy_options::recursive);
  auto r = ext::test::run_ext({"test", proj.string()});
  INFO(r.out << r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.out, Catch::Contains("FAIL reads a request header while responding"));
  CHECK_THAT(r.out, Catch::Contains("trap: proxy_on_response_headers"));
}
