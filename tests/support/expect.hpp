// Test support: the small helpers many tests share (they used to be copied into each file, which
// also kept those files out of the unity batches: two definitions of `has` in one batch clash).
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/paths.hpp"

namespace ext::test {

inline bool has(const std::string& s, const std::string& part) {
  return s.find(part) != std::string::npos;
}

// The --json document of a run that must have succeeded: fails the test (showing stdout and
// stderr) on a non-zero exit or a document that does not parse.
nlohmann::json json_ok(const ExtRun& r);
// The --json document of a run whatever its exit status (a failing verb prints one too).
nlohmann::json json_of(const ExtRun& r);
// `ext --json ARGS` on `store`, which must succeed: its document.
nlohmann::json run_json(const std::vector<std::string>& args, const std::filesystem::path& store);
// "<prefix>-<pid>-<n>": a repository or resource name no other test run uses.
std::string unique(const std::string& prefix);

}  // namespace ext::test
