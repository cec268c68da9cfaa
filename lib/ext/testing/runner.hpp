// ext::testing — the runner: one Host per spec (root context shared by its cases, as in
// Envoy), each case in a fresh stream context; expectations compared into readable failures.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "ext/host/host.hpp"
#include "ext/testing/spec.hpp"

namespace ext::testing {

// One failed check of a case (docs/json.md "test"): `check` is the expectation's path
// (response_headers["x-a"], local_response.status, metrics.NAME, trap ...); `expected` and
// `actual` as the text prints them (strings quoted), absent when the check does not compare
// two values ("the plugin failed to start", "logs: no line contains ..."); `message` is the
// text line; `detail` the lines the text indents under it (the actual headers, logs, calls).
struct Failure {
  std::string check;
  std::optional<std::string> expected;
  std::optional<std::string> actual;
  std::string message;
  std::vector<std::string> detail;
};

struct CaseResult {
  std::string name;
  int line = 0;
  bool passed = false;
  std::vector<std::string> failures;   // readable diff lines, already indented
  std::vector<Failure> failed_checks;  // the same, one object per failed check
  double ms = 0;
  std::vector<host::LogEntry> logs;
};

struct SpecResult {
  std::string source;
  std::optional<std::string> error;  // the plugin failed to load or start
  std::vector<CaseResult> cases;
};

struct Report {
  std::string module;  // what ran (path or reference)
  std::string abi_version;
  std::vector<SpecResult> specs;
  int passed = 0;
  int failed = 0;
  double seconds = 0;
  bool ok() const { return failed == 0; }
};

struct RunOptions {
  std::string default_root_id;                       // ext.yaml root_id
  std::optional<std::string> default_configuration;  // ext.yaml config
  host::VmLimits limits;
  host::HostLimits host_limits;
  uint64_t regex_steps = 100'000'000;  // Pike VM thread steps per case (plugin.limits.regex_steps)
  std::string default_envoy_version;   // ext.yaml platform_version; "" = newest known
  int repeat = 1;  // run each case this many times in the same VM (benchmarks, leaks)
};

SpecResult run_spec(std::string_view module_bytes, const Spec& spec, const RunOptions& opts);
Report run(std::string_view module_bytes, const std::vector<Spec>& specs, const RunOptions& opts);

// "continue", "stop_iteration", ... for a callback's raw result (docs/test-spec.md "actions").
std::string action_name(const std::string& callback, uint32_t value);

}  // namespace ext::testing
