// ext::scaffold — project templates for `ext init`: where they come from (embedded into the
// binary from templates/ at build time, or a folder named by EXT_TEMPLATES_DIR laid out the
// same way) and how their files are rendered ({{name}}, {{root_id}}, ...).
// A template is templates/<language>/<name>/ holding template.json ({"language", "kind" (http |
// network), "sdk", "description", "include": [{"from": "_shared/x", "to": "sdk"}]}) and the
// project files (docs/languages.md). Folders whose name
// starts with '_' are shared material, not templates.
// Owns: template discovery and rendering. Must not use: the filesystem beyond reading a
// template folder (writing the project is ops::init's job), yaml-cpp, anything above project.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ext/core/result.hpp"

namespace ext::scaffold {

struct TemplateInfo {
  std::string id;        // "cpp/http-filter"
  std::string language;  // "cpp"
  std::string name;      // "http-filter"
  std::string kind;      // "http" | "network" | "" (not declared)
  std::string sdk;       // "proxy-wasm crate 0.2 (crates.io)"
  std::string description;
};

struct TemplateFile {
  std::string path;  // relative to the project root, '/'-separated
  std::string data;
  bool executable = false;
};

// A set of templates read from a tree of files (path relative to the templates root -> bytes).
class TemplateSource {
 public:
  virtual ~TemplateSource() = default;
  // Sorted by id.
  std::vector<TemplateInfo> list() const;
  // Finds a template by id ("cpp/http-filter") or by name within a language ("http-filter" with
  // language "cpp"; with no language, the name must be unique). Error(not_found) naming the
  // templates there are.
  Result<TemplateInfo> find(std::string_view name, std::string_view language = {}) const;
  // The template's files (template.json left out, includes resolved), not yet rendered.
  Result<std::vector<TemplateFile>> files(const std::string& id) const;
  // "embedded" or the folder.
  virtual std::string origin() const = 0;

 protected:
  struct Entry {
    std::string data;
    bool executable = false;
  };
  // Every file of the tree, by relative path.
  virtual const std::map<std::string, Entry>& tree() const = 0;
};

// The templates compiled into the binary (templates/ at build time).
class EmbeddedTemplates final : public TemplateSource {
 public:
  EmbeddedTemplates();
  std::string origin() const override { return "embedded"; }

 protected:
  const std::map<std::string, Entry>& tree() const override { return m_tree; }

 private:
  std::map<std::string, Entry> m_tree;
};

// A folder laid out like templates/ (for template authors: EXT_TEMPLATES_DIR).
class DirectoryTemplates final : public TemplateSource {
 public:
  // Reads the whole tree now; Error(not_found) when the folder does not exist.
  explicit DirectoryTemplates(std::filesystem::path root);
  std::string origin() const override { return m_root.string(); }

 protected:
  const std::map<std::string, Entry>& tree() const override { return m_tree; }

 private:
  std::filesystem::path m_root;
  std::map<std::string, Entry> m_tree;
};

// The folder `templates_dir` names (EXT_TEMPLATES_DIR, which cli/ reads) when not empty, else
// the embedded templates.
std::unique_ptr<TemplateSource> default_template_source(const std::string& templates_dir);

// Replaces {{key}} with vars[key] for every known key; other text (including unknown {{x}})
// is left as it is.
std::string render(std::string_view text, const std::map<std::string, std::string>& vars);

}  // namespace ext::scaffold
