#include "ext/auth/auth_transport.hpp"

#include <functional>

#include <nlohmann/json.hpp>

#include "ext/core/error.hpp"
#include "ext/core/reporter.hpp"
#include "ext/http/url.hpp"
#include "ext/util/strings.hpp"

namespace ext::auth {

namespace {

constexpr uint64_t k_max_token_response = 1u << 20;
constexpr auto k_expiry_margin = std::chrono::seconds(10);

std::string scope_key(const std::set<std::string>& scopes) {
  return util::join(std::vector<std::string>(scopes.begin(), scopes.end()), " ");
}

}  // namespace

std::string repository_scope(const std::string& repository, const std::string& actions) {
  return "repository:" + repository + ":" + actions;
}

AuthTransport::AuthTransport(std::shared_ptr<http::Transport> inner, AuthOptions options)
    : m_inner(std::move(inner)), m_options(std::move(options)) {
  m_options.host = util::to_lower(m_options.host);
}

std::string AuthTransport::scheme() const {
  return m_scheme;
}

void AuthTransport::reset() {
  std::lock_guard g(m_mutex);
  m_tokens.clear();
}

bool AuthTransport::applies_to(const std::string& url) const {
  return http::host_of(url) == m_options.host;
}

const std::optional<Credential>& AuthTransport::credential() {
  if (!m_cred_loaded) {
    m_cred_loaded = true;
    if (m_options.credential)
      m_cred = m_options.credential;
    else if (m_options.credentials)
      m_cred = m_options.credentials->get(m_options.registry);
  }
  return m_cred;
}

std::optional<std::string> AuthTransport::authorization(const http::Request& req) {
  if (!applies_to(req.url)) return std::nullopt;
  std::lock_guard g(m_mutex);
  if (m_scheme == "basic") {
    const auto& c = credential();
    if (c && c->has_basic()) return "Basic " + encode_basic(c->username, c->password);
    return std::nullopt;
  }
  if (m_scheme == "bearer") {
    const auto& c = credential();
    if (c && !c->registry_token.empty()) return "Bearer " + c->registry_token;
    std::set<std::string> scopes(req.scopes.begin(), req.scopes.end());
    auto key = scope_key(scopes);
    auto it = m_tokens.find(key);
    if (it == m_tokens.end() || it->second.expires <= std::chrono::steady_clock::now()) {
      // Pre-emptive: we know the realm, so ask for this scope set before sending.
      m_tokens[key] = fetch_token(scopes);
      it = m_tokens.find(key);
    }
    return "Bearer " + it->second.value;
  }
  return std::nullopt;
}

bool AuthTransport::on_unauthorized(const http::Headers& headers, const http::Request& req) {
  if (!applies_to(req.url)) return false;
  auto ch = pick_challenge(headers.get_all("WWW-Authenticate"));
  if (!ch) return false;
  std::lock_guard g(m_mutex);
  if (m_options.reporter)
    m_options.reporter->debug(2, "auth: " + ch->scheme + " challenge from " + m_options.host);
  if (ch->scheme == "basic") {
    m_scheme = "basic";
    const auto& c = credential();
    return c && c->has_basic();
  }
  if (ch->scheme != "bearer")
    throw Error(Errc::unsupported,
                m_options.host +
                    " asks for the unsupported authentication "
                    "scheme \"" +
                    ch->scheme + "\"",
                "ext supports anonymous, Basic and Bearer token authentication");
  auto realm = ch->param("realm");
  if (realm.empty() || !http::Url::parse(realm))
    throw Error(Errc::auth, m_options.host + " sent a Bearer challenge without a valid realm");
  m_scheme = "bearer";
  m_realm = realm;
  m_registry_https = util::to_lower(req.url).rfind("https://", 0) == 0;
  m_service = ch->param("service");
  std::set<std::string> scopes(req.scopes.begin(), req.scopes.end());
  std::set<std::string> wanted = scopes;
  for (const auto& s : util::split(ch->param("scope"), ' '))
    if (!util::trim(s).empty()) wanted.insert(std::string(util::trim(s)));
  auto token = fetch_token(wanted);
  m_tokens[scope_key(scopes)] = token;
  m_tokens[scope_key(wanted)] = token;
  return true;
}

AuthTransport::Token AuthTransport::fetch_token(const std::set<std::string>& scopes) {
  const auto& cred = credential();
  auto realm_host = http::host_of(m_realm);
  if (m_options.reporter)
    m_options.reporter->debug(2, "auth: token for [" + scope_key(scopes) + "] from " + realm_host);

  const bool secret = cred && (cred->has_basic() || !cred->identity_token.empty());
  if (secret && m_registry_https && util::to_lower(m_realm).rfind("http://", 0) == 0 &&
      !m_options.allow_plain_http_realm)
    throw Error(Errc::auth,
                m_options.registry + " (https) names a plain-http token realm (" + realm_host +
                    "); ext does not send credentials there",
                "if that is intended (a test registry), pass --insecure");

  http::Response resp;
  bool done = false;
  if (cred && !cred->identity_token.empty()) {
    // OAuth2 refresh-token grant (distribution/distribution docs/content/spec/auth/oauth.md
    // "Getting a token", @0d6b721).
    http::Request post;
    post.method = "POST";
    post.url = m_realm;
    post.headers.set("Content-Type", "application/x-www-form-urlencoded");
    post.body =
        "grant_type=refresh_token&refresh_token=" + http::percent_encode(cred->identity_token) +
        "&service=" + http::percent_encode(m_service) +
        "&client_id=" + http::percent_encode(m_options.client_id);
    if (!scopes.empty()) post.body += "&scope=" + http::percent_encode(scope_key(scopes));
    post.max_response = k_max_token_response;
    resp = m_inner->send(post);
    done = !(resp.status == 404 || resp.status == 405);
  }
  if (!done) {
    std::string url = m_realm;
    if (!m_service.empty()) url = http::append_query(url, "service", m_service);
    for (const auto& s : scopes) url = http::append_query(url, "scope", s);
    http::Request get;
    get.url = url;
    get.max_response = k_max_token_response;
    if (cred && cred->has_basic()) {
      get.headers.set("Authorization", "Basic " + encode_basic(cred->username, cred->password));
      url = http::append_query(url, "account", cred->username);
      get.url = url;
    }
    resp = m_inner->send(get);
  }
  if (resp.status == 401 || resp.status == 403) {
    // ext login passes the credentials it was given (m_options.credential): they are not
    // "stored", and "run ext login" is no help while running it.
    bool given = m_options.credential.has_value();
    std::string who = given                    ? "the credentials given"
                      : cred && !cred->empty() ? "the stored credentials"
                                               : "anonymous access";
    throw Error(Errc::auth,
                "the token server of " + m_options.registry + " (" + realm_host + ") rejected " +
                    who + " (HTTP " + std::to_string(resp.status) + ")",
                given ? "check the user name and password for " + m_options.registry
                      : "run `ext login " + m_options.registry + "`")
        .with_http(resp.status);
  }
  if (resp.status != 200)
    throw Error(Errc::auth,
                "token request to " + realm_host + " failed: HTTP " + std::to_string(resp.status))
        .with_http(resp.status);
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(resp.body);
  } catch (const nlohmann::json::exception&) {
    throw Error(Errc::auth, "token response from " + realm_host + " is not JSON");
  }
  if (!j.is_object())
    throw Error(Errc::auth, "token response from " + realm_host + " is not an object");
  std::string value;
  if (j.contains("access_token") && j["access_token"].is_string())
    value = j["access_token"].get<std::string>();
  if (value.empty() && j.contains("token") && j["token"].is_string())
    value = j["token"].get<std::string>();
  if (value.empty()) throw Error(Errc::auth, "token response from " + realm_host + " has no token");
  int64_t expires_in = 60;
  if (j.contains("expires_in") && j["expires_in"].is_number_integer())
    expires_in = std::max<int64_t>(j["expires_in"].get<int64_t>(), 0);
  Token t;
  t.value = value;
  t.expires = std::chrono::steady_clock::now() + std::chrono::seconds(expires_in) - k_expiry_margin;
  return t;
}

http::Response AuthTransport::send(const http::Request& req) {
  http::Request r = req;
  if (auto a = authorization(req)) r.headers.set("Authorization", *a);
  auto resp = m_inner->send(r);
  if (resp.status != 401) return resp;
  if (!on_unauthorized(resp.headers, req) || !req.rewind_body()) return resp;
  r.headers.remove("Authorization");
  if (auto a = authorization(req)) r.headers.set("Authorization", *a);
  return m_inner->send(r);
}

std::unique_ptr<http::ResponseStream> AuthTransport::open(const http::Request& req) {
  http::Request r = req;
  if (auto a = authorization(req)) r.headers.set("Authorization", *a);
  auto s = m_inner->open(r);
  if (s->status() != 401) return s;
  http::Headers headers = s->headers();
  if (!on_unauthorized(headers, req) || !req.rewind_body()) return s;
  s.reset();
  r.headers.remove("Authorization");
  if (auto a = authorization(req)) r.headers.set("Authorization", *a);
  return m_inner->open(r);
}

namespace {

class AuthUpload final : public http::UploadStream {
 public:
  AuthUpload(std::unique_ptr<http::UploadStream> inner,
             std::function<void(const http::Response&)> on_401)
      : m_inner(std::move(inner)), m_on_401(std::move(on_401)) {}
  bool write(const void* data, size_t n) override { return m_inner->write(data, n); }
  http::Response finish() override {
    auto resp = m_inner->finish();
    if (resp.status == 401) m_on_401(resp);
    return resp;
  }

 private:
  std::unique_ptr<http::UploadStream> m_inner;
  std::function<void(const http::Response&)> m_on_401;
};

}  // namespace

std::unique_ptr<http::UploadStream> AuthTransport::upload(const http::Request& req) {
  http::Request r = req;
  if (auto a = authorization(req)) r.headers.set("Authorization", *a);
  return std::make_unique<AuthUpload>(m_inner->upload(r), [this, req](const http::Response& resp) {
    on_unauthorized(resp.headers, req);
  });
}

}  // namespace ext::auth
