// ext catalog [REGISTRY] [--details] [registry flags]
#include <algorithm>
#include <sstream>

#include "commands.hpp"
#include "ext/ops/catalog.hpp"
#include "json_vocab.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

// --details: under each repository one line per tag, the columns aligned across the whole
// listing (tag, short digest, wasm layout, ABI, description).
std::string details_text(const ops::CatalogResult& r) {
  std::vector<size_t> width(4, 0);
  auto cells = [](const ops::CatalogImage& i) {
    return std::vector<std::string>{i.tag, i.digest.substr(0, 19),
                                    i.layout.empty() ? "-" : "wasm/" + i.layout,
                                    i.abi_version.empty() ? "-" : i.abi_version};
  };
  for (const auto& repo : r.repositories)
    for (const auto& i : repo.images) {
      auto c = cells(i);
      for (size_t k = 0; k < width.size(); ++k) width[k] = std::max(width[k], c[k].size());
    }
  std::ostringstream h;
  for (const auto& repo : r.repositories) {
    h << repo.name << "\n";
    for (const auto& i : repo.images) {
      auto c = cells(i);
      std::string line = " ";
      for (size_t k = 0; k < c.size(); ++k)
        line += " " + c[k] + std::string(width[k] - c[k].size() + 1, ' ');
      line += i.description;
      while (!line.empty() && line.back() == ' ') line.pop_back();
      h << line << "\n";
    }
    if (!repo.error.empty()) h << "  (" << repo.error << ")\n";
  }
  return h.str();
}

void setup_catalog(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ops::CatalogOptions>();
  auto* cmd = app.add_subcommand("catalog", "List the repositories of a registry");
  cmd->add_option("registry", o->registry, "Registry host[:port] (default: default_registry)");
  cmd->add_flag("--details", o->details, "Also each repository's tags, wasm layout, ABI");
  cmd->add_option("--page-size", o->page_size, "Repositories per request");
  add_registry_flags(cmd, o->flags, RegistryFlagSet::lookup);
  examples(cmd, {"ext catalog localhost:5000",
                 "ext catalog ghcr.io --details          # tags, wasm layout and ABI of each",
                 "ext --json catalog localhost:5000 | jq -r '.repositories[].name'"});
  cmd->callback([o, &ctx] {
    auto env = ctx.env();
    auto r = ops::catalog(*o, env);
    nlohmann::json repos = nlohmann::json::array();
    std::string h;
    for (const auto& repo : r.repositories) {
      nlohmann::json j = {{"name", repo.name}};
      if (!o->details) h += repo.name + "\n";
      if (o->details) {
        j["tags"] = repo.tags;
        nlohmann::json imgs = nlohmann::json::array();
        for (const auto& i : repo.images)
          imgs.push_back({{"tag", i.tag},
                          {"digest", i.digest},
                          {"layout", vocab::or_null(i.layout)},
                          {"abi", vocab::abi(i.abi_version)},
                          {"description", i.description}});
        j["images"] = imgs;
        if (!repo.error.empty()) j["error"] = repo.error;
      }
      repos.push_back(j);
    }
    if (o->details) h = details_text(r);
    ctx.emit("catalog", {{"registry", r.registry}, {"repositories", repos}}, h);
  });
}

}  // namespace
EXT_COMMAND(catalog, 43, setup_catalog)
}  // namespace ext::cli
