// ext tag SRC DST — another name for the same manifest in the local store.
#include "commands.hpp"
#include "ext/ops/tag.hpp"
#include "ext/ops/tag_remote.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

void setup_tag(CLI::App& app, Context& ctx) {
  struct Args {
    std::string source;
    std::string target;
    bool remote = false;  // --remote: tag in the registry (registry helper's edit)
    ops::RegistryFlags flags;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("tag", "Give a stored image another name");
  examples(cmd, {"ext tag acme/filter:v1 acme/filter:latest",
                 "ext tag --remote localhost:5000/acme/f:v1 v1.0.1"});
  cmd->add_option("source", a->source, "A stored image (REF or REF@sha256:...)")->required();
  cmd->add_option("target", a->target, "The new name (REF with a tag)")->required();
  cmd->add_flag("--remote", a->remote, "Tag in the registry, without moving blobs");
  add_registry_flags(cmd, a->flags);
  cmd->callback([a, &ctx] {
    auto env = ctx.env();
    if (a->remote) {
      auto r = ops::tag_remote({a->source, a->target, a->flags}, env);
      ctx.emit("tag",
               {{"source", r.source},
                {"target", r.target},
                {"digest", r.manifest_digest},
                {"blobs_mounted", r.blobs_mounted},
                {"blobs_copied", r.blobs_copied}},
               r.target + " -> " + r.manifest_digest + "\n");
      return;
    }
    auto r = ops::tag({a->source, a->target}, env);
    ctx.emit("tag", {{"source", r.source}, {"target", r.target}, {"digest", r.manifest_digest}},
             r.target + " -> " + r.manifest_digest);
  });
}

}  // namespace
EXT_COMMAND(tag, 21, setup_tag)
}  // namespace ext::cli
