// ext export REF... -o DIR|FILE.tar — stored images as an OCI image layout.
#include "commands.hpp"
#include "ext/ops/export_import.hpp"
#include "ext/util/strings.hpp"

namespace ext::cli {
namespace {

nlohmann::json images_json(const std::vector<ops::ImageRecord>& images) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& i : images) j.push_back({{"reference", i.reference}, {"digest", i.digest}});
  return j;
}

void setup_export(CLI::App& app, Context& ctx) {
  struct Args {
    std::vector<std::string> refs;
    std::string output;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("export", "Write stored images as an OCI image layout");
  examples(cmd, {"ext export acme/filter:v1 -o filter.tar",
                 "ext export acme/filter:v1 acme/other:v2 -o layout/   # an OCI layout folder"});
  cmd->add_option("refs", a->refs, "Stored images")->required();
  cmd->add_option("-o,--output", a->output, "A directory (OCI layout) or FILE.tar")->required();
  cmd->callback([a, &ctx] {
    auto env = ctx.env();
    auto r = ops::export_images({a->refs, a->output}, env);
    std::string human;
    for (const auto& i : r.images) human += i.reference + " " + i.digest + "\n";
    human += "wrote " + r.output.string() + " (" + std::to_string(r.blobs) + " blob(s), " +
             util::human_size(r.bytes) + ")";
    ctx.emit("export",
             {{"output", r.output.string()},
              {"tar", r.tar},
              {"images", images_json(r.images)},
              {"blobs", r.blobs},
              {"bytes", r.bytes}},
             human);
  });
}

}  // namespace
EXT_COMMAND(export, 24, setup_export)
}  // namespace ext::cli
