// Stores: MemoryStore and OciLayoutStore behave alike through the Store interface; verified
// writes; names; copy_graph; prune; damaged content is detected and named.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

#include "ext/core/reporter.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/store/memory_store.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "support/fake_clock.hpp"
#include "support/store/image_fixture.hpp"

// Everything of this file in its own namespace: its helpers and using-directives stay out of
// the other test files of its unity batch (tests/CMakeLists.txt).
namespace store_store_test {

using namespace ext;
namespace fs = std::filesystem;

namespace {

ref::Reference R(const std::string& s) {
  return ref::Reference::parse(s).value();
}

template <class F>
Error catch_error(F&& f) {
  try {
    f();
  } catch (const Error& e) {
    return e;
  }
  FAIL("expected an ext::Error");
  return Error(Errc::internal, "unreachable");
}

void write_raw(const fs::path& p, const std::string& bytes) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << bytes;
}

std::vector<std::string> temp_files(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir, ec)) {
    auto n = e.path().filename().string();
    if (!n.empty() && n[0] == '.') out.push_back(n);
  }
  return out;
}

}  // namespace

TEMPLATE_TEST_CASE("store: write, read, verify, names", "[store]", store::MemoryStore,
                   store::OciLayoutStore) {
  util::TempDir dir;
  std::unique_ptr<store::Store> owned;
  if constexpr (std::is_same_v<TestType, store::OciLayoutStore>)
    owned = std::make_unique<store::OciLayoutStore>(dir.path() / "store");
  else
    owned = std::make_unique<store::MemoryStore>();
  store::Store& s = *owned;

  auto d = oci::Descriptor::for_bytes("application/octet-stream", "hello");
  CHECK_FALSE(s.has(d));
  CHECK(catch_error([&] { s.open(d); }).code() == Errc::not_found);
  store::write_all(s, d, "hello");
  CHECK(s.has(d));
  CHECK(store::read_all(s, d) == "hello");

  SECTION("a write whose bytes do not match fails, naming both digests, and stores nothing") {
    auto other = oci::Descriptor::for_bytes("application/octet-stream", "hellO");
    auto e = catch_error([&] { store::write_all(s, other, "hello"); });
    CHECK(e.code() == Errc::digest_mismatch);
    CHECK_THAT(e.message(), Catch::Contains(other.digest.to_string()));
    CHECK_THAT(e.message(), Catch::Contains(d.digest.to_string()));
    CHECK_FALSE(s.has(other));
    auto e2 = catch_error([&] { store::write_all(s, other, "hello!"); });
    CHECK(e2.code() == Errc::digest_mismatch);
  }
  SECTION("an abandoned writer leaves nothing") {
    auto big = oci::Descriptor::for_bytes("application/octet-stream", "abandoned");
    {
      auto w = s.create(big);
      w->write("aband", 5);
    }
    CHECK_FALSE(s.has(big));
  }
  SECTION("read_all is bounded") {
    auto e = catch_error([&] { store::read_all(s, d, 3); });
    CHECK(e.code() == Errc::invalid_argument);
  }
  SECTION("manifests and names") {
    auto img = test::put_image(s, {"ghcr.io/acme/f:v1", "f"});
    auto r = s.resolve(R("ghcr.io/acme/f:v1"));
    REQUIRE(r.has_value());
    CHECK(r->digest == img.manifest.digest);
    CHECK(r->size == img.manifest.size);
    CHECK(r->media_type == oci::media::k_manifest);
    CHECK(s.resolve(R("docker.io/library/f:latest"))->digest == img.manifest.digest);
    CHECK_FALSE(s.resolve(R("ghcr.io/acme/f:v2")).has_value());
    auto by_digest = s.resolve(R("ghcr.io/acme/f@" + img.manifest.digest.to_string()));
    REQUIRE(by_digest.has_value());
    CHECK(by_digest->digest == img.manifest.digest);
    CHECK(by_digest->media_type == oci::media::k_manifest);
    CHECK(store::read_all(s, img.manifest) == img.manifest_bytes);
    // A manifest whose bytes do not match is refused.
    auto e = catch_error([&] { s.put_manifest(img.manifest, "{}", {R("x:y")}); });
    CHECK(e.code() == Errc::digest_mismatch);
    CHECK_FALSE(s.resolve(R("x:y")).has_value());
  }
}

TEST_CASE("store: copy_graph copies children first, skips what exists, names the root", "[store]") {
  store::MemoryStore src;
  auto img = test::put_image(src, {"ghcr.io/acme/f:v1"}, "copy", 3 << 20);
  util::TempDir dir;
  store::OciLayoutStore dst(dir.path());
  CollectingReporter rep;
  store::CopyOptions opts;
  opts.names = {R("localhost:5000/f:v1")};
  opts.reporter = &rep;
  auto res = store::copy_graph(src, dst, img.manifest, opts);
  CHECK(res.blobs_copied == 3);  // config, module, manifest
  CHECK(res.bytes_copied ==
        static_cast<uint64_t>(img.config.size + img.module.size + img.manifest.size));
  CHECK(dst.resolve(R("localhost:5000/f:v1"))->digest == img.manifest.digest);
  CHECK(store::read_all(dst, img.module, 8u << 20) == test::fixture_module("copy", 3 << 20));
  CHECK_FALSE(rep.of("progress").empty());  // the 3 MiB module reports progress

  opts.names = {R("localhost:5000/f:v2")};
  opts.concurrency = 4;
  auto again = store::copy_graph(src, dst, img.manifest, opts);
  CHECK(again.blobs_skipped == 2);
  CHECK(again.blobs_copied == 1);  // the root is put again, to name it
  CHECK(dst.list().size() == 2);

  // An index over the manifest: children first, then the index.
  oci::Index idx;
  idx.manifests.push_back(img.manifest);
  auto unknown = oci::Descriptor::for_bytes("application/vnd.example.thing", "opaque");
  store::write_all(src, unknown, "opaque");
  idx.manifests.push_back(unknown);
  std::string ib = idx.serialize();
  auto id = oci::Descriptor::for_bytes(oci::media::k_index, ib);
  src.put_manifest(id, ib, {});
  store::MemoryStore dst2;
  opts.names = {R("x/index:1")};
  opts.concurrency = 1;
  auto r3 = store::copy_graph(src, dst2, id, opts);
  CHECK(r3.blobs_copied == 5);
  CHECK(dst2.blob_count() == 5);
  CHECK(dst2.resolve(R("x/index:1"))->digest == id.digest);

  // Missing content in the source is an error naming the blob; the root is not named.
  store::MemoryStore partial;
  partial.put_manifest(img.manifest, img.manifest_bytes, {});
  store::MemoryStore dst3;
  opts.names = {R("x/partial:1")};
  auto e = catch_error([&] { store::copy_graph(partial, dst3, img.manifest, opts); });
  CHECK(e.code() == Errc::not_found);
  CHECK_FALSE(dst3.resolve(R("x/partial:1")).has_value());

  // Corrupted content in the source is detected while copying.
  store::MemoryStore bad;
  test::put_image(bad, {}, "copy", 3 << 20);
  bad.put_blob_unchecked(img.module.digest, std::string(3 << 20, 'x'));
  store::MemoryStore dst4;
  auto e2 = catch_error([&] { store::copy_graph(bad, dst4, img.manifest, opts); });
  CHECK(e2.code() == Errc::digest_mismatch);
  CHECK_THAT(e2.message(), Catch::Contains(img.module.digest.to_string()));
}

TEST_CASE("store: a store that does not exist lists nothing and is created by the first write",
          "[store]") {
  util::TempDir dir;
  fs::path root = dir.path() / "a" / "b";
  store::OciLayoutStore s(root);
  CHECK(s.list().empty());
  CHECK_FALSE(s.resolve(R("f")).has_value());
  CHECK_FALSE(s.remove_name(R("f")));
  CHECK(s.prune().blobs_removed == 0);
  CHECK_FALSE(fs::exists(root));
  auto img = test::put_image(s, {"f:1"});
  CHECK(fs::exists(root / "oci-layout"));
  CHECK(util::read_file(root / "oci-layout") == R"({"imageLayoutVersion":"1.0.0"})");
  CHECK(fs::is_regular_file(root / "index.json"));
  CHECK(fs::is_regular_file(s.blob_path(img.module.digest)));
  auto idx = nlohmann::json::parse(util::read_file(root / "index.json"));
  REQUIRE(idx["manifests"].size() == 1);
  CHECK(idx["manifests"][0]["annotations"]["org.opencontainers.image.ref.name"] ==
        "docker.io/library/f:1");
  CHECK(idx["manifests"][0]["digest"] == img.manifest.digest.to_string());
  CHECK(temp_files(root / "blobs" / "sha256").empty());
}

TEST_CASE("store: tag, move and remove names, prune unreachable blobs and temp files", "[store]") {
  util::TempDir dir;
  store::OciLayoutStore s(dir.path());
  auto a = test::put_image(s, {"acme/a:1"}, "a");
  auto b = test::put_image(s, {"acme/b:1"}, "b");
  s.set_name(R("acme/a:latest"), a.manifest);
  s.set_name(R("acme/b:1"), a.manifest);  // moves the name
  auto names = s.list();
  REQUIRE(names.size() == 3);
  CHECK(names[0].name == "docker.io/acme/a:1");
  CHECK(names[1].name == "docker.io/acme/b:1");
  CHECK(names[1].manifest.digest == a.manifest.digest);
  CHECK(names[2].name == "docker.io/acme/a:latest");
  // b's content is now unreachable.
  auto unnamed = oci::Descriptor::for_bytes("application/octet-stream", "x");
  CHECK(catch_error([&] { s.set_name(R("acme/z:1"), unnamed); }).code() == Errc::not_found);

  // A stale temp file from a killed writer.
  write_raw(dir.path() / "blobs" / "sha256" / ".tmp-dead-1", "partial");
  write_raw(dir.path() / ".index.json.tmp.999.0.0", "{");
  write_raw(dir.path() / "blobs" / "sha256" / "README", "unknown files are left alone");

  auto pr = s.prune();
  CHECK(pr.blobs_removed == 3);  // b's manifest, config and module
  CHECK_FALSE(s.has(b.module));
  CHECK_FALSE(s.has(b.manifest));
  CHECK(s.has(a.module));
  CHECK(temp_files(dir.path() / "blobs" / "sha256").empty());
  CHECK_FALSE(fs::exists(dir.path() / ".index.json.tmp.999.0.0"));
  CHECK(fs::exists(dir.path() / "blobs" / "sha256" / "README"));

  CHECK(s.remove_name(R("acme/a:1")));
  CHECK_FALSE(s.remove_name(R("acme/a:1")));
  CHECK(s.prune().blobs_removed == 0);  // still reachable through two names
  CHECK(s.remove_name(R("acme/a:latest")));
  CHECK(s.remove_name(R("acme/b:1")));
  CHECK(s.list().empty());
  CHECK(s.prune().blobs_removed == 3);
  CHECK(s.verify(true).empty());
}

TEST_CASE("store: a corrupted blob is detected on read and named", "[store]") {
  util::TempDir dir;
  store::OciLayoutStore s(dir.path());
  auto img = test::put_image(s, {"f:1"}, "c", 4096);
  fs::path p = s.blob_path(img.module.digest);
  std::string bytes = util::read_file(p);
  bytes[100] ^= 0x55;  // same size, different content
  ::chmod(p.c_str(), 0644);
  write_raw(p, bytes);
  auto e = catch_error([&] { store::read_all(s, img.module); });
  CHECK(e.code() == Errc::digest_mismatch);
  CHECK_THAT(e.message(), Catch::Contains(p.string()));
  CHECK_THAT(e.message(), Catch::Contains(img.module.digest.to_string()));
  CHECK_THAT(e.message(), Catch::Contains(digest::sha256(bytes).to_string()));
  CHECK_FALSE(e.hint().empty());
  auto problems = s.verify();
  REQUIRE(problems.size() == 1);
  CHECK_THAT(problems[0], Catch::Contains(img.module.digest.to_string()));

  // Truncated: the size is wrong before any hashing; has() says absent so a copy rewrites it.
  write_raw(p, bytes.substr(0, 10));
  CHECK(catch_error([&] { s.open(img.module); }).code() == Errc::digest_mismatch);
  CHECK_FALSE(s.has(img.module));
  store::write_all(s, img.module, test::fixture_module("c", 4096));
  CHECK(s.verify().empty());
}

TEST_CASE("store: an index.json that is not JSON is an error naming it and is never overwritten",
          "[store]") {
  util::TempDir dir;
  store::OciLayoutStore s(dir.path());
  auto img = test::put_image(s, {"f:1"});
  write_raw(dir.path() / "index.json", "this is not json");
  auto e = catch_error([&] { s.list(); });
  CHECK(e.code() == Errc::parse);
  CHECK_THAT(e.message(), Catch::Contains((dir.path() / "index.json").string()));
  CHECK_FALSE(e.hint().empty());
  CHECK(catch_error([&] { s.set_name(R("f:2"), img.manifest); }).code() == Errc::parse);
  CHECK(catch_error([&] { s.remove_name(R("f:1")); }).code() == Errc::parse);
  CHECK(catch_error([&] { s.prune(); }).code() == Errc::parse);
  CHECK(catch_error([&] { test::put_image(s, {"f:3"}, "other"); }).code() == Errc::parse);
  CHECK(util::read_file(dir.path() / "index.json") == "this is not json");
  CHECK(s.has(img.module));  // prune did not run
}

namespace {

// A source that records which blobs were opened (to prove a refusal came before any byte).
class CountingStore final : public store::Store {
 public:
  explicit CountingStore(store::Store& inner) : m_inner(inner) {}
  bool has(const oci::Descriptor& d) override { return m_inner.has(d); }
  std::unique_ptr<store::BlobReader> open(const oci::Descriptor& d) override {
    opened.push_back(d.digest.to_string());
    return m_inner.open(d);
  }
  std::unique_ptr<store::BlobWriter> create(const oci::Descriptor& d) override {
    return m_inner.create(d);
  }
  void put_manifest(const oci::Descriptor& d, std::string_view b,
                    const std::vector<ref::Reference>& n) override {
    m_inner.put_manifest(d, b, n);
  }
  std::optional<oci::Descriptor> resolve(const ref::Reference& n) override {
    return m_inner.resolve(n);
  }
  std::vector<std::string> opened;

 private:
  store::Store& m_inner;
};

size_t blob_files(const fs::path& root) {
  size_t n = 0;
  std::error_code ec;
  if (!fs::exists(root / "blobs", ec)) return 0;
  for (auto& e : fs::recursive_directory_iterator(root / "blobs"))
    if (e.is_regular_file()) ++n;
  return n;
}

}  // namespace

TEST_CASE("store: sizes over the per-kind caps are refused before the first byte",
          "[store][caps]") {
  store::MemoryStore mem;
  auto img = test::put_image(mem, {}, "caps", 2048);
  const int64_t gib = int64_t(1) << 30;

  auto manifest_with = [&](int64_t config_size, int64_t layer_size, const std::string& layer_type) {
    oci::Manifest m;
    m.config = img.config;
    m.config.size = config_size;
    oci::Descriptor layer = img.module;
    layer.size = layer_size;
    layer.media_type = layer_type;
    m.layers.push_back(layer);
    std::string bytes = m.serialize();
    auto d = oci::Descriptor::for_bytes(oci::media::k_manifest, bytes);
    mem.put_manifest(d, bytes, {});
    return d;
  };

  struct Case {
    const char* what;
    int64_t config;
    int64_t layer;
    std::string type;
    const char* expect;
    Errc code = Errc::validation;
  };
  std::vector<Case> cases = {
      {"a config claiming 5 GiB", 5 * gib, img.module.size, oci::media::k_wasm_layer, "config"},
      {"a layer claiming 10 GiB", img.config.size, 10 * gib, oci::media::k_layer_tar, "layer"},
      {"a module claiming 600 MiB", img.config.size, 600ll << 20, oci::media::k_wasm_layer,
       "module layer"},
      // The manifest parser refuses it already (check_size_cap would too).
      {"a negative size", img.config.size, -5, oci::media::k_layer_tar, "negative", Errc::parse},
  };
  for (const auto& c : cases) {
    SECTION(c.what) {
      auto root = manifest_with(c.config, c.layer, c.type);
      CountingStore src(mem);
      util::TempDir dir;
      store::OciLayoutStore dst(dir.path());
      store::CopyOptions opts;
      opts.names = {R("localhost:5000/caps:v1")};
      auto e = catch_error([&] { store::copy_graph(src, dst, root, opts); });
      CHECK(e.code() == c.code);
      CHECK_THAT(e.message(), Catch::Contains(c.expect));
      // Only the manifest itself was read: no blob was opened, nothing was written.
      CHECK(src.opened == std::vector<std::string>{root.digest.to_string()});
      CHECK(blob_files(dir.path()) == 0);
      CHECK_FALSE(dst.resolve(R("localhost:5000/caps:v1")).has_value());
    }
  }

  SECTION("caps are per copy and a blob within them passes") {
    auto root = manifest_with(img.config.size, img.module.size, oci::media::k_wasm_layer);
    store::MemoryStore dst;
    store::CopyOptions opts;
    opts.caps.module = 1000;  // the 2048-byte module is now over the cap
    auto e = catch_error([&] { store::copy_graph(mem, dst, root, opts); });
    CHECK_THAT(e.message(), Catch::Contains("module layer"));
    opts.caps = {};
    CHECK(store::copy_graph(mem, dst, root, opts).blobs_copied == 3);
  }

  SECTION("an index entry claiming more than the layer cap is refused") {
    oci::Index idx;
    idx.manifests.push_back(img.manifest);
    oci::Descriptor opaque = img.module;
    opaque.media_type = "application/vnd.example.thing";
    opaque.size = 3 * gib;
    idx.manifests.push_back(opaque);
    std::string ib = idx.serialize();
    auto id = oci::Descriptor::for_bytes(oci::media::k_index, ib);
    mem.put_manifest(id, ib, {});
    CountingStore src(mem);
    store::MemoryStore dst;
    auto e = catch_error([&] { store::copy_graph(src, dst, id, {}); });
    CHECK(e.code() == Errc::validation);
    CHECK(src.opened == std::vector<std::string>{id.digest.to_string()});
  }
}

TEST_CASE("store: copy with verify_existing replaces a damaged blob of the right size",
          "[store][repair]") {
  store::MemoryStore src;
  auto img = test::put_image(src, {}, "rep", 4096);
  util::TempDir dir;
  store::OciLayoutStore dst(dir.path());
  store::CopyOptions opts;
  opts.names = {R("localhost:5000/rep:v1")};
  store::copy_graph(src, dst, img.manifest, opts);
  auto damage = [&](const digest::Digest& d) {
    fs::path p = dst.blob_path(d);
    std::string bytes = util::read_file(p);
    bytes[bytes.size() / 2] ^= 0x55;  // same size, different content
    ::chmod(p.c_str(), 0644);
    write_raw(p, bytes);
  };
  damage(img.module.digest);
  damage(img.manifest.digest);
  REQUIRE_FALSE(dst.verify().empty());

  // Trusting the size, the copy skips both and the damage stays.
  auto plain = store::copy_graph(src, dst, img.manifest, {});
  CHECK(plain.blobs_skipped == 3);
  CHECK_FALSE(dst.verify().empty());

  // Hashing what is there, both are fetched again.
  CollectingReporter rep;
  opts.verify_existing = true;
  opts.reporter = &rep;
  auto fixed = store::copy_graph(src, dst, img.manifest, opts);
  CHECK(fixed.blobs_repaired == 2);
  CHECK(dst.verify().empty());
  CHECK(store::read_all(dst, img.module) == test::fixture_module("rep", 4096));
  CHECK_THAT(rep.all_text(), Catch::Contains("fetching it again"));
  // Sound content is still skipped.
  auto again = store::copy_graph(src, dst, img.manifest, opts);
  CHECK(again.blobs_repaired == 0);
  CHECK(again.blobs_skipped == 2);
}

TEST_CASE("store: prune waits for writers on the given clock, then says the store is busy",
          "[store][clock]") {
  using namespace std::chrono_literals;
  util::TempDir dir;
  store::OciLayoutStore s(dir.path());
  test::put_image(s, {"acme/a:1"});
  // Another writer (as another process would): a shared lock on blobs.lock through its own
  // open file.
  int fd = ::open((dir.path() / store::OciLayoutStore::k_writers_lock).c_str(), O_RDWR | O_CLOEXEC);
  REQUIRE(fd >= 0);
  REQUIRE(::flock(fd, LOCK_SH) == 0);
  test::FakeClock clock;
  auto busy = catch_error([&] { s.prune(clock); });
  CHECK(busy.code() == Errc::failed);
  CHECK_THAT(busy.message(), Catch::Contains("is busy"));
  // A minute of 50 ms polls, waited on the fake clock (no real minute).
  auto sleeps = clock.sleeps();
  REQUIRE_FALSE(sleeps.empty());
  CHECK(sleeps.front() == 50ms);
  CHECK(clock.elapsed() >= 60s);
  CHECK(clock.elapsed() < 61s);
  // The writer is gone: prune runs at once.
  ::close(fd);
  test::FakeClock after;
  CHECK(s.prune(after).blobs_removed == 0);
  CHECK(after.sleeps().empty());
  CHECK(s.list().size() == 1);
}

}  // namespace store_store_test
