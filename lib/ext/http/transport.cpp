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
