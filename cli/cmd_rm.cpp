// ext rm REF... — drop names from the local store (content stays until `ext prune`).
// ext rm --remote REF... — delete manifests in their registry.
#include "commands.hpp"
#include "ext/ops/remove.hpp"
#include "ext/ops/share.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

void setup_rm(CLI::App& app, Context& ctx) {
  auto refs = std::make_shared<std::vector<std::string>>();
  auto remote = std::make_shared<bool>(false);
  auto flags = std::make_shared<ops::RegistryFlags>();
  auto* cmd = app.add_subcommand("rm",
                                 "Remove names from the local store (--remote: delete in "
                                 "the registry)");
  examples(cmd, {"ext rm acme/filter:dev",
                 "ext rm acme/filter@sha256:5f2b...        # every name of that manifest",
                 "ext rm --remote localhost:5000/acme/f:old"});
  cmd->add_option("refs", *refs, "Stored images (REF, or REPO@sha256:... for every name)")
      ->required();
  cmd->add_flag("--remote", *remote,
                "Delete the manifests in their registry (a tag deletes its manifest and every "
                "tag on it)");
  add_registry_flags(cmd, *flags);
  cmd->callback([refs, remote, flags, &ctx] {
    auto env = ctx.env();
    if (*remote) {
      auto r = ops::remove_remote({*refs, *flags}, env);
      nlohmann::json items = nlohmann::json::array();
      std::string human;
      for (const auto& i : r.deleted) {
        items.push_back({{"reference", i.reference},
                         {"digest", i.digest},
                         {"referrers_tag_updated", i.referrers_tag_updated}});
        human += "deleted " + i.reference + " (" + i.digest + ")\n";
      }
      ctx.emit("rm", {{"deleted", items}}, human);
      return;
    }
    auto r = ops::remove_images({*refs}, env);
    std::string human;
    for (const auto& n : r.removed) human += "untagged: " + n + "\n";
    ctx.reporter().info("run `ext prune` to delete content no name reaches");
    ctx.emit("rm", {{"removed", r.removed}}, human);
  });
}

}  // namespace
EXT_COMMAND(rm, 22, setup_rm)
}  // namespace ext::cli
