#include "ext/host/cel.hpp"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "ext/host/cel_time.hpp"
#include "ext/host/pairs.hpp"
#include "ext/host/proto_wire.hpp"
#include "ext/util/regex.hpp"

namespace ext::host::cel {

Value Value::boolean(bool v) {
  Value x;
  x.type = Type::boolean;
  x.b = v;
  return x;
}
Value Value::int64(int64_t v) {
  Value x;
  x.type = Type::int64;
  x.i = v;
  return x;
}
Value Value::uint64(uint64_t v) {
  Value x;
  x.type = Type::uint64;
  x.u = v;
  return x;
}
Value Value::dbl(double v) {
  Value x;
  x.type = Type::dbl;
  x.d = v;
  return x;
}
Value Value::string(std::string v) {
  Value x;
  x.type = Type::string;
  x.s = std::move(v);
  return x;
}
Value Value::bytes(std::string v) {
  Value x;
  x.type = Type::bytes;
  x.s = std::move(v);
  return x;
}
Value Value::error(std::string message) {
  Value x;
  x.type = Type::error;
  x.s = std::move(message);
  return x;
}
Value Value::timestamp(int64_t seconds, int32_t nanos) {
  Value x;
  x.type = Type::timestamp;
  x.i = seconds;
  x.nanos = nanos;
  return x;
}
Value Value::duration(int64_t seconds, int32_t nanos) {
  Value x;
  x.type = Type::duration;
  x.i = seconds;
  x.nanos = nanos;
  return x;
}
Value Value::of_list(List v) {
  Value x;
  x.type = Type::list;
  x.list = std::make_shared<const List>(std::move(v));
  return x;
}
Value Value::of_map(Map v) {
  Value x;
  x.type = Type::map;
  x.map = std::make_shared<const Map>(std::move(v));
  return x;
}

struct Node {
  enum class Kind { literal, ident, select, index, call, list, map, unary, binary, cond, macro };
  Kind kind = Kind::literal;
  Value literal;
  std::string name;  // ident, select field, call function, operator, macro
  std::string var;   // macro: the iteration variable
  // macro: the range, then the predicate (all, exists, exists_one, filter), the transform (map)
  // or the predicate and the transform (three-argument map)
  std::vector<Expr> args;  // select/index/unary: operand first; call: receiver (or null) then args
  bool has_receiver = false;
};

namespace {

// ---- lexer + parser ----

class Parser {
 public:
  explicit Parser(std::string_view text) : m_t(text) {}

  Result<Expr> run() {
    try {
      auto e = expr(0);
      skip();
      if (m_p != m_t.size()) fail_at("unexpected '" + std::string(1, m_t[m_p]) + "'");
      return e;
    } catch (const Error& e) {
      return fail(e);
    }
  }

 private:
  std::string_view m_t;
  size_t m_p = 0;

  [[noreturn]] void fail_at(const std::string& what) const {
    throw Error(Errc::parse, "CEL at " + std::to_string(m_p) + ": " + what);
  }
  void skip() {
    while (m_p < m_t.size()) {
      char c = m_t[m_p];
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
        ++m_p;
      } else if (c == '/' && m_p + 1 < m_t.size() && m_t[m_p + 1] == '/') {
        while (m_p < m_t.size() && m_t[m_p] != '\n') ++m_p;
      } else {
        break;
      }
    }
  }
  bool eat(std::string_view op) {
    skip();
    if (m_t.substr(m_p, op.size()) != op) return false;
    // `in` is a word; '=' after '<' '>' '!' '=' belongs to the longer operator.
    if (op == "in" && m_p + 2 < m_t.size() &&
        (std::isalnum(static_cast<unsigned char>(m_t[m_p + 2])) || m_t[m_p + 2] == '_'))
      return false;
    if ((op == "<" || op == ">" || op == "!" || op == "=") && m_p + 1 < m_t.size() &&
        m_t[m_p + 1] == '=')
      return false;
    if ((op == "&" || op == "|") && m_p + 1 < m_t.size() && m_t[m_p + 1] == op[0]) return false;
    m_p += op.size();
    return true;
  }
  void expect(std::string_view op) {
    if (!eat(op)) fail_at("expected '" + std::string(op) + "'");
  }
  static Expr node(Node n) { return std::make_shared<const Node>(std::move(n)); }
  static Expr binary(std::string op, Expr a, Expr b) {
    Node n;
    n.kind = Node::Kind::binary;
    n.name = std::move(op);
    n.args = {std::move(a), std::move(b)};
    return node(std::move(n));
  }
  static bool is_macro(const std::string& f, size_t argc) {
    if (f == "map") return argc == 2 || argc == 3;
    return (f == "all" || f == "exists" || f == "exists_one" || f == "filter") && argc == 2;
  }
  // cel-cpp's standard functions (base/builtins.h, runtime/standard/*.cc at a3fb693) by name,
  // call style and argument count. Envoy builds expressions with fail_on_warnings (cel-cpp
  // eval/public/cel_options.h), so a call nothing provides fails expr_create.
  void check_function(const std::string& f, bool receiver, size_t argc) const {
    bool ok = false;
    if (f == "has")
      ok = !receiver && argc == 1;
    else if (f == "size")
      ok = receiver ? argc == 0 : argc == 1;
    else if (f == "startsWith" || f == "endsWith" || f == "contains")
      ok = receiver && argc == 1;
    else if (f == "matches")
      ok = receiver ? argc == 1 : argc == 2;
    else if (f == "int" || f == "uint" || f == "double" || f == "string" || f == "bytes" ||
             f == "bool" || f == "dyn" || f == "type" || f == "timestamp" || f == "duration")
      ok = !receiver && argc == 1;
    else if (f == "getFullYear" || f == "getMonth" || f == "getDayOfYear" || f == "getDayOfMonth" ||
             f == "getDate" || f == "getDayOfWeek" || f == "getHours" || f == "getMinutes" ||
             f == "getSeconds" || f == "getMilliseconds")
      ok = receiver && argc <= 1;
    if (!ok)
      fail_at("no function " + f + " taking " + std::to_string(argc) + " argument" +
              (argc == 1 ? "" : "s") + (receiver ? " on a receiver" : ""));
  }
  void depth_check(int depth) const {
    if (depth > k_max_depth) fail_at("nested deeper than " + std::to_string(k_max_depth));
  }

  Expr expr(int depth) {
    depth_check(depth);
    auto c = or_expr(depth + 1);
    if (eat("?")) {
      auto a = or_expr(depth + 1);
      expect(":");
      auto b = expr(depth + 1);
      Node n;
      n.kind = Node::Kind::cond;
      n.args = {c, a, b};
      return node(std::move(n));
    }
    return c;
  }
  Expr or_expr(int depth) {
    auto a = and_expr(depth);
    while (eat("||")) a = binary("||", a, and_expr(depth));
    return a;
  }
  Expr and_expr(int depth) {
    auto a = relation(depth);
    while (eat("&&")) a = binary("&&", a, relation(depth));
    return a;
  }
  Expr relation(int depth) {
    auto a = addition(depth);
    for (;;) {
      const char* op = nullptr;
      for (const char* o : {"==", "!=", "<=", ">=", "<", ">", "in"})
        if (eat(o)) {
          op = o;
          break;
        }
      if (!op) return a;
      a = binary(op, a, addition(depth));
    }
  }
  Expr addition(int depth) {
    auto a = multiplication(depth);
    for (;;) {
      if (eat("+"))
        a = binary("+", a, multiplication(depth));
      else if (eat("-"))
        a = binary("-", a, multiplication(depth));
      else
        return a;
    }
  }
  Expr multiplication(int depth) {
    auto a = unary(depth);
    for (;;) {
      if (eat("*"))
        a = binary("*", a, unary(depth));
      else if (eat("/"))
        a = binary("/", a, unary(depth));
      else if (eat("%"))
        a = binary("%", a, unary(depth));
      else
        return a;
    }
  }
  Expr unary(int depth) {
    depth_check(depth);
    for (const char* op : {"!", "-"})
      if (eat(op)) {
        Node n;
        n.kind = Node::Kind::unary;
        n.name = op;
        n.args = {unary(depth + 1)};
        return node(std::move(n));
      }
    return member(depth);
  }
  std::vector<Expr> call_args(int depth, const char* close) {
    std::vector<Expr> out;
    if (eat(close)) return out;
    for (;;) {
      out.push_back(expr(depth + 1));
      if (eat(close)) return out;
      expect(",");
      if (eat(close)) return out;  // trailing comma
    }
  }
  Expr member(int depth) {
    auto a = primary(depth);
    for (;;) {
      if (eat(".")) {
        auto field = ident();
        if (eat("(")) {
          Node n;
          n.kind = Node::Kind::call;
          n.name = field;
          n.has_receiver = true;
          n.args.push_back(a);
          for (auto& e : call_args(depth, ")")) n.args.push_back(std::move(e));
          if (is_macro(field, n.args.size() - 1)) {
            // e.all(x, p): cel-spec "Macros"; the first argument must be a simple name.
            if (n.args[1]->kind != Node::Kind::ident)
              fail_at(field + "() needs a simple name as its first argument");
            Node m;
            m.kind = Node::Kind::macro;
            m.name = field;
            m.var = n.args[1]->name;
            m.args.push_back(n.args[0]);
            for (size_t k = 2; k < n.args.size(); ++k) m.args.push_back(n.args[k]);
            a = node(std::move(m));
            continue;
          }
          check_function(field, true, n.args.size() - 1);
          a = node(std::move(n));
        } else {
          Node n;
          n.kind = Node::Kind::select;
          n.name = field;
          n.args = {a};
          a = node(std::move(n));
        }
      } else if (eat("[")) {
        auto key = expr(depth + 1);
        expect("]");
        Node n;
        n.kind = Node::Kind::index;
        n.args = {a, key};
        a = node(std::move(n));
      } else {
        return a;
      }
    }
  }
  std::string ident() {
    skip();
    size_t start = m_p;
    while (m_p < m_t.size() &&
           (std::isalnum(static_cast<unsigned char>(m_t[m_p])) || m_t[m_p] == '_'))
      ++m_p;
    if (start == m_p || std::isdigit(static_cast<unsigned char>(m_t[start])))
      fail_at("expected a name");
    return std::string(m_t.substr(start, m_p - start));
  }
  Expr primary(int depth) {
    skip();
    if (m_p >= m_t.size()) fail_at("unexpected end of the expression");
    char c = m_t[m_p];
    if (eat("(")) {
      auto e = expr(depth + 1);
      expect(")");
      return e;
    }
    if (eat("[")) {
      Node n;
      n.kind = Node::Kind::list;
      n.args = call_args(depth, "]");
      return node(std::move(n));
    }
    if (eat("{")) {
      Node n;
      n.kind = Node::Kind::map;
      if (!eat("}")) {
        for (;;) {
          n.args.push_back(expr(depth + 1));
          expect(":");
          n.args.push_back(expr(depth + 1));
          if (eat("}")) break;
          expect(",");
          if (eat("}")) break;
        }
      }
      return node(std::move(n));
    }
    if (std::isdigit(static_cast<unsigned char>(c)) ||
        (c == '.' && m_p + 1 < m_t.size() &&
         std::isdigit(static_cast<unsigned char>(m_t[m_p + 1]))))
      return number();
    if (c == '"' || c == '\'') return text(false, false);
    if ((c == 'r' || c == 'R' || c == 'b' || c == 'B') && m_p + 1 < m_t.size()) {
      char d = m_t[m_p + 1];
      bool raw = c == 'r' || c == 'R', bytes = c == 'b' || c == 'B';
      if (d == '"' || d == '\'') {
        ++m_p;
        return text(raw, bytes);
      }
      if ((d == 'r' || d == 'R' || d == 'b' || d == 'B') && m_p + 2 < m_t.size() &&
          (m_t[m_p + 2] == '"' || m_t[m_p + 2] == '\'')) {
        m_p += 2;
        return text(true, true);
      }
    }
    auto name = ident();
    Node n;
    if (name == "true" || name == "false") {
      n.literal = Value::boolean(name == "true");
      return node(std::move(n));
    }
    if (name == "null") return node(std::move(n));
    if (eat("(")) {
      n.kind = Node::Kind::call;
      n.name = name;
      n.args = call_args(depth, ")");
      check_function(name, false, n.args.size());
      return node(std::move(n));
    }
    n.kind = Node::Kind::ident;
    n.name = name;
    return node(std::move(n));
  }
  Expr number() {
    size_t start = m_p;
    Node n;
    if (m_t.substr(m_p, 2) == "0x" || m_t.substr(m_p, 2) == "0X") {
      m_p += 2;
      size_t digits = m_p;
      while (m_p < m_t.size() && std::isxdigit(static_cast<unsigned char>(m_t[m_p]))) ++m_p;
      if (digits == m_p) fail_at("bad hex literal");
      std::string hex(m_t.substr(digits, m_p - digits));
      if (hex.size() > 16) fail_at("integer literal out of range");
      uint64_t v = std::stoull(hex, nullptr, 16);
      if (m_p < m_t.size() && (m_t[m_p] == 'u' || m_t[m_p] == 'U')) {
        ++m_p;
        n.literal = Value::uint64(v);
      } else {
        if (v > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
          fail_at("integer literal out of range");
        n.literal = Value::int64(static_cast<int64_t>(v));
      }
      return node(std::move(n));
    }
    bool is_double = false;
    while (m_p < m_t.size() && std::isdigit(static_cast<unsigned char>(m_t[m_p]))) ++m_p;
    if (m_p + 1 < m_t.size() && m_t[m_p] == '.' &&
        std::isdigit(static_cast<unsigned char>(m_t[m_p + 1]))) {
      is_double = true;
      ++m_p;
      while (m_p < m_t.size() && std::isdigit(static_cast<unsigned char>(m_t[m_p]))) ++m_p;
    }
    if (m_p < m_t.size() && (m_t[m_p] == 'e' || m_t[m_p] == 'E')) {
      is_double = true;
      ++m_p;
      if (m_p < m_t.size() && (m_t[m_p] == '+' || m_t[m_p] == '-')) ++m_p;
      size_t digits = m_p;
      while (m_p < m_t.size() && std::isdigit(static_cast<unsigned char>(m_t[m_p]))) ++m_p;
      if (digits == m_p) fail_at("bad exponent");
    }
    std::string lit(m_t.substr(start, m_p - start));
    if (lit.size() > 64) fail_at("number literal too long");
    if (is_double) {
      n.literal = Value::dbl(std::strtod(lit.c_str(), nullptr));
      return node(std::move(n));
    }
    bool is_uint = m_p < m_t.size() && (m_t[m_p] == 'u' || m_t[m_p] == 'U');
    if (is_uint) ++m_p;
    errno = 0;
    unsigned long long v = std::strtoull(lit.c_str(), nullptr, 10);
    if (errno == ERANGE) fail_at("integer literal out of range");
    if (is_uint) {
      n.literal = Value::uint64(v);
    } else {
      // -9223372036854775808 is parsed as -(9223372036854775808): allowed through unary minus.
      if (v > static_cast<unsigned long long>(std::numeric_limits<int64_t>::max()) + 1ULL)
        fail_at("integer literal out of range");
      if (v == static_cast<unsigned long long>(std::numeric_limits<int64_t>::max()) + 1ULL) {
        n.literal = Value::uint64(v);  // only valid as the operand of unary minus
        n.name = "int64_min";
      } else {
        n.literal = Value::int64(static_cast<int64_t>(v));
      }
    }
    return node(std::move(n));
  }
  Expr text(bool raw, bool bytes) {
    char q = m_t[m_p];
    bool triple = m_t.substr(m_p, 3) == std::string(3, q);
    m_p += triple ? 3 : 1;
    std::string out;
    for (;;) {
      if (m_p >= m_t.size()) fail_at("unterminated string");
      char c = m_t[m_p];
      if (triple ? m_t.substr(m_p, 3) == std::string(3, q) : c == q) {
        m_p += triple ? 3 : 1;
        break;
      }
      if (!triple && (c == '\n' || c == '\r')) fail_at("newline in a string");
      if (c == '\\' && !raw) {
        if (++m_p >= m_t.size()) fail_at("unterminated escape");
        char e = m_t[m_p++];
        switch (e) {
          case 'n':
            out += '\n';
            break;
          case 'r':
            out += '\r';
            break;
          case 't':
            out += '\t';
            break;
          case 'a':
            out += '\a';
            break;
          case 'b':
            out += '\b';
            break;
          case 'f':
            out += '\f';
            break;
          case 'v':
            out += '\v';
            break;
          case '\\':
          case '\'':
          case '"':
          case '`':
          case '?':
            out += e;
            break;
          case 'x':
          case 'X': {
            if (m_p + 2 > m_t.size() || !std::isxdigit(static_cast<unsigned char>(m_t[m_p])) ||
                !std::isxdigit(static_cast<unsigned char>(m_t[m_p + 1])))
              fail_at("bad \\x escape");
            out += static_cast<char>(std::stoi(std::string(m_t.substr(m_p, 2)), nullptr, 16));
            m_p += 2;
            break;
          }
          case 'u':
          case 'U': {
            // \uXXXX and \UXXXXXXXX: a code point, in string literals only (cel-spec
            // "String and bytes literals"); surrogates and values past U+10FFFF are refused.
            size_t n = e == 'u' ? 4 : 8;
            if (bytes) fail_at("\\u in a bytes literal");
            uint32_t cp = 0;
            for (size_t k = 0; k < n; ++k) {
              if (m_p >= m_t.size() || !std::isxdigit(static_cast<unsigned char>(m_t[m_p])))
                fail_at("bad \\u escape");
              char h = m_t[m_p++];
              cp = cp * 16 + static_cast<uint32_t>(std::isdigit(static_cast<unsigned char>(h))
                                                       ? h - '0'
                                                       : std::tolower(h) - 'a' + 10);
            }
            if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) fail_at("bad code point");
            if (cp < 0x80) {
              out += static_cast<char>(cp);
            } else if (cp < 0x800) {
              out += static_cast<char>(0xc0 | (cp >> 6));
              out += static_cast<char>(0x80 | (cp & 0x3f));
            } else if (cp < 0x10000) {
              out += static_cast<char>(0xe0 | (cp >> 12));
              out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
              out += static_cast<char>(0x80 | (cp & 0x3f));
            } else {
              out += static_cast<char>(0xf0 | (cp >> 18));
              out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
              out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
              out += static_cast<char>(0x80 | (cp & 0x3f));
            }
            break;
          }
          default:
            if (e >= '0' && e <= '3' && m_p + 2 <= m_t.size() && m_t[m_p] >= '0' &&
                m_t[m_p] <= '7' && m_t[m_p + 1] >= '0' && m_t[m_p + 1] <= '7') {
              // \ooo: three octal digits
              out +=
                  static_cast<char>((e - '0') * 64 + (m_t[m_p] - '0') * 8 + (m_t[m_p + 1] - '0'));
              m_p += 2;
              break;
            }
            fail_at(std::string("unsupported escape \\") + e);
        }
        continue;
      }
      out += c;
      ++m_p;
    }
    Node n;
    n.literal = bytes ? Value::bytes(std::move(out)) : Value::string(std::move(out));
    return node(std::move(n));
  }
};

// ---- evaluation ----

using T = Value::Type;

const char* type_name(T t) {
  switch (t) {
    case T::null:
      return "null_type";
    case T::boolean:
      return "bool";
    case T::int64:
      return "int";
    case T::uint64:
      return "uint";
    case T::dbl:
      return "double";
    case T::string:
      return "string";
    case T::bytes:
      return "bytes";
    case T::list:
      return "list";
    case T::map:
      return "map";
    case T::timestamp:
      return "google.protobuf.Timestamp";
    case T::duration:
      return "google.protobuf.Duration";
    case T::type:
      return "type";
    case T::error:
      return "error";
  }
  return "?";
}

bool numeric(const Value& v) {
  return v.type == T::int64 || v.type == T::uint64 || v.type == T::dbl;
}

// Heterogeneous numeric comparison (cel-spec "Numeric values": ints, uints and doubles compare
// by value). -2, 0, 1 for less, equal, greater; -1 for unordered (NaN).
int compare_numbers(const Value& a, const Value& b) {
  auto as_double = [](const Value& v) {
    return v.type == T::int64    ? static_cast<double>(v.i)
           : v.type == T::uint64 ? static_cast<double>(v.u)
                                 : v.d;
  };
  if (a.type == T::int64 && b.type == T::int64) return a.i < b.i ? -2 : a.i > b.i ? 1 : 0;
  if (a.type == T::uint64 && b.type == T::uint64) return a.u < b.u ? -2 : a.u > b.u ? 1 : 0;
  if (a.type == T::int64 && b.type == T::uint64) {
    if (a.i < 0) return -2;
    auto x = static_cast<uint64_t>(a.i);
    return x < b.u ? -2 : x > b.u ? 1 : 0;
  }
  if (a.type == T::uint64 && b.type == T::int64) {
    int r = compare_numbers(b, a);
    return r == -2 ? 1 : r == 1 ? -2 : r;
  }
  double x = as_double(a), y = as_double(b);
  if (std::isnan(x) || std::isnan(y)) return -1;
  return x < y ? -2 : x > y ? 1 : 0;
}

bool equal(const Value& a, const Value& b);

bool equal(const Value& a, const Value& b) {
  if (numeric(a) && numeric(b)) return compare_numbers(a, b) == 0;
  if (a.type != b.type) return false;
  switch (a.type) {
    case T::null:
      return true;
    case T::boolean:
      return a.b == b.b;
    case T::string:
    case T::bytes:
      return a.s == b.s;
    case T::timestamp:
    case T::duration:
      return a.i == b.i && a.nanos == b.nanos;
    case T::type:
      return a.s == b.s;
    case T::list:
      if (a.list->size() != b.list->size()) return false;
      for (size_t i = 0; i < a.list->size(); ++i)
        if (!equal((*a.list)[i], (*b.list)[i])) return false;
      return true;
    case T::map: {
      if (a.map->size() != b.map->size()) return false;
      for (const auto& [k, v] : *a.map) {
        bool found = false;
        for (const auto& [k2, v2] : *b.map)
          if (equal(k, k2)) {
            if (!equal(v, v2)) return false;
            found = true;
            break;
          }
        if (!found) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

size_t utf8_length(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xc0) != 0x80) ++n;
  return n;
}

class Evaluator {
 public:
  explicit Evaluator(const Resolver& r) : m_resolve(r) {}

  Value eval(const Expr& e) { return resolve(eval_ref(*e)); }

 private:
  const Resolver& m_resolve;
  uint64_t m_steps = 0;
  // Macro variables in scope, innermost last (they shadow attributes of the same name).
  std::vector<std::pair<std::string, Value>> m_scope;

  // An attribute reference is resolved when used, so `request.headers["x"]` asks the host for
  // one header, not the whole request.
  struct Ref {
    Value value;
    std::vector<std::string> path;  // non-empty: an unresolved attribute
  };

  Value resolve(const Ref& r) {
    if (r.path.empty()) return r.value;
    auto v = m_resolve(r.path);
    if (!v) {
      std::string p;
      for (const auto& s : r.path) p += (p.empty() ? "" : ".") + s;
      return Value::error("no such attribute: " + p);
    }
    return *v;
  }
  Value resolve(Ref&& r) { return resolve(static_cast<const Ref&>(r)); }

  static Ref val(Value v) { return Ref{std::move(v), {}}; }

  Value field(const Value& m, const Value& key) {
    if (m.is_error()) return m;
    if (key.is_error()) return key;
    if (m.type == T::map) {
      for (const auto& [k, v] : *m.map)
        if (equal(k, key)) return v;
      return Value::error("no such key");
    }
    if (m.type == T::list) {
      int64_t idx = 0;
      if (key.type == T::int64)
        idx = key.i;
      else if (key.type == T::uint64 &&
               key.u <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
        idx = static_cast<int64_t>(key.u);
      else if (key.type == T::dbl && std::floor(key.d) == key.d && std::fabs(key.d) < 9e18)
        idx = static_cast<int64_t>(key.d);
      else
        return Value::error("no matching overload for _[_] on list");
      if (idx < 0 || static_cast<size_t>(idx) >= m.list->size())
        return Value::error("index out of range");
      return (*m.list)[static_cast<size_t>(idx)];
    }
    return Value::error(std::string("no matching overload for _[_] on ") + type_name(m.type));
  }

  Ref eval_ref(const Node& n) {
    if (++m_steps > k_max_steps)
      return val(Value::error("evaluation exceeds " + std::to_string(k_max_steps) + " steps"));
    switch (n.kind) {
      case Node::Kind::literal:
        if (n.name == "int64_min") return val(Value::error("integer literal out of range"));
        return val(n.literal);
      case Node::Kind::ident:
        for (auto it = m_scope.rbegin(); it != m_scope.rend(); ++it)
          if (it->first == n.name) return val(it->second);
        // The built-in type names are type values (cel-spec "Type values"); Envoy has no
        // attribute by these names.
        for (const char* t : {"int", "uint", "double", "bool", "string", "bytes", "list", "map",
                              "null_type", "type"})
          if (n.name == t) {
            Value v;
            v.type = T::type;
            v.s = n.name;
            return val(std::move(v));
          }
        return Ref{Value{}, {n.name}};
      case Node::Kind::select: {
        auto base = eval_ref(*n.args[0]);
        if (!base.path.empty()) {
          base.path.push_back(n.name);
          return base;
        }
        return val(field(base.value, Value::string(n.name)));
      }
      case Node::Kind::index: {
        auto base = eval_ref(*n.args[0]);
        auto key = eval(n.args[1]);
        if (!base.path.empty() && key.type == T::string) {
          base.path.push_back(key.s);
          return base;
        }
        return val(field(resolve(std::move(base)), key));
      }
      default:
        return val(eval_value(n));
    }
  }

  Value eval_value(const Node& n) {
    switch (n.kind) {
      case Node::Kind::list: {
        List out;
        for (const auto& a : n.args) {
          auto v = eval(a);
          if (v.is_error()) return v;
          out.push_back(std::move(v));
        }
        return Value::of_list(std::move(out));
      }
      case Node::Kind::map: {
        Map out;
        for (size_t i = 0; i + 1 < n.args.size(); i += 2) {
          auto k = eval(n.args[i]);
          if (k.is_error()) return k;
          if (k.type != T::string && k.type != T::int64 && k.type != T::uint64 &&
              k.type != T::boolean)
            return Value::error(std::string("unsupported map key type: ") + type_name(k.type));
          auto v = eval(n.args[i + 1]);
          if (v.is_error()) return v;
          for (const auto& [k2, v2] : out)
            if (equal(k, k2)) return Value::error("repeated map key");
          out.emplace_back(std::move(k), std::move(v));
        }
        return Value::of_map(std::move(out));
      }
      case Node::Kind::unary: {
        if (n.name == "-" && n.args[0]->kind == Node::Kind::literal &&
            n.args[0]->name == "int64_min")
          return Value::int64(std::numeric_limits<int64_t>::min());
        auto v = eval(n.args[0]);
        if (v.is_error()) return v;
        if (n.name == "!") {
          if (v.type != T::boolean)
            return Value::error(std::string("no matching overload for !_ on ") + type_name(v.type));
          return Value::boolean(!v.b);
        }
        if (v.type == T::int64) {
          if (v.i == std::numeric_limits<int64_t>::min()) return Value::error("integer overflow");
          return Value::int64(-v.i);
        }
        if (v.type == T::dbl) return Value::dbl(-v.d);
        return Value::error(std::string("no matching overload for -_ on ") + type_name(v.type));
      }
      case Node::Kind::cond: {
        auto c = eval(n.args[0]);
        if (c.is_error()) return c;
        if (c.type != T::boolean) return Value::error("no matching overload for _?_:_");
        return eval(n.args[c.b ? 1 : 2]);
      }
      case Node::Kind::binary:
        return binary(n);
      case Node::Kind::call:
        return call(n);
      case Node::Kind::macro:
        return macro(n);
      default:
        return Value::error("internal: unexpected node");
    }
  }

  // The comprehension macros (cel-spec "Macros"): all and exists absorb errors the way && and ||
  // do (a false, or a true, decides); exists_one, map and filter stop at the first error. A list
  // is iterated by element, a map by key.
  Value macro(const Node& n) {
    auto range = eval(n.args[0]);
    if (range.is_error()) return range;
    std::vector<Value> items;
    if (range.type == T::list)
      items = *range.list;
    else if (range.type == T::map)
      for (const auto& [k, v] : *range.map) items.push_back(k);
    else
      return Value::error(n.name + "() over a " + type_name(range.type) + " (needs a list or map)");
    const std::string& f = n.name;
    std::optional<Value> first_error;
    bool decided = false;
    int64_t count = 0;
    List out;
    for (const auto& item : items) {
      m_scope.emplace_back(n.var, item);
      auto pred = eval(n.args[1]);
      std::optional<Value> mapped;
      if (f == "map" && n.args.size() == 3 && pred.type == T::boolean && pred.b)
        mapped = eval(n.args[2]);
      m_scope.pop_back();
      if (m_steps > k_max_steps)
        return Value::error("evaluation exceeds " + std::to_string(k_max_steps) + " steps");
      if (f == "all" || f == "exists") {
        bool want = f == "exists";
        if (pred.type == T::boolean) {
          if (pred.b == want) {
            decided = true;
            break;
          }
        } else if (!first_error) {
          first_error =
              pred.is_error() ? pred : Value::error("no matching overload for " + f + "()");
        }
        continue;
      }
      if (pred.is_error()) return pred;
      if (f == "map" && n.args.size() == 2) {
        out.push_back(std::move(pred));
      } else {
        if (pred.type != T::boolean)
          return Value::error(std::string("no matching overload for ") + f + "() predicate on " +
                              type_name(pred.type));
        if (f == "exists_one") {
          count += pred.b ? 1 : 0;
        } else if (pred.b) {
          if (f == "filter") {
            out.push_back(item);
          } else {
            if (mapped->is_error()) return *mapped;
            out.push_back(std::move(*mapped));
          }
        }
      }
      if (out.size() > k_max_value_bytes / 16) return Value::error("value too large");
    }
    if (f == "all" || f == "exists") {
      if (decided) return Value::boolean(f == "exists");
      if (first_error) return *first_error;
      return Value::boolean(f == "all");
    }
    if (f == "exists_one") return Value::boolean(count == 1);
    return Value::of_list(std::move(out));
  }

  static Instant instant(const Value& v) { return Instant{v.i, v.nanos}; }

  // Timestamp and duration arithmetic (cel-cpp runtime/standard/time_functions.cc at a3fb693):
  // ts ± dur, dur + ts, ts - ts, dur ± dur. Envoy's expr_create builds its expressions with
  // default InterpreterOptions (envoy source/extensions/common/wasm/foreign.cc at 12ca3fd,
  // ExpressionFactory::getOrCreateContext), where enable_timestamp_duration_overflow_errors is
  // false (cel-cpp eval/public/cel_options.h): cel-cpp then registers its unchecked functions,
  // plain absl arithmetic. A result outside the CEL ranges is a value (string() of it is an
  // error, as cel-cpp's ValidateTimestamp/ValidateDuration make it); past int64 seconds it
  // saturates to an infinity.
  std::optional<Value> time_arith(const std::string& op, const Value& a, const Value& b) {
    bool ts_a = a.type == T::timestamp, ts_b = b.type == T::timestamp;
    bool du_a = a.type == T::duration, du_b = b.type == T::duration;
    if (!(ts_a || du_a || ts_b || du_b)) return std::nullopt;
    Instant r;
    T rt = T::duration;
    if (op == "+" && ((ts_a && du_b) || (du_a && ts_b))) {
      r = ts_a ? add_saturating(instant(a), instant(b)) : add_saturating(instant(b), instant(a));
      rt = T::timestamp;
    } else if (op == "+" && du_a && du_b) {
      r = add_saturating(instant(a), instant(b));
    } else if (op == "-" && ts_a && du_b) {
      r = sub_saturating(instant(a), instant(b));
      rt = T::timestamp;
    } else if (op == "-" && ((ts_a && ts_b) || (du_a && du_b))) {
      r = sub_saturating(instant(a), instant(b));
    } else {
      return Value::error("no matching overload for _" + op + "_ on " + type_name(a.type) + ", " +
                          type_name(b.type));
    }
    return rt == T::timestamp ? Value::timestamp(r.seconds, r.nanos)
                              : Value::duration(r.seconds, r.nanos);
  }

  Value logical(const Node& n, bool is_and) {
    // Commutative and error-absorbing (cel-spec "Logical operators"): false && error = false,
    // true || error = true, in either order.
    auto a = eval(n.args[0]);
    if (a.type == T::boolean && a.b != is_and) return a;
    auto b = eval(n.args[1]);
    if (b.type == T::boolean && b.b != is_and) return b;
    if (a.is_error()) return a;
    if (b.is_error()) return b;
    if (a.type != T::boolean || b.type != T::boolean)
      return Value::error(std::string("no matching overload for ") + (is_and ? "_&&_" : "_||_"));
    return Value::boolean(is_and);
  }

  Value binary(const Node& n) {
    const std::string& op = n.name;
    if (op == "&&") return logical(n, true);
    if (op == "||") return logical(n, false);
    auto a = eval(n.args[0]);
    if (a.is_error()) return a;
    auto b = eval(n.args[1]);
    if (b.is_error()) return b;
    auto no_overload = [&] {
      return Value::error("no matching overload for _" + op + "_ on " + type_name(a.type) + ", " +
                          type_name(b.type));
    };
    if (op == "==") return Value::boolean(equal(a, b));
    if (op == "!=") return Value::boolean(!equal(a, b));
    if (op == "in") {
      if (b.type == T::list) {
        for (const auto& v : *b.list)
          if (equal(a, v)) return Value::boolean(true);
        return Value::boolean(false);
      }
      if (b.type == T::map) {
        for (const auto& [k, v] : *b.map)
          if (equal(a, k)) return Value::boolean(true);
        return Value::boolean(false);
      }
      return no_overload();
    }
    if (op == "<" || op == "<=" || op == ">" || op == ">=") {
      int c;
      if (numeric(a) && numeric(b)) {
        c = compare_numbers(a, b);
        if (c == -1) return Value::boolean(false);
      } else if (a.type == b.type && (a.type == T::string || a.type == T::bytes)) {
        int r = a.s.compare(b.s);
        c = r < 0 ? -2 : r > 0 ? 1 : 0;
      } else if (a.type == T::boolean && b.type == T::boolean) {
        c = a.b == b.b ? 0 : a.b ? 1 : -2;
      } else if (a.type == b.type && (a.type == T::timestamp || a.type == T::duration)) {
        int r = compare(instant(a), instant(b));
        c = r < 0 ? -2 : r;
      } else {
        return no_overload();
      }
      if (op == "<") return Value::boolean(c == -2);
      if (op == "<=") return Value::boolean(c == -2 || c == 0);
      if (op == ">") return Value::boolean(c == 1);
      return Value::boolean(c == 1 || c == 0);
    }
    if (auto t = time_arith(op, a, b)) return *t;
    if (a.type != b.type) return no_overload();  // arithmetic does not mix types
    switch (a.type) {
      case T::int64: {
        int64_t r = 0;
        if (op == "+" && !__builtin_add_overflow(a.i, b.i, &r)) return Value::int64(r);
        if (op == "-" && !__builtin_sub_overflow(a.i, b.i, &r)) return Value::int64(r);
        if (op == "*" && !__builtin_mul_overflow(a.i, b.i, &r)) return Value::int64(r);
        if (op == "/" || op == "%") {
          if (b.i == 0) return Value::error(op == "/" ? "division by zero" : "modulus by zero");
          if (a.i == std::numeric_limits<int64_t>::min() && b.i == -1)
            return Value::error("integer overflow");
          return Value::int64(op == "/" ? a.i / b.i : a.i % b.i);
        }
        return Value::error("integer overflow");
      }
      case T::uint64: {
        uint64_t r = 0;
        if (op == "+" && !__builtin_add_overflow(a.u, b.u, &r)) return Value::uint64(r);
        if (op == "-" && !__builtin_sub_overflow(a.u, b.u, &r)) return Value::uint64(r);
        if (op == "*" && !__builtin_mul_overflow(a.u, b.u, &r)) return Value::uint64(r);
        if (op == "/" || op == "%") {
          if (b.u == 0) return Value::error(op == "/" ? "division by zero" : "modulus by zero");
          return Value::uint64(op == "/" ? a.u / b.u : a.u % b.u);
        }
        return Value::error("unsigned integer overflow");
      }
      case T::dbl:
        if (op == "+") return Value::dbl(a.d + b.d);
        if (op == "-") return Value::dbl(a.d - b.d);
        if (op == "*") return Value::dbl(a.d * b.d);
        if (op == "/") return Value::dbl(a.d / b.d);
        return no_overload();
      case T::string:
      case T::bytes:
        if (op != "+") return no_overload();
        if (a.s.size() + b.s.size() > k_max_value_bytes) return Value::error("value too large");
        return a.type == T::string ? Value::string(a.s + b.s) : Value::bytes(a.s + b.s);
      case T::list: {
        if (op != "+") return no_overload();
        if (a.list->size() + b.list->size() > k_max_value_bytes / 16)
          return Value::error("value too large");
        List out = *a.list;
        out.insert(out.end(), b.list->begin(), b.list->end());
        return Value::of_list(std::move(out));
      }
      default:
        return no_overload();
    }
  }

  Value call(const Node& n) {
    const std::string& f = n.name;
    if (f == "has" && !n.has_receiver) {
      // has(a.f): the macro tests field presence without evaluating the field.
      if (n.args.size() != 1 || n.args[0]->kind != Node::Kind::select)
        return Value::error("has() takes one field selection");
      const Node& sel = *n.args[0];
      auto base = eval_ref(*sel.args[0]);
      if (!base.path.empty()) {
        base.path.push_back(sel.name);
        return Value::boolean(m_resolve(base.path).has_value());
      }
      if (base.value.is_error()) return base.value;
      if (base.value.type != T::map) return Value::error("has() on a non-map");
      for (const auto& [k, v] : *base.value.map)
        if (equal(k, Value::string(sel.name))) return Value::boolean(true);
      return Value::boolean(false);
    }
    std::vector<Value> args;
    for (const auto& a : n.args) {
      args.push_back(eval(a));
      if (args.back().is_error()) return args.back();
    }
    auto bad = [&] {
      std::string sig;
      for (size_t i = 0; i < args.size(); ++i)
        sig += (i ? ", " : "") + std::string(type_name(args[i].type));
      return Value::error("no matching overload for " + f + "(" + sig + ")");
    };
    if (f == "size" && args.size() == 1) {
      const auto& v = args[0];
      if (v.type == T::string) return Value::int64(static_cast<int64_t>(utf8_length(v.s)));
      if (v.type == T::bytes) return Value::int64(static_cast<int64_t>(v.s.size()));
      if (v.type == T::list) return Value::int64(static_cast<int64_t>(v.list->size()));
      if (v.type == T::map) return Value::int64(static_cast<int64_t>(v.map->size()));
      return bad();
    }
    if ((f == "startsWith" || f == "endsWith" || f == "contains") && n.has_receiver &&
        args.size() == 2) {
      if (args[0].type != T::string || args[1].type != T::string) return bad();
      const auto& s = args[0].s;
      const auto& p = args[1].s;
      if (f == "startsWith")
        return Value::boolean(s.compare(0, p.size(), p) == 0 && s.size() >= p.size());
      if (f == "endsWith")
        return Value::boolean(s.size() >= p.size() &&
                              s.compare(s.size() - p.size(), p.size(), p) == 0);
      return Value::boolean(s.find(p) != std::string::npos);
    }
    if (f == "matches" && args.size() == 2) {
      // RE2 syntax, a match anywhere in the string (cel-cpp regex_functions.cc: RE2::PartialMatch).
      if (args[0].type != T::string || args[1].type != T::string) return bad();
      auto re = util::Regex::compile(args[1].s, util::Regex::Dialect::re2);
      if (!re) return Value::error("invalid regex: " + re.error().message());
      uint64_t steps = k_max_regex_steps;
      auto hit = re->search(args[0].s, steps);
      if (!hit) return Value::error("matches() exceeds ext's regex step budget");
      return Value::boolean(*hit);
    }
    if (f.rfind("get", 0) == 0 && n.has_receiver && (args.size() == 1 || args.size() == 2))
      return accessor(f, args, bad);
    if (!n.has_receiver && args.size() == 1) {
      const auto& v = args[0];
      if (f == "dyn") return v;
      if (f == "type") {
        Value t;
        t.type = T::type;
        t.s = type_name(v.type);
        return t;
      }
      if (f == "bool") {
        if (v.type == T::boolean) return v;
        if (v.type != T::string) return bad();
        for (const char* t : {"true", "True", "TRUE", "t", "1"})
          if (v.s == t) return Value::boolean(true);
        for (const char* t : {"false", "False", "FALSE", "f", "0"})
          if (v.s == t) return Value::boolean(false);
        return Value::error("Type conversion error from 'string' to 'bool'");
      }
      if (f == "timestamp") {
        if (v.type == T::timestamp) return v;
        if (v.type == T::int64) return Value::timestamp(v.i, 0);
        if (v.type != T::string) return bad();
        auto t = parse_timestamp(v.s);
        if (!t) return Value::error("String to Timestamp conversion failed");
        return Value::timestamp(t->seconds, t->nanos);
      }
      if (f == "duration") {
        if (v.type == T::duration) return v;
        if (v.type != T::string) return bad();
        auto d = parse_duration(v.s);
        if (!d) return Value::error("String to Duration conversion failed");
        return Value::duration(d->seconds, d->nanos);
      }
      if (f == "int") {
        if (v.type == T::int64) return v;
        if (v.type == T::boolean) return Value::int64(v.b ? 1 : 0);
        if (v.type == T::timestamp) return Value::int64(v.i);
        if (v.type == T::uint64) {
          if (v.u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max()))
            return Value::error("integer overflow");
          return Value::int64(static_cast<int64_t>(v.u));
        }
        if (v.type == T::dbl) {
          if (!(v.d > -9.2233720368547758e18 && v.d < 9.2233720368547758e18))
            return Value::error("integer overflow");
          return Value::int64(static_cast<int64_t>(v.d));
        }
        if (v.type == T::string) {
          errno = 0;
          char* end = nullptr;
          long long x = std::strtoll(v.s.c_str(), &end, 10);
          if (v.s.empty() || *end || errno)
            return Value::error("cannot convert \"" + v.s + "\" to int");
          return Value::int64(x);
        }
        return bad();
      }
      if (f == "uint") {
        if (v.type == T::uint64) return v;
        if (v.type == T::int64) {
          if (v.i < 0) return Value::error("unsigned integer overflow");
          return Value::uint64(static_cast<uint64_t>(v.i));
        }
        if (v.type == T::dbl) {
          if (!(v.d >= 0 && v.d < 1.8446744073709552e19))
            return Value::error("unsigned integer overflow");
          return Value::uint64(static_cast<uint64_t>(v.d));
        }
        if (v.type == T::string) {
          errno = 0;
          char* end = nullptr;
          unsigned long long x = std::strtoull(v.s.c_str(), &end, 10);
          if (v.s.empty() || v.s[0] == '-' || *end || errno)
            return Value::error("cannot convert \"" + v.s + "\" to uint");
          return Value::uint64(x);
        }
        return bad();
      }
      if (f == "double") {
        if (v.type == T::dbl) return v;
        if (v.type == T::int64) return Value::dbl(static_cast<double>(v.i));
        if (v.type == T::uint64) return Value::dbl(static_cast<double>(v.u));
        if (v.type == T::string) {
          char* end = nullptr;
          double x = std::strtod(v.s.c_str(), &end);
          if (v.s.empty() || *end) return Value::error("cannot convert \"" + v.s + "\" to double");
          return Value::dbl(x);
        }
        return bad();
      }
      if (f == "string") {
        if (v.type == T::string) return v;
        if (v.type == T::int64) return Value::string(std::to_string(v.i));
        if (v.type == T::uint64) return Value::string(std::to_string(v.u));
        if (v.type == T::boolean) return Value::string(v.b ? "true" : "false");
        // cel-cpp EncodeTimestampToJson / EncodeDurationToJson validate the CEL ranges first.
        if (v.type == T::timestamp)
          return timestamp_in_range(instant(v))
                     ? Value::string(format_timestamp(instant(v)))
                     : Value::error(v.i < 0 ? "Timestamp below minimum allowed timestamp "
                                              "\"0001-01-01T00:00:00Z\""
                                            : "Timestamp above maximum allowed timestamp "
                                              "\"9999-12-31T23:59:59.999999999Z\"");
        if (v.type == T::duration)
          return duration_in_range(instant(v))
                     ? Value::string(format_duration(instant(v)))
                     : Value::error(v.i < 0 ? "Duration below minimum allowed duration"
                                            : "Duration above maximum allowed duration");
        if (v.type == T::dbl) {
          // cel-cpp FormatDouble: std::to_chars, general format, shortest round trip.
          char buf[32];
          auto r = std::to_chars(buf, buf + sizeof buf, v.d, std::chars_format::general);
          if (r.ec != std::errc()) return Value::error("double format error");
          return Value::string(std::string(buf, r.ptr));
        }
        if (v.type == T::bytes) {
          if (!valid_utf8(v.s)) return Value::error("invalid UTF-8 in bytes");
          return Value::string(v.s);
        }
        return bad();
      }
      if (f == "bytes") {
        if (v.type == T::bytes) return v;
        if (v.type == T::string) return Value::bytes(v.s);
        return bad();
      }
    }
    return bad();
  }

  // ts.getFullYear([tz]) ... ts.getMilliseconds([tz]) and dur.getHours() ... getMilliseconds()
  // (cel-cpp time_functions.cc): months, days of the year and of the month and weekdays count
  // from 0, getDate from 1; a duration's accessors are its whole length in that unit, except
  // getMilliseconds, the milliseconds within the second.
  template <typename Bad>
  Value accessor(const std::string& f, const std::vector<Value>& args, Bad bad) {
    const Value& v = args[0];
    if (v.type == T::duration && args.size() == 1) {
      Instant d = instant(v);
      if (f == "getHours") return Value::int64(whole_seconds(d) / 3600);
      if (f == "getMinutes") return Value::int64(whole_seconds(d) / 60);
      if (f == "getSeconds") return Value::int64(whole_seconds(d));
      if (f == "getMilliseconds") return Value::int64(whole_millis(d) % 1000);
      return bad();
    }
    if (v.type != T::timestamp) return bad();
    std::string zone;
    if (args.size() == 2) {
      if (args[1].type != T::string) return bad();
      zone = args[1].s;
    }
    auto c = breakdown(instant(v), zone);
    if (!c) return Value::error("Invalid timezone");
    if (f == "getFullYear") return Value::int64(c->year);
    if (f == "getMonth") return Value::int64(c->month - 1);
    if (f == "getDayOfYear") return Value::int64(c->year_day);
    if (f == "getDayOfMonth") return Value::int64(c->day - 1);
    if (f == "getDate") return Value::int64(c->day);
    if (f == "getDayOfWeek") return Value::int64(c->weekday);
    if (f == "getHours") return Value::int64(c->hour);
    if (f == "getMinutes") return Value::int64(c->minute);
    if (f == "getSeconds") return Value::int64(c->second);
    if (f == "getMilliseconds") return Value::int64(c->nanos / 1000000);
    return bad();
  }
};

void put_le(std::string& out, uint64_t v) {
  for (int k = 0; k < 8; ++k) out += static_cast<char>((v >> (8 * k)) & 0xff);
}

// ---- protobuf encodings of the messages Envoy exposes (envoyproxy/data-plane-api
// envoy/config/core/v3/base.proto at 84e8436: Node, Metadata, Locality) and of
// google.protobuf.Struct / Value / ListValue (struct.proto) ----

std::string proto_double_field(uint32_t field, double d) {
  uint64_t bits = 0;
  std::memcpy(&bits, &d, sizeof bits);
  std::string out(1, static_cast<char>(field << 3 | 1));  // wire type 1 (64-bit); field < 16
  put_le(out, bits);
  return out;
}

std::string encode_struct(const Value& m);

std::string encode_proto_value(const Value& v) {
  switch (v.type) {
    case T::null:
      return proto_varint_field(1, 0);  // null_value: NULL_VALUE
    case T::int64:
      return proto_double_field(2, static_cast<double>(v.i));
    case T::uint64:
      return proto_double_field(2, static_cast<double>(v.u));
    case T::dbl:
      return proto_double_field(2, v.d);
    case T::string:
    case T::bytes:
      return proto_bytes_field(3, v.s);
    case T::boolean:
      return proto_varint_field(4, v.b ? 1 : 0);
    case T::map:
      return proto_bytes_field(5, encode_struct(v));
    case T::list: {
      std::string values;
      for (const auto& x : *v.list) values += proto_bytes_field(1, encode_proto_value(x));
      return proto_bytes_field(6, values);
    }
    default:
      return proto_bytes_field(3, "");
  }
}

std::string encode_struct(const Value& m) {  // google.protobuf.Struct: map<string, Value> = 1
  std::string out;
  if (m.type != T::map) return out;
  for (const auto& [k, v] : *m.map)
    out += proto_bytes_field(
        1, proto_bytes_field(1, k.s) + proto_bytes_field(2, encode_proto_value(v)));
  return out;
}

std::string encode_message(const Value& m) {
  std::string out;
  auto field_of = [&](std::string_view name) -> const Value* {
    for (const auto& [k, v] : *m.map)
      if (k.s == name) return &v;
    return nullptr;
  };
  auto text = [&](uint32_t field, std::string_view name) {
    const Value* v = field_of(name);
    if (v && (v->type == T::string || v->type == T::bytes) && !v->s.empty())
      out += proto_bytes_field(field, v->s);
  };
  if (m.message == "google.protobuf.FieldMask") {  // repeated string paths = 1
    if (const Value* paths = field_of("paths"); paths && paths->type == T::list)
      for (const auto& p : *paths->list) out += proto_bytes_field(1, p.s);
  } else if (m.message == "envoy.config.core.v3.Metadata") {
    if (const Value* fm = field_of("filter_metadata"); fm && fm->type == T::map)
      for (const auto& [k, v] : *fm->map)
        out += proto_bytes_field(
            1, proto_bytes_field(1, k.s) + proto_bytes_field(2, encode_struct(v)));
  } else if (m.message == "envoy.config.core.v3.Locality") {
    text(1, "region");
    text(2, "zone");
    text(3, "sub_zone");
  } else if (m.message == "envoy.config.core.v3.Node") {
    text(1, "id");
    text(2, "cluster");
    if (const Value* md = field_of("metadata"); md && md->type == T::map && !md->map->empty())
      out += proto_bytes_field(3, encode_struct(*md));
    if (const Value* loc = field_of("locality"); loc && loc->type == T::map) {
      Value l = *loc;
      l.message = "envoy.config.core.v3.Locality";
      if (auto body = encode_message(l); !body.empty()) out += proto_bytes_field(4, body);
    }
    text(6, "user_agent_name");
    text(7, "user_agent_version");
  }
  return out;
}

}  // namespace

bool valid_utf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
    if (!len || i + len > s.size()) return false;
    for (size_t k = 1; k < len; ++k)
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    i += len;
  }
  return true;
}

Result<Expr> parse(std::string_view text) {
  if (text.size() > k_max_text)
    return fail(Errc::parse, "CEL expression of " + std::to_string(text.size()) +
                                 " bytes exceeds " + std::to_string(k_max_text));
  return Parser(text).run();
}

Value evaluate(const Expr& expr, const Resolver& resolve) {
  if (!expr) return Value::error("no expression");
  return Evaluator(resolve).eval(expr);
}

std::optional<std::string> serialize(const Value& v) {
  std::string out;
  switch (v.type) {
    case T::string:
    case T::bytes:
      return v.s;
    case T::int64:
      put_le(out, static_cast<uint64_t>(v.i));
      return out;
    case T::uint64:
      put_le(out, v.u);
      return out;
    case T::dbl: {
      uint64_t bits = 0;
      std::memcpy(&bits, &v.d, sizeof bits);
      put_le(out, bits);
      return out;
    }
    case T::boolean:
      return std::string(1, v.b ? '\1' : '\0');
    case T::timestamp:
    case T::duration:
      put_le(out, static_cast<uint64_t>(to_nanos_saturated(Instant{v.i, v.nanos})));
      return out;
    case T::map: {
      if (!v.message.empty()) return encode_message(v);
      HeaderMap pairs;
      for (const auto& [k, x] : *v.map) {
        auto ks = serialize(k);
        auto xs = serialize(x);
        if (!ks || !xs) return std::nullopt;
        pairs.emplace_back(std::move(*ks), std::move(*xs));
      }
      return serialize_pairs(pairs);
    }
    case T::list: {
      HeaderMap pairs;
      for (const auto& x : *v.list) {
        auto xs = serialize(x);
        if (!xs) return std::nullopt;
        pairs.emplace_back(std::move(*xs), std::string());
      }
      return serialize_pairs(pairs);
    }
    default:
      return std::nullopt;
  }
}

}  // namespace ext::host::cel
