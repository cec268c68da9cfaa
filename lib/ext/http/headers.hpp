// ext::http — HTTP header list with case-insensitive lookup (RFC 9110 §5.1), and the parsers for
// the header values the registry client reads: Link rel="next" (RFC 8288; OCI distribution-spec
// spec.md "Listing Tags" @967efdc) and Retry-After (RFC 9110 §10.2.3; distribution-spec "Error
// Codes").
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace ext::http {

class Headers {
 public:
  using Entry = std::pair<std::string, std::string>;

  void add(std::string name, std::string value);
  // Replaces every value of `name` with one.
  void set(std::string name, std::string value);
  void remove(std::string_view name);
  // The first value, or nullopt.
  std::optional<std::string> get(std::string_view name) const;
  std::vector<std::string> get_all(std::string_view name) const;
  bool has(std::string_view name) const { return get(name).has_value(); }
  const std::vector<Entry>& entries() const { return m_entries; }
  void clear() { m_entries.clear(); }

 private:
  std::vector<Entry> m_entries;
};

// The target of the Link entry with rel="next", or nullopt. Accepts several comma-separated
// entries and several Link headers.
std::optional<std::string> parse_link_next(const std::vector<std::string>& link_values);

// Retry-After as a delay: delta-seconds or an IMF-fixdate (relative to `now`). nullopt when the
// value is malformed.
std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value,
    std::chrono::system_clock::time_point now = std::chrono::system_clock::now());

}  // namespace ext::http
