// Test support: checks lib/ and cli/ against lib/DEPS (module includes and C library headers).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace ext::test {

// Violations as readable lines ("lib/ext/oci/x.cpp:3: oci may not include store"); empty = ok.
// `root` holds lib/DEPS, lib/ext/<module>/ and optionally cli/.
std::vector<std::string> check_deps(const std::filesystem::path& root);

}  // namespace ext::test
