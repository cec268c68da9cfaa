// ext::ops — deploy / undeploy (docs/deploy.md): materialise the module from the store (pulling
// when the reference is not there) to a stable file under the data directory, settle the facts
// about the filter once (type, root id, ABI, platform version), check that the registry serves
// the image that is pinned, then hand them to the platform's deploy::Target to check, render and
// apply; write (-f, YAML or JSON by extension), print, apply (kubectl) or run (envoy).
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ext/deploy/envoy_runner.hpp"
#include "ext/deploy/envoy_target.hpp"
#include "ext/deploy/gloo_target.hpp"
#include "ext/deploy/istio_target.hpp"
#include "ext/deploy/kube.hpp"
#include "ext/deploy/versions.hpp"
#include "ext/ops/env.hpp"
#include "ext/ops/remote.hpp"

namespace ext::ops {

struct DeployOptions {
  deploy::Platform platform = deploy::Platform::envoy;
  std::string source;  // REF, or FILE.wasm (envoy only)
  std::string name;    // plugin name (default for envoy: the project or image name)
  // --root-id: "" is the empty root id; unset: the image's runtime config, else ext.yaml.
  std::optional<std::string> root_id;
  std::string filter_type;  // --filter-type http|network; default: image, ext.yaml, exports
  bool offline = false;     // pin the local image without asking the registry (a warning)
  std::string config;       // --config JSON | @file.json | @file.yaml | @file
  std::filesystem::path project_dir = ".";  // where ext.yaml is looked for
  std::string fail_strategy;
  std::string platform_version;  // --platform-version: which fields are written, ABI check
  bool strict = false;           // every warning is an error (exit 1, nothing written)
  std::filesystem::path out;     // -f OUT.yaml, or OUT.json for JSON
  bool apply = false;            // istio/gloo: kubectl
  deploy::KubectlOptions kubectl;
  RegistryFlags registry;  // pulling, and credentials for --create-pull-secret

  // envoy
  deploy::EnvoyOptions envoy;
  std::filesystem::path bootstrap;  // --bootstrap FILE
  bool run = false;
  std::string envoy_program;                // --envoy PATH
  std::optional<std::string> docker_image;  // --docker [IMAGE] ("" = settings/default image)
  std::string container_tool;               // docker | podman
  std::chrono::milliseconds ready_timeout{60000};
  deploy::AdminClient* admin_client = nullptr;  // tests; null: a socket client

  // istio
  deploy::IstioOptions istio;
  bool create_pull_secret = false;
  std::string module_url;  // --module-url (EnvoyFilter form)

  // gloo
  deploy::GlooOptions gloo;
  std::filesystem::path gateway_file;  // --gateway-file: patch this Gateway YAML instead
};

struct DeployResult {
  std::string platform;
  std::string name;
  std::string root_id;
  std::string filter_type;       // http | network
  std::string platform_version;  // the release the output is for ("1.37")
  std::string reference;         // full normalized reference ("" for a file)
  std::string manifest_digest;
  std::string module_sha256;
  std::string abi_version;
  std::filesystem::path module;   // the module file Envoy reads / the bootstrap names
  std::string config_source;      // "--config", "ext.yaml", ""
  std::string yaml;               // what was written, printed or applied
  std::filesystem::path written;  // -f (or the run's bootstrap file)
  bool applied = false;
  std::vector<std::string> commands;  // kubectl / envoy / docker, shell-quoted
  std::vector<std::string> notes;
  std::vector<std::string> warnings;
  std::string kubectl_output;
  std::optional<deploy::EnvoyRunResult> run;
};

DeployResult deploy(const DeployOptions& opts, Env& env);

struct UndeployOptions {
  deploy::Platform platform = deploy::Platform::envoy;
  std::string name;
  deploy::KubectlOptions kubectl;
  std::string ns;  // istio: --namespace; gloo: Gateway namespace
  std::string gateway = "gateway-proxy";
  std::filesystem::path bootstrap;     // envoy: the bootstrap to edit
  std::filesystem::path gateway_file;  // gloo: edit this file instead of the cluster
  std::string listener;
  std::filesystem::path out;  // -f OUT (may be the input file); default: stdout
  bool dry_run = false;       // istio/gloo: print the kubectl commands only
};

struct UndeployResult {
  std::string platform;
  std::string name;
  std::vector<std::string> commands;
  std::vector<std::string> notes;
  std::string yaml;  // envoy/gloo: the document after removal
  std::filesystem::path written;
  std::string kubectl_output;
};

UndeployResult undeploy(const UndeployOptions& opts, Env& env);

}  // namespace ext::ops
