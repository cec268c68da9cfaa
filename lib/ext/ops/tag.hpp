// ext::ops — tag (`ext tag SRC DST`): another name in the local store for the manifest SRC
// names. (`--remote` is ops::tag_remote, in tag_remote.hpp.)
#pragma once

#include <string>

#include "ext/ops/env.hpp"

namespace ext::ops {

struct TagOptions {
  std::string source;  // a stored reference (tag or digest)
  std::string target;  // a reference with a tag
};

struct TagResult {
  std::string source;  // full normalized
  std::string target;  // full normalized
  std::string manifest_digest;
};

TagResult tag(const TagOptions& opts, Env& env);

}  // namespace ext::ops
