// ext::ops — tag_remote (`ext tag --remote SRC DST`): a new tag for a manifest in a registry
// without moving blobs: the same repository gets the manifest PUT under the new tag; another
// repository of the same registry gets its blobs by cross-repository mount.
#pragma once

#include <string>

#include "ext/ops/env.hpp"
#include "ext/ops/remote.hpp"

namespace ext::ops {

struct TagRemoteOptions {
  std::string source;  // registry/repo:tag or @digest
  std::string target;  // registry/repo:tag (same registry), or a bare tag
  RegistryFlags flags;
};

struct TagRemoteResult {
  std::string source;
  std::string target;
  std::string manifest_digest;
  uint64_t blobs_mounted = 0;
  uint64_t blobs_copied = 0;
};

TagRemoteResult tag_remote(const TagRemoteOptions& opts, Env& env);

}  // namespace ext::ops
