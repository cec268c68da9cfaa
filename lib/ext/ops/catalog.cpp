#include "ext/ops/catalog.hpp"

#include "ext/artifact/artifact.hpp"
#include "ext/core/error.hpp"
#include "ext/project/settings.hpp"
#include "ext/registry/registry_store.hpp"

namespace ext::ops {

CatalogResult catalog(const CatalogOptions& opts, Env& env) {
  std::string name = opts.registry;
  if (name.empty()) {
    const auto& s = env.settings();
    if (!s) throw s.error();
    name = s->default_registry;
  }
  if (name.empty())
    throw Error(Errc::usage, "ext catalog needs a registry",
                "pass one (ext catalog localhost:5000) or set default_registry in config.yaml");
  auto registry = normalize_registry(name);
  auto remote = connect_remote(registry, opts.flags, env);
  CatalogResult r;
  r.registry = registry;
  std::vector<std::string> repos;
  try {
    repos = remote.client->catalog(opts.page_size);
  } catch (const Error& e) {
    if (e.http_status() == 404 || e.http_status() == 401 || e.http_status() == 403 ||
        e.registry_code() == "UNSUPPORTED")
      throw Error(e).with_hint(registry +
                               " does not list its repositories to these "
                               "credentials; use `ext tags REGISTRY/REPO` instead");
    throw;
  }
  for (const auto& repo : repos) {
    CatalogRepository cr;
    cr.name = repo;
    if (opts.details) {
      try {
        cr.tags = remote.client->tags(repo);
        registry::RegistryStore store(remote.client, repo);
        int n = 0;
        for (const auto& tag : cr.tags) {
          if (++n > opts.max_tags) break;
          CatalogImage img;
          img.tag = tag;
          auto m = remote.client->get_manifest(repo, tag);
          img.digest = m.descriptor.digest.to_string();
          if (oci::is_manifest_type(m.descriptor.media_type)) {
            if (auto man = oci::Manifest::parse(m.bytes)) {
              if (auto it = man->annotations.find("org.opencontainers.image.description");
                  it != man->annotations.end())
                img.description = it->second;
              if (auto det = artifact::detect(*man, store)) {
                img.layout = artifact::to_string(det->layout);
                if (det->runtime_config && !det->runtime_config->abi_versions.empty())
                  img.abi_version = det->runtime_config->abi_versions.front();
                if (auto it = man->annotations.find("module.wasm.runtime/abi_version");
                    img.abi_version.empty() && it != man->annotations.end())
                  img.abi_version = it->second;
              }
            }
          }
          cr.images.push_back(std::move(img));
        }
      } catch (const Error& e) {
        cr.error = e.message();
      }
    }
    r.repositories.push_back(std::move(cr));
  }
  return r;
}

}  // namespace ext::ops
