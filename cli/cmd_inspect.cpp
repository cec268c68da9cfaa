// ext inspect REF|FILE.wasm — manifest, config, layers, annotations, module facts.
#include <sstream>

#include "commands.hpp"
#include "ext/ops/inspect.hpp"
#include "ext/util/strings.hpp"
#include "ext/wasm/module_json.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

std::string title_of(const oci::Descriptor& d) {
  auto it = d.annotations.find("org.opencontainers.image.title");
  return it == d.annotations.end() ? std::string() : "  " + it->second;
}

void module_text(std::ostringstream& o, const wasm::ModuleInfo& m,
                 const std::vector<wasm::Finding>& findings) {
  o << "module:\n"
    << "  size:        " << m.size << " bytes\n"
    << "  sha256:      " << m.sha256 << "\n";
  if (m.is_component) {
    o << "  kind:        WebAssembly component (not a proxy-wasm module)\n";
    return;
  }
  o << "  abi:         "
    << (m.abi_version.empty() ? "none" : wasm::abi_config_string(m.abi_version)) << "\n"
    << "  filter type: " << wasm::to_string(m.kind) << "\n"
    << "  start:       " << wasm::start_convention(m) << "\n"
    << "  allocator:   " << wasm::allocator_export(m) << "\n";
  o << "  memory:      ";
  if (m.memory_count == 0) {
    o << "none";
  } else {
    o << (m.memory_min_pages ? std::to_string(*m.memory_min_pages) : "?") << " pages min";
    if (m.memory_max_pages) o << ", " << *m.memory_max_pages << " max";
    if (m.memory_exported) o << ", exported as \"" << m.memory_export_name << "\"";
    if (m.memory_imported) o << ", imported";
  }
  o << "\n";
  if (!m.producers.empty()) {
    o << "  producers:\n";
    for (const auto& [field, value] : m.producers) o << "    " << field << ": " << value << "\n";
  }
  o << "  imports (" << m.imports.size() << "):\n";
  for (const auto& i : m.imports)
    o << "    " << i.module << "." << i.name << " "
      << (i.signature.empty() ? wasm::to_string(i.kind) : i.signature) << "\n";
  o << "  exports (" << m.exports.size() << "):\n";
  for (const auto& e : m.exports)
    o << "    " << e.name << " " << (e.signature.empty() ? wasm::to_string(e.kind) : e.signature)
      << "\n";
  if (!m.custom_sections.empty())
    o << "  custom sections: " << util::join(m.custom_sections, ", ") << "\n";
  size_t errors = 0;
  for (const auto& f : findings) errors += f.severity == wasm::Severity::error ? 1 : 0;
  o << "validation:    " << errors << " error(s), " << findings.size() - errors << " warning(s)";
  if (!findings.empty()) o << " (`ext validate` explains them)";
  o << "\n";
}

std::string inspect_text(const ops::InspectResult& r) {
  std::ostringstream o;
  if (r.source_kind == "file") {
    o << "file:        " << r.source << "\n";
    if (r.module) module_text(o, *r.module, r.findings);
    return o.str();
  }
  o << "reference:   " << r.source << "\n";
  if (r.index_desc) o << "index:       " << r.index_desc->digest.to_string() << "\n";
  o << "manifest:    " << r.manifest_desc.digest.to_string() << " ("
    << util::human_size(static_cast<uint64_t>(r.manifest_desc.size)) << ")\n"
    << "media type:  " << r.manifest.media_type << "\n";
  if (!r.layout.empty())
    o << "layout:      " << r.layout << " (read by " << r.layout_readers << ")\n";
  else
    o << "layout:      " << artifact::not_wasm_message(r.not_wasm_reason) << "\n";
  const auto& c = r.manifest.config;
  o << "config:      " << c.media_type << " " << c.digest.short_hex() << " "
    << util::human_size(static_cast<uint64_t>(c.size)) << "\n";
  if (!r.config_text.empty() && r.config_text.size() <= 2048 &&
      r.config_text.find('\n') == std::string::npos)
    o << "  " << r.config_text << "\n";
  o << "layers:\n";
  for (size_t i = 0; i < r.manifest.layers.size(); ++i) {
    const auto& l = r.manifest.layers[i];
    o << "  " << i + 1 << ". " << l.media_type << " " << l.digest.short_hex() << " "
      << util::human_size(static_cast<uint64_t>(l.size)) << title_of(l) << "\n";
  }
  if (!r.manifest.annotations.empty()) {
    o << "annotations:\n";
    for (const auto& [k, v] : r.manifest.annotations) o << "  " << k << ": " << v << "\n";
  }
  if (r.runtime_config) {
    o << "runtime config: type " << r.runtime_config->type << ", abi "
      << (r.runtime_config->abi_versions.empty() ? "-"
                                                 : util::join(r.runtime_config->abi_versions, ","))
      << ", root ids " <<
        [&] {
          if (r.runtime_config->root_ids.empty()) return std::string("-");
          std::vector<std::string> shown;  // the empty root id is shown as ""
          for (const auto& id : r.runtime_config->root_ids)
            shown.push_back(id.empty() ? "\"\"" : id);
          return util::join(shown, ",");
        }()
      << "\n";
  }
  if (r.module)
    module_text(o, *r.module, r.findings);
  else if (!r.module_error.empty())
    o << "module:      unreadable: " << r.module_error << "\n";
  if (r.side == "remote") {
    o << "referrers:   " << r.referrers.size();
    if (!r.referrers_source.empty())
      o << " (" << (r.referrers_source == "api" ? "referrers API" : "referrers tag schema") << ")";
    o << "\n";
    for (const auto& d : r.referrers)
      o << "  " << d.digest.to_string() << "  " << d.artifact_type << "\n";
  }
  return o.str();
}

void setup_inspect(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ops::InspectOptions>();
  auto remote = std::make_shared<bool>(false);
  auto local = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "inspect", "Show an image's manifest, config, layers, annotations and module facts");
  examples(cmd, {"ext inspect acme/filter:v1                 # the local store, else its registry",
                 "ext inspect ghcr.io/acme/f:v1 --remote", "ext inspect build/filter.wasm",
                 "ext --json inspect acme/filter:v1 | jq .runtime_config"});
  cmd->add_option("target", o->target,
                  "A FILE.wasm, or an image: the local store's, else its registry's (REF)")
      ->required();
  auto* r_flag = cmd->add_flag("--remote", *remote,
                               "Read the image from its registry (nothing is stored locally)");
  cmd->add_flag("--local", *local, "Read the image from the local store only")->excludes(r_flag);
  add_registry_flags(cmd, o->flags);
  cmd->callback([o, remote, local, &ctx] {
    auto env = ctx.env();
    o->side = *remote  ? ops::InspectSide::remote
              : *local ? ops::InspectSide::local
                       : ops::InspectSide::automatic;
    auto r = ops::inspect(*o, env);
    ctx.emit("inspect", r.to_json(), inspect_text(r));
  });
}

}  // namespace
EXT_COMMAND(inspect, 20, setup_inspect)
}  // namespace ext::cli
