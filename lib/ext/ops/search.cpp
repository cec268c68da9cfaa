// ops::search — `ext search` (docs/discovery.md "Search").
#include "ext/ops/search.hpp"

#include <algorithm>
#include <atomic>
#include <ctime>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "ext/artifact/artifact.hpp"
#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/registry/client.hpp"
#include "ext/util/files.hpp"
#include "ext/util/json.hpp"
#include "ext/util/strings.hpp"

namespace ext::ops {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr uint64_t k_max_cache_bytes = 64u << 20;

// Version-aware tag order: digit runs compare as numbers ("v1.10" > "v1.9").
bool tag_less(const std::string& a, const std::string& b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (std::isdigit(static_cast<unsigned char>(a[i])) &&
        std::isdigit(static_cast<unsigned char>(b[j]))) {
      size_t i2 = i, j2 = j;
      while (i2 < a.size() && std::isdigit(static_cast<unsigned char>(a[i2]))) ++i2;
      while (j2 < b.size() && std::isdigit(static_cast<unsigned char>(b[j2]))) ++j2;
      auto na = a.substr(i, i2 - i), nb = b.substr(j, j2 - j);
      na.erase(0, std::min(na.find_first_not_of('0'), na.size()));
      nb.erase(0, std::min(nb.find_first_not_of('0'), nb.size()));
      if (na.size() != nb.size()) return na.size() < nb.size();
      if (na != nb) return na < nb;
      i = i2;
      j = j2;
    } else {
      if (a[i] != b[j]) return a[i] < b[j];
      ++i;
      ++j;
    }
  }
  return a.size() - i < b.size() - j;
}

// "latest" when present, else the highest tag in version order (referrers tags left out).
std::string latest_tag(const std::vector<std::string>& tags) {
  std::string best;
  for (const auto& t : tags) {
    if (is_referrers_tag(t)) continue;
    if (t == "latest") return t;
    if (best.empty() || tag_less(best, t)) best = t;
  }
  return best;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= s.size()) {
    auto end = s.find(sep, start);
    if (end == std::string::npos) end = s.size();
    auto part = std::string(util::trim(s.substr(start, end - start)));
    if (!part.empty()) out.push_back(part);
    start = end + 1;
  }
  return out;
}

// The facts of a manifest, from its annotations and descriptors (no blob is read). False when
// it is no wasm filter.
bool facts_of(const oci::Manifest& m, SearchHit& h) {
  const auto& a = m.annotations;
  auto get = [&a](const char* k) {
    auto it = a.find(k);
    return it == a.end() ? std::string() : it->second;
  };
  bool wasm = a.count(artifact::k_abi_annotation) > 0 ||
              a.count(artifact::k_variant_annotation) > 0 ||
              m.config.media_type.find("wasm") != std::string::npos;
  h.size = static_cast<uint64_t>(std::max<int64_t>(0, m.config.size));
  for (const auto& l : m.layers) {
    h.size += static_cast<uint64_t>(std::max<int64_t>(0, l.size));
    if (l.media_type.find("wasm") != std::string::npos) wasm = true;
    auto t = l.annotations.find(artifact::k_title_annotation);
    if (t != l.annotations.end() && t->second.size() > 5 &&
        t->second.compare(t->second.size() - 5, 5, ".wasm") == 0)
      wasm = true;
  }
  h.description = get(artifact::k_description_annotation);
  h.keywords = split(get(artifact::k_keywords_annotation), ',');
  h.abi = get(artifact::k_abi_annotation);
  h.type = get(artifact::k_filter_type_annotation);
  h.license = get(artifact::k_licenses_annotation);
  h.platforms = split(get(artifact::k_platforms_annotation), ',');
  h.updated = get(artifact::k_created_annotation);
  return wasm;
}

json hit_to_cache(const SearchHit& h, bool wasm, int64_t checked) {
  return {{"checked", checked},
          {"tag", h.tag},
          {"digest", h.digest},
          {"wasm", wasm},
          {"description", h.description},
          {"keywords", h.keywords},
          {"abi", h.abi},
          {"type", h.type},
          {"license", h.license},
          {"platforms", h.platforms},
          {"size", h.size},
          {"updated", h.updated}};
}

bool hit_from_cache(const json& j, SearchHit& h) {
  try {
    h.tag = j.at("tag").get<std::string>();
    h.digest = j.at("digest").get<std::string>();
    h.description = j.at("description").get<std::string>();
    h.keywords = j.at("keywords").get<std::vector<std::string>>();
    h.abi = j.at("abi").get<std::string>();
    h.type = j.at("type").get<std::string>();
    h.license = j.at("license").get<std::string>();
    h.platforms = j.at("platforms").get<std::vector<std::string>>();
    h.size = j.at("size").get<uint64_t>();
    h.updated = j.at("updated").get<std::string>();
    return j.at("wasm").get<bool>();
  } catch (const json::exception&) {
    h.digest.clear();
    return false;
  }
}

}  // namespace

std::vector<std::string> version_tags(const std::vector<std::string>& tags) {
  std::vector<std::string> out;
  for (const auto& t : tags)
    if (!is_referrers_tag(t)) out.push_back(t);
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return tag_less(b, a); });
  return out;
}

bool search_matches(const SearchOptions& o, const SearchHit& h) {
  if (!o.query.empty()) {
    auto q = util::to_lower(o.query);
    bool any = util::to_lower(h.repository).find(q) != std::string::npos ||
               util::to_lower(h.description).find(q) != std::string::npos;
    for (const auto& k : h.keywords) any = any || util::to_lower(k).find(q) != std::string::npos;
    if (!any) return false;
  }
  if (!o.abi.empty()) {
    auto want = o.abi[0] == 'v' ? o.abi.substr(1) : o.abi;
    auto have = !h.abi.empty() && h.abi[0] == 'v' ? h.abi.substr(1) : h.abi;
    if (have != want) return false;
  }
  if (!o.type.empty() && h.type != o.type) return false;
  if (!o.license.empty() && util::to_lower(h.license) != util::to_lower(o.license)) return false;
  if (!o.platform.empty()) {
    bool with_version = o.platform.find('@') != std::string::npos;
    bool found = false;
    for (const auto& p : h.platforms) {
      auto name = p.substr(0, p.find('@'));
      if (with_version ? p == o.platform : name == o.platform) found = true;
    }
    if (!found) return false;
  }
  return true;
}

namespace {

std::string cache_file_name(const std::string& registry) {
  std::string s;
  for (char c : registry) s += (std::isalnum(static_cast<unsigned char>(c)) || c == '.') ? c : '_';
  return s + ".json";
}

}  // namespace

SearchResult search(const SearchOptions& opts, Env& env) {
  if (opts.registries.empty() && opts.repositories.empty())
    throw Error(Errc::usage, "ext search needs --registry R (or --repo REGISTRY/REPO)",
                "e.g. ext search auth --registry ghcr.io --repo ghcr.io/acme/jwt-filter");
  if (!opts.type.empty() && opts.type != "http" && opts.type != "network")
    throw Error(Errc::usage, "--type must be http or network");
  // Registries to read, each with the repositories the user named in it.
  std::map<std::string, std::vector<std::string>> named;
  std::vector<std::string> order;
  for (const auto& r : opts.registries) {
    auto n = normalize_registry(r);
    if (!named.count(n)) order.push_back(n);
    named[n];
  }
  for (const auto& text : opts.repositories) {
    auto slash = text.find('/');
    if (slash == std::string::npos || slash + 1 >= text.size())
      throw Error(Errc::usage, "--repo " + text + " is not REGISTRY/REPOSITORY");
    auto n = normalize_registry(text.substr(0, slash));
    if (!named.count(n)) order.push_back(n);
    named[n].push_back(text.substr(slash + 1));
  }

  SearchResult result;
  std::mutex mu;
  auto warn = [&](const std::string& w) {
    std::lock_guard lock(mu);
    result.warnings.push_back(w);
    env.reporter.get().warn(w);
  };
  const fs::path cache_dir = env.data_root / "search";
  std::atomic<uint64_t> manifests_read{0}, cache_hits{0};

  for (const auto& registry : order) {
    // The cache of this registry: repository -> its entry.
    json cache = json::object();
    auto cache_path = cache_dir / cache_file_name(registry);
    std::error_code ec;
    if (!opts.refresh && fs::exists(cache_path, ec)) {
      try {
        auto parsed = util::parse_json(util::read_file(cache_path, k_max_cache_bytes));
        if (parsed && parsed->is_object() && parsed->contains("repositories") &&
            (*parsed)["repositories"].is_object())
          cache = (*parsed)["repositories"];
      } catch (const Error& e) {
        warn("ignoring the search cache " + cache_path.string() + ": " + e.message());
      }
    }
    std::vector<std::string> repos;
    std::shared_ptr<registry::Client> client;
    Remote remote;
    try {
      remote = connect_remote(registry, opts.flags, env);
      client = remote.client;
      bool from_catalog = false;
      try {
        repos = client->catalog(1000);  // large pages: the catalog is read every time
        from_catalog = true;
      } catch (const Error& e) {
        bool no_catalog = e.http_status() == 404 || e.http_status() == 401 ||
                          e.http_status() == 403 || e.registry_code() == "UNSUPPORTED";
        if (!no_catalog) throw;
        if (named[registry].empty()) {
          warn(registry + " does not list its repositories (no catalog API: " + e.message() +
               "); name them with --repo " + registry + "/REPOSITORY");
          continue;
        }
        env.reporter.get().info(registry + " has no catalog API; searching the " +
                                std::to_string(named[registry].size()) +
                                " repositories named with --repo");
      }
      if (from_catalog)
        for (const auto& r : named[registry])
          if (std::find(repos.begin(), repos.end(), r) == repos.end()) repos.push_back(r);
      if (!from_catalog) repos = named[registry];
    } catch (const Error& e) {
      warn("skipping " + registry + ": " + e.message());
      continue;
    }
    if (repos.size() > opts.max_repositories) {
      warn(registry + " lists " + std::to_string(repos.size()) +
           " repositories; searching the first " + std::to_string(opts.max_repositories));
      repos.resize(opts.max_repositories);
    }

    const int64_t now = static_cast<int64_t>(std::time(nullptr));
    std::vector<std::optional<SearchHit>> found(repos.size());
    std::vector<json> new_cache(repos.size());
    std::atomic<size_t> next{0};
    auto work = [&] {
      for (;;) {
        size_t i = next.fetch_add(1);
        if (i >= repos.size()) return;
        const auto& repo = repos[i];
        const json& cache_c = cache;
        const json* cached = nullptr;
        if (auto it = cache_c.find(repo); it != cache_c.end()) cached = &*it;
        try {
          // Checked less than max_age ago: taken as is, no request (docs/discovery.md).
          if (cached && opts.max_age_seconds > 0) {
            auto at = cached->find("checked");
            SearchHit old;
            bool old_wasm = hit_from_cache(*cached, old);
            if (at != cached->end() && at->is_number_integer() && !old.digest.empty() &&
                now - at->get<int64_t>() < opts.max_age_seconds && now >= at->get<int64_t>()) {
              old.registry = registry;
              old.repository = repo;
              old.reference = registry + "/" + repo + ":" + old.tag;
              new_cache[i] = *cached;
              if (old_wasm) found[i] = old;
              ++cache_hits;
              continue;
            }
          }
          auto tags = client->tags(repo);
          auto tag = latest_tag(tags);
          if (tag.empty()) {
            warn(registry + ": the catalog lists " + repo + ", which has no tags");
            continue;
          }
          SearchHit h;
          h.registry = registry;
          h.repository = repo;
          h.tag = tag;
          bool wasm = false;
          SearchHit old;
          bool old_wasm = cached ? hit_from_cache(*cached, old) : false;
          bool reuse = false;
          // A HEAD only when the cache has this tag: an unknown repository is read with one GET.
          if (cached && !old.digest.empty() && old.tag == tag) {
            auto head = client->head_manifest(repo, tag);
            if (!head) {
              warn(registry + ": the tag list of " + repo + " names " + tag +
                   ", which does not exist");
              continue;
            }
            reuse = old.digest == head->digest.to_string();
          }
          if (reuse) {
            wasm = old_wasm;  // unchanged: the facts read last time
            h = old;
            h.registry = registry;
            h.repository = repo;
            ++cache_hits;
          } else {
            registry::FetchedManifest m;
            try {
              m = client->get_manifest(repo, tag);
            } catch (const Error& e) {
              if (e.code() != Errc::not_found) throw;
              warn(registry + ": the tag list of " + repo + " names " + tag +
                   ", which does not exist");
              continue;
            }
            ++manifests_read;
            h.digest = m.descriptor.digest.to_string();  // the tag's digest (an index's own)
            std::string bytes = m.bytes;
            if (oci::is_index_type(m.descriptor.media_type)) {
              auto idx = oci::Index::parse(bytes);
              if (!idx) throw idx.error();
              auto child = artifact::select_manifest(*idx);
              if (!child) throw child.error();
              bytes = client->get_manifest(repo, child->digest.to_string()).bytes;
              ++manifests_read;
            }
            auto parsed = oci::Manifest::parse(bytes);
            if (!parsed) throw parsed.error();
            wasm = facts_of(*parsed, h);
          }
          new_cache[i] = hit_to_cache(h, wasm, now);
          if (wasm) {
            h.reference = registry + "/" + repo + ":" + tag;
            found[i] = h;
          }
        } catch (const Error& e) {
          warn(registry + "/" + repo + ": " + e.message());
        }
      }
    };
    int workers = std::max(1, std::min<int>(opts.concurrency, static_cast<int>(repos.size())));
    std::vector<std::thread> threads;
    for (int t = 0; t < workers; ++t) threads.emplace_back(work);
    for (auto& t : threads) t.join();

    json repos_json = json::object();
    for (size_t i = 0; i < repos.size(); ++i)
      if (!new_cache[i].is_null()) repos_json[repos[i]] = new_cache[i];
    try {
      fs::create_directories(cache_dir);
      util::write_file_atomic(cache_path,
                              json({{"registry", registry}, {"repositories", repos_json}}).dump());
    } catch (const Error& e) {
      warn("cannot write the search cache: " + e.message());
    }
    for (auto& f : found)
      if (f && search_matches(opts, *f)) result.hits.push_back(std::move(*f));
  }
  result.manifests_read = manifests_read;
  result.cache_hits = cache_hits;
  return result;
}

}  // namespace ext::ops
