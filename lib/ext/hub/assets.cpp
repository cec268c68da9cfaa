#include "ext/hub/assets.hpp"

#include "ext/util/embedded.hpp"

// Generated from hub/ (hub/CMakeLists.txt, cmake/embed.cmake).
EXT_EMBEDDED_FILES(ext::hub::detail)

namespace ext::hub {

std::optional<std::string_view> asset(std::string_view name) {
  for (const auto& f : detail::embedded_files())
    if (name == f.path) return f.text();
  return std::nullopt;
}

}  // namespace ext::hub
