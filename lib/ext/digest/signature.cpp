#include "ext/digest/signature.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>

#include "ext/util/strings.hpp"

namespace ext::digest {
namespace {

struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CtxFree {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using MdCtx = std::unique_ptr<EVP_MD_CTX, CtxFree>;

// Envoy getHashFunction: the names it knows, case-insensitively.
const EVP_MD* hash_function(std::string_view name) {
  auto n = util::to_lower(name);
  if (n == "sha1") return EVP_sha1();
  if (n == "sha224") return EVP_sha224();
  if (n == "sha256") return EVP_sha256();
  if (n == "sha384") return EVP_sha384();
  if (n == "sha512") return EVP_sha512();
  return nullptr;
}

// A read-only memory BIO over PEM text (freed with it).
std::unique_ptr<BIO, decltype(&BIO_free)> pem_bio(std::string_view pem) {
  return {BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())), BIO_free};
}

Pkey public_key(std::string_view der, std::string_view pem) {
  if (!pem.empty()) {
    auto bio = pem_bio(pem);
    if (!bio) return nullptr;
    return Pkey(PEM_read_bio_PUBKEY(bio.get(), nullptr, nullptr, nullptr));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return Pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));
}

Pkey private_key(std::string_view der, std::string_view pem) {
  if (!pem.empty()) {
    auto bio = pem_bio(pem);
    if (!bio) return nullptr;
    return Pkey(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  }
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return Pkey(d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size())));
}

}  // namespace

SignatureResult verify_signature(std::string_view hash, std::string_view key_der,
                                 std::string_view key_pem, std::string_view signature,
                                 std::string_view text) {
  SignatureResult out;
  const EVP_MD* md = hash_function(hash);
  if (!md) {
    out.error = std::string(hash) + " is not supported.";
    return out;
  }
  auto key = public_key(key_der, key_pem);
  MdCtx ctx(EVP_MD_CTX_new());
  // A key that does not parse fails here, as in Envoy (its importer never returns null).
  if (!key || !ctx || EVP_DigestVerifyInit(ctx.get(), nullptr, md, nullptr, key.get()) != 1) {
    out.error = "Failed to initialize digest verify.";
    return out;
  }
  int r = EVP_DigestVerify(ctx.get(), reinterpret_cast<const unsigned char*>(signature.data()),
                           signature.size(), reinterpret_cast<const unsigned char*>(text.data()),
                           text.size());
  if (r == 1) {
    out.ok = true;
    return out;
  }
  out.error = "Failed to verify digest. Error code: " + std::to_string(r < 0 ? 0 : r);
  return out;
}

SignatureResult sign(std::string_view hash, std::string_view key_der, std::string_view key_pem,
                     std::string_view text) {
  SignatureResult out;
  const EVP_MD* md = hash_function(hash);
  if (!md) {
    out.error = std::string(hash) + " is not supported.";
    return out;
  }
  auto key = private_key(key_der, key_pem);
  if (!key) {
    out.error = "Invalid key type: private key required for signing operation.";
    return out;
  }
  MdCtx ctx(EVP_MD_CTX_new());
  if (!ctx || EVP_DigestSignInit(ctx.get(), nullptr, md, nullptr, key.get()) != 1) {
    out.error = "Failed to initialize digest sign.";
    return out;
  }
  size_t len = 0;
  if (EVP_DigestSign(ctx.get(), nullptr, &len, reinterpret_cast<const unsigned char*>(text.data()),
                     text.size()) != 1) {
    out.error = "Failed to get signature length.";
    return out;
  }
  std::string sig(len, '\0');
  if (EVP_DigestSign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len,
                     reinterpret_cast<const unsigned char*>(text.data()), text.size()) != 1) {
    out.error = "Failed to create signature.";
    return out;
  }
  sig.resize(len);
  out.ok = true;
  out.signature = std::move(sig);
  return out;
}

}  // namespace ext::digest
