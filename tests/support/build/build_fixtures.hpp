// Test support for the build module: a recording fake ProcessRunner, copying a project (an
// example or a fixture) into a temp dir, and a BuildRequest for it.
#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <vector>

#include "ext/build/driver.hpp"
#include "ext/core/reporter.hpp"
#include "ext/util/process.hpp"

namespace ext::test {

// Records every spec; answers with `respond` (default: exit 0, no output).
class FakeBuildRunner final : public util::ProcessRunner {
 public:
  std::function<util::ProcessResult(const util::ProcessSpec&)> respond;
  std::vector<util::ProcessSpec> calls;
  util::ProcessResult run(const util::ProcessSpec& spec) override {
    std::lock_guard lock(m_mutex);  // drivers may run several commands at once
    calls.push_back(spec);
    if (respond) return respond(spec);
    return {0, "", ""};
  }

 private:
  std::mutex m_mutex;
};

// Copies `from` (recursively) to `to`, skipping build/ and target/ folders.
void copy_project(const std::filesystem::path& from, const std::filesystem::path& to);

// A request for the project in `dir` (its ext.yaml parsed), release by default.
build::BuildRequest request_for(const std::filesystem::path& dir, Reporter& reporter,
                                util::ProcessRunner& runner);

}  // namespace ext::test
