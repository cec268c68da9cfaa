// ext::digest signatures — signing and verifying with a public/private key, with the semantics
// of Envoy's crypto utility (envoyproxy/envoy source/common/crypto/utility_impl.cc, used by the
// Wasm foreign functions `sign` and `verify_signature`): the hash is named (sha1, sha224, sha256,
// sha384, sha512, any case), keys are DER (SubjectPublicKeyInfo / PKCS#8) or PEM, and a failure
// is a result with Envoy's error text, not an exception.
#pragma once

#include <string>
#include <string_view>

namespace ext::digest {

struct SignatureResult {
  bool ok = false;
  std::string signature;  // sign: the signature
  std::string error;      // Envoy's message when !ok
};

// Exactly one of key_der / key_pem is non-empty (the caller checks: Envoy answers BAD_ARGUMENT
// otherwise). Inputs are bounded by the caller.
SignatureResult verify_signature(std::string_view hash, std::string_view key_der,
                                 std::string_view key_pem, std::string_view signature,
                                 std::string_view text);
SignatureResult sign(std::string_view hash, std::string_view key_der, std::string_view key_pem,
                     std::string_view text);

}  // namespace ext::digest
