// ext import DIR|FILE.tar [--name REPO] — images from an OCI image layout into the store.
#include "commands.hpp"
#include "ext/ops/export_import.hpp"

namespace ext::cli {
namespace {

nlohmann::json records_json(const std::vector<ops::ImageRecord>& images) {
  nlohmann::json j = nlohmann::json::array();
  for (const auto& i : images) j.push_back({{"reference", i.reference}, {"digest", i.digest}});
  return j;
}

void setup_import(CLI::App& app, Context& ctx) {
  struct Args {
    std::string input;
    std::string name;
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand("import", "Read images from an OCI image layout (DIR or .tar)");
  examples(cmd, {"ext import filter.tar", "ext import layout/ --name acme/filter:v1"});
  cmd->add_option("input", a->input, "An OCI layout directory or FILE.tar")->required();
  cmd->add_option("--name", a->name,
                  "Repository (REPO[:TAG]) for entries named only by a tag or not at all");
  cmd->callback([a, &ctx] {
    auto env = ctx.env();
    auto r = ops::import_images({a->input, a->name}, env);
    std::string human;
    for (const auto& i : r.images) human += i.reference + " " + i.digest + "\n";
    human += "imported " + std::to_string(r.images.size()) + " image(s) (" +
             std::to_string(r.blobs_copied) + " blob(s) copied, " +
             std::to_string(r.blobs_skipped) + " already present)";
    ctx.emit("import",
             {{"input", r.input.string()},
              {"images", records_json(r.images)},
              {"blobs_copied", r.blobs_copied},
              {"blobs_skipped", r.blobs_skipped},
              {"bytes", r.bytes}},
             human);
  });
}

}  // namespace
EXT_COMMAND(import, 25, setup_import)
}  // namespace ext::cli
