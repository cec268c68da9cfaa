#include <catch2/catch.hpp>
#include <map>

#include "ext/util/files.hpp"
#include "support/deps_check.hpp"
#include "support/paths.hpp"

namespace fs = std::filesystem;

TEST_CASE("lib/ and cli/ follow lib/DEPS", "[deps]") {
  auto violations = ext::test::check_deps(ext::test::source_dir());
  for (const auto& v : violations) UNSCOPED_INFO(v);
  CHECK(violations.empty());
}

TEST_CASE("the deps check catches a forbidden include and a leaking C header", "[deps]") {
  ext::util::TempDir dir;
  auto root = dir.path();
  fs::create_directories(root / "lib/ext/low");
  fs::create_directories(root / "lib/ext/high");
  fs::create_directories(root / "cli");
  ext::util::write_file_atomic(root / "lib/DEPS",
                               "0 low : | curl\n"
                               "1 high : low |\n");
  ext::util::write_file_atomic(root / "lib/ext/low/a.hpp", "#include <curl/curl.h>\n");
  ext::util::write_file_atomic(root / "lib/ext/low/a.cpp",
                               "#include <curl/curl.h>\n#include \"ext/high/b.hpp\"\n");
  ext::util::write_file_atomic(root / "lib/ext/high/b.cpp",
                               "#include \"ext/low/a.hpp\"\n#include <archive.h>\n");
  ext::util::write_file_atomic(root / "cli/main.cpp", "#include <openssl/evp.h>\n");
  auto v = ext::test::check_deps(root);
  auto has = [&](const std::string& needle) {
    for (const auto& line : v)
      if (line.find(needle) != std::string::npos) return true;
    return false;
  };
  CHECK(has("lib/ext/low/a.cpp:2: low may not include high"));
  CHECK(has("lib/ext/low/a.hpp:1: curl header in a public header"));
  CHECK(has("lib/ext/high/b.cpp:2: archive header outside its module"));
  CHECK(has("cli/main.cpp:1: openssl header outside its module"));
  CHECK_FALSE(has("high may not include low"));
  CHECK(v.size() == 4);
}

// What may still read the process environment in lib/ext/, and why. Nothing does today: cli/
// reads it once (cli/context.cpp) into a util::Environment carried by ops::Env.
const std::map<std::string, std::string> k_environment_readers = {};

TEST_CASE("lib/ext/ never reads the process environment", "[deps][environment]") {
  auto reads = ext::test::check_environment_reads(ext::test::source_dir(), k_environment_readers);
  for (const auto& r : reads) UNSCOPED_INFO(r);
  CHECK(reads.empty());
}

TEST_CASE("the environment check finds getenv and environ, not comments or strings",
          "[deps][environment]") {
  ext::util::TempDir dir;
  auto root = dir.path();
  fs::create_directories(root / "lib/ext/util");
  ext::util::write_file_atomic(root / "lib/ext/util/a.cpp",
                               "#include <cstdlib>\n"
                               "// getenv(\"HOME\") in a comment is fine\n"
                               "const char* p = std::getenv(\"PATH\");\n"
                               "extern char** environ;\n"
                               "std::string s = \"environ getenv\"; /* getenv */\n"
                               "util::Environment environment; int my_getenv = 0;\n"
                               "auto q = ::secure_getenv(\"X\");\n");
  ext::util::write_file_atomic(root / "lib/ext/util/b.cpp", "char* v = getenv(\"X\");\n");
  auto v = ext::test::check_environment_reads(root, {{"lib/ext/util/b.cpp", "a test reason"}});
  for (const auto& r : v) UNSCOPED_INFO(r);
  REQUIRE(v.size() == 3);
  CHECK_THAT(v[0], Catch::StartsWith("lib/ext/util/a.cpp:3: reads the environment (getenv)"));
  CHECK_THAT(v[1], Catch::StartsWith("lib/ext/util/a.cpp:4: reads the environment (environ)"));
  CHECK_THAT(v[2],
             Catch::StartsWith("lib/ext/util/a.cpp:7: reads the environment (secure_getenv)"));
}

// catch_discover_tests passes each test name on the command line: a name starting with '-'
// is read as an option and the test can never run (CTest then reports it failed).
TEST_CASE("no test name starts with '-'", "[deps]") {
  const std::string marker = "TEST_CASE(\"";
  for (const auto& e : fs::recursive_directory_iterator(ext::test::source_dir() / "tests")) {
    if (!e.is_regular_file() || e.path().extension() != ".cpp") continue;
    auto text = ext::util::read_file(e.path());
    for (auto at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
      INFO(e.path().string());
      CHECK(text[at + marker.size()] != '-');
    }
  }
}
