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

namespace ext::test {

// Compares `actual` with tests/data/deploy/<name>; with EXT_UPDATE_GOLDEN=1 writes it instead.
// Returns "" when equal, else a description (first differing line).
std::string golden_diff(const std::string& name, const std::string& actual);

// Parses YAML documents with python3's yaml.safe_load_all; returns them as JSON.
nlohmann::json pyyaml_load(const std::string& yaml);

class FakeRunner : public util::ProcessRunner {
 public:
  using Handler = std::function<util::ProcessResult(const util::ProcessSpec&)>;
  // Answers in order; when the script is empty, `fallback` (default: exit 0, no output).
  void push(util::ProcessResult r) { m_script.push_back(std::move(r)); }
  void set_handler(Handler h) { m_handler = std::move(h); }

  util::ProcessResult run(const util::ProcessSpec& spec) override;

  std::vector<util::ProcessSpec> calls() const {
    std::lock_guard lock(m_mutex);
    return m_calls;
  }

 private:
  mutable std::mutex m_mutex;
  std::vector<util::ProcessSpec> m_calls;
  std::deque<util::ProcessResult> m_script;
  Handler m_handler;
};

}  // namespace ext::test
