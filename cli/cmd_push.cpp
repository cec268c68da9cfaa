// ext push REF [-t TAG]... [--format oci|compat|cncf] [registry flags]
#include <sstream>

#include "commands.hpp"
#include "ext/ops/push.hpp"
#include "ext/util/strings.hpp"
#include "json_vocab.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

struct PushFlags {
  ops::PushOptions o;
};

void setup_push(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<PushFlags>();
  auto* cmd = app.add_subcommand("push", "Push a stored image to its registry");
  examples(
      cmd,
      {"ext push localhost:5000/acme/filter:v1", "ext push ghcr.io/acme/filter:v1 -t latest",
       "ext push ghcr.io/acme/filter:v1 --format compat   # for readers of the single-layer form"});
  cmd->add_option("ref", f->o.ref, "Image reference (as stored by ext build)")->required();
  cmd->add_option("-t,--tag", f->o.tags, "Also tag it (same repository; repeatable)");
  cmd->add_option("--format", f->o.format, "Re-pack as oci, compat or cncf before pushing")
      ->check(CLI::IsMember({"oci", "compat", "cncf"}));
  auto no_readme = std::make_shared<bool>(false);
  auto readme = std::make_shared<std::string>();
  auto project = std::make_shared<std::string>(".");
  cmd->add_flag("--no-readme", *no_readme, "Do not push the README as a referrer");
  cmd->add_option("--readme", *readme,
                  "The README to push as a referrer (default: ext.yaml's readme: or README.md)");
  cmd->add_option("--project", *project, "The project folder holding ext.yaml (default .)");
  add_registry_flags(cmd, f->o.flags, RegistryFlagSet::transfer);
  cmd->callback([f, no_readme, readme, project, &ctx] {
    auto env = ctx.env();
    f->o.readme = !*no_readme;
    f->o.readme_file = *readme;
    f->o.project_dir = *project;
    auto r = ops::push(f->o, env);
    nlohmann::json j = {
        {"reference", r.reference},
        {"tags", r.tags},
        {"digest", r.manifest_digest},
        {"media_type", r.media_type},
        {"module_digest", vocab::module_digest(r.module_sha256)},
        {"layout", vocab::or_null(r.layout)},
        {"blobs_uploaded", r.blobs_uploaded},
        {"blobs_skipped", r.blobs_skipped},
        {"blobs_mounted", r.blobs_mounted},
        {"bytes_uploaded", r.bytes_uploaded},
        {"readme", r.readme.empty() ? nlohmann::json() : nlohmann::json(r.readme)},
        {"readme_digest", r.readme.empty() ? nlohmann::json() : nlohmann::json(r.readme_digest)}};
    std::ostringstream h;
    h << "pushed:   " << r.reference << "\n";
    if (r.tags.size() > 1) h << "tags:     " << util::join(r.tags, ", ") << "\n";
    h << "manifest: " << r.manifest_digest << "\n";
    if (!r.module_sha256.empty()) h << "sha256:   " << r.module_sha256 << "\n";
    if (!r.readme.empty()) h << "readme:   " << r.readme << " (" << r.readme_digest << ")\n";
    env.reporter.get().info("uploaded " + std::to_string(r.blobs_uploaded) + " (" +
                            util::human_size(r.bytes_uploaded) + "), skipped " +
                            std::to_string(r.blobs_skipped) + ", mounted " +
                            std::to_string(r.blobs_mounted));
    ctx.emit("push", j, h.str());
  });
}

}  // namespace
EXT_COMMAND(push, 40, setup_push)
}  // namespace ext::cli
