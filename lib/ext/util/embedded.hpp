// ext::util — files embedded into the binary at build time (cmake/embed.cmake, ext_embed_files):
// the generated source defines, in the namespace its CMake call names,
//   extern const ext::util::EmbeddedFile k_embedded_files[];  // k_embedded_file_count of them
//   extern const std::size_t k_embedded_file_count;
// which the reader declares (EXT_EMBEDDED_FILES) and walks with embedded_files().
#pragma once

#include <cstddef>
#include <span>
#include <string_view>

namespace ext::util {

struct EmbeddedFile {
  const char* path;  // relative to the embedded folder, '/'-separated
  const unsigned char* data;
  std::size_t size;

  std::string_view text() const { return {reinterpret_cast<const char*>(data), size}; }
};

}  // namespace ext::util

// Declares the table the generated source of ext_embed_files(... NAMESPACE ns) defines, and
// ns::embedded_files() over it.
#define EXT_EMBEDDED_FILES(ns)                                         \
  namespace ns {                                                       \
  extern const ::ext::util::EmbeddedFile k_embedded_files[];           \
  extern const std::size_t k_embedded_file_count;                      \
  inline std::span<const ::ext::util::EmbeddedFile> embedded_files() { \
    return {k_embedded_files, k_embedded_file_count};                  \
  }                                                                    \
  }
