// ext::store — the local store: an OCI image layout (docs/formats.md "Local store"; OCI
// image-spec image-layout.md).
// Blobs are written to a temp file in blobs/sha256/, verified, then renamed; index.json is
// replaced atomically under a file lock, so concurrent processes and a kill at any moment leave
// a readable store. Each name is an index.json entry whose org.opencontainers.image.ref.name is
// the full normalized reference.
// Writers hold a shared lock on blobs.lock for the life of the store object; prune takes it
// exclusively, so it never deletes a blob another process wrote but has not named yet.
#pragma once

#include <filesystem>
#include <functional>

#include "ext/core/clock.hpp"
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
  ~OciLayoutStore() override;
  OciLayoutStore(const OciLayoutStore&) = delete;
  OciLayoutStore& operator=(const OciLayoutStore&) = delete;

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
  // Removes every named entry for which pred is true, in one index update; returns the names.
  std::vector<std::string> remove_names_if(const std::function<bool(const ImageEntry&)>& pred);

  struct PruneResult {
    uint64_t blobs_removed = 0;
    uint64_t bytes_freed = 0;
  };
  // Deletes blobs that no name reaches, and stale temp files. Waits (up to a minute of `clock`'s
  // time, polling) for other processes that are writing to this store to finish first; then
  // Error(failed) "the store ... is busy".
  PruneResult prune(Clock& clock = system_clock());

  // Hashes every blob a name reaches (or all blobs with `all`); one line per problem
  // (missing blob, size or digest mismatch), empty when the store is sound.
  std::vector<std::string> verify(bool all = false);

  // The whole image-layout index (every entry, also those without a name).
  oci::Index read_index();

  // The lock files and temp-file prefix (exported for tests and tools).
  static constexpr const char* k_index_lock = "index.json.lock";
  static constexpr const char* k_writers_lock = "blobs.lock";
  static constexpr const char* k_temp_prefix = ".tmp-";

 private:
  friend class LayoutBlobWriter;
  void ensure_layout();
  void hold_writer_lock();
  template <class F>
  bool update_index(F&& change);  // change(oci::Index&) -> bool (true: write it)

  std::filesystem::path m_root;
  bool m_layout_ready = false;
  bool m_writer_lock_held = false;
};

}  // namespace ext::store
