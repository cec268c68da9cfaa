// ext::digest — content digests (OCI image-spec "Digests": algorithm ":" encoded) and streaming
// SHA-256 over OpenSSL EVP. Blobs are hashed in chunks, never read whole into memory.
// OpenSSL headers appear only in this module's .cpp files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "ext/core/result.hpp"

namespace ext::digest {

class Digest {
 public:
  Digest() = default;
  // "sha256:<64 lowercase hex>" (sha512 accepted with 128 hex); anything else is an error.
  static Result<Digest> parse(std::string_view text);
  static Digest sha256_from_hex(std::string hex);  // trusted input (our own hasher)

  const std::string& algorithm() const { return m_algorithm; }
  const std::string& hex() const { return m_hex; }
  std::string to_string() const { return m_algorithm + ":" + m_hex; }
  std::string short_hex(size_t n = 12) const { return m_hex.substr(0, n); }
  bool empty() const { return m_hex.empty(); }

  bool operator==(const Digest&) const = default;
  auto operator<=>(const Digest&) const = default;

 private:
  std::string m_algorithm;
  std::string m_hex;
};

// Streaming SHA-256.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  void update(const void* data, size_t size);
  void update(std::string_view s) { update(s.data(), s.size()); }
  Digest finish();  // once
  uint64_t bytes() const { return m_bytes; }

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
  uint64_t m_bytes = 0;
};

Digest sha256(std::string_view data);

// "OpenSSL 3.0.x ...", for `ext version`.
std::string openssl_version();
// Hashes a file in 1 MiB chunks.
Digest sha256_file(const std::filesystem::path& path);

}  // namespace ext::digest
