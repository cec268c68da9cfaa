#include "ext/hub/server.hpp"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "ext/core/cancel.hpp"
#include "ext/core/error.hpp"
#include "ext/core/version.hpp"
#include "ext/digest/digest.hpp"
#include "ext/hub/assets.hpp"
#include "ext/hub/html.hpp"
#include "ext/hub/markdown.hpp"
#include "ext/hub/pages.hpp"
#include "ext/hub/security.hpp"
#include "ext/oci/descriptor.hpp"
#include "ext/ops/deploy.hpp"
#include "ext/ops/inspect.hpp"
#include "ext/ops/share.hpp"
#include "ext/ref/reference.hpp"
#include "ext/util/json.hpp"
#include "ext/util/strings.hpp"

namespace ext::hub {
namespace {

using json = nlohmann::json;
constexpr size_t k_max_versions = 30;     // tags read for a filter page
constexpr size_t k_max_body = 64u << 10;  // POST bodies
constexpr size_t k_max_details = 256;     // filter pages kept in memory

struct HttpError {
  int status;
  std::string message;
};

[[noreturn]] void http_fail(int status, std::string message) {
  throw HttpError{status, std::move(message)};
}

int status_for(const Error& e) {
  switch (e.code()) {
    case Errc::usage:
    case Errc::invalid_argument:
    case Errc::parse:
    case Errc::validation:
      return 400;
    case Errc::not_found:
      return 404;
    case Errc::auth:
      return 403;
    default:
      return 502;
  }
}

std::string message_of(const Error& e) {
  return e.hint().empty() ? e.message() : e.message() + " (" + e.hint() + ")";
}

// Fields of the deploy form, from the query or a POST body.
const char* const k_form_fields[] = {"ref",       "platform",         "name",
                                     "namespace", "selector",         "target_ref",
                                     "config",    "platform_version", "gateway"};

json form_of(const httplib::Request& req) {
  json form = json::object();
  for (const char* f : k_form_fields)
    if (req.has_param(f)) form[f] = req.get_param_value(f);
  return form;
}

std::string field(const json& form, const char* key) {
  auto it = form.find(key);
  return it != form.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A Kubernetes-friendly default name: the repository's last component.
std::string default_name(const std::string& repository) {
  auto base = repository.substr(repository.rfind('/') + 1);
  std::string out;
  for (char c : util::to_lower(base)) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      out += c;
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-') out.pop_back();
  return out.empty() ? "filter" : out.substr(0, 63);
}

bool has_tag_or_digest(const std::string& text) {
  auto slash = text.rfind('/');
  auto last = slash == std::string::npos ? text : text.substr(slash + 1);
  return last.find(':') != std::string::npos || last.find('@') != std::string::npos;
}

}  // namespace

struct Hub::Impl {
  HubOptions opts;
  ops::Env env;
  ListenAddress listen;
  std::string token;
  std::vector<std::string> origins;
  std::vector<std::string> registries;                    // normalized
  std::map<std::string, std::vector<std::string>> named;  // registry -> its --repo REGISTRY/REPO
  std::unique_ptr<Catalog> catalog;
  httplib::Server server;
  int port = 0;
  std::thread listener;
  std::thread refresher;
  std::mutex ops_mutex;  // one registry/store operation at a time (the store, the Env)
  std::mutex stop_mutex;
  std::condition_variable stop_cv;
  std::atomic<bool> stopping{false};
  bool started = false;

  // The unfiltered catalog page of the current snapshot, rendered once.
  std::mutex page_mutex;
  uint64_t page_generation = UINT64_MAX;
  std::string catalog_html;

  std::mutex details_mutex;
  std::map<std::string, std::pair<std::chrono::steady_clock::time_point, json>> details;

  PageContext page_context() const { return {token, opts.allow_apply}; }

  // ---- references the hub accepts: only in the registries it serves ----
  ref::Reference parse_ref(const std::string& text) {
    if (text.empty()) http_fail(400, "a reference is needed (ref=REGISTRY/REPOSITORY[:TAG])");
    auto r = ref::Reference::parse(text);
    if (!r) http_fail(400, r.error().message());
    auto reg = ops::normalize_registry(r->registry());
    for (const auto& mine : registries)
      if (mine == reg) return *r;
    http_fail(403, "the hub serves only " + util::join(registries, ", ") + ", not " + reg);
  }

  // REGISTRY/REPO[:TAG]: without a tag, the catalog's latest one; for a repository the catalog
  // does not list (a registry without the catalog API, a repository not named with --repo), the
  // newest of its tags (ops::version_tags, the order search picks the latest in).
  ref::Reference resolve(const std::string& text) {
    if (has_tag_or_digest(text)) return parse_ref(text);
    auto r = parse_ref(text);
    auto snap = catalog->snapshot();
    auto registry = ops::normalize_registry(r.registry());
    if (auto* hit = Catalog::find(*snap, registry, r.repository()))
      return parse_ref(text + ":" + hit->tag);
    try {
      std::lock_guard lock(ops_mutex);
      CollectingReporter rep(0);
      ops::Env e = env;
      e.reporter = rep;
      auto remote = ops::connect_remote(registry, opts.flags, e);
      auto tags = ops::version_tags(remote.client->tags(r.repository()));
      if (!tags.empty()) return parse_ref(text + ":" + tags.front());
    } catch (const Error&) {  // unreachable or unknown: the page says so with the tagless ref
    }
    return r;
  }

  // ---- the catalog ----
  json catalog_json(const CatalogSnapshot& s, const std::vector<size_t>& shown) {
    json filters = json::array();
    for (auto i : shown) filters.push_back(to_json(s.filters[i]));
    json regs = json::array();
    for (const auto& r : s.registries) regs.push_back(to_json(r));
    return {{"registries", regs},
            {"filters", filters},
            {"total", s.filters.size()},
            {"shown", shown.size()},
            {"generation", s.generation}};
  }

  static CatalogQuery query_of(const httplib::Request& req) {
    CatalogQuery q;
    q.q = req.get_param_value("q");
    q.type = req.get_param_value("type");
    q.abi = req.get_param_value("abi");
    q.platform = req.get_param_value("platform");
    q.license = req.get_param_value("license");
    for (auto* s : {&q.q, &q.type, &q.abi, &q.platform, &q.license})
      if (s->size() > 256) http_fail(400, "a search field is longer than 256 characters");
    if (!q.type.empty() && q.type != "http" && q.type != "network")
      http_fail(400, "type must be http or network");
    return q;
  }

  // ---- a filter: inspect (remote), README referrer, versions ----
  std::string read_readme(ops::Remote& remote, const ref::Reference& r, const oci::Descriptor& d) {
    auto fm = remote.client->get_manifest(r.repository(), d.digest.to_string());
    auto man = value_or_throw(oci::Manifest::parse(fm.bytes), "the README referrer");
    for (const auto& layer : man.layers) {
      if (layer.size < 0 || static_cast<uint64_t>(layer.size) > ops::k_max_readme_bytes)
        throw Error(Errc::validation, "the README is " + std::to_string(layer.size) +
                                          " bytes, over the limit of " +
                                          std::to_string(ops::k_max_readme_bytes));
      auto reader = remote.client->open_blob(r.repository(), layer);
      std::string text;
      char buf[16384];
      for (size_t n; (n = reader->read(buf, sizeof buf)) > 0;) {
        text.append(buf, n);
        if (text.size() > ops::k_max_readme_bytes)
          throw Error(Errc::validation, "the README blob is larger than its descriptor says");
      }
      if (digest::sha256(text) != layer.digest)
        throw Error(Errc::digest_mismatch, "the README blob does not match its digest");
      return text;
    }
    throw Error(Errc::not_found, "the README referrer has no layer");
  }

  json versions_json(ops::Remote& remote, const ref::Reference& r) {
    json out = json::array();
    auto tags = ops::version_tags(remote.client->tags(r.repository()));
    if (tags.size() > k_max_versions) tags.resize(k_max_versions);
    for (const auto& t : tags) {
      json v = {{"tag", t}};
      try {
        auto fm = remote.client->get_manifest(r.repository(), t);
        v["digest"] = fm.descriptor.digest.to_string();
        uint64_t size = 0;
        std::string created;
        if (auto m = oci::Manifest::parse(fm.bytes)) {
          size = static_cast<uint64_t>(std::max<int64_t>(0, m->config.size));
          for (const auto& l : m->layers)
            size += static_cast<uint64_t>(std::max<int64_t>(0, l.size));
          if (auto it = m->annotations.find("org.opencontainers.image.created");
              it != m->annotations.end())
            created = it->second;
        }
        v["size"] = size;
        v["created"] = created;
      } catch (const Error& e) {
        v["error"] = e.message();
      }
      out.push_back(v);
    }
    return out;
  }

  json filter_details(const std::string& text) {
    auto r = resolve(text);
    auto key = r.to_string();
    {
      std::lock_guard lock(details_mutex);
      auto it = details.find(key);
      if (it != details.end() &&
          std::chrono::steady_clock::now() - it->second.first < std::chrono::seconds(60))
        return it->second.second;
    }
    const auto registry = ops::normalize_registry(r.registry());
    json d = {{"reference", key},
              {"registry", registry},
              {"repository", r.repository()},
              {"tag", r.tag()}};
    json warnings = json::array();
    auto snap = catalog->snapshot();
    if (auto* hit = Catalog::find(*snap, registry, r.repository())) d["catalog"] = to_json(*hit);
    {
      std::lock_guard lock(ops_mutex);
      CollectingReporter rep(0);
      ops::Env e = env;
      e.reporter = rep;
      ops::InspectOptions io;
      io.target = key;
      io.side = ops::InspectSide::remote;
      io.flags = opts.flags;
      try {
        auto ins = ops::inspect(io, e);
        d["inspect"] = ins.to_json();
        for (const auto& ref : ins.referrers) {
          if (ref.artifact_type != ops::k_readme_artifact_type) continue;
          try {
            auto remote = ops::connect_remote(registry, opts.flags, e);
            auto md = read_readme(remote, r, ref);
            d["readme"] = md;
            d["readme_html"] = value_or_throw(render_markdown(md));
          } catch (const Error& x) {
            warnings.push_back("the README could not be read: " + x.message());
          }
          break;
        }
      } catch (const Error& x) {
        // A registry that went away: the page says so and shows what the catalog knows.
        warnings.push_back(registry + ": " + x.message());
        d["inspect"] = json::object();
      }
      try {
        auto remote = ops::connect_remote(registry, opts.flags, e);
        d["versions"] = versions_json(remote, r);
      } catch (const Error& x) {
        d["versions"] = json::array();
        warnings.push_back("the versions could not be read: " + x.message());
      }
      for (const auto& w : rep.of("warn")) warnings.push_back(w);
    }
    d["warnings"] = warnings;
    if (!d.contains("catalog") && d["inspect"].empty())
      http_fail(404, "no filter " + key + " in the catalog, and " + registry + " did not answer");
    if (warnings.empty()) {
      std::lock_guard lock(details_mutex);
      if (details.size() >= k_max_details) details.clear();
      details[key] = {std::chrono::steady_clock::now(), d};
    }
    return d;
  }

  // ---- deploy: ops::deploy renders, as `ext deploy PLATFORM REF ... -f FILE` does ----
  ops::DeployOptions deploy_options(const json& form) {
    ops::DeployOptions o;
    auto platform = field(form, "platform");
    if (platform.empty() || platform == "istio")
      o.platform = deploy::Platform::istio;
    else if (platform == "envoy")
      o.platform = deploy::Platform::envoy;
    else if (platform == "gloo")
      o.platform = deploy::Platform::gloo;
    else
      http_fail(400, "platform must be envoy, istio or gloo");
    for (const auto& [k, v] : form.items())
      if (v.is_string() && v.get<std::string>().size() > 16384)
        http_fail(400, k + " is longer than 16384 characters");
    auto r = resolve(field(form, "ref"));
    o.source = r.to_string();
    o.name = field(form, "name");
    if (o.name.empty()) o.name = default_name(r.repository());
    o.platform_version = field(form, "platform_version");
    o.config = field(form, "config");
    // "@file" would make the hub read a file of this machine for whoever sends the form.
    if (!o.config.empty() && o.config[0] == '@')
      http_fail(400, "the configuration is JSON text here (@FILE is for the command line)");
    o.registry = opts.flags;
    o.kubectl = opts.kubectl;
    o.project_dir = "/nonexistent-ext-hub-project";  // no ext.yaml of the hub's folder
    auto ns = field(form, "namespace");
    if (o.platform == deploy::Platform::istio) {
      o.istio.ns = ns;
      for (auto s : util::split(field(form, "selector"), ',')) {
        auto t = std::string(util::trim(s));
        if (t.empty()) continue;
        auto eq = t.find('=');
        if (eq == std::string::npos || eq == 0)
          http_fail(400, "a selector is KEY=VALUE, got \"" + t + "\"");
        o.istio.selector.emplace_back(t.substr(0, eq), t.substr(eq + 1));
      }
      auto target = std::string(util::trim(field(form, "target_ref")));
      if (!target.empty()) o.istio.target_refs.push_back(target);
    } else if (o.platform == deploy::Platform::gloo) {
      if (!ns.empty()) o.gloo.ns = ns;
      auto gw = field(form, "gateway");
      if (!gw.empty()) o.gloo.gateway = gw;
    }
    return o;
  }

  static std::vector<std::string> command_of(const ops::DeployOptions& o, const json& form,
                                             const std::string& file) {
    std::vector<std::string> argv = {"ext",    "deploy", deploy::to_string(o.platform),
                                     o.source, "--name", o.name};
    auto ns = field(form, "namespace");
    if (!ns.empty() && o.platform != deploy::Platform::envoy) argv.insert(argv.end(), {"-n", ns});
    if (o.platform == deploy::Platform::istio) {
      for (const auto& [k, v] : o.istio.selector)
        argv.insert(argv.end(), {"--selector", k + "=" + v});
      for (const auto& t : o.istio.target_refs) argv.insert(argv.end(), {"--target-ref", t});
    }
    if (o.platform == deploy::Platform::gloo && !field(form, "gateway").empty())
      argv.insert(argv.end(), {"--gateway", field(form, "gateway")});
    if (!o.platform_version.empty())
      argv.insert(argv.end(), {"--platform-version", o.platform_version});
    if (!o.config.empty()) argv.insert(argv.end(), {"--config", o.config});
    if (!file.empty()) argv.insert(argv.end(), {"-f", file});
    return argv;
  }

  json render_deploy(const json& form) {
    auto o = deploy_options(form);
    ops::DeployResult r;
    CollectingReporter rep(0);
    {
      std::lock_guard lock(ops_mutex);
      ops::Env e = env;
      e.reporter = rep;
      r = ops::deploy(o, e);
    }
    std::string file = o.name + ".yaml";
    std::string query;
    for (const auto& [k, v] : form.items())
      if (v.is_string() && !v.get<std::string>().empty())
        query += (query.empty() ? "" : "&") + k + "=" + url_encode(v.get<std::string>());
    return {{"platform", r.platform},
            {"name", r.name},
            {"reference", r.reference},
            // The --json vocabulary of `ext deploy` (docs/json.md "Vocabulary").
            {"digest", r.manifest_digest.empty() ? json(nullptr) : json(r.manifest_digest)},
            {"module_digest", r.module_sha256.empty() ? json(nullptr)
                              : r.module_sha256.rfind("sha256:", 0) == 0
                                  ? json(r.module_sha256)
                                  : json("sha256:" + r.module_sha256)},
            {"abi", r.abi_version.empty()     ? json(nullptr)
                    : r.abi_version[0] == 'v' ? json(r.abi_version)
                                              : json("v" + r.abi_version)},
            {"filter_type", r.filter_type},
            {"platform_version", r.platform_version},
            {"yaml", r.yaml},
            {"command", util::shell_quote(command_of(o, form, file))},
            {"argv", command_of(o, form, file)},
            {"file_name", file},
            {"download", "/deploy/download?" + query},
            {"notes", r.notes},
            {"warnings", r.warnings}};
  }

  // ---- apply (--allow-apply): the kubectl context and namespace, then ops::deploy --apply ----
  json apply_target(const ops::DeployOptions& o) {
    auto& runner = env.runner.get();
    std::vector<std::string> base = {o.kubectl.program};
    if (!o.kubectl.context.empty()) base.insert(base.end(), {"--context", o.kubectl.context});
    std::string context = o.kubectl.context;
    if (context.empty()) {
      util::ProcessSpec spec;
      spec.argv = {o.kubectl.program, "config", "current-context"};
      auto res = runner.run(spec);
      if (res.exit_code != 0)
        throw Error(Errc::failed,
                    "kubectl config current-context failed: " + std::string(util::trim(res.err)));
      context = std::string(util::trim(res.out));
    }
    std::string ns = o.platform == deploy::Platform::gloo ? o.gloo.ns : o.istio.ns;
    if (ns.empty()) {
      util::ProcessSpec spec;
      spec.argv = base;
      spec.argv.insert(spec.argv.end(),
                       {"config", "view", "--minify", "-o", "jsonpath={..namespace}"});
      auto res = runner.run(spec);
      ns = res.exit_code == 0 ? std::string(util::trim(res.out)) : "";
      if (ns.empty()) ns = "default";
    }
    return {{"context", context}, {"namespace", ns}};
  }

  // Returns {needs_confirm, target, yaml, result}.
  json apply(json form, const std::string& confirm) {
    if (!opts.allow_apply) http_fail(404, "not found");
    auto o = deploy_options(form);
    if (o.platform == deploy::Platform::envoy)
      http_fail(400, "envoy is not applied to a cluster: run the command shown instead");
    json target;
    {
      std::lock_guard lock(ops_mutex);
      target = apply_target(o);
    }
    auto expected =
        target["context"].get<std::string>() + "/" + target["namespace"].get<std::string>();
    if (confirm != expected) {
      auto preview = render_deploy(form);
      return {{"confirm_needed", true},
              {"target", target},
              {"confirm", expected},
              {"yaml", preview["yaml"]}};
    }
    o.apply = true;
    if (o.platform == deploy::Platform::istio && o.istio.ns.empty())
      o.istio.ns = target["namespace"].get<std::string>();
    CollectingReporter rep(0);
    ops::DeployResult r;
    {
      std::lock_guard lock(ops_mutex);
      ops::Env e = env;
      e.reporter = rep;
      r = ops::deploy(o, e);
    }
    return {{"confirm_needed", false}, {"target", target},
            {"applied", r.applied},    {"yaml", r.yaml},
            {"commands", r.commands},  {"kubectl_output", r.kubectl_output},
            {"warnings", r.warnings}};
  }

  // ---- guards ----
  void check_post(const httplib::Request& req, const std::string& body_token) {
    if (!origin_allowed(req.get_header_value("Origin"), req.get_header_value("Referer"), origins))
      http_fail(403, "cross-origin request refused (Origin must be the hub's own)");
    auto t = req.get_header_value("X-Hub-Token");
    if (t.empty()) t = body_token;
    if (!token_equal(t, token)) http_fail(403, "missing or wrong token");
  }

  // ---- routing ----
  void send_html(httplib::Response& res, std::string body, int status = 200) {
    res.status = status;
    res.set_content(std::move(body), "text/html; charset=utf-8");
  }
  void send_json(httplib::Response& res, const json& j, int status = 200) {
    res.status = status;
    res.set_content(j.dump(), "application/json");
  }

  template <class F>
  httplib::Server::Handler page(F f) {
    return [this, f](const httplib::Request& req, httplib::Response& res) {
      try {
        f(req, res);
      } catch (const HttpError& e) {
        send_html(res, error_page(e.status, e.message, page_context()), e.status);
      } catch (const Error& e) {
        send_html(res, error_page(status_for(e), message_of(e), page_context()), status_for(e));
      }
    };
  }

  template <class F>
  httplib::Server::Handler api(F f) {
    return [this, f](const httplib::Request& req, httplib::Response& res) {
      res.set_header("Cache-Control", "no-store");
      try {
        f(req, res);
      } catch (const HttpError& e) {
        send_json(res, {{"error", e.message}}, e.status);
      } catch (const Error& e) {
        send_json(res, {{"error", message_of(e)}, {"code", to_string(e.code())}}, status_for(e));
      }
    };
  }

  // GET routes by exact path, dispatched in the pre-routing handler: httplib matches its routes
  // with std::regex, which is kept to the three literal POST paths below.
  std::map<std::string, httplib::Server::Handler> gets;

  void routes() {
    auto Get = [this](const std::string& path, httplib::Server::Handler h) {
      gets[path] = std::move(h);
    };
    server.set_payload_max_length(k_max_body);
    server.set_default_headers({{"Content-Security-Policy", k_csp},
                                {"X-Content-Type-Options", "nosniff"},
                                {"X-Frame-Options", "DENY"},
                                {"Referrer-Policy", "same-origin"},
                                {"Cross-Origin-Resource-Policy", "same-origin"}});
    server.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!host_allowed(req.get_header_value("Host"), origins)) {
        res.status = 421;
        res.set_content("this hub answers as " + origins.front() + " only\n", "text/plain");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (req.method == "GET" || req.method == "HEAD") {
        auto it = gets.find(req.path);
        if (it == gets.end()) {
          res.status = 404;
          if (req.path.rfind("/api/", 0) == 0)
            send_json(res, {{"error", "not found"}}, 404);
          else
            send_html(res, error_page(404, "not found", page_context()), 404);
        } else {
          it->second(req, res);
        }
        return httplib::Server::HandlerResponse::Handled;
      }
      return httplib::Server::HandlerResponse::Unhandled;
    });
    server.set_error_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!res.body.empty()) return;
      // httplib's own refusals: 404, 400 (a POST without Content-Length), 413 (over 64 KiB).
      std::string why = res.status == 404 ? "not found"
                        : res.status == 413
                            ? "the request body is over 64 KiB"
                            : "request refused (HTTP " + std::to_string(res.status) +
                                  "; a POST needs a Content-Length)";
      if (req.path.rfind("/api/", 0) == 0)
        send_json(res, {{"error", why}}, res.status);
      else
        send_html(res, error_page(res.status, why, page_context()), res.status);
    });

    for (std::string name : {"hub.css", "hub.js"}) {
      Get("/static/" + name, [name](const httplib::Request&, httplib::Response& res) {
        auto body = asset(name);
        if (!body) {
          res.status = 404;
          return;
        }
        res.set_header("Cache-Control", "max-age=300");
        res.set_content(std::string(*body), name.ends_with(".css")
                                                ? "text/css; charset=utf-8"
                                                : "text/javascript; charset=utf-8");
      });
    }

    Get("/", page([this](const httplib::Request& req, httplib::Response& res) {
          auto q = query_of(req);
          auto snap = catalog->snapshot();
          if (q.empty()) {
            std::lock_guard lock(page_mutex);
            if (page_generation != snap->generation) {
              catalog_html = catalog_page(*snap, select(*snap, q), q, page_context());
              page_generation = snap->generation;
            }
            send_html(res, catalog_html);
            return;
          }
          send_html(res, catalog_page(*snap, select(*snap, q), q, page_context()));
        }));
    Get("/filter", page([this](const httplib::Request& req, httplib::Response& res) {
          send_html(res, filter_page(filter_details(req.get_param_value("ref")), page_context()));
        }));
    Get("/deploy", page([this](const httplib::Request& req, httplib::Response& res) {
          auto form = form_of(req);
          auto r = resolve(field(form, "ref"));
          form["ref"] = r.to_string();
          if (field(form, "name").empty()) form["name"] = default_name(r.repository());
          if (field(form, "platform").empty()) form["platform"] = "istio";
          json result;
          std::string error;
          if (req.has_param("platform")) {  // the form was sent
            try {
              result = render_deploy(form);
            } catch (const Error& e) {
              error = message_of(e);
            }
          }
          send_html(res, deploy_page(form, result, error, page_context()),
                    error.empty() ? 200 : 400);
        }));
    Get("/deploy/download", page([this](const httplib::Request& req, httplib::Response& res) {
          auto r = render_deploy(form_of(req));
          res.set_header("Content-Disposition",
                         "attachment; filename=\"" + r["file_name"].get<std::string>() + "\"");
          res.set_content(r["yaml"].get<std::string>(), "application/yaml");
        }));
    server.Post("/deploy/apply", page([this](const httplib::Request& req, httplib::Response& res) {
                  if (!opts.allow_apply)
                    http_fail(404, "not found (start the hub with --allow-apply)");
                  check_post(req, req.get_param_value("token"));
                  auto form = form_of(req);
                  json out;
                  try {
                    out = apply(form, req.get_param_value("confirm"));
                  } catch (const Error& e) {
                    send_html(res, applied_page(json(), message_of(e), page_context()),
                              status_for(e));
                    return;
                  }
                  if (out["confirm_needed"].get<bool>())
                    send_html(res, confirm_page(form, out["target"], out["yaml"].get<std::string>(),
                                                page_context()));
                  else
                    send_html(res, applied_page(out, "", page_context()));
                }));

    Get("/api/info", api([this](const httplib::Request&, httplib::Response& res) {
          send_json(res, {{"version", version()},
                          {"registries", registries},
                          {"allow_apply", opts.allow_apply},
                          {"url", origins.front() + "/"}});
        }));
    Get("/api/catalog", api([this](const httplib::Request& req, httplib::Response& res) {
          auto q = query_of(req);
          auto snap = catalog->snapshot();
          send_json(res, catalog_json(*snap, select(*snap, q)));
        }));
    Get("/api/filter", api([this](const httplib::Request& req, httplib::Response& res) {
          send_json(res, filter_details(req.get_param_value("ref")));
        }));
    Get("/api/versions", api([this](const httplib::Request& req, httplib::Response& res) {
          auto r = parse_ref(req.get_param_value("ref"));
          std::lock_guard lock(ops_mutex);
          auto remote = ops::connect_remote(ops::normalize_registry(r.registry()), opts.flags, env);
          send_json(res, {{"registry", ops::normalize_registry(r.registry())},
                          {"repository", r.repository()},
                          {"versions", versions_json(remote, r)}});
        }));
    Get("/api/deploy", api([this](const httplib::Request& req, httplib::Response& res) {
          send_json(res, render_deploy(form_of(req)));
        }));
    server.Post("/api/refresh", api([this](const httplib::Request& req, httplib::Response& res) {
                  check_post(req, "");
                  catalog->refresh();
                  {
                    std::lock_guard lock(details_mutex);
                    details.clear();
                  }
                  auto snap = catalog->snapshot();
                  json regs = json::array();
                  for (const auto& r : snap->registries) regs.push_back(to_json(r));
                  send_json(res, {{"registries", regs}, {"total", snap->filters.size()}});
                }));
    server.Post("/api/apply", api([this](const httplib::Request& req, httplib::Response& res) {
                  if (!opts.allow_apply) http_fail(404, "not found");
                  auto body = util::parse_json(req.body);
                  if (!body || !body->is_object()) http_fail(400, "the body must be a JSON object");
                  check_post(req, body->value("token", ""));
                  json form = json::object();
                  for (const char* f : k_form_fields)
                    if (body->contains(f) && (*body)[f].is_string()) form[f] = (*body)[f];
                  auto out = apply(form, body->value("confirm", ""));
                  send_json(res, out, out["confirm_needed"].get<bool>() ? 409 : 200);
                }));
  }
};

Hub::Hub(HubOptions opts, ops::Env env) : m(std::make_unique<Impl>()) {
  m->opts = std::move(opts);
  m->env = std::move(env);
  if (m->opts.registries.empty() && m->opts.repositories.empty())
    throw Error(Errc::usage, "ext hub needs --registry R (or --repo REGISTRY/REPO)",
                "e.g. ext hub --registry localhost:5000");
  auto serve = [this](const std::string& r) {
    auto n = ops::normalize_registry(r);
    if (std::find(m->registries.begin(), m->registries.end(), n) == m->registries.end())
      m->registries.push_back(n);
    return n;
  };
  for (const auto& r : m->opts.registries) serve(r);
  // --repo REGISTRY/REPO: the same split as ext search (ops::search), checked before anything
  // is read.
  for (const auto& text : m->opts.repositories) {
    auto slash = text.find('/');
    if (slash == std::string::npos || slash == 0 || slash + 1 >= text.size())
      throw Error(Errc::usage, "--repo " + text + " is not REGISTRY/REPOSITORY",
                  "e.g. --repo ghcr.io/acme/jwt-filter");
    m->named[serve(text.substr(0, slash))].push_back(text);
  }
  m->listen = value_or_throw(parse_listen(m->opts.listen));
  m->token = new_token();
  CatalogSource source = m->opts.source;
  if (!source) {
    source = [impl = m.get()](const std::string& registry) {
      ops::SearchOptions so;
      so.registries = {registry};
      // A registry without the catalog API is read through the repositories named in it.
      if (auto it = impl->named.find(registry); it != impl->named.end())
        so.repositories = it->second;
      so.flags = impl->opts.flags;
      so.max_age_seconds = impl->opts.max_age_seconds;
      std::lock_guard lock(impl->ops_mutex);
      CollectingReporter rep(0);
      ops::Env e = impl->env;
      e.reporter = rep;
      return ops::search(so, e);
    };
  }
  m->catalog = std::make_unique<Catalog>(m->registries, std::move(source));
}

Hub::~Hub() {
  stop();
}

void Hub::start() {
  if (m->started) return;
  m->catalog->refresh();
  m->routes();
  auto& s = m->server;
  if (m->listen.port == 0) {
    m->port = s.bind_to_any_port(m->listen.host);
  } else {
    m->port = s.bind_to_port(m->listen.host, m->listen.port) ? m->listen.port : -1;
  }
  if (m->port <= 0)
    throw Error(Errc::io, "cannot listen on " + m->opts.listen,
                "is another program using the port? --listen 127.0.0.1:0 picks a free one");
  m->origins = own_origins(m->listen, m->port);
  m->started = true;
  m->listener = std::thread([impl = m.get()] { impl->server.listen_after_bind(); });
  for (int i = 0; i < 500 && !s.is_running(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  if (m->opts.refresh_seconds > 0) {
    m->refresher = std::thread([impl = m.get()] {
      std::unique_lock lock(impl->stop_mutex);
      while (!impl->stopping) {
        if (impl->stop_cv.wait_for(lock, std::chrono::seconds(impl->opts.refresh_seconds),
                                   [impl] { return impl->stopping.load(); }))
          break;
        lock.unlock();
        try {
          impl->catalog->refresh();
        } catch (...) {  // the catalog keeps what it has; the banner says why
        }
        lock.lock();
      }
    });
  }
}

int Hub::port() const {
  return m->port;
}

std::string Hub::url() const {
  return m->origins.empty() ? std::string() : m->origins.front() + "/";
}

const std::string& Hub::token() const {
  return m->token;
}

bool Hub::loopback() const {
  return m->listen.loopback();
}

std::string Hub::listen_warning() const {
  return hub::listen_warning(m->listen, m->opts.listen, m->opts.allow_apply);
}

void Hub::wait() {
  while (!m->stopping && !interrupted() && m->server.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  stop();
}

void Hub::stop() {
  {
    std::lock_guard lock(m->stop_mutex);
    m->stopping = true;
  }
  m->stop_cv.notify_all();
  if (m->started) m->server.stop();
  if (m->listener.joinable()) m->listener.join();
  if (m->refresher.joinable()) m->refresher.join();
}

Catalog& Hub::catalog() {
  return *m->catalog;
}

}  // namespace ext::hub
