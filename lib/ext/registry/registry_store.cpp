#include "ext/registry/registry_store.hpp"

#include <cstring>

#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"

namespace ext::registry {

namespace {

bool is_manifest_like(const oci::Descriptor& d) {
  return oci::is_manifest_type(d.media_type) || oci::is_index_type(d.media_type);
}

class StringReader final : public store::BlobReader {
 public:
  explicit StringReader(std::string s) : m_s(std::move(s)) {}
  size_t read(void* buf, size_t n) override {
    size_t k = std::min(n, m_s.size() - m_pos);
    std::memcpy(buf, m_s.data() + m_pos, k);
    m_pos += k;
    return k;
  }

 private:
  std::string m_s;
  size_t m_pos = 0;
};

// Manifests written through create(): buffered, PUT by digest on commit.
class ManifestWriter final : public store::BlobWriter {
 public:
  ManifestWriter(RegistryStore& store, oci::Descriptor d) : m_store(store), m_desc(std::move(d)) {}
  void write(const void* data, size_t n) override {
    if (m_buf.size() + n > m_store.client().options().max_manifest)
      throw Error(Errc::validation, "manifest larger than the registry client's bound");
    m_buf.append(static_cast<const char*>(data), n);
  }
  void commit() override {
    auto got = digest::sha256(m_buf);
    if (got != m_desc.digest || m_buf.size() != static_cast<uint64_t>(m_desc.size))
      throw Error(Errc::digest_mismatch,
                  "manifest content does not match " + m_desc.digest.to_string());
    m_store.put_manifest(m_desc, m_buf, {});
  }

 private:
  RegistryStore& m_store;
  oci::Descriptor m_desc;
  std::string m_buf;
};

}  // namespace

RegistryStore::RegistryStore(std::shared_ptr<Client> client, std::string repository)
    : m_client(std::move(client)), m_repository(std::move(repository)) {}

void RegistryStore::set_mount_sources(std::vector<std::string> repositories) {
  std::erase(repositories, m_repository);
  m_mount_sources = std::move(repositories);
}

bool RegistryStore::has(const oci::Descriptor& d) {
  if (is_manifest_like(d))
    return m_client->head_manifest(m_repository, d.digest.to_string()).has_value();
  if (m_client->has_blob(m_repository, d.digest)) return true;
  for (const auto& from : m_mount_sources) {
    try {
      if (m_client->mount_blob(m_repository, d.digest, from)) {
        ++m_mounted;
        if (auto* r = m_client->options().reporter)
          r->debug(1, "mounted " + d.digest.to_string() + " from " + from);
        return true;
      }
    } catch (const Error& e) {
      // A mount is an optimization: any failure falls back to uploading.
      if (auto* r = m_client->options().reporter)
        r->debug(1, "mount from " + from + " failed: " + e.message());
    }
  }
  return false;
}

std::unique_ptr<store::BlobReader> RegistryStore::open(const oci::Descriptor& d) {
  if (is_manifest_like(d)) {
    auto m = m_client->get_manifest(m_repository, d.digest.to_string());
    if (m.descriptor.size != d.size)
      throw Error(Errc::digest_mismatch, "manifest " + d.digest.to_string() + " has " +
                                             std::to_string(m.descriptor.size) +
                                             " bytes, expected " + std::to_string(d.size));
    return std::make_unique<StringReader>(std::move(m.bytes));
  }
  return m_client->open_blob(m_repository, d);
}

std::unique_ptr<store::BlobWriter> RegistryStore::create(const oci::Descriptor& expected) {
  if (is_manifest_like(expected)) return std::make_unique<ManifestWriter>(*this, expected);
  return m_client->create_blob(m_repository, expected);
}

void RegistryStore::put_manifest(const oci::Descriptor& d, std::string_view bytes,
                                 const std::vector<ref::Reference>& names) {
  std::vector<std::string> refs;
  for (const auto& n : names) {
    if (n.repository() != m_repository)
      throw Error(Errc::internal,
                  "name " + n.to_string() + " is not in repository " + m_repository);
    if (!n.tag().empty()) refs.push_back(n.tag());
  }
  if (refs.empty()) refs.push_back(d.digest.to_string());
  for (const auto& r : refs) m_client->put_manifest(m_repository, r, d, bytes);
}

std::optional<oci::Descriptor> RegistryStore::resolve(const ref::Reference& name) {
  return m_client->head_manifest(m_repository, name.identifier());
}

}  // namespace ext::registry
