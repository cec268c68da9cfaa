// ext::ops — `ext search [QUERY] --registry R...` (docs/discovery.md "Search"): the filters in
// one or more registries (catalog, tags, the latest tag's manifest and its annotations) whose
// name, description or keywords match, with filters on ABI, filter type, platform and license.
// What was read is cached per registry (DATA_DIR/search/<registry>.json): within --max-age a
// second search sends the catalog only; after it, the tag lists and a HEAD per repository, and
// reads a manifest again only when its digest changed. A registry without the catalog API is
// searched through the repositories the user names (--repo); an unreachable registry is a warning,
// the others still answer.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ext/ops/env.hpp"
#include "ext/ops/remote.hpp"

namespace ext::ops {

struct SearchOptions {
  std::string query;                      // case-insensitive; empty: every filter
  std::vector<std::string> registries;    // host[:port]
  std::vector<std::string> repositories;  // REGISTRY/REPO, for registries without a catalog
  std::string abi;                        // "0.2.1" matches "v0.2.1"
  std::string type;                       // http | network
  std::string platform;                   // istio or istio@1.22
  std::string license;                    // exact, case-insensitive
  bool refresh = false;                   // ignore the cache
  // A repository checked less than this long ago is taken from the cache with no request; older
  // entries are revalidated (tag list + HEAD). 0: always revalidate.
  int64_t max_age_seconds = 300;
  int concurrency = 8;              // requests in flight per registry
  size_t max_repositories = 10000;  // per registry
  RegistryFlags flags;
};

struct SearchHit {
  std::string reference;  // registry/repo:latest-tag
  std::string registry;
  std::string repository;
  std::string tag;
  std::string digest;
  std::string description;
  std::vector<std::string> keywords;
  std::string abi;
  std::string type;
  std::string license;
  std::vector<std::string> platforms;
  uint64_t size = 0;    // config + layers
  std::string updated;  // org.opencontainers.image.created, when set
};

struct SearchResult {
  std::vector<SearchHit> hits;
  std::vector<std::string> warnings;  // unreachable registries, repositories that could not be read
  uint64_t manifests_read = 0;        // GETs (the rest came from the cache)
  uint64_t cache_hits = 0;
};

SearchResult search(const SearchOptions& opts, Env& env);

// Whether `hit` passes the query and the filters of `opts` (what search() keeps; the hub filters
// its cached catalog with it).
bool search_matches(const SearchOptions& opts, const SearchHit& hit);

// A repository's tags newest first in the order search() picks the latest (digit runs compare as
// numbers), without referrers-schema tags (sha256-<hex>).
std::vector<std::string> version_tags(const std::vector<std::string>& tags);

}  // namespace ext::ops
