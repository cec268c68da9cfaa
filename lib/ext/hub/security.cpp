#include "ext/hub/security.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <fstream>

#include "ext/core/error.hpp"
#include "ext/util/strings.hpp"

namespace ext::hub {

bool ListenAddress::loopback() const {
  if (host == "localhost") return true;
  unsigned char a[16];
  if (::inet_pton(AF_INET, host.c_str(), a) == 1) return a[0] == 127;
  if (::inet_pton(AF_INET6, host.c_str(), a) == 1) {
    static const unsigned char one[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(a, one, 16) == 0) return true;
    return std::memcmp(a, mapped, 12) == 0 && a[12] == 127;
  }
  return false;  // another name: it resolves to whatever its DNS says
}

std::string listen_warning(const ListenAddress& address, std::string_view listen,
                           bool allow_apply) {
  if (address.loopback()) return {};
  return "the hub listens on " + std::string(listen) +
         ", which is not a loopback address: anyone who can reach it can browse these "
         "registries with your credentials" +
         (allow_apply ? " and apply to your cluster" : "");
}

Result<ListenAddress> parse_listen(std::string_view text) {
  ListenAddress a;
  std::string_view host, port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
      return fail(Errc::usage, "--listen " + std::string(text) + " is not [ADDRESS]:PORT");
    host = text.substr(1, close - 1);
    port = text.substr(close + 2);
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string_view::npos)
      return fail(Errc::usage, "--listen " + std::string(text) + " is not HOST:PORT",
                  "e.g. --listen 127.0.0.1:8765 (port 0: any free port)");
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos)
      return fail(Errc::usage, "--listen: write an IPv6 address as [ADDRESS]:PORT");
  }
  int p = -1;
  auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), p);
  if (ec != std::errc() || ptr != port.data() + port.size() || p < 0 || p > 65535)
    return fail(Errc::usage, "--listen " + std::string(text) + ": the port must be 0-65535");
  for (char c : host)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == ':'))
      return fail(Errc::usage, "--listen " + std::string(text) + ": not a host name or address");
  a.host = host.empty() ? "127.0.0.1" : std::string(host);
  a.port = p;
  return a;
}

std::string new_token() {
  std::ifstream in("/dev/urandom", std::ios::binary);
  unsigned char bytes[32];
  if (!in.read(reinterpret_cast<char*>(bytes), sizeof bytes))
    throw Error(Errc::io, "cannot read /dev/urandom for the hub's token");
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned char b : bytes) {
    out += hex[b >> 4];
    out += hex[b & 15];
  }
  return out;
}

bool token_equal(std::string_view a, std::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  for (size_t i = 0; i < a.size(); ++i)
    diff |= static_cast<unsigned char>(a[i] ^ (i < b.size() ? b[i] : 0));
  return diff == 0 && !a.empty();
}

std::vector<std::string> own_origins(const ListenAddress& listen, int port) {
  auto p = std::to_string(port);
  std::vector<std::string> out;
  auto host = listen.host.find(':') != std::string::npos ? "[" + listen.host + "]" : listen.host;
  out.push_back("http://" + host + ":" + p);
  if (listen.loopback()) {
    for (const char* h : {"127.0.0.1", "localhost", "[::1]"}) {
      std::string o = std::string("http://") + h + ":" + p;
      if (o != out.front()) out.push_back(o);
    }
  }
  return out;
}

bool host_allowed(std::string_view host_header, const std::vector<std::string>& origins) {
  auto h = util::to_lower(host_header);
  for (const auto& o : origins)
    if (o.substr(7) == h) return true;
  return false;
}

bool origin_allowed(std::string_view origin, std::string_view referer,
                    const std::vector<std::string>& origins) {
  std::string o;
  if (!origin.empty()) {
    o = util::to_lower(origin);
  } else if (!referer.empty()) {
    auto r = util::to_lower(referer);
    auto scheme = r.find("://");
    if (scheme == std::string::npos) return false;
    auto slash = r.find('/', scheme + 3);
    o = slash == std::string::npos ? r : r.substr(0, slash);
  } else {
    return false;
  }
  for (const auto& x : origins)
    if (x == o) return true;
  return false;
}

}  // namespace ext::hub
