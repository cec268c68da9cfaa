#include "ext/build/assemblyscript_driver.hpp"

#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "ext/build/build_stamp.hpp"
#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"

namespace ext::build {

namespace fs = std::filesystem;

namespace {

// Bound on the project files walked for the compile unit's inputs (node_modules is skipped).
constexpr size_t k_max_inputs = 10000;
constexpr const char* k_install_hint =
    "apt-get install nodejs npm   (ext build then runs `npm ci` and the compiler from the "
    "project's node_modules: nothing is installed globally)";

std::optional<std::string> version_of(const fs::path& program, util::ProcessRunner& runner) {
  util::ProcessSpec spec;
  spec.argv = {program.string(), "--version"};
  spec.max_output = 64 * 1024;
  try {
    auto r = runner.run(spec);
    if (r.exit_code != 0) return std::nullopt;
    auto v = std::string(util::trim(r.out));
    if (v.empty() || v.find('\n') != std::string::npos) return std::nullopt;
    return v;
  } catch (const Error&) {
    return std::nullopt;
  }
}

// npm's version from its own package.json (npm is a node script: `npm --version` costs a node
// start, several hundred ms, on every build). The script lives in .../npm/bin/npm-cli.js.
std::optional<std::string> npm_version_from_package(const fs::path& npm) {
  std::error_code ec;
  auto real = fs::canonical(npm, ec);
  if (ec) return std::nullopt;
  for (auto dir = real.parent_path(); !dir.empty() && dir != dir.parent_path();
       dir = dir.parent_path()) {
    auto pkg = dir / "package.json";
    if (fs::is_regular_file(pkg, ec)) {
      try {
        auto j = nlohmann::json::parse(util::read_file(pkg, 1 << 20), nullptr, false);
        if (j.is_object() && j.value("name", "") == "npm" && j["version"].is_string())
          return j["version"].get<std::string>();
      } catch (const std::exception&) {
      }
      return std::nullopt;  // the nearest package.json is not npm's
    }
    if (dir.filename() == "node_modules") break;
  }
  return std::nullopt;
}

bool has(const std::string& s, std::string_view part) {
  return s.find(part) != std::string::npos;
}

// The project's sources for the compile unit: every .ts / .json file under `folder` (relative
// to the project), node_modules and build output left out.
std::vector<std::string> sources_under(const fs::path& project_dir, const fs::path& folder) {
  std::vector<std::string> out;
  std::error_code ec;
  fs::path root = project_dir / folder;
  if (!fs::is_directory(root, ec)) return out;
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    auto name = it->path().filename().string();
    if (it->is_directory(ec) && (name == "node_modules" || name == "build" || name[0] == '.')) {
      it.disable_recursion_pending();
      continue;
    }
    auto ext = it->path().extension().string();
    if (!it->is_regular_file(ec) || (ext != ".ts" && ext != ".json")) continue;
    out.push_back(fs::relative(it->path(), project_dir, ec).generic_string());
    if (out.size() >= k_max_inputs) break;
  }
  return out;
}

}  // namespace

NodeToolchainSearch NodeToolchainSearch::from_environment(const util::Environment& environment) {
  NodeToolchainSearch s;
  s.path_env = environment.path();
  return s;
}

Result<NodeToolchain> find_node_toolchain(const NodeToolchainSearch& search,
                                          util::ProcessRunner& runner) {
  auto node = util::find_program("node", search.path_env);
  if (!node) node = util::find_program("nodejs", search.path_env);
  auto npm = util::find_program("npm", search.path_env);
  std::vector<std::string> missing;
  if (!node) missing.push_back("node");
  if (!npm) missing.push_back("npm");
  if (!missing.empty())
    return fail(Errc::toolchain,
                "no " + util::join(missing, " and ") +
                    " on PATH: AssemblyScript filters build with npm and the compiler the "
                    "project pins in package.json",
                k_install_hint);
  NodeToolchain tc;
  tc.node = *node;
  tc.npm = *npm;
  auto nv = version_of(tc.node, runner);
  if (!nv) return fail(Errc::toolchain, tc.node.string() + " --version failed", k_install_hint);
  auto pv = npm_version_from_package(tc.npm);
  if (!pv) pv = version_of(tc.npm, runner);
  if (!pv) return fail(Errc::toolchain, tc.npm.string() + " --version failed", k_install_hint);
  tc.node_version = *nv;
  tc.npm_version = *pv;
  tc.description = "node " + tc.node_version + ", npm " + tc.npm_version + " (" +
                   tc.node.parent_path().string() + ")";
  return tc;
}

AssemblyScriptDriver::AssemblyScriptDriver(NodeToolchainSearch search)
    : m_search(std::move(search)) {}

DriverInfo AssemblyScriptDriver::info() const {
  return {project::Language::assemblyscript,
          "node + npm; the AssemblyScript compiler comes from the project's package-lock.json",
          "apt-get install nodejs npm"};
}

ToolchainStatus AssemblyScriptDriver::detect(util::ProcessRunner& runner) const {
  auto tc = find_node_toolchain(m_search, runner);
  if (!tc) return {false, tc.error().message(), tc.error().hint()};
  return {true, tc->description, ""};
}

fs::path AssemblyScriptDriver::output_path(const BuildRequest& req) const {
  return output_or(req, build_dir(req) / (req.project.name + ".wasm"));
}

BuildOutput AssemblyScriptDriver::build(const BuildRequest& req) {
  const auto& b = req.project.build;
  const fs::path& dir = req.project_dir;
  std::error_code ec;
  if (!fs::is_regular_file(dir / "package.json", ec))
    throw Error(Errc::not_found, "no package.json in " + dir.string(),
                "an AssemblyScript filter is an npm project: see `ext init --language "
                "assemblyscript`");
  if (!fs::is_regular_file(dir / "package-lock.json", ec))
    throw Error(Errc::not_found, "no package-lock.json in " + dir.string(),
                "ext build installs with `npm ci`, which needs the lock file: run `npm install "
                "--package-lock-only` once and keep package-lock.json with the project");
  std::string entry = b.sources.empty() ? std::string("assembly/index.ts") : b.sources.front();
  if (!fs::is_regular_file(dir / entry, ec))
    throw Error(Errc::not_found, "entry file " + entry + " does not exist",
                "the first of build.sources in ext.yaml is the compiler's entry file (default "
                "assembly/index.ts)");
  auto tc = find_node_toolchain(m_search, *req.runner).value();

  fs::path module = output_path(req);
  fs::path module_arg = b.output.empty() ? fs::path("build") / profile_name(req.release) /
                                               (req.project.name + ".wasm")
                                         : fs::path(b.output);
  const std::string identity = tc.node.string() + "\x1f" + tc.node_version + "\x1f" +
                               tc.npm.string() + "\x1f" + tc.npm_version;

  BuildOutput out;
  out.module = module;
  out.toolchain = tc.description + ", asc from node_modules";

  // node_modules serves both profiles: its unit lives beside them, in build/.
  auto deps_stamp_file = dir / "build" / "ext-npm-ci.json";
  auto deps_stamp = req.dry_run ? BuildStamp{} : BuildStamp::load(deps_stamp_file);
  auto stamp_file = stamp_path(req);
  auto stamp = req.dry_run ? BuildStamp{} : BuildStamp::load(stamp_file);
  // The compiler's shebang (#!/usr/bin/env node) finds the node we found.
  std::map<std::string, std::string> env = {
      {"PATH", tc.node.parent_path().string() + ":" + m_search.path_env},
      {"npm_config_update_notifier", "false"},
      {"npm_config_fund", "false"},
      {"npm_config_audit", "false"},
  };
  auto show = [&](const std::vector<std::string>& argv) {
    auto quoted = util::shell_quote(argv);
    out.commands.push_back(quoted);
    if (req.reporter) req.reporter->debug(1, "$ " + quoted);
  };
  auto run = [&](const std::vector<std::string>& argv) {
    util::ProcessSpec spec;
    spec.argv = argv;
    spec.cwd = dir;
    spec.env = env;
    return req.runner->run(spec);
  };

  // 1. Dependencies: npm ci when node_modules is missing or stale. --ignore-scripts: the
  // packages' install scripts do not run (neither the SDK nor the compiler has any).
  const fs::path asc = dir / "node_modules" / ".bin" / "asc";
  const std::vector<std::string> dep_inputs = {"package.json", "package-lock.json",
                                               "node_modules/.package-lock.json"};
  std::vector<std::string> ci = {tc.npm.string(), "ci", "--ignore-scripts", "--no-audit",
                                 "--no-fund"};
  auto ci_key = hash_hex(util::join(ci, "\x1f") + "\x1e" + identity);
  bool installed = false;
  if (req.dry_run || !deps_stamp.fresh("npm-ci", ci_key, dir) || !fs::exists(asc, ec)) {
    show(ci);
    if (!req.dry_run) {
      deps_stamp.forget("npm-ci");
      deps_stamp.save(deps_stamp_file);
      auto r = run(ci);
      if (r.exit_code != 0) {
        auto output = shown_output(r);
        std::string hint = "fix the error above and run `ext build` again";
        if (has(output, "ENOTFOUND") || has(output, "EAI_AGAIN") || has(output, "ECONNREFUSED") ||
            has(output, "ETIMEDOUT") || has(output, "ECONNRESET"))
          hint =
              "npm ci downloads what package-lock.json pins: it needs the npm registry (or a "
              "mirror set as `registry=` in .npmrc), or an npm cache that holds the packages";
        else if (has(output, "in sync") || has(output, "EUSAGE"))
          hint =
              "package.json and package-lock.json disagree: run `npm install` to update the "
              "lock file, then `ext build`";
        throw Error(Errc::toolchain,
                    "npm ci failed (exit " + std::to_string(r.exit_code) + "):\n" + output, hint);
      }
      if (!fs::exists(asc, ec))
        throw Error(Errc::toolchain, "npm ci finished but node_modules/.bin/asc is missing",
                    "add the AssemblyScript compiler your SDK supports to devDependencies, "
                    "pinned: npm install --save-dev --save-exact assemblyscript@VERSION");
      deps_stamp.record("npm-ci", ci_key, dep_inputs, dir);
      deps_stamp.save(deps_stamp_file);
    }
    installed = true;
  }

  // 2. Compile with the project's own asc.
  std::vector<std::string> argv = {asc.string(), entry, "-b", module_arg.string()};
  argv.push_back(req.release ? "--optimize" : "--debug");
  argv.insert(argv.end(), b.flags.begin(), b.flags.end());
  argv.insert(argv.end(), req.extra_args.begin(), req.extra_args.end());
  auto key = hash_hex(util::join(argv, "\x1f") + "\x1e" + identity);
  std::vector<std::string> inputs = sources_under(dir, fs::path(entry).parent_path());
  inputs.push_back(entry);
  inputs.insert(inputs.end(), dep_inputs.begin(), dep_inputs.end());
  inputs.push_back(module_arg.string());
  if (!req.dry_run && !installed && stamp.fresh("asc", key, dir) && fs::exists(module, ec)) {
    out.up_to_date = true;
    return out;
  }
  show(argv);
  if (req.dry_run) return out;
  stamp.forget("asc");
  fs::create_directories(module.parent_path(), ec);
  auto r = run(argv);
  auto output = shown_output(r);
  if (r.exit_code != 0)
    throw Error(Errc::toolchain,
                "compiling " + entry + " failed (asc exited with " + std::to_string(r.exit_code) +
                    "):\n" + output,
                "fix the error above and run `ext build` again");
  // The SDK's own sources draw warnings from the compiler on every build: shown at -v.
  if (!output.empty() && req.reporter) req.reporter->debug(1, output);
  if (!fs::is_regular_file(module, ec))
    throw Error(Errc::toolchain, "asc finished but did not write " + module.string(),
                "check build.flags in ext.yaml: -b/--binaryFile is set by ext build");
  stamp.record("asc", key, inputs, dir);
  stamp.save(stamp_file);
  return out;
}

}  // namespace ext::build
