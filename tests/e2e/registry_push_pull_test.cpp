// End to end: ext build --wasm, push, pull, tags, catalog, tag --remote against a real
// docker-registry on loopback (plain HTTP, automatic for 127.0.0.1).
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ext/digest/digest.hpp"
#include "ext/util/files.hpp"
#include "support/expect.hpp"
#include "support/paths.hpp"
#include "support/registry/registry_server.hpp"

using ext::test::json_ok;
using ext::test::unique;

using namespace ext;
using ext::test::RegistryServer;
using ext::test::run_ext;

namespace {

std::filesystem::path build_module(const util::TempDir& dir) {
  auto wasm = dir.path() / "filter.wasm";
  auto wat = util::read_file(test::data_dir() / "artifact" / "http_filter.wat");
  util::write_file_atomic(wasm, test::wat_to_wasm(wat, {"--debug-names"}));
  return wasm;
}

}  // namespace

TEST_CASE("ext push, then ext pull -o, round-trips the module", "[registry][e2e]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  util::TempDir dir;
  auto wasm = build_module(dir);
  auto store = dir.path() / "store";
  auto ref = server.host() + "/" + unique("e2e/filter") + ":v1";
  auto b = run_ext({"build", "--wasm", wasm.string(), "-t", ref, "--root-id", "r1"}, store);
  REQUIRE(b.exit_code == 0);

  auto p = json_ok(run_ext({"--json", "push", ref, "-t", "v2", "-t", "latest"}, store));
  auto module_sha = digest::sha256_file(wasm).hex();
  CHECK(p["module_digest"] == "sha256:" + module_sha);
  CHECK(p["digest"].get<std::string>().rfind("sha256:", 0) == 0);
  CHECK(p["tags"] == nlohmann::json({"v1", "v2", "latest"}));
  CHECK(p["blobs_uploaded"].get<int>() >= 3);

  SECTION("pushing again sends no blob bytes") {
    // (How fast that is, is measured by scripts/bench, not asserted here.)
    auto again = json_ok(run_ext({"--json", "push", ref}, store));
    CHECK(again["blobs_uploaded"] == 1);  // the manifest PUT only
    CHECK(again["bytes_uploaded"].get<uint64_t>() < 2000);
    CHECK(again["digest"] == p["digest"]);
  }
  SECTION("pull into an empty store and write the module") {
    auto store2 = dir.path() / "store2";
    auto out = dir.path() / "out" / "plugin.wasm";
    std::filesystem::create_directories(out.parent_path());
    auto pl = json_ok(run_ext({"--json", "pull", ref, "-o", out.string()}, store2));
    CHECK(pl["digest"] == p["digest"]);
    CHECK(pl["layout"] == "oci");
    CHECK(pl["module_digest"] == "sha256:" + module_sha);
    CHECK(digest::sha256_file(out).hex() == module_sha);
    // Pull by digest; every blob is present already: only the manifest is read again (to walk
    // the graph and record the new name), no config or layer moves.
    auto name = ref.substr(0, ref.rfind(':'));
    auto byd =
        json_ok(run_ext({"--json", "pull", name + "@" + p["digest"].get<std::string>()}, store2));
    CHECK(byd["blobs_fetched"] == 1);
    CHECK(byd["blobs_skipped"] == 2);
    CHECK(byd["bytes_fetched"].get<uint64_t>() < 2000);
  }
  SECTION("tags lists every tag") {
    auto name = ref.substr(0, ref.rfind(':'));
    auto t = json_ok(run_ext({"--json", "tags", name, "--page-size", "1"}, store));
    auto tags = t["tags"].get<std::vector<std::string>>();
    std::sort(tags.begin(), tags.end());
    CHECK(tags == std::vector<std::string>{"latest", "v1", "v2"});
  }
  SECTION("catalog --details shows the wasm layout and ABI") {
    auto c = json_ok(run_ext({"--json", "catalog", server.host(), "--details"}, store));
    auto repo = ref.substr(server.host().size() + 1);
    repo = repo.substr(0, repo.rfind(':'));
    bool found = false;
    for (const auto& r : c["repositories"]) {
      if (r["name"] != repo) continue;
      found = true;
      REQUIRE(!r["images"].empty());
      CHECK(r["images"][0]["layout"] == "oci");
      CHECK(r["images"][0]["abi"] == "v0.2.1");
    }
    CHECK(found);
    // The text's columns line up: every image line has its digest at the same column.
    auto text = run_ext({"catalog", server.host(), "--details"}, store);
    REQUIRE(text.exit_code == 0);
    std::istringstream lines(text.out);
    std::set<size_t> columns;
    size_t image_lines = 0;
    for (std::string line; std::getline(lines, line);) {
      if (line.rfind("  ", 0) != 0 || line.find("sha256:") == std::string::npos) continue;
      ++image_lines;
      columns.insert(line.find("sha256:"));
    }
    CHECK(image_lines >= 3);  // v1, v2, latest: tags of different lengths
    CHECK(columns.size() == 1);
  }
  SECTION("tag --remote adds a tag in the registry, and into another repository by mount") {
    auto name = ref.substr(0, ref.rfind(':'));
    auto t = json_ok(run_ext({"--json", "tag", "--remote", ref, "stable"}, store));
    CHECK(t["digest"] == p["digest"]);
    auto other = server.host() + "/" + unique("e2e/other") + ":copy";
    auto t2 = json_ok(run_ext({"--json", "tag", "--remote", ref, other}, store));
    CHECK(t2["blobs_mounted"].get<int>() >= 2);
    CHECK(t2["blobs_copied"] == 0);
    auto tags = json_ok(run_ext({"--json", "tags", name}, store))["tags"];
    CHECK(std::find(tags.begin(), tags.end(), "stable") != tags.end());
  }
}

TEST_CASE("ext push --format compat and pull of the compat layout", "[registry][e2e]") {
  auto& server = test::shared_registry(RegistryServer::Mode::plain);
  util::TempDir dir;
  auto wasm = build_module(dir);
  auto store = dir.path() / "store";
  auto ref = server.host() + "/" + unique("e2e/compat") + ":v1";
  REQUIRE(run_ext({"build", "--wasm", wasm.string(), "-t", ref}, store).exit_code == 0);
  auto p = json_ok(run_ext({"--json", "push", ref, "--format", "compat"}, store));
  CHECK(p["layout"] == "compat");
  CHECK(p["module_digest"] == digest::sha256_file(wasm).to_string());
  auto out = dir.path() / "m.wasm";
  auto pl = json_ok(run_ext({"--json", "pull", ref, "-o", out.string()}, dir.path() / "s2"));
  CHECK(pl["layout"] == "compat");
  CHECK(digest::sha256_file(out).hex() == digest::sha256_file(wasm).hex());
}

TEST_CASE("registry verbs fail clearly", "[registry][e2e]") {
  util::TempDir dir;
  auto store = dir.path() / "store";
  SECTION("invalid reference") {
    auto r = run_ext({"pull", "UPPER/Case:v1"}, store);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("ext: error: invalid reference") != std::string::npos);
    // Said once: not `invalid reference "X": invalid reference "X": ...` (issue 15).
    for (const char* verb : {"pull", "push", "tags", "discover"}) {
      auto again = run_ext({verb, "UPPER/Case:v1"}, store);
      INFO(verb << ": " << again.err);
      CHECK(again.exit_code == 1);
      auto first = again.err.find("invalid reference");
      CHECK(first != std::string::npos);
      CHECK(again.err.find("invalid reference", first + 1) == std::string::npos);
    }
  }
  SECTION("push of an image that is not stored") {
    auto r = run_ext({"push", "127.0.0.1:9/none:v1"}, store);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("no image") != std::string::npos);
    CHECK(r.err.find("hint:") != std::string::npos);
  }
  SECTION("nothing listening") {
    auto port = test::free_port();
    auto r = run_ext({"pull", "127.0.0.1:" + std::to_string(port) + "/x:v1"}, store, std::nullopt,
                     {{"EXT_HTTP_RETRY_BASE_MS", "1"}});
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("ext: error:") != std::string::npos);
    CHECK((!std::filesystem::exists(store / "blobs") ||
           std::filesystem::is_empty(store / "blobs" / "sha256")));
  }
  SECTION("unknown tag") {
    auto& server = test::shared_registry(RegistryServer::Mode::plain);
    auto r = run_ext({"pull", server.host() + "/nothing/here:v9"}, store);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("not found") != std::string::npos);
  }
}
