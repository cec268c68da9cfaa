#include "ext/ops/deploy.hpp"

#include <unistd.h>

#include "ext/artifact/artifact.hpp"
#include "ext/core/error.hpp"
#include "ext/deploy/platform.hpp"
#include "ext/deploy/target.hpp"
#include "ext/http/transport.hpp"
#include "ext/ops/inspect.hpp"
#include "ext/ops/pull.hpp"
#include "ext/project/project_file.hpp"
#include "ext/project/settings.hpp"
#include "ext/ref/reference.hpp"
#include "ext/registry/registry_store.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"
#include "ext/wasm/module.hpp"

namespace ext::ops {

namespace fs = std::filesystem;

namespace {

void check(Result<void> r) {
  if (!r) throw r.error();
}

fs::path data_root(Env& env) {
  return env.data_root.empty() ? default_data_root(env.environment) : env.data_root;
}

struct Module {
  fs::path path;
  wasm::ModuleInfo info;
  std::optional<ref::Reference> ref;
  std::string manifest_digest;
  std::optional<artifact::Detected> detected;
  std::vector<std::string> root_ids;  // from the runtime config
  bool has_runtime_config = false;
  oci::Descriptor root;  // what the local name points at (a manifest or an index)
};

bool looks_like_file(const std::string& source) {
  std::error_code ec;
  if (fs::is_regular_file(source, ec)) return true;
  return names_a_path(source);
}

Module from_file(const std::string& source) {
  Module m;
  std::error_code ec;
  if (!fs::is_regular_file(source, ec)) throw missing_path(source);
  m.path = fs::absolute(source).lexically_normal();
  m.info = value_or_throw(wasm::read_module_file(m.path), "reading " + source);
  return m;
}

Module from_store(const DeployOptions& opts, Env& env) {
  auto parsed = ref::Reference::parse(opts.source);
  if (!parsed)
    throw Error(Errc::invalid_argument,
                "\"" + opts.source + "\" is neither a module file nor a reference: " +
                    parse_reason(parsed.error(), opts.source),
                "give a .wasm file or an image reference like ghcr.io/acme/filter:v1");
  Module m;
  m.ref = *parsed;
  std::string what = m.ref->to_string();
  store::OciLayoutStore store(env.store_root);
  auto root = store.resolve(*m.ref);
  if (!root) {
    env.reporter.get().info(what + " is not in the local store; pulling it");
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
  m.root = *root;
  oci::Descriptor manifest_desc = *root;
  if (oci::is_index_type(root->media_type)) {
    auto idx = value_or_throw(oci::Index::parse(store::read_all(store, *root, 4u << 20)), what);
    manifest_desc = value_or_throw(artifact::select_manifest(idx), what);
  }
  m.manifest_digest = manifest_desc.digest.to_string();
  auto manifest =
      value_or_throw(oci::Manifest::parse(store::read_all(store, manifest_desc, 4u << 20)), what);
  m.detected = value_or_throw(artifact::detect(manifest, store), what);
  if (m.detected->runtime_config) {
    m.has_runtime_config = true;
    m.root_ids = m.detected->runtime_config->root_ids;
  }

  // A stable path per image: <data>/modules/<manifest hex>.wasm (images are immutable).
  fs::path dir = data_root(env) / "modules";
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
    env.reporter.get().warn("ignoring " +
                            (opts.project_dir / project::k_project_file_name).string() + ": " +
                            p.error().message());
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
    env.reporter.get().debug(
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

bool is_json_path(const fs::path& p) {
  return util::to_lower(p.extension().string()) == ".json";
}

// -f OUT: YAML, or JSON when OUT ends in .json (Envoy reads any other name as JSON only when it
// ends in .json: envoy source/common/protobuf/utility.cc loadFromFile); several documents become
// a Kubernetes v1 List. A file holding a Secret is 0600.
void write_out(const fs::path& out, const deploy::Rendered& r, const std::string& yaml) {
  if (!out.parent_path().empty()) fs::create_directories(out.parent_path());
  bool secret = false;
  for (const auto& d : r.documents)
    if (d.is_object() && d.value("kind", "") == "Secret") secret = true;
  std::string text = yaml;
  if (is_json_path(out)) {
    if (r.documents.size() == 1) {
      text = r.documents.front().dump(2) + "\n";
    } else {
      deploy::Json list = deploy::Json::object();
      list["apiVersion"] = "v1";
      list["kind"] = "List";
      list["items"] = r.documents;
      text = list.dump(2) + "\n";
    }
  }
  util::write_file_atomic(out, text, secret ? 0600 : 0644);
}

Result<deploy::Json> load_document(const fs::path& file, const std::string& what,
                                   std::string* text_out = nullptr) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec))
    return fail(Errc::not_found, what + " not found: " + file.string());
  auto text = util::read_file(file, 16u << 20);
  if (text_out) *text_out = text;
  auto j = deploy::parse_yaml(text, file.string());  // errors are file:line:col
  if (!j) return fail(j.error());
  return j;
}

// The scheme follows the same rule as the registry connection (ops/remote.cpp): --plain-http,
// then config.yaml, then TLS options name a TLS registry, then loopback means plain HTTP.
std::string registry_blob_url(const ref::Reference& r, const oci::Descriptor& blob,
                              const RegistryFlags& flags, Env& env) {
  const auto& settings = env.settings();
  bool plain = r.is_loopback();
  std::optional<bool> configured;
  if (settings) configured = settings->registry(r.registry()).plain_http;
  if (flags.plain_http)
    plain = true;
  else if (configured)
    plain = *configured;
  else if (!flags.ca_file.empty() || flags.insecure)
    plain = false;
  return std::string(plain ? "http" : "https") + "://" + r.endpoint_host() + "/v2/" +
         r.repository() + "/blobs/" + blob.digest.to_string();
}

void run_local_envoy(const DeployOptions& opts, Env& env, const deploy::Plugin& plugin,
                     const deploy::EnvoyOptions& eo, const Module& m,
                     const deploy::Rendered& rendered, DeployResult& res, bool container,
                     const std::string& in_container) {
  Reporter& rep = env.reporter.get();
  if (res.written.empty()) {
    fs::path dir = data_root(env) / "run";
    fs::create_directories(dir);
    res.written = dir / ("envoy-" + plugin.name + ".yaml");
    util::write_file_atomic(res.written, res.yaml);
  }
  deploy::EnvoyRunOptions ro;
  ro.config = fs::absolute(res.written);
  ro.module = m.path;
  ro.module_in_container = in_container;
  ro.envoy = opts.envoy_program.empty() ? "envoy" : opts.envoy_program;
  if (container) {
    std::string image = *opts.docker_image;
    if (image.empty()) {
      const auto& settings = env.settings();
      if (settings && !settings->envoy_image.empty()) image = settings->envoy_image;
    }
    ro.image = image.empty() ? deploy::default_envoy_image() : image;
  }
  ro.container_tool = opts.container_tool;
  ro.path_env = env.environment.path();
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
        (listen.host.find(':') != std::string::npos ? "[" + listen.host + "]" : listen.host) + ":" +
        std::to_string(listen.port);
  }
  deploy::SocketAdminClient socket_admin(admin_host, admin_port);
  deploy::AdminClient& admin = opts.admin_client ? *opts.admin_client : socket_admin;
  auto run = deploy::run_envoy(ro, env.runner.get(), admin, rep, env.clock.get());
  res.commands.push_back(util::shell_quote(run.argv));
  res.run = run;
  if (!run.interrupted && run.exit_code != 0)
    throw Error(Errc::failed,
                "envoy exited with status " + std::to_string(run.exit_code) +
                    (run.ready ? "" : " before it was ready"),
                "its log above says why; check the bootstrap with `envoy --mode validate -c " +
                    res.written.string() + "`");
}

// The version the output is for: --platform-version, else ext.yaml's platform_version (when it
// names this platform), else config.yaml's envoy_version (envoy), else the newest known release.
deploy::Version version_for(const DeployOptions& opts, deploy::Platform platform,
                            const std::optional<project::ProjectFile>& project, Env& env) {
  std::string text = opts.platform_version, from = "--platform-version";
  if (text.empty() && project && project->platform == deploy::to_string(platform) &&
      !project->platform_version.empty()) {
    text = project->platform_version;
    from = "platform_version in ext.yaml";
  }
  if (text.empty() && platform == deploy::Platform::envoy) {
    const auto& settings = env.settings();
    if (settings && !settings->envoy_version.empty()) {
      text = settings->envoy_version;
      from = "envoy_version in " + env.settings_path.string();
    }
  }
  if (text.empty()) return deploy::newest_known(platform);
  auto v = deploy::parse_platform_version(platform, text);
  if (!v) throw v.error().with_context(from);
  return *v;
}

// What the registry serves for the reference must be what ext pins: the local image, pushed.
void check_pin(const DeployOptions& opts, const Module& m, Env& env,
               std::vector<std::string>& warnings) {
  std::string what = m.ref->to_string();
  if (opts.offline) {
    warnings.push_back("--offline: pinned the local image " + m.manifest_digest +
                       " without asking " + m.ref->registry() + " whether it serves it");
    return;
  }
  std::optional<oci::Descriptor> served;
  try {
    auto remote = connect_remote(m.ref->registry(), opts.registry, env);
    registry::RegistryStore src(remote.client, m.ref->repository());
    served = src.resolve(*m.ref);
  } catch (const Error& e) {
    if (e.code() == Errc::interrupted) throw;
    throw Error(e.code(),
                "checking that " + m.ref->registry() + " serves " + what + ": " + e.message(),
                "the mesh pulls the image from the registry, so ext checks it first; "
                "`ext push " +
                    what + "`, or pass --offline to pin the local image anyway");
  }
  if (!served)
    throw Error(Errc::not_found, what + " is not in the registry: the mesh could not pull it",
                "push it first: ext push " + what);
  if (served->digest != m.root.digest)
    throw Error(Errc::validation,
                m.ref->registry() + " serves " + served->digest.to_string() + " for " + what +
                    ", but the local image is " + m.root.digest.to_string(),
                "push the local build (ext push " + what +
                    "), or pull what the registry has "
                    "(ext pull " +
                    what + ") and deploy that");
}

// The EnvoyFilter form's module URL must be one Envoy can fetch without credentials.
void check_module_url(const DeployOptions& opts, const std::string& url, Env& env,
                      std::vector<std::string>& warnings) {
  if (opts.offline) {
    warnings.push_back("--offline: not checked that Envoy can fetch " + url +
                       " without credentials");
    return;
  }
  http::TransportOptions to;
  to.insecure = opts.registry.insecure;
  to.ca_file = opts.registry.ca_file;
  std::shared_ptr<http::Transport> t = env.http_transport(to);
  http::Request req;
  req.method = "HEAD";
  req.url = url;
  int status = 0;
  try {
    status = t->send(req).status;
  } catch (const Error& e) {
    if (e.code() == Errc::interrupted) throw;
    throw Error(Errc::network, "checking the module URL " + url + ": " + e.message(),
                "pass --module-url with a URL the proxies can fetch");
  }
  if (status == 401 || status == 403)
    throw Error(Errc::auth,
                "the registry answers " + std::to_string(status) + " to an anonymous GET of " +
                    url + ": Envoy's remote code fetch sends no credentials",
                "serve the module from a URL that needs none and pass --module-url URL (or use "
                "a WasmPlugin, which pulls with imagePullSecret)");
  if (status < 200 || status >= 300)
    throw Error(Errc::failed, "the module URL " + url + " answers HTTP " + std::to_string(status),
                "pass --module-url with a URL that serves the module");
}

// The facts about the filter, each from one place: the flag, then the image, then ext.yaml
// (docs/deploy.md "One description of the filter").
deploy::Plugin settle_plugin(const DeployOptions& opts, const Module& m,
                             const std::optional<project::ProjectFile>& project,
                             std::optional<wasm::FilterKind> flag_type,
                             std::optional<deploy::PluginConfig> config, deploy::FailStrategy fail,
                             Env& env, DeployResult& res, std::vector<std::string>& warnings) {
  Reporter& rep = env.reporter.get();
  deploy::Plugin plugin;
  std::optional<wasm::FilterKind> declared = flag_type;
  if (!declared && m.detected) {
    auto it = m.detected->annotations.find(artifact::k_filter_type_annotation);
    if (it != m.detected->annotations.end()) {
      auto t = wasm::parse_filter_type(it->second);
      if (t) declared = *t;
    }
  }
  if (!declared && project && !project->filter_type.empty())
    declared = value_or_throw(wasm::parse_filter_type(project->filter_type));
  auto kind = value_or_throw(wasm::resolve_filter_type(
      m.info, declared, "--filter-type http|network (or filter_type in ext.yaml)"));
  plugin.type =
      kind == wasm::FilterKind::network ? deploy::FilterType::network : deploy::FilterType::http;

  if (opts.root_id) {
    plugin.root_id = *opts.root_id;
  } else if (m.has_runtime_config && !m.root_ids.empty()) {
    plugin.root_id = m.root_ids.front();  // [""] is the empty root id, kept
  } else if (project) {
    plugin.root_id = project->root_id;
  } else {
    warnings.push_back(
        "no root id known (none in the image, no ext.yaml); the plugin uses the empty root id: "
        "pass --root-id if the filter registers one");
  }
  plugin.name = opts.name;
  if (plugin.name.empty() && project) plugin.name = project->name;
  if (plugin.name.empty() && m.ref) {
    auto repo = m.ref->repository();
    plugin.name = k8s_name_from(repo.substr(repo.rfind('/') + 1));
  }
  if (plugin.name.empty()) plugin.name = k8s_name_from(m.path.stem().string());
  if (plugin.name.empty()) plugin.name = "wasm-filter";
  if (config) {
    plugin.config = std::move(config);
    res.config_source = "--config";
  } else if (project && !project->config.empty()) {
    plugin.config = deploy::config_from_project(deploy::Json(project->config));
    res.config_source = "ext.yaml";
    rep.info("plugin configuration from " +
             (opts.project_dir / project::k_project_file_name).string());
  }
  plugin.fail = fail;
  return plugin;
}

}  // namespace

DeployResult deploy(const DeployOptions& opts, Env& env) {
  Reporter& rep = env.reporter.get();
  const deploy::Platform platform = opts.platform;
  DeployResult res;
  res.platform = deploy::to_string(platform);
  if (opts.source.empty()) throw Error(Errc::usage, "deploy needs a reference or a .wasm file");
  std::vector<std::string> warnings;

  // 1. Options that can fail without touching anything.
  deploy::FailStrategy fail = deploy::FailStrategy::unspecified;
  if (!opts.fail_strategy.empty())
    fail = value_or_throw(deploy::parse_fail_strategy(opts.fail_strategy));
  std::optional<wasm::FilterKind> flag_type;
  if (!opts.filter_type.empty())
    flag_type = value_or_throw(wasm::parse_filter_type(opts.filter_type), "--filter-type");
  if (!opts.platform_version.empty())
    (void)value_or_throw(deploy::parse_platform_version(platform, opts.platform_version),
                         "--platform-version");
  std::optional<deploy::PluginConfig> config;  // parsed once, before anything is touched
  if (!opts.config.empty()) config = value_or_throw(deploy::parse_config_arg(opts.config));
  if (platform != deploy::Platform::envoy && looks_like_file(opts.source))
    throw Error(Errc::invalid_argument,
                std::string(deploy::to_string(platform)) +
                    " pulls the module from a registry: deploy an image reference, not a file",
                "ext build --wasm " + opts.source +
                    " -t REGISTRY/NAME:TAG && ext push "
                    "REGISTRY/NAME:TAG");
  if (opts.create_pull_secret && opts.istio.pull_secret.empty())
    throw Error(Errc::usage, "--create-pull-secret needs --pull-secret NAME");
  if (!opts.name.empty() && platform != deploy::Platform::envoy)
    check(deploy::validate_kube_name(opts.name, "--name"));

  // 2. The module, and the project it comes from.
  Module m = looks_like_file(opts.source) ? from_file(opts.source) : from_store(opts, env);
  res.module = m.path;
  res.module_sha256 = m.info.sha256;
  res.abi_version = m.info.abi_version;
  res.manifest_digest = m.manifest_digest;
  if (m.ref) res.reference = m.ref->to_string();
  auto project = project_for(opts, m, env);
  const deploy::Version version = version_for(opts, platform, project, env);
  res.platform_version = deploy::short_version(version);

  // 3. Compatibility: ABI vs platform version.
  for (const auto& f :
       deploy::check_compat(platform, version, m.info.abi_version, m.info.is_component))
    warnings.push_back(f.message);

  // 4. The facts about the filter.
  deploy::Plugin plugin =
      settle_plugin(opts, m, project, flag_type, std::move(config), fail, env, res, warnings);
  res.filter_type = deploy::to_string(plugin.type);
  res.name = plugin.name;
  res.root_id = plugin.root_id;

  // 5. The image as the target sees it.
  deploy::Image image;
  if (m.ref) {
    image.reference = m.ref->to_string();
    image.registry = m.ref->registry();
    image.repository = m.ref->repository();
    image.tag = m.ref->tag();
    image.manifest_digest = m.manifest_digest;
  }
  image.module_sha256 = m.info.sha256;
  if (m.detected) image.layout = artifact::to_string(m.detected->layout);

  // 6. The target, with its own options and the release.
  std::unique_ptr<deploy::Target> target;
  bool container = platform == deploy::Platform::envoy && opts.run && opts.docker_image;
  std::string in_container = "/etc/ext/" + plugin.name + ".wasm";
  deploy::EnvoyOptions eo = opts.envoy;
  if (platform == deploy::Platform::envoy) {
    eo.module_filename = container ? in_container : m.path.string();
    eo.bind_all = false;  // host network: the addresses mean the same inside the container
    eo.version = version;
    target = std::make_unique<deploy::EnvoyTarget>(eo);
  } else if (platform == deploy::Platform::istio) {
    deploy::IstioOptions io = opts.istio;
    io.version = version;
    if (io.envoyfilter) {
      image.module_url = opts.module_url;
      if (image.module_url.empty() && m.detected && !m.detected->module_in_tar) {
        image.module_url = registry_blob_url(*m.ref, m.detected->module_blob, opts.registry, env);
        res.notes.push_back("the EnvoyFilter fetches the module from " + image.module_url);
      }
    }
    auto istio = std::make_unique<deploy::IstioTarget>(io);
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
      istio->set_pull_credentials(
          deploy::PullCredentials{auth::docker_key(m.ref->registry()), c->username, c->password});
    }
    target = std::move(istio);
    if (m.ref->registry() == "localhost" || m.ref->is_loopback())
      res.notes.push_back("the image is on a loopback registry (" + m.ref->registry() +
                          "): the mesh's istio-agent cannot reach it unless it runs there too; "
                          "set WASM_INSECURE_REGISTRIES for plain-HTTP registries");
  } else {
    deploy::GlooOptions go = opts.gloo;
    go.version = version;
    target = std::make_unique<deploy::GlooTarget>(go);
    res.notes.push_back(deploy::k_gloo_enterprise_warning);
  }
  check(target->check(plugin, image));
  for (auto& w : target->warnings(plugin, image)) warnings.push_back(w);

  // 7. Reachability: the registry serves what is pinned; the module URL needs no credentials.
  if (platform != deploy::Platform::envoy) {
    check_pin(opts, m, env, warnings);
    if (platform == deploy::Platform::istio && opts.istio.envoyfilter &&
        !image.module_url.empty() && opts.module_url.empty())
      check_module_url(opts, image.module_url, env, warnings);
  }

  // --strict: every warning is an error, before anything is written or applied.
  for (const auto& w : warnings) {
    rep.warn(w);
    res.warnings.push_back(w);
  }
  if (opts.strict && !warnings.empty())
    throw Error(Errc::validation,
                std::to_string(warnings.size()) +
                    " warning(s) and --strict is set: " + util::join(warnings, "; "),
                "fix them, or drop --strict; nothing was written");

  // 8. Render, then write / print / apply / run.
  deploy::Kubectl kubectl(env.runner.get(), opts.kubectl);
  std::optional<deploy::Json> base;
  std::string base_text;
  if (platform == deploy::Platform::envoy && !opts.bootstrap.empty()) {
    base = value_or_throw(load_document(opts.bootstrap, "bootstrap", &base_text));
  } else if (platform == deploy::Platform::gloo) {
    if (opts.apply)
      base = target->live_base(kubectl);
    else if (!opts.gateway_file.empty())
      base = value_or_throw(load_document(opts.gateway_file, "Gateway file"));
  }
  auto rendered = value_or_throw(target->render(plugin, image, base ? &*base : nullptr),
                                 opts.bootstrap.empty() ? "" : opts.bootstrap.string());
  for (const auto& n : rendered.notes) res.notes.push_back(n);
  res.yaml = rendered.yaml();
  if (!base_text.empty() && rendered.documents.size() == 1)  // keep the user's tags, anchors
    res.yaml = value_or_throw(deploy::patch_yaml_text(base_text, rendered.documents.front()),
                              opts.bootstrap.string());
  if (!opts.out.empty()) {
    write_out(opts.out, rendered, res.yaml);
    res.written = opts.out;
  }

  if (platform == deploy::Platform::envoy) {
    if (opts.run) run_local_envoy(opts, env, plugin, eo, m, rendered, res, container, in_container);
    return res;
  }
  if (opts.apply) {
    res.kubectl_output = target->apply(plugin, rendered, kubectl);
    res.applied = true;
  }
  for (const auto& c : kubectl.commands()) res.commands.push_back(util::shell_quote(c));
  return res;
}

UndeployResult undeploy(const UndeployOptions& opts, Env& env) {
  UndeployResult res;
  res.platform = deploy::to_string(opts.platform);
  res.name = opts.name;
  auto platform = opts.platform;
  deploy::Kubectl kubectl(env.runner.get(), opts.kubectl);
  deploy::Rendered removed;
  if (platform == deploy::Platform::envoy) {
    if (opts.bootstrap.empty())
      throw Error(Errc::usage, "ext undeploy envoy needs --bootstrap FILE",
                  "name the bootstrap `ext deploy envoy` wrote (-f); add -f FILE to rewrite it");
    std::string text;
    auto doc = value_or_throw(load_document(opts.bootstrap, "bootstrap", &text));
    removed = value_or_throw(deploy::EnvoyTarget::remove(std::move(doc), opts.name, opts.listener),
                             opts.bootstrap.string());
    res.notes = removed.notes;
    // Written back over the user's YAML: tags, anchors and aliases stay.
    res.yaml = value_or_throw(deploy::patch_yaml_text(text, removed.documents.front()),
                              opts.bootstrap.string());
  } else if (platform == deploy::Platform::istio) {
    check(deploy::validate_kube_name(opts.name, "NAME"));
    if (!opts.ns.empty()) check(deploy::validate_kube_namespace(opts.ns, "--namespace"));
    std::vector<std::vector<std::string>> would_run;
    res.notes = deploy::IstioTarget::remove(opts.name, opts.ns, kubectl, opts.dry_run, &would_run);
    for (auto& argv : would_run) {
      std::vector<std::string> full{opts.kubectl.program.empty() ? "kubectl"
                                                                 : opts.kubectl.program};
      if (!opts.kubectl.context.empty())
        full.insert(full.end(), {"--context", opts.kubectl.context});
      full.insert(full.end(), argv.begin(), argv.end());
      res.commands.push_back(util::shell_quote(full));
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
    removed = value_or_throw(deploy::GlooTarget::remove(std::move(gateway), opts.name));
    res.notes = removed.notes;
    res.yaml = removed.yaml();
    if (live && !opts.dry_run) res.kubectl_output = kubectl.replace(res.yaml);
    for (const auto& c : kubectl.commands()) res.commands.push_back(util::shell_quote(c));
    if (live) return res;
  }
  if (!opts.out.empty()) {
    write_out(opts.out, removed, res.yaml);
    res.written = opts.out;
  }
  return res;
}

}  // namespace ext::ops
