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
#include "support/paths.hpp"

namespace ext::test {

using FakeBuildRunner = FakeRunner;  // the one fake runner (support/fake_runner.hpp)

// Copies `from` (recursively) to `to`, skipping build/ and target/ folders.
void copy_project(const std::filesystem::path& from, const std::filesystem::path& to);

// A request for the project in `dir` (its ext.yaml parsed), release by default.
build::BuildRequest request_for(const std::filesystem::path& dir, Reporter& reporter,
                                util::ProcessRunner& runner);

// The drivers as `ext build` makes them (build::make_driver) over `environment`: by default the
// test process's own (PATH, WASI_SDK_PATH, CARGO_*), as cli/ would pass it.
std::unique_ptr<build::Driver> cpp_driver(
    const util::Environment& environment = host_environment());
std::unique_ptr<build::Driver> rust_driver(
    const util::Environment& environment = host_environment());
std::unique_ptr<build::Driver> node_driver(
    const util::Environment& environment = host_environment());

}  // namespace ext::test
