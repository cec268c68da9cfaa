// `ext build --wasm FILE -t REF` through the built binary: what it prints, what it stores, that
// it is deterministic, and that bad input is a clear error that leaves the store untouched.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/digest/digest.hpp"
#include "ext/oci/descriptor.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/artifact/fixtures.hpp"
#include "support/paths.hpp"

// Everything of this file in its own namespace: its helpers and using-directives stay out of
// the other test files of its unity batch (tests/CMakeLists.txt).
namespace e2e_package_test {

namespace fs = std::filesystem;
using ext::test::run_ext;
using ext::test::artifact::snapshot;
using ext::test::artifact::write_module;
using nlohmann::json;

namespace {

json parse_json(const std::string& out) {
  auto j = json::parse(out, nullptr, false);
  INFO(out);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

ext::oci::Manifest stored_manifest(const fs::path& store, const std::string& ref) {
  ext::store::OciLayoutStore s(store);
  auto d = s.resolve(ext::ref::Reference::parse(ref).value());
  REQUIRE(d);
  return ext::oci::Manifest::parse(ext::store::read_all(s, *d)).value();
}

}  // namespace

TEST_CASE("ext build --wasm packages a module and prints its facts", "[e2e][artifact]") {
  ext::util::TempDir dir;
  auto store = dir.path() / "store";
  auto wasm = write_module(dir.path(), "http_filter");
  auto bytes = ext::util::read_file(wasm);
  auto sha = ext::digest::sha256(bytes).hex();

  auto r = run_ext(
      {"build", "--wasm", wasm.string(), "-t", "acme/add-header:v1", "--root-id", "add_header"},
      store);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.out.find("module:   " + wasm.string()) != std::string::npos);
  CHECK(r.out.find("sha256:   " + sha) != std::string::npos);
  CHECK(r.out.find("abi:      v0.2.1") != std::string::npos);
  CHECK(r.out.find("manifest: sha256:") != std::string::npos);
  CHECK(r.out.find("(oci)") != std::string::npos);
  CHECK(r.out.find("tagged:   docker.io/acme/add-header:v1") != std::string::npos);
  CHECK(r.err.find("warning") == std::string::npos);

  // --json: one document on stdout with the same facts.
  auto rj = run_ext({"--json", "build", "--wasm", wasm.string(), "-t", "acme/add-header:v1", "-t",
                     "localhost:5000/team/add-header:latest", "--root-id", "add_header"},
                    store);
  REQUIRE(rj.exit_code == 0);
  auto j = parse_json(rj.out);
  CHECK(j["schema"] == "ext.dev/build/v1");
  CHECK(j["module_file"] == wasm.string());
  CHECK(j["module_size"] == bytes.size());
  CHECK(j["module_digest"] == "sha256:" + sha);
  CHECK(j["abi"] == "v0.2.1");
  CHECK(j["filter_type"] == "http");
  CHECK(j["package"]["format"] == "oci");
  CHECK(j["package"]["refs"] ==
        json::array({"docker.io/acme/add-header:v1", "localhost:5000/team/add-header:latest"}));
  CHECK(j["package"]["warnings"].empty());
  // Same module, same options: the same manifest digest as the first run.
  CHECK(r.out.find(j["package"]["digest"].get<std::string>()) != std::string::npos);

  // The store: an OCI layout naming both references; the image is the oci format.
  CHECK(fs::exists(store / "oci-layout"));
  auto m = stored_manifest(store, "localhost:5000/team/add-header:latest");
  REQUIRE(m.layers.size() == 2);
  CHECK(m.layers[1].digest.hex() == sha);
  CHECK(m.annotations["module.wasm.runtime/abi_version"] == "v0.2.1");
  CHECK(m.annotations["module.wasm.runtime/type"] == "envoy_proxy");
  CHECK(m.annotations["module.wasm.runtime/filter_type"] == "http");
  CHECK(m.annotations.count("org.opencontainers.image.created") == 0);
  ext::store::OciLayoutStore s(store);
  CHECK(ext::store::read_all(s, m.config) ==
        R"({"type":"envoy_proxy","abiVersions":["v0.2.1"],"config":{"rootIds":["add_header"]}})");
}

TEST_CASE("ext build --wasm is deterministic in every format", "[e2e][artifact]") {
  ext::util::TempDir dir;
  auto wasm = write_module(dir.path(), "network_filter");
  for (const char* format : {"oci", "compat", "cncf"}) {
    INFO(format);
    std::string digests[2];
    for (int i = 0; i < 2; ++i) {
      // Another store, another file name, another moment: the same digest.
      auto copy = dir.path() / (std::string("copy-") + format + std::to_string(i) + ".wasm");
      fs::copy_file(wasm, copy);
      auto r = run_ext({"--json", "build", "--wasm", copy.string(), "-t", "f:1", "--format", format,
                        "--annotation", "org.opencontainers.image.version=1.0.0"},
                       dir.path() / (std::string("store-") + format + std::to_string(i)));
      INFO(r.err);
      REQUIRE(r.exit_code == 0);
      auto j = parse_json(r.out);
      CHECK(j["package"]["format"] == format);
      CHECK(j["filter_type"] == "network");
      digests[i] = j["package"]["digest"];
    }
    CHECK(digests[0] == digests[1]);
    auto m = stored_manifest(dir.path() / (std::string("store-") + format + "0"),
                             "docker.io/library/f:1");
    CHECK(m.annotations["org.opencontainers.image.version"] == "1.0.0");
    CHECK(m.annotations["module.wasm.runtime/filter_type"] == "network");
    if (std::string(format) == "compat") {
      CHECK(m.annotations["module.wasm.image/variant"] == "compat");
      REQUIRE(m.layers.size() == 1);
      CHECK(m.layers[0].media_type == "application/vnd.oci.image.layer.v1.tar+gzip");
    }
    if (std::string(format) == "cncf") {
      REQUIRE(m.layers.size() == 1);
      CHECK(m.layers[0].media_type == "application/wasm");
    }
  }
}

TEST_CASE("SOURCE_DATE_EPOCH sets org.opencontainers.image.created", "[e2e][artifact]") {
  ext::util::TempDir dir;
  auto store = dir.path() / "store";
  auto wasm = write_module(dir.path(), "http_filter");
  auto r = run_ext({"--json", "build", "--wasm", wasm.string(), "-t", "f:dated"}, store, {},
                   {{"SOURCE_DATE_EPOCH", "1700000000"}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto m = stored_manifest(store, "f:dated");
  CHECK(m.annotations["org.opencontainers.image.created"] == "2023-11-14T22:13:20Z");
  auto again = run_ext({"--json", "build", "--wasm", wasm.string(), "-t", "f:dated2"}, store, {},
                       {{"SOURCE_DATE_EPOCH", "1700000000"}});
  CHECK(parse_json(again.out)["package"]["digest"] == parse_json(r.out)["package"]["digest"]);

  auto bad = run_ext({"build", "--wasm", wasm.string(), "-t", "f:x"}, store, {},
                     {{"SOURCE_DATE_EPOCH", "yesterday"}});
  CHECK(bad.exit_code == 1);
  CHECK(bad.err.find("ext: error: SOURCE_DATE_EPOCH") != std::string::npos);
}

TEST_CASE("validation warnings are reported, and fail with --strict", "[e2e][artifact]") {
  ext::util::TempDir dir;
  auto store = dir.path() / "store";
  // A start section runs before the host is ready: a warning, not an error.
  std::string wat = ext::util::read_file(ext::test::data_dir() / "wasm" / "http_0_2_1.wat");
  wat.insert(wat.rfind(')'), "  (func $early) (start $early)\n");
  auto wasm = dir.path() / "start.wasm";
  ext::util::write_file_atomic(wasm, ext::test::wat_to_wasm(wat));
  auto r = run_ext({"--json", "build", "--wasm", wasm.string(), "-t", "f:warn"}, store);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(r.err.find("warning:") != std::string::npos);
  CHECK(r.err.find("start-section") != std::string::npos);
  auto j = parse_json(r.out);
  REQUIRE(j["package"]["warnings"].size() >= 1);

  auto before = snapshot(store);
  auto strict = run_ext({"build", "--wasm", wasm.string(), "-t", "f:strict", "--strict"}, store);
  CHECK(strict.exit_code == 1);
  CHECK(strict.err.find("ext: error:") != std::string::npos);
  CHECK(strict.err.find("--strict") != std::string::npos);
  CHECK(snapshot(store) == before);

  // A stripped module (no name section) is information, not a warning: a default release
  // build passes --strict, in build and in validate alike.
  auto stripped = write_module(dir.path(), "http_filter", false);
  auto ok = run_ext({"build", "--wasm", stripped.string(), "-t", "f:stripped", "--strict"}, store);
  INFO(ok.err);
  CHECK(ok.exit_code == 0);
  CHECK(run_ext({"validate", "--strict", stripped.string()}, store).exit_code == 0);
}

TEST_CASE("bad input to ext build --wasm: clear errors, untouched store", "[e2e][artifact]") {
  ext::util::TempDir dir;
  auto store = dir.path() / "store";
  // A store that already holds an image, so "untouched" means something.
  auto good = write_module(dir.path(), "http_filter");
  REQUIRE(run_ext({"build", "--wasm", good.string(), "-t", "f:good"}, store).exit_code == 0);
  auto before = snapshot(store);
  REQUIRE(before.size() > 3);

  auto good_bytes = ext::util::read_file(good);
  auto file = [&](const std::string& name, const std::string& bytes) {
    auto p = dir.path() / name;
    ext::util::write_file_atomic(p, bytes);
    return p.string();
  };
  struct Case {
    std::string name;
    std::vector<std::string> args;
    std::string says;
    int exit_code;
  };
  std::vector<Case> cases = {
      {"not wasm", {file("text.wasm", "this is not a module\n"), "-t", "f:bad"}, "ext: error:", 1},
      {"a component",
       {file("component.wasm", std::string("\0asm\x0d\0\x01\0", 8)), "-t", "f:bad"},
       "component",
       1},
      {"no ABI marker",
       {write_module(dir.path(), "no_marker").string(), "-t", "f:bad"},
       "abi-marker",
       1},
      {"truncated",
       {file("cut.wasm", good_bytes.substr(0, good_bytes.size() / 2)), "-t", "f:bad"},
       "ext: error:",
       1},
      {"malformed reference", {good.string(), "-t", "Acme/UPPER:v1"}, "invalid reference", 1},
      {"malformed tag", {good.string(), "-t", "f:bad tag"}, "invalid reference", 1},
      {"one bad of two references",
       {good.string(), "-t", "f:fine", "-t", "f::double"},
       "invalid reference",
       1},
      {"digest reference",
       {good.string(), "-t",
        "f@sha256:0000000000000000000000000000000000000000000000000000000000000000"},
       "by digest",
       1},
      {"unknown format", {good.string(), "-t", "f:x", "--format", "zip"}, "ext: error:", 2},
      {"no tag", {good.string()}, "needs -t", 2},
      {"missing file", {(dir.path() / "nope.wasm").string(), "-t", "f:x"}, "ext: error:", 2},
  };
  for (const auto& c : cases) {
    INFO(c.name);
    std::vector<std::string> args = {"build", "--wasm"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    auto r = run_ext(args, store);
    INFO(r.err);
    CHECK(r.exit_code == c.exit_code);
    CHECK(r.err.find("ext: error:") != std::string::npos);
    CHECK(r.err.find(c.says) != std::string::npos);
    CHECK(r.out.empty());
    CHECK(snapshot(store) == before);
  }
  // --json carries the error too.
  auto rj = run_ext(
      {"--json", "build", "--wasm", write_module(dir.path(), "no_marker").string(), "-t", "f:bad"},
      store);
  CHECK(rj.exit_code == 1);
  CHECK(parse_json(rj.out)["error"]["code"] == "validation");
  CHECK(snapshot(store) == before);

  // A store that does not exist yet stays absent.
  auto fresh = dir.path() / "fresh-store";
  auto rf = run_ext({"build", "--wasm", file("t2.wasm", "junk"), "-t", "f:x"}, fresh);
  CHECK(rf.exit_code == 1);
  CHECK_FALSE(fs::exists(fresh));
}

TEST_CASE("the compat format is a real container image: skopeo and GNU tar read it",
          "[e2e][artifact]") {
  ext::test::require_tool("skopeo");
  ext::test::require_tool("tar");
  ext::util::TempDir dir;
  auto store = dir.path() / "store";
  auto wasm = write_module(dir.path(), "http_filter");
  auto b = run_ext({"--json", "build", "--wasm", wasm.string(), "-t", "f:compat", "--format",
                    "compat", "--root-id", "add_header"},
                   store);
  INFO(b.err);
  REQUIRE(b.exit_code == 0);
  ext::util::SubprocessRunner runner{ext::test::host_environment()};
  ext::util::ProcessSpec spec;
  spec.argv = {"skopeo", "inspect", "oci:" + store.string() + ":docker.io/library/f:compat"};
  auto r = runner.run(spec);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  auto j = parse_json(r.out);
  CHECK(j["Digest"] == parse_json(b.out)["package"]["digest"]);
  CHECK(j["Architecture"] == "wasm");
  CHECK(j["Os"] == "wasip1");
  REQUIRE(j["Layers"].size() == 1);

  // GNU tar lists the layer: plugin.wasm and runtime-config.json, owned by 0/0, mtime 1970.
  auto layer = j["Layers"][0].get<std::string>();
  auto blob = store / "blobs/sha256" / layer.substr(7);
  ext::util::ProcessSpec tar;
  tar.argv = {"tar", "-tvzf", blob.string(), "--numeric-owner"};
  auto t = runner.run(tar);
  INFO(t.out + t.err);
  REQUIRE(t.exit_code == 0);
  CHECK(t.out.find("-rw-r--r-- 0/0") != std::string::npos);
  CHECK(t.out.find("1970-01-01 00:00 plugin.wasm") != std::string::npos);
  CHECK(t.out.find("runtime-config.json") != std::string::npos);
  ext::util::ProcessSpec x;
  x.argv = {"tar", "-xzf", blob.string(), "-C", dir.path().string(), "plugin.wasm"};
  REQUIRE(runner.run(x).exit_code == 0);
  CHECK(ext::util::read_file(dir.path() / "plugin.wasm") == ext::util::read_file(wasm));
}

}  // namespace e2e_package_test
