#include "ext/wasm/module_json.hpp"

namespace ext::wasm {

using nlohmann::json;

std::string start_convention(const ModuleInfo& info) {
  if (info.exports_function("_initialize")) return "_initialize";
  if (info.exports_function("_start")) return "_start";
  return "none";
}

std::string allocator_export(const ModuleInfo& info) {
  // [HOST getFunctions]: malloc first, then proxy_on_memory_allocate (cpp-host src/wasm.cc
  // getFunctions).
  for (const char* name : {"malloc", "proxy_on_memory_allocate"})
    for (const auto& e : info.exports)
      if (e.kind == ExternKind::func && e.name == name && e.signature == "(i32)->i32") return name;
  return "none";
}

json to_json(const ModuleInfo& info) {
  json imports = json::array();
  for (const auto& i : info.imports) {
    json j = {{"module", i.module}, {"name", i.name}, {"kind", to_string(i.kind)}};
    if (!i.signature.empty()) j["signature"] = i.signature;
    imports.push_back(std::move(j));
  }
  json exports = json::array();
  for (const auto& e : info.exports) {
    json j = {{"name", e.name}, {"kind", to_string(e.kind)}};
    if (!e.signature.empty()) j["signature"] = e.signature;
    exports.push_back(std::move(j));
  }
  json memory = {{"exported", info.memory_exported},
                 {"imported", info.memory_imported},
                 {"shared", info.memory_shared},
                 {"memory64", info.memory64},
                 {"count", info.memory_count}};
  if (info.memory_exported) memory["export_name"] = info.memory_export_name;
  memory["min_pages"] = info.memory_min_pages ? json(*info.memory_min_pages) : json(nullptr);
  memory["max_pages"] = info.memory_max_pages ? json(*info.memory_max_pages) : json(nullptr);
  json sections = json::array();
  for (size_t i = 0; i < info.custom_sections.size(); ++i)
    sections.push_back(
        {{"name", info.custom_sections[i]},
         {"size", i < info.custom_section_sizes.size() ? info.custom_section_sizes[i] : 0}});
  json producers = json::array();
  for (const auto& [field, value] : info.producers)
    producers.push_back({{"field", field}, {"value", value}});
  // The names and forms of docs/json.md "Vocabulary": module_digest "sha256:<hex>", abi as
  // Istio's abiVersions writes it ("v0.2.1", null when the module declares none).
  return {
      {"module_size", info.size},
      {"module_digest", info.sha256.empty() ? json(nullptr) : json("sha256:" + info.sha256)},
      {"component", info.is_component},
      {"abi", info.abi_version.empty() ? json(nullptr) : json(abi_config_string(info.abi_version))},
      {"filter_type", to_string(info.kind)},
      {"start", start_convention(info)},
      {"allocator", allocator_export(info)},
      {"start_section", info.has_start_section},
      {"memory", memory},
      {"imports", imports},
      {"exports", exports},
      {"custom_sections", sections},
      {"producers", producers}};
}

json to_json(const Finding& f) {
  json j = {{"severity", to_string(f.severity)}, {"rule", f.rule}, {"message", f.message}};
  if (!f.hint.empty()) j["hint"] = f.hint;
  if (!f.subject.empty()) j["subject"] = f.subject;
  return j;
}

json to_json(const std::vector<Finding>& findings) {
  json a = json::array();
  for (const auto& f : findings) a.push_back(to_json(f));
  return a;
}

}  // namespace ext::wasm
