// ext::ops — `ext validate FILE.wasm|REF`: read a module (a file, or the module of an image in
// the local store) and check it against the proxy-wasm ABI rules (docs/validate.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ext/ops/env.hpp"
#include "ext/wasm/module.hpp"

namespace ext::ops {

struct ValidateOptions {
  std::string target;   // a .wasm file, or a reference to an image in the local store
  bool strict = false;  // warnings fail too
  uint64_t max_module_size = wasm::ValidateOptions{}.max_module_size;
  std::string platform_version;  // Envoy release: WASI imports it does not link are errors
};

struct ValidateResult {
  std::string source;           // the file path, or the full normalized reference
  std::string source_kind;      // "file" | "image"
  std::string manifest_digest;  // images only
  std::string layout;           // images only: "oci", "compat", "cncf", "docker_v2", ...
  wasm::ModuleInfo module;
  std::vector<wasm::Finding> findings;
  size_t errors = 0;
  size_t warnings = 0;
  bool ok = false;  // no errors, and no warnings when strict
};

// An existing path is a file; anything else is a reference to an image in the local store
// (any layout artifact::detect knows; for an index, the first wasm image it lists), whose
// module is extracted to a temp file and read. Error(parse) when the module cannot be read at
// all (not wasm, truncated); Error(not_found) when the target is neither a file nor an image in
// the store. Rule violations are findings, not errors.
ValidateResult validate(const ValidateOptions& opts, Env& env);

}  // namespace ext::ops
