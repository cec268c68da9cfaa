#include "ext/ops/test.hpp"

#include "ext/artifact/artifact.hpp"
#include "ext/core/error.hpp"
#include "ext/host/vm.hpp"
#include "ext/ops/build_project.hpp"
#include "ext/ops/inspect.hpp"
#include "ext/project/project_file.hpp"
#include "ext/store/oci_layout_store.hpp"
#include "ext/testing/report.hpp"
#include "ext/util/files.hpp"

namespace ext::ops {

namespace fs = std::filesystem;

TestResult test(const TestOptions& opts, Env& env) {
  TestResult r;
  std::string target = opts.target.empty() ? "." : opts.target;
  testing::RunOptions run_opts;
  run_opts.repeat = opts.repeat;
  std::vector<fs::path> spec_paths = opts.specs;
  std::string module_bytes;
  std::error_code ec;

  if (fs::is_directory(target, ec)) {
    r.source_kind = "project";
    auto project = project::load_project(target);
    if (!project) throw project.error();
    run_opts.default_root_id = project->root_id;
    if (!project->config.empty()) run_opts.default_configuration = project->config;
    // The Envoy release the host emulates: ext.yaml's platform_version for an Envoy project
    // (docs/test-spec.md "Envoy versions"); other platforms embed Envoy of their own version.
    if (project->platform == "envoy") run_opts.default_envoy_version = project->platform_version;
    if (spec_paths.empty()) {
      for (const auto& t : project->tests) spec_paths.push_back(fs::path(target) / t);
      if (spec_paths.empty())
        throw Error(Errc::not_found,
                    "no test specs: " + (fs::path(target) / "ext.yaml").string() +
                        " lists no tests: and no -f was given",
                    "add `tests: [tests/filter.test.yaml]` to ext.yaml or pass -f SPEC");
    }
    BuildOptions b;
    b.dir = target;
    b.release = opts.release;
    b.package_by_name = false;  // test what was built; packaging is ext build's
    env.reporter.get().info("building " + target);
    auto built = build_project(b, env);
    r.module = built.module;
    module_bytes = util::read_file(r.module);
  } else if (fs::is_regular_file(target, ec)) {
    r.source_kind = "file";
    r.module = target;
    module_bytes = util::read_file(r.module);
  } else if (names_a_path(target)) {
    throw missing_path(target);
  } else {
    r.source_kind = "image";
    store::OciLayoutStore store(env.store_root);
    auto img = open_local_image(store, target);
    if (!img.detected)
      throw Error(Errc::unsupported, img.reference.to_string() + ": " +
                                         artifact::not_wasm_message(img.not_wasm_reason));
    if (img.detected->runtime_config && !img.detected->runtime_config->root_ids.empty())
      run_opts.default_root_id = img.detected->runtime_config->root_ids.front();
    util::TempDir tmp("ext-test-");
    auto path = tmp.path() / "plugin.wasm";
    artifact::extract_module(store, *img.detected, path);
    module_bytes = util::read_file(path);
    r.module = img.reference.to_string();
  }
  if (spec_paths.empty())
    throw Error(Errc::usage, "no test spec for " + target, "pass one or more -f SPEC.test.yaml");

  std::vector<testing::Spec> specs;
  for (const auto& p : spec_paths) {
    auto s = testing::load_spec(p);
    if (!s) throw s.error();
    specs.push_back(std::move(*s));
    r.spec_files.push_back(p.string());
  }

  // A module Envoy would refuse to load cannot run any case: that is an error, not a report.
  {
    host::HostState probe{host::HostConfig{}};
    auto vm = host::Vm::load(module_bytes, probe);
    if (!vm) throw vm.error().with_context(r.module.string());
    r.report.abi_version = host::to_string((*vm)->abi());
  }
  auto abi = r.report.abi_version;
  r.report = testing::run(module_bytes, specs, run_opts);
  r.report.abi_version = abi;
  r.report.module = r.module.string();
  if (!opts.junit.empty()) util::write_file_atomic(opts.junit, testing::render_junit(r.report));
  return r;
}

}  // namespace ext::ops
