// ext hub --registry R... [--repo REGISTRY/REPO...] [--listen 127.0.0.1:8765] [--open]
// [--allow-apply]
//   [--refresh SECONDS] [--kubectl PATH] [--context CTX] [registry flags]
// A local web catalog of the filters in those registries (docs/hub.md); runs until Ctrl-C.
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "commands.hpp"
#include "ext/hub/browser.hpp"
#include "ext/hub/server.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

void setup_hub(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<hub::HubOptions>();
  auto open = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "hub", "Serve a web catalog of the filters in registries, with deploy configurations");
  cmd->add_option("-r,--registry", o->registries, "A registry to serve (repeatable)");
  cmd->add_option("--repo", o->repositories,
                  "REGISTRY/REPO: a repository to list from a registry without the catalog API "
                  "(repeatable; its registry is served too)");
  cmd->add_option("--listen", o->listen,
                  "ADDRESS:PORT to serve on (default 127.0.0.1:8765; port 0: any free port)");
  cmd->add_flag("--open", *open, "Open the page in the browser ($BROWSER, else xdg-open)");
  cmd->add_flag(
      "--allow-apply", o->allow_apply,
      "Let the page apply a configuration to the cluster (kubectl, after a confirmation)");
  cmd->add_option("--refresh", o->refresh_seconds,
                  "Read the registries again every SECONDS (default 300; 0: only on request)")
      ->check(CLI::Range(0, 86400));
  cmd->add_option("--kubectl", o->kubectl.program, "The kubectl binary (--allow-apply)");
  cmd->add_option("--context", o->kubectl.context, "kubectl context (--allow-apply)");
  examples(cmd,
           {"ext hub --registry ghcr.io --open",
            "ext hub -r localhost:5000 --listen 127.0.0.1:0   # any free port",
            "ext hub -r registry.example.com --allow-apply --context kind-dev",
            "ext hub --repo ghcr.io/acme/jwt-auth --repo ghcr.io/acme/waf   # no catalog API"});
  add_registry_flags(cmd, o->flags);
  cmd->callback([o, open, &ctx] {
    auto env = ctx.env();
    hub::Hub h(*o, env);
    // Before anything is read or bound: an address that is not loopback is the user's choice,
    // said out loud (docs/hub.md "Security").
    if (auto w = h.listen_warning(); !w.empty()) env.reporter.get().warn(w);
    h.start();
    auto snap = h.catalog().snapshot();
    for (const auto& r : snap->registries)
      if (!r.reachable) env.reporter.get().warn(r.message);
    env.reporter.get().info(std::to_string(snap->filters.size()) + " filter(s) in " +
                            std::to_string(snap->registries.size()) + " registr" +
                            (snap->registries.size() == 1 ? "y" : "ies") +
                            "; Ctrl-C stops the hub");
    // The URL on stdout, alone on its line (scripts and tests read it).
    std::cout << "ext hub: " << h.url() << std::endl;
    if (*open) {
      const char* browser = std::getenv("BROWSER");
      if (auto w = hub::open_page(h.url(), ctx.runner(), browser ? browser : ""))
        env.reporter.get().warn(*w);
    }
    h.wait();
  });
}

}  // namespace
EXT_COMMAND(hub, 45, setup_hub)
}  // namespace ext::cli
