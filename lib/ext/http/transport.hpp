// ext::http — the Transport interface every HTTP request goes through, and its value types.
// Owns: HTTP requests and responses, streaming bodies both ways, TLS and timeouts (CurlTransport),
// retries with backoff (RetryingTransport). Must not use: registry or auth knowledge (scopes are
// carried as opaque hints for the auth decorator). libcurl headers only in this module's .cpp.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ext/http/headers.hpp"

namespace ext {
class Reporter;
}

namespace ext::http {

// A request body streamed from somewhere (a blob reader, a file).
class BodySource {
 public:
  virtual ~BodySource() = default;
  // Up to n bytes; 0 at the end.
  virtual size_t read(void* buf, size_t n) = 0;
  // Back to the first byte so a retry can send it again; false when it cannot.
  virtual bool rewind() = 0;
};

// A body over bytes the caller keeps alive (no copy; rewinds for retries).
class BufferSource final : public BodySource {
 public:
  explicit BufferSource(std::string_view data) : m_data(data) {}
  size_t read(void* buf, size_t n) override;
  bool rewind() override {
    m_pos = 0;
    return true;
  }
  uint64_t size() const { return m_data.size(); }

 private:
  std::string_view m_data;
  size_t m_pos = 0;
};

struct Request {
  std::string method = "GET";
  std::string url;
  Headers headers;
  std::string body;              // the body when `source` is null
  BodySource* source = nullptr;  // a streamed body of exactly `source_size` bytes
  uint64_t source_size = 0;
  // Auth scope hints ("repository:acme/f:pull,push"), read by auth::AuthTransport.
  std::vector<std::string> scopes;
  // Bound on the body send() buffers (Error when larger).
  uint64_t max_response = 4u << 20;

  bool has_body() const { return source != nullptr || !body.empty(); }
  // True when a retry can resend the body.
  bool rewind_body() const { return source == nullptr || source->rewind(); }
};

struct Response {
  int status = 0;
  Headers headers;
  std::string body;
  std::string url;  // the URL that answered (after redirects)
};

// A response whose body is read as a stream (blob downloads).
class ResponseStream {
 public:
  virtual ~ResponseStream() = default;
  virtual int status() const = 0;
  virtual const Headers& headers() const = 0;
  virtual const std::string& url() const = 0;
  // Up to n bytes; 0 at the end. Throws Error(network) when the connection fails midway.
  virtual size_t read(void* buf, size_t n) = 0;
  // Reads the rest into a string, bounded (for error bodies); never throws.
  std::string read_rest(uint64_t max_bytes = 64u << 10);
};

// A request whose body the caller writes piece by piece while it is being sent (blob uploads
// straight from a store reader: one request, no buffering, memory bounded). Not retried: the
// bytes are gone once sent, so the caller restarts the whole upload when finish() fails.
class UploadStream {
 public:
  virtual ~UploadStream() = default;
  // Sends n more bytes (at most the request's source_size in all). Returns false when the
  // server already answered (an early error response): finish() then has it.
  virtual bool write(const void* data, size_t n) = 0;
  // After source_size bytes: the response, its body buffered up to the request's max_response.
  // Throws Error(network) when the transfer failed.
  virtual Response finish() = 0;
};

class Transport {
 public:
  virtual ~Transport() = default;
  // Sends and buffers the response body up to req.max_response.
  // Throws Error(network) when no HTTP response arrives; any HTTP status is a Response.
  virtual Response send(const Request& req) = 0;
  // Sends and returns once the response headers are in; the body is read from the stream.
  virtual std::unique_ptr<ResponseStream> open(const Request& req) = 0;
  // Starts a request of req.source_size body bytes that the caller writes (req.source and
  // req.body are ignored). This default collects the body and calls send() on finish() — for
  // transports that cannot stream (test fakes); CurlTransport and the decorators stream.
  virtual std::unique_ptr<UploadStream> upload(const Request& req);
};

struct TransportOptions {
  bool insecure = false;          // skip TLS verification
  std::filesystem::path ca_file;  // extra trust anchors (PEM)
  std::chrono::seconds connect_timeout{15};
  std::chrono::seconds stall_timeout{30};  // abort when no byte moves for this long
  std::string user_agent;                  // default "ext/<version>"
  Reporter* reporter = nullptr;            // -vv request log (secrets redacted)
};

// "GET https://host/v2/..." for messages, secrets redacted.
std::string describe(const Request& req);

}  // namespace ext::http
