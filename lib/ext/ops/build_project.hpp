// ext::ops — `ext build [DIR]`: compile a filter project with its native toolchain (cpp, rust,
// assemblyscript, custom command; docs/languages.md), validate it, and package it into the
// local store with -t (or ext.yaml's `image:`). Implemented by the build driver work
// (lib/ext/build); packaging via package.hpp.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ext/ops/env.hpp"
#include "ext/ops/package.hpp"
#include "ext/project/project_file.hpp"

namespace ext::ops {

struct BuildOptions {
  std::filesystem::path dir = ".";
  std::vector<std::string> refs;        // -t; empty: ext.yaml image: (if any) with version tag
  bool release = true;                  // --release (default) | --debug
  std::string format;                   // empty: settings default, else oci
  bool dry_run = false;                 // print the commands only
  std::vector<std::string> extra_args;  // passed through to cargo / the compiler
  bool offline = false;                 // --offline: the toolchain downloads nothing (cargo)
  // No -t and no image: in ext.yaml: package as NAME:VERSION from ext.yaml (`ext build`);
  // false builds the module only (`ext test DIR` builds what it runs, nothing more).
  bool package_by_name = true;
};

struct BuildResult {
  std::vector<std::string> commands;  // every toolchain command (for -v and --dry-run)
  bool up_to_date = false;            // incremental no-op rebuild
  std::filesystem::path module;
  uint64_t size = 0;
  std::string module_sha256;
  std::string abi_version;
  std::string filter_type;  // "http" | "network"; "" when the project does not say and the
                            // exports name both (then packaging fails, asking for it)
  std::optional<PackageResult> package;  // when packaged
};

BuildResult build_project(const BuildOptions& opts, Env& env);

// The manifest annotations ext.yaml's metadata becomes (docs/discovery.md): description,
// authors, license, homepage, source, documentation as org.opencontainers.image.*, keywords,
// root ids and the declared platform under ext.dev/. The runtime config is not touched.
std::map<std::string, std::string> project_annotations(const project::ProjectFile& project);

}  // namespace ext::ops
