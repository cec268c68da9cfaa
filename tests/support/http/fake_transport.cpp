#include "support/http/fake_transport.hpp"

#include <algorithm>
#include <optional>

#include "ext/core/error.hpp"

namespace ext::test {

namespace {

class StringStream final : public http::ResponseStream {
 public:
  explicit StringStream(http::Response r) : m_r(std::move(r)) {}
  int status() const override { return m_r.status; }
  const http::Headers& headers() const override { return m_r.headers; }
  const std::string& url() const override { return m_r.url; }
  size_t read(void* buf, size_t n) override {
    size_t k = std::min(n, m_r.body.size() - m_pos);
    std::copy_n(m_r.body.data() + m_pos, k, static_cast<char*>(buf));
    m_pos += k;
    return k;
  }

 private:
  http::Response m_r;
  size_t m_pos = 0;
};

}  // namespace

void FakeTransport::push_script(Reply r) {
  std::lock_guard lock(m_mutex);
  m_script.push_back(std::move(r));
}

void FakeTransport::push_status(int status) {
  Reply r;
  r.status = status;
  push_script(std::move(r));
}

void FakeTransport::drop_next(int n) {
  for (int i = 0; i < n; ++i) {
    Reply r;
    r.drop = true;
    push_script(std::move(r));
  }
}

void FakeTransport::answer_for(std::string match, Reply r, int times) {
  std::lock_guard lock(m_mutex);
  m_standing.push_back({std::move(match), std::move(r), times});
}

std::vector<http::Request> FakeTransport::requests() const {
  std::lock_guard lock(m_mutex);
  return m_requests;
}

std::vector<std::string> FakeTransport::log() const {
  std::lock_guard lock(m_mutex);
  return m_log;
}

int FakeTransport::calls() const {
  std::lock_guard lock(m_mutex);
  return static_cast<int>(m_log.size());
}

http::Response FakeTransport::answer(const http::Request&) {
  http::Response r;
  r.status = 200;
  return r;
}

http::Response FakeTransport::send(const http::Request& req) {
  std::optional<Reply> scripted;
  {
    std::lock_guard lock(m_mutex);
    auto at = req.url.find("/v2/");
    m_log.push_back(req.method + " " + (at == std::string::npos ? req.url : req.url.substr(at)));
    http::Request seen = req;
    seen.source = nullptr;
    m_requests.push_back(std::move(seen));
    if (!m_script.empty()) {
      scripted = std::move(m_script.front());
      m_script.pop_front();
    } else {
      for (auto& s : m_standing)
        if (s.times != 0 && m_log.back().find(s.match) != std::string::npos) {
          scripted = s.reply;
          if (s.times > 0) --s.times;
          break;
        }
    }
  }
  http::Response r;
  if (scripted) {
    if (scripted->drop)
      throw Error(scripted->error,
                  req.method + " " + req.url +
                      (scripted->error == Errc::network ? ": connection reset" : ": failed"));
    r.status = scripted->status;
    r.headers = scripted->headers;
    r.body = scripted->body;
  } else {
    r = answer(req);
  }
  r.url = req.url;
  if (req.method == "HEAD") r.body.clear();
  return r;
}

std::unique_ptr<http::ResponseStream> FakeTransport::open(const http::Request& req) {
  return std::make_unique<StringStream>(send(req));
}

}  // namespace ext::test
