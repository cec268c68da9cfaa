#include "ext/deploy/yaml.hpp"

#include "ext/yaml/yaml.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <unordered_set>

namespace ext::deploy {

namespace {

bool all_of(std::string_view s, size_t from, bool (*pred)(char)) {
  if (from >= s.size()) return false;
  for (size_t i = from; i < s.size(); ++i)
    if (!pred(s[i])) return false;
  return true;
}
bool is_digit(char c) {
  return c >= '0' && c <= '9';
}
bool is_hex(char c) {
  return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? without a regex (linear, no recursion).
bool is_float(std::string_view s) {
  size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  size_t int_digits = 0, frac_digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++int_digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++frac_digits;
    if (int_digits == 0 && frac_digits == 0) return false;
  } else if (int_digits == 0) {
    return false;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    size_t exp = 0;
    while (i < s.size() && is_digit(s[i])) ++i, ++exp;
    if (exp == 0) return false;
  }
  return i == s.size();
}

// YAML 1.2 core schema resolution of a plain scalar (what Envoy's and Kubernetes' YAML readers
// do with unquoted values), so "8080" is a number and "true" a bool after parsing.
Json plain_scalar(const std::string& s) {
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return nullptr;
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  size_t sign = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  if (all_of(s, sign, is_digit)) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno == 0 && end && *end == '\0') return v;
    return s;  // out of range: keep the text
  }
  if (s.size() > 2 && s[0] == '0' && s[1] == 'x' && all_of(s, 2, is_hex)) {
    errno = 0;
    long long v = std::strtoll(s.c_str(), nullptr, 16);
    return errno == 0 ? Json(v) : Json(s);
  }
  if (is_float(s)) return std::strtod(s.c_str(), nullptr);
  return s;  // ".inf" and friends are not representable in JSON: kept as text
}

// Envoy reads keys tagged !ignore as absent (envoy source/common/protobuf/yaml_utility.cc);
// the JSON view drops them, the round trip (patch_yaml_text) keeps them.
bool ignored_key(const yaml::Node& key) {
  return key.tag == "!ignore";
}

// The JSON view of a node. Recursion is bounded: ext::yaml refuses documents nested deeper than
// Limits::max_depth (100) and counts every value, alias copies included (docs/hardening.md).
Json convert(const yaml::Node& node, const std::string& label) {
  switch (node.kind) {
    case yaml::Node::Kind::null:
      return nullptr;
    case yaml::Node::Kind::scalar:
      // Tag "!" marks a quoted (non-plain) scalar: always a string.
      if (node.tag == "!" || node.tag == "tag:yaml.org,2002:str") return node.scalar;
      return plain_scalar(node.scalar);
    case yaml::Node::Kind::sequence: {
      Json out = Json::array();
      for (const auto& item : node.items) out.push_back(convert(item, label));
      return out;
    }
    case yaml::Node::Kind::mapping: {
      Json out = Json::object();
      for (const auto& [key, value] : node.members) {
        if (key.kind != yaml::Node::Kind::scalar)
          throw Error(Errc::parse,
                      yaml::where(label, key.mark) + "only scalar mapping keys are supported");
        if (ignored_key(key)) continue;
        out[key.scalar] = convert(value, label);
      }
      return out;
    }
  }
  return nullptr;
}

// A string may be written plain only when reading it back gives the same string.
bool plain_safe(const std::string& s) {
  if (s.empty() || s.size() > 200) return false;
  // [A-Za-z0-9_/.] then [A-Za-z0-9_./:@+=-]*
  auto alnum = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
  };
  if (!alnum(s[0]) && s[0] != '_' && s[0] != '/' && s[0] != '.') return false;
  for (char c : s)
    if (!alnum(c) && std::string_view("_./:@+=-").find(c) == std::string_view::npos) return false;
  if (s.back() == ':' || s.find(": ") != std::string::npos) return false;
  Json back = plain_scalar(s);
  if (!back.is_string()) return false;
  // YAML 1.1 booleans and sexagesimal-looking values (older readers, e.g. kubectl's go-yaml v2).
  static const char* const k_yaml11[] = {
      "y",  "Y",  "yes", "Yes", "YES", "n",    "N",    "no",   "No",   "NO",   "on",
      "On", "ON", "off", "Off", "OFF", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF"};
  for (const char* w : k_yaml11)
    if (s == w) return false;
  bool numberish = true;  // [0-9:_.+-]+
  for (char c : s)
    if (!(c >= '0' && c <= '9') && std::string_view(":_.+-").find(c) == std::string_view::npos)
      numberish = false;
  return !numberish;
}

// JSON's double-quoted string is a YAML double-quoted scalar (the same escapes).
std::string double_quoted_scalar(const std::string& s) {
  return Json(s).dump(-1, ' ', false, Json::error_handler_t::replace);
}

// A plain scalar the user wrote, written back as written when it is a value YAML reads as
// another type (8080, true, ~) or a YAML 1.1 word (yes, .inf): quoting would change its type.
bool keep_plain(const std::string& s) {
  if (plain_safe(s)) return true;
  if (s.empty()) return false;
  for (char c : s)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
          std::string_view("~._+-").find(c) != std::string_view::npos))
      return false;
  return !(s[0] == '-' && s.size() == 1);
}

// The tag as written before a node ("" when none): local tags in the verbatim form yaml-cpp
// writes and Envoy's yaml-cpp reads back as the same tag (!<!ignore>).
std::string tag_prefix(const std::string& tag) {
  static const std::string k_core = "tag:yaml.org,2002:";
  if (tag.empty() || tag == "!") return "";
  if (tag.compare(0, k_core.size(), k_core) == 0) return "!!" + tag.substr(k_core.size()) + " ";
  return "!<" + tag + "> ";
}

std::string scalar_text(const yaml::Node& n) {
  if (n.kind == yaml::Node::Kind::null) return "null";
  if (n.tag == "!" || n.tag == "tag:yaml.org,2002:str")  // a string: plain only when it reads back
    return tag_prefix(n.tag) + (plain_safe(n.scalar) ? n.scalar : double_quoted_scalar(n.scalar));
  return tag_prefix(n.tag) + (keep_plain(n.scalar) ? n.scalar : double_quoted_scalar(n.scalar));
}

bool is_block(const yaml::Node& n) {
  return (n.kind == yaml::Node::Kind::mapping && !n.members.empty()) ||
         (n.kind == yaml::Node::Kind::sequence && !n.items.empty());
}

// A scalar, null or empty collection on the rest of the current line.
std::string inline_text(const yaml::Node& n) {
  if (n.kind == yaml::Node::Kind::mapping) return tag_prefix(n.tag) + "{}";
  if (n.kind == yaml::Node::Kind::sequence) return tag_prefix(n.tag) + "[]";
  return scalar_text(n);
}

void emit(const yaml::Node& n, int indent, std::string& out);

void emit_mapping(const yaml::Node& n, int indent, std::string& out, bool first_inline) {
  bool first = true;
  for (const auto& [key, val] : n.members) {
    if (key.kind != yaml::Node::Kind::scalar)
      throw Error(Errc::parse, "only scalar mapping keys are supported");
    if (!(first && first_inline)) out.append(static_cast<size_t>(indent), ' ');
    first = false;
    out += scalar_text(key);
    out += ':';
    if (is_block(val)) {
      if (std::string t = tag_prefix(val.tag); !t.empty()) {
        out += ' ';
        out.append(t, 0, t.size() - 1);
      }
      out += '\n';
      // Sequences under a key are written at the key's indentation (kubectl style).
      emit(val, val.kind == yaml::Node::Kind::sequence ? indent : indent + 2, out);
    } else {
      out += ' ';
      out += inline_text(val);
      out += '\n';
    }
  }
}

void emit_sequence(const yaml::Node& n, int indent, std::string& out) {
  for (const auto& item : n.items) {
    out.append(static_cast<size_t>(indent), ' ');
    out += "- ";
    std::string t = tag_prefix(item.tag);
    if (item.kind == yaml::Node::Kind::mapping && is_block(item) && t.empty()) {
      emit_mapping(item, indent + 2, out, true);
    } else if (is_block(item)) {
      out.append(t, 0, t.empty() ? 0 : t.size() - 1);
      out += '\n';
      emit(item, indent + 2, out);
    } else {
      out += inline_text(item);
      out += '\n';
    }
  }
}

// Block style, as kubectl writes: a tagged collection has its tag on the line before.
void emit(const yaml::Node& n, int indent, std::string& out) {
  if (n.kind == yaml::Node::Kind::mapping && is_block(n))
    emit_mapping(n, indent, out, false);
  else if (n.kind == yaml::Node::Kind::sequence && is_block(n))
    emit_sequence(n, indent, out);
  else {
    out.append(static_cast<size_t>(indent), ' ');
    out += inline_text(n);
    out += '\n';
  }
}

void emit_document(const yaml::Node& n, std::string& out) {
  if (is_block(n)) {
    if (std::string t = tag_prefix(n.tag); !t.empty()) {
      out.append(t, 0, t.size() - 1);
      out += '\n';
    }
  }
  emit(n, 0, out);
}

// A JSON value as a node: strings are marked "!" (quoted when YAML would read another type).
yaml::Node to_node(const Json& v) {
  yaml::Node n;
  switch (v.type()) {
    case Json::value_t::object:
      n.kind = yaml::Node::Kind::mapping;
      for (auto it = v.begin(); it != v.end(); ++it) {
        yaml::Node key;
        key.kind = yaml::Node::Kind::scalar;
        key.scalar = it.key();
        key.tag = "!";
        n.members.emplace_back(std::move(key), to_node(it.value()));
      }
      return n;
    case Json::value_t::array:
      n.kind = yaml::Node::Kind::sequence;
      for (const auto& item : v) n.items.push_back(to_node(item));
      return n;
    case Json::value_t::string:
      n.kind = yaml::Node::Kind::scalar;
      n.scalar = v.get<std::string>();
      n.tag = "!";
      return n;
    case Json::value_t::null:
    case Json::value_t::discarded:
      return n;
    default:  // numbers, booleans
      n.kind = yaml::Node::Kind::scalar;
      n.scalar = v.dump();
      return n;
  }
}

}  // namespace

// Every document deploy reads goes through ext::yaml, which bounds size, depth, nodes and
// alias expansion (a 1 KB alias bomb through --config @lol.yaml aborted ext) and gives
// positions as label:line:col.
Result<std::vector<Json>> parse_yaml_documents(std::string_view text, const std::string& label) {
  auto nodes = yaml::parse_nodes(text, label);
  if (!nodes) return fail(nodes.error());
  try {
    std::vector<Json> out;
    for (const auto& node : *nodes) {
      if (node.kind == yaml::Node::Kind::null) continue;
      out.push_back(convert(node, label));
    }
    return out;
  } catch (const Error& e) {
    return fail(e);
  }
}

Result<Json> parse_yaml(std::string_view text, const std::string& label) {
  auto nodes = yaml::parse_nodes(text, label);
  if (!nodes) return fail(nodes.error());
  if (nodes->empty() || nodes->front().kind == yaml::Node::Kind::null)
    return fail(Errc::parse, label + ": empty YAML document");
  try {
    return convert(nodes->front(), label);
  } catch (const Error& e) {
    return fail(e);
  }
}

std::string to_yaml(const Json& value) {
  std::string out;
  emit_document(to_node(value), out);
  return out;
}

std::string to_yaml_documents(const std::vector<Json>& docs) {
  std::string out;
  for (size_t i = 0; i < docs.size(); ++i) {
    if (i) out += "---\n";
    out += to_yaml(docs[i]);
  }
  return out;
}

namespace {

bool same(const yaml::Node& n, const Json& want) {
  try {
    return convert(n, "") == want;
  } catch (const Error&) {
    return false;
  }
}

// Makes `node` hold `want`, reusing every original node whose value is unchanged, so their tags
// (and !ignore keys) survive; aliases were expanded into copies when the text was read.
yaml::Node sync(const yaml::Node& node, const Json& want) {
  if (same(node, want)) return node;
  if (want.is_object() && node.kind == yaml::Node::Kind::mapping) {
    yaml::Node out;
    out.kind = yaml::Node::Kind::mapping;
    out.tag = node.tag;
    out.mark = node.mark;
    std::unordered_set<std::string> had;
    for (const auto& [key, value] : node.members) {
      if (ignored_key(key)) {
        out.members.emplace_back(key, value);
        continue;
      }
      had.insert(key.scalar);
      auto it = want.find(key.scalar);
      if (it == want.end()) continue;  // removed
      out.members.emplace_back(key, sync(value, *it));
    }
    for (auto it = want.begin(); it != want.end(); ++it)
      if (!had.count(it.key())) {
        yaml::Node fresh = to_node(Json::object({{it.key(), it.value()}}));
        out.members.push_back(std::move(fresh.members.front()));
      }
    return out;
  }
  if (want.is_array() && node.kind == yaml::Node::Kind::sequence) {
    const auto& items = node.items;
    std::vector<bool> used(items.size(), false);
    yaml::Node out;
    out.kind = yaml::Node::Kind::sequence;
    out.tag = node.tag;
    out.mark = node.mark;
    auto name_of = [](const yaml::Node& n) -> const std::string* {
      if (n.kind != yaml::Node::Kind::mapping) return nullptr;
      for (const auto& [k, v] : n.members)
        if (k.kind == yaml::Node::Kind::scalar && k.scalar == "name" &&
            v.kind == yaml::Node::Kind::scalar)
          return &v.scalar;
      return nullptr;
    };
    for (const auto& item : want) {
      std::optional<size_t> pick;
      for (size_t j = 0; j < items.size() && !pick; ++j)
        if (!used[j] && same(items[j], item)) pick = j;
      if (!pick && item.is_object() && item.contains("name") && item["name"].is_string())
        for (size_t j = 0; j < items.size() && !pick; ++j)  // the same entry, changed
          if (const std::string* name = name_of(items[j]);
              !used[j] && name && *name == item["name"])
            pick = j;
      if (pick) {
        used[*pick] = true;
        out.items.push_back(sync(items[*pick], item));
      } else {
        out.items.push_back(to_node(item));
      }
    }
    return out;
  }
  return to_node(want);
}

}  // namespace

Result<std::string> patch_yaml_text(std::string_view original, const Json& patched,
                                    const std::string& label) {
  auto nodes = yaml::parse_nodes(original, label);
  if (!nodes) return fail(nodes.error());
  if (nodes->empty()) return fail(Errc::parse, label + ": empty YAML document");
  try {
    std::string out;
    emit_document(sync(nodes->front(), patched), out);
    return out;
  } catch (const Error& e) {
    return fail(e);
  }
}

}  // namespace ext::deploy
