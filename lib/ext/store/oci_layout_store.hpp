// ext::store — the local store: an OCI image layout (FORMATS.md "Local store"; specs.md §3.6).
// Blobs are written to a temp file in blobs/sha256/, verified, then renamed; index.json is
// replaced atomically under a file lock, so concurrent processes and a kill at any moment leave
// a readable store. Each name is an index.json entry whose org.opencontainers.image.ref.name is
// the full normalized reference.
#pragma once

#include <filesystem>

#include "ext/store/store.hpp"

namespace ext::store {

struct ImageEntry {
  std::string name;  // full normalized reference, as in ref.name
  oci::Descriptor manifest;
};

class OciLayoutStore final : public Store {
 public:
  // Does not touch the disk; the layout is created on the first write.
  explicit OciLayoutStore(std::filesystem::path root);

  const std::filesystem::path& root() const { return m_root; }
  std::filesystem::path blob_path(const digest::Digest& d) const;

  bool has(const oci::Descriptor& d) override;
  std::unique_ptr<BlobReader> open(const oci::Descriptor& d) override;
  std::unique_ptr<BlobWriter> create(const oci::Descriptor& expected) override;
  void put_manifest(const oci::Descriptor& d, std::string_view bytes,
                    const std::vector<ref::Reference>& names) override;
  std::optional<oci::Descriptor> resolve(const ref::Reference& name) override;

  // Every named image (empty when the store does not exist yet).
  std::vector<ImageEntry> list();
  // Adds or moves a name; removes a name (false when absent).
  void set_name(const ref::Reference& name, const oci::Descriptor& manifest);
  bool remove_name(const ref::Reference& name);

  struct PruneResult {
    uint64_t blobs_removed = 0;
    uint64_t bytes_freed = 0;
  };
  // Deletes blobs that no name reaches, and stale temp files.
  PruneResult prune();

 private:
  std::filesystem::path m_root;
};

}  // namespace ext::store
