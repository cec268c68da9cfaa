// ext::hub — the hub's guards (docs/hub.md "Security"): where it listens, the per-run token and
// the same-origin check every state-changing request passes, the Host check against DNS
// rebinding, and the response headers every page carries.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"

namespace ext::hub {

// Content-Security-Policy of every response: no inline script, nothing from another origin.
inline constexpr const char* k_csp =
    "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'";

struct ListenAddress {
  std::string host;  // "127.0.0.1", "::1", "0.0.0.0", "localhost", a name
  int port = 0;      // 0: the system picks one
  // "localhost", an IPv4 address in 127.0.0.0/8, "::1" or ::ffff:127.x.y.z; a name that only
  // looks like one ("127.example.com") is not.
  bool loopback() const;
};

// "HOST:PORT", "[V6]:PORT" or ":PORT" (loopback); Error(usage) otherwise.
Result<ListenAddress> parse_listen(std::string_view text);

// The warning `ext hub` prints before it binds an address that is not loopback (docs/hub.md
// "Security"), or "" for a loopback one. `listen` is the text of --listen.
std::string listen_warning(const ListenAddress& address, std::string_view listen, bool allow_apply);

// 32 random bytes from /dev/urandom as 64 hex digits; Error(io) when it cannot be read.
std::string new_token();

// Compares in time independent of where the first difference is.
bool token_equal(std::string_view a, std::string_view b);

// The origins the hub answers as ("http://127.0.0.1:8765", and "http://localhost:8765" for a
// loopback address).
std::vector<std::string> own_origins(const ListenAddress& listen, int port);

// Host header check (a DNS-rebinding page sends its own name): the Host must be one of the
// hub's own origins' host:port.
bool host_allowed(std::string_view host_header, const std::vector<std::string>& origins);

// Same-origin check of a state-changing request: Origin when the browser sends it, else the
// Referer's origin; a request with neither is refused (browsers send Origin on every POST).
bool origin_allowed(std::string_view origin, std::string_view referer,
                    const std::vector<std::string>& origins);

}  // namespace ext::hub
