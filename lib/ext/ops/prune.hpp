// ext::ops — prune (`ext prune`): delete blobs no name in the local store reaches, and temp
// files left by interrupted writes, and scratch directories of killed imports.
#pragma once

#include <cstdint>

#include "ext/ops/env.hpp"

namespace ext::ops {

struct PruneOptions {};

struct PruneResult {
  uint64_t blobs_removed = 0;
  uint64_t bytes_freed = 0;
  uint64_t temp_dirs_removed = 0;  // $TMPDIR/ext-import-* left by a killed import
};

PruneResult prune(const PruneOptions& opts, Env& env);

}  // namespace ext::ops
