#include "ext/ops/deploy.hpp"

#include <unistd.h>

#include "ext/artifact/artifact.hpp"
#include "ext/core/error.hpp"
#include "ext/deploy/platform.hpp"
#include "ext/ops/pull.hpp"
#include "ext/project/project_file.hpp"
#include "ext/project/settings.hpp"
#include "ext/ref/reference.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"
#include "ext/wasm/module.hpp"

namespace ext::ops {

namespace fs = std::filesystem;

namespace {

constexpr const char* k_default_envoy_image = "envoyproxy/envoy:v1.31-latest";

Reporter& reporter_of(Env& env) {
  static NullReporter null;
  return env.reporter ? *env.reporter : null;
}

util::ProcessRunner& runner_of(Env& env) {
  static util::SubprocessRunner sub;
  return env.runner ? *env.runner : sub;
}

template <class T>
T value_or_throw(Result<T> r, const std::string& context = {}) {
  if (!r) throw context.empty() ? r.error() : r.error().with_context(context);
  return std::move(*r);
}

void check(Result<void> r) {
  if (!r) throw r.error();
}

// <data>/ext/store -> <data>/ext
fs::path data_root(const fs::path& store_root) {
  fs::path s = store_root.lexically_normal();
  if (!s.has_filename()) s = s.parent_path();
  return s.parent_path();
}

struct Module {
  fs::path path;
  wasm::ModuleInfo info;
  std::optional<ref::Reference> ref;
  std::string manifest_digest;
  std::optional<artifact::Detected> detected;
  std::vector<std::string> root_ids;  // from the runtime config
};

bool looks_like_file(const std::string& source) {
  std::error_code ec;
  if (fs::is_regular_file(source, ec)) return true;
  auto lower = util::to_lower(source);
  return lower.size() > 5 && lower.substr(lower.size() - 5) == ".wasm";
}

oci::Descriptor choose_manifest(const oci::Index& index, const std::string& what) {
  const oci::Descriptor* first = nullptr;
  for (const auto& d : index.manifests) {
    if (!oci::is_manifest_type(d.media_type)) continue;
    if (!first) first = &d;
    // Istio picks linux/amd64 from an index (peers.md §4 C.3); prefer wasm, then that.
    if (d.platform && (d.platform->architecture == "wasm" || d.platform->os == "wasip1")) return d;
  }
  for (const auto& d : index.manifests)
    if (d.platform && d.platform->os == "linux" && d.platform->architecture == "amd64") return d;
  if (!first) throw Error(Errc::unsupported, what + ": the index lists no image manifest");
  return *first;
}

Module from_file(const std::string& source) {
  Module m;
  std::error_code ec;
  if (!fs::is_regular_file(source, ec))
    throw Error(Errc::not_found, "module file not found: " + source);
  m.path = fs::absolute(source).lexically_normal();
  m.info = value_or_throw(wasm::read_module_file(m.path), "reading " + source);
  return m;
}

Module from_store(const DeployOptions& opts, Env& env) {
  auto parsed = ref::Reference::parse(opts.source);
  if (!parsed)
    throw Error(Errc::invalid_argument,
                "\"" + opts.source +
                    "\" is neither a module file nor a reference: " + parsed.error().message(),
                "give a .wasm file or an image reference like ghcr.io/acme/filter:v1");
  Module m;
  m.ref = *parsed;
  std::string what = m.ref->to_string();
  store::OciLayoutStore store(env.store_root);
  auto root = store.resolve(*m.ref);
  if (!root) {
    reporter_of(env).info(what + " is not in the local store; pulling it");
    try {
      PullOptions po;
      po.ref = opts.source;
      po.flags = opts.registry;
      pull(po, env);
    } catch (const Error& e) {
      if (e.code() == Errc::interrupted) throw;
      throw Error(Errc::not_found,
                  what + " is not in the local store and could not be pulled: " + e.message(),
                  "build it with `ext build -t " + what +
                      "`, or check the name and run `ext "
                      "login " +
                      m.ref->registry() + "`");
    }
    root = store.resolve(*m.ref);
    if (!root) throw Error(Errc::not_found, what + " is still not in the store after pulling");
  }
  oci::Descriptor manifest_desc = *root;
  if (oci::is_index_type(root->media_type)) {
    auto idx = value_or_throw(oci::Index::parse(store::read_all(store, *root, 4u << 20)), what);
    manifest_desc = choose_manifest(idx, what);
  }
  m.manifest_digest = manifest_desc.digest.to_string();
  auto manifest =
      value_or_throw(oci::Manifest::parse(store::read_all(store, manifest_desc, 4u << 20)), what);
  m.detected = value_or_throw(artifact::detect(manifest, store), what);
  if (m.detected->runtime_config) m.root_ids = m.detected->runtime_config->root_ids;

  // A stable path per image: <data>/modules/<manifest hex>.wasm (images are immutable).
  fs::path dir = data_root(env.store_root) / "modules";
  fs::create_directories(dir);
  m.path = dir / (manifest_desc.digest.hex() + ".wasm");
  std::error_code ec;
  bool reuse = fs::is_regular_file(m.path, ec);
  if (reuse && !m.detected->module_in_tar)
    reuse = static_cast<int64_t>(fs::file_size(m.path, ec)) == m.detected->module_blob.size;
  if (!reuse) with_context(what, [&] { artifact::extract_module(store, *m.detected, m.path); });
  m.info = value_or_throw(wasm::read_module_file(m.path), what);
  return m;
}

// ext.yaml in the project folder, when it belongs to what we deploy.
std::optional<project::ProjectFile> project_for(const DeployOptions& opts, const Module& m,
                                                Env& env) {
  std::error_code ec;
  if (!fs::is_regular_file(opts.project_dir / project::k_project_file_name, ec))
    return std::nullopt;
  auto p = project::load_project(opts.project_dir);
  if (!p) {
    reporter_of(env).warn("ignoring " + (opts.project_dir / project::k_project_file_name).string() +
                          ": " + p.error().message());
    return std::nullopt;
  }
  bool belongs = false;
  if (m.ref) {
    auto repo = m.ref->repository();
    auto base = repo.substr(repo.rfind('/') + 1);
    belongs = base == p->name;
    if (!p->image.empty()) {
      auto img = ref::Reference::parse(p->image);
      if (img && img->name() == m.ref->name()) belongs = true;
    }
  } else {
    auto proj = fs::weakly_canonical(fs::absolute(opts.project_dir), ec).string() + "/";
    belongs = m.path.string().rfind(proj, 0) == 0;
  }
  if (!belongs) {
    reporter_of(env).debug(
        1, "ext.yaml is for project " + p->name + ", not " + opts.source + "; not using it");
    return std::nullopt;
  }
  return *p;
}

std::string k8s_name_from(std::string text) {
  std::string out;
  for (char c : util::to_lower(text)) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      out += c;
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.size() > 63 ? out.substr(0, 63) : out;
}

deploy::Platform platform_of(const std::string& p) {
  if (p == "envoy") return deploy::Platform::envoy;
  if (p == "istio") return deploy::Platform::istio;
  if (p == "gloo") return deploy::Platform::gloo;
  throw Error(Errc::usage, "unknown platform \"" + p + "\"", "use envoy, istio or gloo");
}

void write_out(const fs::path& out, const std::string& yaml) {
  if (!out.parent_path().empty()) fs::create_directories(out.parent_path());
  util::write_file_atomic(out, yaml);
}

Result<deploy::Json> load_document(const fs::path& file, const std::string& what) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    return fail(Errc::not_found, what + " not found: " + file.string());
  auto text = util::read_file(file, 16u << 20);
  auto j = deploy::parse_yaml(text);
  if (!j) return fail(j.error().with_context(file.string()));
  return j;
}

std::string registry_blob_url(const ref::Reference& r, const oci::Descriptor& blob, Env& env) {
  auto settings = project::Settings::load(env.settings_path);
  bool plain = r.is_loopback();
  if (settings) {
    auto rs = settings->registry(r.registry());
    if (rs.plain_http) plain = *rs.plain_http;
  }
  return std::string(plain ? "http" : "https") + "://" + r.endpoint_host() + "/v2/" +
         r.repository() + "/blobs/" + blob.digest.to_string();
}

}  // namespace

DeployResult deploy(const DeployOptions& opts, Env& env) {
  Reporter& rep = reporter_of(env);
  DeployResult res;
  res.platform = opts.platform;
  auto platform = platform_of(opts.platform);
  if (opts.source.empty()) throw Error(Errc::usage, "deploy needs a reference or a .wasm file");

  // 1. Options that can fail without touching anything.
  deploy::Plugin plugin;
  if (!opts.fail_strategy.empty())
    plugin.fail = value_or_throw(deploy::parse_fail_strategy(opts.fail_strategy));
  std::optional<deploy::Version> version;
  if (!opts.platform_version.empty())
    version = value_or_throw(deploy::Version::parse(opts.platform_version));
  std::optional<deploy::PluginConfig> config;
  if (!opts.config.empty()) {
    config = value_or_throw(deploy::parse_config_arg(opts.config));
    res.config_source = "--config";
  }
  if (platform == deploy::Platform::istio && !opts.istio.envoyfilter && version &&
      *version < deploy::Version{1, 12, 0})
    throw Error(
        Errc::unsupported,
        "WasmPlugin needs Istio 1.12 or later (platform version " + version->to_string() + ")",
        "use --envoyfilter for older Istio versions");
  if (platform != deploy::Platform::envoy && looks_like_file(opts.source))
    throw Error(Errc::invalid_argument,
                std::string(deploy::to_string(platform)) +
                    " pulls the module from a registry: deploy an image reference, not a file",
                "ext build --wasm " + opts.source +
                    " -t REGISTRY/NAME:TAG && ext push "
                    "REGISTRY/NAME:TAG");
  if (opts.create_pull_secret && opts.istio.pull_secret.empty())
    throw Error(Errc::usage, "--create-pull-secret needs --pull-secret NAME");

  // 2. The module.
  Module m = looks_like_file(opts.source) ? from_file(opts.source) : from_store(opts, env);
  res.module = m.path;
  res.module_sha256 = m.info.sha256;
  res.abi_version = m.info.abi_version;
  res.manifest_digest = m.manifest_digest;
  if (m.ref) res.reference = m.ref->to_string();
  auto project = project_for(opts, m, env);
  if (!version && project && project->platform == opts.platform &&
      !project->platform_version.empty()) {
    auto v = deploy::Version::parse(project->platform_version);
    if (v) version = *v;
  }
  if (!version && platform == deploy::Platform::envoy) {
    auto settings = project::Settings::load(env.settings_path);
    if (settings && !settings->envoy_version.empty()) {
      auto v = deploy::Version::parse(settings->envoy_version);
      if (v) version = *v;
    }
  }

  // 3. Compatibility: ABI vs platform version (warnings; --strict makes them errors).
  for (const auto& f :
       deploy::check_compat(platform, version, m.info.abi_version, m.info.is_component)) {
    if (opts.strict)
      throw Error(Errc::validation, f.message, "drop --strict to write the configuration anyway");
    rep.warn(f.message);
    res.warnings.push_back(f.message);
  }
  switch (m.info.kind) {
    case wasm::FilterKind::network:
      plugin.type = deploy::FilterType::network;
      break;
    case wasm::FilterKind::http:
      plugin.type = deploy::FilterType::http;
      break;
    case wasm::FilterKind::unknown: {
      std::string w =
          "cannot tell from the module's exports whether it is an HTTP or a network "
          "filter; deploying it as an HTTP filter";
      rep.warn(w);
      res.warnings.push_back(w);
      break;
    }
  }
  res.filter_type = deploy::to_string(plugin.type);

  // 4. Name, root id, configuration.
  plugin.root_id = opts.root_id;
  if (plugin.root_id.empty() && !m.root_ids.empty()) plugin.root_id = m.root_ids.front();
  if (plugin.root_id.empty() && project) plugin.root_id = project->root_id;
  if (plugin.root_id.empty()) {
    std::string w =
        "no root id known (none in the image, no ext.yaml); the plugin uses the "
        "empty root id — pass --root-id if the filter registers one";
    rep.warn(w);
    res.warnings.push_back(w);
  }
  plugin.name = opts.name;
  if (plugin.name.empty() && project) plugin.name = project->name;
  if (plugin.name.empty() && m.ref) {
    auto repo = m.ref->repository();
    plugin.name = k8s_name_from(repo.substr(repo.rfind('/') + 1));
  }
  if (plugin.name.empty()) plugin.name = k8s_name_from(m.path.stem().string());
  if (plugin.name.empty()) plugin.name = "wasm-filter";
  if (!config && project && !project->config.empty()) {
    config = deploy::config_from_project(deploy::Json(project->config));
    res.config_source = "ext.yaml";
    rep.info("plugin configuration from " +
             (opts.project_dir / project::k_project_file_name).string());
  }
  plugin.config = config;
  res.name = plugin.name;
  res.root_id = plugin.root_id;

  // 5. Render, then write / print / apply / run.
  deploy::Rendered rendered;
  deploy::Kubectl kubectl(runner_of(env), opts.kubectl);
  if (platform == deploy::Platform::envoy) {
    deploy::EnvoyOptions eo = opts.envoy;
    bool container = opts.run && opts.docker_image.has_value();
    std::string in_container = "/etc/ext/" + plugin.name + ".wasm";
    eo.module_filename = container ? in_container : m.path.string();
    eo.bind_all = false;  // host network: the addresses mean the same inside the container
    deploy::EnvoyTarget target(eo);
    if (!opts.bootstrap.empty()) {
      auto doc = value_or_throw(load_document(opts.bootstrap, "bootstrap"));
      rendered = value_or_throw(target.patch(std::move(doc), plugin), opts.bootstrap.string());
    } else {
      rendered = value_or_throw(target.render(plugin));
    }
    res.yaml = rendered.yaml();
    if (!opts.out.empty()) {
      write_out(opts.out, res.yaml);
      res.written = opts.out;
    }
    if (opts.run) {
      if (res.written.empty()) {
        fs::path dir = data_root(env.store_root) / "run";
        fs::create_directories(dir);
        res.written = dir / ("envoy-" + plugin.name + ".yaml");
        write_out(res.written, res.yaml);
      }
      deploy::EnvoyRunOptions ro;
      ro.config = fs::absolute(res.written);
      ro.module = m.path;
      ro.module_in_container = in_container;
      ro.envoy = opts.envoy_program.empty() ? "envoy" : opts.envoy_program;
      if (container) {
        std::string image = *opts.docker_image;
        if (image.empty()) {
          auto settings = project::Settings::load(env.settings_path);
          if (settings && !settings->envoy_image.empty()) image = settings->envoy_image;
        }
        ro.image = image.empty() ? k_default_envoy_image : image;
      }
      ro.container_tool = opts.container_tool;
      ro.container_name = "ext-envoy-" + plugin.name;
      ro.runtime = value_or_throw(deploy::runtime_name(eo.runtime));
      ro.ready_timeout = opts.ready_timeout;
      // Where to probe: the bootstrap's admin address (a user's bootstrap may differ).
      std::string admin_host = "127.0.0.1";
      int admin_port = 9901;
      const auto& doc = rendered.documents.front();
      if (doc.contains("admin") && doc["admin"].contains("address")) {
        const auto& sa = doc["admin"]["address"].value("socket_address", deploy::Json::object());
        admin_host = sa.value("address", admin_host);
        if (sa.contains("port_value") && sa["port_value"].is_number_integer())
          admin_port = sa["port_value"].get<int>();
        if (admin_host == "0.0.0.0") admin_host = "127.0.0.1";
        if (admin_host == "::") admin_host = "::1";
      }
      if (opts.bootstrap.empty()) {
        auto listen = value_or_throw(deploy::parse_host_port(eo.listen, "--listen"));
        ro.listen_url =
            "http://" +
            (listen.host.find(':') != std::string::npos ? "[" + listen.host + "]" : listen.host) +
            ":" + std::to_string(listen.port);
      }
      deploy::SocketAdminClient socket_admin(admin_host, admin_port);
      deploy::AdminClient& admin = opts.admin_client ? *opts.admin_client : socket_admin;
      auto run = deploy::run_envoy(ro, runner_of(env), admin, rep);
      res.commands.push_back(util::shell_quote(run.argv));
      res.run = run;
      if (!run.interrupted && run.exit_code != 0)
        throw Error(Errc::failed,
                    "envoy exited with status " + std::to_string(run.exit_code) +
                        (run.ready ? "" : " before it was ready"),
                    "its log above says why; check the bootstrap with `envoy --mode validate -c " +
                        res.written.string() + "`");
    }
  } else if (platform == deploy::Platform::istio) {
    deploy::IstioTarget target(opts.istio);
    check(target.check(plugin));
    deploy::IstioImage image;
    image.registry = m.ref->registry();
    image.repository = m.ref->repository();
    image.tag = m.ref->tag();
    image.manifest_digest = m.manifest_digest;
    image.module_sha256 = m.info.sha256;
    image.reference = m.ref->to_string();
    if (opts.istio.envoyfilter) {
      image.module_url = opts.module_url;
      if (image.module_url.empty() && m.detected && !m.detected->module_in_tar) {
        image.module_url = registry_blob_url(*m.ref, m.detected->module_blob, env);
        std::string note = "the EnvoyFilter fetches the module from " + image.module_url +
                           "; the registry must serve it without credentials (else pass "
                           "--module-url)";
        res.notes.push_back(note);  // the CLI prints notes
      }
    }
    std::optional<deploy::PullCredentials> creds;
    if (opts.create_pull_secret) {
      auto store = credential_store(opts.registry, env);
      auto c = store->get(m.ref->registry());
      if (!c || c->empty())
        throw Error(Errc::auth,
                    "no credentials for " + m.ref->registry() + " in " + store->describe(),
                    "run `ext login " + m.ref->registry() + "` first");
      if (!c->has_basic())
        throw Error(Errc::unsupported,
                    "the credentials for " + m.ref->registry() +
                        " are a token, which a kubernetes.io/dockerconfigjson Secret cannot carry",
                    "log in with a username and password (or a robot account)");
      creds =
          deploy::PullCredentials{auth::docker_key(m.ref->registry()), c->username, c->password};
    }
    rendered = value_or_throw(target.render(plugin, image, creds));
    if (m.ref->registry() == "localhost" || m.ref->is_loopback()) {
      std::string note = "the image is on a loopback registry (" + m.ref->registry() +
                         "): the mesh's istio-agent cannot reach it unless it runs there too; "
                         "set WASM_INSECURE_REGISTRIES for plain-HTTP registries";
      res.notes.push_back(note);  // the CLI prints notes
    }
  } else {
    deploy::GlooTarget target(opts.gloo);
    check(target.check(plugin));
    rep.warn(deploy::k_gloo_enterprise_warning);
    res.warnings.push_back(deploy::k_gloo_enterprise_warning);
    if (m.detected && m.detected->layout != artifact::Layout::oci) {
      std::string w = std::string("the image is in the ") +
                      artifact::to_string(m.detected->layout) +
                      " layout; Gloo's wasm cache reads the wasme \"oci\" layout (ext build "
                      "--format oci)";
      rep.warn(w);
      res.warnings.push_back(w);
    }
    deploy::Json gateway;
    if (opts.apply) {
      gateway = kubectl.get("gateways.gateway.solo.io", opts.gloo.gateway, opts.gloo.ns);
      deploy::GlooTarget::strip_server_fields(gateway);
    } else if (!opts.gateway_file.empty()) {
      gateway = value_or_throw(load_document(opts.gateway_file, "Gateway file"));
    } else {
      gateway = target.default_gateway();
    }
    rendered = value_or_throw(target.patch(std::move(gateway), plugin, m.ref->to_string()));
  }
  for (const auto& n : rendered.notes) res.notes.push_back(n);
  if (platform == deploy::Platform::envoy) return res;

  res.yaml = rendered.yaml();
  if (!opts.out.empty()) {
    write_out(opts.out, res.yaml);
    res.written = opts.out;
  }
  if (opts.apply) {
    res.kubectl_output =
        platform == deploy::Platform::gloo ? kubectl.replace(res.yaml) : kubectl.apply(res.yaml);
    res.applied = true;
  }
  for (const auto& c : kubectl.commands()) res.commands.push_back(util::shell_quote(c));
  return res;
}

UndeployResult undeploy(const UndeployOptions& opts, Env& env) {
  UndeployResult res;
  res.platform = opts.platform;
  res.name = opts.name;
  auto platform = platform_of(opts.platform);
  deploy::Kubectl kubectl(runner_of(env), opts.kubectl);
  if (platform == deploy::Platform::envoy) {
    if (opts.bootstrap.empty())
      throw Error(Errc::usage, "ext undeploy envoy needs --bootstrap FILE",
                  "name the bootstrap `ext deploy envoy` wrote (-f); add -f FILE to rewrite it");
    auto doc = value_or_throw(load_document(opts.bootstrap, "bootstrap"));
    auto r = value_or_throw(deploy::EnvoyTarget::remove(std::move(doc), opts.name, opts.listener),
                            opts.bootstrap.string());
    res.notes = r.notes;
    res.yaml = r.yaml();
  } else if (platform == deploy::Platform::istio) {
    check(deploy::validate_kube_name(opts.name, "NAME"));
    if (!opts.ns.empty()) check(deploy::validate_kube_name(opts.ns, "--namespace"));
    std::string selector = std::string(deploy::k_managed_by_label) + "=" +
                           deploy::k_managed_by_value + "," + deploy::k_deployment_label + "=" +
                           opts.name;
    for (const auto& kind : deploy::IstioTarget::managed_kinds()) {
      if (opts.dry_run) {
        std::vector<std::string> argv{opts.kubectl.program.empty() ? "kubectl"
                                                                   : opts.kubectl.program};
        if (!opts.kubectl.context.empty())
          argv.insert(argv.end(), {"--context", opts.kubectl.context});
        argv.insert(argv.end(), {"delete", kind});
        if (!opts.ns.empty()) argv.insert(argv.end(), {"-n", opts.ns});
        argv.insert(argv.end(), {"-l", selector, "--ignore-not-found"});
        res.commands.push_back(util::shell_quote(argv));
        continue;
      }
      if (!kubectl.delete_by_label(kind, opts.ns, selector, &res.kubectl_output))
        res.notes.push_back(kind + ": not installed in the cluster, skipped");
    }
    if (!opts.dry_run)
      for (const auto& c : kubectl.commands()) res.commands.push_back(util::shell_quote(c));
    return res;
  } else {
    check(deploy::validate_kube_name(opts.name, "NAME"));
    std::string ns = opts.ns.empty() ? "gloo-system" : opts.ns;
    deploy::Json gateway;
    bool live = opts.gateway_file.empty();
    if (live) {
      gateway = kubectl.get("gateways.gateway.solo.io", opts.gateway, ns);
      deploy::GlooTarget::strip_server_fields(gateway);
    } else {
      gateway = value_or_throw(load_document(opts.gateway_file, "Gateway file"));
    }
    auto r = value_or_throw(deploy::GlooTarget::remove(std::move(gateway), opts.name));
    res.notes = r.notes;
    res.yaml = r.yaml();
    if (live && !opts.dry_run) res.kubectl_output = kubectl.replace(res.yaml);
    for (const auto& c : kubectl.commands()) res.commands.push_back(util::shell_quote(c));
    if (live) return res;
  }
  if (!opts.out.empty()) {
    write_out(opts.out, res.yaml);
    res.written = opts.out;
  }
  return res;
}

}  // namespace ext::ops
