#include "ext/http/curl_transport.hpp"

#include <curl/curl.h>

#include <cstring>
#include <mutex>

#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"
#include "ext/core/version.hpp"
#include "ext/util/strings.hpp"

namespace ext::http {

namespace {

struct GlobalInit {
  GlobalInit() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};
void ensure_global_init() {
  static GlobalInit init;
}

// Collects headers; a new status line (redirects, 100 Continue) starts a fresh set.
size_t on_header(char* data, size_t size, size_t n, void* user) {
  auto* headers = static_cast<Headers*>(user);
  std::string_view line(data, size * n);
  auto trimmed = util::trim(line);
  if (trimmed.starts_with("HTTP/")) {
    headers->clear();
  } else if (auto colon = trimmed.find(':'); colon != std::string_view::npos && colon > 0) {
    headers->add(std::string(util::trim(trimmed.substr(0, colon))),
                 std::string(util::trim(trimmed.substr(colon + 1))));
  }
  return size * n;
}

struct Upload {
  const Request* req = nullptr;
  size_t offset = 0;  // into req->body when there is no source
};

size_t on_read(char* buf, size_t size, size_t n, void* user) {
  auto* up = static_cast<Upload*>(user);
  size_t want = size * n;
  if (up->req->source) {
    try {
      return up->req->source->read(buf, want);
    } catch (...) {
      return CURL_READFUNC_ABORT;
    }
  }
  const auto& body = up->req->body;
  size_t take = std::min(want, body.size() - up->offset);
  std::memcpy(buf, body.data() + up->offset, take);
  up->offset += take;
  return take;
}

bool is_tls_error(CURLcode c) {
  return c == CURLE_PEER_FAILED_VERIFICATION || c == CURLE_SSL_CONNECT_ERROR ||
         c == CURLE_SSL_CACERT_BADFILE || c == CURLE_SSL_CERTPROBLEM || c == CURLE_SSL_ISSUER_ERROR;
}

}  // namespace

struct CurlTransport::Impl {
  TransportOptions options;
  CURLSH* share = nullptr;
  std::mutex locks[CURL_LOCK_DATA_LAST];
  std::mutex pool_mutex;
  std::vector<CURL*> pool;

  explicit Impl(TransportOptions o) : options(std::move(o)) {
    ensure_global_init();
    share = curl_share_init();
    curl_share_setopt(share, CURLSHOPT_LOCKFUNC, &Impl::lock);
    curl_share_setopt(share, CURLSHOPT_UNLOCKFUNC, &Impl::unlock);
    curl_share_setopt(share, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    if (options.user_agent.empty()) options.user_agent = "ext/" + std::string(ext::version());
  }
  ~Impl() {
    for (auto* h : pool) curl_easy_cleanup(h);
    curl_share_cleanup(share);
  }

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Impl*>(user)->locks[data].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Impl*>(user)->locks[data].unlock();
  }

  CURL* take() {
    {
      std::lock_guard g(pool_mutex);
      if (!pool.empty()) {
        CURL* h = pool.back();
        pool.pop_back();
        curl_easy_reset(h);
        return h;
      }
    }
    CURL* h = curl_easy_init();
    if (!h) throw Error(Errc::internal, "curl_easy_init failed");
    return h;
  }
  void give_back(CURL* h) {
    std::lock_guard g(pool_mutex);
    pool.push_back(h);
  }

  void log(const std::string& line) const {
    if (options.reporter && options.reporter->verbosity() >= 2)
      options.reporter->debug(2, util::redact(line));
  }

  // Everything but the body sinks. `slist` and `upload` must outlive the transfer.
  void setup(CURL* h, const Request& req, curl_slist*& slist, Upload& upload, char* errbuf,
             Headers& headers) {
    curl_easy_setopt(h, CURLOPT_SHARE, share);
    curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(h, CURLOPT_MAXREDIRS, 10L);
    // curl drops a custom Authorization header when a redirect changes host (since 7.58) —
    // credentials never cross host boundaries (OCI distribution-spec spec.md "API").
    curl_easy_setopt(h, CURLOPT_UNRESTRICTED_AUTH, 0L);
    curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, static_cast<long>(options.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.stall_timeout.count()));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, options.insecure ? 0L : 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, options.insecure ? 0L : 2L);
    if (!options.ca_file.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options.ca_file.c_str());
    curl_easy_setopt(h, CURLOPT_BUFFERSIZE, 256L * 1024);
    curl_easy_setopt(h, CURLOPT_UPLOAD_BUFFERSIZE, 512L * 1024);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &headers);

    slist = curl_slist_append(slist, "Expect:");  // no 100-continue round trip
    for (const auto& [k, v] : req.headers.entries())
      slist = curl_slist_append(slist, (k + ": " + v).c_str());

    const bool upload_method = req.method == "PUT" || req.method == "POST" || req.method == "PATCH";
    if (req.method == "HEAD") {
      curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (upload_method || req.has_body()) {
      upload.req = &req;
      curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(h, CURLOPT_READFUNCTION, &on_read);
      curl_easy_setopt(h, CURLOPT_READDATA, &upload);
      curl_off_t size = req.source ? static_cast<curl_off_t>(req.source_size)
                                   : static_cast<curl_off_t>(req.body.size());
      curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, size);
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    } else if (req.method != "GET") {
      curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, slist);
  }

  Error transfer_error(const Request& req, CURLcode code, const char* errbuf) const {
    std::string detail = errbuf && *errbuf ? errbuf : curl_easy_strerror(code);
    std::string msg = describe(req) + ": " + util::redact(detail);
    std::string hint;
    if (is_tls_error(code))
      hint =
          "pass --ca-file FILE with the registry's CA certificate, or --insecure to skip "
          "verification (or set ca_file/insecure for this registry in config.yaml)";
    else if (code == CURLE_UNSUPPORTED_PROTOCOL || code == CURLE_WEIRD_SERVER_REPLY)
      hint = "if the registry speaks plain HTTP, pass --plain-http";
    else if (code == CURLE_OPERATION_TIMEDOUT)
      msg += " (no data moved for " + std::to_string(options.stall_timeout.count()) + " s)";
    // A certificate that does not verify will not verify on the next try either.
    return Error(is_tls_error(code) ? Errc::tls : Errc::network, msg, hint);
  }
};

namespace {

struct Buffered {
  std::string* body;
  uint64_t max;
  bool overflow = false;
};

size_t on_write_buffered(char* data, size_t size, size_t n, void* user) {
  auto* b = static_cast<Buffered*>(user);
  size_t len = size * n;
  if (b->body->size() + len > b->max) {
    b->overflow = true;
    return 0;
  }
  b->body->append(data, len);
  return len;
}

// Streaming body: a multi handle driving one transfer; the write callback pauses the transfer
// while the consumer has not drained the buffer, so memory stays bounded.
// One transfer driven by its own multi handle, so the caller can feed or drain it piece by
// piece (streamed downloads and uploads). Owns the easy handle (from the pool, given back on
// cleanup), the multi handle and the request's header list.
class MultiTransfer {
 protected:
  explicit MultiTransfer(std::shared_ptr<CurlTransport::Impl> impl)
      : m_impl(std::move(impl)), m_easy(m_impl->take()) {}
  ~MultiTransfer() { cleanup(); }
  MultiTransfer(const MultiTransfer&) = delete;
  MultiTransfer& operator=(const MultiTransfer&) = delete;

  // After the easy handle is set up.
  void start() {
    m_multi = curl_multi_init();
    curl_multi_add_handle(m_multi, m_easy);
  }

  void collect_done() {
    int left = 0;
    while (CURLMsg* msg = curl_multi_info_read(m_multi, &left)) {
      if (msg->msg == CURLMSG_DONE) {
        m_done = true;
        m_result = msg->data.result;
      }
    }
  }

  void cleanup() {
    if (m_multi) {
      curl_multi_remove_handle(m_multi, m_easy);
      curl_multi_cleanup(m_multi);
      m_multi = nullptr;
    }
    if (m_easy) {
      m_impl->give_back(m_easy);
      m_easy = nullptr;
    }
    if (m_slist) {
      curl_slist_free_all(m_slist);
      m_slist = nullptr;
    }
  }

  std::shared_ptr<CurlTransport::Impl> m_impl;
  CURL* m_easy = nullptr;
  CURLM* m_multi = nullptr;
  curl_slist* m_slist = nullptr;
  char m_errbuf[CURL_ERROR_SIZE] = {};
  bool m_paused = false;
  bool m_done = false;
  CURLcode m_result = CURLE_OK;
};

class CurlStream final : public ResponseStream, private MultiTransfer {
 public:
  static constexpr size_t k_high_water = 1u << 20;

  CurlStream(std::shared_ptr<CurlTransport::Impl> impl, const Request& req)
      : MultiTransfer(std::move(impl)), m_req(req) {
    m_req.source = req.source;  // same streamed body (caller keeps it alive while opening)
    m_impl->setup(m_easy, m_req, m_slist, m_upload, m_errbuf, m_headers);
    curl_easy_setopt(m_easy, CURLOPT_WRITEFUNCTION, &CurlStream::on_write);
    curl_easy_setopt(m_easy, CURLOPT_WRITEDATA, this);
    start();
    // Headers are in once body bytes arrive or the transfer ends.
    while (m_buf.size() == m_pos && !m_done) pump();
    if (m_done && m_result != CURLE_OK) {
      auto err = m_impl->transfer_error(m_req, m_result, m_errbuf);
      cleanup();
      throw err;
    }
    long status = 0;
    curl_easy_getinfo(m_easy, CURLINFO_RESPONSE_CODE, &status);
    m_status = static_cast<int>(status);
    char* eff = nullptr;
    curl_easy_getinfo(m_easy, CURLINFO_EFFECTIVE_URL, &eff);
    m_url = eff ? eff : m_req.url;
    m_impl->log("< " + std::to_string(m_status) + " " + describe(m_req) + " (streaming)");
  }
  // Detach from curl before this object's members (callback targets) go.
  ~CurlStream() override { cleanup(); }

  int status() const override { return m_status; }
  const Headers& headers() const override { return m_headers; }
  const std::string& url() const override { return m_url; }

  size_t read(void* out, size_t n) override {
    if (m_pos == m_buf.size() && n > 0) {
      // Nothing buffered: let the write callback fill the caller's buffer directly.
      m_direct = static_cast<char*>(out);
      m_direct_cap = n;
      m_direct_len = 0;
      while (m_direct_len == 0 && m_pos == m_buf.size()) {
        if (m_done) {
          m_direct = nullptr;
          if (m_result != CURLE_OK) throw m_impl->transfer_error(m_req, m_result, m_errbuf);
          return 0;
        }
        if (m_paused) {
          m_paused = false;
          curl_easy_pause(m_easy, CURLPAUSE_CONT);
          continue;
        }
        pump();
      }
      // Take what else has already arrived, without waiting: fewer, larger reads downstream.
      while (m_direct_len > 0 && m_direct_len < m_direct_cap && m_pos == m_buf.size() && !m_done &&
             !m_paused) {
        size_t before = m_direct_len;
        int running = 0;
        curl_multi_perform(m_multi, &running);
        collect_done();
        if (m_direct_len == before) break;
      }
      m_direct = nullptr;
      if (m_direct_len > 0) return m_direct_len;
    }
    while (m_pos == m_buf.size()) {
      if (m_done) {
        if (m_result != CURLE_OK) throw m_impl->transfer_error(m_req, m_result, m_errbuf);
        return 0;
      }
      if (m_paused) {
        m_paused = false;
        curl_easy_pause(m_easy, CURLPAUSE_CONT);
        continue;
      }
      pump();
    }
    size_t take = std::min(n, m_buf.size() - m_pos);
    std::memcpy(out, m_buf.data() + m_pos, take);
    m_pos += take;
    if (m_pos == m_buf.size()) {
      m_buf.clear();
      m_pos = 0;
    }
    return take;
  }

 private:
  static size_t on_write(char* data, size_t size, size_t n, void* user) {
    auto* s = static_cast<CurlStream*>(user);
    size_t len = size * n;
    if (s->m_direct && s->m_direct_len < s->m_direct_cap && s->m_pos == s->m_buf.size()) {
      size_t take = std::min(len, s->m_direct_cap - s->m_direct_len);
      std::memcpy(s->m_direct + s->m_direct_len, data, take);
      s->m_direct_len += take;
      data += take;
      len -= take;
      if (len == 0) return take;
      s->m_buf.append(data, len);
      return take + len;
    }
    if (s->m_buf.size() - s->m_pos >= k_high_water) {
      s->m_paused = true;
      return CURL_WRITEFUNC_PAUSE;
    }
    if (s->m_pos > 0 && s->m_pos * 2 > s->m_buf.size()) {
      s->m_buf.erase(0, s->m_pos);
      s->m_pos = 0;
    }
    s->m_buf.append(data, len);
    return len;
  }

  void pump() {
    int running = 0;
    curl_multi_perform(m_multi, &running);
    collect_done();
    const bool delivered = m_buf.size() != m_pos || (m_direct && m_direct_len > 0);
    if (!m_done && !delivered && !m_paused) curl_multi_poll(m_multi, nullptr, 0, 1000, nullptr);
  }

  Request m_req;
  Upload m_upload;
  Headers m_headers;
  std::string m_buf;
  size_t m_pos = 0;
  char* m_direct = nullptr;  // the caller's buffer during read(), filled first
  size_t m_direct_cap = 0;
  size_t m_direct_len = 0;
  int m_status = 0;
  std::string m_url;
};

// Streaming request body: a multi handle driving one transfer; the read callback hands curl the
// bytes of the current write() call (no copy of our own) and pauses the transfer when they are
// used up, until the next write().
class CurlUpload final : public UploadStream, private MultiTransfer {
 public:
  CurlUpload(std::shared_ptr<CurlTransport::Impl> impl, const Request& req)
      : MultiTransfer(std::move(impl)), m_req(req), m_total(req.source_size) {
    m_req.source = nullptr;
    m_req.body.clear();
    m_buffered.max = req.max_response;
    m_impl->setup(m_easy, m_req, m_slist, m_unused, m_errbuf, m_resp.headers);
    curl_easy_setopt(m_easy, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(m_easy, CURLOPT_READFUNCTION, &CurlUpload::on_read);
    curl_easy_setopt(m_easy, CURLOPT_READDATA, this);
    curl_easy_setopt(m_easy, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(m_total));
    curl_easy_setopt(m_easy, CURLOPT_WRITEFUNCTION, &on_write_buffered);
    curl_easy_setopt(m_easy, CURLOPT_WRITEDATA, &m_buffered);
    start();
  }
  ~CurlUpload() override { cleanup(); }

  bool write(const void* data, size_t n) override {
    if (m_sent + n > m_total)
      throw Error(Errc::internal, describe(m_req) + ": more body bytes than announced");
    m_ptr = static_cast<const char*>(data);
    m_left = n;
    while (m_left > 0) {
      if (m_done) {
        m_left = 0;
        return false;
      }
      if (m_paused) {
        m_paused = false;
        curl_easy_pause(m_easy, CURLPAUSE_CONT);
        continue;
      }
      pump();
    }
    return !m_done;
  }

  Response finish() override {
    if (m_sent < m_total && !m_done)
      throw Error(Errc::internal, describe(m_req) + ": body ended after " + std::to_string(m_sent) +
                                      " of " + std::to_string(m_total) + " bytes");
    while (!m_done) {
      if (m_paused) {
        m_paused = false;
        curl_easy_pause(m_easy, CURLPAUSE_CONT);
      }
      pump();
    }
    long status = 0;
    curl_easy_getinfo(m_easy, CURLINFO_RESPONSE_CODE, &status);
    char* eff = nullptr;
    curl_easy_getinfo(m_easy, CURLINFO_EFFECTIVE_URL, &eff);
    m_resp.url = eff ? eff : m_req.url;
    m_resp.status = static_cast<int>(status);
    CURLcode code = m_result;
    std::string errbuf = m_errbuf;
    cleanup();
    if (m_buffered.overflow)
      throw Error(Errc::registry, describe(m_req) + ": response body larger than " +
                                      util::human_size(m_req.max_response) + " (refused)");
    if (code != CURLE_OK) throw m_impl->transfer_error(m_req, code, errbuf.c_str());
    m_impl->log("< " + std::to_string(m_resp.status) + " " + describe(m_req) + " (" +
                std::to_string(m_sent) + " bytes sent, streamed)");
    return std::move(m_resp);
  }

 private:
  static size_t on_read(char* buf, size_t size, size_t n, void* user) {
    auto* u = static_cast<CurlUpload*>(user);
    if (u->m_left == 0) {
      if (u->m_sent >= u->m_total) return 0;
      u->m_paused = true;
      return CURL_READFUNC_PAUSE;
    }
    size_t take = std::min(size * n, u->m_left);
    std::memcpy(buf, u->m_ptr, take);
    u->m_ptr += take;
    u->m_left -= take;
    u->m_sent += take;
    return take;
  }

  void pump() {
    int running = 0;
    curl_multi_perform(m_multi, &running);
    collect_done();
    if (!m_done && !m_paused) curl_multi_poll(m_multi, nullptr, 0, 1000, nullptr);
  }

  Request m_req;
  uint64_t m_total = 0;
  uint64_t m_sent = 0;
  const char* m_ptr = nullptr;
  size_t m_left = 0;
  Upload m_unused;
  Response m_resp;
  Buffered m_buffered{&m_resp.body, 0};
};

}  // namespace

CurlTransport::CurlTransport(TransportOptions options)
    : m_impl(std::make_shared<Impl>(std::move(options))) {}

CurlTransport::~CurlTransport() = default;

Response CurlTransport::send(const Request& req) {
  m_impl->log("> " + describe(req));
  CURL* h = m_impl->take();
  curl_slist* slist = nullptr;
  Upload upload;
  char errbuf[CURL_ERROR_SIZE] = {};
  Response resp;
  m_impl->setup(h, req, slist, upload, errbuf, resp.headers);
  Buffered buffered{&resp.body, req.max_response};
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_write_buffered);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &buffered);
  CURLcode code = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  char* eff = nullptr;
  curl_easy_getinfo(h, CURLINFO_EFFECTIVE_URL, &eff);
  resp.url = eff ? eff : req.url;
  resp.status = static_cast<int>(status);
  curl_slist_free_all(slist);
  m_impl->give_back(h);
  if (buffered.overflow)
    throw Error(Errc::registry, describe(req) + ": response body larger than " +
                                    util::human_size(req.max_response) + " (refused)");
  if (code != CURLE_OK) throw m_impl->transfer_error(req, code, errbuf);
  m_impl->log("< " + std::to_string(resp.status) + " " + describe(req) + " (" +
              std::to_string(resp.body.size()) + " bytes)");
  return resp;
}

std::unique_ptr<ResponseStream> CurlTransport::open(const Request& req) {
  m_impl->log("> " + describe(req));
  return std::make_unique<CurlStream>(m_impl, req);
}

std::unique_ptr<UploadStream> CurlTransport::upload(const Request& req) {
  m_impl->log("> " + describe(req) + " (streamed body, " + std::to_string(req.source_size) +
              " bytes)");
  return std::make_unique<CurlUpload>(m_impl, req);
}

std::string CurlTransport::version() {
  return curl_version();
}

}  // namespace ext::http
