// End to end: ext list / tag / rm / prune / export / import on real stores, bad input leaving
// the store untouched, concurrent `ext tag` processes, and an `ext` killed mid-write.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>
#include <set>

#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/expect.hpp"
#include "support/paths.hpp"
#include "support/store/image_fixture.hpp"

using ext::test::run_json;

using namespace ext;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::string snapshot(const fs::path& root) {
  std::string s;
  std::vector<fs::path> files;
  for (auto& e : fs::recursive_directory_iterator(root))
    if (e.is_regular_file() && e.path().filename() != "index.json.lock" &&
        e.path().filename() != "blobs.lock")
      files.push_back(e.path());
  std::sort(files.begin(), files.end());
  for (auto& f : files) s += f.string() + "=" + digest::sha256_file(f).to_string() + "\n";
  return s;
}

int bash(const std::string& script) {
  util::SubprocessRunner runner{ext::test::host_environment()};
  util::ProcessSpec spec;
  spec.argv = {"bash", "-c", script};
  auto r = runner.run(spec);
  INFO(r.out << r.err);
  return r.exit_code;
}

}  // namespace

TEST_CASE("e2e store: list on a store that does not exist", "[store][e2e]") {
  util::TempDir dir;
  fs::path store = dir.path() / "none";
  auto j = run_json({"list"}, store)["images"];
  CHECK(j == json::array());
  auto r = test::run_ext({"list"}, store);
  CHECK(r.exit_code == 0);
  CHECK(r.out.find("REFERENCE") != std::string::npos);
  CHECK_FALSE(fs::exists(store));
}

TEST_CASE("e2e store: list then tag then rm then prune", "[store][e2e]") {
  util::TempDir dir;
  fs::path root = dir.path() / "store";
  test::FixtureImage img;
  {
    store::OciLayoutStore s(root);
    img = test::put_image(s, {"ghcr.io/acme/add-header:v1"}, "add", 5000, "v0.2.1");
    test::put_image(s, {"acme/other:1"}, "other", 100, "v0.2.0");
  }
  auto list = run_json({"list"}, root)["images"];
  REQUIRE(list.size() == 2);
  CHECK(list[0]["reference"] == "docker.io/acme/other:1");
  CHECK(list[1]["reference"] == "ghcr.io/acme/add-header:v1");
  CHECK(list[1]["digest"] == img.manifest.digest.to_string());
  CHECK(list[1]["abi"] == "v0.2.1");
  CHECK(list[1]["size"] == img.config.size + img.module.size);
  CHECK(list[0]["abi"] == "v0.2.0");

  auto human = test::run_ext({"list"}, root);
  CHECK(human.out.find("ghcr.io/acme/add-header:v1") != std::string::npos);
  CHECK(human.out.find(img.manifest.digest.to_string().substr(0, 19)) != std::string::npos);
  CHECK(human.out.find(img.manifest.digest.to_string()) == std::string::npos);
  CHECK(human.out.find(" ago") != std::string::npos);
  auto full = test::run_ext({"list", "--digests"}, root);
  CHECK(full.out.find(img.manifest.digest.to_string()) != std::string::npos);

  auto t = run_json({"tag", "ghcr.io/acme/add-header:v1", "localhost:5000/add-header:dev"}, root);
  CHECK(t["target"] == "localhost:5000/add-header:dev");
  CHECK(t["digest"] == img.manifest.digest.to_string());
  run_json({"tag", "ghcr.io/acme/add-header@" + img.manifest.digest.to_string(), "x/y:z"}, root);
  CHECK(run_json({"list"}, root)["images"].size() == 4);

  SECTION("bad input fails clearly and leaves the store untouched") {
    std::string before = snapshot(root);
    auto r = test::run_ext({"tag", "ghcr.io/acme/add-header:v1", "Bad Ref"}, root);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("ext: error: invalid reference") != std::string::npos);
    r = test::run_ext({"tag", "ghcr.io/acme/missing:v1", "a:b"}, root);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("no image ghcr.io/acme/missing:v1") != std::string::npos);
    CHECK(r.err.find("hint:") != std::string::npos);
    r = test::run_ext({"rm", "UPPER:case"}, root);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("must be lowercase") != std::string::npos);
    r = test::run_ext({"tag"}, root);
    CHECK(r.exit_code == 2);
    CHECK(snapshot(root) == before);
  }
  SECTION("rm drops names; prune deletes what no name reaches") {
    auto rm = run_json({"rm", "acme/other:1", "x/y:z"}, root);
    CHECK(rm["removed"] == json({"docker.io/acme/other:1", "docker.io/x/y:z"}));
    auto missing = test::run_ext({"rm", "acme/other:1"}, root);
    CHECK(missing.exit_code == 1);
    CHECK(missing.err.find("no image acme/other:1") != std::string::npos);
    auto pr = run_json({"prune"}, root);
    CHECK(pr["blobs_removed"] == 3);
    CHECK(run_json({"prune"}, root)["blobs_removed"] == 0);
    // Removing by digest drops every name of the repository that points at it.
    auto by_digest =
        run_json({"rm", "ghcr.io/acme/add-header@" + img.manifest.digest.to_string()}, root);
    CHECK(by_digest["removed"] == json({"ghcr.io/acme/add-header:v1"}));
    CHECK(run_json({"list"}, root)["images"].size() == 1);
    // Text: each name on stdout, once ("untagged" there and "removed" on stderr said it twice).
    auto text = test::run_ext({"rm", "localhost:5000/add-header:dev"}, root);
    CHECK(text.exit_code == 0);
    CHECK(text.out == "untagged: localhost:5000/add-header:dev\n");
    CHECK(text.err.find("localhost:5000/add-header:dev") == std::string::npos);
    CHECK(text.err.find("ext prune") != std::string::npos);
    CHECK(run_json({"prune"}, root)["blobs_removed"] == 3);
    CHECK(run_json({"list"}, root)["images"] == json::array());
  }
}

TEST_CASE("e2e store: a corrupted blob and an index.json that is not JSON", "[store][e2e]") {
  util::TempDir dir;
  fs::path root = dir.path() / "store";
  test::FixtureImage img;
  {
    store::OciLayoutStore s(root);
    img = test::put_image(s, {"acme/f:1"}, "f", 3000);
  }
  store::OciLayoutStore s(root);
  SECTION("corrupted blob") {
    fs::path p = s.blob_path(img.module.digest);
    std::string bytes = util::read_file(p);
    bytes[50] ^= 1;
    fs::remove(p);
    util::write_file_atomic(p, bytes);
    std::string before = snapshot(root);
    auto r = test::run_ext({"export", "acme/f:1", "-o", (dir.path() / "out").string()}, root);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find("corrupted blob") != std::string::npos);
    CHECK(r.err.find(img.module.digest.to_string()) != std::string::npos);
    CHECK(r.err.find("hint:") != std::string::npos);
    CHECK(snapshot(root) == before);
    // list does not hash layers: it still works.
    CHECK(run_json({"list"}, root)["images"].size() == 1);
  }
  SECTION("index.json is not JSON") {
    util::write_file_atomic(root / "index.json", "{ not json");
    auto r = test::run_ext({"list"}, root);
    CHECK(r.exit_code == 1);
    CHECK(r.err.find((root / "index.json").string()) != std::string::npos);
    CHECK(r.err.find("hint:") != std::string::npos);
    for (auto args : std::vector<std::vector<std::string>>{
             {"tag", "acme/f:1", "acme/f:2"}, {"rm", "acme/f:1"}, {"prune"}}) {
      auto x = test::run_ext(args, root);
      CHECK(x.exit_code == 1);
    }
    CHECK(util::read_file(root / "index.json") == "{ not json");
    CHECK(s.has(img.module));
  }
}

TEST_CASE("e2e store: export and import round trips as a directory and as a tar", "[store][e2e]") {
  util::TempDir dir;
  fs::path a = dir.path() / "a";
  test::FixtureImage img, other;
  {
    store::OciLayoutStore s(a);
    img = test::put_image(s, {"ghcr.io/acme/f:v1"}, "f", 200000);
    other = test::put_image(s, {"ghcr.io/acme/g:v1"}, "g", 1000);
  }
  fs::path out = dir.path() / "layout";
  auto ex = run_json({"export", "ghcr.io/acme/f:v1", "ghcr.io/acme/g:v1", "-o", out.string()}, a);
  CHECK(ex["blobs"] == 6);
  CHECK(fs::exists(out / "oci-layout"));
  auto idx = json::parse(util::read_file(out / "index.json"));
  REQUIRE(idx["manifests"].size() == 2);
  CHECK(idx["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] ==
        "ghcr.io/acme/f:v1");
  CHECK(idx["manifests"][0]["digest"] == img.manifest.digest.to_string());

  fs::path b = dir.path() / "b";
  auto im = run_json({"import", out.string()}, b);
  CHECK(im["images"].size() == 2);
  auto lb = run_json({"list"}, b)["images"];
  REQUIRE(lb.size() == 2);
  CHECK(lb[0]["reference"] == "ghcr.io/acme/f:v1");
  CHECK(lb[0]["digest"] == img.manifest.digest.to_string());
  CHECK(store::OciLayoutStore(b).verify(true).empty());
  // Again: everything is already there.
  auto again = run_json({"import", out.string()}, b);
  CHECK(again["blobs_copied"] == 2);  // the two manifests, put again to name them
  CHECK(again["blobs_skipped"] == 4);

  // Export into a folder that is not a layout is refused.
  fs::path junk = dir.path() / "junk";
  fs::create_directories(junk);
  util::write_file_atomic(junk / "x", "x");
  auto bad = test::run_ext({"export", "ghcr.io/acme/f:v1", "-o", junk.string()}, a);
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("not an OCI image layout") != std::string::npos);

  fs::path tar = dir.path() / "f.tar";
  auto et = run_json({"export", "ghcr.io/acme/f:v1", "-o", tar.string()}, a);
  CHECK(et["tar"] == true);
  CHECK(fs::file_size(tar) > 200000);
  fs::path c = dir.path() / "c";
  run_json({"import", tar.string()}, c);
  auto lc = run_json({"list"}, c)["images"];
  REQUIRE(lc.size() == 1);
  CHECK(lc[0]["digest"] == img.manifest.digest.to_string());
  // The tar is deterministic.
  fs::path tar2 = dir.path() / "f2.tar";
  run_json({"export", "ghcr.io/acme/f:v1", "-o", tar2.string()}, a);
  CHECK(digest::sha256_file(tar) == digest::sha256_file(tar2));
  // Nothing left behind beside the output.
  for (auto& e : fs::directory_iterator(dir.path()))
    CHECK(e.path().filename().string().find(".ext-scratch") == std::string::npos);
}

TEST_CASE("e2e store: import of a layout named only by tags needs --name", "[store][e2e]") {
  util::TempDir dir;
  fs::path layout = dir.path() / "layout";
  test::FixtureImage img;
  {
    // What `skopeo copy ... oci:DIR:v1` writes: ref.name is just "v1".
    store::OciLayoutStore s(layout);
    img = test::put_image(s, {}, "t", 100);
    oci::Index idx;
    auto e = img.manifest;
    e.annotations[oci::k_ref_name_annotation] = "v1";
    idx.manifests.push_back(e);
    util::write_file_atomic(layout / "index.json", idx.serialize());
  }
  fs::path store = dir.path() / "store";
  auto r = test::run_ext({"import", layout.string()}, store);
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("\"v1\" names only a tag") != std::string::npos);
  CHECK(r.err.find("hint:") != std::string::npos);
  CHECK(r.err.find("--name") != std::string::npos);
  CHECK_FALSE(fs::exists(store / "index.json"));
  auto ok = run_json({"import", layout.string(), "--name", "ghcr.io/acme/t"}, store);
  CHECK(ok["images"][0]["reference"] == "ghcr.io/acme/t:v1");
  auto nl = test::run_ext({"import", (dir.path() / "nothing").string()}, store);
  CHECK(nl.exit_code == 1);
  fs::create_directories(dir.path() / "empty");
  auto notlayout = test::run_ext({"import", (dir.path() / "empty").string()}, store);
  CHECK(notlayout.exit_code == 1);
  CHECK(notlayout.err.find("not an OCI image layout") != std::string::npos);
}

TEST_CASE("e2e store: two ext processes tagging at once lose no entry", "[store][e2e]") {
  util::TempDir dir;
  fs::path root = dir.path() / "store";
  {
    store::OciLayoutStore s(root);
    test::put_image(s, {"acme/base:1"});
  }
  std::string ext = test::ext_binary().string();
  std::string script;
  for (int p = 0; p < 2; ++p)
    script += "(for i in $(seq 1 50); do '" + ext + "' --store '" + root.string() +
              "' tag acme/base:1 acme/p" + std::to_string(p) + ":t$i || exit 1; done) & p" +
              std::to_string(p) + "=$!; ";
  script += "wait $p0 && wait $p1";
  CHECK(bash(script) == 0);
  auto list = run_json({"list"}, root)["images"];
  CHECK(list.size() == 101);
  std::set<std::string> names;
  for (auto& e : list) names.insert(e["reference"].get<std::string>());
  for (int p = 0; p < 2; ++p)
    for (int i = 1; i <= 50; ++i)
      CHECK(names.count("docker.io/acme/p" + std::to_string(p) + ":t" + std::to_string(i)) == 1);
}

TEST_CASE("e2e store: an ext killed while importing leaves a store every command reads",
          "[store][e2e]") {
  util::TempDir dir;
  fs::path layout = dir.path() / "layout";
  {
    store::OciLayoutStore s(layout);
    test::put_image(s, {"acme/big:1"}, "big", 96u << 20);
  }
  fs::path root = dir.path() / "store";
  {
    store::OciLayoutStore s(root);
    test::put_image(s, {"acme/small:1"}, "small", 100);
  }
  std::string ext = test::ext_binary().string();
  // Kill it while it copies the 96 MiB blob (after it has written part of the temp file: a
  // temp file still empty at the kill would leave prune nothing to free on a loaded machine).
  std::string script = "'" + ext + "' --store '" + root.string() + "' import '" + layout.string() +
                       "' & pid=$!; for i in $(seq 1 400); do "
                       "find '" +
                       (root / "blobs" / "sha256").string() +
                       "' -maxdepth 1 -name '.tmp-*' -size +0 | grep -q . && break; sleep 0.01; "
                       "done; kill -9 $pid; wait $pid; test $? -eq 137";
  CHECK(bash(script) == 0);
  auto list = run_json({"list"}, root)["images"];
  REQUIRE(list.size() == 1);  // the big image is named only after all its blobs are in
  CHECK(list[0]["reference"] == "docker.io/acme/small:1");
  CHECK(store::OciLayoutStore(root).verify(true).empty());  // no half blob is visible
  auto pr = run_json({"prune"}, root);
  CHECK(pr["bytes_freed"].get<uint64_t>() > 0);  // the partial temp file
  bool temp_left = false;
  for (auto& e : fs::directory_iterator(root / "blobs" / "sha256"))
    temp_left = temp_left || e.path().filename().string()[0] == '.';
  CHECK_FALSE(temp_left);
  // And the import, run again, completes.
  run_json({"import", layout.string()}, root);
  CHECK(run_json({"list"}, root)["images"].size() == 2);
}
