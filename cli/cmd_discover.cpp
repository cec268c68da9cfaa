// ext discover REF [--artifact-type T] [--depth N] [registry flags] — the referrers tree.
#include "commands.hpp"
#include "ext/ops/share.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

void setup_discover(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ops::DiscoverOptions>();
  auto* cmd = app.add_subcommand("discover", "Show the referrers of an image as a tree");
  examples(cmd, {"ext discover localhost:5000/acme/f:v1",
                 "ext discover ghcr.io/acme/f:v1 --artifact-type application/spdx+json"});
  cmd->add_option("ref", o->ref, "The image (registry/repo:tag or @digest)")->required();
  cmd->add_option("--artifact-type", o->artifact_type, "Only referrers of this artifact type");
  cmd->add_option("--depth", o->depth, "Levels of referrers of referrers (default 4)")
      ->check(CLI::Range(1, 16));
  add_registry_flags(cmd, o->flags);
  cmd->callback([o, &ctx] {
    auto env = ctx.env();
    auto r = ops::discover(*o, env);
    ctx.emit("discover", r.to_json(), r.to_text());
  });
}

}  // namespace
EXT_COMMAND(discover, 47, setup_discover)
}  // namespace ext::cli
