#include "ext/host/pairs.hpp"

#include <cstring>

namespace ext::host {

namespace {
void put_u32(std::string& out, uint32_t v) {
  char b[4] = {static_cast<char>(v & 0xff), static_cast<char>((v >> 8) & 0xff),
               static_cast<char>((v >> 16) & 0xff), static_cast<char>((v >> 24) & 0xff)};
  out.append(b, 4);
}
uint32_t get_u32(const char* p) {
  auto u = reinterpret_cast<const unsigned char*>(p);
  return uint32_t(u[0]) | uint32_t(u[1]) << 8 | uint32_t(u[2]) << 16 | uint32_t(u[3]) << 24;
}
}  // namespace

std::string serialize_pairs(const HeaderMap& map) {
  std::string out;
  size_t total = 4 + 8 * map.size();
  for (const auto& [k, v] : map) total += k.size() + v.size() + 2;
  out.reserve(total);
  put_u32(out, static_cast<uint32_t>(map.size()));
  for (const auto& [k, v] : map) {
    put_u32(out, static_cast<uint32_t>(k.size()));
    put_u32(out, static_cast<uint32_t>(v.size()));
  }
  for (const auto& [k, v] : map) {
    out.append(k);
    out.push_back('\0');
    out.append(v);
    out.push_back('\0');
  }
  return out;
}

std::optional<HeaderMap> parse_pairs(std::string_view bytes) {
  HeaderMap map;
  if (bytes.empty()) return map;
  if (bytes.size() > k_pairs_max_bytes || bytes.size() < 4) return std::nullopt;
  const char* p = bytes.data();
  const char* end = p + bytes.size();
  uint32_t n = get_u32(p);
  p += 4;
  if (n > k_pairs_max_count) return std::nullopt;
  if (static_cast<size_t>(end - p) < size_t(n) * 8) return std::nullopt;
  std::vector<std::pair<uint32_t, uint32_t>> sizes(n);
  for (uint32_t i = 0; i < n; ++i) {
    sizes[i] = {get_u32(p), get_u32(p + 4)};
    p += 8;
  }
  map.reserve(n);
  for (auto [ks, vs] : sizes) {
    if (static_cast<size_t>(end - p) < size_t(ks) + 1) return std::nullopt;
    std::string key(p, ks);
    p += ks;
    if (*p++ != '\0') return std::nullopt;
    if (static_cast<size_t>(end - p) < size_t(vs) + 1) return std::nullopt;
    std::string value(p, vs);
    p += vs;
    if (*p++ != '\0') return std::nullopt;
    map.emplace_back(std::move(key), std::move(value));
  }
  if (p != end) return std::nullopt;
  return map;
}

}  // namespace ext::host
