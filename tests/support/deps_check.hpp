// Test support: checks lib/ and cli/ against lib/DEPS (module includes and C library headers).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ext::test {

// Violations as readable lines ("lib/ext/oci/x.cpp:3: oci may not include store"); empty = ok.
// `root` holds lib/DEPS, lib/ext/<module>/ and optionally cli/.
std::vector<std::string> check_deps(const std::filesystem::path& root);

// Reads of the process environment in lib/ext/ (root/lib/ext/**): a call or mention of getenv,
// secure_getenv, setenv, unsetenv, putenv, clearenv or `environ` as an identifier (comments and
// string literals are ignored), as "lib/ext/util/x.cpp:3: reads the environment (getenv)".
// cli/ reads the environment once (cli/context.cpp) and passes it down in ops::Env. A file
// listed in `allowed` (relative to root, with the reason it must stay) is skipped.
std::vector<std::string> check_environment_reads(
    const std::filesystem::path& root, const std::map<std::string, std::string>& allowed = {});

}  // namespace ext::test
