// proxy_wasm_json.h -- a tiny reader for the JSON object a plugin configuration usually is
// ({"header":"x-ext","value":"hello","enabled":true}). Top-level members only: strings are
// unescaped (\uXXXX to UTF-8), numbers/true/false/null kept as their text, nested objects and
// arrays kept as raw JSON text (parse them again if needed). No exceptions, no allocation
// beyond the result. Part of the `ext` C++ SDK (see proxy_wasm.h).
#pragma once

#include <stdlib.h>

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace proxy_wasm {

class JsonObject {
 public:
  // nullopt when `text` is not one well-formed JSON object.
  static std::optional<JsonObject> parse(std::string_view text) {
    JsonObject obj;
    Parser p{text, 0};
    p.ws();
    if (!p.eat('{')) return std::nullopt;
    p.ws();
    if (!p.eat('}')) {
      for (;;) {
        p.ws();
        std::string key;
        if (!p.string(&key)) return std::nullopt;
        p.ws();
        if (!p.eat(':')) return std::nullopt;
        p.ws();
        Value v;
        if (!p.value(&v)) return std::nullopt;
        obj.m_members[key] = std::move(v);
        p.ws();
        if (p.eat(',')) continue;
        if (p.eat('}')) break;
        return std::nullopt;
      }
    }
    p.ws();
    if (p.pos != text.size()) return std::nullopt;
    return obj;
  }

  bool has(const std::string& key) const { return m_members.count(key) != 0; }
  std::optional<std::string> getString(const std::string& key) const {
    auto it = m_members.find(key);
    if (it == m_members.end() || it->second.kind != Kind::string) return std::nullopt;
    return it->second.text;
  }
  std::optional<double> getNumber(const std::string& key) const {
    auto it = m_members.find(key);
    if (it == m_members.end() || it->second.kind != Kind::number) return std::nullopt;
    return ::strtod(it->second.text.c_str(), nullptr);
  }
  std::optional<bool> getBool(const std::string& key) const {
    auto it = m_members.find(key);
    if (it == m_members.end() || it->second.kind != Kind::boolean) return std::nullopt;
    return it->second.text == "true";
  }
  // Nested objects and arrays as JSON text.
  std::optional<std::string> getRaw(const std::string& key) const {
    auto it = m_members.find(key);
    if (it == m_members.end()) return std::nullopt;
    return it->second.text;
  }

 private:
  enum class Kind { string, number, boolean, null, object, array };
  struct Value {
    Kind kind = Kind::null;
    std::string text;
  };

  struct Parser {
    std::string_view s;
    size_t pos;

    bool eat(char c) {
      if (pos < s.size() && s[pos] == c) {
        ++pos;
        return true;
      }
      return false;
    }
    void ws() {
      while (pos < s.size() &&
             (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r'))
        ++pos;
    }
    static int hex(char c) {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      if (c >= 'A' && c <= 'F') return c - 'A' + 10;
      return -1;
    }
    static void utf8(std::string* out, unsigned cp) {
      if (cp < 0x80) {
        out->push_back(static_cast<char>(cp));
      } else if (cp < 0x800) {
        out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      } else if (cp < 0x10000) {
        out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      } else {
        out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
      }
    }
    bool hex4(unsigned* cp) {
      if (pos + 4 > s.size()) return false;
      unsigned v = 0;
      for (int i = 0; i < 4; ++i) {
        int h = hex(s[pos + i]);
        if (h < 0) return false;
        v = v * 16 + static_cast<unsigned>(h);
      }
      pos += 4;
      *cp = v;
      return true;
    }
    bool string(std::string* out) {
      if (!eat('"')) return false;
      while (pos < s.size()) {
        char c = s[pos++];
        if (c == '"') return true;
        if (static_cast<unsigned char>(c) < 0x20) return false;
        if (c != '\\') {
          out->push_back(c);
          continue;
        }
        if (pos >= s.size()) return false;
        char e = s[pos++];
        switch (e) {
          case '"':
            out->push_back('"');
            break;
          case '\\':
            out->push_back('\\');
            break;
          case '/':
            out->push_back('/');
            break;
          case 'b':
            out->push_back('\b');
            break;
          case 'f':
            out->push_back('\f');
            break;
          case 'n':
            out->push_back('\n');
            break;
          case 'r':
            out->push_back('\r');
            break;
          case 't':
            out->push_back('\t');
            break;
          case 'u': {
            unsigned cp;
            if (!hex4(&cp)) return false;
            if (cp >= 0xD800 && cp < 0xDC00 && pos + 6 <= s.size() && s[pos] == '\\' &&
                s[pos + 1] == 'u') {
              pos += 2;
              unsigned lo;
              if (!hex4(&lo) || lo < 0xDC00 || lo > 0xDFFF) return false;
              cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            }
            utf8(out, cp);
            break;
          }
          default:
            return false;
        }
      }
      return false;
    }
    bool literal(std::string_view word) {
      if (s.substr(pos, word.size()) != word) return false;
      pos += word.size();
      return true;
    }
    bool number() {
      size_t start = pos;
      eat('-');
      size_t digits = pos;
      while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
      if (pos == digits) return false;
      if (eat('.')) {
        size_t frac = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == frac) return false;
      }
      if (pos < s.size() && (s[pos] == 'e' || s[pos] == 'E')) {
        ++pos;
        if (!eat('+')) eat('-');
        size_t exp = pos;
        while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
        if (pos == exp) return false;
      }
      return pos > start;
    }
    // Skips a nested value (object or array), checking it is well formed.
    bool skip(int depth) {
      if (depth > 64) return false;
      ws();
      if (pos >= s.size()) return false;
      char c = s[pos];
      if (c == '"') {
        std::string ignored;
        return string(&ignored);
      }
      if (c == '{' || c == '[') {
        char close = c == '{' ? '}' : ']';
        ++pos;
        ws();
        if (eat(close)) return true;
        for (;;) {
          ws();
          if (c == '{') {
            std::string ignored;
            if (!string(&ignored)) return false;
            ws();
            if (!eat(':')) return false;
          }
          if (!skip(depth + 1)) return false;
          ws();
          if (eat(',')) continue;
          return eat(close);
        }
      }
      if (c == 't') return literal("true");
      if (c == 'f') return literal("false");
      if (c == 'n') return literal("null");
      return number();
    }
    bool value(Value* v) {
      if (pos >= s.size()) return false;
      char c = s[pos];
      size_t start = pos;
      if (c == '"') {
        v->kind = Kind::string;
        return string(&v->text);
      }
      if (c == 't' || c == 'f') {
        v->kind = Kind::boolean;
      } else if (c == 'n') {
        v->kind = Kind::null;
      } else if (c == '{') {
        v->kind = Kind::object;
      } else if (c == '[') {
        v->kind = Kind::array;
      } else {
        v->kind = Kind::number;
      }
      if (!skip(0)) return false;
      v->text = std::string(s.substr(start, pos - start));
      return true;
    }
  };

  std::unordered_map<std::string, Value> m_members;
};

}  // namespace proxy_wasm
