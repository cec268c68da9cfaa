// ext push REF [-t TAG]... [--format oci|compat|cncf] [registry flags]
#include <sstream>

#include "commands.hpp"
#include "ext/ops/push.hpp"
#include "ext/util/strings.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

struct PushFlags {
  ops::PushOptions o;
};

void setup_push(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<PushFlags>();
  auto* cmd = app.add_subcommand("push", "Push a stored image to its registry");
  cmd->add_option("ref", f->o.ref, "Image reference (as stored by ext build)")->required();
  cmd->add_option("-t,--tag", f->o.tags, "Also tag it (same repository; repeatable)");
  cmd->add_option("--format", f->o.format, "Re-pack as oci, compat or cncf before pushing")
      ->check(CLI::IsMember({"oci", "compat", "cncf"}));
  add_registry_flags(cmd, f->o.flags);
  cmd->callback([f, &ctx] {
    auto env = ctx.env();
    auto r = ops::push(f->o, env);
    nlohmann::json j = {{"reference", r.reference},
                        {"tags", r.tags},
                        {"manifest_digest", r.manifest_digest},
                        {"media_type", r.media_type},
                        {"module_sha256", r.module_sha256},
                        {"layout", r.layout},
                        {"blobs_uploaded", r.blobs_uploaded},
                        {"blobs_skipped", r.blobs_skipped},
                        {"blobs_mounted", r.blobs_mounted},
                        {"bytes_uploaded", r.bytes_uploaded}};
    std::ostringstream h;
    h << "pushed:   " << r.reference << "\n";
    if (r.tags.size() > 1) h << "tags:     " << util::join(r.tags, ", ") << "\n";
    h << "manifest: " << r.manifest_digest << "\n";
    if (!r.module_sha256.empty()) h << "sha256:   " << r.module_sha256 << "\n";
    env.reporter->info("uploaded " + std::to_string(r.blobs_uploaded) + " (" +
                       util::human_size(r.bytes_uploaded) + "), skipped " +
                       std::to_string(r.blobs_skipped) + ", mounted " +
                       std::to_string(r.blobs_mounted));
    ctx.emit(j, h.str());
  });
}

}  // namespace
EXT_COMMAND(push, 40, setup_push)
}  // namespace ext::cli
