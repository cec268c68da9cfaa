// ext::host — Process: the VMs one Envoy process runs for a plugin, sharing one SharedStore
// (docs/test-spec.md "Workers").
// Envoy loads the module into a base VM that only runs its start functions, checks the
// configuration on a canary clone (started, configured, then killed), and gives the main thread
// and each of its `--concurrency` worker threads a clone of its own, each with its own root
// context, proxy_on_vm_start, proxy_on_configure and tick timer [proxy-wasm-cpp-host 52a0291
// src/wasm.cc createWasm, WasmHandleBase::canary, getOrCreateThreadLocalPlugin; Envoy
// source/common/thread_local/thread_local_impl.cc SlotImpl::set: every worker, then the main
// thread]. Shared data, queues and metrics are process-wide (state.hpp SharedStore).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"
#include "ext/host/host.hpp"

namespace ext::host {

class Process {
 public:
  // Loads the base VM, runs the canary, then starts the main thread's VM and `concurrency`
  // workers' (at least 1). Errors: the first VM that fails to load or start.
  static Result<std::unique_ptr<Process>> start(std::string_view module_bytes, HostOptions options,
                                                uint32_t concurrency);

  uint32_t concurrency() const { return static_cast<uint32_t>(m_vms.size() - 1); }
  Host& worker(uint32_t i) { return *m_vms.at(i + 1); }
  Host& main_thread() { return *m_vms.front(); }

  // A new VM for worker `i` after its VM failed (fail_reload): a clone that starts and
  // configures again; the process-wide store stays.
  Result<void> reload(uint32_t i);

  // Moves every VM's clock by `ms` in step: ticks fire in time order (the main thread first,
  // then the workers, at equal times), and what they cause on other VMs is delivered after
  // each step. The tick bound (HostLimits::ticks_per_advance) counts all VMs' ticks.
  Result<void> advance(uint64_t ms);

  // Delivers, on every live VM, what waits for it outside a stream (queue notifications).
  Result<void> poll();

  // Before a case, on every VM: per-case byte budgets, calls and logs forgotten.
  void begin_case();

  // The logs written outside streams since the last call: the base VM's and the canary's
  // start-up first, then each live VM's (main thread, workers).
  std::vector<LogEntry> take_logs();

  // Process-wide stats (every VM's metrics, one per name).
  const std::vector<Metric>& metrics() const { return m_shared->metrics; }

 private:
  Process() = default;
  // A VM of `thread` (0: the main thread, i + 1: worker i) over the process-wide store.
  Result<std::unique_ptr<Host>> vm(uint32_t thread, HostOptions options);

  std::string m_module;
  HostOptions m_options;
  std::shared_ptr<SharedStore> m_shared;
  std::vector<std::unique_ptr<Host>> m_vms;  // [0] the main thread, [1..] the workers
  std::vector<LogEntry> m_logs;              // the base VM's and the canary's
};

}  // namespace ext::host
