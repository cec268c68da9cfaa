// cpp-auth-deny: replies 403 locally unless the request carries the configured token in the
// configured header. Configuration: {"header": "x-api-key", "token": "s3cret"}.
// Shows sendLocalResponse, getRequestHeader and a counter metric with the ext C++ SDK.
#include <string>

#include "proxy_wasm.h"
#include "proxy_wasm_json.h"

class AuthRoot : public RootContext {
 public:
  AuthRoot(uint32_t id, std::string_view root_id)
      : RootContext(id, root_id), denied_(std::string(root_id) + ".denied") {}

  bool onConfigure(size_t size) override {
    auto config = getBufferBytes(WasmBufferType::PluginConfiguration, 0, size);
    auto json = proxy_wasm::JsonObject::parse(config->view());
    if (!json || !json->getString("token")) {
      LOG_ERROR("invalid configuration: expected {\"header\": \"...\", \"token\": \"...\"}");
      return false;
    }
    header_ = json->getString("header").value_or("x-api-key");
    token_ = *json->getString("token");
    LOG_INFO("auth-deny configured: requests need the " + header_ + " header");
    return true;
  }

  bool allowed(std::string_view presented) const { return !token_.empty() && presented == token_; }
  const std::string& header() const { return header_; }
  Counter& denied() { return denied_; }

 private:
  std::string header_ = "x-api-key";
  std::string token_;
  Counter denied_;
};

class AuthContext : public Context {
 public:
  AuthContext(uint32_t id, RootContext* root)
      : Context(id, root), root_(static_cast<AuthRoot*>(root)) {}

  FilterHeadersStatus onRequestHeaders(uint32_t, bool) override {
    auto presented = getRequestHeader(root_->header());
    if (root_->allowed(presented->view())) return FilterHeadersStatus::Continue;
    std::string path = getRequestHeader(":path")->toString();
    LOG_INFO("denied " + path + ": missing or wrong " + root_->header());
    root_->denied().increment();
    sendLocalResponse(403, "ext_auth_denied", "forbidden\n", {{"content-type", "text/plain"}});
    return FilterHeadersStatus::StopIteration;
  }

 private:
  AuthRoot* root_;
};

static RegisterContextFactory register_auth(CONTEXT_FACTORY(AuthContext), ROOT_FACTORY(AuthRoot),
                                            "auth_deny");
