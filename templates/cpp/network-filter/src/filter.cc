// {{name}}: a network (TCP) filter that counts the bytes of each connection in both directions
// into two counters ({{root_id}}.downstream_bytes, {{root_id}}.upstream_bytes) and logs a summary
// when the connection closes. Configuration (optional): {"log_prefix": "tcp"}.
#include <string>

#include "proxy_wasm.h"
#include "proxy_wasm_json.h"

class ByteCountRoot : public RootContext {
 public:
  ByteCountRoot(uint32_t id, std::string_view root_id)
      : RootContext(id, root_id),
        downstream_bytes_(std::string(root_id) + ".downstream_bytes"),
        upstream_bytes_(std::string(root_id) + ".upstream_bytes"),
        connections_(std::string(root_id) + ".connections") {}

  bool onConfigure(size_t size) override {
    if (size > 0) {
      auto config = getBufferBytes(WasmBufferType::PluginConfiguration, 0, size);
      auto json = proxy_wasm::JsonObject::parse(config->view());
      if (!json) {
        LOG_ERROR("invalid configuration: expected a JSON object");
        return false;
      }
      prefix_ = json->getString("log_prefix").value_or(prefix_);
    }
    LOG_INFO("{{name}} configured: counting bytes as " + downstream_bytes_.name() + " and " +
             upstream_bytes_.name());
    return true;
  }

  Counter downstream_bytes_;
  Counter upstream_bytes_;
  Counter connections_;
  std::string prefix_ = "{{name}}";
};

class ByteCountContext : public Context {
 public:
  ByteCountContext(uint32_t id, RootContext* root)
      : Context(id, root), root_(static_cast<ByteCountRoot*>(root)) {}

  FilterStatus onNewConnection() override {
    root_->connections_.increment();
    return FilterStatus::Continue;
  }
  FilterStatus onDownstreamData(size_t size, bool) override {
    downstream_ += size;
    root_->downstream_bytes_.increment(size);
    return FilterStatus::Continue;
  }
  FilterStatus onUpstreamData(size_t size, bool) override {
    upstream_ += size;
    root_->upstream_bytes_.increment(size);
    return FilterStatus::Continue;
  }
  void onDownstreamConnectionClose(CloseType) override { logOnce(); }
  void onUpstreamConnectionClose(CloseType) override { logOnce(); }

 private:
  void logOnce() {
    if (logged_) return;
    logged_ = true;
    LOG_INFO(root_->prefix_ + ": connection " + std::to_string(id()) +
             " closed: " + std::to_string(downstream_) + " bytes from downstream, " +
             std::to_string(upstream_) + " bytes from upstream");
  }

  ByteCountRoot* root_;
  uint64_t downstream_ = 0;
  uint64_t upstream_ = 0;
  bool logged_ = false;
};

static RegisterContextFactory register_byte_count(CONTEXT_FACTORY(ByteCountContext),
                                                  ROOT_FACTORY(ByteCountRoot), "{{root_id}}");
