// ext pull REF [-o plugin.wasm] [registry flags]
#include <sstream>

#include "commands.hpp"
#include "ext/ops/pull.hpp"
#include "ext/util/strings.hpp"
#include "json_vocab.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

void setup_pull(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ops::PullOptions>();
  auto out = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("pull", "Pull a wasm image into the local store");
  examples(cmd,
           {"ext pull ghcr.io/acme/filter:v1", "ext pull ghcr.io/acme/filter:v1 -o filter.wasm",
            "ext pull localhost:5000/acme/f@sha256:5f2b..."});
  cmd->add_option("ref", o->ref, "Image reference (tag or @sha256:digest)")->required();
  cmd->add_option("-o,--output", *out, "Also write the module to this file");
  add_registry_flags(cmd, o->flags, RegistryFlagSet::transfer);
  cmd->callback([o, out, &ctx] {
    auto env = ctx.env();
    o->output = *out;
    auto r = ops::pull(*o, env);
    nlohmann::json j = {{"reference", r.reference},
                        {"digest", r.manifest_digest},
                        {"media_type", r.media_type},
                        {"layout", vocab::or_null(r.layout)},
                        {"module_digest", vocab::module_digest(r.module_sha256)},
                        {"module_size", r.module_size},
                        {"abi", vocab::abi(r.abi_version)},
                        {"blobs_fetched", r.blobs_fetched},
                        {"blobs_skipped", r.blobs_skipped},
                        {"bytes_fetched", r.bytes_fetched}};
    if (!r.index_digest.empty()) j["index_digest"] = r.index_digest;
    if (!r.output.empty()) j["output"] = r.output.string();
    std::ostringstream h;
    h << "pulled:   " << r.reference << "\n"
      << "manifest: " << r.manifest_digest << "\n";
    if (!r.layout.empty()) h << "layout:   " << r.layout << "\n";
    if (!r.module_sha256.empty()) h << "sha256:   " << r.module_sha256 << "\n";
    if (!r.output.empty()) h << "module:   " << r.output.string() << "\n";
    ctx.emit("pull", j, h.str());
  });
}

}  // namespace
EXT_COMMAND(pull, 41, setup_pull)
}  // namespace ext::cli
