// ext::registry — a distribution-spec client for one registry (OCI distribution-spec
// v1.1): the /v2/ handshake, manifests (HEAD/GET/PUT with content negotiation and digest
// checks), blobs (HEAD, streamed GET with Range resume, uploads: monolithic POST+PUT, single
// POST with fallback on 202, chunked PATCH honouring OCI-Chunk-Min-Length, cross-repository
// mount), tags and _catalog with Link pagination. Requests carry scope hints for the auth layer;
// the client never handles credentials itself. Owns: URLs, status handling, registry errors.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ext/core/clock.hpp"
#include "ext/http/retry_transport.hpp"
#include "ext/http/transport.hpp"
#include "ext/oci/descriptor.hpp"
#include "ext/store/store.hpp"

namespace ext {
class Reporter;
}

namespace ext::registry {

struct ClientOptions {
  std::string registry;      // the reference's registry ("docker.io", "localhost:5000")
  std::string base_url;      // "https://registry-1.docker.io", "http://127.0.0.1:5000"
  bool single_post = false;  // try the single-POST upload first (falls back on 202)
  // Blobs up to this size are buffered and sent in one PUT (restarted in place on failure);
  // larger ones are streamed into one PUT as they are written, or sent in chunks of chunk_size
  // (PATCH; raised to OCI-Chunk-Min-Length when the registry asks) when chunk_size is not 0.
  uint64_t monolithic_max = 8u << 20;
  uint64_t chunk_size = 0;
  uint64_t max_manifest = 4u << 20;  // bound on manifest bodies
  int resume_attempts = 4;           // mid-transfer resumes of one blob download
  // The command's retry budget, shared with the transport's retries (connect() sets it): a
  // resume is attempted only while it allows (http/retry_transport.hpp, docs/limits.md).
  std::shared_ptr<http::RetryBudget> retry_budget;
  Reporter* reporter = nullptr;
  // What the pause before a blob transfer's resume or restart waits on, and the stall time of a
  // download is measured on (connect() passes the retry policy's clock; null: the system clock).
  Clock* clock = nullptr;
};

struct FetchedManifest {
  oci::Descriptor descriptor;  // media type from Content-Type (or the body), digest, size
  std::string bytes;           // exactly as received
};

class Client {
 public:
  Client(std::shared_ptr<http::Transport> transport, ClientOptions options);

  const ClientOptions& options() const { return m_options; }
  // The retry budget of this command (never null).
  http::RetryBudget& retry_budget() { return *m_options.retry_budget; }
  // The clock of this command (never null).
  Clock& clock() { return *m_options.clock; }
  http::Transport& transport() { return *m_transport; }

  // GET /v2/ through the auth layer; throws (auth, network, not a registry) unless 200.
  void ping();

  // Manifests. `reference` is a tag or a digest string.
  std::optional<oci::Descriptor> head_manifest(const std::string& repo,
                                               const std::string& reference);
  // Throws not_found when unknown; verifies the digest (requested and Docker-Content-Digest).
  FetchedManifest get_manifest(const std::string& repo, const std::string& reference);
  // PUT with Content-Type = media type. Returns the OCI-Subject header ("" when absent): a
  // registry with the referrers API sets it when it processed the manifest's subject
  // (distribution-spec v1.1.1 "Pushing Manifests with Subject").
  std::string put_manifest(const std::string& repo, const std::string& reference,
                           const oci::Descriptor& d, std::string_view bytes);
  // DELETE /v2/<repo>/manifests/<digest> (202). A registry that does not allow deletes answers
  // 400 or 405 (distribution-spec v1.1.1 "Deleting Manifests"): Error(unsupported) saying so.
  void delete_manifest(const std::string& repo, const digest::Digest& d);

  // GET /v2/<repo>/referrers/<digest>[?artifactType=T], all pages (distribution-spec v1.1.1
  // "Listing Referrers"). nullopt when the registry answers 404: it has no referrers API, and
  // the caller falls back to the referrers tag schema. Bounded like a manifest per page.
  std::optional<std::vector<oci::Descriptor>> referrers(const std::string& repo,
                                                        const digest::Digest& subject,
                                                        const std::string& artifact_type = {});

  // Blobs.
  bool has_blob(const std::string& repo, const digest::Digest& d);
  // A streamed download that resumes with Range after a dropped connection.
  std::unique_ptr<store::BlobReader> open_blob(const std::string& repo, const oci::Descriptor& d);
  // An upload: bytes written are sent (buffered up to monolithic_max, else streamed, or chunk by
  // chunk); commit() closes it; an uncommitted writer cancels its session when destroyed.
  std::unique_ptr<store::BlobWriter> create_blob(const std::string& repo, const oci::Descriptor& d);
  // POST ?mount=&from=: true when the registry mounted it (201).
  bool mount_blob(const std::string& repo, const digest::Digest& d, const std::string& from);

  // Listing, all pages (`page_size` 0: the registry's default page).
  std::vector<std::string> tags(const std::string& repo, int page_size = 0);
  std::vector<std::string> catalog(int page_size = 0);

  // Helpers shared by the upload code.
  std::string url(const std::string& path) const { return m_options.base_url + path; }
  http::Response send(http::Request req, const std::string& what);

  // An Error for an unexpected response: status, OCI error code and message from a JSON error
  // body when there is one (bounded), a hint for 401/403.
  Error error_for(int status, const std::string& body, const std::string& what) const;

  // State learned from the registry during this session.
  bool single_post_works = true;

 private:
  std::vector<std::string> list_pages(const std::string& first_url, const std::string& field,
                                      const std::vector<std::string>& scopes,
                                      const std::string& what);

  std::shared_ptr<http::Transport> m_transport;
  ClientOptions m_options;
};

// The most of an error response's body ext reads (the registry's JSON error document,
// distribution-spec "Error codes"); the rest is dropped.
inline constexpr uint64_t k_max_error_body = 64u << 10;

// The Accept header for manifests: every type ext reads (distribution-spec "Pulling manifests").
const char* manifest_accept();

// "Docker-Content-Digest" check helper: throws digest_mismatch when present and different.
void check_content_digest(const http::Headers& h, const digest::Digest& expected,
                          const std::string& what);

}  // namespace ext::registry
