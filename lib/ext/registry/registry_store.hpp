// ext::registry — RegistryStore: one repository of a registry seen as a store::Store, so push and
// pull are store::copy_graph between it and the local store. has() on a missing blob tries a
// cross-repository mount first when a source repository on the same registry is known
// (distribution-spec "Single POST"). put_manifest() PUTs once per tag (or by digest when unnamed).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ext/registry/client.hpp"
#include "ext/store/store.hpp"

namespace ext::registry {

class RegistryStore final : public store::Store {
 public:
  RegistryStore(std::shared_ptr<Client> client, std::string repository);

  // Repositories on the same registry that may hold the blobs (cross-repository mount).
  void set_mount_sources(std::vector<std::string> repositories);

  bool has(const oci::Descriptor& d) override;
  std::unique_ptr<store::BlobReader> open(const oci::Descriptor& d) override;
  std::unique_ptr<store::BlobWriter> create(const oci::Descriptor& expected) override;
  void put_manifest(const oci::Descriptor& d, std::string_view bytes,
                    const std::vector<ref::Reference>& names) override;
  std::optional<oci::Descriptor> resolve(const ref::Reference& name) override;

  Client& client() { return *m_client; }
  const std::string& repository() const { return m_repository; }
  uint64_t blobs_mounted() const { return m_mounted; }

 private:
  std::shared_ptr<Client> m_client;
  std::string m_repository;
  std::vector<std::string> m_mount_sources;
  uint64_t m_mounted = 0;
};

}  // namespace ext::registry
