#include "ext/digest/digest.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "ext/util/strings.hpp"

namespace ext::digest {

Result<Digest> Digest::parse(std::string_view text) {
  auto colon = text.find(':');
  if (colon == std::string_view::npos)
    return fail(Errc::invalid_argument,
                "invalid digest \"" + std::string(text) + "\": expected algorithm:hex");
  std::string alg(text.substr(0, colon));
  std::string hex(text.substr(colon + 1));
  size_t want = 0;
  if (alg == "sha256")
    want = 64;
  else if (alg == "sha512")
    want = 128;
  else
    return fail(Errc::unsupported, "unsupported digest algorithm \"" + alg + "\"");
  if (hex.size() != want || !util::is_hex(hex))
    return fail(Errc::invalid_argument, "invalid digest \"" + std::string(text) + "\": " + alg +
                                            " needs " + std::to_string(want) +
                                            " lowercase hex characters");
  Digest d;
  d.m_algorithm = std::move(alg);
  d.m_hex = std::move(hex);
  return d;
}

Digest Digest::sha256_from_hex(std::string hex) {
  Digest d;
  d.m_algorithm = "sha256";
  d.m_hex = std::move(hex);
  return d;
}

struct Sha256::Impl {
  EVP_MD_CTX* ctx = nullptr;
};

Sha256::Sha256() : m_impl(std::make_unique<Impl>()) {
  m_impl->ctx = EVP_MD_CTX_new();
  if (!m_impl->ctx || EVP_DigestInit_ex(m_impl->ctx, EVP_sha256(), nullptr) != 1)
    throw Error(Errc::internal, "OpenSSL: cannot initialise SHA-256");
}

Sha256::~Sha256() {
  if (m_impl && m_impl->ctx) EVP_MD_CTX_free(m_impl->ctx);
}

Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::update(const void* data, size_t size) {
  if (size == 0) return;
  EVP_DigestUpdate(m_impl->ctx, data, size);
  m_bytes += size;
}

Digest Sha256::finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(m_impl->ctx, md, &len);
  return Digest::sha256_from_hex(util::hex_encode({md, len}));
}

Digest sha256(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.finish();
}

Digest sha256_file(const std::filesystem::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    throw Error(errno == ENOENT ? Errc::not_found : Errc::io,
                "cannot read " + path.string() + ": " + std::strerror(errno));
  ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  Sha256 h;
  std::vector<char> buf(1u << 20);
  while (true) {
    ssize_t n = ::read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      std::string why = std::strerror(errno);
      ::close(fd);
      throw Error(Errc::io, "cannot read " + path.string() + ": " + why);
    }
    if (n == 0) break;
    h.update(buf.data(), static_cast<size_t>(n));
  }
  ::close(fd);
  return h.finish();
}

std::string openssl_version() {
  return OpenSSL_version(OPENSSL_VERSION);
}

}  // namespace ext::digest
