#include "ext/auth/challenge.hpp"

#include "ext/util/strings.hpp"

namespace ext::auth {

namespace {

bool is_tchar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("!#$%&'*+-.^_`|~/:").find(c) != std::string_view::npos;
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : m_s(s) {}
  void skip_ws() {
    while (m_i < m_s.size() && (m_s[m_i] == ' ' || m_s[m_i] == '\t')) ++m_i;
  }
  bool at_end() {
    skip_ws();
    return m_i >= m_s.size();
  }
  bool eat(char c) {
    skip_ws();
    if (m_i < m_s.size() && m_s[m_i] == c) {
      ++m_i;
      return true;
    }
    return false;
  }
  std::string token() {
    skip_ws();
    size_t start = m_i;
    while (m_i < m_s.size() && is_tchar(m_s[m_i])) ++m_i;
    return std::string(m_s.substr(start, m_i - start));
  }
  // token68 may end with '='; returns true when what follows looks like "name =".
  bool peek_param() {
    size_t save = m_i;
    auto t = token();
    bool ok = !t.empty() && eat('=') && !(m_i < m_s.size() && m_s[m_i] == '=');
    m_i = save;
    return ok;
  }
  Result<std::string> quoted() {
    std::string out;
    ++m_i;  // opening quote
    while (m_i < m_s.size()) {
      char c = m_s[m_i++];
      if (c == '\\' && m_i < m_s.size()) {
        out += m_s[m_i++];
      } else if (c == '"') {
        return out;
      } else {
        out += c;
      }
    }
    return fail(Errc::parse, "unterminated quoted string in WWW-Authenticate");
  }
  Result<std::string> value() {
    skip_ws();
    if (m_i < m_s.size() && m_s[m_i] == '"') return quoted();
    auto t = token();
    while (m_i < m_s.size() && m_s[m_i] == '=') t += m_s[m_i++];
    return t;
  }
  void skip_token68() {
    token();
    while (m_i < m_s.size() && m_s[m_i] == '=') ++m_i;
  }

 private:
  std::string_view m_s;
  size_t m_i = 0;
};

}  // namespace

Result<std::vector<Challenge>> parse_challenges(std::string_view header) {
  std::vector<Challenge> out;
  Lexer lx(header);
  while (!lx.at_end()) {
    if (lx.eat(',')) continue;
    auto scheme = lx.token();
    if (scheme.empty())
      return fail(Errc::parse, "malformed WWW-Authenticate header: expected an auth scheme");
    Challenge ch;
    ch.scheme = util::to_lower(scheme);
    // auth-params (or a token68) until the next scheme.
    bool first = true;
    while (!lx.at_end()) {
      if (!first && !lx.eat(',')) break;
      while (lx.eat(',')) {
      }
      if (lx.at_end()) break;
      if (!lx.peek_param()) {
        if (first) {
          lx.skip_token68();
          first = false;
          continue;
        }
        break;  // next challenge's scheme
      }
      auto name = util::to_lower(lx.token());
      lx.eat('=');
      auto v = lx.value();
      if (!v) return fail(v.error());
      ch.params[name] = *v;
      first = false;
    }
    out.push_back(std::move(ch));
  }
  return out;
}

std::optional<Challenge> pick_challenge(const std::vector<std::string>& header_values) {
  std::vector<Challenge> all;
  for (const auto& v : header_values) {
    auto parsed = parse_challenges(v);
    if (!parsed) continue;
    all.insert(all.end(), parsed->begin(), parsed->end());
  }
  for (const auto& c : all)
    if (c.scheme == "bearer") return c;
  for (const auto& c : all)
    if (c.scheme == "basic") return c;
  if (!all.empty()) return all.front();
  return std::nullopt;
}

}  // namespace ext::auth
