// The tar / tar.gz reader (`ext import`, image layers): listing, one member, full extraction.
#include <unistd.h>

#include <cstring>
#include <filesystem>

#include "ext/archive/archive.hpp"
#include "ext/core/error.hpp"
#include "fuzz.hpp"

namespace {

ext::archive::ReadFn memory_reader(const uint8_t* data, size_t size) {
  return [data, size, pos = size_t{0}](void* buf, size_t n) mutable {
    size_t k = std::min(n, size - pos);
    if (k) std::memcpy(buf, data + pos, k);
    pos += k;
    return k;
  };
}

const std::filesystem::path& scratch() {
  static const std::filesystem::path dir = [] {
    auto d =
        std::filesystem::temp_directory_path() / ("ext-fuzz-tar-" + std::to_string(::getpid()));
    std::filesystem::create_directories(d);
    return d;
  }();
  return dir;
}

}  // namespace

EXT_FUZZ_TARGET(tar) {
  ext::archive::Limits limits;
  limits.max_entry_size = 1u << 20;
  limits.max_total_size = 4u << 20;
  limits.max_entries = 1000;
  try {
    (void)ext::archive::list(memory_reader(data, size), limits);
  } catch (const ext::Error&) {
  }
  try {
    (void)ext::archive::read_member(memory_reader(data, size), "plugin.wasm", 1u << 20);
  } catch (const ext::Error&) {
  }
  auto dest = scratch() / "out";
  try {
    ext::archive::extract(memory_reader(data, size), dest, limits);
  } catch (const ext::Error&) {
  }
  // Nothing may land outside dest.
  for (const auto& e : std::filesystem::directory_iterator(scratch()))
    EXT_FUZZ_CHECK(e.path().filename() == "out", "extraction wrote outside its destination");
  std::error_code ec;
  std::filesystem::remove_all(dest, ec);
  return 0;
}
