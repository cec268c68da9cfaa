#include "ext/ops/init.hpp"

#include "ext/deploy/versions.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <map>

#include "ext/build/driver.hpp"
#include "ext/core/error.hpp"
#include "ext/core/version.hpp"
#include "ext/project/project_file.hpp"
#include "ext/scaffold/template_source.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "ext/util/strings.hpp"

namespace ext::ops {

namespace fs = std::filesystem;

namespace {

// The templates the Env names, or the default source (kept alive by `owned`).
const scaffold::TemplateSource& templates_of(Env& env,
                                             std::unique_ptr<scaffold::TemplateSource>& owned) {
  if (env.templates) return *env.templates;
  owned = scaffold::default_template_source(env.environment.value("EXT_TEMPLATES_DIR"));
  return *owned;
}

bool is_empty_dir(const fs::path& dir) {
  std::error_code ec;
  return fs::directory_iterator(dir, ec) == fs::directory_iterator();
}

}  // namespace

// The newest release ext knows for the platform (deploy/versions.hpp): the same release the
// default `deploy envoy --docker` image runs.
std::string default_platform_version(const std::string& platform) {
  auto p = platform == "istio"  ? deploy::Platform::istio
           : platform == "gloo" ? deploy::Platform::gloo
                                : deploy::Platform::envoy;
  return deploy::short_version(deploy::newest_known(p));
}

std::vector<TemplateEntry> list_templates(Env& env, bool detect) {
  std::unique_ptr<scaffold::TemplateSource> owned;
  std::vector<TemplateEntry> out;
  std::map<std::string, build::ToolchainStatus> probed;  // by language
  util::ProcessRunner& runner = env.runner.get();
  for (const auto& t : templates_of(env, owned).list()) {
    TemplateEntry e;
    e.id = t.id;
    e.language = t.language;
    e.name = t.name;
    e.kind = t.kind;
    e.sdk = t.sdk;
    e.description = t.description;
    auto lang = project::parse_language(t.language);
    if (lang) {
      auto driver = build::make_driver(*lang, env.environment);
      e.toolchain = driver->info().toolchain;
      if (detect) {
        auto it = probed.find(t.language);
        if (it == probed.end()) it = probed.emplace(t.language, driver->detect(runner)).first;
        e.toolchain_found = it->second.found;
        e.toolchain_status = it->second.description;
        e.toolchain_hint = it->second.hint;
      }
    } else if (detect) {
      e.toolchain_status = "no driver for language \"" + t.language + "\"";
    }
    out.push_back(std::move(e));
  }
  // Languages in the drivers' order (cpp first: the default), then by template name.
  auto rank = [](const std::string& language) {
    auto lang = project::parse_language(language);
    auto order = build::driver_languages();
    auto it = lang ? std::find(order.begin(), order.end(), *lang) : order.end();
    return static_cast<size_t>(it - order.begin());
  };
  std::stable_sort(out.begin(), out.end(), [&](const TemplateEntry& a, const TemplateEntry& b) {
    return rank(a.language) < rank(b.language);
  });
  return out;
}

InitResult init(const InitOptions& opts, Env& env) {
  std::unique_ptr<scaffold::TemplateSource> owned;
  const auto& source = templates_of(env, owned);

  InitResult r;
  r.templates_origin = source.origin();

  // Language and template.
  if (!opts.language.empty()) {
    auto lang = project::parse_language(opts.language);
    if (!lang || *lang == project::Language::custom) {
      std::vector<std::string> known;
      for (const auto& t : source.list())
        if (std::find(known.begin(), known.end(), t.language) == known.end())
          known.push_back(t.language);
      throw Error(Errc::invalid_argument, "unknown language \"" + opts.language + "\"",
                  "ext init knows: " + util::join(known, ", ") +
                      " (for anything else write ext.yaml with language: custom)");
    }
  }
  std::string tmpl = opts.template_name.empty() ? k_default_template : opts.template_name;
  std::string lang = opts.language == "c++" ? "cpp" : opts.language;
  if (lang.empty() && tmpl.find('/') == std::string::npos) lang = k_default_language;
  auto info = source.find(tmpl, lang).value();
  r.template_id = info.id;
  r.language = info.language;

  // Names.
  fs::path dir = opts.dir;
  if (dir.empty()) {
    if (opts.name.empty())
      throw Error(Errc::usage, "ext init needs a folder or --name",
                  "e.g. ext init my-filter --language cpp");
    dir = opts.name;
  }
  dir = fs::absolute(dir).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();  // "foo/" -> "foo"
  r.dir = dir;
  r.name = opts.name.empty() ? dir.filename().string() : opts.name;
  if (!project::is_valid_name(r.name))
    throw Error(
        Errc::invalid_argument,
        "\"" + r.name +
            "\" is not a valid filter name: it must work as an image name "
            "(lowercase letters and digits, separated by single '.', '_' or '-')",
        opts.name.empty() ? "name it with --name, e.g. --name my-filter" : "e.g. --name my-filter");
  r.root_id = opts.root_id.empty() ? project::root_id_from_name(r.name) : opts.root_id;
  if (!project::is_valid_root_id(r.root_id))
    throw Error(Errc::invalid_argument,
                "\"" + r.root_id + "\" is not a valid root id (letters, digits, '_', '.', '-')");
  r.platform = opts.platform.empty() ? k_default_platform : opts.platform;
  if (r.platform != "envoy" && r.platform != "istio" && r.platform != "gloo")
    throw Error(Errc::invalid_argument, "unknown platform \"" + r.platform + "\"",
                "use one of: envoy, istio, gloo");
  r.platform_version =
      opts.platform_version.empty() ? default_platform_version(r.platform) : opts.platform_version;

  // The folder: new, empty, or --force.
  std::error_code ec;
  if (fs::exists(dir, ec)) {
    if (!fs::is_directory(dir, ec))
      throw Error(Errc::already_exists, dir.string() + " exists and is not a folder");
    if (!opts.force && !is_empty_dir(dir))
      throw Error(Errc::already_exists, dir.string() + " is not empty",
                  "pick a new folder, or add --force to write the template files into it");
  }

  auto files = source.files(info.id).value();
  std::map<std::string, std::string> vars = {
      {"name", r.name},
      {"root_id", r.root_id},
      {"language", r.language},
      {"template", r.template_id},
      {"platform", r.platform},
      {"platform_version", r.platform_version},
      {"ext_version", std::string(ext::version())},
  };
  fs::create_directories(dir);
  for (const auto& f : files) {
    fs::path rel = fs::path(f.path).lexically_normal();
    if (rel.is_absolute() || rel.empty() || *rel.begin() == "..")
      throw Error(Errc::invalid_argument,
                  "template " + info.id + " holds a file outside the project: " + f.path);
    fs::path dest = dir / rel;
    fs::create_directories(dest.parent_path());
    util::write_file_atomic(dest, scaffold::render(f.data, vars), f.executable ? 0755 : 0644);
    r.files.push_back(rel.generic_string());
  }
  env.reporter.get().debug(1, "init: " + std::to_string(r.files.size()) + " files from " + info.id +
                                  " (" + r.templates_origin + ")");
  return r;
}

}  // namespace ext::ops
