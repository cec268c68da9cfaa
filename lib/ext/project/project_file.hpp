// ext::project — ProjectFile: the `ext.yaml` of a filter project (docs/ext-yaml.md),
// parsed with ext::yaml (limits on size, depth, aliases); every error names the file, line and
// column. Strict, like test specs: an unknown key is an error naming the nearest known key
// (keys that start with `x-` are the user's own). Also the name rules `ext init` and `ext build`
// share (a name must work as an image name and a root id). Owns: the project model. Must not use:
// anything above core/util/yaml.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"

namespace ext::project {

enum class Language { cpp, rust, assemblyscript, custom };
const char* to_string(Language l);
Result<Language> parse_language(std::string_view name);

// `build:` — language specific, all optional.
struct BuildSection {
  std::vector<std::string> sources;       // cpp: translation units; assemblyscript: the entry file
  std::vector<std::string> include_dirs;  // cpp: -I folders
  std::vector<std::string> defines;       // cpp: -D NAME[=VALUE]
  std::vector<std::string> flags;         // cpp/assemblyscript: compiler flags; rust: cargo args
  std::vector<std::string> link_flags;    // cpp: extra linker flags (-Wl,...)
  std::vector<std::string> exports;       // cpp: extra symbols to export
  std::string std;                        // cpp: language standard (default c++17)
  std::string command;                    // custom: a shell command that writes `output`
  std::string output;                     // custom: the module it writes; cpp/rust: copy to
  std::string target;                     // rust: target triple override
  bool offline = false;                   // rust: cargo --offline (crates fetched beforehand)
};

struct ProjectFile {
  std::string name;
  std::string version = "0.1.0";
  Language language = Language::cpp;
  // The root id the filter registers its root context under. Absent: from the name ('-' and '.'
  // turned into '_'); `root_id: ""` keeps the empty root id (the official C++ SDK's default).
  std::string root_id;
  std::string filter_type;  // "http" | "network" | "" (not declared)
  std::string image;        // optional default repository for `ext build`
  // Metadata that travels with the image (docs/discovery.md): written by `ext build` as the
  // org.opencontainers.image.* annotations (OCI image-spec v1.1.1 annotations.md) and, for the
  // keywords, ext.dev/keywords. Strict types and size caps (k_max_* below).
  std::string description;
  std::vector<std::string> authors;  // "Name <mail>" each; a single string is a list of one
  std::string license;               // an SPDX expression
  std::string homepage;              // http(s) URLs
  std::string source;
  std::string documentation;
  std::vector<std::string> keywords;  // a YAML list of [a-z0-9][a-z0-9._+-]*, lowercase
  std::string readme;    // the file pushed as a referrer (relative); "": README.md when present
  std::string platform;  // envoy | istio | gloo (informative; deploy default)
  std::string platform_version;
  BuildSection build;
  std::string config;  // default plugin configuration (JSON text)
  std::vector<std::string> tests;

  // `label` names the file in messages ("ext.yaml", "/path/ext.yaml").
  static Result<ProjectFile> parse(std::string_view text, const std::string& label = "ext.yaml");
};

inline constexpr const char* k_project_file_name = "ext.yaml";

// Every key the parser knows: top-level ones ("name") and build ones ("build.sources").
std::vector<std::string> known_keys();

// Caps on the metadata keys (bytes): an annotation travels in every manifest fetch.
inline constexpr size_t k_max_description = 4096;
inline constexpr size_t k_max_meta_field = 1024;  // license, each author
inline constexpr size_t k_max_url = 2048;
inline constexpr size_t k_max_authors = 32;
inline constexpr size_t k_max_keywords = 32;
inline constexpr size_t k_max_keyword = 64;

// A keyword: 1..64 of lowercase letters, digits and '.', '_', '+', '-', starting with a letter
// or digit (no spaces or commas: the annotation joins them with ',').
bool is_valid_keyword(std::string_view k);

// Reads DIR/ext.yaml; Error(not_found) with a hint when there is none.
Result<ProjectFile> load_project(const std::filesystem::path& dir);

// An image-name component: lowercase letters and digits separated by single '.', '_', '-'
// (or "__"), starting and ending with a letter or digit, at most 128 characters.
bool is_valid_name(std::string_view name);
// A root id: 1..128 of [A-Za-z0-9_.-] (usable in C++/Rust string literals and YAML unquoted).
bool is_valid_root_id(std::string_view id);
// name -> root id: '-' and '.' become '_'.
std::string root_id_from_name(std::string_view name);

}  // namespace ext::project
