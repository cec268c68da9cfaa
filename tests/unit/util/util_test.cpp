#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <thread>

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "ext/util/strings.hpp"

using namespace ext;

TEST_CASE("strings", "[util]") {
  CHECK(util::trim("  a b \n") == "a b");
  CHECK(util::split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(util::to_lower("AbC") == "abc");
  CHECK(util::human_size(512) == "512 B");
  CHECK(util::human_size(3 * 1024 * 1024 / 2) == "1.5 MiB");
  const uint8_t b[] = {0x00, 0xab, 0xff};
  CHECK(util::hex_encode(b) == "00abff");
  CHECK(util::is_hex("00abff"));
  CHECK_FALSE(util::is_hex("00ABff"));
}

TEST_CASE("redact removes secrets from log text", "[util]") {
  auto s = util::redact(
      "GET https://bob:hunter2@reg.example/v2/ Authorization: Bearer eyJhbGciOi.x.y "
      "{\"token\":\"abc123\",\"password\": \"pw\"} /token?access_token=zzz&scope=a");
  CHECK(s.find("hunter2") == std::string::npos);
  CHECK(s.find("eyJhbGciOi") == std::string::npos);
  CHECK(s.find("abc123") == std::string::npos);
  CHECK(s.find("\"pw\"") == std::string::npos);
  CHECK(s.find("zzz") == std::string::npos);
  CHECK(s.find("reg.example/v2/") != std::string::npos);
}

TEST_CASE("atomic write replaces content and leaves no temp file", "[util]") {
  util::TempDir dir;
  auto p = dir.path() / "f.json";
  util::write_file_atomic(p, "one");
  util::write_file_atomic(p, "two");
  CHECK(util::read_file(p) == "two");
  int files = 0;
  for (auto& e : std::filesystem::directory_iterator(dir.path())) (void)e, ++files;
  CHECK(files == 1);
  CHECK_THROWS_AS(util::read_file(dir.path() / "missing"), Error);
  CHECK_THROWS_AS(util::read_file(p, 2), Error);
}

TEST_CASE("file lock excludes another process", "[util]") {
  util::TempDir dir;
  auto lock_path = dir.path() / "lock";
  auto marker = dir.path() / "marker";
  auto lock = std::make_unique<util::FileLock>(lock_path);
  pid_t pid = ::fork();
  if (pid == 0) {
    util::FileLock child_lock(lock_path);  // blocks until the parent releases
    bool parent_done = std::filesystem::exists(marker);
    ::_exit(parent_done ? 0 : 1);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  util::write_file_atomic(marker, "x");
  lock.reset();
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("subprocess runner feeds stdin, captures output and exit code", "[util]") {
  util::SubprocessRunner r;
  util::ProcessSpec spec;
  spec.argv = {"sh", "-c", "cat; echo err >&2; exit 3"};
  spec.stdin_data = std::string(200000, 'x');
  auto res = r.run(spec);
  CHECK(res.exit_code == 3);
  CHECK(res.out.size() == 200000);
  CHECK(res.err == "err\n");

  spec = {};
  spec.argv = {"sh", "-c", "echo $EXT_T; pwd"};
  spec.env = {{"EXT_T", "hello"}};
  spec.cwd = "/";
  res = r.run(spec);
  CHECK(res.out == "hello\n/\n");

  spec.argv = {"no-such-program-ext"};
  CHECK_THROWS_AS(r.run(spec), Error);
  CHECK(util::shell_quote({"clang", "-o", "a b", "it's"}) == "clang -o 'a b' 'it'\\''s'");
}
