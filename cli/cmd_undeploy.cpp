// ext undeploy envoy NAME --bootstrap FILE [--listener NAME] [-f OUT]
// ext undeploy istio NAME [--namespace NS] [--context CTX] [--kubectl PATH] [--dry-run]
// ext undeploy gloo NAME [--gateway NAME] [--namespace NS] [--gateway-file FILE [-f OUT]]
//   [--context CTX] [--dry-run]
// Removes only what `ext deploy` added: the named wasm filter (envoy, gloo), or the objects
// labelled with the deployment name (istio).
#include <sstream>

#include "commands.hpp"
#include "ext/core/error.hpp"
#include "ext/ops/deploy.hpp"
#include "ext/util/strings.hpp"

namespace ext::cli {
namespace {

void finish(Context& ctx, ops::UndeployOptions& o) {
  auto env = ctx.env();
  auto r = ops::undeploy(o, env);
  for (const auto& n : r.notes) env.reporter.get().info(n);
  if (!r.kubectl_output.empty()) env.reporter.get().info(std::string(util::trim(r.kubectl_output)));
  nlohmann::json j = {{"platform", r.platform},
                      {"name", r.name},
                      {"commands", r.commands},
                      {"notes", r.notes},
                      {"yaml", r.yaml}};
  if (!r.written.empty()) j["written"] = r.written.string();
  std::ostringstream h;
  if (o.dry_run && o.platform == deploy::Platform::istio) {
    for (const auto& c : r.commands) h << c << "\n";
  } else if (o.platform != deploy::Platform::istio && r.written.empty() &&
             (o.platform == deploy::Platform::envoy || !o.gateway_file.empty() || o.dry_run)) {
    h << r.yaml;  // the edited document
  } else {
    if (!r.written.empty()) h << "wrote:    " << r.written.string() << "\n";
    h << "removed:  " << r.name << "\n";
  }
  ctx.emit("undeploy", j, h.str());
}

void setup_undeploy(CLI::App& app, Context& ctx) {
  auto* un = app.add_subcommand("undeploy", "Remove a filter ext deploy added");
  un->require_subcommand(1);
  examples(un,
           {"ext undeploy envoy my-filter --bootstrap envoy.yaml -f envoy.yaml",
            "ext undeploy istio my-filter -n web", "ext undeploy gloo my-filter --dry-run"},
           "What each subcommand does (ext undeploy SUBCOMMAND --help lists its flags):\n"
           "  envoy  remove the named filter from a bootstrap\n"
           "  istio  delete the WasmPlugin/EnvoyFilter/Secret `ext deploy istio` created\n"
           "  gloo   remove only this filter from a Gloo Gateway");
  {
    auto o = std::make_shared<ops::UndeployOptions>();
    auto out = std::make_shared<std::string>();
    auto boot = std::make_shared<std::string>();
    auto* cmd = un->add_subcommand("envoy", "Remove the filter from a bootstrap");
    examples(cmd, {"ext undeploy envoy my-filter --bootstrap envoy.yaml -f envoy.yaml"});
    cmd->add_option("name", o->name, "Plugin name")->required();
    cmd->add_option("--bootstrap", *boot, "The bootstrap to edit")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_option("--listener", o->listener, "Only this listener");
    cmd->add_option("-f,--file", *out, "Write the result here (may be the bootstrap itself)");
    cmd->callback([o, out, boot, &ctx] {
      o->platform = deploy::Platform::envoy;
      o->bootstrap = *boot;
      o->out = *out;
      finish(ctx, *o);
    });
  }
  {
    auto o = std::make_shared<ops::UndeployOptions>();
    auto* cmd =
        un->add_subcommand("istio", "Delete the WasmPlugin/EnvoyFilter/Secret deploy created");
    examples(cmd, {"ext undeploy istio my-filter -n web --dry-run"});
    cmd->add_option("name", o->name, "The --name given to ext deploy istio")->required();
    cmd->add_option("-n,--namespace", o->ns, "Namespace (default: kubectl's)");
    cmd->add_option("--context", o->kubectl.context, "kubectl context");
    cmd->add_option("--kubectl", o->kubectl.program, "The kubectl binary");
    cmd->add_flag("--dry-run", o->dry_run, "Print the kubectl commands only");
    cmd->callback([o, &ctx] {
      o->platform = deploy::Platform::istio;
      finish(ctx, *o);
    });
  }
  {
    auto o = std::make_shared<ops::UndeployOptions>();
    auto out = std::make_shared<std::string>();
    auto file = std::make_shared<std::string>();
    auto* cmd = un->add_subcommand("gloo", "Remove only this filter from a Gloo Gateway");
    examples(cmd, {"ext undeploy gloo my-filter --gateway-file gw.yaml -f gw.yaml"});
    cmd->add_option("name", o->name, "The --name given to ext deploy gloo")->required();
    cmd->add_option("--gateway", o->gateway, "Gateway name (default gateway-proxy)");
    cmd->add_option("-n,--namespace", o->ns, "Gateway namespace (default gloo-system)");
    cmd->add_option("--gateway-file", *file, "Edit this Gateway YAML instead of the cluster")
        ->check(CLI::ExistingFile);
    cmd->add_option("-f,--file", *out, "With --gateway-file: write the result here");
    cmd->add_option("--context", o->kubectl.context, "kubectl context");
    cmd->add_option("--kubectl", o->kubectl.program, "The kubectl binary");
    cmd->add_flag("--dry-run", o->dry_run, "Show the result without replacing the Gateway");
    cmd->callback([o, out, file, &ctx] {
      o->platform = deploy::Platform::gloo;
      o->gateway_file = *file;
      o->out = *out;
      finish(ctx, *o);
    });
  }
}

}  // namespace
EXT_COMMAND(undeploy, 61, setup_undeploy)
}  // namespace ext::cli
