// ext tags REPO [registry flags]
#include "commands.hpp"
#include "ext/ops/tags.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

void setup_tags(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ops::TagsOptions>();
  auto* cmd = app.add_subcommand("tags", "List the tags of a repository (every page)");
  examples(cmd, {"ext tags localhost:5000/acme/filter",
                 "ext --json tags ghcr.io/acme/filter | jq -r '.tags[]'"});
  cmd->add_option("repository", o->repository, "registry/repository")->required();
  cmd->add_option("--page-size", o->page_size, "Tags per request (default: the registry's)");
  add_registry_flags(cmd, o->flags);
  cmd->callback([o, &ctx] {
    auto env = ctx.env();
    auto r = ops::tags(*o, env);
    std::string h;
    for (const auto& t : r.tags) h += t + "\n";
    ctx.emit("tags", {{"repository", r.repository}, {"tags", r.tags}}, h);
  });
}

}  // namespace
EXT_COMMAND(tags, 42, setup_tags)
}  // namespace ext::cli
