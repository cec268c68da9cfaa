#include "ext/registry/client.hpp"

#include <set>

#include <nlohmann/json.hpp>

#include "ext/auth/auth_transport.hpp"
#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"
#include "ext/http/url.hpp"
#include "ext/oci/media_types.hpp"
#include "ext/util/strings.hpp"

namespace ext::registry {

namespace {

constexpr uint64_t k_max_list_page = 8u << 20;

std::string pull_scope(const std::string& repo) {
  return auth::repository_scope(repo, "pull");
}
std::string push_scope(const std::string& repo) {
  return auth::repository_scope(repo, "pull,push");
}

std::string strip_params(std::string_view content_type) {
  auto semi = content_type.find(';');
  return std::string(util::trim(content_type.substr(0, semi)));
}

}  // namespace

const char* manifest_accept() {
  return "application/vnd.oci.image.manifest.v1+json, "
         "application/vnd.oci.image.index.v1+json, "
         "application/vnd.docker.distribution.manifest.v2+json, "
         "application/vnd.docker.distribution.manifest.list.v2+json";
}

void check_content_digest(const http::Headers& h, const digest::Digest& expected,
                          const std::string& what) {
  auto v = h.get("Docker-Content-Digest");
  if (!v || v->empty()) return;
  auto parsed = digest::Digest::parse(util::trim(*v));
  if (!parsed)
    throw Error(Errc::registry, what + ": the registry sent a malformed Docker-Content-Digest");
  if (parsed->algorithm() == expected.algorithm() && *parsed != expected)
    throw Error(Errc::digest_mismatch, what + ": the registry says the content is " +
                                           parsed->to_string() + ", expected " +
                                           expected.to_string());
}

Client::Client(std::shared_ptr<http::Transport> transport, ClientOptions options)
    : m_transport(std::move(transport)), m_options(std::move(options)) {
  while (!m_options.base_url.empty() && m_options.base_url.back() == '/')
    m_options.base_url.pop_back();
  if (!m_options.retry_budget) m_options.retry_budget = std::make_shared<http::RetryBudget>();
  if (!m_options.clock) m_options.clock = &system_clock();
}

Error Client::error_for(int status, const std::string& body, const std::string& what) const {
  std::string code, message;
  if (!body.empty() && body.size() <= k_max_error_body) {
    try {
      auto j = nlohmann::json::parse(body);
      if (j.is_object() && j.contains("errors") && j["errors"].is_array() && !j["errors"].empty() &&
          j["errors"][0].is_object()) {
        const auto& e = j["errors"][0];
        if (e.contains("code") && e["code"].is_string()) code = e["code"].get<std::string>();
        if (e.contains("message") && e["message"].is_string())
          message = e["message"].get<std::string>();
        if (code.size() > 64) code.resize(64);
        if (message.size() > 300) message = message.substr(0, 300) + "...";
      }
    } catch (const nlohmann::json::exception&) {
    }
  }
  std::string text = what + ": HTTP " + std::to_string(status);
  if (!code.empty()) text += " " + code;
  if (!message.empty()) text += ": " + util::redact(message);
  Errc errc = Errc::registry;
  std::string hint;
  if (status == 401) {
    errc = Errc::auth;
    hint = "run `ext login " + m_options.registry + "`";
  } else if (status == 403) {
    errc = Errc::auth;
    hint = "the credentials for " + m_options.registry +
           " lack permission for this repository; check `ext login " + m_options.registry + "`";
  } else if (status == 404) {
    errc = Errc::not_found;
  } else if (status == 429) {
    hint = "the registry is rate limiting; try again later";
  }
  return Error(errc, text, hint).with_http(status, code);
}

http::Response Client::send(http::Request req, const std::string& what) {
  return with_context(what, [&] { return m_transport->send(req); });
}

void Client::ping() {
  http::Request req;
  req.url = url("/v2/");
  req.max_response = k_max_error_body;
  auto r = send(req, "checking " + m_options.registry);
  if (r.status == 200) return;
  if (r.status == 404)
    throw Error(Errc::registry, m_options.base_url + " is not an OCI registry (GET /v2/: 404)");
  throw error_for(r.status, r.body, "checking " + m_options.registry);
}

std::optional<oci::Descriptor> Client::head_manifest(const std::string& repo,
                                                     const std::string& reference) {
  http::Request req;
  req.method = "HEAD";
  req.url = url("/v2/" + repo + "/manifests/" + reference);
  req.headers.set("Accept", manifest_accept());
  req.scopes = {pull_scope(repo)};
  std::string what = "resolving " + m_options.registry + "/" + repo + ":" + reference;
  auto r = send(req, what);
  if (r.status == 404) return std::nullopt;
  if (r.status != 200) throw error_for(r.status, {}, what);
  auto dcd = r.headers.get("Docker-Content-Digest");
  auto ct = r.headers.get("Content-Type");
  auto len = r.headers.get("Content-Length");
  // Old registries omit Docker-Content-Digest on HEAD: GET and hash (distribution-spec "Pulling
  // manifests"). A Content-Length of 0 is no size either (a manifest is never empty; some proxies
  // answer HEAD so): GET as well instead of failing every pull on a zero-byte descriptor.
  bool zero_length = len && util::trim(*len) == "0";
  if (!dcd || !ct || !len || zero_length) {
    if (zero_length && m_options.reporter)
      m_options.reporter->debug(1, what + ": HEAD answered Content-Length: 0; using GET");
    return get_manifest(repo, reference).descriptor;
  }
  oci::Descriptor d;
  auto parsed = digest::Digest::parse(util::trim(*dcd));
  if (!parsed) throw Error(Errc::registry, what + ": malformed Docker-Content-Digest");
  d.digest = *parsed;
  d.media_type = strip_params(*ct);
  try {
    d.size = std::stoll(*len);
  } catch (...) {
    throw Error(Errc::registry, what + ": malformed Content-Length");
  }
  if (auto ref_digest = digest::Digest::parse(reference); ref_digest && *ref_digest != d.digest)
    throw Error(Errc::digest_mismatch,
                what + ": the registry answered with manifest " + d.digest.to_string());
  if (!oci::is_manifest_type(d.media_type) && !oci::is_index_type(d.media_type))
    return get_manifest(repo, reference).descriptor;
  return d;
}

FetchedManifest Client::get_manifest(const std::string& repo, const std::string& reference) {
  http::Request req;
  req.url = url("/v2/" + repo + "/manifests/" + reference);
  req.headers.set("Accept", manifest_accept());
  req.scopes = {pull_scope(repo)};
  req.max_response = m_options.max_manifest;
  std::string what = "fetching manifest " + m_options.registry + "/" + repo + ":" + reference;
  auto r = send(req, what);
  if (r.status != 200) throw error_for(r.status, r.body, what);
  FetchedManifest out;
  out.bytes = std::move(r.body);
  out.descriptor.digest = digest::sha256(out.bytes);
  out.descriptor.size = static_cast<int64_t>(out.bytes.size());
  if (auto want = digest::Digest::parse(reference)) {
    if (want->algorithm() != "sha256")
      throw Error(Errc::unsupported, what + ": only sha256 digests are supported");
    if (*want != out.descriptor.digest)
      throw Error(Errc::digest_mismatch, what + ": content hashes to " +
                                             out.descriptor.digest.to_string() + ", expected " +
                                             want->to_string());
  }
  check_content_digest(r.headers, out.descriptor.digest, what);
  auto body_type = oci::detect_media_type(out.bytes);
  if (!body_type) throw body_type.error().with_context(what);
  std::string ct = strip_params(r.headers.get("Content-Type").value_or(""));
  // The body's own mediaType wins; Content-Type fills in when the body has none.
  out.descriptor.media_type = *body_type;
  if ((oci::is_manifest_type(ct) || oci::is_index_type(ct)) && ct != *body_type) {
    auto j = nlohmann::json::parse(out.bytes, nullptr, false);
    if (j.is_object() && j.contains("mediaType"))
      throw Error(Errc::registry, what + ": Content-Type " + ct +
                                      " differs from the manifest's "
                                      "mediaType " +
                                      *body_type);
    out.descriptor.media_type = ct;
  }
  return out;
}

std::string Client::put_manifest(const std::string& repo, const std::string& reference,
                                 const oci::Descriptor& d, std::string_view bytes) {
  http::Request req;
  req.method = "PUT";
  req.url = url("/v2/" + repo + "/manifests/" + reference);
  req.headers.set("Content-Type", d.media_type);
  req.body = std::string(bytes);
  req.scopes = {push_scope(repo)};
  req.max_response = k_max_error_body;
  std::string what = "pushing manifest " + m_options.registry + "/" + repo + ":" + reference;
  auto r = send(req, what);
  if (r.status != 201 && r.status != 200) {
    auto err = error_for(r.status, r.body, what);
    bool custom = d.media_type != oci::media::k_manifest && d.media_type != oci::media::k_index;
    if (r.status == 405 || r.status == 415 || err.registry_code() == "MANIFEST_INVALID" ||
        err.registry_code() == "UNSUPPORTED")
      custom = true;
    if (custom && (r.status == 400 || r.status == 405 || r.status == 415))
      err.with_hint(
          "this registry may reject custom artifact media types: push with `--format compat` "
          "(a plain OCI image layout every registry accepts)");
    throw err;
  }
  check_content_digest(r.headers, d.digest, what);
  return std::string(util::trim(r.headers.get("OCI-Subject").value_or("")));
}

void Client::delete_manifest(const std::string& repo, const digest::Digest& d) {
  http::Request req;
  req.method = "DELETE";
  req.url = url("/v2/" + repo + "/manifests/" + d.to_string());
  req.scopes = {auth::repository_scope(repo, "delete"), pull_scope(repo)};
  req.max_response = k_max_error_body;
  std::string what = "deleting " + m_options.registry + "/" + repo + "@" + d.to_string();
  auto r = send(req, what);
  if (r.status == 202 || r.status == 200 || r.status == 204) return;
  auto err = error_for(r.status, r.body, what);
  if (r.status == 400 || r.status == 405 || err.registry_code() == "UNSUPPORTED")
    throw Error(Errc::unsupported,
                err.message() + " (" + m_options.registry + " does not allow deleting manifests)",
                "a registry's operator enables deletes (docker-registry: storage.delete.enabled)")
        .with_http(r.status, err.registry_code());
  throw err;
}

std::optional<std::vector<oci::Descriptor>> Client::referrers(const std::string& repo,
                                                              const digest::Digest& subject,
                                                              const std::string& artifact_type) {
  std::string next = url("/v2/" + repo + "/referrers/" + subject.to_string());
  if (!artifact_type.empty()) next = http::append_query(next, "artifactType", artifact_type);
  std::string what =
      "listing referrers of " + m_options.registry + "/" + repo + "@" + subject.to_string();
  std::vector<oci::Descriptor> out;
  std::set<std::string> seen;
  for (int page = 0; !next.empty(); ++page) {
    if (!seen.insert(next).second || page > 1000)
      throw Error(Errc::registry, what + ": the Link header loops");
    http::Request req;
    req.url = next;
    req.headers.set("Accept", oci::media::k_index);
    req.scopes = {pull_scope(repo)};
    req.max_response = m_options.max_manifest;
    auto r = send(req, what);
    // No referrers API: 404 (also for a first page answered by a registry that routes the path
    // nowhere). distribution-spec: a registry with the API MUST NOT answer 404.
    if (r.status == 404 && page == 0) return std::nullopt;
    if (r.status != 200) throw error_for(r.status, r.body, what);
    auto idx = oci::Index::parse(r.body);
    if (!idx) throw idx.error().with_context(what);
    for (auto& d : idx->manifests) out.push_back(std::move(d));
    next.clear();
    if (auto link = http::parse_link_next(r.headers.get_all("Link"))) {
      auto abs = http::resolve(r.url.empty() ? req.url : r.url, *link);
      if (!abs) throw Error(Errc::registry, what + ": malformed Link header");
      next = *abs;
    }
  }
  return out;
}

bool Client::has_blob(const std::string& repo, const digest::Digest& d) {
  http::Request req;
  req.method = "HEAD";
  req.url = url("/v2/" + repo + "/blobs/" + d.to_string());
  req.scopes = {pull_scope(repo)};
  std::string what = "checking blob " + d.to_string();
  auto r = send(req, what);
  if (r.status == 200) return true;
  if (r.status == 404) return false;
  throw error_for(r.status, {}, what);
}

bool Client::mount_blob(const std::string& repo, const digest::Digest& d, const std::string& from) {
  http::Request req;
  req.method = "POST";
  req.url = url("/v2/" + repo + "/blobs/uploads/?mount=" + d.to_string() +
                "&from=" + http::percent_encode(from));
  req.scopes = {push_scope(repo), pull_scope(from)};
  req.max_response = k_max_error_body;
  auto r = send(req, "mounting blob " + d.to_string() + " from " + from);
  if (r.status == 201) return true;
  // 202: an upload session was opened instead; abandon it (best effort).
  if (r.status == 202) {
    if (auto loc = r.headers.get("Location")) {
      if (auto abs = http::resolve(r.url, *loc)) {
        http::Request del;
        del.method = "DELETE";
        del.url = *abs;
        del.scopes = req.scopes;
        try {
          m_transport->send(del);
        } catch (const Error&) {
        }
      }
    }
  }
  return false;
}

std::vector<std::string> Client::list_pages(const std::string& first_url, const std::string& field,
                                            const std::vector<std::string>& scopes,
                                            const std::string& what) {
  std::vector<std::string> out;
  std::string next = first_url;
  std::set<std::string> seen;  // every page URL requested: a Link back to one is a cycle
  for (int page = 0; !next.empty(); ++page) {
    if (!seen.insert(next).second)
      throw Error(Errc::registry, what + ": the Link header leads back to a page already listed (" +
                                      next + "); stopped after " + std::to_string(page) + " pages");
    if (page > 10000) throw Error(Errc::registry, what + ": more than 10000 pages");
    http::Request req;
    req.url = next;
    req.scopes = scopes;
    req.max_response = k_max_list_page;
    auto r = send(req, what);
    if (r.status != 200) throw error_for(r.status, r.body, what);
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(r.body);
    } catch (const nlohmann::json::exception&) {
      throw Error(Errc::parse, what + ": the response is not JSON");
    }
    if (!j.is_object()) throw Error(Errc::parse, what + ": the response is not a JSON object");
    if (j.contains(field) && !j[field].is_null()) {
      if (!j[field].is_array())
        throw Error(Errc::parse, what + ": \"" + field + "\" is not a list");
      for (const auto& v : j[field])
        if (v.is_string()) out.push_back(v.get<std::string>());
    }
    next.clear();
    if (auto link = http::parse_link_next(r.headers.get_all("Link"))) {
      auto abs = http::resolve(r.url.empty() ? req.url : r.url, *link);
      if (!abs) throw Error(Errc::registry, what + ": malformed Link header");
      if (*abs == req.url) throw Error(Errc::registry, what + ": Link points to the same page");
      next = *abs;
    }
  }
  return out;
}

std::vector<std::string> Client::tags(const std::string& repo, int page_size) {
  std::string u = url("/v2/" + repo + "/tags/list");
  if (page_size > 0) u = http::append_query(u, "n", std::to_string(page_size));
  return list_pages(u, "tags", {pull_scope(repo)},
                    "listing tags of " + m_options.registry + "/" + repo);
}

std::vector<std::string> Client::catalog(int page_size) {
  std::string u = url("/v2/_catalog");
  if (page_size > 0) u = http::append_query(u, "n", std::to_string(page_size));
  return list_pages(u, "repositories", {"registry:catalog:*"},
                    "listing repositories of " + m_options.registry);
}

}  // namespace ext::registry
