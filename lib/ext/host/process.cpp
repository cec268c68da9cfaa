#include "ext/host/process.hpp"

#include <algorithm>
#include <utility>

namespace ext::host {

Result<std::unique_ptr<Host>> Process::vm(uint32_t thread, HostOptions o) {
  o.shared = m_shared;
  o.vm_index = thread;  // queue notifications go to the registering thread's VM
  return Host::create(m_module, std::move(o));
}

Result<std::unique_ptr<Process>> Process::start(std::string_view module_bytes, HostOptions options,
                                                uint32_t concurrency) {
  std::unique_ptr<Process> p(new Process());
  p->m_module = std::string(module_bytes);
  p->m_shared = std::make_shared<SharedStore>();
  p->m_options = std::move(options);
  // On the main thread: the base VM (start functions only), then the canary (started and
  // configured, then killed before anything it asked for is delivered).
  HostOptions base = p->m_options, canary = p->m_options;
  base.start_plugin = false;
  canary.deliver_at_start = false;
  for (HostOptions* o : {&base, &canary}) {
    auto vm = p->vm(0, *o);
    if (!vm) return fail(vm.error());
    auto logs = (*vm)->take_logs();
    p->m_logs.insert(p->m_logs.end(), logs.begin(), logs.end());
  }
  // The main thread's VM, then the workers'.
  for (uint32_t t = 0; t <= std::max<uint32_t>(concurrency, 1); ++t) {
    auto vm = p->vm(t, p->m_options);
    if (!vm) return fail(vm.error());
    p->m_vms.push_back(std::move(*vm));
  }
  return p;
}

Result<void> Process::reload(uint32_t i) {
  auto vm = this->vm(i + 1, m_options);
  if (!vm) return fail(vm.error());
  m_vms.at(i + 1) = std::move(*vm);
  return {};
}

Result<void> Process::advance(uint64_t ms) {
  uint64_t ticks = 0;
  const uint64_t bound = m_options.host_limits.ticks_per_advance;
  while (ms > 0) {
    // The next step: up to the earliest tick due on a live VM, or all of `ms`.
    uint64_t step = ms;
    for (auto& vm : m_vms)
      if (!vm->failed())
        if (auto t = vm->ms_to_tick()) step = std::min(step, std::max<uint64_t>(*t, 1));
    for (auto& vm : m_vms) {
      if (vm->failed()) continue;
      auto due = vm->ms_to_tick();
      if (due && *due <= step && ++ticks > bound)
        return fail(Errc::failed, "advance_ms: more than " + std::to_string(bound) +
                                      " ticks would fire, over the limit ticks_per_advance");
      auto r = vm->advance(step);
      if (!r) return r;
    }
    ms -= step;
    if (auto r = poll(); !r) return r;
  }
  return {};
}

Result<void> Process::poll() {
  for (auto& vm : m_vms) {
    if (vm->failed()) continue;
    if (auto r = vm->poll(); !r) return r;
  }
  return {};
}

void Process::begin_case() {
  for (auto& vm : m_vms) vm->begin_case();
}

std::vector<LogEntry> Process::take_logs() {
  auto out = std::exchange(m_logs, {});
  for (auto& vm : m_vms) {
    auto logs = vm->take_logs();
    out.insert(out.end(), logs.begin(), logs.end());
  }
  return out;
}

}  // namespace ext::host
