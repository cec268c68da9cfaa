// CTest splits a test name at ';' (a CMake list separator): a TEST_CASE named "a; b" is
// registered as a filter that matches nothing, and Catch then exits 0, so the test "passes"
// without running. This test keeps every name free of ';'.
#include <catch2/catch.hpp>

#include <filesystem>
#include <set>
#include <string>

#include "ext/util/files.hpp"

TEST_CASE("test names: no semicolons (CTest would cut the name and run nothing)", "[meta]") {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(EXT_SOURCE_DIR) / "tests";
  int files = 0;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    if (!e.is_regular_file() || e.path().extension() != ".cpp") continue;
    ++files;
    auto text = ext::util::read_file(e.path(), 8u << 20);
    const std::string marker = std::string("TEST_") + "CASE(\"";
    for (size_t at = text.find(marker); at != std::string::npos; at = text.find(marker, at + 1)) {
      auto start = at + marker.size();
      auto end = text.find('"', start);
      if (end == std::string::npos) break;
      auto name = text.substr(start, end - start);
      INFO(e.path().string() << ": " << name);
      CHECK(name.find(';') == std::string::npos);
    }
  }
  CHECK(files > 50);
}

// tests/ctest_costs.cmake names the longest tests so CTest starts them first; a name that is
// not a test case any more would be ignored silently.
TEST_CASE("test names: every test ctest_costs.cmake names exists", "[meta]") {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(EXT_SOURCE_DIR) / "tests";
  std::set<std::string> names;  // every test case this binary has (CTest's names)
  for (const auto& tc : Catch::getRegistryHub().getTestCaseRegistry().getAllTests())
    names.insert(tc.getTestCaseInfo().name);
  REQUIRE(names.size() > 100);
  auto costs = ext::util::read_file(root / "ctest_costs.cmake", 1u << 20);
  int listed = 0;
  for (size_t at = costs.find("[=["); at != std::string::npos; at = costs.find("[=[", at + 1)) {
    auto end = costs.find("]=]", at);
    REQUIRE(end != std::string::npos);
    auto name = costs.substr(at + 3, end - at - 3);
    ++listed;
    INFO(name);
    CHECK(names.count(name) == 1);
  }
  CHECK(listed >= 10);
}
