// End to end, issue 11 (transfers, layouts and tars): FIFOs in layouts and as tars do not hang
// `ext import`; a tar is not extracted whole before index.json is read (content the images do
// not reach never touches the disk); SIGTERM during an import and `ext prune` leave no
// $TMPDIR/ext-import-*; an export carries no lock files; a failed pull leaves no name; a
// damaged blob of the right size is fetched again by `ext pull`.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "ext/digest/digest.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/registry/connect.hpp"
#include "ext/registry/registry_store.hpp"
#include "ext/store/memory_store.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/paths.hpp"
#include "support/registry/registry_server.hpp"
#include "support/store/image_fixture.hpp"

using namespace ext;
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Runs a bash script; exit code and output.
util::ProcessResult sh(const std::string& script,
                       const std::map<std::string, std::string>& env = {}) {
  util::SubprocessRunner runner{ext::test::host_environment()};
  util::ProcessSpec spec;
  spec.argv = {"bash", "-c", script};
  spec.env = env;
  return runner.run(spec);
}

std::string q(const fs::path& p) {
  return "'" + p.string() + "'";
}

std::string ext_cmd(const fs::path& store) {
  return q(test::ext_binary()) + " --store " + q(store);
}

size_t import_dirs(const fs::path& tmp) {
  size_t n = 0;
  for (auto& e : fs::directory_iterator(tmp))
    if (e.path().filename().string().rfind("ext-import-", 0) == 0) ++n;
  return n;
}

fs::path make_layout(const fs::path& dir, const std::string& name, uint64_t size,
                     test::FixtureImage* out = nullptr) {
  store::OciLayoutStore s(dir);
  auto img = test::put_image(s, {name}, "io", size);
  if (out) *out = img;
  return dir;
}

}  // namespace

TEST_CASE("e2e io: a FIFO in a layout or as the tar does not hang ext import", "[store][e2e][io]") {
  util::TempDir dir;
  test::FixtureImage img;
  fs::path layout = make_layout(dir.path() / "layout", "acme/fifo:1", 5000, &img);
  fs::path store = dir.path() / "store";
  auto run_import = [&](const fs::path& input) {
    // `timeout` turns a hang into exit 124.
    return sh("timeout 30 " + ext_cmd(store) + " import " + q(input));
  };
  SECTION("index.json is a FIFO") {
    fs::remove(layout / "index.json");
    REQUIRE(::mkfifo((layout / "index.json").c_str(), 0644) == 0);
    auto r = run_import(layout);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("not a regular file"));
  }
  SECTION("a blob is a FIFO") {
    fs::path blob = layout / "blobs" / "sha256" / img.module.digest.hex();
    fs::remove(blob);
    REQUIRE(::mkfifo(blob.c_str(), 0644) == 0);
    auto r = run_import(layout);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("not a regular file"));
    CHECK(sh(ext_cmd(store) + " list --json").out.find("acme/fifo") == std::string::npos);
  }
  SECTION("the tar is a FIFO") {
    fs::path fifo = dir.path() / "in.tar";
    REQUIRE(::mkfifo(fifo.c_str(), 0644) == 0);
    auto r = run_import(fifo);
    INFO(r.err);
    CHECK(r.exit_code == 1);
    CHECK_THAT(r.err, Catch::Contains("neither a directory nor a regular file"));
  }
}

TEST_CASE("e2e io: import reads index.json first and never extracts what no image reaches",
          "[store][e2e][io]") {
  util::TempDir dir;
  test::FixtureImage img;
  fs::path layout = make_layout(dir.path() / "layout", "acme/bomb:1", 4000, &img);
  // A tar.gz of ~200 KB: 200 MiB of zeros first, then the layout (index.json last).
  fs::path tgz = dir.path() / "bomb.tar.gz";
  std::string py =
      "import io, os, sys, tarfile\n"
      "root, out = sys.argv[1], sys.argv[2]\n"
      "class Zeros(io.RawIOBase):\n"
      "    def __init__(self, n): self.left = n\n"
      "    def readable(self): return True\n"
      "    def readinto(self, b):\n"
      "        k = min(len(b), self.left); b[:k] = bytes(k); self.left -= k; return k\n"
      "with tarfile.open(out, 'w:gz', compresslevel=1) as t:\n"
      "    ti = tarfile.TarInfo('junk.bin'); ti.size = 200 << 20\n"
      "    t.addfile(ti, io.BufferedReader(Zeros(ti.size)))\n"
      "    for d, _, fs in os.walk(root):\n"
      "        for f in sorted(fs):\n"
      "            p = os.path.join(d, f); rel = os.path.relpath(p, root)\n"
      "            if f in ('index.json', 'blobs.lock', 'index.json.lock'): continue\n"
      "            t.add(p, rel)\n"
      "    t.add(os.path.join(root, 'index.json'), 'index.json')\n";
  util::write_file_atomic(dir.path() / "mk.py", py);
  auto mk =
      sh(ext::test::python() + " " + q(dir.path() / "mk.py") + " " + q(layout) + " " + q(tgz));
  INFO(mk.err);
  REQUIRE(mk.exit_code == 0);
  CHECK(fs::file_size(tgz) < (2u << 20));
  fs::path store = dir.path() / "store";
  fs::path tmp = dir.path() / "tmp";
  fs::create_directories(tmp);
  // No file ext writes may exceed 50 MB (SIGXFSZ otherwise): extracting junk.bin would.
  auto r = sh("ulimit -f 50000; " + ext_cmd(store) + " --json import " + q(tgz),
              {{"TMPDIR", tmp.string()}});
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(json::parse(r.out)["images"].size() == 1);
  CHECK(store::OciLayoutStore(store).verify(true).empty());
  CHECK(import_dirs(tmp) == 0);
}

TEST_CASE("e2e io: SIGTERM during an import and prune after kill -9 leave no scratch directory",
          "[store][e2e][io]") {
  util::TempDir dir;
  fs::path tar = dir.path() / "big.tar";
  fs::path tmp = dir.path() / "tmp";
  fs::create_directories(tmp);
  fs::path store = dir.path() / "store";
  {
    fs::path a = dir.path() / "a";
    store::OciLayoutStore s(a);
    test::put_image(s, {"acme/big:1"}, "io", 64u << 20);
    auto r = sh(ext_cmd(a) + " export acme/big:1 -o " + q(tar));
    INFO(r.err);
    REQUIRE(r.exit_code == 0);
  }
  std::map<std::string, std::string> env = {{"TMPDIR", tmp.string()}};
  // Until the import holds its scratch directory's lock.
  std::string wait_scratch = "for i in $(seq 1 500); do ls " + q(tmp) +
                             "/ext-import-*/.ext-import.lock >/dev/null 2>&1 && break; "
                             "sleep 0.01; done; ";
  SECTION("SIGTERM") {
    auto r = sh(ext_cmd(store) + " import " + q(tar) + " & pid=$!; " + wait_scratch +
                    "sleep 0.02; kill -TERM $pid; wait $pid; echo \"exit=$?\"",
                env);
    INFO(r.out << r.err);
    CHECK(r.out.find("exit=0") == std::string::npos);  // it was stopped, not finished
    CHECK(import_dirs(tmp) == 0);
  }
  SECTION("kill -9, then prune") {
    auto r = sh(ext_cmd(store) + " import " + q(tar) + " & pid=$!; " + wait_scratch +
                    "sleep 0.02; kill -9 $pid; wait $pid; echo \"exit=$?\"",
                env);
    INFO(r.out << r.err);
    CHECK(r.out.find("exit=137") != std::string::npos);
    CHECK(import_dirs(tmp) == 1);
    // One held by a running import (its lock taken) stays.
    fs::path held = tmp / "ext-import-held";
    fs::create_directories(held);
    util::FileLock lock(held / ".ext-import.lock");
    auto p = sh(ext_cmd(store) + " --json prune", env);
    INFO(p.err);
    REQUIRE(p.exit_code == 0);
    CHECK(json::parse(p.out)["temp_dirs_removed"] == 1);
    CHECK(import_dirs(tmp) == 1);
    CHECK(fs::exists(held));
  }
}

TEST_CASE("e2e io: an exported layout carries no lock files", "[store][e2e][io]") {
  util::TempDir dir;
  fs::path a = dir.path() / "a";
  make_layout(a, "acme/x:1", 3000);
  fs::path out = dir.path() / "out";
  auto r = sh(ext_cmd(a) + " export acme/x:1 -o " + q(out));
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  CHECK(fs::exists(out / "index.json"));
  CHECK_FALSE(fs::exists(out / "index.json.lock"));
  CHECK_FALSE(fs::exists(out / "blobs.lock"));
  // Exporting into it again (an existing layout) still leaves none.
  REQUIRE(sh(ext_cmd(a) + " export acme/x:1 -o " + q(out)).exit_code == 0);
  CHECK_FALSE(fs::exists(out / "index.json.lock"));
  CHECK_FALSE(fs::exists(out / "blobs.lock"));
}

TEST_CASE("e2e io: a TLS registry on loopback gets https first, and errors say what each did",
          "[registry][e2e][io]") {
  auto& tls = test::shared_registry(test::RegistryServer::Mode::tls_basic);
  util::TempDir dir;
  fs::path store = dir.path() / "store";
  // No CA given: https fails verification, plain http gets 400; both are named, with a hint.
  auto r = test::run_ext({"pull", tls.host() + "/some/filter:v1"}, store);
  INFO(r.err);
  CHECK(r.exit_code == 1);
  CHECK_THAT(r.err, Catch::Contains("https failed"));
  CHECK_THAT(r.err, Catch::Contains("plain http failed: HTTP 400"));
  CHECK_THAT(r.err, Catch::Contains("--ca-file"));
  // With the CA it is https, so the registry's own answer (auth) comes back.
  auto ok = test::run_ext(
      {"tags", tls.host() + "/some/filter", "--ca-file", tls.ca_file().string()}, store);
  INFO(ok.err);
  CHECK(ok.exit_code == 1);
  CHECK_THAT(ok.err, Catch::Contains("ext login"));
  // A plain registry on loopback still works without flags (https fails, plain http answers).
  auto& plain = test::shared_registry(test::RegistryServer::Mode::plain);
  auto p = test::run_ext({"-vv", "tags", plain.host() + "/nothing/here"}, store);
  INFO(p.err);
  CHECK_THAT(p.err, Catch::Contains("using plain http"));
  CHECK_THAT(p.err, !Catch::Contains("plain http failed"));
}

TEST_CASE("e2e io: a failed pull leaves no name, a damaged blob is fetched again",
          "[registry][e2e][io]") {
  auto& server = test::shared_registry(test::RegistryServer::Mode::plain);
  util::TempDir dir;
  fs::path store = dir.path() / "store";
  static int n = 0;
  std::string repo = "io-pull-" + std::to_string(::getpid()) + "-" + std::to_string(++n);
  registry::ConnectOptions o;
  o.registry = server.host();
  o.plain_http = true;
  auto client = registry::connect(o);
  registry::RegistryStore remote(client, repo);

  // An ORAS-style artifact (empty config, a text layer): ext cannot read a module from it.
  store::MemoryStore mem;
  std::string text = "hello";
  auto layer = oci::Descriptor::for_bytes("text/plain", text);
  store::write_all(mem, layer, text);
  auto cfg = oci::Descriptor::for_bytes("application/vnd.oci.empty.v1+json", "{}");
  store::write_all(mem, cfg, "{}");
  oci::Manifest m;
  m.artifact_type = "application/vnd.unknown.artifact.v1";
  m.config = cfg;
  m.layers = {layer};
  std::string mb = m.serialize();
  auto md = oci::Descriptor::for_bytes(oci::media::k_manifest, mb);
  mem.put_manifest(md, mb, {});
  store::CopyOptions copts;
  copts.names = {ref::Reference::parse(server.host() + "/" + repo + ":oras").value()};
  store::copy_graph(mem, remote, md, copts);
  auto bad = test::run_ext(
      {"pull", server.host() + "/" + repo + ":oras", "-o", (dir.path() / "x.wasm").string()},
      store);
  INFO(bad.err);
  CHECK(bad.exit_code == 1);
  auto list = test::run_ext({"--json", "list"}, store);
  CHECK(list.out.find(repo) == std::string::npos);

  // A wasm image: pulled, then one blob damaged in place (same size), then pulled again.
  test::FixtureImage img;
  {
    store::MemoryStore src;
    img = test::put_image(src, {}, "dmg", 6000);
    copts.names = {ref::Reference::parse(server.host() + "/" + repo + ":v1").value()};
    store::copy_graph(src, remote, img.manifest, copts);
  }
  std::string ref = server.host() + "/" + repo + ":v1";
  REQUIRE(test::run_ext({"pull", ref}, store).exit_code == 0);
  fs::path blob = store / "blobs" / "sha256" / img.module.digest.hex();
  std::string bytes = util::read_file(blob);
  bytes[bytes.size() / 2] ^= 0x55;
  ::chmod(blob.c_str(), 0644);
  util::write_file_atomic(blob, bytes);
  auto again = test::run_ext({"pull", ref, "-o", (dir.path() / "m.wasm").string()}, store);
  INFO(again.err);
  CHECK(again.exit_code == 0);
  CHECK_THAT(again.err, Catch::Contains("fetching it again"));
  CHECK(store::OciLayoutStore(store).verify(true).empty());
  CHECK(digest::sha256_file(dir.path() / "m.wasm") == img.module.digest);
}
