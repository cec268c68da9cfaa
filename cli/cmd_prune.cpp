// ext prune — delete blobs no name in the local store reaches, and stale temp files.
#include "commands.hpp"
#include "ext/ops/prune.hpp"
#include "ext/util/strings.hpp"

namespace ext::cli {
namespace {

void setup_prune(CLI::App& app, Context& ctx) {
  auto* cmd = app.add_subcommand("prune", "Delete content no name in the local store reaches");
  examples(cmd, {"ext rm acme/filter:dev && ext prune"});
  cmd->callback([&ctx] {
    auto env = ctx.env();
    auto r = ops::prune({}, env);
    std::string human = "deleted " + std::to_string(r.blobs_removed) + " blob(s)";
    if (r.temp_dirs_removed > 0)
      human += " and " + std::to_string(r.temp_dirs_removed) + " stale import directory(ies)";
    ctx.emit("prune",
             {{"blobs_removed", r.blobs_removed},
              {"bytes_freed", r.bytes_freed},
              {"temp_dirs_removed", r.temp_dirs_removed}},
             human + ", freed " + util::human_size(r.bytes_freed));
  });
}

}  // namespace
EXT_COMMAND(prune, 23, setup_prune)
}  // namespace ext::cli
