// ext search [QUERY] --registry R... [--repo REGISTRY/REPO]... [--abi V] [--type http|network]
//            [--platform P[@V]] [--license L] [--refresh] [registry flags]
#include <sstream>

#include "commands.hpp"
#include "ext/ops/search.hpp"
#include "ext/util/strings.hpp"
#include "json_vocab.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

std::string cell(const std::string& s, size_t width) {
  if (s.size() <= width) return s + std::string(width - s.size(), ' ');
  return s.substr(0, width - 3) + "...";
}

void setup_search(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<ops::SearchOptions>();
  auto* cmd = app.add_subcommand(
      "search", "Find filters in registries by name, description or keyword (cached)");
  examples(cmd,
           {"ext search auth -r ghcr.io", "ext search -r localhost:5000 --abi v0.2.1 --type http",
            "ext search --repo ghcr.io/acme/filter --refresh"});
  cmd->add_option("query", o->query, "Matched against name, description and keywords");
  cmd->add_option("-r,--registry", o->registries, "A registry to search (repeatable)");
  cmd->add_option("--repo", o->repositories,
                  "REGISTRY/REPO to search in a registry without the catalog API (repeatable)");
  cmd->add_option("--abi", o->abi, "Only this proxy-wasm ABI (0.2.1)");
  cmd->add_option("--type", o->type, "Only http or network filters")
      ->check(CLI::IsMember({"http", "network"}));
  cmd->add_option("--platform", o->platform, "Only filters declaring this platform (istio@1.22)");
  cmd->add_option("--license", o->license, "Only this license (SPDX)");
  cmd->add_flag("--refresh", o->refresh, "Read everything again (ignore the cache)");
  cmd->add_option("--max-age", o->max_age_seconds,
                  "Seconds a cached repository is used without asking the registry (default "
                  "300; 0: revalidate each, with a HEAD)")
      ->check(CLI::Range(0, 86400 * 30));
  cmd->add_option("--concurrency", o->concurrency,
                  "Manifest requests in flight per registry (default 8)")
      ->check(CLI::Range(1, 64));
  add_registry_flags(cmd, o->flags);
  cmd->callback([o, &ctx] {
    auto env = ctx.env();
    auto r = ops::search(*o, env);
    nlohmann::json hits = nlohmann::json::array();
    std::ostringstream h;
    if (!r.hits.empty())
      h << cell("REFERENCE", 48) << "  " << cell("DESCRIPTION", 40) << "  ABI      TYPE     SIZE"
        << "      UPDATED\n";
    for (const auto& x : r.hits) {
      hits.push_back({{"reference", x.reference},
                      {"registry", x.registry},
                      {"repository", x.repository},
                      {"tag", x.tag},
                      {"digest", x.digest},
                      {"description", x.description},
                      {"keywords", x.keywords},
                      {"abi", vocab::abi(x.abi)},
                      {"type", x.type},
                      {"license", x.license},
                      {"platforms", x.platforms},
                      {"size", x.size},
                      {"updated", x.updated}});
      h << cell(x.reference, 48) << "  " << cell(x.description.empty() ? "-" : x.description, 40)
        << "  " << cell(x.abi.empty() ? "-" : x.abi, 7) << "  "
        << cell(x.type.empty() ? "-" : x.type, 7) << "  " << cell(util::human_size(x.size), 8)
        << "  " << (x.updated.empty() ? "-" : x.updated) << "\n";
    }
    ctx.reporter().info(std::to_string(r.hits.size()) + " filter(s); " +
                        std::to_string(r.manifests_read) + " manifest(s) read, " +
                        std::to_string(r.cache_hits) + " from the cache");
    ctx.emit("search",
             {{"results", hits},
              {"warnings", r.warnings},
              {"manifests_read", r.manifests_read},
              {"cache_hits", r.cache_hits}},
             h.str());
  });
}

}  // namespace
EXT_COMMAND(search, 44, setup_search)
}  // namespace ext::cli
