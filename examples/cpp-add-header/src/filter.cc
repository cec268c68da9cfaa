// cpp-add-header: an HTTP filter that adds a response header whose name and value come from the
// plugin configuration, e.g. {"header": "x-ext", "value": "hello"}.
#include <string>

#include "proxy_wasm.h"
#include "proxy_wasm_json.h"

class AddHeaderRoot : public RootContext {
 public:
  AddHeaderRoot(uint32_t id, std::string_view root_id) : RootContext(id, root_id) {}

  bool onConfigure(size_t size) override {
    auto config = getBufferBytes(WasmBufferType::PluginConfiguration, 0, size);
    auto json = proxy_wasm::JsonObject::parse(config->view());
    if (!json) {
      LOG_ERROR("invalid configuration: expected a JSON object, got '" + config->toString() + "'");
      return false;
    }
    header_ = json->getString("header").value_or("x-ext");
    value_ = json->getString("value").value_or("hello");
    LOG_INFO("cpp-add-header configured: adding " + header_ + ": " + value_);
    return true;
  }

  const std::string& header() const { return header_; }
  const std::string& value() const { return value_; }

 private:
  std::string header_ = "x-ext";
  std::string value_ = "hello";
};

class AddHeaderContext : public Context {
 public:
  AddHeaderContext(uint32_t id, RootContext* root)
      : Context(id, root), root_(static_cast<AddHeaderRoot*>(root)) {}

  FilterHeadersStatus onResponseHeaders(uint32_t, bool) override {
    addResponseHeader(root_->header(), root_->value());
    return FilterHeadersStatus::Continue;
  }

 private:
  AddHeaderRoot* root_;
};

static RegisterContextFactory register_add_header(CONTEXT_FACTORY(AddHeaderContext),
                                                  ROOT_FACTORY(AddHeaderRoot), "add_header");
