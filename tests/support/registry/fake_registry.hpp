// The one in-memory registry of the test suite: an http::Transport that answers the
// distribution-spec endpoints ext uses (tests/support, docs/architecture.md "Tests") without a
// socket or a child process, so the registry client, push, pull and the ops verbs are tested
// in-process. Follows the OCI distribution-spec (github.com/opencontainers/distribution-spec,
// spec.md "Pulling", "Pushing", "Content discovery", "Content management" @v1.1.1): blob uploads
// (POST then PUT, chunked PATCH, single POST, cross-repository mount), manifests by tag and
// digest, tags and catalog lists, the referrers API (optional), deletes (optional).
//
// Scripted answers come first (FakeTransport: a status with headers, or a dropped connection),
// which is how retry tests are written; every request is logged ("PUT /v2/acme/f/manifests/v1").
// Thread-safe (blob transfers run at once).
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "ext/http/transport.hpp"
#include "support/http/fake_transport.hpp"

namespace ext::test {

class FakeRegistry final : public FakeTransport {
 public:
  bool referrers_api = true;    // GET /v2/<name>/referrers/<digest> (else 404: the tag schema)
  bool deletes_allowed = true;  // DELETE of manifests (else 405 UNSUPPORTED)

  // What the registry holds.
  std::optional<std::string> blob(const std::string& repo, const std::string& digest) const;
  std::optional<std::string> manifest(const std::string& repo, const std::string& reference) const;
  std::vector<std::string> tags(const std::string& repo) const;
  // Stores a manifest (and tags it when `tag` is not empty) as a PUT would; returns its digest.
  std::string put_manifest(const std::string& repo, const std::string& tag,
                           const std::string& media_type, const std::string& body);
  void put_blob(const std::string& repo, const std::string& data);

 private:
  http::Response answer(const http::Request& req) override;

  struct Manifest {
    std::string media_type;
    std::string body;
  };
  struct Repo {
    std::map<std::string, std::string> blobs;   // digest -> bytes
    std::map<std::string, Manifest> manifests;  // digest -> manifest
    std::map<std::string, std::string> tags;    // tag -> digest
  };
  struct Upload {
    std::string repo;
    std::string data;
  };

  http::Response handle(const http::Request& req);
  http::Response handle_manifest(const http::Request& req, const std::string& repo,
                                 const std::string& reference);
  http::Response handle_blob(const http::Request& req, const std::string& repo,
                             const std::string& digest);
  http::Response handle_upload(const http::Request& req, const std::string& repo,
                               const std::string& rest, const std::string& query);
  http::Response handle_referrers(const std::string& repo, const std::string& digest);
  std::string store_manifest(Repo& repo, const std::string& tag, const std::string& type,
                             const std::string& body);

  mutable std::mutex m_mutex;
  std::map<std::string, Repo> m_repos;
  std::map<std::string, Upload> m_uploads;
  int m_next_upload = 1;
};

}  // namespace ext::test
