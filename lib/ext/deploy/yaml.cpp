#include "ext/deploy/yaml.hpp"

#include "ext/yaml/yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>

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
bool ignored_key(const YAML::Node& key) {
  return key.Tag() == "!ignore";
}

// Budget on converted nodes: an alias-heavy document (a "billion laughs") would otherwise expand
// without bound; deploy's documents are small.
constexpr size_t k_max_nodes = 1u << 20;

Json convert(const YAML::Node& node, int depth, size_t& budget) {
  if (depth > 200) throw YAML::Exception(node.Mark(), "document nested too deeply (over 200)");
  if (budget == 0)
    throw YAML::Exception(node.Mark(), "document expands to over " + std::to_string(k_max_nodes) +
                                           " nodes (aliases?): refused");
  --budget;
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return nullptr;
    case YAML::NodeType::Scalar:
      // Tag "!" marks a quoted (non-plain) scalar: always a string.
      if (node.Tag() == "!" || node.Tag() == "tag:yaml.org,2002:str") return node.Scalar();
      return plain_scalar(node.Scalar());
    case YAML::NodeType::Sequence: {
      Json out = Json::array();
      for (const auto& item : node) out.push_back(convert(item, depth + 1, budget));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          throw YAML::Exception(kv.first.Mark(), "only scalar mapping keys are supported");
        if (ignored_key(kv.first)) continue;
        out[kv.first.Scalar()] = convert(kv.second, depth + 1, budget);
      }
      return out;
    }
  }
  return nullptr;
}

Json convert(const YAML::Node& node) {
  size_t budget = k_max_nodes;
  return convert(node, 0, budget);
}

Error parse_error(const YAML::Exception& e) {
  std::string where;
  if (!e.mark.is_null())
    where = "line " + std::to_string(e.mark.line + 1) + ", column " +
            std::to_string(e.mark.column + 1) + ": ";
  return Error(Errc::parse, "invalid YAML: " + where + e.msg);
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

std::string quote(const std::string& s) {
  return Json(s).dump();
}

std::string scalar(const Json& v) {
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    return plain_safe(s) ? s : quote(s);
  }
  if (v.is_null()) return "null";
  return v.dump();
}

std::string key_text(const std::string& k) {
  return plain_safe(k) ? k : quote(k);
}

bool is_block(const Json& v) {
  return (v.is_object() || v.is_array()) && !v.empty();
}

std::string empty_collection(const Json& v) {
  return v.is_object() ? "{}" : "[]";
}

void emit(const Json& v, int indent, std::string& out);

void emit_object(const Json& v, int indent, std::string& out, bool first_inline) {
  bool first = true;
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (!(first && first_inline)) out.append(static_cast<size_t>(indent), ' ');
    first = false;
    out += key_text(it.key());
    out += ':';
    const Json& val = it.value();
    if (is_block(val)) {
      out += '\n';
      // Sequences under a key are written at the key's indentation (kubectl style).
      emit(val, val.is_array() ? indent : indent + 2, out);
    } else {
      out += ' ';
      out += (val.is_object() || val.is_array()) ? empty_collection(val) : scalar(val);
      out += '\n';
    }
  }
}

void emit_array(const Json& v, int indent, std::string& out) {
  for (const auto& item : v) {
    out.append(static_cast<size_t>(indent), ' ');
    out += "- ";
    if (item.is_object() && !item.empty()) {
      emit_object(item, indent + 2, out, true);
    } else if (item.is_array() && !item.empty()) {
      out += '\n';
      emit(item, indent + 2, out);
    } else {
      out += (item.is_object() || item.is_array()) ? empty_collection(item) : scalar(item);
      out += '\n';
    }
  }
}

void emit(const Json& v, int indent, std::string& out) {
  if (v.is_object() && !v.empty())
    emit_object(v, indent, out, false);
  else if (v.is_array() && !v.empty())
    emit_array(v, indent, out);
  else {
    out.append(static_cast<size_t>(indent), ' ');
    out += (v.is_object() || v.is_array()) ? empty_collection(v) : scalar(v);
    out += '\n';
  }
}

}  // namespace

// Every document deploy reads is first read by ext::yaml, which bounds size, depth, nodes and
// alias expansion (a 1 KB alias bomb through --config @lol.yaml aborted ext); only then does
// yaml-cpp's tree (which keeps tags for the round trip) get converted.
Result<void> check_limits(std::string_view text) {
  // ext::yaml reads one document per text: check each of a stream on its own.
  size_t start = 0;
  while (start <= text.size()) {
    size_t sep = text.find("\n---", start);
    std::string_view doc = text.substr(start, sep == std::string_view::npos ? sep : sep - start);
    auto r = yaml::parse(doc, "YAML");
    if (!r && r.error().message().find("limit") != std::string::npos) return fail(r.error());
    if (sep == std::string_view::npos) break;
    start = sep + 4;
  }
  return {};
}

Result<std::vector<Json>> parse_yaml_documents(std::string_view text) {
  if (auto ok = check_limits(text); !ok) return fail(ok.error());
  try {
    std::vector<Json> out;
    for (const auto& node : YAML::LoadAll(std::string(text))) {
      if (node.IsNull() || !node.IsDefined()) continue;
      out.push_back(convert(node));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return fail(parse_error(e));
  }
}

Result<Json> parse_yaml(std::string_view text) {
  if (auto ok = check_limits(text); !ok) return fail(ok.error());
  try {
    YAML::Node node = YAML::Load(std::string(text));
    if (!node.IsDefined() || node.IsNull()) return fail(Errc::parse, "empty YAML document");
    return convert(node);
  } catch (const YAML::Exception& e) {
    return fail(parse_error(e));
  }
}

std::string to_yaml(const Json& value) {
  std::string out;
  emit(value, 0, out);
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

// A JSON value as a fresh yaml-cpp node. Strings that YAML would read as another type are tagged
// !!str so the proxy reads them back as strings.
YAML::Node to_node(const Json& v) {
  switch (v.type()) {
    case Json::value_t::object: {
      YAML::Node n(YAML::NodeType::Map);
      for (auto it = v.begin(); it != v.end(); ++it) n[it.key()] = to_node(it.value());
      return n;
    }
    case Json::value_t::array: {
      YAML::Node n(YAML::NodeType::Sequence);
      for (const auto& item : v) n.push_back(to_node(item));
      return n;
    }
    case Json::value_t::string: {
      YAML::Node n(v.get<std::string>());
      if (plain_scalar(v.get<std::string>()) != v) n.SetTag("tag:yaml.org,2002:str");
      return n;
    }
    case Json::value_t::boolean:
      return YAML::Node(v.get<bool>());
    case Json::value_t::number_integer:
      return YAML::Node(v.get<long long>());
    case Json::value_t::number_unsigned:
      return YAML::Node(v.get<unsigned long long>());
    case Json::value_t::number_float:
      return YAML::Node(v.get<double>());
    default:
      return YAML::Node(YAML::NodeType::Null);
  }
}

bool same(const YAML::Node& n, const Json& want) {
  try {
    return convert(n) == want;
  } catch (const YAML::Exception&) {
    return false;
  }
}

// Makes `node` hold `want`, reusing every original node whose value is unchanged, so their tags,
// anchors and aliases (and !ignore keys) survive.
YAML::Node sync(const YAML::Node& node, const Json& want) {
  if (same(node, want)) return node;
  if (want.is_object() && node.IsMap()) {
    YAML::Node out(YAML::NodeType::Map);
    std::vector<std::string> had;
    for (const auto& kv : node) {
      if (ignored_key(kv.first)) {
        out[kv.first] = kv.second;
        continue;
      }
      had.push_back(kv.first.Scalar());
      auto it = want.find(kv.first.Scalar());
      if (it == want.end()) continue;  // removed
      out[kv.first] = sync(kv.second, *it);
    }
    for (auto it = want.begin(); it != want.end(); ++it)
      if (std::find(had.begin(), had.end(), it.key()) == had.end())
        out[it.key()] = to_node(it.value());
    return out;
  }
  if (want.is_array() && node.IsSequence()) {
    std::vector<bool> used(node.size(), false);
    YAML::Node out(YAML::NodeType::Sequence);
    for (const auto& item : want) {
      std::optional<size_t> pick;
      for (size_t j = 0; j < node.size() && !pick; ++j)
        if (!used[j] && same(node[j], item)) pick = j;
      if (!pick && item.is_object() && item.contains("name"))  // the same entry, changed
        for (size_t j = 0; j < node.size() && !pick; ++j)
          if (!used[j] && node[j].IsMap() && node[j]["name"] && node[j]["name"].IsScalar() &&
              item["name"].is_string() && node[j]["name"].Scalar() == item["name"])
            pick = j;
      if (pick) {
        used[*pick] = true;
        out.push_back(sync(node[*pick], item));
      } else {
        out.push_back(to_node(item));
      }
    }
    return out;
  }
  return to_node(want);
}

}  // namespace

Result<std::string> patch_yaml_text(std::string_view original, const Json& patched) {
  try {
    YAML::Node root = YAML::Load(std::string(original));
    YAML::Node out = sync(root, patched);
    YAML::Emitter e;
    e.SetIndent(2);
    e << out;
    if (!e.good()) return fail(Errc::internal, "writing YAML: " + e.GetLastError());
    return std::string(e.c_str()) + "\n";
  } catch (const YAML::Exception& e) {
    return fail(parse_error(e));
  }
}

}  // namespace ext::deploy
