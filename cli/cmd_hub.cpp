// ext hub --registry R... [--listen 127.0.0.1:8765] [--open] [--allow-apply]
//   [--refresh SECONDS] [--kubectl PATH] [--context CTX] [registry flags]
// A local web catalog of the filters in those registries (docs/hub.md); runs until Ctrl-C.
#include <cstdio>
#include <iostream>

#include "commands.hpp"
#include "ext/hub/server.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

void setup_hub(CLI::App& app, Context& ctx) {
  auto o = std::make_shared<hub::HubOptions>();
  auto open = std::make_shared<bool>(false);
  auto* cmd = app.add_subcommand(
      "hub", "Serve a web catalog of the filters in registries, with deploy configurations");
  cmd->add_option("-r,--registry", o->registries, "A registry to serve (repeatable)")->required();
  cmd->add_option("--listen", o->listen,
                  "ADDRESS:PORT to serve on (default 127.0.0.1:8765; port 0: any free port)");
  cmd->add_flag("--open", *open, "Open the page in the default browser (xdg-open)");
  cmd->add_flag(
      "--allow-apply", o->allow_apply,
      "Let the page apply a configuration to the cluster (kubectl, after a confirmation)");
  cmd->add_option("--refresh", o->refresh_seconds,
                  "Read the registries again every SECONDS (default 300; 0: only on request)")
      ->check(CLI::Range(0, 86400));
  cmd->add_option("--kubectl", o->kubectl.program, "The kubectl binary (--allow-apply)");
  cmd->add_option("--context", o->kubectl.context, "kubectl context (--allow-apply)");
  examples(cmd, {"ext hub --registry ghcr.io --open",
                 "ext hub -r localhost:5000 --listen 127.0.0.1:0   # any free port",
                 "ext hub -r registry.example.com --allow-apply --context kind-dev"});
  add_registry_flags(cmd, o->flags);
  cmd->callback([o, open, &ctx] {
    auto env = ctx.env();
    hub::Hub h(*o, env);
    h.start();
    if (!h.loopback())
      env.reporter->warn("the hub listens on " + o->listen +
                         ", which is not a loopback address: anyone who can reach it can browse "
                         "these registries with your credentials" +
                         (o->allow_apply ? " and apply to your cluster" : ""));
    auto snap = h.catalog().snapshot();
    for (const auto& r : snap->registries)
      if (!r.reachable) env.reporter->warn(r.message);
    env.reporter->info(std::to_string(snap->filters.size()) + " filter(s) in " +
                       std::to_string(snap->registries.size()) + " registr" +
                       (snap->registries.size() == 1 ? "y" : "ies") + "; Ctrl-C stops the hub");
    // The URL on stdout, alone on its line (scripts and tests read it).
    std::cout << "ext hub: " << h.url() << std::endl;
    if (*open) {
      util::ProcessSpec spec;
      spec.argv = {"xdg-open", h.url()};
      try {
        auto r = ctx.runner().run(spec);
        if (r.exit_code != 0) env.reporter->warn("xdg-open failed: open " + h.url() + " yourself");
      } catch (const Error& e) {
        env.reporter->warn(e.message() + ": open " + h.url() + " yourself");
      }
    }
    h.wait();
  });
}

}  // namespace
EXT_COMMAND(hub, 45, setup_hub)
}  // namespace ext::cli
