// The local store across processes: concurrent writers lose no name; a writer killed with
// SIGKILL in the middle of a blob write or an index.json write leaves a store that reads fine.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include "ext/oci/media_types.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "support/store/image_fixture.hpp"

using namespace ext;
namespace fs = std::filesystem;

namespace {

ref::Reference R(const std::string& s) {
  return ref::Reference::parse(s).value();
}

// Runs f in a forked child; returns its pid. The child never returns into Catch.
template <class F>
pid_t spawn(F&& f) {
  pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    int rc = 0;
    try {
      f();
    } catch (...) {
      rc = 3;
    }
    ::_exit(rc);
  }
  return pid;
}

int wait_exit(pid_t pid) {
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  return 128 + WTERMSIG(status);
}

size_t count_temp(const fs::path& dir) {
  size_t n = 0;
  std::error_code ec;
  for (auto& e : fs::directory_iterator(dir, ec))
    if (e.path().filename().string()[0] == '.') ++n;
  return n;
}

// Everything a reader does must work: list, resolve every name, read every manifest and blob.
void check_readable(const fs::path& root) {
  store::OciLayoutStore s(root);
  auto entries = s.list();
  // resolve() reads index.json each time: check a spread of names, not all of them.
  size_t step = std::max<size_t>(1, entries.size() / 50);
  for (size_t i = 0; i < entries.size(); i += step) {
    const auto& e = entries[i];
    auto r = s.resolve(R(e.name));
    REQUIRE(r.has_value());
    CHECK(r->digest == e.manifest.digest);
  }
  CHECK(s.verify(true).empty());
}

}  // namespace

TEST_CASE("store: concurrent processes tagging into one store lose no entry", "[store]") {
  util::TempDir dir;
  fs::path root = dir.path() / "store";
  oci::Descriptor manifest;
  {
    store::OciLayoutStore s(root);
    manifest = test::put_image(s, {"acme/base:1"}).manifest;
  }
  constexpr int k_procs = 3;
  constexpr int k_tags = 50;
  std::vector<pid_t> pids;
  for (int p = 0; p < k_procs; ++p) {
    pids.push_back(spawn([&, p] {
      store::OciLayoutStore s(root);
      for (int i = 0; i < k_tags; ++i) {
        s.set_name(R("acme/p" + std::to_string(p) + ":t" + std::to_string(i)), manifest);
        // Every other step also writes a fresh image, so blob writes race too.
        if (i % 10 == 0)
          test::put_image(s, {"acme/img" + std::to_string(p) + ":" + std::to_string(i)},
                          "s" + std::to_string(p) + "-" + std::to_string(i), 2048);
      }
    }));
  }
  for (pid_t pid : pids) CHECK(wait_exit(pid) == 0);
  store::OciLayoutStore s(root);
  std::set<std::string> names;
  for (const auto& e : s.list()) names.insert(e.name);
  CHECK(names.size() == 1 + k_procs * k_tags + k_procs * (k_tags / 10));
  for (int p = 0; p < k_procs; ++p)
    for (int i = 0; i < k_tags; ++i)
      CHECK(names.count("docker.io/acme/p" + std::to_string(p) + ":t" + std::to_string(i)) == 1);
  CHECK(count_temp(root) == 0);
  CHECK(count_temp(root / "blobs" / "sha256") == 0);
  check_readable(root);
}

TEST_CASE("store: a process killed mid blob write leaves no visible half blob", "[store]") {
  util::TempDir dir;
  fs::path root = dir.path() / "store";
  {
    store::OciLayoutStore s(root);
    test::put_image(s, {"acme/ok:1"});
  }
  const uint64_t size = 64u << 20;
  std::string chunk(1u << 20, 'k');
  std::string whole;
  // The descriptor of 64 x chunk, computed without holding 64 MiB twice.
  digest::Sha256 h;
  for (uint64_t i = 0; i < size / chunk.size(); ++i) h.update(chunk);
  oci::Descriptor big;
  big.media_type = oci::media::k_wasm_layer;
  big.digest = h.finish();
  big.size = static_cast<int64_t>(size);

  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  pid_t pid = spawn([&] {
    ::close(fds[0]);
    store::OciLayoutStore s(root);
    auto w = s.create(big);
    for (uint64_t i = 0; i < size / chunk.size(); ++i) {
      w->write(chunk.data(), chunk.size());
      if (i == 2) {
        // Three chunks written: tell the parent, then wait to be killed mid-blob (an event,
        // not a sleep that hopes the kill comes before the end).
        (void)!::write(fds[1], "x", 1);
        for (;;) ::pause();
      }
    }
    w->commit();
  });
  ::close(fds[1]);
  char c;
  REQUIRE(::read(fds[0], &c, 1) == 1);
  ::close(fds[0]);
  ::kill(pid, SIGKILL);
  CHECK(wait_exit(pid) == 128 + SIGKILL);

  store::OciLayoutStore s(root);
  CHECK_FALSE(s.has(big));
  CHECK_FALSE(fs::exists(s.blob_path(big.digest)));
  CHECK(count_temp(root / "blobs" / "sha256") == 1);  // the partial temp file, invisible
  check_readable(root);
  CHECK(s.list().size() == 1);
  // prune deletes the stale temp file (its writer is dead: no lock holds it).
  auto pr = s.prune();
  CHECK(pr.blobs_removed == 0);
  CHECK(pr.bytes_freed > 0);
  CHECK(count_temp(root / "blobs" / "sha256") == 0);
}

TEST_CASE("store: processes killed mid index.json write leave a readable store", "[store]") {
  util::TempDir dir;
  fs::path root = dir.path() / "store";
  oci::Descriptor manifest;
  {
    store::OciLayoutStore s(root);
    manifest = test::put_image(s, {"acme/base:1"}).manifest;
    // A big index (about 1 MiB) so a rewrite takes long enough to be interrupted.
    oci::Index idx = s.read_index();
    for (int i = 0; i < 5000; ++i) {
      oci::Descriptor e = manifest;
      e.annotations[oci::k_ref_name_annotation] = "docker.io/acme/many:" + std::to_string(i);
      idx.manifests.push_back(e);
    }
    util::write_file_atomic(root / "index.json", idx.serialize());
  }
  size_t before = 5001;
  int killed_with_temp = 0;
  for (int round = 0; round < 8; ++round) {
    pid_t pid = spawn([&, round] {
      store::OciLayoutStore s(root);
      for (int i = 0;; ++i)
        s.set_name(R("acme/r" + std::to_string(round) + ":" + std::to_string(i)), manifest);
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(30 + 17 * round));
    ::kill(pid, SIGKILL);
    CHECK(wait_exit(pid) == 128 + SIGKILL);
    if (count_temp(root) > 0) ++killed_with_temp;
    store::OciLayoutStore s(root);
    auto entries = s.list();  // never a half-written index.json
    CHECK(entries.size() >= before);
    before = entries.size();
  }
  // Simulated: the exact state a kill inside write_file_atomic leaves (a partial temp file).
  {
    std::string partial = util::read_file(root / "index.json").substr(0, 1000);
    util::write_file_atomic(root / ".index.json.tmp.424242.0.deadbeef", partial);
  }
  check_readable(root);
  store::OciLayoutStore s(root);
  CHECK(s.list().size() == before);
  s.prune();
  CHECK(count_temp(root) == 0);
  INFO("rounds killed while a temp index existed: " << killed_with_temp);
  CHECK(s.list().size() == before);
}
