// Vm on WABT 1.0.32's interpreter (Debian's libwabt). WABT headers appear only here.
#include "ext/host/vm.hpp"

#include <wabt/binary-reader.h>
#include <wabt/error-formatter.h>
#include <wabt/interp/binary-reader-interp.h>
#include <wabt/interp/interp.h>

#include <algorithm>
#include <cstring>
#include <map>

#include "ext/host/envoy_versions.hpp"
#include "ext/host/hostcalls.hpp"
#include "ext/wasm/signature.hpp"

namespace wi = wabt::interp;

// WABT runs a function to completion (Func::Call); for an instruction budget we drive the
// interpreter ourselves with the public Thread::Run(num_instructions), which needs three private
// Thread members to set up the call frame. They are reached through the standard rule that
// access checks do not apply to the template arguments of an explicit instantiation.
namespace {
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnon-template-friend"
struct PushValuesTag {
  using type = void (wi::Thread::*)(const wi::ValueTypes&, const wi::Values&);
  friend type member(PushValuesTag);
};
struct PushCallTag {
  using type = wi::RunResult (wi::Thread::*)(const wi::DefinedFunc&, wi::Trap::Ptr*);
  friend type member(PushCallTag);
};
struct PopValuesTag {
  using type = void (wi::Thread::*)(const wi::ValueTypes&, wi::Values*);
  friend type member(PopValuesTag);
};
#pragma GCC diagnostic pop
template <class Tag, typename Tag::type M>
struct Expose {
  friend typename Tag::type member(Tag) { return M; }
};
template struct Expose<PushValuesTag, &wi::Thread::PushValues>;
template struct Expose<PushCallTag, &wi::Thread::PushCall>;
template struct Expose<PopValuesTag, &wi::Thread::PopValues>;
}  // namespace

namespace ext::host {

namespace {

std::string signature(const wi::FuncType& ft) {
  return wasm::signature(ft.params.data(), ft.params.size(), ft.results.data(), ft.results.size());
}

// "(i32,i64)->i32" -> FuncType.
wi::FuncType parse_signature(std::string_view sig) {
  auto arrow = sig.find("->");
  auto params_text = sig.substr(1, arrow - 2);
  auto result_text = sig.substr(arrow + 2);
  auto to_type = [](std::string_view t) { return t == "i64" ? wabt::Type::I64 : wabt::Type::I32; };
  wi::ValueTypes params, results;
  size_t pos = 0;
  while (pos < params_text.size()) {
    auto comma = params_text.find(',', pos);
    if (comma == std::string_view::npos) comma = params_text.size();
    params.push_back(to_type(params_text.substr(pos, comma - pos)));
    pos = comma + 1;
  }
  if (result_text != "()") results.push_back(to_type(result_text));
  return wi::FuncType(params, results);
}

std::optional<AbiVersion> abi_from_export(std::string_view name) {
  if (name == "proxy_abi_version_0_1_0") return AbiVersion::v0_1_0;
  if (name == "proxy_abi_version_0_2_0") return AbiVersion::v0_2_0;
  if (name == "proxy_abi_version_0_2_1") return AbiVersion::v0_2_1;
  return std::nullopt;
}

}  // namespace

struct Vm::Impl final : Guest {
  HostState* state = nullptr;
  VmLimits limits;
  AbiVersion abi = AbiVersion::v0_2_1;
  wi::Store store;
  wi::Instance::Ptr instance;
  wi::Ref memory = wi::Ref::Null;
  std::map<std::string, wi::Ref, std::less<>> funcs;  // exported functions
  wi::Ref allocator = wi::Ref::Null;
  std::vector<wi::HostFunc::Ptr> host_funcs;  // keep alive

  wi::Ref start_func = wi::Ref::Null;  // the start section's function, run by run_start()
  std::unique_ptr<wi::Thread> thread;  // reused between calls; replaced after a trap
  wi::Thread* running = nullptr;       // the thread a hostcall runs on (for nested calls)
  int64_t budget_left = 0;
  std::optional<std::string> pending_trap;  // from a nested call inside a hostcall

  wi::Memory* mem() {
    if (memory == wi::Ref::Null) return nullptr;
    return store.UnsafeGet<wi::Memory>(memory).get();
  }

  // ---- Guest ----
  std::optional<std::string_view> view(uint32_t ptr, uint32_t size) override {
    auto* m = mem();
    if (!m) return std::nullopt;
    uint64_t end = uint64_t(ptr) + size;
    if (end > m->ByteSize()) return std::nullopt;
    return std::string_view(reinterpret_cast<const char*>(m->UnsafeData()) + ptr, size);
  }
  bool write(uint32_t ptr, std::string_view bytes) override {
    auto* m = mem();
    if (!m) return false;
    uint64_t end = uint64_t(ptr) + bytes.size();
    if (end > m->ByteSize()) return false;
    if (!bytes.empty()) std::memcpy(m->UnsafeData() + ptr, bytes.data(), bytes.size());
    return true;
  }
  std::optional<uint32_t> allocate(uint32_t size) override {
    if (pending_trap) return std::nullopt;
    wi::Thread& t = running ? *running : ensure_thread();
    bool was = state->allocating;
    state->allocating = true;
    auto r = run(t, allocator, {wi::Value::Make(size)}, "malloc");
    state->allocating = was;
    if (!r) {
      pending_trap = r.error().message();
      return std::nullopt;
    }
    if (!*r || **r == 0) return std::nullopt;
    return **r;
  }

  wi::Thread& ensure_thread() {
    if (!thread) thread = std::make_unique<wi::Thread>(store);
    return *thread;
  }

  // Runs `func` on thread `t` under the instruction budget.
  Result<std::optional<uint32_t>> run(wi::Thread& t, wi::Ref func_ref, const wi::Values& params,
                                      std::string_view name) {
    auto func = store.UnsafeGet<wi::DefinedFunc>(func_ref);
    const auto& type = func->type();
    wi::Trap::Ptr trap;
    (t.*member(PushValuesTag{}))(type.params, params);
    if ((t.*member(PushCallTag{}))(*func, &trap) == wi::RunResult::Trap)
      return fail(Errc::failed, std::string(name) + ": " + trap->message());
    for (;;) {
      if (budget_left <= 0)
        return fail(Errc::failed, std::string(name) + ": instruction budget of " +
                                      std::to_string(limits.instruction_budget) +
                                      " exhausted (an endless loop?)");
      int chunk = static_cast<int>(std::min<int64_t>(budget_left, 1 << 20));
      auto rr = t.Run(chunk, &trap);
      if (rr == wi::RunResult::Ok) {
        budget_left -= chunk;
        continue;
      }
      if (rr == wi::RunResult::Return) break;
      if (rr == wi::RunResult::Trap) {
        std::string msg = trap ? trap->message() : "trap";
        if (pending_trap) msg = *pending_trap;
        return fail(Errc::failed, std::string(name) + ": " + msg);
      }
      return fail(Errc::failed, std::string(name) + ": uncaught wasm exception");
    }
    wi::Values results;
    (t.*member(PopValuesTag{}))(type.results, &results);
    if (results.empty()) return std::optional<uint32_t>{};
    return std::optional<uint32_t>{results[0].Get<uint32_t>()};
  }
};

Vm::Vm() : m_impl(std::make_unique<Impl>()) {}
Vm::~Vm() {
  if (m_impl) {
    m_impl->thread.reset();
  }
}

AbiVersion Vm::abi() const {
  return m_impl->abi;
}

bool Vm::has_export(std::string_view name) const {
  return m_impl->funcs.find(name) != m_impl->funcs.end();
}

std::vector<std::string> Vm::exported_functions() const {
  std::vector<std::string> out;
  for (const auto& [n, r] : m_impl->funcs) out.push_back(n);
  return out;
}

uint64_t Vm::memory_size() const {
  auto* m = m_impl->mem();
  return m ? m->ByteSize() : 0;
}

uint64_t Vm::instructions_budget() const {
  return m_impl->limits.instruction_budget;
}

Result<void> Vm::run_start() {
  auto& impl = *m_impl;
  if (impl.start_func == wi::Ref::Null) return {};
  impl.budget_left = static_cast<int64_t>(impl.limits.instruction_budget);
  impl.pending_trap.reset();
  auto& t = impl.ensure_thread();
  impl.running = &t;
  Result<std::optional<uint32_t>> r = std::optional<uint32_t>{};
  if (impl.store.Is<wi::DefinedFunc>(impl.start_func)) {
    r = impl.run(t, impl.start_func, {}, "start function");
  } else {
    // The start function is an imported host function: no wasm code to budget.
    auto f = impl.store.UnsafeGet<wi::Func>(impl.start_func);
    wi::Values results;
    wi::Trap::Ptr trap;
    if (wabt::Failed(f->Call(t, {}, results, &trap)))
      r = fail(Errc::failed, "start function: " + (trap ? trap->message() : "trap"));
  }
  impl.running = nullptr;
  impl.start_func = wi::Ref::Null;
  if (!r) {
    impl.thread.reset();
    return fail(r.error());
  }
  return {};
}

Result<std::optional<uint32_t>> Vm::call(std::string_view name,
                                         std::initializer_list<uint32_t> args) {
  auto& impl = *m_impl;
  auto it = impl.funcs.find(name);
  if (it == impl.funcs.end())
    return fail(Errc::not_found, "the module does not export " + std::string(name));
  wi::Values params;
  for (auto a : args) params.push_back(wi::Value::Make(a));
  auto func = impl.store.UnsafeGet<wi::DefinedFunc>(it->second);
  if (func->type().params.size() != params.size())
    return fail(Errc::internal, std::string(name) + ": wrong argument count");
  impl.budget_left = static_cast<int64_t>(impl.limits.instruction_budget);
  impl.pending_trap.reset();
  auto& t = impl.ensure_thread();
  impl.running = &t;
  auto r = impl.run(t, it->second, params, name);
  impl.running = nullptr;
  if (!r) impl.thread.reset();  // frames left on a trapped thread: start afresh
  impl.pending_trap.reset();
  return r;
}

Result<std::unique_ptr<Vm>> Vm::load(std::string_view bytes, HostState& state,
                                     const VmLimits& requested) {
  VmLimits limits = requested;
  limits.max_memory_pages = std::min(limits.max_memory_pages, k_envoy_max_memory_pages);
  std::unique_ptr<Vm> vm(new Vm());
  auto& impl = *vm->m_impl;
  impl.state = &state;
  impl.limits = limits;

  wabt::Features features;
  wabt::Errors errors;
  wabt::ReadBinaryOptions options(features, nullptr, false, true, false);
  wi::ModuleDesc desc;
  if (wabt::Failed(wi::ReadBinaryInterp("module.wasm", bytes.data(), bytes.size(), options, &errors,
                                        &desc))) {
    std::string msg = errors.empty() ? "unreadable module" : errors.front().message;
    return fail(Errc::parse, "Failed to parse corrupted Wasm module: " + msg);
  }

  // ABI version: the first proxy_abi_version_* function export (proxy-wasm-cpp-host src/wasm.cc
  // getAbiVersion).
  std::optional<AbiVersion> abi;
  for (const auto& e : desc.exports) {
    if (e.type.type->kind != wabt::ExternalKind::Func) continue;
    if ((abi = abi_from_export(e.type.name))) break;
  }
  if (!abi)
    return fail(Errc::validation, "Missing or unknown Proxy-Wasm ABI version",
                "export proxy_abi_version_0_2_1 (the SDKs do this for you)");
  impl.abi = *abi;
  state.abi = *abi;

  // Memory cap: bound every memory's maximum (runaway growth then fails memory.grow).
  auto cap = [&](wabt::Limits& l) -> Result<void> {
    if (l.is_64) return fail(Errc::validation, "memory64 is not supported by proxy-wasm hosts");
    if (l.initial > limits.max_memory_pages)
      return fail(Errc::validation, "the module asks for " + std::to_string(l.initial) +
                                        " pages of memory at start, over the host cap of " +
                                        std::to_string(limits.max_memory_pages));
    if (!l.has_max || l.max > limits.max_memory_pages) {
      l.has_max = true;
      l.max = limits.max_memory_pages;
    }
    return {};
  };
  for (auto& m : desc.memories) {
    auto r = cap(m.type.limits);
    if (!r) return fail(r.error());
  }
  // Table cap: V8 refuses a table over its limit at load; growth past it fails (table.grow
  // returns -1), so bound the maximum the same way.
  auto cap_table = [&](wabt::Limits& l) -> Result<void> {
    if (l.initial > limits.table_elements)
      return fail(Errc::validation,
                  "the module declares a table of " + std::to_string(l.initial) +
                      " elements, over the limit of " + std::to_string(limits.table_elements) +
                      " (table_elements; V8 in Envoy refuses tables over 10,000,000)");
    if (!l.has_max || l.max > limits.table_elements) {
      l.has_max = true;
      l.max = limits.table_elements;
    }
    return {};
  };
  for (auto& t : desc.tables) {
    auto r = cap_table(t.type.limits);
    if (!r) return fail(r.error());
  }
  // The start section runs later, under the budget (run_start), not inside Instantiate.
  std::optional<wabt::Index> start_index;
  if (!desc.starts.empty()) start_index = desc.starts.front().func_index;
  desc.starts.clear();

  // Link imports (the rows of wasm/abi_list.hpp, as cpp-host registerCallbacks does).
  wi::RefVec imports;
  uint8_t bit = abi_bit(*abi);
  for (auto& imp : desc.imports) {
    const auto& mod = imp.type.module;
    const auto& name = imp.type.name;
    auto kind = imp.type.type->kind;
    std::string qualified = mod + "." + name;
    if (kind == wabt::ExternalKind::Memory) {
      auto* mt = wabt::cast<wi::MemoryType>(imp.type.type.get());
      auto r = cap(mt->limits);
      if (!r) return fail(r.error());
      auto m = wi::Memory::New(impl.store, *mt);
      imports.push_back(m.ref());
      impl.memory = m.ref();
      continue;
    }
    if (kind == wabt::ExternalKind::Table) {
      auto* tt = wabt::cast<wi::TableType>(imp.type.type.get());
      auto r = cap_table(tt->limits);
      if (!r) return fail(r.error());
      imports.push_back(wi::Table::New(impl.store, *tt).ref());
      continue;
    }
    const HostCall* call = nullptr;
    if (kind == wabt::ExternalKind::Func) {
      const auto* table = mod == "env"          ? &env_calls()
                          : is_wasi_module(mod) ? &wasi_calls()
                                                : nullptr;
      if (table)
        for (const auto& c : *table)
          if (c.name == name && (c.abis & bit)) call = &c;
    }
    if (call && is_wasi_module(mod) && !envoy_provides_wasi(state.config.envoy_version, name))
      return fail(Errc::validation,
                  "Failed to load Wasm module due to a missing import: " + qualified,
                  "Envoy " +
                      (state.config.envoy_version.empty() ? std::string("(newest)")
                                                          : state.config.envoy_version) +
                      " does not provide this WASI function (plugin.envoy_version)");
    if (!call)
      return fail(Errc::validation,
                  "Failed to load Wasm module due to a missing import: " + qualified,
                  "the proxy-wasm host (ABI " + std::string(to_string(*abi)) +
                      ") provides no such function");
    auto* ft = wabt::cast<wi::FuncType>(imp.type.type.get());
    auto want = signature(*ft);
    if (want != call->signature)
      return fail(Errc::validation,
                  "Failed to load Wasm module due to an import type mismatch: " + qualified +
                      ", want: " + want + ", but host exports: " + std::string(call->signature));
    Impl* ip = &impl;
    bool wasi = is_wasi_module(mod);
    bool at_start = allowed_during_startup(state.envoy, wasi, name);
    bool in_alloc = allowed_during_allocation(wasi, name);
    auto host_type = parse_signature(call->signature);
    std::vector<bool> wide;
    for (auto t : host_type.params) wide.push_back(t == wabt::Type::I64);
    auto hf = wi::HostFunc::New(
        impl.store, host_type,
        [ip, call, qualified, wide, at_start, in_alloc](
            wi::Thread& thread, const wi::Values& params, wi::Values& results,
            wi::Trap::Ptr* out_trap) -> wabt::Result {
          HostState& s = *ip->state;
          // Envoy's restricted windows (envoy_versions.hpp; cpp-host src/wasm.cc startVm,
          // include/proxy-wasm/wasm.h allocMemory): anything else traps and fails the VM.
          if (s.starting && !at_start) {
            *out_trap = wi::Trap::New(ip->store, qualified +
                                                     " may not be called during start-up "
                                                     "(_initialize/main/_start) in Envoy " +
                                                     s.envoy.version);
            return wabt::Result::Error;
          }
          if (s.allocating && !in_alloc) {
            *out_trap = wi::Trap::New(ip->store,
                                      qualified + " may not be called from the module's allocator");
            return wabt::Result::Error;
          }
          uint64_t args[16] = {};
          for (size_t i = 0; i < params.size() && i < 16; ++i)
            args[i] = wide[i] ? params[i].Get<uint64_t>() : params[i].Get<uint32_t>();
          wi::Thread* saved = ip->running;
          ip->running = &thread;
          uint64_t r = 0;
          ip->meter = &s;
          ip->meter_what = call->name.data();
          try {
            r = call->fn(s, *ip, args);
          } catch (const std::exception& e) {
            ip->pending_trap = qualified + ": " + e.what();
          }
          ip->running = saved;
          if (ip->pending_trap) {
            *out_trap = wi::Trap::New(ip->store, *ip->pending_trap);
            return wabt::Result::Error;
          }
          if (!results.empty()) results[0] = wi::Value::Make(static_cast<uint32_t>(r));
          return wabt::Result::Ok;
        });
    impl.host_funcs.push_back(hf);
    imports.push_back(hf.ref());
  }

  // Exported callbacks must have the signatures the host requires (cpp-host src/wasm.cc
  // getFunctions).
  for (const auto& e : desc.exports) {
    if (e.type.type->kind != wabt::ExternalKind::Func) continue;
    auto want = callback_signature(e.type.name, *abi);
    if (!want) continue;
    auto* ft = wabt::cast<wi::FuncType>(e.type.type.get());
    auto got = signature(*ft);
    if (got != *want)
      return fail(Errc::validation, "Bad function signature for: " + e.type.name + ", want: " +
                                        std::string(*want) + ", but the module exports: " + got);
  }

  auto module = wi::Module::New(impl.store, std::move(desc));
  wi::Trap::Ptr trap;
  impl.instance = wi::Instance::Instantiate(impl.store, module.ref(), imports, &trap);
  if (!impl.instance)
    return fail(Errc::failed,
                "instantiating the module failed: " + (trap ? trap->message() : "unknown"));

  if (start_index && *start_index < impl.instance->funcs().size())
    impl.start_func = impl.instance->funcs()[*start_index];

  const auto& mdesc = module->desc();
  for (size_t i = 0; i < mdesc.exports.size(); ++i) {
    const auto& e = mdesc.exports[i];
    auto ref = impl.instance->exports()[i];
    if (e.type.type->kind == wabt::ExternalKind::Func) {
      // Only functions defined in the module can be driven with a budget.
      if (impl.store.Is<wi::DefinedFunc>(ref)) impl.funcs.emplace(e.type.name, ref);
    } else if (e.type.type->kind == wabt::ExternalKind::Memory) {
      if (impl.memory == wi::Ref::Null || e.type.name == "memory") impl.memory = ref;
    }
  }
  if (impl.memory == wi::Ref::Null && !impl.instance->memories().empty())
    impl.memory = impl.instance->memories()[0];
  if (impl.memory == wi::Ref::Null)
    return fail(Errc::validation, "the module has no memory the host can reach",
                "export the linear memory as \"memory\"");

  // Allocator: malloc first, then proxy_on_memory_allocate [HOST wasm.cc].
  for (const char* n : {"malloc", "proxy_on_memory_allocate"}) {
    auto it = impl.funcs.find(std::string_view(n));
    if (it == impl.funcs.end()) continue;
    auto f = impl.store.UnsafeGet<wi::DefinedFunc>(it->second);
    if (signature(f->type()) == "(i32)->i32") {
      impl.allocator = it->second;
      break;
    }
  }
  if (impl.allocator == wi::Ref::Null)
    return fail(Errc::validation, "Wasm module is missing malloc function.",
                "export malloc or proxy_on_memory_allocate as (i32)->i32");
  return vm;
}

}  // namespace ext::host
