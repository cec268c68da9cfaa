// Fuzz entry points. Each tests/fuzz/<target>.cpp defines one with EXT_FUZZ_TARGET(<target>):
// a function of the input bytes that must return 0 without crashing, hanging or throwing
// anything but ext::Error (an expected refusal). The same file builds two ways:
//  - EXT_FUZZ=ON (clang): a libFuzzer binary fuzz_<target> (LLVMFuzzerTestOneInput);
//  - always: linked into ext_fuzz_replay, which CTest runs over tests/fuzz/corpus/<target>/.
// A broken invariant (a round trip that changes a value) is reported with EXT_FUZZ_CHECK,
// which prints and aborts, so libFuzzer keeps the input and the replay test fails.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>

#include "ext/core/error.hpp"

namespace ext::fuzz {

using Entry = int (*)(const uint8_t* data, size_t size);
bool register_target(const char* name, Entry entry);

inline std::string_view as_text(const uint8_t* data, size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace ext::fuzz

#define EXT_FUZZ_CHECK(cond, what)                                                            \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "fuzz invariant broken at %s:%d: %s\n", __FILE__, __LINE__, what); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)

#ifdef EXT_FUZZ_LIBFUZZER
#define EXT_FUZZ_REGISTER(name)                                             \
  extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) { \
    try {                                                                   \
      return ext_fuzz_##name(data, size);                                   \
    } catch (const ext::Error&) { /* an expected refusal */                 \
      return 0;                                                             \
    }                                                                       \
  }
#else
#define EXT_FUZZ_REGISTER(name)                                   \
  [[maybe_unused]] static const bool ext_fuzz_registered_##name = \
      ext::fuzz::register_target(#name, ext_fuzz_##name);
#endif

#define EXT_FUZZ_TARGET(name)                                   \
  static int ext_fuzz_##name(const uint8_t* data, size_t size); \
  EXT_FUZZ_REGISTER(name)                                       \
  static int ext_fuzz_##name(const uint8_t* data, size_t size)
