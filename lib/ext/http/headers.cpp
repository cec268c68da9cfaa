#include "ext/http/headers.hpp"

#include <algorithm>
#include <ctime>

#include "ext/util/strings.hpp"

namespace ext::http {

void Headers::add(std::string name, std::string value) {
  m_entries.emplace_back(std::move(name), std::move(value));
}

void Headers::set(std::string name, std::string value) {
  remove(name);
  add(std::move(name), std::move(value));
}

void Headers::remove(std::string_view name) {
  std::erase_if(m_entries, [&](const Entry& e) { return util::iequals(e.first, name); });
}

std::optional<std::string> Headers::get(std::string_view name) const {
  for (const auto& [k, v] : m_entries)
    if (util::iequals(k, name)) return v;
  return std::nullopt;
}

std::vector<std::string> Headers::get_all(std::string_view name) const {
  std::vector<std::string> out;
  for (const auto& [k, v] : m_entries)
    if (util::iequals(k, name)) out.push_back(v);
  return out;
}

namespace {

// Splits a Link header value on commas that are outside <...> and quotes.
std::vector<std::string> split_link_entries(std::string_view v) {
  std::vector<std::string> out;
  std::string cur;
  bool in_angle = false, in_quote = false;
  for (char c : v) {
    if (c == '<' && !in_quote) in_angle = true;
    if (c == '>' && !in_quote) in_angle = false;
    if (c == '"' && !in_angle) in_quote = !in_quote;
    if (c == ',' && !in_angle && !in_quote) {
      out.push_back(cur);
      cur.clear();
      continue;
    }
    cur += c;
  }
  out.push_back(cur);
  return out;
}

}  // namespace

std::optional<std::string> parse_link_next(const std::vector<std::string>& link_values) {
  for (const auto& value : link_values) {
    for (const auto& raw : split_link_entries(value)) {
      auto entry = util::trim(raw);
      if (entry.empty() || entry.front() != '<') continue;
      auto close = entry.find('>');
      if (close == std::string_view::npos) continue;
      auto target = entry.substr(1, close - 1);
      auto params = entry.substr(close + 1);
      for (const auto& p : util::split(params, ';')) {
        auto param = util::trim(p);
        auto eq = param.find('=');
        if (eq == std::string_view::npos) continue;
        if (!util::iequals(util::trim(param.substr(0, eq)), "rel")) continue;
        auto rel = util::trim(param.substr(eq + 1));
        if (rel.size() >= 2 && rel.front() == '"' && rel.back() == '"')
          rel = rel.substr(1, rel.size() - 2);
        for (const auto& r : util::split(rel, ' '))
          if (util::iequals(r, "next")) return std::string(target);
      }
    }
  }
  return std::nullopt;
}

std::optional<std::chrono::milliseconds> parse_retry_after(
    std::string_view value, std::chrono::system_clock::time_point now) {
  auto v = util::trim(value);
  if (v.empty()) return std::nullopt;
  if (std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    if (v.size() > 9) return std::chrono::milliseconds(std::chrono::hours(24 * 365));
    return std::chrono::seconds(std::stoll(std::string(v)));
  }
  std::tm tm{};
  std::string s(v);
  const char* end = strptime(s.c_str(), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  if (!end || *end != '\0') return std::nullopt;
  auto when = std::chrono::system_clock::from_time_t(timegm(&tm));
  if (when <= now) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(when - now);
}

}  // namespace ext::http
