// ext::hub — the hub's catalog: the filters of every registry it serves, read with ops::search
// (catalog + tag lists + the latest manifests, with search's on-disk cache) and kept in memory
// so pages and the API answer without a registry round trip. A registry that cannot be read
// keeps the filters read last time and is marked unreachable (the page says so).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ext/ops/search.hpp"

namespace ext::hub {

// Reads one registry (tests and the bench give a fake); the default is ops::search.
using CatalogSource = std::function<ops::SearchResult(const std::string& registry)>;

struct RegistryStatus {
  std::string registry;
  bool reachable = false;
  bool read = false;       // a read has ever succeeded (the filters are from then)
  std::string message;     // why it is unreachable, or warnings of the last read
  int64_t read_at = 0;     // unix seconds of the last successful read
  int64_t checked_at = 0;  // of the last attempt
};

struct CatalogSnapshot {
  std::vector<ops::SearchHit> filters;  // sorted by registry, repository
  std::vector<RegistryStatus> registries;
  uint64_t generation = 0;  // changes with every refresh
};

class Catalog {
 public:
  Catalog(std::vector<std::string> registries, CatalogSource source);

  // Reads every registry once (serialised: one refresh at a time).
  void refresh();
  std::shared_ptr<const CatalogSnapshot> snapshot() const;
  const std::vector<std::string>& registries() const { return m_registries; }
  // The filter `registry/repository` (latest tag) in the snapshot, or null.
  static const ops::SearchHit* find(const CatalogSnapshot& s, const std::string& registry,
                                    const std::string& repository);

 private:
  std::vector<std::string> m_registries;
  CatalogSource m_source;
  std::mutex m_refresh;
  mutable std::mutex m_mutex;
  std::shared_ptr<const CatalogSnapshot> m_snapshot;
};

// The query of the catalog page and of GET /api/catalog: q, type, abi, platform, license.
struct CatalogQuery {
  std::string q, type, abi, platform, license;
  bool empty() const {
    return q.empty() && type.empty() && abi.empty() && platform.empty() && license.empty();
  }
};
// Indexes of the filters matching `query` (ops::search_matches, the rule of `ext search`).
std::vector<size_t> select(const CatalogSnapshot& s, const CatalogQuery& query);

nlohmann::json to_json(const ops::SearchHit& hit);
nlohmann::json to_json(const RegistryStatus& status);

}  // namespace ext::hub
