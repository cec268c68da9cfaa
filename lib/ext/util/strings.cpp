#include "ext/util/strings.hpp"

#include <algorithm>
#include <cstdio>

namespace ext::util {

size_t edit_distance(std::string_view a, std::string_view b) {
  a = a.substr(0, 64);
  b = b.substr(0, 64);
  const size_t n = a.size(), m = b.size();
  std::vector<std::vector<size_t>> d(n + 1, std::vector<size_t>(m + 1, 0));
  for (size_t i = 0; i <= n; ++i) d[i][0] = i;
  for (size_t j = 0; j <= m; ++j) d[0][j] = j;
  for (size_t i = 1; i <= n; ++i)
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[n][m];
}

void markup_escape_to(std::string& out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 && c != '\t' && c != '\n' && c != '\r')
          out += "\xEF\xBF\xBD";  // U+FFFD
        else
          out += c;
    }
  }
}

std::string markup_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 16);
  markup_escape_to(out, text);
  return out;
}

namespace {
constexpr const char* k_b64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
}  // namespace

std::string base64_encode(std::string_view in) {
  std::string out;
  size_t i = 0;
  while (i + 2 < in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8) | uint8_t(in[i + 2]);
    out += k_b64[v >> 18];
    out += k_b64[(v >> 12) & 63];
    out += k_b64[(v >> 6) & 63];
    out += k_b64[v & 63];
    i += 3;
  }
  if (i + 1 == in.size()) {
    uint32_t v = uint8_t(in[i]) << 16;
    out += k_b64[v >> 18];
    out += k_b64[(v >> 12) & 63];
    out += "==";
  } else if (i + 2 == in.size()) {
    uint32_t v = (uint8_t(in[i]) << 16) | (uint8_t(in[i + 1]) << 8);
    out += k_b64[v >> 18];
    out += k_b64[(v >> 12) & 63];
    out += k_b64[(v >> 6) & 63];
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    if (c == '=' || c == '\n' || c == '\r') continue;
    const char* p = std::find(k_b64, k_b64 + 64, c);
    if (p == k_b64 + 64) return std::nullopt;
    acc = (acc << 6) | static_cast<uint32_t>(p - k_b64);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

std::string_view trim(std::string_view s) {
  return trim(s, " \t\r\n\f\v");
}

std::string_view trim(std::string_view s, std::string_view chars) {
  auto b = s.find_first_not_of(chars);
  if (b == std::string_view::npos) return {};
  auto e = s.find_last_not_of(chars);
  return s.substr(b, e - b + 1);
}

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    auto pos = s.find(sep, start);
    if (pos == std::string_view::npos) {
      out.emplace_back(s.substr(start));
      break;
    }
    out.emplace_back(s.substr(start, pos - start));
    start = pos + 1;
  }
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string to_lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

std::string hex_encode(std::span<const uint8_t> bytes) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  out.resize(bytes.size() * 2);
  for (size_t i = 0; i < bytes.size(); ++i) {
    out[2 * i] = digits[bytes[i] >> 4];
    out[2 * i + 1] = digits[bytes[i] & 0xf];
  }
  return out;
}

bool is_hex(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

std::string human_size(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024.0 && u < 4) {
    v /= 1024.0;
    ++u;
  }
  char buf[32];
  if (u == 0)
    std::snprintf(buf, sizeof buf, "%llu B", static_cast<unsigned long long>(bytes));
  else
    std::snprintf(buf, sizeof buf, "%.1f %s", v, units[u]);
  return buf;
}

namespace {

// Redaction scanners. Each pass reads its input once, left to right, and never backtracks, so
// the time is linear and the stack constant for any length (std::regex recursed per character
// and overflowed the stack near 30,000 characters: issue 11).

bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool is_alpha(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_word(char c) {
  return is_alpha(c) || (c >= '0' && c <= '9') || c == '_';
}
bool is_scheme_char(char c) {
  return is_word(c) ? c != '_' : (c == '+' || c == '.' || c == '-');
}

// True when s at i starts with word (ASCII case-insensitive).
bool starts_with_icase(std::string_view s, size_t i, std::string_view word) {
  return s.size() - i >= word.size() && iequals(s.substr(i, word.size()), word);
}

// "scheme://user:pass@host" -> "scheme://***@host": the userinfo is what lies between "://"
// and the first '@' before any '/', '@' or space; the scheme is letters, digits, "+.-" and
// starts with a letter.
std::string redact_userinfo(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  size_t copied = 0, pos = 0, floor = 0;  // floor: where the current scheme may start
  while ((pos = s.find("://", pos)) != std::string_view::npos) {
    size_t b = pos;
    bool letter = false;
    while (b > floor && is_scheme_char(s[b - 1])) {
      --b;
      letter = letter || is_alpha(s[b]);
    }
    size_t u = pos + 3, e = u;
    while (e < s.size() && s[e] != '/' && s[e] != '@' && !is_space(s[e])) ++e;
    if (letter && e > u && e < s.size() && s[e] == '@') {
      out.append(s.substr(copied, u - copied));
      out += "***";
      copied = e;
      floor = e + 1;
      pos = e + 1;
    } else {
      pos += 3;
      floor = pos;  // the scheme chars before a failed "://" end at it
    }
  }
  out.append(s.substr(copied));
  return out;
}

// "Authorization: Bearer abc" -> "Authorization: Bearer ***" (the scheme word is kept, the rest
// of the line is hidden).
std::string redact_auth_header(std::string_view s) {
  static constexpr std::string_view key = "authorization";
  std::string out;
  out.reserve(s.size());
  size_t copied = 0, i = 0;
  while (i < s.size()) {
    if ((s[i] != 'a' && s[i] != 'A') || !starts_with_icase(s, i, key)) {
      ++i;
      continue;
    }
    size_t j = i + key.size();
    while (j < s.size() && is_space(s[j])) ++j;
    if (j >= s.size() || s[j] != ':') {
      i += key.size();
      continue;
    }
    ++j;
    while (j < s.size() && is_space(s[j])) ++j;
    // Optional scheme word ("Bearer ", "Basic ") kept when a value follows it on the line.
    size_t w = j;
    while (w < s.size() && is_word(s[w])) ++w;
    size_t sp = w;
    while (sp < s.size() && (s[sp] == ' ' || s[sp] == '\t')) ++sp;
    size_t value = (w > j && sp > w && sp < s.size() && s[sp] != '\r' && s[sp] != '\n') ? sp : j;
    size_t end = value;
    while (end < s.size() && s[end] != '\r' && s[end] != '\n') ++end;
    if (end == value) {
      i = j;
      continue;
    }
    out.append(s.substr(copied, value - copied));
    out += "***";
    copied = end;
    i = end;
  }
  out.append(s.substr(copied));
  return out;
}

// "password": "x" -> "password":"***" for the keys below; a value's escaped quotes (\") do not
// end it, and a value cut off before its closing quote is hidden to the end of the text.
std::string redact_json_secrets(std::string_view s) {
  static constexpr std::string_view keys[] = {"token",  "access_token", "refresh_token", "password",
                                              "secret", "auth",         "identitytoken"};
  std::string out;
  out.reserve(s.size());
  size_t copied = 0, i = 0;
  while ((i = s.find('"', i)) != std::string_view::npos) {
    size_t k = i + 1;
    size_t close = s.find('"', k);
    if (close == std::string_view::npos) break;
    std::string_view name = s.substr(k, close - k);
    bool secret = false;
    for (auto key : keys)
      if (iequals(name, key)) secret = true;
    if (!secret) {
      i = close;  // the closing quote may open the next string
      continue;
    }
    size_t j = close + 1;
    while (j < s.size() && is_space(s[j])) ++j;
    if (j >= s.size() || s[j] != ':') {
      i = close;
      continue;
    }
    ++j;
    while (j < s.size() && is_space(s[j])) ++j;
    if (j >= s.size() || s[j] != '"') {
      i = close;
      continue;
    }
    size_t v = j + 1;
    while (v < s.size() && s[v] != '"') v += (s[v] == '\\') ? 2 : 1;
    size_t end = v < s.size() ? v + 1 : s.size();
    out.append(s.substr(copied, i - copied));
    out += '"';
    out.append(name);
    out += "\":\"***\"";
    copied = end;
    i = end;
  }
  out.append(s.substr(copied));
  return out;
}

// "?access_token=x&scope=y" -> "?access_token=***&scope=y".
std::string redact_query_secrets(std::string_view s) {
  static constexpr std::string_view keys[] = {"token", "access_token", "refresh_token", "password"};
  std::string out;
  out.reserve(s.size());
  size_t copied = 0, i = 0;
  while ((i = s.find_first_of("?&", i)) != std::string_view::npos) {
    size_t eq = i + 1;
    bool hit = false;
    for (auto key : keys) {
      if (starts_with_icase(s, i + 1, key) && i + 1 + key.size() < s.size() &&
          s[i + 1 + key.size()] == '=') {
        eq = i + 1 + key.size();
        hit = true;
        break;
      }
    }
    if (!hit) {
      ++i;
      continue;
    }
    size_t end = eq + 1;
    while (end < s.size() && s[end] != '&' && !is_space(s[end])) ++end;
    out.append(s.substr(copied, eq + 1 - copied));
    out += "***";
    copied = end;
    i = end;
  }
  out.append(s.substr(copied));
  return out;
}

}  // namespace

std::string redact(std::string_view text) {
  std::string s = redact_userinfo(text);
  s = redact_auth_header(s);
  s = redact_json_secrets(s);
  return redact_query_secrets(s);
}

}  // namespace ext::util
