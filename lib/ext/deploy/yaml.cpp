#include "ext/deploy/yaml.hpp"

#include <yaml-cpp/yaml.h>

#include <cmath>
#include <cstdlib>
#include <regex>

namespace ext::deploy {

namespace {

// YAML 1.2 core schema resolution of a plain scalar (what Envoy's and Kubernetes' YAML readers
// do with unquoted values), so "8080" is a number and "true" a bool after parsing.
Json plain_scalar(const std::string& s) {
  static const std::regex k_null("^(~|null|Null|NULL)?$");
  static const std::regex k_true("^(true|True|TRUE)$");
  static const std::regex k_false("^(false|False|FALSE)$");
  static const std::regex k_int("^[-+]?[0-9]+$");
  static const std::regex k_hex("^0x[0-9a-fA-F]+$");
  static const std::regex k_float("^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$");
  if (std::regex_match(s, k_null)) return nullptr;
  if (std::regex_match(s, k_true)) return true;
  if (std::regex_match(s, k_false)) return false;
  if (std::regex_match(s, k_int)) {
    errno = 0;
    char* end = nullptr;
    long long v = std::strtoll(s.c_str(), &end, 10);
    if (errno == 0 && end && *end == '\0') return v;
    return s;  // out of range: keep the text
  }
  if (std::regex_match(s, k_hex)) return std::strtoll(s.c_str(), nullptr, 16);
  if (std::regex_match(s, k_float)) return std::strtod(s.c_str(), nullptr);
  if (s == ".inf" || s == "+.inf" || s == ".Inf") return s;  // not representable in JSON
  return s;
}

Json convert(const YAML::Node& node, int depth) {
  if (depth > 200) throw YAML::Exception(node.Mark(), "document nested too deeply");
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
      for (const auto& item : node) out.push_back(convert(item, depth + 1));
      return out;
    }
    case YAML::NodeType::Map: {
      Json out = Json::object();
      for (const auto& kv : node) {
        if (!kv.first.IsScalar())
          throw YAML::Exception(kv.first.Mark(), "only scalar mapping keys are supported");
        out[kv.first.Scalar()] = convert(kv.second, depth + 1);
      }
      return out;
    }
  }
  return nullptr;
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
  static const std::regex k_plain("^[A-Za-z0-9_/.][A-Za-z0-9_./:@+=-]*$");
  if (!std::regex_match(s, k_plain)) return false;
  if (s.back() == ':' || s.find(": ") != std::string::npos) return false;
  Json back = plain_scalar(s);
  if (!back.is_string()) return false;
  // YAML 1.1 booleans and sexagesimal-looking values (older readers, e.g. kubectl's go-yaml v2).
  static const std::regex k_yaml11(
      "^(y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[0-9:_.+-]+|\\.(nan|NaN|NAN|inf|Inf|"
      "INF))$");
  return !std::regex_match(s, k_yaml11);
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

Result<std::vector<Json>> parse_yaml_documents(std::string_view text) {
  try {
    std::vector<Json> out;
    for (const auto& node : YAML::LoadAll(std::string(text))) {
      if (node.IsNull() || !node.IsDefined()) continue;
      out.push_back(convert(node, 0));
    }
    return out;
  } catch (const YAML::Exception& e) {
    return fail(parse_error(e));
  }
}

Result<Json> parse_yaml(std::string_view text) {
  try {
    YAML::Node node = YAML::Load(std::string(text));
    if (!node.IsDefined() || node.IsNull()) return fail(Errc::parse, "empty YAML document");
    return convert(node, 0);
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

}  // namespace ext::deploy
