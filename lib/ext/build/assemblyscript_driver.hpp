// ext::build — AssemblyScriptDriver: a filter written in AssemblyScript (an npm project with a
// package.json and a package-lock.json, e.g. `ext init --language assemblyscript`), built with
// the compiler the project pins, from its own node_modules: nothing is installed globally.
//   1. `npm ci --ignore-scripts --no-audit --no-fund` when node_modules is missing or stale
//      against package.json / package-lock.json (npm's node_modules/.package-lock.json moved);
//   2. `node_modules/.bin/asc ENTRY -b OUTPUT [--optimize | --debug] FLAGS...`, where ENTRY is
//      build.sources[0] (default assembly/index.ts) and FLAGS is build.flags (the SDK's options,
//      e.g. `--use abort=abort_proc_exit`) then the extra arguments.
// Incremental: each step is a BuildStamp unit: npm ci in build/ext-npm-ci.json (node_modules
// serves both profiles), asc in build/<profile>/ext-build.json with every .ts/.json file under
// the entry's folder, the lock files and the module as inputs. Needs node and npm on PATH (Debian:
// apt-get install nodejs npm).
#pragma once

#include <filesystem>
#include <string>

#include "ext/build/driver.hpp"
#include "ext/core/result.hpp"
#include "ext/util/environment.hpp"

namespace ext::build {

struct NodeToolchainSearch {
  std::string path_env;  // $PATH
  static NodeToolchainSearch from_environment(const util::Environment& environment);
};

struct NodeToolchain {
  std::filesystem::path node;
  std::filesystem::path npm;
  std::string node_version;  // "v20.11.1"
  std::string npm_version;   // "9.2.0"
  std::string description;   // "node v20.11.1, npm 9.2.0 (/usr/bin)"
};

// node and npm on PATH, with their versions; Error(toolchain) naming what is missing and the
// Debian packages that fix it.
Result<NodeToolchain> find_node_toolchain(const NodeToolchainSearch& search,
                                          util::ProcessRunner& runner);

class AssemblyScriptDriver final : public Driver {
 public:
  explicit AssemblyScriptDriver(NodeToolchainSearch search);
  DriverInfo info() const override;
  ToolchainStatus detect(util::ProcessRunner& runner) const override;
  std::filesystem::path output_path(const BuildRequest& request) const override;
  BuildOutput build(const BuildRequest& request) override;

 private:
  NodeToolchainSearch m_search;
};

}  // namespace ext::build
