// ext validate FILE.wasm|REF [--strict] [--max-size BYTES]: check a module against the
// proxy-wasm ABI rules (docs/validate.md). Errors exit 1; warnings exit 0 unless --strict.
#include <map>
#include <sstream>

#include "commands.hpp"
#include "ext/ops/validate.hpp"
#include "ext/util/strings.hpp"
#include "ext/wasm/module_json.hpp"

namespace ext::cli {
namespace {

std::string plural(size_t n, const char* word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string memory_text(const wasm::ModuleInfo& m) {
  if (!m.memory_exported && !m.memory_imported) return "none";
  std::string s = m.memory_imported ? "imported" : "exported as \"" + m.memory_export_name + "\"";
  if (m.memory_min_pages) {
    s += ", " + std::to_string(*m.memory_min_pages);
    s += m.memory_max_pages ? ".." + std::to_string(*m.memory_max_pages) : "+";
    s += " pages";
  }
  if (m.memory_shared) s += ", shared";
  if (m.memory64) s += ", 64-bit";
  return s;
}

std::string report_text(const ops::ValidateResult& r, bool strict, int verbosity, bool color) {
  const auto& m = r.module;
  auto paint = [&](const char* code, const std::string& s) {
    return color ? std::string("\x1b[") + code + "m" + s + "\x1b[0m" : s;
  };
  std::ostringstream o;
  o << "module:    " << r.source << " (" << util::human_size(m.size) << ")\n";
  if (r.source_kind == "image")
    o << "manifest:  " << r.manifest_digest << " (" << r.layout << ")\n";
  o << "sha256:    " << m.sha256 << "\n";
  if (m.is_component) {
    o << "kind:      WebAssembly component\n";
  } else {
    o << "abi:       " << (m.abi_version.empty() ? "unknown" : "v" + m.abi_version) << "\n"
      << "filter:    " << wasm::to_string(m.kind) << "\n"
      << "start:     " << wasm::start_convention(m) << "\n"
      << "allocator: " << wasm::allocator_export(m) << "\n"
      << "memory:    " << memory_text(m) << "\n";

    // Imports grouped by module, each marked against the host tables.
    std::map<std::string, std::string> bad;  // "mod.name" -> rule
    for (const auto& f : r.findings)
      if (f.severity == wasm::Severity::error && !f.subject.empty()) bad[f.subject] = f.rule;
    std::map<std::string, std::vector<const wasm::Import*>> by_module;
    for (const auto& i : m.imports) by_module[i.module].push_back(&i);
    o << "imports:   " << m.imports.size();
    if (!by_module.empty()) {
      o << " (";
      bool first = true;
      for (const auto& [mod, list] : by_module) {
        o << (first ? "" : ", ") << mod << " " << list.size();
        first = false;
      }
      o << ")";
    }
    o << "\n";
    for (const auto& [mod, list] : by_module) {
      for (const auto* i : list) {
        auto full = i->module + "." + i->name;
        bool ok = !bad.count(full);
        if (ok && verbosity < 1) continue;  // -v lists every import; default only the bad ones
        o << "  " << (ok ? paint("32", "ok ") : paint("31", "bad")) << " " << full << " "
          << (i->signature.empty() ? wasm::to_string(i->kind) : i->signature) << "\n";
      }
    }
    o << "exports:   " << m.exports.size() << "\n";
    if (verbosity >= 1)
      for (const auto& e : m.exports)
        o << "  " << e.name << " " << (e.signature.empty() ? wasm::to_string(e.kind) : e.signature)
          << "\n";
    if (!m.producers.empty()) {
      o << "producers:";
      std::string sep = " ";
      for (const auto& [field, value] : m.producers) {
        o << sep << field << "=" << value;
        sep = "; ";
      }
      o << "\n";
    }
    if (!m.custom_sections.empty()) {
      o << "sections: ";
      for (size_t i = 0; i < m.custom_sections.size(); ++i)
        o << (i ? ", " : " ") << m.custom_sections[i] << " ("
          << util::human_size(m.custom_section_sizes.at(i)) << ")";
      o << "\n";
    }
  }
  if (!r.findings.empty()) o << "\n";
  for (const auto& f : r.findings) {
    o << (f.severity == wasm::Severity::error     ? paint("31", "error")
          : f.severity == wasm::Severity::warning ? paint("33", "warning")
                                                  : paint("36", "info"))
      << " [" << f.rule << "]: " << f.message << "\n";
    if (!f.hint.empty()) o << "  hint: " << f.hint << "\n";
  }
  o << "\n";
  std::string counts = plural(r.errors, "error") + ", " + plural(r.warnings, "warning");
  if (r.ok)
    o << "result:    " << paint("32", "valid") << " (" << counts << ")\n";
  else if (r.errors == 0 && strict)
    o << "result:    " << paint("31", "invalid") << " (" << counts << "; --strict)\n";
  else
    o << "result:    " << paint("31", "invalid") << " (" << counts
      << "): Envoy would refuse this module\n";
  return o.str();
}

struct ValidateFlags {
  std::string target;
  bool strict = false;
  uint64_t max_size = 0;
  std::string platform_version;
};

void setup_validate(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<ValidateFlags>();
  auto* cmd = app.add_subcommand("validate", "Check a module against the proxy-wasm ABI rules");
  examples(cmd, {"ext validate filter.wasm", "ext validate acme/filter:v1 --strict",
                 "ext validate filter.wasm --platform-version 1.33"});
  cmd->add_option("target", flags->target, "A .wasm file, or an image in the local store")
      ->required();
  cmd->add_flag("--strict", flags->strict, "Warnings fail too (exit 1)");
  cmd->add_option("--max-size", flags->max_size,
                  "Warn when the module is larger than this many bytes (default 32 MiB)");
  cmd->add_option("--platform-version", flags->platform_version,
                  "Envoy release (e.g. 1.33): WASI imports it does not link are errors");
  cmd->callback([flags, &ctx] {
    auto env = ctx.env();
    ops::ValidateOptions o;
    o.target = flags->target;
    o.strict = flags->strict;
    if (flags->max_size) o.max_module_size = flags->max_size;
    o.platform_version = flags->platform_version;
    auto r = ops::validate(o, env);
    nlohmann::json j = {{"source", r.source},
                        {"source_kind", r.source_kind},
                        {"valid", r.ok},
                        {"strict", flags->strict},
                        {"error_count", r.errors},
                        {"warning_count", r.warnings},
                        {"module", wasm::to_json(r.module)},
                        {"findings", wasm::to_json(r.findings)}};
    if (r.source_kind == "image") {
      j["digest"] = r.manifest_digest;
      j["layout"] = r.layout;
    }
    ctx.emit("validate", j, report_text(r, flags->strict, ctx.globals.verbose, ctx.color_stdout()));
    if (!r.ok) ctx.exit_code = 1;
  });
}

}  // namespace
EXT_COMMAND(validate, 10, setup_validate)
}  // namespace ext::cli
