#include "support/registry/fake_registry.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ext/core/error.hpp"
#include "ext/digest/digest.hpp"
#include "ext/oci/descriptor.hpp"
#include "ext/registry/referrers.hpp"

namespace ext::test {

namespace {

std::string body_of(const http::Request& req) {
  if (!req.source) return req.body;
  std::string out;
  char buf[65536];
  for (size_t n; (n = req.source->read(buf, sizeof buf)) > 0;) out.append(buf, n);
  return out;
}

std::string url_decode(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      out += static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16));
      i += 2;
    } else {
      out += s[i];
    }
  }
  return out;
}

std::map<std::string, std::string> parse_query(const std::string& q) {
  std::map<std::string, std::string> out;
  size_t start = 0;
  while (start < q.size()) {
    auto amp = q.find('&', start);
    auto part = q.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    auto eq = part.find('=');
    if (eq == std::string::npos)
      out[url_decode(part)] = "";
    else
      out[url_decode(part.substr(0, eq))] = url_decode(part.substr(eq + 1));
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return out;
}

http::Response error_reply(int status, const std::string& code, const std::string& message) {
  http::Response r;
  r.status = status;
  r.headers.set("Content-Type", "application/json");
  r.body = nlohmann::json{{"errors", {{{"code", code}, {"message", message}}}}}.dump();
  return r;
}

bool is_digest(const std::string& reference) {
  return reference.rfind("sha256:", 0) == 0 || reference.rfind("sha512:", 0) == 0;
}

}  // namespace

std::optional<std::string> FakeRegistry::blob(const std::string& repo,
                                              const std::string& digest) const {
  std::lock_guard lock(m_mutex);
  auto r = m_repos.find(repo);
  if (r == m_repos.end()) return std::nullopt;
  auto b = r->second.blobs.find(digest);
  if (b == r->second.blobs.end()) return std::nullopt;
  return b->second;
}

std::optional<std::string> FakeRegistry::manifest(const std::string& repo,
                                                  const std::string& reference) const {
  std::lock_guard lock(m_mutex);
  auto r = m_repos.find(repo);
  if (r == m_repos.end()) return std::nullopt;
  std::string digest = reference;
  if (!is_digest(reference)) {
    auto t = r->second.tags.find(reference);
    if (t == r->second.tags.end()) return std::nullopt;
    digest = t->second;
  }
  auto m = r->second.manifests.find(digest);
  if (m == r->second.manifests.end()) return std::nullopt;
  return m->second.body;
}

std::vector<std::string> FakeRegistry::tags(const std::string& repo) const {
  std::lock_guard lock(m_mutex);
  std::vector<std::string> out;
  auto r = m_repos.find(repo);
  if (r != m_repos.end())
    for (const auto& [t, d] : r->second.tags) out.push_back(t);
  return out;
}

std::string FakeRegistry::put_manifest(const std::string& repo, const std::string& tag,
                                       const std::string& media_type, const std::string& body) {
  std::lock_guard lock(m_mutex);
  return store_manifest(m_repos[repo], tag, media_type, body);
}

void FakeRegistry::put_blob(const std::string& repo, const std::string& data) {
  std::lock_guard lock(m_mutex);
  m_repos[repo].blobs[digest::sha256(data).to_string()] = data;
}

std::string FakeRegistry::store_manifest(Repo& repo, const std::string& tag,
                                         const std::string& type, const std::string& body) {
  auto d = digest::sha256(body).to_string();
  repo.manifests[d] = {type, body};
  if (!tag.empty()) repo.tags[tag] = d;
  return d;
}

http::Response FakeRegistry::answer(const http::Request& req) {
  std::lock_guard lock(m_mutex);
  return handle(req);
}

http::Response FakeRegistry::handle(const http::Request& req) {
  auto at = req.url.find("/v2/");
  if (at == std::string::npos) return error_reply(404, "NOT_FOUND", "not a registry URL");
  std::string path = req.url.substr(at + 4);
  std::string query;
  if (auto q = path.find('?'); q != std::string::npos) {
    query = path.substr(q + 1);
    path = path.substr(0, q);
  }
  if (path.empty()) {
    http::Response r;
    r.status = 200;
    r.body = "{}";
    return r;
  }
  if (path == "_catalog") {
    nlohmann::json names = nlohmann::json::array();
    for (const auto& [name, repo] : m_repos) names.push_back(name);
    http::Response r;
    r.status = 200;
    r.body = nlohmann::json{{"repositories", names}}.dump();
    return r;
  }
  if (auto p = path.rfind("/blobs/uploads"); p != std::string::npos)
    return handle_upload(req, path.substr(0, p), path.substr(p + 14), query);
  if (auto p = path.rfind("/manifests/"); p != std::string::npos)
    return handle_manifest(req, path.substr(0, p), path.substr(p + 11));
  if (auto p = path.rfind("/blobs/"); p != std::string::npos)
    return handle_blob(req, path.substr(0, p), path.substr(p + 7));
  if (auto p = path.rfind("/referrers/"); p != std::string::npos)
    return handle_referrers(path.substr(0, p), path.substr(p + 11));
  if (auto p = path.rfind("/tags/list"); p != std::string::npos) {
    auto it = m_repos.find(path.substr(0, p));
    if (it == m_repos.end()) return error_reply(404, "NAME_UNKNOWN", "repository not known");
    nlohmann::json tags = nlohmann::json::array();
    for (const auto& [t, d] : it->second.tags) tags.push_back(t);
    http::Response r;
    r.status = 200;
    r.body = nlohmann::json{{"name", it->first}, {"tags", tags}}.dump();
    return r;
  }
  return error_reply(404, "NOT_FOUND", "unknown endpoint");
}

http::Response FakeRegistry::handle_manifest(const http::Request& req, const std::string& name,
                                             const std::string& reference) {
  http::Response r;
  if (req.method == "DELETE" && !deletes_allowed)
    return error_reply(405, "UNSUPPORTED", "The operation is unsupported.");
  if (req.method == "PUT") {
    auto body = body_of(req);
    auto type = req.headers.get("Content-Type").value_or("");
    if (is_digest(reference) && reference != digest::sha256(body).to_string())
      return error_reply(400, "DIGEST_INVALID", "the manifest's digest is not " + reference);
    auto d = store_manifest(m_repos[name], is_digest(reference) ? "" : reference, type, body);
    r.status = 201;
    r.headers.set("Docker-Content-Digest", d);
    r.headers.set("Location", "/v2/" + name + "/manifests/" + d);
    if (referrers_api) {
      auto m = oci::Manifest::parse(body);
      if (m && m->subject) r.headers.set("OCI-Subject", m->subject->digest.to_string());
    }
    return r;
  }
  auto it = m_repos.find(name);
  if (it == m_repos.end()) return error_reply(404, "NAME_UNKNOWN", "repository not known");
  auto& repo = it->second;
  std::string digest = reference;
  if (!is_digest(reference)) {
    auto t = repo.tags.find(reference);
    if (t == repo.tags.end()) return error_reply(404, "MANIFEST_UNKNOWN", "manifest unknown");
    digest = t->second;
  }
  auto m = repo.manifests.find(digest);
  if (m == repo.manifests.end()) return error_reply(404, "MANIFEST_UNKNOWN", "manifest unknown");
  if (req.method == "DELETE") {
    repo.manifests.erase(m);
    for (auto t = repo.tags.begin(); t != repo.tags.end();)
      t = t->second == digest ? repo.tags.erase(t) : std::next(t);
    r.status = 202;
    return r;
  }
  r.status = 200;
  r.headers.set("Content-Type", m->second.media_type);
  r.headers.set("Docker-Content-Digest", digest);
  r.headers.set("Content-Length", std::to_string(m->second.body.size()));
  r.body = m->second.body;
  return r;
}

http::Response FakeRegistry::handle_blob(const http::Request& req, const std::string& name,
                                         const std::string& digest) {
  auto it = m_repos.find(name);
  if (it == m_repos.end()) return error_reply(404, "BLOB_UNKNOWN", "blob unknown");
  auto& blobs = it->second.blobs;
  auto found = blobs.find(digest);
  if (found == blobs.end()) return error_reply(404, "BLOB_UNKNOWN", "blob unknown");
  http::Response r;
  if (req.method == "DELETE") {
    if (!deletes_allowed) return error_reply(405, "UNSUPPORTED", "The operation is unsupported.");
    blobs.erase(found);
    r.status = 202;
    return r;
  }
  r.status = 200;
  r.headers.set("Content-Type", "application/octet-stream");
  r.headers.set("Docker-Content-Digest", digest);
  r.headers.set("Content-Length", std::to_string(found->second.size()));
  r.body = found->second;
  return r;
}

http::Response FakeRegistry::handle_upload(const http::Request& req, const std::string& name,
                                           const std::string& rest, const std::string& query) {
  auto q = parse_query(query);
  http::Response r;
  auto created = [&](const std::string& d) {
    r.status = 201;
    r.headers.set("Docker-Content-Digest", d);
    r.headers.set("Location", "/v2/" + name + "/blobs/" + d);
    return r;
  };
  if (req.method == "POST") {
    if (q.count("mount")) {
      auto from = m_repos.find(q["from"]);
      if (from != m_repos.end() && from->second.blobs.count(q["mount"])) {
        m_repos[name].blobs[q["mount"]] = from->second.blobs[q["mount"]];
        return created(q["mount"]);
      }
    } else if (q.count("digest")) {  // single POST (distribution-spec "Single POST")
      auto body = body_of(req);
      auto d = digest::sha256(body).to_string();
      if (d != q["digest"]) return error_reply(400, "DIGEST_INVALID", "digest mismatch");
      m_repos[name].blobs[d] = body;
      return created(d);
    }
    auto id = std::to_string(m_next_upload++);
    m_uploads[id] = {name, ""};
    r.status = 202;
    r.headers.set("Location", "/v2/" + name + "/blobs/uploads/" + id);
    r.headers.set("Range", "0-0");
    return r;
  }
  auto id = rest.empty() ? rest : rest.substr(1);
  auto up = m_uploads.find(id);
  if (up == m_uploads.end() || up->second.repo != name)
    return error_reply(404, "BLOB_UPLOAD_UNKNOWN", "upload unknown");
  auto range = [&] {
    auto n = up->second.data.size();
    r.headers.set("Range", "0-" + std::to_string(n == 0 ? 0 : n - 1));
    r.headers.set("Location", "/v2/" + name + "/blobs/uploads/" + id);
  };
  if (req.method == "GET") {
    r.status = 204;
    range();
    return r;
  }
  if (req.method == "DELETE") {
    m_uploads.erase(up);
    r.status = 204;
    return r;
  }
  if (req.method == "PATCH") {
    up->second.data += body_of(req);
    r.status = 202;
    range();
    return r;
  }
  if (req.method == "PUT") {
    auto data = up->second.data + body_of(req);
    auto d = digest::sha256(data).to_string();
    if (d != q["digest"]) return error_reply(400, "DIGEST_INVALID", "digest mismatch");
    m_uploads.erase(up);
    m_repos[name].blobs[d] = std::move(data);
    return created(d);
  }
  return error_reply(405, "UNSUPPORTED", "method not allowed");
}

http::Response FakeRegistry::handle_referrers(const std::string& name, const std::string& digest) {
  if (!referrers_api) return error_reply(404, "NOT_FOUND", "no referrers API");
  oci::Index idx;
  auto it = m_repos.find(name);
  if (it != m_repos.end()) {
    for (const auto& [d, m] : it->second.manifests) {
      auto parsed = oci::Manifest::parse(m.body);
      if (parsed && parsed->subject && parsed->subject->digest.to_string() == digest)
        idx.manifests.push_back(registry::referrer_descriptor(
            *parsed, oci::Descriptor::for_bytes(m.media_type, m.body)));
    }
  }
  http::Response r;
  r.status = 200;
  r.headers.set("Content-Type", "application/vnd.oci.image.index.v1+json");
  r.body = idx.serialize();
  return r;
}

}  // namespace ext::test
