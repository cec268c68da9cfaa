#include "ext/project/project_file.hpp"

#include <yaml-cpp/yaml.h>

#include <nlohmann/json.hpp>
#include <set>

#include "ext/util/files.hpp"

namespace ext::project {

const char* to_string(Language l) {
  switch (l) {
    case Language::cpp:
      return "cpp";
    case Language::rust:
      return "rust";
    case Language::custom:
      return "custom";
  }
  return "?";
}

Result<Language> parse_language(std::string_view name) {
  if (name == "cpp" || name == "c++") return Language::cpp;
  if (name == "rust") return Language::rust;
  if (name == "custom") return Language::custom;
  return fail(Errc::invalid_argument, "unknown language \"" + std::string(name) + "\"",
              "use one of: cpp, rust, custom");
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || name.size() > 128) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); };
  if (!alnum(name.front()) || !alnum(name.back())) return false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (alnum(c)) continue;
    if (c != '.' && c != '_' && c != '-') return false;
    // Separators: one '.', one '_', "__", or any run of '-' (distribution reference grammar).
    char next = i + 1 < name.size() ? name[i + 1] : 0;
    if (c == '-' && (alnum(next) || next == '-')) continue;
    if (c == '_' && next == '_') {
      ++i;
      if (i + 1 < name.size() && !alnum(name[i + 1])) return false;
      continue;
    }
    if (!alnum(next)) return false;
  }
  return true;
}

bool is_valid_root_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string root_id_from_name(std::string_view name) {
  std::string out(name);
  for (char& c : out)
    if (c == '-' || c == '.') c = '_';
  return out;
}

namespace {

// "ext.yaml:3:7: " (1-based, as editors count).
std::string where(const std::string& label, const YAML::Mark& mark) {
  if (mark.is_null()) return label + ": ";
  return label + ":" + std::to_string(mark.line + 1) + ":" + std::to_string(mark.column + 1) + ": ";
}

Error error_at(const std::string& label, const YAML::Node& node, const std::string& message) {
  return Error(Errc::parse, where(label, node.Mark()) + message);
}

std::string scalar(const std::string& label, const YAML::Node& node, const std::string& key) {
  if (!node.IsScalar()) throw error_at(label, node, "\"" + key + "\" must be a string");
  return node.Scalar();
}

std::vector<std::string> string_list(const std::string& label, const YAML::Node& node,
                                     const std::string& key) {
  std::vector<std::string> out;
  if (node.IsNull()) return out;
  if (node.IsScalar()) {  // a single value is a list of one
    out.push_back(node.Scalar());
    return out;
  }
  if (!node.IsSequence()) throw error_at(label, node, "\"" + key + "\" must be a list of strings");
  for (const auto& item : node) {
    if (!item.IsScalar()) throw error_at(label, item, "\"" + key + "\" must be a list of strings");
    out.push_back(item.Scalar());
  }
  return out;
}

nlohmann::json to_json(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      auto j = nlohmann::json::object();
      for (const auto& kv : node) j[kv.first.Scalar()] = to_json(kv.second);
      return j;
    }
    case YAML::NodeType::Sequence: {
      auto j = nlohmann::json::array();
      for (const auto& item : node) j.push_back(to_json(item));
      return j;
    }
    case YAML::NodeType::Scalar: {
      const auto& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted: a string
      if (s == "true") return true;
      if (s == "false") return false;
      if (s == "null" || s == "~") return nullptr;
      auto number = nlohmann::json::parse(s, nullptr, false);
      if (number.is_number()) return number;
      return s;
    }
    default:
      return nullptr;
  }
}

void parse_build(const std::string& label, const YAML::Node& node, ProjectFile& p) {
  if (node.IsNull()) return;
  if (!node.IsMap()) throw error_at(label, node, "\"build\" must be a mapping");
  auto& b = p.build;
  for (const auto& kv : node) {
    const auto key = kv.first.Scalar();
    const auto& v = kv.second;
    if (key == "sources")
      b.sources = string_list(label, v, "build.sources");
    else if (key == "include_dirs")
      b.include_dirs = string_list(label, v, "build.include_dirs");
    else if (key == "defines")
      b.defines = string_list(label, v, "build.defines");
    else if (key == "flags")
      b.flags = string_list(label, v, "build.flags");
    else if (key == "link_flags")
      b.link_flags = string_list(label, v, "build.link_flags");
    else if (key == "exports")
      b.exports = string_list(label, v, "build.exports");
    else if (key == "std")
      b.std = v.IsNull() ? "" : scalar(label, v, "build.std");
    else if (key == "command")
      b.command = v.IsNull() ? "" : scalar(label, v, "build.command");
    else if (key == "output")
      b.output = v.IsNull() ? "" : scalar(label, v, "build.output");
    else if (key == "target")
      b.target = v.IsNull() ? "" : scalar(label, v, "build.target");
    else
      p.warnings.push_back(where(label, kv.first.Mark()) + "unknown key \"build." + key +
                           "\" (ignored)");
  }
}

ProjectFile parse_or_throw(std::string_view text, const std::string& label) {
  YAML::Node root;
  try {
    root = YAML::Load(std::string(text));
  } catch (const YAML::ParserException& e) {
    throw Error(Errc::parse, where(label, e.mark) + e.msg);
  }
  ProjectFile p;
  if (!root.IsMap()) {
    if (root.IsNull()) throw Error(Errc::parse, label + ": empty project file");
    throw error_at(label, root, "expected a mapping (name: ..., language: ...)");
  }
  bool have_language = false;
  bool have_root_id = false;
  YAML::Node language_node;
  for (const auto& kv : root) {
    const auto key = kv.first.Scalar();
    const auto& v = kv.second;
    if (key == "name")
      p.name = scalar(label, v, key);
    else if (key == "version")
      p.version = scalar(label, v, key);
    else if (key == "language") {
      language_node = v;
      auto lang = parse_language(scalar(label, v, key));
      if (!lang)
        throw Error(Errc::parse, where(label, v.Mark()) + lang.error().message(),
                    lang.error().hint());
      p.language = *lang;
      have_language = true;
    } else if (key == "root_id") {
      have_root_id = !v.IsNull();  // `root_id: ""` is the empty root id; `root_id:` is absent
      p.root_id = v.IsNull() ? "" : scalar(label, v, key);
    } else if (key == "filter_type") {
      std::string t = v.IsNull() ? "" : scalar(label, v, key);
      if (t != "http" && t != "network")
        throw error_at(label, v, "filter_type \"" + t.substr(0, 64) + "\" is not http or network");
      p.filter_type = t;
    }
    else if (key == "image")
      p.image = v.IsNull() ? "" : scalar(label, v, key);
    else if (key == "description")
      p.description = v.IsNull() ? "" : scalar(label, v, key);
    else if (key == "platform")
      p.platform = v.IsNull() ? "" : scalar(label, v, key);
    else if (key == "platform_version")
      p.platform_version = v.IsNull() ? "" : scalar(label, v, key);
    else if (key == "build")
      parse_build(label, v, p);
    else if (key == "config") {
      if (v.IsNull())
        p.config.clear();
      else if (v.IsScalar())
        p.config = v.Scalar();
      else
        p.config = to_json(v).dump();  // a YAML mapping is the JSON it spells
    } else if (key == "tests")
      p.tests = string_list(label, v, key);
    else
      p.warnings.push_back(where(label, kv.first.Mark()) + "unknown key \"" + key + "\" (ignored)");
  }
  if (p.name.empty())
    throw Error(Errc::parse, label + ": \"name\" is required", "add a line like: name: my-filter");
  if (!is_valid_name(p.name))
    throw error_at(label, root["name"],
                   "name \"" + p.name +
                       "\" is not usable as an image name (lowercase letters, digits, and "
                       "single '.', '_' or '-' between them)");
  if (!have_language)
    throw Error(Errc::parse, label + ": \"language\" is required",
                "add a line like: language: cpp   (cpp, rust or custom)");
  if (!have_root_id) p.root_id = root_id_from_name(p.name);
  if (!p.root_id.empty() && !is_valid_root_id(p.root_id))
    throw error_at(label, root["root_id"],
                   "root_id \"" + p.root_id + "\" may only hold letters, digits, '_', '.', '-'");
  if (p.language == Language::custom && (p.build.command.empty() || p.build.output.empty()))
    throw error_at(label, language_node, "language: custom needs build.command and build.output");
  if (!p.config.empty()) {
    auto j = nlohmann::json::parse(p.config, nullptr, false);
    if (j.is_discarded()) throw error_at(label, root["config"], "config is not valid JSON");
  }
  return p;
}

}  // namespace

Result<ProjectFile> ProjectFile::parse(std::string_view text, const std::string& label) {
  try {
    return parse_or_throw(text, label);
  } catch (const Error& e) {
    return fail(e);
  } catch (const YAML::Exception& e) {
    return fail(Errc::parse, where(label, e.mark) + e.msg);
  }
}

Result<ProjectFile> load_project(const std::filesystem::path& dir) {
  auto path = dir / k_project_file_name;
  std::error_code ec;
  if (!std::filesystem::exists(path, ec))
    return fail(Errc::not_found, "no ext.yaml in " + dir.string(),
                "create a project with `ext init`, or package a prebuilt module with "
                "`ext build --wasm FILE -t REF`");
  std::string text;
  try {
    text = util::read_file(path, 1 << 20);
  } catch (const Error& e) {
    return fail(e);
  }
  return ProjectFile::parse(text, path.string());
}

}  // namespace ext::project
