// ext::ops — package a built module into the local store (used by `ext build --wasm` and by
// `ext build` after compiling): read + validate (errors fail with the rule that failed), pack
// in the chosen format with the runtime config (ABI from the module itself), name it.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ext/ops/env.hpp"

namespace ext::ops {

struct PackageOptions {
  std::filesystem::path module;   // the .wasm file
  std::vector<std::string> refs;  // -t REF (at least one)
  std::string format;  // oci | compat | cncf; empty: config.yaml default_format, else oci
  std::vector<std::string> root_ids;  // runtime config rootIds ([""] is kept)
  std::string filter_type;  // declared "http" | "network"; "" = from the exports (never a guess)
  std::string filter_type_how = "--filter-type http|network";  // how to declare it, for hints
  std::map<std::string, std::string> annotations;              // --annotation K=V, ext.yaml facts
  bool strict = false;                                         // warnings fail too
  // Warning rules the caller expects (a release build strips the name section on purpose):
  // shown with -v only, and not counted by --strict.
  std::vector<std::string> expected_rules;
};

struct PackageResult {
  std::filesystem::path module;
  uint64_t size = 0;
  std::string module_sha256;    // hex
  std::string abi_version;      // "0.2.1"
  std::string filter_type;      // "http" | "network"
  std::string manifest_digest;  // "sha256:..."
  std::string format;
  std::vector<std::string> refs;      // full normalized references
  std::vector<std::string> warnings;  // validation warnings
};

PackageResult package_module(const PackageOptions& opts, Env& env);

}  // namespace ext::ops
