// ext build [DIR]: load ext.yaml, compile with the project's driver (lib/ext/build), validate
// the module (errors fail the build with the rule that failed; docs/validate.md), and package it
// into the local store with -t or ext.yaml's `image:` (ops::package_module writes the ABI found
// in the module into the runtime config).
#include "ext/ops/build_project.hpp"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ext/artifact/artifact.hpp"
#include "ext/build/driver.hpp"
#include "ext/core/error.hpp"
#include "ext/project/project_file.hpp"
#include "ext/wasm/module.hpp"

namespace ext::ops {

namespace fs = std::filesystem;

std::map<std::string, std::string> project_annotations(const project::ProjectFile& project) {
  // OCI image-spec v1.1.1 annotations.md (opencontainers/image-spec de7a13cc) pre-defined keys.
  std::map<std::string, std::string> a;
  auto put = [&a](const char* key, const std::string& v) {
    if (!v.empty()) a[key] = v;
  };
  put(artifact::k_description_annotation, project.description);
  std::string authors;
  for (const auto& x : project.authors) authors += (authors.empty() ? "" : ", ") + x;
  put(artifact::k_authors_annotation, authors);
  put(artifact::k_licenses_annotation, project.license);
  put(artifact::k_url_annotation, project.homepage);
  put(artifact::k_source_annotation, project.source);
  put(artifact::k_documentation_annotation, project.documentation);
  std::string keywords;
  for (const auto& k : project.keywords) keywords += (keywords.empty() ? "" : ",") + k;
  put(artifact::k_keywords_annotation, keywords);
  nlohmann::json ids = nlohmann::json::array({project.root_id});
  a[artifact::k_root_ids_annotation] = ids.dump();
  if (!project.platform.empty())
    put(artifact::k_platforms_annotation,
        project.platform +
            (project.platform_version.empty() ? "" : "@" + project.platform_version));
  return a;
}

BuildResult build_project(const BuildOptions& opts, Env& env) {
  fs::path dir = fs::absolute(opts.dir.empty() ? fs::path(".") : opts.dir).lexically_normal();
  if (dir.filename().empty()) dir = dir.parent_path();
  auto project = project::load_project(dir).value();

  build::BuildRequest req;
  req.project_dir = dir;
  req.project = project;
  req.release = opts.release;
  req.dry_run = opts.dry_run;
  req.extra_args = opts.extra_args;
  req.offline = opts.offline;
  req.reporter = &env.reporter.get();
  req.runner = &env.runner.get();

  auto driver = build::make_driver(project.language, env.environment);
  auto built = with_context("building " + project.name, [&] { return driver->build(req); });

  BuildResult r;
  r.commands = built.commands;
  r.up_to_date = built.up_to_date;
  r.module = built.module;
  if (opts.dry_run) return r;

  auto info = wasm::read_module_file(built.module);
  if (!info)
    throw info.error().with_context("building " + project.name + ": reading " +
                                    built.module.string());
  // Package: -t, else ext.yaml's image: tagged with the version, else ext.yaml's name tagged
  // with the version (as `docker build -t NAME` would: docker.io/library/NAME). Every build
  // that succeeds leaves an image in the store.
  std::vector<std::string> refs = opts.refs;
  const bool implicit_name = refs.empty() && project.image.empty() && opts.package_by_name;
  if (refs.empty() && !project.image.empty()) {  // (ext test too: as before)
    auto last_slash = project.image.rfind('/');
    bool has_tag = project.image.find(':', last_slash == std::string::npos ? 0 : last_slash) !=
                       std::string::npos ||
                   project.image.find('@') != std::string::npos;
    refs.push_back(has_tag ? project.image : project.image + ":" + project.version);
  } else if (implicit_name) {
    refs.push_back(project.name + ":" + project.version);
  }

  // A release build strips the module (names included) on purpose: not worth a warning.
  std::vector<std::string> expected_rules;
  if (opts.release) expected_rules.push_back("name-section");
  auto findings = wasm::validate(*info);
  std::string errors;
  for (const auto& f : findings) {
    bool expected =
        f.severity == wasm::Severity::info ||
        std::find(expected_rules.begin(), expected_rules.end(), f.rule) != expected_rules.end();
    if (f.severity == wasm::Severity::error) {
      errors += "\n  " + f.rule + ": " + f.message;
    } else if (refs.empty()) {  // when packaging, package_module reports them
      if (expected)
        env.reporter.get().debug(1, f.rule + ": " + f.message + " (expected: release build)");
      else
        env.reporter.get().warn(f.rule + ": " + f.message);
    }
  }
  if (wasm::has_errors(findings))
    throw Error(Errc::validation,
                "building " + project.name + ": " + built.module.string() +
                    " is not a valid proxy-wasm module:" + errors,
                "Envoy would refuse to load it; `ext validate " + built.module.string() +
                    "` shows every finding");
  r.size = info->size;
  r.module_sha256 = info->sha256;
  r.abi_version = info->abi_version;

  // The filter type: ext.yaml's, or the exports' when they say one thing; an SDK build exports
  // both sets, and then the project must say which (never guessed).
  std::optional<wasm::FilterKind> declared;
  if (!project.filter_type.empty()) declared = wasm::parse_filter_type(project.filter_type).value();
  const char* how = "add `filter_type: http` (or network) to ext.yaml";
  auto kind = wasm::resolve_filter_type(*info, declared, how);
  if (kind) {
    r.filter_type = wasm::to_string(*kind);
  } else if (refs.empty()) {
    env.reporter.get().warn(kind.error().message() + "; " + how + " before packaging");
  } else if (implicit_name) {
    // Nobody asked for an image: the module is still useful (ext test, ext validate). Its
    // validation warnings (package_module would have reported them) are said here.
    for (const auto& f : findings) {
      if (f.severity != wasm::Severity::warning) continue;
      if (std::find(expected_rules.begin(), expected_rules.end(), f.rule) != expected_rules.end())
        env.reporter.get().debug(1, f.rule + ": " + f.message + " (expected: release build)");
      else
        env.reporter.get().warn(f.rule + ": " + f.message);
    }
    env.reporter.get().warn("built " + built.module.string() +
                            " without packaging it: " + kind.error().message() + "; " + how +
                            ", then `ext build` packages it as " + refs.front());
    return r;
  } else {
    throw kind.error().with_context("building " + project.name);
  }

  if (refs.empty()) return r;

  PackageOptions p;
  p.module = built.module;
  p.refs = refs;
  if (!opts.format.empty()) p.format = opts.format;
  p.root_ids = {project.root_id};  // "" stays the empty root id
  p.filter_type = r.filter_type;
  p.filter_type_how = how;
  p.expected_rules = expected_rules;
  p.annotations["org.opencontainers.image.title"] = project.name;
  if (!project.version.empty()) p.annotations["org.opencontainers.image.version"] = project.version;
  for (const auto& [k, v] : project_annotations(project)) p.annotations[k] = v;
  r.package = package_module(p, env);
  if (implicit_name)
    env.reporter.get().info("packaged under ext.yaml's name and version (" + refs.front() +
                            "); name it with -t REF or `image:` in ext.yaml");
  return r;
}

}  // namespace ext::ops
