#include "ext/project/project_file.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>

#include "ext/util/files.hpp"
#include "ext/util/json.hpp"
#include "ext/util/strings.hpp"
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

bool is_valid_keyword(std::string_view k) {
  if (k.empty() || k.size() > k_max_keyword) return false;
  for (size_t i = 0; i < k.size(); ++i) {
    char c = k[i];
    bool alnum = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
    if (alnum) continue;
    if (i == 0 || (c != '.' && c != '_' && c != '+' && c != '-')) return false;
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

// Every key ext.yaml knows (docs/ext-yaml.md documents each one), top level and under build:.
const std::vector<std::string>& top_keys() {
  static const std::vector<std::string> k = {
      "name",        "version", "language", "root_id",          "filter_type", "image",
      "description", "authors", "license",  "homepage",         "source",      "documentation",
      "keywords",    "readme",  "platform", "platform_version", "build",       "config",
      "tests"};
  return k;
}
const std::vector<std::string>& build_keys() {
  static const std::vector<std::string> k = {"sources",    "include_dirs", "defines", "flags",
                                             "link_flags", "exports",      "std",     "command",
                                             "output",     "target",       "offline"};
  return k;
}

// The known key nearest to `key` ("" when none is close): at most 2 edits, or a third of the
// key's length for long keys.
std::string nearest_key(std::string_view key, const std::vector<std::string>& known) {
  constexpr size_t k_cap = 64;
  if (key.size() > k_cap) return {};
  std::string best;
  size_t best_d = std::max<size_t>(2, key.size() / 3) + 1;
  for (const auto& k : known) {
    size_t d = util::edit_distance(key, k);
    if (d < best_d) {
      best_d = d;
      best = k;
    }
  }
  return best;
}

bool contains(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

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

// A metadata string: a scalar (not a list or mapping), at most `cap` bytes, no control
// characters other than newline and tab in a description.
std::string meta_text(const Reader& r, const Pointer& p, const std::string& key, size_t cap) {
  const auto& v = *r.doc.value(p);
  if (v.is_null()) return {};
  if (!v.is_string()) throw r.error_at(p, "\"" + key + "\" must be a string");
  std::string s = v.get<std::string>();
  if (s.size() > cap)
    throw r.error_at(p, "\"" + key + "\" is " + std::to_string(s.size()) +
                            " bytes, over the limit of " + std::to_string(cap));
  for (char c : s)
    if (static_cast<unsigned char>(c) < 0x20 && !(key == "description" && (c == '\n' || c == '\t')))
      throw r.error_at(p, "\"" + key + "\" holds a control character");
  return s;
}

std::string meta_url(const Reader& r, const Pointer& p, const std::string& key) {
  std::string s = meta_text(r, p, key, k_max_url);
  if (s.empty()) return s;
  if (s.rfind("https://", 0) != 0 && s.rfind("http://", 0) != 0)
    throw r.error_at(p, "\"" + key + "\" must be an http(s) URL, got \"" + s.substr(0, 80) + "\"");
  for (char c : s)
    if (c == ' ' || c == '\n' || c == '\t')
      throw r.error_at(p, "\"" + key + "\" must be a URL without spaces");
  return s;
}

std::vector<std::string> meta_authors(const Reader& r, const Pointer& p) {
  const auto& v = *r.doc.value(p);
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (v.is_string()) {
    out.push_back(meta_text(r, p, "authors", k_max_meta_field));
    return out;
  }
  if (!v.is_array()) throw r.error_at(p, "\"authors\" must be a list of strings");
  if (v.size() > k_max_authors)
    throw r.error_at(p, "\"authors\" lists " + std::to_string(v.size()) +
                            " entries, over the limit of " + std::to_string(k_max_authors));
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string()) throw r.error_at(p / i, "\"authors\" must be a list of strings");
    out.push_back(meta_text(r, p / i, "authors", k_max_meta_field));
  }
  return out;
}

// keywords: a YAML list of keywords. A comma- or space-separated string is the usual mistake:
// it is refused with the list it should have been.
std::vector<std::string> meta_keywords(const Reader& r, const Pointer& p) {
  const auto& v = *r.doc.value(p);
  std::vector<std::string> out;
  if (v.is_null()) return out;
  if (!v.is_array()) {
    std::string shown = v.is_string() ? v.get<std::string>().substr(0, 80) : v.dump().substr(0, 80);
    throw r.error_at(
        p, "\"keywords\" must be a list of keywords, got " +
               std::string(v.is_string() ? "the string \"" + shown + "\"" : v.type_name()) +
               " (write: keywords: [auth, jwt])");
  }
  if (v.size() > k_max_keywords)
    throw r.error_at(p, "\"keywords\" lists " + std::to_string(v.size()) +
                            " keywords, over the limit of " + std::to_string(k_max_keywords));
  std::set<std::string> seen;
  for (size_t i = 0; i < v.size(); ++i) {
    if (!v[i].is_string())
      throw r.error_at(
          p / i, "keyword " + std::to_string(i + 1) + " is " + v[i].type_name() + ", not a string");
    std::string k = v[i].get<std::string>();
    if (!is_valid_keyword(k))
      throw r.error_at(p / i, "keyword \"" + k.substr(0, 80) +
                                  "\" is not a keyword (1 to 64 lowercase letters, digits, '.', "
                                  "'_', '+', '-'; no spaces or commas)");
    if (seen.insert(k).second) out.push_back(k);
  }
  return out;
}

// An unknown key is an error naming it, where it is, and the known key nearest to it: the same
// name at the other level first (a top-level `sources:` is build.sources, not a misspelled
// `source:`), else the nearest at the same level.
[[noreturn]] void unknown_key(const Reader& r, const Pointer& at, const std::string& shown,
                              const std::string& key, const std::vector<std::string>& here,
                              const std::vector<std::string>& other,
                              const std::string& other_name) {
  std::string near;
  if (contains(other, key))
    near = other_name.empty() ? " (did you mean \"" + key + "\" at the top level?)"
                              : " (did you mean \"" + other_name + key + "\"?)";
  else if (auto k = nearest_key(key, here); !k.empty())
    near = " (did you mean \"" + k + "\"?)";
  throw Error(Errc::parse,
              r.doc.where_key(at) + "unknown key \"" + shown.substr(0, 80) + "\"" + near,
              "docs/ext-yaml.md lists every key; keys that start with x- are yours (e.g. an "
              "anchor to reuse)");
}

void parse_build(const Reader& r, ProjectFile& p) {
  const Pointer at("/build");
  const auto& node = *r.doc.value(at);
  if (node.is_null()) return;
  if (!node.is_object()) throw r.error_at(at, "\"build\" must be a mapping");
  auto& b = p.build;
  for (const auto& [key, value] : node.items()) {
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
    else if (key == "offline") {
      if (!value.is_boolean() && !value.is_null())
        throw r.error_at(v, "\"build.offline\" must be true or false");
      b.offline = value.is_boolean() && value.get<bool>();
    } else
      unknown_key(r, v, "build." + key, key, build_keys(), top_keys(), "");
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
      p.description = meta_text(r, v, key, k_max_description);
    else if (key == "authors")
      p.authors = meta_authors(r, v);
    else if (key == "license")
      p.license = meta_text(r, v, key, k_max_meta_field);
    else if (key == "homepage" || key == "source" || key == "documentation")
      (key == "homepage" ? p.homepage
       : key == "source" ? p.source
                         : p.documentation) = meta_url(r, v, key);
    else if (key == "keywords")
      p.keywords = meta_keywords(r, v);
    else if (key == "readme") {
      p.readme = meta_text(r, v, key, k_max_meta_field);
      if (p.readme.rfind('/', 0) == 0 || p.readme.find("..") != std::string::npos)
        throw r.error_at(v, "\"readme\" must be a path inside the project");
    } else if (key == "platform")
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
    else if (key.rfind("x-", 0) != 0)  // x-*: the user's own (e.g. a YAML anchor to reuse)
      unknown_key(r, v, key, key, top_keys(), build_keys(), "build.");
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

std::vector<std::string> known_keys() {
  std::vector<std::string> out = top_keys();
  for (const auto& k : build_keys()) out.push_back("build." + k);
  return out;
}

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
