#include "ext/hub/catalog.hpp"

#include <algorithm>
#include <ctime>
#include <map>

#include "ext/core/error.hpp"
#include "ext/util/strings.hpp"

namespace ext::hub {

Catalog::Catalog(std::vector<std::string> registries, CatalogSource source)
    : m_registries(std::move(registries)), m_source(std::move(source)) {
  auto s = std::make_shared<CatalogSnapshot>();
  for (const auto& r : m_registries)
    s->registries.push_back({r, false, false, "not read yet", 0, 0});
  m_snapshot = s;
}

void Catalog::refresh() {
  std::lock_guard serial(m_refresh);
  auto old = snapshot();
  auto next = std::make_shared<CatalogSnapshot>();
  next->generation = old->generation + 1;
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  for (size_t i = 0; i < m_registries.size(); ++i) {
    const auto& registry = m_registries[i];
    RegistryStatus st = i < old->registries.size() ? old->registries[i] : RegistryStatus{};
    st.registry = registry;
    st.checked_at = now;
    ops::SearchResult r;
    bool failed = false;
    try {
      r = m_source(registry);
      // ops::search reports an unreachable registry as a warning "skipping R: why".
      for (const auto& w : r.warnings)
        if (w.rfind("skipping " + registry + ":", 0) == 0) failed = true;
      if (r.hits.empty() && !r.warnings.empty()) failed = true;
    } catch (const Error& e) {
      failed = true;
      r.warnings.push_back(registry + ": " + e.message());
    }
    if (failed) {
      st.reachable = false;
      st.message = util::join(r.warnings, "; ");
      for (const auto& h : old->filters)  // keep what was read last time
        if (h.registry == registry) next->filters.push_back(h);
    } else {
      st.reachable = true;
      st.read = true;
      st.read_at = now;
      st.message = util::join(r.warnings, "; ");
      for (auto& h : r.hits) next->filters.push_back(std::move(h));
    }
    next->registries.push_back(std::move(st));
  }
  std::stable_sort(next->filters.begin(), next->filters.end(), [](const auto& a, const auto& b) {
    return std::tie(a.registry, a.repository) < std::tie(b.registry, b.repository);
  });
  std::lock_guard lock(m_mutex);
  m_snapshot = std::move(next);
}

std::shared_ptr<const CatalogSnapshot> Catalog::snapshot() const {
  std::lock_guard lock(m_mutex);
  return m_snapshot;
}

const ops::SearchHit* Catalog::find(const CatalogSnapshot& s, const std::string& registry,
                                    const std::string& repository) {
  for (const auto& h : s.filters)
    if (h.registry == registry && h.repository == repository) return &h;
  return nullptr;
}

std::vector<size_t> select(const CatalogSnapshot& s, const CatalogQuery& query) {
  ops::SearchOptions o;
  o.query = query.q;
  o.type = query.type;
  o.abi = query.abi;
  o.platform = query.platform;
  o.license = query.license;
  std::vector<size_t> out;
  for (size_t i = 0; i < s.filters.size(); ++i)
    if (query.empty() || ops::search_matches(o, s.filters[i])) out.push_back(i);
  return out;
}

nlohmann::json to_json(const ops::SearchHit& x) {
  return {{"reference", x.reference},
          {"registry", x.registry},
          {"repository", x.repository},
          {"tag", x.tag},
          {"digest", x.digest},
          {"description", x.description},
          {"keywords", x.keywords},
          {"abi", x.abi},
          {"type", x.type},
          {"license", x.license},
          {"platforms", x.platforms},
          {"size", x.size},
          {"updated", x.updated}};
}

nlohmann::json to_json(const RegistryStatus& s) {
  return {{"registry", s.registry}, {"reachable", s.reachable}, {"read", s.read},
          {"message", s.message},   {"read_at", s.read_at},     {"checked_at", s.checked_at}};
}

}  // namespace ext::hub
