// read_module: module facts through WABT's binary reader (a BinaryReaderNop delegate), the
// preamble check (WebAssembly core binary format vs the component model preamble) and the
// `producers` custom section (tool-conventions ProducersSection.md), which WABT does not decode.
#include <wabt/binary-reader-nop.h>
#include <wabt/binary-reader.h>
#include <wabt/config.h>

#include <algorithm>
#include <cstring>
#include <set>

#include "ext/core/error.hpp"
#include "ext/digest/digest.hpp"
#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"
#include "ext/wasm/module.hpp"
#include "ext/wasm/signature.hpp"

namespace ext::wasm {

std::string type_name(const wabt::Type& t) {
  switch (t) {
    case wabt::Type::I32:
      return "i32";
    case wabt::Type::I64:
      return "i64";
    case wabt::Type::F32:
      return "f32";
    case wabt::Type::F64:
      return "f64";
    case wabt::Type::V128:
      return "v128";
    case wabt::Type::FuncRef:
      return "funcref";
    case wabt::Type::ExternRef:
      return "externref";
    default:
      return t.GetName();
  }
}

std::string signature(const wabt::Type* params, size_t np, const wabt::Type* results, size_t nr) {
  std::string s = "(";
  for (size_t i = 0; i < np; ++i) s += (i ? "," : "") + type_name(params[i]);
  s += ")->";
  if (nr == 1) return s + type_name(results[0]);
  s += "(";
  for (size_t i = 0; i < nr; ++i) s += (i ? "," : "") + type_name(results[i]);
  return s + ")";
}

namespace {

constexpr uint32_t k_max_producer_fields = 64;
constexpr uint32_t k_max_producer_values = 256;
constexpr size_t k_max_custom_sections = 10000;

ExternKind extern_kind(wabt::ExternalKind k) {
  switch (k) {
    case wabt::ExternalKind::Func:
      return ExternKind::func;
    case wabt::ExternalKind::Table:
      return ExternKind::table;
    case wabt::ExternalKind::Memory:
      return ExternKind::memory;
    case wabt::ExternalKind::Global:
      return ExternKind::global;
    case wabt::ExternalKind::Tag:
      return ExternKind::tag;
  }
  return ExternKind::func;
}

// Bounded reader over a custom section payload (LEB128 per the WebAssembly binary format).
class Cursor {
 public:
  Cursor(const uint8_t* p, size_t n) : m_p(p), m_end(p + n) {}
  bool u32(uint32_t& out) {
    out = 0;
    for (int i = 0; i < 5; ++i) {
      if (m_p == m_end) return false;
      uint8_t b = *m_p++;
      out |= uint32_t(b & 0x7f) << (7 * i);
      if (!(b & 0x80)) return !(i == 4 && (b & 0x70));
    }
    return false;
  }
  bool name(std::string& out) {
    uint32_t n = 0;
    if (!u32(n) || n > size_t(m_end - m_p)) return false;
    out.assign(reinterpret_cast<const char*>(m_p), n);
    m_p += n;
    return true;
  }
  bool at_end() const { return m_p == m_end; }

 private:
  const uint8_t* m_p;
  const uint8_t* m_end;
};

// producers := vec(field_name vec(value_name value_version))   [TC ProducersSection.md]
bool parse_producers(const uint8_t* p, size_t n,
                     std::vector<std::pair<std::string, std::string>>& out) {
  Cursor c(p, n);
  uint32_t fields = 0;
  if (!c.u32(fields) || fields > k_max_producer_fields) return false;
  std::vector<std::pair<std::string, std::string>> result;
  for (uint32_t f = 0; f < fields; ++f) {
    std::string field;
    uint32_t values = 0;
    if (!c.name(field) || !c.u32(values) || values > k_max_producer_values) return false;
    for (uint32_t v = 0; v < values; ++v) {
      std::string value, version;
      if (!c.name(value) || !c.name(version)) return false;
      result.emplace_back(field, version.empty() ? value : value + " " + version);
    }
  }
  if (!c.at_end()) return false;
  out = std::move(result);
  return true;
}

class Collector final : public wabt::BinaryReaderNop {
 public:
  explicit Collector(ModuleInfo& info) : m_info(info) {}

  std::string error;
  uint64_t error_offset = 0;
  std::string own_error;  // a fact we refuse (duplicate export...), set before returning Error

  bool OnError(const wabt::Error& e) override {
    if (error.empty()) {
      error = e.message;
      error_offset = e.loc.offset;
    }
    return true;  // handled: WABT must not print to stderr
  }

  wabt::Result BeginSection(wabt::Index, wabt::BinarySection, wabt::Offset size) override {
    m_section_start = state->offset;
    m_section_end = state->offset + size;
    return wabt::Result::Ok;
  }

  wabt::Result BeginCustomSection(wabt::Index, wabt::Offset, std::string_view name) override {
    if (m_info.custom_sections.size() >= k_max_custom_sections)
      return fail("more than " + std::to_string(k_max_custom_sections) + " custom sections");
    size_t payload_start = std::min<uint64_t>(state->offset, m_section_end);
    size_t payload = m_section_end - payload_start;
    m_info.custom_sections.emplace_back(name);
    m_info.custom_section_sizes.push_back(payload);
    if (name == "producers") {
      if (m_seen_producers) {
        m_info.custom_section_problems.push_back("more than one `producers` section");
      } else if (!parse_producers(state->data + payload_start, payload, m_info.producers)) {
        m_info.custom_section_problems.push_back("malformed `producers` section (ignored)");
      }
      m_seen_producers = true;
    }
    return wabt::Result::Ok;
  }

  wabt::Result OnFuncType(wabt::Index index, wabt::Index np, wabt::Type* params, wabt::Index nr,
                          wabt::Type* results) override {
    set_type(index, signature(params, np, results, nr));
    return wabt::Result::Ok;
  }
  wabt::Result OnStructType(wabt::Index index, wabt::Index, wabt::TypeMut*) override {
    set_type(index, "");
    return wabt::Result::Ok;
  }
  wabt::Result OnArrayType(wabt::Index index, wabt::TypeMut) override {
    set_type(index, "");
    return wabt::Result::Ok;
  }

  wabt::Result OnImportFunc(wabt::Index, std::string_view module, std::string_view field,
                            wabt::Index, wabt::Index sig_index) override {
    auto sig = type_signature(sig_index);
    if (!sig)
      return fail("import " + std::string(module) + "." + std::string(field) + " uses type index " +
                  std::to_string(sig_index) + ", which is not a function type");
    m_func_sigs.push_back(*sig);
    add_import(module, field, ExternKind::func, *sig);
    return wabt::Result::Ok;
  }
  wabt::Result OnImportTable(wabt::Index, std::string_view module, std::string_view field,
                             wabt::Index, wabt::Type, const wabt::Limits*) override {
    add_import(module, field, ExternKind::table, "");
    return wabt::Result::Ok;
  }
  wabt::Result OnImportMemory(wabt::Index, std::string_view module, std::string_view field,
                              wabt::Index, const wabt::Limits* limits) override {
    add_import(module, field, ExternKind::memory, "");
    m_info.memory_imported = true;
    on_memory(*limits);
    return wabt::Result::Ok;
  }
  wabt::Result OnImportGlobal(wabt::Index, std::string_view module, std::string_view field,
                              wabt::Index, wabt::Type type, bool mut) override {
    add_import(module, field, ExternKind::global, (mut ? "mut " : "") + type_name(type));
    return wabt::Result::Ok;
  }
  wabt::Result OnImportTag(wabt::Index, std::string_view module, std::string_view field,
                           wabt::Index, wabt::Index) override {
    add_import(module, field, ExternKind::tag, "");
    return wabt::Result::Ok;
  }

  wabt::Result OnFunction(wabt::Index, wabt::Index sig_index) override {
    auto sig = type_signature(sig_index);
    if (!sig)
      return fail("function uses type index " + std::to_string(sig_index) +
                  ", which is not a function type");
    m_func_sigs.push_back(*sig);
    return wabt::Result::Ok;
  }

  wabt::Result OnMemory(wabt::Index, const wabt::Limits* limits) override {
    on_memory(*limits);
    return wabt::Result::Ok;
  }

  wabt::Result OnExport(wabt::Index, wabt::ExternalKind kind, wabt::Index item,
                        std::string_view name) override {
    if (!m_export_names.insert(std::string(name)).second)
      return fail("duplicate export name \"" + std::string(name) + "\"");
    Export e;
    e.name = name;
    e.kind = extern_kind(kind);
    if (kind == wabt::ExternalKind::Func) {
      if (item >= m_func_sigs.size())
        return fail("export \"" + e.name + "\" names function " + std::to_string(item) +
                    ", which does not exist");
      e.signature = m_func_sigs[item];
    }
    if (kind == wabt::ExternalKind::Memory && !m_info.memory_exported) {
      m_info.memory_exported = true;
      m_info.memory_export_name = e.name;
    }
    m_info.exports.push_back(std::move(e));
    return wabt::Result::Ok;
  }

  wabt::Result OnStartFunction(wabt::Index) override {
    m_info.has_start_section = true;
    return wabt::Result::Ok;
  }

 private:
  wabt::Result fail(std::string message) {
    if (own_error.empty()) own_error = std::move(message);
    return wabt::Result::Error;
  }
  void set_type(wabt::Index index, std::string sig) {
    if (index >= m_types.size()) m_types.resize(index + 1);
    m_types[index] = std::move(sig);
  }
  std::optional<std::string> type_signature(wabt::Index index) const {
    if (index >= m_types.size() || m_types[index].empty()) return std::nullopt;
    return m_types[index];
  }
  void add_import(std::string_view module, std::string_view field, ExternKind kind,
                  std::string sig) {
    m_info.imports.push_back({std::string(module), std::string(field), kind, std::move(sig)});
  }
  void on_memory(const wabt::Limits& limits) {
    ++m_info.memory_count;
    if (m_info.memory_count > 1) return;  // facts of memory 0, the one the ABI uses
    m_info.memory_min_pages = limits.initial;
    if (limits.has_max) m_info.memory_max_pages = limits.max;
    m_info.memory_shared = limits.is_shared;
    m_info.memory64 = limits.is_64;
  }

  ModuleInfo& m_info;
  std::vector<std::string> m_types;      // "" for a non-function type (GC forms)
  std::vector<std::string> m_func_sigs;  // function index space: imports, then defined
  std::set<std::string> m_export_names;
  uint64_t m_section_start = 0;
  uint64_t m_section_end = 0;
  bool m_seen_producers = false;
};

std::string hex_prefix(std::string_view bytes, size_t n) {
  std::string out;
  static const char* k_hex = "0123456789abcdef";
  for (size_t i = 0; i < std::min(n, bytes.size()); ++i) {
    if (i) out += ' ';
    auto b = static_cast<uint8_t>(bytes[i]);
    out += k_hex[b >> 4];
    out += k_hex[b & 15];
  }
  return out;
}

// What a non-wasm file probably is, for the error message.
std::string guess_kind(std::string_view bytes) {
  auto starts = [&](std::string_view p) { return bytes.substr(0, p.size()) == p; };
  if (starts("\x7f"
             "ELF"))
    return " (it is an ELF executable or object)";
  if (starts("\x1f\x8b")) return " (it is gzip data; a .tar.gz layer?)";
  if (starts("PK\x03\x04")) return " (it is a zip archive)";
  auto text = util::trim(bytes.substr(0, 256));
  if (text.substr(0, 7) == "(module" || text.substr(0, 10) == "(component")
    return " (it looks like WebAssembly text; compile it with wat2wasm)";
  if (!text.empty() && (text[0] == '{' || text[0] == '[')) return " (it looks like JSON)";
  return "";
}

Result<void> check_preamble(std::string_view bytes, ModuleInfo& info) {
  static constexpr char k_magic[4] = {'\0', 'a', 's', 'm'};
  if (bytes.size() < 4 || std::memcmp(bytes.data(), k_magic, 4) != 0) {
    if (bytes.empty()) return fail(Errc::parse, "not a WebAssembly module: the file is empty");
    return fail(Errc::parse,
                "not a WebAssembly module: no \\0asm magic (starts with " + hex_prefix(bytes, 8) +
                    ")" + guess_kind(bytes),
                "ext reads binary .wasm files built for wasm32 (e.g. wasm32-wasip1)");
  }
  if (bytes.size() < 8)
    return fail(Errc::parse,
                "truncated WebAssembly module: " + std::to_string(bytes.size()) +
                    " bytes, the 8-byte preamble is incomplete",
                "the file was cut short: rebuild or download it again");
  auto b = [&](size_t i) { return static_cast<uint8_t>(bytes[i]); };
  uint16_t version = uint16_t(b(4) | (b(5) << 8));
  uint16_t layer = uint16_t(b(6) | (b(7) << 8));
  if (layer == 1) {  // component model: <version:u16> <layer=1:u16> [docs/validate.md]
    info.is_component = true;
    return {};
  }
  if (layer != 0 || version != 1)
    return fail(Errc::parse,
                "unsupported WebAssembly binary version: preamble bytes 4..7 are " +
                    hex_prefix(bytes.substr(4), 4) + ", expected 01 00 00 00",
                "Envoy loads WebAssembly 1.0 core modules");
  return {};
}

}  // namespace

Result<ModuleInfo> read_module(std::string_view bytes) {
  if (bytes.size() > k_max_module_bytes)
    return fail(Errc::parse, "module too large: " + util::human_size(bytes.size()) + " (limit " +
                                 util::human_size(k_max_module_bytes) + ")");
  ModuleInfo info;
  info.size = bytes.size();
  if (auto pre = check_preamble(bytes, info); !pre) return fail(pre.error());
  info.sha256 = digest::sha256(bytes).hex();
  if (info.is_component) return info;

  Collector collector(info);
  wabt::Features features;
  features.EnableAll();  // read shared/64-bit memories and tags, then judge them in validate()
  wabt::ReadBinaryOptions options(features, nullptr, /*read_debug_names=*/false,
                                  /*stop_on_first_error=*/true,
                                  /*fail_on_custom_section_error=*/false);
  options.skip_function_bodies = true;
  wabt::Result r = wabt::Result::Error;
  try {
    r = wabt::ReadBinary(bytes.data(), bytes.size(), &collector, options);
  } catch (const std::exception& e) {  // allocation failure on hostile counts
    collector.error = std::string("reader failed: ") + e.what();
  }
  if (wabt::Failed(r)) {
    if (!collector.own_error.empty())
      return fail(Errc::parse, "invalid WebAssembly module: " + collector.own_error);
    std::string what = collector.error.empty() ? "unreadable content" : collector.error;
    bool truncated = what.find("unable to read") != std::string::npos ||
                     what.find("past end") != std::string::npos ||
                     what.find("extends past") != std::string::npos;
    std::string msg = std::string(truncated ? "truncated or malformed" : "malformed") +
                      " WebAssembly module at offset " + std::to_string(collector.error_offset) +
                      " of " + std::to_string(bytes.size()) + ": " + what;
    return fail(Errc::parse, msg,
                truncated ? "the file may be cut short: rebuild it or download it again" : "");
  }

  // Filter kind from the callbacks it exports (cpp-host context.cc: the callbacks decide the filter
  // kind). SDK builds export every callback, so "both" is common: resolve_filter_type() then needs
  // a declared type.
  static constexpr std::string_view k_http[] = {
      "proxy_on_request_headers",  "proxy_on_request_body",  "proxy_on_request_trailers",
      "proxy_on_response_headers", "proxy_on_response_body", "proxy_on_response_trailers"};
  static constexpr std::string_view k_network[] = {
      "proxy_on_new_connection", "proxy_on_downstream_data", "proxy_on_upstream_data",
      "proxy_on_downstream_connection_close", "proxy_on_upstream_connection_close"};
  auto any = [&](const auto& names) {
    return std::any_of(std::begin(names), std::end(names),
                       [&](std::string_view n) { return info.exports_function(n); });
  };
  bool http = any(k_http), network = any(k_network);
  if (http && network)
    info.kind = FilterKind::both;
  else if (http)
    info.kind = FilterKind::http;
  else if (network)
    info.kind = FilterKind::network;

  // ABI marker: first function export named proxy_abi_version_X_Y_Z in export order wins
  // [HOST bytecode_util.cc getAbiVersion].
  for (const auto& e : info.exports) {
    if (e.kind != ExternKind::func) continue;
    if (e.name == "proxy_abi_version_0_1_0") info.abi_version = "0.1.0";
    if (e.name == "proxy_abi_version_0_2_0") info.abi_version = "0.2.0";
    if (e.name == "proxy_abi_version_0_2_1") info.abi_version = "0.2.1";
    if (!info.abi_version.empty()) break;
  }
  return info;
}

Result<ModuleInfo> read_module_file(const std::filesystem::path& path) {
  std::string bytes;
  try {
    bytes = util::read_file(path, k_max_module_bytes);
  } catch (const Error& e) {
    return fail(e.with_context(path.string()));
  }
  auto r = read_module(bytes);
  if (!r) return fail(r.error().with_context(path.string()));
  return r;
}

bool ModuleInfo::exports_function(std::string_view name) const {
  return std::any_of(exports.begin(), exports.end(),
                     [&](const Export& e) { return e.kind == ExternKind::func && e.name == name; });
}

const char* to_string(ExternKind kind) {
  switch (kind) {
    case ExternKind::func:
      return "func";
    case ExternKind::table:
      return "table";
    case ExternKind::memory:
      return "memory";
    case ExternKind::global:
      return "global";
    case ExternKind::tag:
      return "tag";
  }
  return "func";
}

const char* to_string(FilterKind kind) {
  switch (kind) {
    case FilterKind::http:
      return "http";
    case FilterKind::network:
      return "network";
    case FilterKind::both:
      return "both";
    case FilterKind::unknown:
      break;
  }
  return "unknown";
}

Result<FilterKind> parse_filter_type(std::string_view text) {
  std::string t;
  for (char c : text) t += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (t == "http") return FilterKind::http;
  if (t == "network" || t == "tcp") return FilterKind::network;
  return fail(Errc::invalid_argument,
              "filter type \"" + std::string(text.substr(0, 64)) + "\" is not http or network",
              "an HTTP filter goes into the HTTP connection manager (http); an L4 filter into the "
              "listener's filter chain (network)");
}

Result<FilterKind> resolve_filter_type(const ModuleInfo& info, std::optional<FilterKind> declared,
                                       std::string_view how) {
  if (declared) {
    if (*declared != FilterKind::http && *declared != FilterKind::network)
      return fail(Errc::invalid_argument, "a filter type is http or network");
    bool backed = info.kind == FilterKind::both || info.kind == *declared;
    if (!backed)
      return fail(Errc::validation,
                  std::string("declared a ") + to_string(*declared) +
                      " filter, but the module exports " +
                      (info.kind == FilterKind::unknown
                           ? std::string("no stream callbacks")
                           : std::string("only ") + to_string(info.kind) + " callbacks"),
                  "fix the declared type (" + std::string(how) + ")");
    return *declared;
  }
  switch (info.kind) {
    case FilterKind::http:
    case FilterKind::network:
      return info.kind;
    case FilterKind::both:
      return fail(Errc::invalid_argument,
                  "the module exports both HTTP and network callbacks (as every SDK build does), "
                  "so its exports cannot tell which kind of filter it is",
                  "say which: " + std::string(how));
    case FilterKind::unknown:
      break;
  }
  return fail(Errc::validation,
              "the module exports no HTTP or network callbacks, so it is no stream filter",
              "export proxy_on_request_headers (HTTP) or proxy_on_new_connection (network)");
}

std::string wabt_version() {
  return WABT_VERSION_STRING;
}

}  // namespace ext::wasm
