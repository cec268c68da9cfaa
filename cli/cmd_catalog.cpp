// ext catalog [REGISTRY] [--details] [registry flags]
#include <sstream>

#include "commands.hpp"
#include "ext/ops/catalog.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

void setup_catalog(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ops::CatalogOptions>();
  auto* cmd = app.add_subcommand("catalog", "List the repositories of a registry");
  cmd->add_option("registry", o->registry, "Registry host[:port] (default: default_registry)");
  cmd->add_flag("--details", o->details, "Also each repository's tags, wasm layout, ABI");
  cmd->add_option("--page-size", o->page_size, "Repositories per request");
  add_registry_flags(cmd, o->flags);
  cmd->callback([o, &ctx] {
    auto env = ctx.env();
    auto r = ops::catalog(*o, env);
    nlohmann::json repos = nlohmann::json::array();
    std::ostringstream h;
    for (const auto& repo : r.repositories) {
      nlohmann::json j = {{"name", repo.name}};
      h << repo.name << "\n";
      if (o->details) {
        j["tags"] = repo.tags;
        nlohmann::json imgs = nlohmann::json::array();
        for (const auto& i : repo.images) {
          imgs.push_back({{"tag", i.tag},
                          {"digest", i.digest},
                          {"layout", i.layout},
                          {"abi_version", i.abi_version},
                          {"description", i.description}});
          h << "  " << i.tag << "  " << i.digest.substr(0, 19);
          if (!i.layout.empty()) h << "  wasm/" << i.layout;
          if (!i.abi_version.empty()) h << "  abi " << i.abi_version;
          if (!i.description.empty()) h << "  " << i.description;
          h << "\n";
        }
        j["images"] = imgs;
        if (!repo.error.empty()) {
          j["error"] = repo.error;
          h << "  (" << repo.error << ")\n";
        }
      }
      repos.push_back(j);
    }
    ctx.emit({{"registry", r.registry}, {"repositories", repos}}, h.str());
  });
}

}  // namespace
EXT_COMMAND(catalog, 43, setup_catalog)
}  // namespace ext::cli
