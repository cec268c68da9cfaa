#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <set>

#include "ext/archive/archive.hpp"
#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "support/paths.hpp"

namespace fs = std::filesystem;
using ext::Errc;
using ext::Error;
using ext::archive::TarEntry;

namespace {

// Crafts an archive with tests/support/artifact/craft_archive.py (Python's tarfile).
fs::path craft(const fs::path& dir, const std::string& kind, bool gzip,
               std::optional<std::string> stdin_data = std::nullopt) {
  auto out = dir / (kind + (gzip ? ".tar.gz" : ".tar"));
  ext::util::ProcessSpec spec;
  spec.argv = {ext::test::python(),
               (ext::test::source_dir() / "tests/support/artifact/craft_archive.py").string(), kind,
               out.string()};
  if (gzip) spec.argv.push_back("--gzip");
  spec.stdin_data = std::move(stdin_data);
  ext::util::SubprocessRunner runner{ext::test::host_environment()};
  auto r = runner.run(spec);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  return out;
}

std::string pattern(size_t n, unsigned seed) {
  std::string s(n, '\0');
  uint32_t x = seed;
  for (auto& c : s) {
    x = x * 1664525u + 1013904223u;
    c = static_cast<char>(x >> 24);
  }
  return s;
}

Errc code_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    UNSCOPED_INFO(e.message());
    return e.code();
  }
  return Errc::internal;  // "did not throw"
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const Error& e) {
    return e.message();
  }
  return "did not throw";
}

size_t count_files(const fs::path& dir) {
  size_t n = 0;
  for ([[maybe_unused]] auto& e : fs::recursive_directory_iterator(dir)) ++n;
  return n;
}

// A numeric ustar header field (octal, space or NUL terminated).
unsigned long octal_field(const std::string& tar, size_t off, size_t len) {
  auto field = tar.substr(off, len);
  REQUIRE(field.find_first_not_of("01234567 \0", 0, 10) == std::string::npos);
  return std::stoul(field, nullptr, 8);
}

}  // namespace

TEST_CASE("tar.gz output is deterministic and carries no time, name or owner", "[archive]") {
  ext::util::TempDir dir;
  auto module = pattern(300000, 7);
  ext::util::write_file_atomic(dir.path() / "m.wasm", module);
  std::vector<TarEntry> from_file = {
      {"runtime-config.json", {}, std::string(R"({"type":"envoy_proxy"})"), 0644, false},
      {"plugin.wasm", dir.path() / "m.wasm", std::nullopt, 0644, false}};
  std::vector<TarEntry> from_memory = from_file;
  from_memory[1].source.clear();
  from_memory[1].content = module;

  auto a = ext::archive::tar_bytes(from_file, true);
  auto b = ext::archive::tar_bytes(from_memory, true);
  CHECK(a == b);
  // Another second, another process state: the same bytes.
  fs::last_write_time(dir.path() / "m.wasm", fs::file_time_type::clock::now());
  CHECK(ext::archive::tar_bytes(from_file, true) == a);

  // gzip header (RFC 1952): magic, deflate, FLG = 0 (no FNAME/FCOMMENT/FEXTRA), MTIME = 0.
  REQUIRE(a.size() > 18);
  CHECK(static_cast<unsigned char>(a[0]) == 0x1f);
  CHECK(static_cast<unsigned char>(a[1]) == 0x8b);
  CHECK(a[2] == 8);
  CHECK(a[3] == 0);
  CHECK(a.substr(4, 4) == std::string(4, '\0'));

  // write_tar to a file gives the same bytes.
  auto out = dir.path() / "layer.tar.gz";
  ext::archive::write_tar(out, from_file, true);
  CHECK(ext::util::read_file(out) == a);

  // Plain tar headers: uid/gid 0, mtime 0, no user or group names, the given mode.
  auto tar = ext::archive::tar_bytes(from_memory, false);
  REQUIRE(tar.size() >= 1024);
  CHECK(tar.substr(0, 19) == "runtime-config.json");
  CHECK(octal_field(tar, 100, 8) == 0644);  // mode
  CHECK(octal_field(tar, 108, 8) == 0);     // uid
  CHECK(octal_field(tar, 116, 8) == 0);     // gid
  CHECK(octal_field(tar, 124, 12) == 22);   // size
  CHECK(octal_field(tar, 136, 12) == 0);    // mtime
  CHECK(tar.substr(257, 5) == "ustar");
  CHECK(tar.substr(265, 32) == std::string(32, '\0'));  // uname
  CHECK(tar.substr(297, 32) == std::string(32, '\0'));  // gname
  CHECK(tar.size() % 512 == 0);
}

TEST_CASE("round trip: write then extract files, directories and modes", "[archive]") {
  ext::util::TempDir dir;
  auto big = pattern((5 << 20) + 123, 3);
  ext::util::write_file_atomic(dir.path() / "big.bin", big);
  std::string long_name = "deep/" + std::string(120, 'n') + "/file.txt";
  std::vector<TarEntry> entries = {
      {"bin", {}, std::nullopt, 0755, true},
      {"bin/tool", {}, std::string("#!/bin/sh\n"), 0755, false},
      {"data/big.bin", dir.path() / "big.bin", std::nullopt, 0600, false},
      {long_name, {}, std::string("long"), 0644, false},
      {"empty", {}, std::string(), 0644, false}};
  for (bool gzip : {false, true}) {
    auto archive = dir.path() / (gzip ? "a.tar.gz" : "a.tar");
    ext::archive::write_tar(archive, entries, gzip);
    auto dest = dir.path() / (gzip ? "out-gz" : "out");
    ext::archive::extract(archive, dest);
    CHECK(ext::util::read_file(dest / "bin/tool") == "#!/bin/sh\n");
    CHECK(ext::util::read_file(dest / "data/big.bin") == big);
    CHECK(ext::util::read_file(dest / long_name) == "long");
    CHECK(ext::util::read_file(dest / "empty").empty());
    CHECK((fs::status(dest / "bin/tool").permissions() & fs::perms::owner_exec) != fs::perms::none);
    CHECK((fs::status(dest / "data/big.bin").permissions() & fs::perms::others_read) ==
          fs::perms::none);

    auto listed = ext::archive::list(ext::archive::file_reader(archive));
    REQUIRE(listed.size() == 5);
    CHECK(listed[0].type == "directory");
    CHECK(listed[2].path == "data/big.bin");
    CHECK(listed[2].size == big.size());
    CHECK(listed[2].mode == 0600);
    CHECK(listed[3].path == long_name);
  }
}

TEST_CASE("writing refuses unsafe entry paths", "[archive]") {
  for (const char* bad : {"../x", "/etc/x", "a/../../x", "", "./"}) {
    std::vector<TarEntry> e = {{bad, {}, std::string("x"), 0644, false}};
    CHECK(code_of([&] { (void)ext::archive::tar_bytes(e, false); }) == Errc::invalid_argument);
  }
  std::vector<TarEntry> missing = {{"x", "/nonexistent/file", std::nullopt, 0644, false}};
  CHECK(code_of([&] { (void)ext::archive::tar_bytes(missing, true); }) == Errc::not_found);
}

TEST_CASE("safe extraction refuses hostile archives and leaves nothing behind", "[archive]") {
  ext::util::TempDir dir;
  struct Case {
    const char* kind;
    const char* says;
  };
  const Case cases[] = {
      {"dotdot", "\"..\""},     {"nested-dotdot", "\"..\""},        {"absolute", "absolute"},
      {"symlink", "a symlink"}, {"symlink-then-file", "a symlink"}, {"hardlink", "a hardlink"},
      {"chardev", "a device"},  {"blockdev", "a device"},           {"fifo", "a fifo"}};
  // One Python run crafts them all (DIR/KIND.tar and DIR/KIND.tar.gz).
  ext::util::ProcessSpec spec;
  spec.argv = {ext::test::python(),
               (ext::test::source_dir() / "tests/support/artifact/craft_archive.py").string(),
               "--all", dir.path().string()};
  for (const auto& c : cases) spec.argv.push_back(c.kind);
  ext::util::SubprocessRunner runner{ext::test::host_environment()};
  REQUIRE(runner.run(spec).exit_code == 0);
  for (const auto& c : cases) {
    for (const char* ext : {".tar", ".tar.gz"}) {
      auto archive = dir.path() / (std::string(c.kind) + ext);
      INFO(archive.filename().string());
      auto dest = dir.path() / (std::string("dest-") + c.kind + ext);
      auto msg = message_of([&] { ext::archive::extract(archive, dest); });
      INFO(msg);
      CHECK(msg.find(c.says) != std::string::npos);
      CHECK(msg.find("unsafe archive entry") != std::string::npos);
      CHECK(code_of([&] { ext::archive::extract(archive, dest); }) == Errc::validation);
      // The harmless first entry was removed again; nothing escaped.
      CHECK(fs::exists(dest));
      CHECK(count_files(dest) == 0);
      CHECK_FALSE(fs::exists(dir.path() / "escape.txt"));
      CHECK_FALSE(fs::exists("/tmp/ext-absolute-escape.txt"));
      CHECK_FALSE(fs::exists("/tmp/ext-symlink-escape.txt"));
    }
  }
}

TEST_CASE("extraction refuses to write through a symlink already in dest", "[archive]") {
  ext::util::TempDir dir;
  auto dest = dir.path() / "dest";
  auto outside = dir.path() / "outside";
  fs::create_directories(dest);
  fs::create_directories(outside);
  fs::create_directory_symlink(outside, dest / "sub");
  auto archive = dir.path() / "a.tar";
  ext::archive::write_tar(archive, {{"sub/x.txt", {}, std::string("x"), 0644, false}}, false);
  CHECK(code_of([&] { ext::archive::extract(archive, dest); }) == Errc::validation);
  CHECK(count_files(outside) == 0);
  // A symlink at the file's own place is refused too (O_NOFOLLOW), not followed.
  fs::remove(dest / "sub");
  fs::create_symlink(outside / "target", dest / "x.txt");
  ext::archive::write_tar(archive, {{"x.txt", {}, std::string("x"), 0644, false}}, false);
  CHECK(code_of([&] { ext::archive::extract(archive, dest); }) == Errc::validation);
  CHECK_FALSE(fs::exists(outside / "target"));
}

TEST_CASE("extraction bounds entry size, total size and entry count", "[archive]") {
  ext::util::TempDir dir;
  auto big = craft(dir.path(), "big", true);
  ext::archive::Limits small;
  small.max_entry_size = 1 << 20;
  auto msg = message_of([&] { ext::archive::extract(big, dir.path() / "d1", small); });
  CHECK(msg.find("big.bin") != std::string::npos);
  CHECK(msg.find("over the limit") != std::string::npos);
  CHECK(count_files(dir.path() / "d1") == 0);

  ext::archive::Limits total;
  total.max_total_size = 2 << 20;
  CHECK(code_of([&] { ext::archive::extract(big, dir.path() / "d2", total); }) == Errc::validation);

  ext::archive::Limits few;
  few.max_entries = 1;
  CHECK(code_of([&] { ext::archive::extract(big, dir.path() / "d3", few); }) == Errc::validation);

  // The member API is bounded too.
  CHECK(code_of([&] {
          (void)ext::archive::extract_member(big, "big.bin", dir.path() / "m", small);
        }) == Errc::validation);
  CHECK_FALSE(fs::exists(dir.path() / "m"));
  // Within the limits it all works.
  ext::archive::extract(big, dir.path() / "d4");
  CHECK(fs::file_size(dir.path() / "d4/big.bin") == (3u << 20));
}

TEST_CASE("extract_member streams one member by path or base name", "[archive]") {
  ext::util::TempDir dir;
  auto wasm = pattern(200000, 11);
  auto layer = craft(dir.path(), "docker", true, wasm);
  auto out = dir.path() / "plugin.wasm";
  // Base name (as Istio's fetcher): "./x/plugin.wasm" matches "plugin.wasm".
  REQUIRE(ext::archive::extract_member(layer, "plugin.wasm", out));
  CHECK(ext::util::read_file(out) == wasm);
  fs::remove(out);
  // Full normalized path.
  REQUIRE(ext::archive::extract_member(layer, "x/plugin.wasm", out));
  CHECK(ext::util::read_file(out) == wasm);
  fs::remove(out);
  // Absent: false, and no file left behind.
  CHECK_FALSE(ext::archive::extract_member(layer, "filter.wasm", out));
  CHECK_FALSE(ext::archive::extract_member(layer, "y/plugin.wasm", out));
  CHECK_FALSE(fs::exists(out));
  CHECK(count_files(dir.path()) == 1);
  // Over a stream, and into memory.
  auto src = ext::archive::file_reader(layer);
  auto host = ext::archive::read_member(src, "hostname");
  REQUIRE(host);
  CHECK(*host == "wasm\n");
  CHECK(code_of([&] {
          (void)ext::archive::read_member(ext::archive::file_reader(layer), "plugin.wasm", 1000);
        }) == Errc::validation);

  // A member that is a symlink is refused, not followed.
  auto evil = craft(dir.path(), "plugin-symlink", true);
  auto msg = message_of([&] { (void)ext::archive::extract_member(evil, "plugin.wasm", out); });
  CHECK(msg.find("symlink, not a regular file") != std::string::npos);
  CHECK_FALSE(fs::exists(out));
}

TEST_CASE("damaged input is a parse error", "[archive]") {
  ext::util::TempDir dir;
  auto junk = dir.path() / "junk.tar";
  ext::util::write_file_atomic(junk, pattern(5000, 1));
  CHECK(code_of([&] { ext::archive::extract(junk, dir.path() / "d"); }) == Errc::parse);

  auto good = ext::archive::tar_bytes({{"f", {}, pattern(100000, 2), 0644, false}}, true);
  auto cut = dir.path() / "cut.tar.gz";
  ext::util::write_file_atomic(cut, good.substr(0, good.size() / 2));
  CHECK(code_of([&] { ext::archive::extract(cut, dir.path() / "d2"); }) == Errc::parse);
  CHECK(count_files(dir.path() / "d2") == 0);
  CHECK(code_of([&] { (void)ext::archive::extract_member(cut, "f", dir.path() / "f"); }) ==
        Errc::parse);
  CHECK(code_of([&] { ext::archive::extract(dir.path() / "missing.tar", dir.path() / "d3"); }) ==
        Errc::not_found);
}

TEST_CASE("a failing sink reaches the caller", "[archive]") {
  ext::archive::TarWriter w([](const void*, size_t) { throw Error(Errc::io, "disk full (test)"); },
                            false);
  auto msg = message_of([&] {
    w.add({"f", {}, pattern(1 << 20, 5), 0644, false});
    w.finish();
  });
  CHECK(msg.find("disk full (test)") != std::string::npos);
}

TEST_CASE("library_version names libarchive and zlib", "[archive]") {
  auto v = ext::archive::library_version();
  CHECK(v.find("libarchive 3.") != std::string::npos);
  CHECK(v.find("zlib") != std::string::npos);
}

TEST_CASE("extract_selected writes only the selected regular files, each bounded",
          "[archive][io]") {
  ext::util::TempDir dir;
  auto pick = [](std::set<std::string> names, uint64_t bound) {
    return [names, bound](const std::string& p) -> std::optional<uint64_t> {
      if (!names.count(p)) return std::nullopt;
      return bound;
    };
  };
  SECTION("unselected content is skipped, whatever it is") {
    for (const char* kind : {"symlink", "fifo", "chardev", "dotdot", "big"}) {
      auto tar = craft(dir.path(), kind, true);
      auto dest = dir.path() / (std::string("out-") + kind);
      auto got = ext::archive::extract_selected(tar, dest, pick({"ok.txt"}, 100));
      CHECK(got == std::vector<std::string>{"ok.txt"});
      std::vector<std::string> files;
      for (auto& e : fs::recursive_directory_iterator(dest)) files.push_back(e.path().string());
      CHECK(files.size() == 1);  // only ok.txt: 3 MiB of big.bin never reached the disk
    }
  }
  SECTION("a selected entry that is not a regular file, or over its bound, is refused") {
    auto fifo = craft(dir.path(), "fifo", false);
    try {
      ext::archive::extract_selected(fifo, dir.path() / "f", pick({"pipe"}, 100));
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::validation);
      CHECK_THAT(e.message(), Catch::Contains("not a regular file"));
    }
    auto big = craft(dir.path(), "big", false);
    try {
      ext::archive::extract_selected(big, dir.path() / "b", pick({"big.bin"}, 1000));
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::validation);
    }
    CHECK_FALSE(fs::exists(dir.path() / "b" / "big.bin"));
  }
  SECTION("a FIFO given as the archive is refused at once") {
    auto p = dir.path() / "pipe.tar";
    REQUIRE(::mkfifo(p.c_str(), 0644) == 0);
    try {
      ext::archive::extract_selected(p, dir.path() / "p", pick({"ok.txt"}, 100));
      FAIL("expected an error");
    } catch (const Error& e) {
      CHECK(e.code() == Errc::validation);
    }
  }
}
