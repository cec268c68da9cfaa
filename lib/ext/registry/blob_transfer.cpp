// Blob downloads (streamed, resumed with Range after a dropped connection; distribution-spec
// "Pulling blobs", RFC 9110 Range) and uploads (distribution-spec "Pushing blobs"): small blobs
// buffered and sent monolithically (POST+PUT, or the single POST with fallback on 202), restarted
// in place on failure; larger blobs streamed from the writer's caller straight into one PUT
// (POST+PUT, no buffer: the caller restarts a failed one); or, when chunk_size is set, chunked
// PATCH honouring OCI-Chunk-Min-Length with recovery through the upload-status GET.
#include <algorithm>
#include <chrono>

#include "ext/auth/auth_transport.hpp"
#include "ext/core/cancel.hpp"
#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"
#include "ext/http/url.hpp"
#include "ext/registry/client.hpp"
#include "ext/util/strings.hpp"

namespace ext::registry {

namespace {

constexpr uint64_t k_max_chunk = 64u << 20;

std::chrono::milliseconds since(Clock& clock, Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.now() - t);
}

// The pause before the next attempt, on the client's clock (a fake one in tests).
void pause_before_retry(Client& client, int attempt) {
  client.clock().sleep_for(std::chrono::milliseconds(100 * attempt));
  throw_if_interrupted();
}

// Charges a failure and the pause after it to the command's budget; false when no retry fits.
bool budget_allows_retry(http::RetryBudget& budget, std::chrono::milliseconds failed_for,
                         int attempt) {
  budget.charge(failed_for);
  return budget.charge(std::chrono::milliseconds(100 * attempt));
}

// "0-123" or "bytes=0-123" -> 124 (bytes received); nullopt when absent or malformed.
// distribution answers "0-0" for an empty session too (distribution-spec "Pushing a blob in
// chunks": the Range of an upload): read it as 0.
std::optional<uint64_t> parse_range_end(const std::optional<std::string>& v) {
  if (!v) return std::nullopt;
  std::string_view s = util::trim(*v);
  if (s.starts_with("bytes=")) s.remove_prefix(6);
  auto dash = s.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  try {
    uint64_t end = std::stoull(std::string(s.substr(dash + 1)));
    return end == 0 ? 0 : end + 1;
  } catch (...) {
    return std::nullopt;
  }
}

class RemoteBlobReader final : public store::BlobReader {
 public:
  RemoteBlobReader(Client& client, std::string repo, oci::Descriptor d)
      : m_client(client), m_repo(std::move(repo)), m_desc(std::move(d)) {
    m_what = "downloading blob " + m_desc.digest.to_string();
    open_stream();  // fail early (404, 401) rather than on the first read
  }

  size_t read(void* buf, size_t n) override {
    const uint64_t size = static_cast<uint64_t>(m_desc.size);
    while (true) {
      if (m_offset >= size) return 0;
      if (!m_stream) open_stream();
      size_t want = static_cast<size_t>(std::min<uint64_t>(n, size - m_offset));
      size_t got = 0;
      try {
        got = m_stream->read(buf, want);
      } catch (const Error& e) {
        if (e.code() != Errc::network) throw;
        m_stream.reset();
        if (++m_attempt > m_client.options().resume_attempts) throw e.with_context(m_what);
        // The time since the last byte arrived (a stall: its timeout) counts against the
        // command's one retry budget, shared with the transport's retries.
        if (!budget_allows_retry(m_client.retry_budget(), since(m_client.clock(), m_last_progress),
                                 m_attempt))
          throw e.with_context(m_what + " (" + m_client.retry_budget().describe() + ")");
        debug("connection dropped at byte " + std::to_string(m_offset) + "; resuming");
        pause_before_retry(m_client, m_attempt);
        continue;
      }
      if (got == 0) {
        // Ended before the descriptor's size: the registry (or something between) cut it.
        m_stream.reset();
        std::string ended = m_what + ": the body ended after " + std::to_string(m_offset) + " of " +
                            std::to_string(size) + " bytes";
        if (++m_attempt > m_client.options().resume_attempts) throw Error(Errc::network, ended);
        if (!budget_allows_retry(m_client.retry_budget(), since(m_client.clock(), m_last_progress),
                                 m_attempt))
          throw Error(Errc::network, ended + " (" + m_client.retry_budget().describe() + ")");
        debug("body ended early at byte " + std::to_string(m_offset) + "; resuming");
        pause_before_retry(m_client, m_attempt);
        continue;
      }
      m_offset += got;
      m_last_progress = m_client.clock().now();
      return got;
    }
  }

 private:
  void debug(const std::string& m) {
    if (auto* r = m_client.options().reporter) r->debug(1, m_what + ": " + m);
  }

  void open_stream() {
    http::Request req;
    req.url = m_client.url("/v2/" + m_repo + "/blobs/" + m_desc.digest.to_string());
    req.scopes = {auth::repository_scope(m_repo, "pull")};
    if (m_offset > 0) req.headers.set("Range", "bytes=" + std::to_string(m_offset) + "-");
    auto s = with_context(m_what, [&] { return m_client.transport().open(req); });
    int status = s->status();
    if (status != 200 && status != 206) {
      auto body = s->read_rest(k_max_error_body);
      throw m_client.error_for(status, body, m_what);
    }
    check_content_digest(s->headers(), m_desc.digest, m_what);
    // A Content-Length over the descriptor's size (a proxy that lies, or another blob) is not
    // trusted either way: the reader never takes more than the descriptor's size, and the
    // digest decides (a body that ends early is resumed; different bytes fail the digest).
    if (auto len = s->headers().get("Content-Length"); len && status == 200) {
      try {
        if (std::stoull(*len) > static_cast<uint64_t>(m_desc.size))
          debug("the registry announces " + *len + " bytes, the descriptor says " +
                std::to_string(m_desc.size) + "; reading the descriptor's size");
      } catch (const std::logic_error&) {
      }
    }
    if (m_offset > 0 && status == 200) {
      // Range ignored: skip what we already have.
      char skip[65536];
      uint64_t left = m_offset;
      while (left > 0) {
        size_t k = s->read(skip, static_cast<size_t>(std::min<uint64_t>(sizeof skip, left)));
        if (k == 0) throw Error(Errc::network, m_what + ": body ended while resuming");
        left -= k;
      }
    } else if (status == 206) {
      auto cr = s->headers().get("Content-Range").value_or("");
      if (cr.find("bytes " + std::to_string(m_offset) + "-") != 0)
        throw Error(Errc::registry, m_what + ": unexpected Content-Range \"" + cr + "\"");
    }
    m_stream = std::move(s);
    m_last_progress = m_client.clock().now();
  }

  Client& m_client;
  std::string m_repo;
  oci::Descriptor m_desc;
  std::string m_what;
  std::unique_ptr<http::ResponseStream> m_stream;
  uint64_t m_offset = 0;
  int m_attempt = 0;
  Clock::time_point m_last_progress = m_client.clock().now();
};

class RemoteBlobWriter final : public store::BlobWriter {
 public:
  RemoteBlobWriter(Client& client, std::string repo, oci::Descriptor d)
      : m_client(client), m_repo(std::move(repo)), m_desc(std::move(d)) {
    m_what = "uploading blob " + m_desc.digest.to_string();
    m_scopes = {auth::repository_scope(m_repo, "pull,push")};
    const bool large = static_cast<uint64_t>(m_desc.size) > client.options().monolithic_max;
    m_chunked = large && client.options().chunk_size > 0;
    m_streamed = large && !m_chunked;
    m_chunk = std::max<uint64_t>(client.options().chunk_size, 1);
  }

  ~RemoteBlobWriter() override {
    if (m_committed || m_location.empty()) return;
    // Cancel the session (distribution-spec end-14, DELETE of an upload session): best effort,
    // failures ignored.
    try {
      http::Request del;
      del.method = "DELETE";
      del.url = m_location;
      del.scopes = m_scopes;
      m_client.transport().send(del);
    } catch (...) {
    }
  }

  void write(const void* data, size_t n) override {
    m_written += n;
    if (m_written > static_cast<uint64_t>(m_desc.size))
      throw Error(Errc::digest_mismatch,
                  m_what + ": more bytes than the descriptor's " + std::to_string(m_desc.size));
    if (m_streamed) {
      stream(data, n);
      return;
    }
    if (m_chunked && m_location.empty()) start_session();
    if (m_chunked && m_buf.capacity() < m_chunk) m_buf.reserve(m_chunk);
    const char* p = static_cast<const char*>(data);
    while (n > 0) {
      size_t take = m_chunked ? std::min<size_t>(n, m_chunk - m_buf.size()) : n;
      m_buf.append(p, take);
      p += take;
      n -= take;
      if (m_chunked && m_buf.size() >= m_chunk) {
        send_chunk(m_buf);
        m_buf.clear();
      }
    }
  }

  void commit() override {
    if (m_written != static_cast<uint64_t>(m_desc.size))
      throw Error(Errc::digest_mismatch, m_what + ": got " + std::to_string(m_written) +
                                             " bytes, the descriptor says " +
                                             std::to_string(m_desc.size));
    with_context(m_what, [&] {
      if (m_streamed) {
        if (!m_upload) start_stream();
        auto upload = std::move(m_upload);
        check_created(upload->finish(), "closing upload");
      } else if (m_chunked) {
        if (m_location.empty()) start_session();
        if (!m_buf.empty()) send_chunk(m_buf);
        m_buf.clear();
        finish(std::string_view{});
      } else {
        monolithic();
      }
    });
    m_committed = true;
  }

 private:
  void debug(const std::string& m) {
    if (auto* r = m_client.options().reporter) r->debug(1, m_what + ": " + m);
  }

  std::string resolve_location(const http::Response& r) {
    auto loc = r.headers.get("Location");
    if (!loc || loc->empty())
      throw Error(Errc::registry, "the registry answered " + std::to_string(r.status) +
                                      " without a Location header");
    auto abs = http::resolve(r.url, *loc);
    if (!abs) throw Error(Errc::registry, "malformed Location header");
    return *abs;
  }

  void start_session() {
    http::Request req;
    req.method = "POST";
    req.url = m_client.url("/v2/" + m_repo + "/blobs/uploads/");
    req.scopes = m_scopes;
    req.max_response = k_max_error_body;
    auto r = m_client.send(req, "starting upload");
    if (r.status != 202) throw m_client.error_for(r.status, r.body, "starting upload");
    m_location = resolve_location(r);
    m_sent = 0;
    if (auto min = r.headers.get("OCI-Chunk-Min-Length")) {
      try {
        uint64_t v = std::stoull(*min);
        if (v > m_chunk) m_chunk = std::min(v, k_max_chunk);
      } catch (...) {
      }
    }
  }

  // POST, then a PUT of the whole blob whose body is what write() receives (distribution-spec "POST
  // then PUT").
  void start_stream() {
    start_session();
    http::Request req;
    req.method = "PUT";
    req.url = http::append_query(m_location, "digest", m_desc.digest.to_string());
    req.headers.set("Content-Type", "application/octet-stream");
    req.source_size = static_cast<uint64_t>(m_desc.size);
    req.scopes = m_scopes;
    req.max_response = k_max_error_body;
    m_upload = m_client.transport().upload(req);
  }

  void stream(const void* data, size_t n) {
    with_context(m_what, [&] {
      if (!m_upload) start_stream();
      if (m_upload->write(data, n)) return;
      // The registry answered before the end of the body: that answer is the error.
      auto upload = std::move(m_upload);
      auto r = upload->finish();
      if (r.status == 201) r.status = 500;  // cannot be a success with bytes missing
      throw m_client.error_for(r.status, r.body, "uploading");
    });
  }

  // PUT <location>?digest= with `body` (the whole blob, or empty after chunks).
  http::Response put_final(std::string_view body) {
    http::Request req;
    req.method = "PUT";
    req.url = http::append_query(m_location, "digest", m_desc.digest.to_string());
    req.headers.set("Content-Type", "application/octet-stream");
    http::BufferSource source(body);
    req.source = &source;
    req.source_size = body.size();
    req.scopes = m_scopes;
    req.max_response = k_max_error_body;
    return m_client.send(req, "closing upload");
  }

  void check_created(const http::Response& r, const std::string& what) {
    if (r.status != 201) {
      auto err = m_client.error_for(r.status, r.body, what);
      if (err.registry_code() == "DIGEST_INVALID")
        throw Error(Errc::digest_mismatch, err.message(),
                    "the registry computed another digest for the bytes sent")
            .with_http(r.status, err.registry_code());
      throw err;
    }
    check_content_digest(r.headers, m_desc.digest, what);
    m_location.clear();
  }

  static bool restartable(const Error& e) {
    if (e.code() == Errc::network) return true;
    int s = e.http_status();
    return s >= 500 || s == 404 || s == 416 ||
           (s == 400 && (e.registry_code() == "BLOB_UPLOAD_INVALID" ||
                         e.registry_code() == "BLOB_UPLOAD_UNKNOWN"));
  }

  void monolithic() {
    const int attempts = 3;
    for (int attempt = 1;; ++attempt) {
      try {
        if (m_client.options().single_post && m_client.single_post_works) {
          http::Request req;
          req.method = "POST";
          req.url =
              m_client.url("/v2/" + m_repo + "/blobs/uploads/?digest=" + m_desc.digest.to_string());
          req.headers.set("Content-Type", "application/octet-stream");
          http::BufferSource source(m_buf);
          req.source = &source;
          req.source_size = m_buf.size();
          req.scopes = m_scopes;
          req.max_response = k_max_error_body;
          auto r = m_client.send(req, "single-POST upload");
          if (r.status == 201) {
            check_created(r, "single-POST upload");
            return;
          }
          if (r.status != 202) throw m_client.error_for(r.status, r.body, "single-POST upload");
          // Not supported: the registry opened a session instead; PUT the bytes there.
          m_client.single_post_works = false;
          debug("single-POST upload not supported; falling back to POST then PUT");
          m_location = resolve_location(r);
        } else {
          start_session();
        }
        auto r = put_final(m_buf);
        check_created(r, "closing upload");
        return;
      } catch (const Error& e) {
        if (attempt >= attempts || !restartable(e)) throw;
        if (!m_client.retry_budget().allows(std::chrono::milliseconds(100 * attempt))) throw;
        m_client.retry_budget().charge(std::chrono::milliseconds(100 * attempt));
        debug(std::string("upload failed (") + e.message() + "); restarting it");
        m_location.clear();
        pause_before_retry(m_client, attempt);
      }
    }
  }

  // Asks the registry how much of the session it holds (end-13).
  uint64_t upload_status() {
    http::Request req;
    req.url = m_location;
    req.scopes = m_scopes;
    req.max_response = k_max_error_body;
    auto r = m_client.send(req, "checking upload status");
    if (r.status != 204 && r.status != 200)
      throw m_client.error_for(r.status, r.body, "checking upload status");
    if (r.headers.get("Location")) m_location = resolve_location(r);
    return parse_range_end(r.headers.get("Range")).value_or(0);
  }

  void send_chunk(std::string_view chunk) {
    const uint64_t start = m_sent;
    const uint64_t end = m_sent + chunk.size();
    for (int attempt = 1;; ++attempt) {
      throw_if_interrupted();
      std::string_view rest = chunk.substr(static_cast<size_t>(m_sent - start));
      if (rest.empty()) return;
      try {
        http::Request req;
        req.method = "PATCH";
        req.url = m_location;
        req.headers.set("Content-Type", "application/octet-stream");
        req.headers.set("Content-Range",
                        std::to_string(m_sent) + "-" + std::to_string(m_sent + rest.size() - 1));
        http::BufferSource source(rest);
        req.source = &source;
        req.source_size = rest.size();
        req.scopes = m_scopes;
        req.max_response = k_max_error_body;
        auto r = m_client.send(req, "uploading chunk");
        if (r.status == 202) {
          m_location = resolve_location(r);
          m_sent = end;
          return;
        }
        // 416: the registry holds another offset; 5xx/429: it may hold part of the chunk.
        if (r.status != 416 && r.status < 500 && r.status != 429)
          throw m_client.error_for(r.status, r.body, "uploading chunk");
        if (attempt >= 4) throw m_client.error_for(r.status, r.body, "uploading chunk");
      } catch (const Error& e) {
        if (e.code() != Errc::network || attempt >= 4) throw;
      }
      // Resume from what the registry holds (distribution-spec "Resuming an upload").
      uint64_t have = upload_status();
      if (have < start || have > end)
        throw Error(Errc::network, "the upload session holds " + std::to_string(have) +
                                       " bytes; cannot resume from there");
      debug("resuming chunk at byte " + std::to_string(have));
      m_sent = have;
      pause_before_retry(m_client, attempt);
    }
  }

  void finish(std::string_view) {
    auto r = put_final({});
    check_created(r, "closing upload");
  }

  Client& m_client;
  std::string m_repo;
  oci::Descriptor m_desc;
  std::string m_what;
  std::vector<std::string> m_scopes;
  bool m_chunked = false;
  bool m_streamed = false;
  std::unique_ptr<http::UploadStream> m_upload;
  uint64_t m_chunk = 0;
  std::string m_buf;
  std::string m_location;
  uint64_t m_written = 0;
  uint64_t m_sent = 0;
  bool m_committed = false;
};

}  // namespace

std::unique_ptr<store::BlobReader> Client::open_blob(const std::string& repo,
                                                     const oci::Descriptor& d) {
  return std::make_unique<RemoteBlobReader>(*this, repo, d);
}

std::unique_ptr<store::BlobWriter> Client::create_blob(const std::string& repo,
                                                       const oci::Descriptor& d) {
  return std::make_unique<RemoteBlobWriter>(*this, repo, d);
}

}  // namespace ext::registry
