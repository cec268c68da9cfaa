// ext attach REF FILE --artifact-type T [--media-type M] [--annotation K=V]... [registry flags]
#include "commands.hpp"
#include "ext/core/error.hpp"
#include "ext/ops/share.hpp"
#include "ext/util/strings.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

void setup_attach(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ops::AttachOptions>();
  auto annotations = std::make_shared<std::vector<std::string>>();
  auto file = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand(
      "attach", "Attach a file (SBOM, signature, docs) to an image in a registry as a referrer");
  examples(
      cmd,
      {"ext attach localhost:5000/acme/f:v1 sbom.spdx.json --artifact-type application/spdx+json",
       "ext attach ghcr.io/acme/f:v1 NOTES.md --artifact-type text/markdown --annotation "
       "owner=me"});
  cmd->add_option("ref", o->ref, "The image (registry/repo:tag or @digest)")->required();
  cmd->add_option("file", *file, "The file to attach")->required();
  cmd->add_option("--artifact-type", o->artifact_type,
                  "What it is, as a media type (e.g. application/spdx+json)")
      ->required();
  cmd->add_option("--media-type", o->media_type,
                  "The file's media type (default application/octet-stream)");
  cmd->add_option("--annotation", *annotations, "K=V on the referrer manifest (repeatable)");
  add_registry_flags(cmd, o->flags);
  cmd->callback([o, annotations, file, &ctx] {
    auto env = ctx.env();
    o->file = *file;
    for (const auto& a : *annotations) {
      auto eq = a.find('=');
      if (eq == std::string::npos || eq == 0)
        throw Error(Errc::usage, "--annotation " + a + " is not KEY=VALUE");
      o->annotations[a.substr(0, eq)] = a.substr(eq + 1);
    }
    auto r = ops::attach(*o, env);
    nlohmann::json j = {{"subject", r.subject},
                        {"subject_digest", r.subject_digest},
                        {"digest", r.digest},
                        {"artifact_type", r.artifact_type},
                        {"size", r.size},
                        {"recorded_by", r.recorded_by},
                        {"referrers_tag", r.referrers_tag}};
    std::string h = "attached: " + r.digest + " (" + r.artifact_type + ", " +
                    util::human_size(r.size) + ")\nsubject:  " + r.subject + "@" +
                    r.subject_digest + "\n";
    if (r.recorded_by == "tag-schema")
      h += "recorded in the referrers tag " + r.referrers_tag + "\n";
    ctx.emit("attach", j, h);
  });
}

}  // namespace
EXT_COMMAND(attach, 46, setup_attach)
}  // namespace ext::cli
