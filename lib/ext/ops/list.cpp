#include "ext/ops/list.hpp"

#include <sys/stat.h>

#include <algorithm>

#include "ext/oci/descriptor.hpp"
#include "ext/oci/layout.hpp"
#include "ext/store/oci_layout_store.hpp"

namespace ext::ops {

namespace {

constexpr const char* k_abi_annotation = "module.wasm.runtime/abi_version";
constexpr const char* k_created_annotation = "org.opencontainers.image.created";

// Config plus layers, each blob once (the oci format lists the config as a layer too).
uint64_t manifest_size(const oci::Manifest& m) {
  uint64_t total = static_cast<uint64_t>(m.config.size);
  std::vector<const digest::Digest*> seen = {&m.config.digest};
  for (const auto& l : m.layers) {
    bool dup = false;
    for (auto* d : seen) dup = dup || *d == l.digest;
    if (dup) continue;
    seen.push_back(&l.digest);
    total += static_cast<uint64_t>(l.size);
  }
  return total;
}

void describe(store::OciLayoutStore& s, const oci::Descriptor& d, ListedImage& out) {
  std::string bytes = store::read_all(s, d, oci::k_max_manifest_bytes);
  if (oci::is_index_type(d.media_type)) {
    auto idx = oci::Index::parse(bytes);
    if (!idx) throw idx.error();
    for (const auto& child : idx->manifests) {
      if (!oci::is_manifest_type(child.media_type) || !s.has(child)) continue;
      auto m = oci::Manifest::parse(store::read_all(s, child, oci::k_max_manifest_bytes));
      if (!m) continue;
      out.size += manifest_size(*m);
      if (out.abi.empty() && m->annotations.count(k_abi_annotation))
        out.abi = m->annotations.at(k_abi_annotation);
    }
    return;
  }
  auto m = oci::Manifest::parse(bytes);
  if (!m) throw m.error();
  out.size = manifest_size(*m);
  if (auto it = m->annotations.find(k_abi_annotation); it != m->annotations.end())
    out.abi = it->second;
  if (auto it = m->annotations.find(k_created_annotation); it != m->annotations.end())
    out.created = it->second;
}

}  // namespace

ListResult list_images(const ListOptions&, Env& env) {
  ListResult result;
  store::OciLayoutStore s(env.store_root);
  for (const auto& e : s.list()) {
    ListedImage img;
    img.reference = e.name;
    img.digest = e.manifest.digest.to_string();
    img.media_type = e.manifest.media_type;
    struct stat st {};
    if (::stat(s.blob_path(e.manifest.digest).c_str(), &st) == 0) img.stored_unix = st.st_mtime;
    try {
      describe(s, e.manifest, img);
    } catch (const Error& err) {
      img.damaged = true;
      env.reporter.get().warn(e.name + ": " + err.message());
    }
    result.images.push_back(std::move(img));
  }
  std::sort(result.images.begin(), result.images.end(),
            [](const ListedImage& a, const ListedImage& b) { return a.reference < b.reference; });
  return result;
}

}  // namespace ext::ops
