// Test support for ops: an ops::Env made of the shared fakes, so a verb runs in-process with no
// child process, no socket and no real sleep: a temp store and data folder, an environment with
// only HOME (a private folder: no user setting leaks in), a FakeRunner that fails the test when
// anything would run unless a handler is set, a FakeClock, and a FakeRegistry behind every
// registry host (Env::http_transport).
#pragma once

#include <filesystem>
#include <memory>

#include "ext/core/reporter.hpp"
#include "ext/ops/env.hpp"
#include "ext/util/files.hpp"
#include "support/fake_clock.hpp"
#include "support/fake_runner.hpp"
#include "support/registry/fake_registry.hpp"

namespace ext::test {

class OpsEnv {
 public:
  // `registry`: share one registry between two OpsEnv (push from one, pull into the other).
  explicit OpsEnv(std::shared_ptr<FakeRegistry> registry = std::make_shared<FakeRegistry>());
  OpsEnv(const OpsEnv&) = delete;
  OpsEnv& operator=(const OpsEnv&) = delete;

  const std::filesystem::path& dir() const { return m_dir.path(); }
  // test::wasm::minimal_filter_bytes() packaged as `ref` (an HTTP filter) in the local store,
  // as `ext build --wasm` would; returns the manifest digest.
  std::string package_minimal_filter(const std::string& ref);

  util::TempDir m_dir;
  CollectingReporter reporter;
  FakeRunner runner;
  FakeClock clock;
  std::shared_ptr<FakeRegistry> registry;
  ops::Env env;
};

}  // namespace ext::test
