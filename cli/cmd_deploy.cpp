// ext deploy envoy REF|FILE [--config JSON|@FILE] [--root-id ID] [--name NAME]
//   [--listen ADDR:PORT] [--admin ADDR:PORT] [--upstream HOST:PORT] [--bootstrap FILE
//   [--listener NAME]] [--before|--after NAME] [-f OUT.yaml] [--runtime v8|wamr|wasmtime]
//   [--run [--envoy PATH | --docker [IMAGE]]]
// ext deploy istio REF --name NAME [--namespace NS] [--selector K=V]... [--target-ref KIND/NAME]
//   [--phase AUTHN|AUTHZ|STATS] [--priority N] [--fail-strategy ...] [--config JSON|@FILE]
//   [--pull-policy IfNotPresent|Always] [--pull-secret NAME [--create-pull-secret]]
//   [--envoyfilter [--module-url URL]] [-f OUT.yaml | --apply [--context CTX]]
// ext deploy gloo REF --name NAME [--gateway NAME] [--namespace NS] [--stage S [--predicate P]]
//   [--config JSON|@FILE] [--gateway-file FILE] [-f OUT.yaml | --apply]
// Without -f, --apply or --run the YAML goes to stdout (notes to stderr).
#include <sstream>

#include "commands.hpp"
#include "ext/core/error.hpp"
#include "ext/ops/deploy.hpp"
#include "ext/util/strings.hpp"
#include "json_vocab.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

struct DeployFlags {
  ops::DeployOptions o;
  std::string out;
  std::string bootstrap;
  std::string project = ".";
  std::vector<std::string> selectors;
  int priority = 0;
  bool has_priority = false;
  bool no_pin = false;
  std::string docker;
  bool docker_set = false;
  std::string gateway_file;
  std::string root_id;
  int ready_timeout = 60;
};

void add_common(CLI::App* cmd, DeployFlags& f, bool name_required) {
  cmd->add_option("source", f.o.source,
                  cmd->get_name() == "envoy" ? "Image reference, or a .wasm file"
                                             : "Image reference (pushed to a registry)")
      ->required();
  auto* name =
      cmd->add_option("--name", f.o.name, "Plugin name (the key that makes deploy idempotent)");
  if (name_required) name->required();
  cmd->add_option("--root-id", f.root_id,
                  "Root id; \"\" is the empty root id (default: from the image or ext.yaml)");
  cmd->add_option("--filter-type", f.o.filter_type,
                  "http or network (default: the image's, ext.yaml's, else the exports')")
      ->check(CLI::IsMember({"http", "network"}));
  cmd->add_option("--config", f.o.config,
                  "Plugin configuration: JSON, @file.json, @file.yaml or @file (raw)");
  cmd->add_option("--project", f.project, "Project folder whose ext.yaml gives defaults");
  cmd->add_option("--fail-strategy,--failure-policy", f.o.fail_strategy,
                  "FAIL_CLOSE (default), FAIL_OPEN or FAIL_RELOAD");
  cmd->add_option("--platform-version", f.o.platform_version,
                  "The release the configuration is for: decides which fields are written "
                  "(default: ext.yaml's platform_version, else the newest release ext knows)");
  cmd->add_flag("--strict", f.o.strict, "Every warning is an error (nothing is written)");
  cmd->add_option("-f,--file", f.out, "Write the configuration to this file (.json: JSON)");
  if (cmd->get_name() != "envoy")
    cmd->add_flag("--offline", f.o.offline,
                  "Pin the local image without asking the registry whether it serves it");
  add_registry_flags(cmd, f.o.registry);
}

std::string summary(const ops::DeployResult& r) {
  std::ostringstream h;
  h << "filter:   " << r.name << " (" << r.filter_type << ", root id "
    << (r.root_id.empty() ? "\"\"" : r.root_id) << ")\n";
  if (!r.reference.empty()) h << "image:    " << r.reference << "\n";
  if (!r.manifest_digest.empty()) h << "manifest: " << r.manifest_digest << "\n";
  h << "module:   " << r.module.string() << "\n"
    << "sha256:   " << r.module_sha256 << "\n";
  if (!r.written.empty()) h << "wrote:    " << r.written.string() << "\n";
  if (r.applied) h << "applied:  " << r.commands.back() << "\n";
  return h.str();
}

nlohmann::json to_json(const ops::DeployResult& r) {
  nlohmann::json j = {{"platform", r.platform},
                      {"name", r.name},
                      {"root_id", r.root_id},
                      {"filter_type", r.filter_type},
                      {"reference", vocab::or_null(r.reference)},
                      {"digest", vocab::or_null(r.manifest_digest)},
                      {"module_file", r.module.string()},
                      {"module_digest", vocab::module_digest(r.module_sha256)},
                      {"abi", vocab::abi(r.abi_version)},
                      {"config_source", r.config_source},
                      {"yaml", r.yaml},
                      {"applied", r.applied},
                      {"commands", r.commands},
                      {"notes", r.notes},
                      {"warnings", r.warnings}};
  if (!r.written.empty()) j["written"] = r.written.string();
  if (r.run)
    j["run"] = {{"argv", r.run->argv},
                {"exit_code", r.run->exit_code},
                {"ready", r.run->ready},
                {"wasm_active", r.run->wasm_active},
                {"interrupted", r.run->interrupted}};
  return j;
}

void finish(Context& ctx, ops::DeployOptions& o, DeployFlags& f, CLI::App* cmd) {
  auto env = ctx.env();
  o.out = f.out;
  if (cmd->count("--root-id")) o.root_id = f.root_id;
  o.project_dir = f.project;
  auto r = ops::deploy(o, env);
  for (const auto& n : r.notes) env.reporter.get().info(n);
  if (o.apply && !r.kubectl_output.empty())
    env.reporter.get().info(std::string(util::trim(r.kubectl_output)));
  bool to_stdout = r.written.empty() && !o.apply && !o.run;
  if (to_stdout) {
    // stdout is the YAML alone (pipe it to kubectl apply -f -); the summary goes to stderr.
    if (!ctx.globals.json) {
      std::istringstream s(summary(r));
      for (std::string line; std::getline(s, line);) env.reporter.get().info(line);
    }
    ctx.emit("deploy", to_json(r), r.yaml);
    return;
  }
  std::string human = summary(r);
  if (o.platform == deploy::Platform::envoy && !o.run && !r.written.empty())
    human += "next:     envoy -c " + r.written.string() + "   (or add --run)\n";
  if (o.platform != deploy::Platform::envoy && !o.apply && !r.written.empty())
    human += "next:     kubectl apply -f " + r.written.string() + "   (or add --apply)\n";
  ctx.emit("deploy", to_json(r), human);
}

void setup_deploy(CLI::App& app, Context& ctx) {
  auto* deploy = app.add_subcommand("deploy", "Put a filter into Envoy, Istio or Gloo");
  deploy->require_subcommand(1);
  examples(deploy,
           {"ext deploy envoy acme/filter:v1 --run           # a local Envoy with the filter",
            "ext deploy envoy filter.wasm --bootstrap envoy.yaml -f envoy.yaml",
            "ext deploy istio ghcr.io/acme/filter:v1 --name my-filter --selector app=web --apply",
            "ext deploy gloo ghcr.io/acme/filter:v1 --name my-filter -f gateway-patch.yaml"},
           "What each subcommand does (ext deploy SUBCOMMAND --help lists its flags):\n"
           "  envoy  write an Envoy v3 bootstrap with the filter (or insert it into yours with\n"
           "         --bootstrap); --run starts Envoy with it (PATH or --docker)\n"
           "  istio  write an Istio WasmPlugin (legacy EnvoyFilter with --envoyfilter) that pulls\n"
           "         the pushed image, pinned to its digest; --apply pipes it to kubectl\n"
           "  gloo   add the filter to a Gloo Edge Gateway (--gateway-file or the cluster's)\n"
           "Without -f, --apply or --run the YAML goes to stdout. `ext undeploy` removes it.");

  // envoy
  {
    auto f = std::make_shared<DeployFlags>();
    auto* cmd = deploy->add_subcommand("envoy", "Write (and run) an Envoy v3 bootstrap");
    examples(cmd, {"ext deploy envoy acme/filter:v1 --run",
                   "ext deploy envoy filter.wasm --config @config.json -f envoy.yaml",
                   "ext deploy envoy acme/filter:v1 --bootstrap envoy.yaml -f envoy.yaml"});
    add_common(cmd, *f, false);
    auto& e = f->o.envoy;
    cmd->add_option("--listen", e.listen, "Listener address (default 127.0.0.1:8080)");
    cmd->add_option("--admin", e.admin, "Admin address (default 127.0.0.1:9901)");
    cmd->add_option("--upstream", e.upstream,
                    "Route to HOST:PORT (default: Envoy answers with a direct response)");
    cmd->add_option("--runtime", e.runtime, "Wasm runtime: v8 (default), wamr, wasmtime");
    cmd->add_option("--bootstrap", f->bootstrap,
                    "Insert the filter into this bootstrap instead of generating one")
        ->check(CLI::ExistingFile);
    cmd->add_option("--listener", e.listener, "With --bootstrap: only this listener");
    auto* before = cmd->add_option("--before", e.placement.before, "Place before this filter");
    auto* after = cmd->add_option("--after", e.placement.after, "Place after this filter");
    before->excludes(after);
    cmd->add_flag("--run", f->o.run, "Run Envoy with the bootstrap until Ctrl-C");
    auto* envoy =
        cmd->add_option("--envoy", f->o.envoy_program, "The envoy binary (default: PATH)");
    auto* docker = cmd->add_option("--docker", f->docker,
                                   "Run this Envoy image (docker or podman; default " +
                                       deploy::default_envoy_image() + " or config.yaml)")
                       ->expected(0, 1);
    docker->excludes(envoy);
    cmd->add_option("--container-tool", f->o.container_tool, "docker or podman")
        ->check(CLI::IsMember({"docker", "podman"}));
    cmd->add_option("--ready-timeout", f->ready_timeout, "Seconds to wait for Envoy (--run)")
        ->check(CLI::Range(1, 3600));
    cmd->callback([f, docker, cmd, &ctx] {
      auto& o = f->o;
      o.platform = deploy::Platform::envoy;
      o.bootstrap = f->bootstrap;
      if (docker->count() > 0) o.docker_image = f->docker;
      if ((o.docker_image || !o.envoy_program.empty()) && !o.run)
        throw Error(Errc::usage, "--envoy and --docker go with --run");
      o.ready_timeout = std::chrono::seconds(f->ready_timeout);
      finish(ctx, o, *f, cmd);
    });
  }

  // istio
  {
    auto f = std::make_shared<DeployFlags>();
    auto* cmd = deploy->add_subcommand("istio", "Generate (and apply) an Istio WasmPlugin");
    examples(cmd, {"ext deploy istio ghcr.io/acme/filter:v1 --name my-filter -f plugin.yaml",
                   "ext deploy istio ghcr.io/acme/filter:v1 --name my-filter -n web "
                   "--selector app=web --apply"});
    add_common(cmd, *f, true);
    auto& i = f->o.istio;
    cmd->add_option("-n,--namespace", i.ns, "Namespace (default: kubectl's)");
    cmd->add_option("--selector", f->selectors, "Workload label K=V (repeatable)");
    cmd->add_option("--target-ref", i.target_refs,
                    "Gateway/NAME, GatewayClass/NAME, Service/NAME or ServiceEntry/NAME");
    cmd->add_option("--phase", i.phase, "AUTHN, AUTHZ or STATS (default: before the router)");
    cmd->add_option("--priority", f->priority, "Order within the phase (higher first)");
    cmd->add_option("--pull-policy", i.pull_policy, "IfNotPresent or Always");
    cmd->add_option("--pull-secret", i.pull_secret, "imagePullSecret: a Secret in the namespace");
    cmd->add_flag("--create-pull-secret", f->o.create_pull_secret,
                  "Also generate that Secret from your registry credentials");
    cmd->add_flag("--no-pin", f->no_pin, "Reference the tag instead of the manifest digest");
    cmd->add_flag("--envoyfilter", i.envoyfilter,
                  "Legacy EnvoyFilter with remote code (Istio before 1.12)");
    cmd->add_option("--module-url", f->o.module_url,
                    "With --envoyfilter: http(s) URL serving the module (default: the registry "
                    "blob URL)");
    cmd->add_option(
        "--patch-context", i.patch_context,
        "With --envoyfilter: SIDECAR_INBOUND (default), SIDECAR_OUTBOUND, GATEWAY, ANY");
    cmd->add_flag("--apply", f->o.apply, "Pipe the YAML to kubectl apply -f -");
    cmd->add_option("--context", f->o.kubectl.context, "kubectl context");
    cmd->add_option("--kubectl", f->o.kubectl.program, "The kubectl binary");
    cmd->callback([f, cmd, &ctx] {
      auto& o = f->o;
      o.platform = deploy::Platform::istio;
      for (const auto& s : f->selectors) {
        auto eq = s.find('=');
        if (eq == std::string::npos || eq == 0)
          throw Error(Errc::usage, "--selector needs KEY=VALUE, got \"" + s + "\"");
        o.istio.selector.emplace_back(s.substr(0, eq), s.substr(eq + 1));
      }
      if (cmd->count("--priority")) o.istio.priority = f->priority;
      o.istio.pin = !f->no_pin;
      finish(ctx, o, *f, cmd);
    });
  }

  // gloo
  {
    auto f = std::make_shared<DeployFlags>();
    auto* cmd = deploy->add_subcommand("gloo", "Add the filter to a Gloo Edge Gateway");
    examples(cmd, {"ext deploy gloo ghcr.io/acme/filter:v1 --name my-filter --apply",
                   "ext deploy gloo ghcr.io/acme/filter:v1 --name my-filter --gateway-file gw.yaml "
                   "-f gw.yaml"});
    add_common(cmd, *f, true);
    auto& g = f->o.gloo;
    cmd->add_option("--gateway", g.gateway, "Gateway name (default gateway-proxy)");
    cmd->add_option("-n,--namespace", g.ns, "Gateway namespace (default gloo-system)");
    cmd->add_option("--stage", g.stage,
                    "Filter stage: fault, cors, waf, authn, authz, ratelimit, accepted, outauth, "
                    "route");
    cmd->add_option("--predicate", g.predicate, "before, during (default) or after the stage");
    auto* before = cmd->add_option("--before", g.placement.before, "Place before this filter");
    auto* after = cmd->add_option("--after", g.placement.after, "Place after this filter");
    before->excludes(after);
    cmd->add_option("--gateway-file", f->gateway_file, "Patch this Gateway YAML (no cluster)")
        ->check(CLI::ExistingFile);
    cmd->add_flag("--apply", f->o.apply, "Read the Gateway with kubectl, patch, replace it");
    cmd->add_option("--context", f->o.kubectl.context, "kubectl context");
    cmd->add_option("--kubectl", f->o.kubectl.program, "The kubectl binary");
    cmd->callback([f, cmd, &ctx] {
      auto& o = f->o;
      o.platform = deploy::Platform::gloo;
      o.gateway_file = f->gateway_file;
      if (o.apply && !o.gateway_file.empty())
        throw Error(Errc::usage, "--apply reads the Gateway from the cluster; drop --gateway-file");
      finish(ctx, o, *f, cmd);
    });
  }
}

}  // namespace
EXT_COMMAND(deploy, 60, setup_deploy)
}  // namespace ext::cli
