// ext::version — the release this binary is. Defined in a source file CMake generates from
// lib/ext/core/version.cpp.in, so a version bump recompiles that one file, not every file.
#pragma once

#include <string_view>

namespace ext {

// "0.1.0" (CMake's PROJECT_VERSION).
std::string_view version();

}  // namespace ext
