#include "ext/core/error.hpp"

namespace ext {

const char* to_string(Errc code) noexcept {
  switch (code) {
    case Errc::failed:
      return "failed";
    case Errc::usage:
      return "usage";
    case Errc::invalid_argument:
      return "invalid_argument";
    case Errc::not_found:
      return "not_found";
    case Errc::already_exists:
      return "already_exists";
    case Errc::io:
      return "io";
    case Errc::parse:
      return "parse";
    case Errc::validation:
      return "validation";
    case Errc::digest_mismatch:
      return "digest_mismatch";
    case Errc::unsupported:
      return "unsupported";
    case Errc::network:
      return "network";
    case Errc::tls:
      return "tls";
    case Errc::auth:
      return "auth";
    case Errc::registry:
      return "registry";
    case Errc::toolchain:
      return "toolchain";
    case Errc::test_failed:
      return "test_failed";
    case Errc::interrupted:
      return "interrupted";
    case Errc::internal:
      return "internal";
  }
  return "failed";
}

Error::Error(Errc code, std::string message, std::string hint)
    : std::runtime_error(message),
      m_code(code),
      m_message(std::move(message)),
      m_hint(std::move(hint)) {}

Error& Error::with_http(int status, std::string registry_code) {
  m_http_status = status;
  m_registry_code = std::move(registry_code);
  return *this;
}

Error& Error::with_hint(std::string hint) {
  m_hint = std::move(hint);
  return *this;
}

bool Error::temporary_status(int s) noexcept {
  return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

bool Error::temporary() const noexcept {
  return m_code == Errc::network || temporary_status(m_http_status);
}

Error Error::with_context(const std::string& context) const {
  Error e(m_code, context.empty() ? m_message : context + ": " + m_message, m_hint);
  e.m_http_status = m_http_status;
  e.m_registry_code = m_registry_code;
  return e;
}

}  // namespace ext
