// Fuzz-ish corpus replay: every fixture cut at each prefix length, and seeded byte mutations,
// fed to read_module (and validate when it reads): a Result either way, never a crash or hang.
#include <catch2/catch.hpp>
#include <chrono>
#include <random>

#include "ext/wasm/module.hpp"
#include "support/wasm/fixtures.hpp"

using namespace ext::wasm;
namespace fx = ext::test::wasm;

namespace {

struct Tally {
  size_t ok = 0;
  size_t errors = 0;
};

void feed(std::string_view bytes, Tally& t) {
  auto r = read_module(bytes);
  if (r) {
    ++t.ok;
    (void)validate(*r);
  } else {
    ++t.errors;
    CHECK(r.error().code() == ext::Errc::parse);
    CHECK_FALSE(r.error().message().empty());
  }
}

std::vector<std::pair<std::string, std::string>> corpus() {
  auto all = fx::all_fixtures();
  all.emplace_back("component", fx::component_bytes());
  all.emplace_back("filter_wat", fx::assemble(fx::filter_wat()));
  all.emplace_back("http_filter.c", fx::compile_c("http_filter.c"));
  return all;
}

}  // namespace

TEST_CASE("corpus replay: every prefix of every fixture", "[wasm][fuzz]") {
  for (const auto& [name, bytes] : corpus()) {
    INFO(name);
    Tally t;
    // Small fixtures: every prefix. The clang module (tens of KiB): every prefix of the part
    // holding the non-custom sections, then a stride through the custom sections.
    for (size_t n = 0; n < bytes.size(); n += (n < 12000 ? 1 : 61))
      feed(std::string_view(bytes).substr(0, n), t);
    feed(bytes, t);
    CHECK(t.errors > 0);
    CHECK(t.ok >= 1);  // the whole module, at least
  }
}

TEST_CASE("corpus replay: seeded byte mutations", "[wasm][fuzz]") {
  std::mt19937 rng(20240611);
  for (const auto& [name, bytes] : corpus()) {
    INFO(name);
    Tally t;
    for (int i = 0; i < 1500; ++i) {
      std::string m = bytes;
      int flips = 1 + int(rng() % 4);
      for (int k = 0; k < flips; ++k) {
        size_t pos = rng() % m.size();
        switch (rng() % 3) {
          case 0:
            m[pos] = char(m[pos] ^ (1 << (rng() % 8)));
            break;  // bit flip
          case 1:
            m[pos] = char(0xff);
            break;  // LEB128 poison
          default:
            m[pos] = char(rng() % 256);
            break;
        }
      }
      feed(m, t);
      // Reading is deterministic: the same bytes give the same answer (no state, no
      // uninitialized reads).
      auto again = read_module(m), once = read_module(m);
      REQUIRE(bool(again) == bool(once));
      if (!once) CHECK(again.error().message() == once.error().message());
    }
    // Mutations of a valid module hit the error paths, not only the happy one.
    CHECK(t.errors > 0);
  }
}
