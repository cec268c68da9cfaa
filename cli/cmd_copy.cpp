// ext copy SRC DST [--all-tags] [--no-referrers] [registry flags]
#include "commands.hpp"
#include "ext/ops/share.hpp"
#include "ext/util/strings.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

void setup_copy(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ops::CopyImageOptions>();
  auto no_referrers = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "copy", "Copy an image and its referrers between repositories or registries");
  examples(cmd, {"ext copy localhost:5000/acme/f:v1 ghcr.io/acme/f:v1",
                 "ext copy ghcr.io/acme/f localhost:5000/mirror/f --all-tags"});
  cmd->alias("cp");
  cmd->add_option("source", o->source, "registry/repo:tag, @digest, or a repository")->required();
  cmd->add_option("target", o->target, "registry/repo[:tag]")->required();
  cmd->add_flag("--all-tags", o->all_tags, "Copy every tag of the source repository");
  cmd->add_flag("--no-referrers", *no_referrers, "Do not copy the referrers");
  add_registry_flags(cmd, o->flags, RegistryFlagSet::transfer);
  cmd->callback([o, no_referrers, &ctx] {
    auto env = ctx.env();
    o->referrers = !*no_referrers;
    auto r = ops::copy_image(*o, env);
    nlohmann::json items = nlohmann::json::array();
    std::string h;
    for (const auto& i : r.copied) {
      items.push_back({{"source", i.source}, {"target", i.target}, {"digest", i.digest}});
      h += "copied: " + i.source + " -> " + i.target + "\n";
    }
    ctx.reporter().info("blobs: " + std::to_string(r.blobs_copied) + " copied (" +
                        util::human_size(r.bytes_copied) + "), " + std::to_string(r.blobs_mounted) +
                        " mounted, " + std::to_string(r.blobs_skipped) +
                        " present; referrers: " + std::to_string(r.referrers_copied));
    ctx.emit("copy",
             {{"copied", items},
              {"referrers_copied", r.referrers_copied},
              {"blobs_copied", r.blobs_copied},
              {"blobs_mounted", r.blobs_mounted},
              {"blobs_skipped", r.blobs_skipped},
              {"bytes_copied", r.bytes_copied}},
             h);
  });
}

}  // namespace
EXT_COMMAND(copy, 45, setup_copy)
}  // namespace ext::cli
