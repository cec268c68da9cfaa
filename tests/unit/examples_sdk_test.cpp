// The C++ examples carry the SDK the way `ext init` writes it (each project self-contained);
// this keeps their copies identical to the template's, so a fix to the SDK reaches them too.
#include <catch2/catch.hpp>

#include "ext/util/files.hpp"
#include "support/paths.hpp"

namespace fs = std::filesystem;

TEST_CASE("the examples' SDK copies match templates/_shared/cpp-sdk", "[scaffold][examples]") {
  auto root = ext::test::source_dir();
  auto sdk = root / "templates/_shared/cpp-sdk";
  int compared = 0;
  for (const char* example : {"examples/cpp-add-header", "examples/cpp-auth-deny"}) {
    for (const auto& f : fs::directory_iterator(sdk)) {
      auto copy = root / example / "sdk" / f.path().filename();
      INFO(copy.string());
      REQUIRE(fs::exists(copy));
      CHECK(ext::util::read_file(copy) == ext::util::read_file(f.path()));
      ++compared;
    }
  }
  CHECK(compared >= 8);
}
