// ext::core — the error model shared by every module: Error (an exception with a code, a hint,
// and registry details), Errc, and context chaining. Must not use any third-party library.
#pragma once

#include <stdexcept>
#include <string>

namespace ext {

enum class Errc {
  failed,            // generic failure
  usage,             // bad command-line usage (exit 2)
  invalid_argument,  // a value the user gave is malformed (reference, flag value)
  not_found,         // a name, file, blob or manifest does not exist
  already_exists,
  io,               // filesystem or OS failure
  parse,            // malformed JSON/YAML/wasm/tar/manifest
  validation,       // content read fine but breaks a rule (ABI, media type)
  digest_mismatch,  // content does not match its digest
  unsupported,      // a format, media type or feature we do not handle
  network,          // connection, timeout (transient: retried)
  tls,              // TLS handshake or certificate verification failed (never retried)
  auth,             // authentication or authorization failed
  registry,         // a registry answered with an error
  toolchain,        // compiler/cargo missing or failed
  test_failed,      // `ext test` cases failed
  interrupted,      // SIGINT (exit 130)
  internal,         // a bug
};

const char* to_string(Errc code) noexcept;

class Error : public std::runtime_error {
 public:
  Error(Errc code, std::string message, std::string hint = {});

  Errc code() const noexcept { return m_code; }
  const std::string& hint() const noexcept { return m_hint; }
  const std::string& message() const noexcept { return m_message; }

  // Registry details: HTTP status and OCI error code ("MANIFEST_INVALID"), when known.
  int http_status() const noexcept { return m_http_status; }
  const std::string& registry_code() const noexcept { return m_registry_code; }
  Error& with_http(int status, std::string registry_code = {});
  Error& with_hint(std::string hint);

  // A copy whose message is "<context>: <message>"; code, hint and details kept.
  Error with_context(const std::string& context) const;

  // The one rule for what is retried (the transport, push and pull all ask this): a dropped or
  // timed-out connection, or an HTTP status a later attempt may not get (408, 429, 500, 502,
  // 503, 504). TLS, auth and every other error are final.
  bool temporary() const noexcept;
  static bool temporary_status(int http_status) noexcept;

 private:
  Errc m_code;
  std::string m_message;
  std::string m_hint;
  int m_http_status = 0;
  std::string m_registry_code;
};

// Runs f(); an ext::Error escaping it is rethrown with "<context>: " in front.
template <class F>
decltype(auto) with_context(const std::string& context, F&& f) {
  try {
    return f();
  } catch (const Error& e) {
    throw e.with_context(context);
  }
}

}  // namespace ext
