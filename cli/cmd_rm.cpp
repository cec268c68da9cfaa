// ext rm REF... — drop names from the local store (content stays until `ext prune`).
#include "commands.hpp"
#include "ext/ops/remove.hpp"

namespace ext::cli {
namespace {

void setup_rm(CLI::App& app, Context& ctx) {
  auto refs = std::make_shared<std::vector<std::string>>();
  auto* cmd = app.add_subcommand("rm", "Remove names from the local store");
  cmd->add_option("refs", *refs, "Stored images (REF, or REPO@sha256:... for every name)")
      ->required();
  cmd->callback([refs, &ctx] {
    auto env = ctx.env();
    auto r = ops::remove_images({*refs}, env);
    std::string human;
    for (const auto& n : r.removed) human += "untagged " + n + "\n";
    ctx.reporter().info("run `ext prune` to delete content no name reaches");
    ctx.emit({{"removed", r.removed}}, human);
  });
}

}  // namespace
EXT_COMMAND(rm, 22, setup_rm)
}  // namespace ext::cli
