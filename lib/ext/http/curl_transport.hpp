// ext::http — CurlTransport: Transport over libcurl. TLS verification on unless `insecure`;
// extra CA file; proxy variables honoured (libcurl's defaults); one connection cache, DNS cache
// and TLS session cache shared by every request of the transport (connection reuse); connect
// and stall timeouts; redirects followed without forwarding Authorization to another host
// (OCI distribution-spec spec.md "API" @967efdc); bodies streamed both ways (upload(): the caller's
// bytes reach the socket through libcurl's read callback, paused between writes; no buffer of our
// own).
#pragma once

#include <memory>

#include "ext/http/transport.hpp"

namespace ext::http {

class CurlTransport final : public Transport {
 public:
  explicit CurlTransport(TransportOptions options = {});
  ~CurlTransport() override;
  CurlTransport(const CurlTransport&) = delete;
  CurlTransport& operator=(const CurlTransport&) = delete;

  Response send(const Request& req) override;
  std::unique_ptr<ResponseStream> open(const Request& req) override;
  std::unique_ptr<UploadStream> upload(const Request& req) override;

  // "libcurl/7.88.1 OpenSSL/3.0.x ...", for `ext version`.
  static std::string version();

  struct Impl;

 private:
  std::shared_ptr<Impl> m_impl;
};

}  // namespace ext::http
