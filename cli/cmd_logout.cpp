// ext logout REGISTRY [--registry-config FILE]
#include "commands.hpp"
#include "ext/ops/login.hpp"

namespace ext::cli {
namespace {

void setup_logout(CLI::App& app, Context& ctx) {
  auto registry = std::make_shared<std::string>();
  auto flags = std::make_shared<ops::RegistryFlags>();
  auto* cmd = app.add_subcommand("logout", "Remove the stored credentials of a registry");
  examples(cmd, {"ext logout ghcr.io"});
  cmd->add_option("registry", *registry, "Registry host[:port]")->required();
  cmd->add_option("--registry-config", flags->registry_config,
                  "Auth file to edit instead of docker's config.json");
  cmd->callback([registry, flags, &ctx] {
    auto env = ctx.env();
    auto r = ops::logout(*registry, *flags, env);
    ctx.emit("logout", {{"registry", r.registry}, {"removed_from", r.removed_from}},
             "Removed credentials for " + r.registry + " from " + r.removed_from + "\n");
  });
}

}  // namespace
EXT_COMMAND(logout, 45, setup_logout)
}  // namespace ext::cli
