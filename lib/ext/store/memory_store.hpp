// ext::store — MemoryStore: a Store held in memory, for tests and for in-memory work (packing
// before a push, fixtures). Thread-safe. Writes are verified like the on-disk store's.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "ext/store/store.hpp"

namespace ext::store {

class MemoryStore final : public Store {
 public:
  bool has(const oci::Descriptor& d) override;
  std::unique_ptr<BlobReader> open(const oci::Descriptor& d) override;
  std::unique_ptr<BlobWriter> create(const oci::Descriptor& expected) override;
  void put_manifest(const oci::Descriptor& d, std::string_view bytes,
                    const std::vector<ref::Reference>& names) override;
  std::optional<oci::Descriptor> resolve(const ref::Reference& name) override;

  // Inspection for tests.
  size_t blob_count() const;
  std::optional<std::string> blob(const digest::Digest& d) const;
  std::map<std::string, oci::Descriptor> names() const;  // full reference -> manifest
  // Replaces a blob's bytes without any check (to simulate corruption in tests).
  void put_blob_unchecked(const digest::Digest& d, std::string bytes);

 private:
  friend class MemoryBlobWriter;
  void insert(const oci::Descriptor& d, std::string bytes);

  struct Blob {
    std::string media_type;
    std::shared_ptr<const std::string> bytes;
  };
  mutable std::mutex m_mutex;
  std::map<digest::Digest, Blob> m_blobs;
  std::map<std::string, oci::Descriptor> m_names;
};

}  // namespace ext::store
