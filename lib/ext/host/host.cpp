#include "ext/host/host.hpp"

#include <algorithm>
#include <utility>

namespace ext::host {

namespace {
// Unwinds a run when a callback traps; the message names the callback.
struct Trapped {
  std::string message;
};

struct Direction {
  MapType headers;
  MapType trailers;
  BufferType body;
  const char* on_headers;
  const char* on_body;
  const char* on_trailers;
  bool Context::*resume;
};

const Direction k_request{MapType::request_headers,  MapType::request_trailers,
                          BufferType::request_body,  "proxy_on_request_headers",
                          "proxy_on_request_body",   "proxy_on_request_trailers",
                          &Context::continue_request};
const Direction k_response{MapType::response_headers,  MapType::response_trailers,
                           BufferType::response_body,  "proxy_on_response_headers",
                           "proxy_on_response_body",   "proxy_on_response_trailers",
                           &Context::continue_response};

size_t idx(MapType t) {
  return static_cast<size_t>(t);
}
size_t idx(BufferType t) {
  return static_cast<size_t>(t);
}
}  // namespace

struct Host::Run {
  std::vector<CallbackRecord>* callbacks = nullptr;
};

Host::~Host() = default;

const std::vector<LogEntry>& Host::logs() const {
  return m_state->logs;
}
std::vector<LogEntry> Host::take_logs() {
  return std::exchange(m_state->logs, {});
}
const std::vector<Metric>& Host::metrics() const {
  return m_state->shared->metrics;
}
uint64_t Host::now_ns() const {
  return m_state->now_ns;
}
AbiVersion Host::abi() const {
  return m_vm->abi();
}
uint64_t Host::memory_size() const {
  return m_vm->memory_size();
}
void Host::set_http_upstream(ClusterKnown known, HttpAnswer answer) {
  m_state->cluster_known = std::move(known);
  m_state->responder = std::move(answer);
}
void Host::set_grpc_upstream(ClusterKnown known, GrpcAnswer answer) {
  m_state->grpc_cluster_known = std::move(known);
  m_state->grpc_responder = std::move(answer);
}
void Host::set_grpc_stream_upstream(ClusterKnown known, GrpcStreamAnswer answer) {
  m_state->grpc_stream_cluster_known = std::move(known);
  m_state->grpc_stream_script = std::move(answer);
}
void Host::begin_case() {
  m_state->case_bytes_used = 0;
  m_state->logs.clear();
  m_state->http_calls.clear();
  m_state->grpc_calls.clear();
  // Streams Envoy has forgotten go; open ones stay (they belong to the root context).
  auto& streams = m_state->grpc_streams;
  streams.erase(std::remove_if(streams.begin(), streams.end(),
                               [](const GrpcStreamRecord& r) { return r.gone(); }),
                streams.end());
}

std::optional<uint32_t> Host::invoke(Run& run, const char* name, uint32_t ctx,
                                     std::initializer_list<uint32_t> args) {
  if (!m_vm->has_export(name)) return std::nullopt;
  auto& s = *m_state;
  std::string saved_cb = s.callback;
  uint32_t saved_cur = s.current_context, saved_eff = s.effective_context;
  s.callback = name;
  s.current_context = ctx;
  s.effective_context = ctx;
  auto r = m_vm->call(name, args);
  s.callback = saved_cb;
  s.current_context = saved_cur;
  s.effective_context = saved_eff;
  std::optional<uint32_t> value;
  if (r) value = *r;
  if (run.callbacks) run.callbacks->push_back({name, ctx, value});
  if (!r) {
    m_failed = true;
    throw Trapped{r.error().message()};
  }
  return value;
}

// Delivers what happened asynchronously: queue notifications and HTTP call answers (on the
// root context, as Envoy does: http_call belongs to the root context [HOST exports.cc]).
void Host::drain(Run& run) {
  auto& s = *m_state;
  for (int guard = 0; guard < 10000; ++guard) {
    auto& ready = s.shared->ready[s.vm_index];
    if (!ready.empty()) {
      uint32_t id = ready.front();
      ready.pop_front();
      uint32_t owner = s.shared->queues[id - 1].owner_context;
      invoke(run, "proxy_on_queue_ready", owner ? owner : s.root_context_id, {owner, id});
      continue;
    }
    if (!s.pending_http_calls.empty()) {
      uint32_t token = s.pending_http_calls.front();
      s.pending_http_calls.pop_front();
      HttpCallRecord* rec = nullptr;
      for (auto& c : s.http_calls)
        if (c.token == token) rec = &c;
      if (!rec) continue;
      std::optional<HttpCallResponse> resp;
      if (s.responder) resp = s.responder(*rec);
      rec->answered = true;
      auto& root = s.contexts[s.root_context_id];
      uint32_t nh = 0, nb = 0, nt = 0;
      if (!resp || resp->failed) {
        // A failed call: proxy_get_status reports BROKEN_CONNECTION, "reset" during the
        // callback [Envoy context.cc onHttpCallFailure].
        rec->failed = true;
        s.status_code = static_cast<uint32_t>(Status::broken_connection);
        s.status_message = "reset";
      } else {
        root.maps[idx(MapType::http_call_response_headers)] = resp->headers;
        root.maps[idx(MapType::http_call_response_trailers)] = resp->trailers;
        root.buffers[idx(BufferType::http_call_response_body)] = resp->body;
        root.buffer_eos[idx(BufferType::http_call_response_body)] = true;
        nh = static_cast<uint32_t>(resp->headers.size());
        nb = static_cast<uint32_t>(resp->body.size());
        nt = static_cast<uint32_t>(resp->trailers.size());
      }
      try {
        invoke(run, "proxy_on_http_call_response", s.root_context_id,
               {s.root_context_id, token, nh, nb, nt});
        s.status_code = 0;
        s.status_message.clear();
      } catch (...) {
        s.status_code = 0;
        s.status_message.clear();
        root.maps[idx(MapType::http_call_response_headers)].reset();
        root.maps[idx(MapType::http_call_response_trailers)].reset();
        root.buffers[idx(BufferType::http_call_response_body)].reset();
        throw;
      }
      root.maps[idx(MapType::http_call_response_headers)].reset();
      root.maps[idx(MapType::http_call_response_trailers)].reset();
      root.buffers[idx(BufferType::http_call_response_body)].reset();
      continue;
    }
    if (!s.pending_grpc_calls.empty()) {
      uint32_t token = s.pending_grpc_calls.front();
      s.pending_grpc_calls.pop_front();
      GrpcCallRecord* rec = nullptr;
      for (auto& c : s.grpc_calls)
        if (c.token == token) rec = &c;
      if (!rec) continue;
      std::optional<GrpcCallResponse> resp;
      if (s.grpc_responder) resp = s.grpc_responder(*rec);
      // Nothing scripted: the call fails as an unreachable upstream would (14 UNAVAILABLE).
      if (!resp) resp = GrpcCallResponse{14, "no scripted answer", ""};
      rec->answered = true;
      auto& root = s.contexts[s.root_context_id];
      // Envoy context.cc onGrpcReceiveWrapper (success: the message in GRPC_RECEIVE_BUFFER)
      // and onGrpcCloseWrapper (failure: proxy_get_status gives the status and message).
      auto clear = [&] {
        root.buffers[idx(BufferType::grpc_message)].reset();
        s.status_code = 0;
        s.status_message.clear();
      };
      try {
        if (resp->status == 0) {
          root.buffers[idx(BufferType::grpc_message)] = resp->message;
          invoke(run, "proxy_on_grpc_receive", s.root_context_id,
                 {s.root_context_id, token, static_cast<uint32_t>(resp->message.size())});
        } else {
          s.status_code = resp->status;
          s.status_message = resp->status_message;
          invoke(run, "proxy_on_grpc_close", s.root_context_id,
                 {s.root_context_id, token, resp->status});
        }
      } catch (...) {
        clear();
        throw;
      }
      clear();
      continue;
    }
    if (deliver_grpc_stream_event(run)) continue;
    return;
  }
}

// One event of a scripted gRPC stream whose turn has come (its `after_sends` reached), on the
// root context [Envoy context.cc onGrpcReceiveInitialMetadataWrapper, onGrpcReceiveWrapper,
// onGrpcReceiveTrailingMetadataWrapper, onGrpcCloseWrapper]: the metadata map, the message
// buffer or the status exist only during their callback. False when no event is due.
bool Host::deliver_grpc_stream_event(Run& run) {
  auto& s = *m_state;
  for (size_t i = 0; i < s.grpc_streams.size(); ++i) {
    auto& r = s.grpc_streams[i];
    if (r.cancelled || r.remote_closed || r.next_event >= r.script.size()) continue;
    if (r.script[r.next_event].after_sends > r.sent.size()) continue;
    GrpcStreamEvent ev = r.script[r.next_event++];
    uint32_t token = r.token;
    bool closing = ev.kind == GrpcStreamEvent::Kind::close;
    auto& root = s.contexts[s.root_context_id];
    // Envoy forgets the stream only after the close callback returned (deferred cleanup), so
    // the stream is still there during it. `r` may move as the callback opens streams.
    auto clear = [&] {
      if (closing)
        if (auto* rec = s.grpc_stream(token)) rec->remote_closed = true;
      root.maps[idx(MapType::grpc_initial_metadata)].reset();
      root.maps[idx(MapType::grpc_trailing_metadata)].reset();
      root.buffers[idx(BufferType::grpc_message)].reset();
      s.status_code = 0;
      s.status_message.clear();
    };
    try {
      switch (ev.kind) {
        case GrpcStreamEvent::Kind::initial_metadata:
          root.maps[idx(MapType::grpc_initial_metadata)] = ev.metadata;
          invoke(run, "proxy_on_grpc_receive_initial_metadata", s.root_context_id,
                 {s.root_context_id, token, static_cast<uint32_t>(ev.metadata.size())});
          break;
        case GrpcStreamEvent::Kind::message:
          root.buffers[idx(BufferType::grpc_message)] = ev.message;
          invoke(run, "proxy_on_grpc_receive", s.root_context_id,
                 {s.root_context_id, token, static_cast<uint32_t>(ev.message.size())});
          break;
        case GrpcStreamEvent::Kind::trailing_metadata:
          root.maps[idx(MapType::grpc_trailing_metadata)] = ev.metadata;
          invoke(run, "proxy_on_grpc_receive_trailing_metadata", s.root_context_id,
                 {s.root_context_id, token, static_cast<uint32_t>(ev.metadata.size())});
          break;
        case GrpcStreamEvent::Kind::close:
          s.status_code = ev.status;
          s.status_message = ev.status_message;
          invoke(run, "proxy_on_grpc_close", s.root_context_id,
                 {s.root_context_id, token, ev.status});
          break;
      }
    } catch (...) {
      clear();
      throw;
    }
    clear();
    return true;
  }
  return false;
}

uint32_t Host::new_context(Run& run, uint32_t parent) {
  uint32_t id = m_next_context++;
  Context c;
  c.id = id;
  c.parent = parent;
  m_state->contexts[id] = std::move(c);
  invoke(run, "proxy_on_context_create", id, {id, parent});
  return id;
}

Result<std::unique_ptr<Host>> Host::create(std::string_view module_bytes, HostOptions options) {
  std::unique_ptr<Host> h(new Host());
  if (options.config.plugin_name.empty()) options.config.plugin_name = options.config.root_id;
  h->m_state = std::make_unique<HostState>(std::move(options.config));
  h->m_state->limits = options.host_limits;
  if (options.shared) h->m_state->shared = std::move(options.shared);
  h->m_state->vm_index = options.vm_index;
  if (options.before_start) options.before_start(*h);
  auto vm = Vm::load(module_bytes, *h->m_state, options.limits);
  if (!vm) return fail(vm.error());
  h->m_vm = std::move(*vm);
  auto& s = *h->m_state;
  Run run{&h->m_root_callbacks};
  try {
    // Start functions (cpp-host src/wasm.cc startVm): only start-up hostcalls are allowed. The
    // wasm start section first, as instantiation would, but under the instruction budget.
    // The start section runs at instantiation, outside startVm's restricted window.
    if (auto r = h->m_vm->run_start(); !r) {
      h->m_failed = true;
      throw Trapped{r.error().message()};
    }
    s.starting = true;
    // cpp-host startVm: _initialize, then main(0, 0) if exported (a reactor's __main_void is
    // called only from cpp-host e55d150, 2026-03, pinned by no release ext knows).
    if (h->m_vm->has_export("_initialize")) {
      h->invoke(run, "_initialize", 0, {});
      if (h->m_vm->has_export("main")) h->invoke(run, "main", 0, {0, 0});
    } else if (h->m_vm->has_export("_start")) {
      h->invoke(run, "_start", 0, {});
    }
    s.starting = false;
    // The base VM only loads and initializes; clones start the plugin [HOST src/wasm.cc
    // createWasm, canary, getOrCreateThreadLocalPlugin].
    if (!options.start_plugin) return h;
    // Root context: create, VM start, configure (cpp-host src/wasm.cc start).
    uint32_t root = h->m_next_context++;
    Context c;
    c.id = root;
    s.contexts[root] = std::move(c);
    s.root_context_id = root;
    // The plugin configuration is readable while the root context is created and in
    // proxy_on_configure, not in proxy_on_vm_start [HOST src/context.cc onStart/onConfigure].
    s.plugin_config_visible = true;
    h->invoke(run, "proxy_on_context_create", root, {root, 0});
    s.plugin_config_visible = false;
    auto vm_ok = h->invoke(run, "proxy_on_vm_start", root,
                           {root, static_cast<uint32_t>(s.config.vm_configuration.size())});
    if (vm_ok && *vm_ok == 0)
      return fail(Errc::failed, "proxy_on_vm_start returned false: the VM failed to start");
    s.plugin_config_visible = true;
    auto cfg_ok = h->invoke(run, "proxy_on_configure", root,
                            {root, static_cast<uint32_t>(s.config.plugin_configuration.size())});
    s.plugin_config_visible = false;
    if (cfg_ok && *cfg_ok == 0)
      return fail(Errc::failed,
                  "proxy_on_configure returned false: the plugin rejected its configuration");
    if (options.deliver_at_start) h->drain(run);
  } catch (const Trapped& t) {
    return fail(Errc::failed,
                std::string(s.starting ? "trap at start-up in " : "trap in ") + t.message);
  }
  return h;
}

std::optional<uint64_t> Host::ms_to_tick() const {
  const auto& s = *m_state;
  if (s.tick_period_ms == 0) return std::nullopt;
  return s.tick_period_ms > s.since_tick_ms ? s.tick_period_ms - s.since_tick_ms : 0;
}

Result<void> Host::poll() {
  Run run{&m_root_callbacks};
  try {
    drain(run);
  } catch (const Trapped& t) {
    return fail(Errc::failed, "trap in " + t.message);
  }
  return {};
}

Result<void> Host::advance(uint64_t ms) {
  auto& s = *m_state;
  Run run{&m_root_callbacks};
  uint64_t ticks = 0;
  try {
    while (ms > 0) {
      if (s.tick_period_ms == 0) {
        s.now_ns += ms * 1000000ull;
        return {};
      }
      uint64_t to_tick =
          s.tick_period_ms > s.since_tick_ms ? s.tick_period_ms - s.since_tick_ms : 0;
      if (ms < to_tick) {
        s.since_tick_ms += ms;
        s.now_ns += ms * 1000000ull;
        return {};
      }
      if (++ticks > s.limits.ticks_per_advance)
        return fail(Errc::failed, "advance_ms: more than " +
                                      std::to_string(s.limits.ticks_per_advance) +
                                      " ticks would fire, over the limit ticks_per_advance (tick "
                                      "period " +
                                      std::to_string(s.tick_period_ms) + " ms)");
      ms -= to_tick;
      s.now_ns += to_tick * 1000000ull;
      s.since_tick_ms = 0;
      invoke(run, "proxy_on_tick", s.root_context_id, {s.root_context_id});
      drain(run);
    }
  } catch (const Trapped& t) {
    return fail(Errc::failed, "trap in " + t.message);
  }
  return {};
}

// The end of a stream. HTTP: the access log first (proxy_on_log, with the request/response
// headers and response trailers readable again, not writable), then the filter's onDestroy
// (proxy_on_done, proxy_on_delete) [Envoy source/extensions/common/wasm/context.cc log(),
// onDestroy(); the HTTP connection manager logs before it destroys the filters]. Network:
// proxy_on_done, proxy_on_log, proxy_on_delete [Envoy context.cc onCloseTCP].
void Host::finish_stream(Run& run, uint32_t id) {
  auto& s = *m_state;
  auto log = [&] {
    s.contexts[id].log_phase = true;
    invoke(run, "proxy_on_log", id, {id});
    s.contexts[id].log_phase = false;
  };
  if (s.contexts[id].http) {
    log();
    invoke(run, "proxy_on_done", id, {id});
    drain(run);
  } else {
    invoke(run, "proxy_on_done", id, {id});
    drain(run);
    log();
  }
  invoke(run, "proxy_on_delete", id, {id});
}

namespace {

// Runs one direction of an HTTP stream through the filter. Returns false when the stream went
// no further (local reply, reset, or a stop that was never continued).
struct DirectionResult {
  bool forwarded = false;
  HeaderMap headers;
  std::string body;
  std::optional<HeaderMap> trailers;
};

}  // namespace

HttpOutcome Host::run_http(const HttpInput& input) {
  auto& s = *m_state;
  HttpOutcome out;
  size_t log_start = s.logs.size(), call_start = s.http_calls.size(),
         grpc_start = s.grpc_calls.size(), stream_start = s.grpc_streams.size();
  Run run{&out.callbacks};
  bool v1 = s.abi == AbiVersion::v0_1_0;
  uint32_t id = 0;

  // One direction; true when it reached the other side.
  auto direction = [&](const Direction& d, const HeaderMap& headers,
                       const std::vector<std::string>& body,
                       const std::optional<HeaderMap>& trailers, DirectionResult& res) -> bool {
    Context* c = &s.contexts[id];
    c->maps[idx(d.headers)] = headers;
    bool eos = body.empty() && !trailers;
    auto n = static_cast<uint32_t>(headers.size());
    c->stop_next = false;
    auto r = v1 ? invoke(run, d.on_headers, id, {id, n})
                : invoke(run, d.on_headers, id, {id, n, eos ? 1u : 0u});
    drain(run);
    c = &s.contexts[id];
    if (c->local_response || c->second_local_response || c->reset) return false;
    // Envoy translates StopIteration (1) to StopAllIteration (abi_list.hpp): nothing more reaches
    // the filter (or the peer) until proxy_continue_stream.
    bool stopped = (r && *r != 0 && *r != 2) || std::exchange(c->stop_next, false);
    if (stopped && c->*d.resume) stopped = false;
    c->*d.resume = false;
    if (stopped) {
      out.paused_at = d.on_headers;
      return false;
    }
    // Continue ends the map's phase: Envoy drops its pointer [Envoy context.cc decodeHeaders /
    // encodeHeaders: `if (result == Continue) request_headers_ = nullptr`].
    c->map_closed[idx(d.headers)] = true;
    res.headers = *c->maps[idx(d.headers)];
    std::string buffered;
    bool have_body_cb = m_vm->has_export(d.on_body);
    bool buffering = false;  // the previous body callback returned StopIterationAndBuffer
    for (size_t i = 0; i < body.size(); ++i) {
      // Before Envoy 1.32, while buffering, the callback sees only the earlier chunks; the
      // current one is appended after it returns (envoy_versions.hpp "body_buffering").
      bool lagging = buffering && !s.envoy.body_includes_current_chunk;
      if (!lagging) buffered += body[i];
      bool last = i + 1 == body.size();
      bool chunk_eos = last && !trailers;
      if (!have_body_cb) {
        res.body += buffered;
        buffered.clear();
        continue;
      }
      c->buffers[idx(d.body)] = buffered;
      c->buffer_eos[idx(d.body)] = chunk_eos;
      // A filter may add trailers from the last body callback when there are none (Envoy context.cc
      // addHeaderMapValue on trailers).
      bool addable = chunk_eos && !c->maps[idx(d.trailers)];
      if (addable) c->maps[idx(d.trailers)] = HeaderMap{};
      c->stop_next = false;
      auto br = invoke(run, d.on_body, id,
                       {id, static_cast<uint32_t>(buffered.size()), chunk_eos ? 1u : 0u});
      drain(run);
      c = &s.contexts[id];
      buffered = c->buffers[idx(d.body)].value_or("");
      c->buffers[idx(d.body)].reset();
      if (lagging) buffered += body[i];
      if (addable && c->maps[idx(d.trailers)] && c->maps[idx(d.trailers)]->empty())
        c->maps[idx(d.trailers)].reset();
      if (c->local_response || c->second_local_response || c->reset) return false;
      bool body_stopped = (br && *br != 0) || std::exchange(c->stop_next, false);
      buffering = body_stopped && br && (*br == 1 || *br == 4);
      if (body_stopped && c->*d.resume) body_stopped = false;
      c->*d.resume = false;
      if (!body_stopped) {
        res.body += buffered;
        buffered.clear();
      } else if (*br == 3) {
        // StopIterationNoBuffer: Envoy keeps nothing of the chunk; the filter owns it (it may
        // have copied it), and the next callback sees only new data.
        buffered.clear();
        if (chunk_eos) {
          out.paused_at = d.on_body;
          return false;
        }
      } else if (chunk_eos) {
        out.paused_at = d.on_body;
        return false;
      }
    }
    if (trailers) {
      c->maps[idx(d.trailers)] = *trailers;
      c->stop_next = false;
      auto tr = invoke(run, d.on_trailers, id, {id, static_cast<uint32_t>(trailers->size())});
      drain(run);
      c = &s.contexts[id];
      if (c->local_response || c->second_local_response || c->reset) return false;
      bool t_stopped = (tr && *tr != 0) || std::exchange(c->stop_next, false);
      if (t_stopped && c->*d.resume) t_stopped = false;
      c->*d.resume = false;
      if (t_stopped) {
        out.paused_at = d.on_trailers;
        return false;
      }
      c->map_closed[idx(d.trailers)] = true;
      if (!buffered.empty()) {
        res.body += buffered;
        buffered.clear();
      }
    } else if (!buffered.empty()) {
      // Stopped on a chunk that was not the last one and the stream ended (eos handled above).
      res.body += buffered;
    }
    res.trailers = c->maps[idx(d.trailers)];
    res.forwarded = true;
    return true;
  };

  try {
    id = m_next_context;
    // Properties must be visible from proxy_on_context_create on.
    {
      Context c;
      c.id = id;
      c.parent = s.root_context_id;
      c.http = true;
      c.properties = input.properties;
      c.property_kinds = input.property_kinds;
      c.start_ns = s.now_ns;
      s.contexts[id] = std::move(c);
      m_next_context++;
      invoke(run, "proxy_on_context_create", id, {id, s.root_context_id});
    }
    out.context_id = id;
    DirectionResult req;
    bool request_ok = direction(k_request, input.request_headers, input.request_body,
                                input.request_trailers, req);
    out.request_forwarded = req.forwarded;
    out.request_headers = req.headers;
    out.request_body = req.body;
    out.request_trailers = req.trailers;
    Context* c = &s.contexts[id];
    if (c->reset) out.reset = true;
    // Envoy's filter manager (source/common/http/filter_manager.cc sendLocalReply): a reply
    // while no response exists goes through the encoder filters; while a response is in the
    // filters but its headers have not gone downstream, it is sent directly (bypassing the
    // filters); after that, the stream is reset.
    auto send_direct = [&](const LocalResponse& r) {
      out.local_response = r;
      out.response_forwarded = true;
      out.response_headers = {{":status", std::to_string(r.status)}};
      for (const auto& kv : r.headers) out.response_headers.push_back(kv);
      out.response_body = r.body;
      out.response_trailers.reset();
    };
    auto headers_went_down = [&] { return c->map_closed[idx(MapType::response_headers)]; };
    if (c->local_response) {
      // A local reply goes down through the encoder side of the filter chain, this filter
      // included, so the response callbacks see it.
      out.local_response = c->local_response;
      HeaderMap h{{":status", std::to_string(c->local_response->status)}};
      for (const auto& kv : c->local_response->headers) h.push_back(kv);
      std::vector<std::string> body;
      if (!c->local_response->body.empty()) body.push_back(c->local_response->body);
      c->local_response.reset();
      c->local_reply_sent = true;
      // Two replies in one callback: the second runs after the first went downstream.
      bool second_queued = c->second_local_response.has_value();
      c->second_local_response.reset();
      DirectionResult resp;
      direction(k_response, h, body, std::nullopt, resp);
      c = &s.contexts[id];
      out.response_forwarded = resp.forwarded;
      out.response_headers = resp.headers;
      out.response_body = resp.body;
      out.response_trailers = resp.trailers;
      if (second_queued) {
        out.reset = true;
      } else if (c->second_local_response) {
        // From the response callbacks of the first reply (Envoy >= 1.33).
        if (headers_went_down())
          out.reset = true;
        else
          send_direct(*c->second_local_response);
      }
    } else if (request_ok && input.has_response && !c->reset) {
      DirectionResult resp;
      direction(k_response, input.response_headers, input.response_body, input.response_trailers,
                resp);
      c = &s.contexts[id];
      if (c->local_response) {
        c->local_reply_sent = true;
        if (headers_went_down()) {
          // The upstream's headers are already downstream: Envoy can only reset the stream.
          out.reset = true;
          out.response_forwarded = true;
          out.response_headers = resp.headers;
          out.response_body = resp.body;
        } else {
          send_direct(*c->local_response);
        }
      } else {
        out.response_forwarded = resp.forwarded;
        out.response_headers = resp.headers;
        out.response_body = resp.body;
        out.response_trailers = resp.trailers;
      }
      if (c->reset) out.reset = true;
    }
    finish_stream(run, id);
    out.done_pending = s.contexts[id].done_pending;
  } catch (const Trapped& t) {
    out.error = t.message;
  }
  s.contexts.erase(id);
  out.logs.assign(s.logs.begin() + static_cast<long>(log_start), s.logs.end());
  out.http_calls.assign(s.http_calls.begin() + static_cast<long>(call_start), s.http_calls.end());
  out.grpc_calls.assign(s.grpc_calls.begin() + static_cast<long>(grpc_start), s.grpc_calls.end());
  out.grpc_streams.assign(s.grpc_streams.begin() + static_cast<long>(stream_start),
                          s.grpc_streams.end());
  return out;
}

TcpOutcome Host::run_tcp(const TcpInput& input) {
  auto& s = *m_state;
  TcpOutcome out;
  size_t log_start = s.logs.size(), call_start = s.http_calls.size(),
         grpc_start = s.grpc_calls.size(), stream_start = s.grpc_streams.size();
  Run run{&out.callbacks};
  uint32_t id = m_next_context;
  try {
    {
      Context c;
      c.id = id;
      c.parent = s.root_context_id;
      c.properties = input.properties;
      c.property_kinds = input.property_kinds;
      c.start_ns = s.now_ns;
      s.contexts[id] = std::move(c);
      m_next_context++;
      invoke(run, "proxy_on_context_create", id, {id, s.root_context_id});
    }
    out.context_id = id;
    auto r = invoke(run, "proxy_on_new_connection", id, {id});
    drain(run);
    bool stopped = r && *r != 0;
    // proxy_continue_stream(DOWNSTREAM) resumes the connection [Envoy context.cc continueStream].
    if (stopped && s.contexts[id].continue_downstream) stopped = false;
    s.contexts[id].continue_downstream = false;
    if (stopped) out.paused_at = "proxy_on_new_connection";
    auto flow = [&](const std::vector<std::string>& chunks, BufferType type, const char* cb,
                    std::string& sink) {
      std::string buffered;
      for (size_t i = 0; i < chunks.size(); ++i) {
        buffered += chunks[i];
        bool eos = i + 1 == chunks.size() && input.close != CloseSide::none;
        Context* c = &s.contexts[id];
        if (!m_vm->has_export(cb)) {
          sink += buffered;
          buffered.clear();
          continue;
        }
        c->buffers[idx(type)] = buffered;
        c->buffer_eos[idx(type)] = eos;
        auto dr = invoke(run, cb, id, {id, static_cast<uint32_t>(buffered.size()), eos ? 1u : 0u});
        // Envoy has no upstream connection event in a network filter: it reports the upstream
        // close right after the upstream data that ends the stream, with peer type UNKNOWN (0)
        // [Envoy context.cc onWrite: onUpstreamConnectionClose(CloseType::Unknown)].
        if (eos && type == BufferType::upstream_data)
          invoke(run, "proxy_on_upstream_connection_close", id, {id, 0});
        drain(run);
        c = &s.contexts[id];
        buffered = c->buffers[idx(type)].value_or("");
        c->buffers[idx(type)].reset();
        bool resumed = c->continue_downstream;
        c->continue_downstream = false;
        if (dr && *dr != 0 && !resumed) {
          out.paused_at = cb;
        } else {
          sink += buffered;
          buffered.clear();
        }
        if (c->close_downstream || c->close_upstream) return false;
      }
      return true;
    };
    if (!stopped) {
      bool open = flow(input.downstream, BufferType::downstream_data, "proxy_on_downstream_data",
                       out.to_upstream);
      if (open)
        flow(input.upstream, BufferType::upstream_data, "proxy_on_upstream_data",
             out.to_downstream);
    }
    Context* c = &s.contexts[id];
    out.closed_downstream = c->close_downstream;
    out.closed_upstream = c->close_upstream;
    // The downstream connection closes [Envoy context.cc onEvent]: REMOTE (2) when the client
    // closed it, LOCAL (1) when Envoy did (the filter's proxy_close_stream, either side, or
    // the tcp_proxy after the server closed). Peer types: proxy-wasm spec proxy_peer_type_t.
    bool filter_closed = c->close_downstream || c->close_upstream;
    if (filter_closed || input.close != CloseSide::none) {
      uint32_t peer = !filter_closed && input.close == CloseSide::downstream ? 2u : 1u;
      invoke(run, "proxy_on_downstream_connection_close", id, {id, peer});
    }
    drain(run);
    finish_stream(run, id);
  } catch (const Trapped& t) {
    out.error = t.message;
  }
  s.contexts.erase(id);
  out.logs.assign(s.logs.begin() + static_cast<long>(log_start), s.logs.end());
  out.http_calls.assign(s.http_calls.begin() + static_cast<long>(call_start), s.http_calls.end());
  out.grpc_calls.assign(s.grpc_calls.begin() + static_cast<long>(grpc_start), s.grpc_calls.end());
  out.grpc_streams.assign(s.grpc_streams.begin() + static_cast<long>(stream_start),
                          s.grpc_streams.end());
  return out;
}

}  // namespace ext::host
