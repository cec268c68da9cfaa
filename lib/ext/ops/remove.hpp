// ext::ops — remove (`ext rm REF...`): drop names from the local store. Content stays until
// `ext prune` (ops/prune.hpp). A digest reference (repo@sha256:...) drops every name of that
// repository that points at the digest.
#pragma once

#include <string>
#include <vector>

#include "ext/ops/env.hpp"

namespace ext::ops {

struct RemoveOptions {
  std::vector<std::string> refs;
};

struct RemoveResult {
  std::vector<std::string> removed;  // full references
};

// Removes what exists; then, if some reference named nothing, throws Error(not_found) naming
// them (the others stay removed).
RemoveResult remove_images(const RemoveOptions& opts, Env& env);

}  // namespace ext::ops
