// ext::wasm — reading WebAssembly modules (WABT's binary reader) and checking them against the
// proxy-wasm ABI (wasm/abi_list.hpp, rules in docs/validate.md, the WebAssembly binary format).
// Owns: module facts and validation findings. WABT headers appear only in this module's .cpp.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"

namespace ext::wasm {

enum class ExternKind { func, table, memory, global, tag };

struct Import {
  std::string module;  // "env", "wasi_snapshot_preview1"
  std::string name;
  ExternKind kind = ExternKind::func;
  std::string signature;  // for functions: "(i32,i32)->i32"; empty otherwise
};

struct Export {
  std::string name;
  ExternKind kind = ExternKind::func;
  std::string signature;
};

// What the exported stream callbacks say: only HTTP ones, only network ones, both (every SDK
// build exports both sets), or neither.
enum class FilterKind { unknown, http, network, both };

struct ModuleInfo {
  uint64_t size = 0;
  std::string sha256;         // hex of the module bytes
  bool is_component = false;  // a WebAssembly component (layer 1 preamble), not a module
  std::string abi_version;    // "0.2.1", "0.2.0", "0.1.0"; empty when no proxy_abi_version_*
  FilterKind kind = FilterKind::unknown;  // from the callbacks it exports
  std::vector<Import> imports;
  std::vector<Export> exports;
  std::optional<uint64_t> memory_min_pages;
  std::optional<uint64_t> memory_max_pages;
  bool memory_exported = false;
  std::string memory_export_name;  // first memory export ("memory" by WASI convention)
  bool memory_imported = false;    // the module imports its memory (host creates it)
  bool memory_shared = false;      // threads proposal: shared memory (limits flag 0x02)
  bool memory64 = false;           // memory64 proposal (limits flag 0x04)
  uint32_t memory_count = 0;       // imported + defined memories
  bool has_start_section =
      false;  // a `start` function runs at instantiation (WebAssembly core spec "start" section)
  std::vector<std::string> custom_sections;    // names, in order
  std::vector<uint64_t> custom_section_sizes;  // payload bytes, parallel to custom_sections
  std::vector<std::pair<std::string, std::string>> producers;  // ("language","Rust 1.78"), ...
  // Problems inside custom sections (a malformed `producers`): never fatal (tool-conventions
  // ProducersSection.md), reported as warnings by validate().
  std::vector<std::string> custom_section_problems;

  bool exports_function(std::string_view name) const;
};

// Reads module facts; Error(parse) for anything that is not a readable module (not wasm,
// truncated, malformed sections). A component is read (is_component = true), not rejected here.
Result<ModuleInfo> read_module(std::string_view bytes);
Result<ModuleInfo> read_module_file(const std::filesystem::path& path);

// error: Envoy refuses the module; warning: it loads but something is likely wrong (--strict
// fails on these); info: a fact worth knowing that is often deliberate (a stripped release
// build has no name section), never counted by --strict.
enum class Severity { error, warning, info };

struct Finding {
  Severity severity;
  std::string rule;       // stable id, e.g. "abi-marker", "import-signature", "allocator"
  std::string message;    // what is wrong, naming the import/export
  std::string hint = {};  // what to do about it (may be empty)
  // What it is about: "env.proxy_log" for an import, the export name for an export, empty for
  // the module as a whole.
  std::string subject = {};
};

struct ValidateOptions {
  uint64_t max_module_size = 32ull << 20;  // warning "module-size" above this
  // An Envoy release ("1.33", see abi::envoy_versions()): WASI imports that release does not
  // link are errors ("import-wasi-envoy"). Empty: no check.
  std::string envoy_version;
};

// Applies the rules of docs/validate.md. Errors mean Envoy would refuse the module. Rule ids are
// stable and listed in validate.cpp.
std::vector<Finding> validate(const ModuleInfo& info, const ValidateOptions& opts = {});
bool has_errors(const std::vector<Finding>& findings);

// "runtime-config" form of the ABI: "v0.2.1" (docs/formats.md); empty for an empty version.
std::string abi_config_string(const std::string& abi_version);

// The WABT release ext was built with ("1.0.32"), for `ext version`.
std::string wabt_version();

const char* to_string(ExternKind kind);  // "func", "table", "memory", "global", "tag"
const char* to_string(FilterKind kind);  // "unknown", "http", "network", "both"

// The filter type a project or a flag declares: "http" | "network" (any case).
Result<FilterKind> parse_filter_type(std::string_view text);
// The type to package or deploy a module as. A declared type (ext.yaml `filter_type`,
// --filter-type, the image's annotation) wins, and must be backed by that set of callbacks; with
// none declared, the exports decide, and a module exporting both sets (any SDK build) is
// Error(invalid_argument) asking for the type: ext does not guess. `how` names the way to
// declare it in the hint ("filter_type: http|network in ext.yaml, or --filter-type").
Result<FilterKind> resolve_filter_type(const ModuleInfo& info, std::optional<FilterKind> declared,
                                       std::string_view how);
const char* to_string(Severity severity);  // "error", "warning", "info"

// Upper bound on a module read_module accepts (untrusted sizes are bounded).
inline constexpr uint64_t k_max_module_bytes = 512ull << 20;

}  // namespace ext::wasm
