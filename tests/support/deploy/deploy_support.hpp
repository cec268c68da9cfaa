// Test support for deploy: golden files (tests/data/deploy; EXT_UPDATE_GOLDEN=1 rewrites them),
// a fake ProcessRunner that records argv/stdin and answers from a script, and an independent
// YAML reader (PyYAML) to check that what we emit means what we think.
#pragma once

#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ext/util/process.hpp"
#include "support/fake_runner.hpp"

namespace ext::test {

// Compares `actual` with tests/data/deploy/<name>; with EXT_UPDATE_GOLDEN=1 writes it instead.
// Returns "" when equal, else a description (first differing line).
std::string golden_diff(const std::string& name, const std::string& actual);

// Parses YAML documents with python3's yaml.safe_load_all; returns them as JSON.
nlohmann::json pyyaml_load(const std::string& yaml);

}  // namespace ext::test
