#include "ext/project/project_file.hpp"

#include <nlohmann/json.hpp>
#include <set>

#include "ext/util/files.hpp"
#include "ext/util/json.hpp"
#include "ext/yaml/yaml.hpp"

namespace ext::project {

const char* to_string(Language l) {
  switch (l) {
    case Language::cpp:
      return "cpp";
    case Language::rust:
      return "rust";
    case Language::assemblyscript:
      return "assemblyscript";
    case Language::custom:
      return "custom";
  }
  return "?";
}

Result<Language> parse_language(std::string_view name) {
  if (name == "cpp" || name == "c++") return Language::cpp;
  if (name == "rust") return Language::rust;
  if (name == "assemblyscript") return Language::assemblyscript;
  if (name == "custom") return Language::custom;
  return fail(Errc::invalid_argument, "unknown language \"" + std::string(name) + "\"",
              "use one of: cpp, rust, assemblyscript, custom");
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

using nlohmann::ordered_json;
using Pointer = yaml::Pointer;

// Every check names the file, line and column of the value it rejects ("ext.yaml:3:7: ").
struct Reader {
  const yaml::Document& doc;

  Error error_at(const Pointer& p, const std::string& message) const {
    return Error(Errc::parse, doc.where(p) + message);
  }

  std::string scalar(const Pointer& p, const std::string& key) const {
    auto text = doc.text(p);
    if (!text) throw error_at(p, "\"" + key + "\" must be a string");
    return *text;
  }

  // A string, or "" for null.
  std::string optional_scalar(const Pointer& p, const std::string& key) const {
    return doc.value(p)->is_null() ? std::string() : scalar(p, key);
  }

  std::vector<std::string> string_list(const Pointer& p, const std::string& key) const {
    std::vector<std::string> out;
    const auto& v = *doc.value(p);
    if (v.is_null()) return out;
    if (!v.is_array()) {  // a single value is a list of one
      out.push_back(scalar(p, key));
      return out;
    }
    for (size_t i = 0; i < v.size(); ++i) {
      auto text = doc.text(p / i);
      if (!text) throw error_at(p / i, "\"" + key + "\" must be a list of strings");
      out.push_back(*text);
    }
    return out;
  }
};

void parse_build(const Reader& r, ProjectFile& p) {
  const Pointer at("/build");
  const auto& node = *r.doc.value(at);
  if (node.is_null()) return;
  if (!node.is_object()) throw r.error_at(at, "\"build\" must be a mapping");
  auto& b = p.build;
  for (const auto& [key, value] : node.items()) {
    (void)value;
    const Pointer v = at / key;
    if (key == "sources")
      b.sources = r.string_list(v, "build.sources");
    else if (key == "include_dirs")
      b.include_dirs = r.string_list(v, "build.include_dirs");
    else if (key == "defines")
      b.defines = r.string_list(v, "build.defines");
    else if (key == "flags")
      b.flags = r.string_list(v, "build.flags");
    else if (key == "link_flags")
      b.link_flags = r.string_list(v, "build.link_flags");
    else if (key == "exports")
      b.exports = r.string_list(v, "build.exports");
    else if (key == "std")
      b.std = r.optional_scalar(v, "build.std");
    else if (key == "command")
      b.command = r.optional_scalar(v, "build.command");
    else if (key == "output")
      b.output = r.optional_scalar(v, "build.output");
    else if (key == "target")
      b.target = r.optional_scalar(v, "build.target");
    else
      p.warnings.push_back(r.doc.where_key(v) + "unknown key \"build." + key + "\" (ignored)");
  }
}

ProjectFile parse_or_throw(std::string_view text, const std::string& label) {
  auto parsed = yaml::parse(text, label);
  if (!parsed) throw parsed.error();
  const yaml::Document& doc = *parsed;
  const Reader r{doc};
  const auto& root = doc.root();
  ProjectFile p;
  if (!root.is_object()) {
    if (root.is_null()) throw Error(Errc::parse, label + ": empty project file");
    throw r.error_at(Pointer(), "expected a mapping (name: ..., language: ...)");
  }
  bool have_language = false;
  bool have_root_id = false;
  for (const auto& [key, value] : root.items()) {
    const Pointer v = Pointer() / key;
    if (key == "name")
      p.name = r.scalar(v, key);
    else if (key == "version")
      p.version = r.scalar(v, key);
    else if (key == "language") {
      auto lang = parse_language(r.scalar(v, key));
      if (!lang)
        throw Error(Errc::parse, doc.where(v) + lang.error().message(), lang.error().hint());
      p.language = *lang;
      have_language = true;
    } else if (key == "root_id") {
      // `root_id: ""` is the empty root id (the official C++ SDK's default); `root_id:` is absent.
      have_root_id = !value.is_null();
      p.root_id = r.optional_scalar(v, key);
    } else if (key == "filter_type") {
      std::string t = r.optional_scalar(v, key);
      if (t != "http" && t != "network")
        throw r.error_at(v, "filter_type \"" + t.substr(0, 64) + "\" is not http or network");
      p.filter_type = t;
    } else if (key == "image")
      p.image = r.optional_scalar(v, key);
    else if (key == "description")
      p.description = r.optional_scalar(v, key);
    else if (key == "platform")
      p.platform = r.optional_scalar(v, key);
    else if (key == "platform_version")
      p.platform_version = r.optional_scalar(v, key);
    else if (key == "build")
      parse_build(r, p);
    else if (key == "config") {
      if (value.is_null())
        p.config.clear();
      else if (value.is_object() || value.is_array())
        p.config = value.dump();  // a YAML mapping is the JSON it spells
      else
        p.config = r.scalar(v, key);
    } else if (key == "tests")
      p.tests = r.string_list(v, key);
    else
      p.warnings.push_back(doc.where_key(v) + "unknown key \"" + key + "\" (ignored)");
  }
  if (p.name.empty())
    throw Error(Errc::parse, label + ": \"name\" is required", "add a line like: name: my-filter");
  if (!is_valid_name(p.name))
    throw r.error_at(Pointer("/name"),
                     "name \"" + p.name.substr(0, 200) +
                         "\" is not usable as an image name (lowercase letters, digits, and "
                         "single '.', '_' or '-' between them)");
  if (!have_language)
    throw Error(Errc::parse, label + ": \"language\" is required",
                "add a line like: language: cpp   (cpp, rust, assemblyscript or custom)");
  if (!have_root_id) p.root_id = root_id_from_name(p.name);
  if (!p.root_id.empty() && !is_valid_root_id(p.root_id))
    throw r.error_at(Pointer("/root_id"), "root_id \"" + p.root_id.substr(0, 200) +
                                              "\" may only hold letters, digits, '_', '.', '-'");
  if (p.language == Language::custom && (p.build.command.empty() || p.build.output.empty()))
    throw r.error_at(Pointer("/language"), "language: custom needs build.command and build.output");
  if (!p.config.empty()) {
    auto j = util::parse_json(p.config);
    if (!j)
      throw r.error_at(Pointer("/config"), "config is not valid JSON: " + j.error().message());
  }
  return p;
}

}  // namespace

Result<ProjectFile> ProjectFile::parse(std::string_view text, const std::string& label) {
  try {
    return parse_or_throw(text, label);
  } catch (const Error& e) {
    return fail(e);
  } catch (const nlohmann::json::exception& e) {
    return fail(Errc::parse, label + ": " + e.what());
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
