// ext::ops — tags: every tag of a repository, all pages (Link pagination, distribution-spec
// "Listing Tags").
#pragma once

#include <string>
#include <vector>

#include "ext/ops/env.hpp"
#include "ext/ops/remote.hpp"

namespace ext::ops {

struct TagsOptions {
  std::string repository;  // "registry/repo" (a tag or digest, if given, is ignored)
  RegistryFlags flags;
  int page_size = 0;  // 0: the registry's default page
};

struct TagsResult {
  std::string repository;  // full name: registry/repo
  std::vector<std::string> tags;
};

TagsResult tags(const TagsOptions& opts, Env& env);

}  // namespace ext::ops
