#include "ext/store/memory_store.hpp"

#include <cstring>

#include "ext/oci/layout.hpp"

namespace ext::store {

namespace {

class MemoryBlobReader final : public BlobReader {
 public:
  explicit MemoryBlobReader(std::shared_ptr<const std::string> bytes) : m_bytes(std::move(bytes)) {}
  size_t read(void* buf, size_t n) override {
    size_t k = std::min(n, m_bytes->size() - m_pos);
    std::memcpy(buf, m_bytes->data() + m_pos, k);
    m_pos += k;
    return k;
  }

 private:
  std::shared_ptr<const std::string> m_bytes;
  size_t m_pos = 0;
};

void verify(const oci::Descriptor& d, std::string_view bytes) {
  if (d.size < 0 || bytes.size() != static_cast<uint64_t>(d.size))
    throw Error(Errc::digest_mismatch, "blob " + d.digest.to_string() + " has " +
                                           std::to_string(bytes.size()) + " bytes, expected " +
                                           std::to_string(d.size));
  if (d.digest.algorithm() != "sha256")
    throw Error(Errc::unsupported,
                "digest algorithm " + d.digest.algorithm() + " is not supported (only sha256)");
  auto got = digest::sha256(bytes);
  if (got != d.digest)
    throw Error(Errc::digest_mismatch, "blob content does not match its digest: expected " +
                                           d.digest.to_string() + ", got " + got.to_string());
}

}  // namespace

class MemoryBlobWriter final : public BlobWriter {
 public:
  MemoryBlobWriter(MemoryStore& store, oci::Descriptor expected)
      : m_store(store), m_expected(std::move(expected)) {}
  void write(const void* data, size_t n) override {
    if (m_done) throw Error(Errc::internal, "write after commit");
    if (m_bytes.size() + n > static_cast<uint64_t>(m_expected.size))
      throw Error(Errc::digest_mismatch, "blob " + m_expected.digest.to_string() +
                                             " is larger than the expected " +
                                             std::to_string(m_expected.size) + " bytes");
    m_bytes.append(static_cast<const char*>(data), n);
  }
  void commit() override {
    if (m_done) return;
    verify(m_expected, m_bytes);
    m_store.insert(m_expected, std::move(m_bytes));
    m_done = true;
  }

 private:
  MemoryStore& m_store;
  oci::Descriptor m_expected;
  std::string m_bytes;
  bool m_done = false;
};

void MemoryStore::insert(const oci::Descriptor& d, std::string bytes) {
  std::lock_guard lock(m_mutex);
  auto& b = m_blobs[d.digest];
  if (b.media_type.empty()) b.media_type = d.media_type;
  b.bytes = std::make_shared<const std::string>(std::move(bytes));
}

bool MemoryStore::has(const oci::Descriptor& d) {
  std::lock_guard lock(m_mutex);
  auto it = m_blobs.find(d.digest);
  return it != m_blobs.end() && it->second.bytes->size() == static_cast<uint64_t>(d.size);
}

std::unique_ptr<BlobReader> MemoryStore::open(const oci::Descriptor& d) {
  std::lock_guard lock(m_mutex);
  auto it = m_blobs.find(d.digest);
  if (it == m_blobs.end())
    throw Error(Errc::not_found, "blob " + d.digest.to_string() + " not found");
  return std::make_unique<MemoryBlobReader>(it->second.bytes);
}

std::unique_ptr<BlobWriter> MemoryStore::create(const oci::Descriptor& expected) {
  if (expected.size < 0)
    throw Error(Errc::invalid_argument,
                "blob " + expected.digest.to_string() + " has a negative size");
  return std::make_unique<MemoryBlobWriter>(*this, expected);
}

void MemoryStore::put_manifest(const oci::Descriptor& d, std::string_view bytes,
                               const std::vector<ref::Reference>& names) {
  if (bytes.size() > oci::k_max_manifest_bytes)
    throw Error(Errc::invalid_argument, "manifest " + d.digest.to_string() + " is too large");
  verify(d, bytes);
  insert(d, std::string(bytes));
  std::lock_guard lock(m_mutex);
  oci::Descriptor entry = d;
  entry.annotations.clear();
  for (const auto& n : names) m_names[name_key(n)] = entry;
}

std::optional<oci::Descriptor> MemoryStore::resolve(const ref::Reference& name) {
  std::lock_guard lock(m_mutex);
  if (name.digest()) {
    auto it = m_blobs.find(*name.digest());
    if (it == m_blobs.end()) return std::nullopt;
    oci::Descriptor d;
    d.media_type = it->second.media_type;
    d.digest = it->first;
    d.size = static_cast<int64_t>(it->second.bytes->size());
    return d;
  }
  auto it = m_names.find(name_key(name));
  if (it == m_names.end()) return std::nullopt;
  return it->second;
}

size_t MemoryStore::blob_count() const {
  std::lock_guard lock(m_mutex);
  return m_blobs.size();
}

std::optional<std::string> MemoryStore::blob(const digest::Digest& d) const {
  std::lock_guard lock(m_mutex);
  auto it = m_blobs.find(d);
  if (it == m_blobs.end()) return std::nullopt;
  return *it->second.bytes;
}

std::map<std::string, oci::Descriptor> MemoryStore::names() const {
  std::lock_guard lock(m_mutex);
  return m_names;
}

void MemoryStore::put_blob_unchecked(const digest::Digest& d, std::string bytes) {
  std::lock_guard lock(m_mutex);
  m_blobs[d].bytes = std::make_shared<const std::string>(std::move(bytes));
}

}  // namespace ext::store
