// Test support for the build module: the fake runner (support/fake_runner.hpp), copying a project
// (an example or a fixture) into a temp dir, and a BuildRequest for it.
#pragma once

#include <filesystem>
#include <functional>
#include <mutex>
#include <vector>

#include "ext/build/driver.hpp"
#include "ext/core/reporter.hpp"
#include "ext/util/process.hpp"
#include "support/fake_runner.hpp"

namespace ext::test {

using FakeBuildRunner = FakeRunner;  // the one fake runner (support/fake_runner.hpp)

// Copies `from` (recursively) to `to`, skipping build/ and target/ folders.
void copy_project(const std::filesystem::path& from, const std::filesystem::path& to);

// A request for the project in `dir` (its ext.yaml parsed), release by default.
build::BuildRequest request_for(const std::filesystem::path& dir, Reporter& reporter,
                                util::ProcessRunner& runner);

}  // namespace ext::test
