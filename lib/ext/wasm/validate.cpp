// validate(): the static rules of docs/validate.md over ModuleInfo.
//
// Rule ids (stable; tests and --json users match on them):
//   errors   component, abi-marker, abi-marker-signature, allocator, import-module,
//            import-unknown, import-version, import-wasi-envoy, import-signature,
//            import-global, import-kind,
//            export-signature, memory-missing, memory-type
//   warnings abi-marker-multiple, memory-name, entry-point-both, entry-point-none,
//            no-root-callbacks, no-stream-callbacks, grpc-misspelled, unknown-callback,
//            export-kind, start-section, precompiled-section, object-file, module-size,
//            name-section, custom-section
#include <algorithm>

#include "ext/util/strings.hpp"
#include "ext/wasm/abi_tables.hpp"
#include "ext/wasm/module.hpp"

namespace ext::wasm {
namespace {

class Findings {
 public:
  void error(std::string rule, std::string message, std::string hint = {}) {
    m_out.push_back(
        {Severity::error, std::move(rule), std::move(message), std::move(hint), m_subject});
  }
  void warning(std::string rule, std::string message, std::string hint = {}) {
    m_out.push_back(
        {Severity::warning, std::move(rule), std::move(message), std::move(hint), m_subject});
  }
  void info(std::string rule, std::string message, std::string hint = {}) {
    m_out.push_back(
        {Severity::info, std::move(rule), std::move(message), std::move(hint), m_subject});
  }
  // Findings added until the next call are about `subject` (an import or export name).
  void about(std::string subject) { m_subject = std::move(subject); }
  std::vector<Finding> take() { return std::move(m_out); }

 private:
  std::vector<Finding> m_out;
  std::string m_subject;
};

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

std::string quoted_sig(const std::string& sig) {
  return sig.empty() ? "(none)" : sig;
}

void check_marker(const ModuleInfo& info, Findings& f) {
  std::vector<std::string> markers;
  for (const auto& e : info.exports)
    if (e.kind == ExternKind::func && starts_with(e.name, "proxy_abi_version_"))
      markers.push_back(e.name);
  if (info.abi_version.empty()) {
    std::string msg =
        "no proxy-wasm ABI marker: the module exports none of "
        "proxy_abi_version_0_1_0, proxy_abi_version_0_2_0, proxy_abi_version_0_2_1";
    if (!markers.empty())
      msg += " (it exports " + util::join(markers, ", ") + ", which no host accepts)";
    f.error("abi-marker", msg + "; Envoy fails with \"Missing or unknown Proxy-Wasm ABI version\"",
            "build with a proxy-wasm SDK, or export an empty function "
            "proxy_abi_version_0_2_1 (no params, no results)");
    return;
  }
  std::vector<std::string> known;
  for (const auto& m : markers)
    if (std::find(std::begin(abi::k_abi_markers), std::end(abi::k_abi_markers), m) !=
        std::end(abi::k_abi_markers))
      known.push_back(m);
  if (known.size() > 1)
    f.warning("abi-marker-multiple", "several ABI markers exported (" + util::join(known, ", ") +
                                         "); the host uses the "
                                         "first in export order: " +
                                         known.front() + " (ABI " + info.abi_version + ")");
}

void check_imports(const ModuleInfo& info, const ValidateOptions& opts, Findings& f) {
  unsigned bit = abi::version_bit(info.abi_version);
  for (const auto& imp : info.imports) {
    std::string full = imp.module + "." + imp.name;
    f.about(full);
    if (imp.kind == ExternKind::global) {
      f.error("import-global", "import " + full +
                                   " is a global; the host provides no globals "
                                   "(Envoy fails with \"missing import\")");
      continue;
    }
    if (imp.kind == ExternKind::memory || imp.kind == ExternKind::table) continue;  // host-made
    if (imp.kind == ExternKind::tag) {
      f.error("import-kind", "import " + full + " is an exception tag; the host provides none");
      continue;
    }
    const abi::Function* fn = nullptr;
    if (imp.module == "env") {
      fn = abi::find_env_import(imp.name);
    } else if (abi::is_wasi_module(imp.module)) {
      fn = abi::find_wasi_import(imp.name);
    } else {
      f.error("import-module",
              "import " + full + " is from module \"" + imp.module +
                  "\"; the host provides only "
                  "env, wasi_snapshot_preview1 and wasi_unstable (Envoy fails with \"missing "
                  "import: " +
                  full + "\")",
              starts_with(imp.module, "wasi:")
                  ? "this is a WASI 0.2 (component) import: build for wasm32-wasip1"
                  : "");
      continue;
    }
    if (!fn) {
      f.error("import-unknown", "import " + full +
                                    " is not a function the host provides (Envoy fails with "
                                    "\"Failed to load Wasm module due to a missing import: " +
                                    full + "\")");
      continue;
    }
    if (abi::is_wasi_module(imp.module) && !opts.envoy_version.empty() &&
        !abi::wasi_provided(imp.name, opts.envoy_version)) {
      f.error(
          "import-wasi-envoy",
          "import " + full + " is not linked by Envoy " + opts.envoy_version +
              " (its proxy-wasm-cpp-host added it in " + std::string(abi::wasi_added_in(imp.name)) +
              "); Envoy fails with \"Failed to load Wasm module due to a missing import: " + full +
              "\"",
          "target a newer Envoy, or avoid the call (wasi-libc pulls it in for files, "
          "directories and clocks)");
    }
    if (bit && !(fn->versions & bit)) {
      f.error("import-version",
              "import " + full + " is not provided for ABI " + info.abi_version + " (only for " +
                  abi::describe_versions(fn->versions) + ")",
              "use the ABI version the SDK targets, or the call that replaced it");
    }
    if (imp.signature != fn->signature) {
      f.error("import-signature", "import " + full + " has type " + quoted_sig(imp.signature) +
                                      " but the host provides " + std::string(fn->signature) +
                                      " (Envoy fails with \"import type mismatch\")");
    }
  }
}

void check_exports(const ModuleInfo& info, Findings& f) {
  for (const auto& e : info.exports) {
    f.about(e.name);
    const abi::Function* fn = abi::find_export(e.name, info.abi_version);
    if (!fn) {
      if (e.name == "proxy_on_grpc_trailing_metadata") {
        f.warning("grpc-misspelled",
                  "export proxy_on_grpc_trailing_metadata is never called: the host calls "
                  "proxy_on_grpc_receive_trailing_metadata");
      } else if (starts_with(e.name, "proxy_on_") || e.name == "proxy_validate_configuration") {
        f.warning("unknown-callback",
                  "export " + e.name + " is not a callback the host looks up; it is never called");
      }
      continue;
    }
    if (e.kind != ExternKind::func) {
      f.warning("export-kind", "export " + e.name + " is a " + to_string(e.kind) +
                                   ", not a function; the host ignores it");
      continue;
    }
    bool is_marker = starts_with(e.name, "proxy_abi_version_");
    bool headers = e.name == "proxy_on_request_headers" || e.name == "proxy_on_response_headers";
    if (headers && info.abi_version.empty()) {
      // Without a version either form is plausible; the marker error already fails the module.
      if (e.signature == "(i32,i32,i32)->i32" || e.signature == "(i32,i32)->i32") continue;
    }
    if (e.signature == fn->signature) continue;
    if (is_marker) {
      f.error("abi-marker-signature", "ABI marker " + e.name + " has type " + e.signature +
                                          "; it must take no params and return nothing");
      continue;
    }
    std::string msg = "export " + e.name + " has type " + e.signature +
                      " but the host calls it as " + std::string(fn->signature);
    if (headers && !info.abi_version.empty()) msg += " for ABI " + info.abi_version;
    f.error("export-signature",
            msg + " (Envoy fails with \"Bad function signature for: " + e.name + "\")");
  }
}

void check_allocator(const ModuleInfo& info, Findings& f) {
  bool has = false;
  for (const auto& e : info.exports)
    if (e.kind == ExternKind::func &&
        (e.name == "malloc" || e.name == "proxy_on_memory_allocate") && e.signature == "(i32)->i32")
      has = true;
  if (!has)
    f.error("allocator",
            "no allocator export: the module exports neither proxy_on_memory_allocate nor "
            "malloc as a function (i32)->i32 (Envoy fails with \"Wasm module is missing malloc "
            "function.\")",
            "export your allocator as proxy_on_memory_allocate (the SDKs do), e.g. clang "
            "-Wl,--export=malloc");
}

void check_memory(const ModuleInfo& info, Findings& f) {
  if (!info.memory_exported && !info.memory_imported) {
    f.error("memory-missing",
            "the module neither exports nor imports a memory; the host cannot pass data to it",
            "export the linear memory as \"memory\" (wasm-ld does by default)");
  } else if (info.memory_exported && info.memory_export_name != "memory" && !info.memory_imported) {
    f.warning("memory-name", "memory is exported as \"" + info.memory_export_name +
                                 "\", not \"memory\" (WASI convention)");
  }
  if (info.memory64)
    f.error("memory-type", "memory is 64-bit (memory64); the ABI passes 32-bit pointers");
  if (info.memory_shared)
    f.error("memory-type",
            "memory is shared (threads proposal); proxy-wasm hosts use an "
            "unshared 32-bit memory");
}

void check_conventions(const ModuleInfo& info, Findings& f) {
  bool init = info.exports_function("_initialize");
  bool start = info.exports_function("_start");
  if (init && start)
    f.warning("entry-point-both",
              "both _initialize and _start are exported (WASI says they exclude each other); the "
              "host calls _initialize only");
  else if (!init && !start)
    f.warning("entry-point-none",
              "neither _initialize nor _start is exported: static constructors will not run "
              "(fine for --no-entry builds)");
  if (!info.exports_function("proxy_on_vm_start") && !info.exports_function("proxy_on_configure"))
    f.warning("no-root-callbacks",
              "no root callbacks: neither proxy_on_vm_start nor proxy_on_configure is exported");
  if (info.kind == FilterKind::unknown)
    f.warning("no-stream-callbacks",
              "no stream callbacks: the module exports no HTTP (proxy_on_request_headers...) or "
              "network (proxy_on_new_connection...) callbacks, so it does nothing per request");
  if (info.has_start_section)
    f.warning("start-section",
              "the module has a start section: it runs at instantiation, before the host can "
              "service hostcalls");
}

void check_custom(const ModuleInfo& info, const ValidateOptions& opts, Findings& f) {
  bool has_name = false;
  bool object = false;
  for (size_t i = 0; i < info.custom_sections.size(); ++i) {
    const auto& n = info.custom_sections[i];
    if (n == "name") has_name = true;
    if (n == "linking" || starts_with(n, "reloc.")) object = true;
    if (n.find("precompiled_") != std::string::npos)
      f.warning("precompiled-section", "custom section \"" + n + "\" (" +
                                           util::human_size(info.custom_section_sizes.at(i)) +
                                           ") is stripped by the host before compiling");
  }
  if (object)
    f.warning("object-file",
              "the module has linking/reloc sections: it is an object file, not a linked module",
              "link it with wasm-ld (clang without -c)");
  if (!has_name)
    f.info("name-section", "no \"name\" section: Envoy cannot symbolize stack traces",
           "keep function names (don't strip the name section) for readable crash logs");
  for (const auto& p : info.custom_section_problems) f.warning("custom-section", p);
  if (info.size > opts.max_module_size)
    f.warning("module-size",
              "module is " + util::human_size(info.size) + ", more than " +
                  util::human_size(opts.max_module_size) + "; every Envoy worker loads a copy",
              "build with optimizations (--release) and strip debug sections");
}

}  // namespace

std::vector<Finding> validate(const ModuleInfo& info, const ValidateOptions& opts) {
  Findings f;
  if (info.is_component) {
    f.error("component", "WebAssembly component, not a core module: Envoy loads core modules only",
            "build a core module: cargo build --target wasm32-wasip1 (not wasm32-wasip2 or "
            "cargo component), or clang --target=wasm32-wasi");
    return f.take();
  }
  check_marker(info, f);
  check_allocator(info, f);
  check_imports(info, opts, f);
  check_exports(info, f);
  f.about({});
  check_memory(info, f);
  check_conventions(info, f);
  check_custom(info, opts, f);
  auto out = f.take();
  std::stable_sort(out.begin(), out.end(), [](const Finding& a, const Finding& b) {
    return a.severity == Severity::error && b.severity != Severity::error;
  });
  return out;
}

bool has_errors(const std::vector<Finding>& findings) {
  return std::any_of(findings.begin(), findings.end(),
                     [](const Finding& x) { return x.severity == Severity::error; });
}

std::string abi_config_string(const std::string& abi_version) {
  if (abi_version.empty()) return {};
  if (abi_version.front() == 'v') return abi_version;
  return "v" + abi_version;
}

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::error:
      return "error";
    case Severity::warning:
      return "warning";
    case Severity::info:
      return "info";
  }
  return "warning";
}

}  // namespace ext::wasm
