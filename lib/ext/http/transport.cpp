#include "ext/http/transport.hpp"

#include <cstring>

#include "ext/core/error.hpp"
#include "ext/util/strings.hpp"

namespace ext::http {

size_t BufferSource::read(void* buf, size_t n) {
  size_t k = std::min(n, m_data.size() - m_pos);
  std::memcpy(buf, m_data.data() + m_pos, k);
  m_pos += k;
  return k;
}

std::string ResponseStream::read_rest(uint64_t max_bytes) {
  std::string out;
  char buf[16384];
  try {
    while (out.size() < max_bytes) {
      size_t n = read(buf, std::min<uint64_t>(sizeof buf, max_bytes - out.size()));
      if (n == 0) break;
      out.append(buf, n);
    }
  } catch (const Error&) {
  }
  return out;
}

namespace {

class CollectingUpload final : public UploadStream {
 public:
  CollectingUpload(Transport& transport, const Request& req) : m_transport(transport), m_req(req) {}
  bool write(const void* data, size_t n) override {
    m_body.append(static_cast<const char*>(data), n);
    return true;
  }
  Response finish() override {
    BufferSource source(m_body);
    m_req.source = &source;
    m_req.source_size = m_body.size();
    return m_transport.send(m_req);
  }

 private:
  Transport& m_transport;
  Request m_req;
  std::string m_body;
};

}  // namespace

std::unique_ptr<UploadStream> Transport::upload(const Request& req) {
  return std::make_unique<CollectingUpload>(*this, req);
}

std::string describe(const Request& req) {
  // Upload session URLs carry long opaque state; keep messages readable.
  std::string url = req.url;
  if (auto q = url.find("_state="); q != std::string::npos) {
    auto end = url.find('&', q);
    url.replace(q + 7, end == std::string::npos ? std::string::npos : end - q - 7, "...");
  }
  return req.method + " " + util::redact(url);
}

}  // namespace ext::http
