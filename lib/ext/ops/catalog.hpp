// ext::ops — catalog: the repositories of a registry (the _catalog extension, distribution
// docs/spec/api.md "Catalog"), all pages; with details, each repository's tags and, for wasm
// images, layout, ABI and description. Registries that do not serve _catalog get a clear error.
#pragma once

#include <string>
#include <vector>

#include "ext/ops/env.hpp"
#include "ext/ops/remote.hpp"

namespace ext::ops {

struct CatalogOptions {
  std::string registry;  // empty: default_registry from config.yaml
  bool details = false;
  int max_tags = 20;  // per repository, with details
  RegistryFlags flags;
  int page_size = 0;
};

struct CatalogImage {
  std::string tag;
  std::string digest;
  std::string layout;  // empty when no wasm image
  std::string abi_version;
  std::string description;
};

struct CatalogRepository {
  std::string name;
  std::vector<std::string> tags;
  std::vector<CatalogImage> images;  // with details
  std::string error;                 // with details, when the repository could not be read
};

struct CatalogResult {
  std::string registry;
  std::vector<CatalogRepository> repositories;
};

CatalogResult catalog(const CatalogOptions& opts, Env& env);

}  // namespace ext::ops
