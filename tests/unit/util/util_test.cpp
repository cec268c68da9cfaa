#include <sys/wait.h>
#include <unistd.h>

#include <fcntl.h>
#include <sys/file.h>
#include <catch2/catch.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <thread>

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "ext/util/strings.hpp"
#include "support/paths.hpp"

using namespace ext;

TEST_CASE("strings", "[util]") {
  CHECK(util::trim("  a b \n") == "a b");
  // With a set of its own (CommonMark's blank: spaces and tabs, not a form feed).
  CHECK(util::trim("\t a b \t", " \t") == "a b");
  CHECK(util::trim("\f a \f", " \t") == "\f a \f");
  CHECK(util::trim(" \t ", " \t").empty());
  CHECK(util::split("a,,b", ',') == std::vector<std::string>{"a", "", "b"});
  CHECK(util::to_lower("AbC") == "abc");
  CHECK(util::human_size(512) == "512 B");
  CHECK(util::human_size(3 * 1024 * 1024 / 2) == "1.5 MiB");
  const uint8_t b[] = {0x00, 0xab, 0xff};
  CHECK(util::hex_encode(b) == "00abff");
  CHECK(util::is_hex("00abff"));
  CHECK_FALSE(util::is_hex("00ABff"));
}

TEST_CASE("random_suffix and errno_text: the one copy the store and atomic writes use", "[util]") {
  auto a = util::random_suffix(), b = util::random_suffix();
  CHECK(a != b);
  CHECK(a.rfind(std::to_string(::getpid()) + ".", 0) == 0);  // "<pid>.<counter>.<random>"
  errno = ENOENT;
  CHECK(util::errno_text() == std::strerror(ENOENT));
}

TEST_CASE("markup_escape: one escaping for HTML pages and XML reports", "[util]") {
  CHECK(util::markup_escape("<a href=\"x\" onclick='y'>&</a>") ==
        "&lt;a href=&quot;x&quot; onclick=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  // XML 1.0 forbids C0 controls but tab, LF, CR: U+FFFD, as HTML parsers do with NUL.
  CHECK(util::markup_escape(std::string("a\0b\x01"
                                        "c\td\ne\rf",
                                        11)) ==
        "a\xEF\xBF\xBD"
        "b\xEF\xBF\xBD"
        "c\td\ne\rf");
  CHECK(util::markup_escape("h\xC3\xA9llo") == "h\xC3\xA9llo");  // UTF-8 passes through
  std::string out = "x";
  util::markup_escape_to(out, "<");
  CHECK(out == "x&lt;");
}

TEST_CASE("edit_distance: optimal string alignment, capped at 64 bytes", "[util]") {
  CHECK(util::edit_distance("build", "build") == 0);
  CHECK(util::edit_distance("biuld", "build") == 1);  // a swap of neighbours is one edit
  CHECK(util::edit_distance("buil", "build") == 1);
  CHECK(util::edit_distance("", "abc") == 3);
  CHECK(util::edit_distance("kitten", "sitting") == 3);
  // Only the first 64 bytes count: long inputs cost O(64 x 64), whatever their length.
  CHECK(util::edit_distance(std::string(100000, 'a'), std::string(64, 'a') + "b") == 0);
  CHECK(util::edit_distance(std::string(100000, 'a'), std::string(100000, 'b')) == 64);
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

TEST_CASE("redact keeps what is not a secret and hides each kind of secret", "[util]") {
  CHECK(util::redact("pull https://u:p@reg.io/v2/x") == "pull https://***@reg.io/v2/x");
  CHECK(util::redact("oci+https://u@h/") == "oci+https://***@h/");
  CHECK(util::redact("a://b/c@d") == "a://b/c@d");  // '@' after the path: no userinfo
  CHECK(util::redact("1://u@h") == "1://u@h");      // a scheme starts with a letter
  CHECK(util::redact("x :// u@h") == "x :// u@h");
  CHECK(util::redact("Authorization: Bearer abc.def") == "Authorization: Bearer ***");
  CHECK(util::redact("authorization:Basic dTpw\r\nHost: h") ==
        "authorization:Basic ***\r\nHost: h");
  CHECK(util::redact("AUTHORIZATION : secretvalue") == "AUTHORIZATION : ***");
  CHECK(util::redact("authorization header missing") == "authorization header missing");
  CHECK(util::redact(R"({"Password" : "a\"b", "user":"bob"})") ==
        R"({"Password":"***", "user":"bob"})");
  CHECK(util::redact(R"({"auth":"dTpw"})") == R"({"auth":"***"})");
  CHECK(util::redact(R"({"token":"cut off)") == R"({"token":"***")");
  CHECK(util::redact(R"({"tokens":"x"})") == R"({"tokens":"x"})");
  CHECK(util::redact("/t?scope=a&TOKEN=zz x") == "/t?scope=a&TOKEN=*** x");
  CHECK(util::redact("?password=&a=b") == "?password=***&a=b");
  CHECK(util::redact("?tokenx=1") == "?tokenx=1");
  CHECK(util::redact("") == "");
}

TEST_CASE("redact runs in linear time and constant stack on long text (issue 11)", "[util]") {
  // std::regex overflowed the stack near 30,000 characters (exit 139).
  const size_t n = 4'000'000;
  std::vector<std::string> inputs = {
      std::string(n, 'x'),
      std::string(n, ':'),
      std::string(n, '"'),
      std::string(n, '@'),
      std::string(n, '?'),
      "https://" + std::string(n, 'u') + "@h",
      "Authorization: Bearer " + std::string(n, 't'),
      "\"password\":\"" + std::string(n, '\\'),
  };
  std::string repeated;
  for (int i = 0; i < 100'000; ++i) repeated += "a://\"token\"authorization ?token";
  inputs.push_back(repeated);
  // redact() is a single forward scan (no regex): no timing assertion here, the CTest timeout
  // bounds a regression to quadratic behaviour.
  for (const auto& in : inputs) {
    auto out = util::redact(in);
    CHECK(out.size() <= in.size() + 16);
  }
  CHECK(util::redact("https://" + std::string(n, 'u') + "@h") == "https://***@h");
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
  // Events, not sleeps: the child proves the lock is held (a non-blocking attempt fails), tells
  // the parent through a pipe, then blocks in FileLock until the parent releases.
  int ready[2];
  REQUIRE(::pipe(ready) == 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(ready[0]);
    int fd = ::open(lock_path.c_str(), O_RDWR);
    bool held = fd >= 0 && ::flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;
    if (fd >= 0) ::close(fd);
    char c = held ? 'y' : 'n';
    if (::write(ready[1], &c, 1) != 1) ::_exit(3);
    util::FileLock child_lock(lock_path);  // blocks until the parent releases
    bool parent_done = std::filesystem::exists(marker);
    ::_exit(!held ? 2 : parent_done ? 0 : 1);
  }
  ::close(ready[1]);
  char c = 0;
  REQUIRE(::read(ready[0], &c, 1) == 1);
  ::close(ready[0]);
  CHECK(c == 'y');
  util::write_file_atomic(marker, "x");
  lock.reset();
  int status = 0;
  ::waitpid(pid, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("subprocess runner feeds stdin, captures output and exit code", "[util]") {
  util::SubprocessRunner r{ext::test::host_environment()};
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
