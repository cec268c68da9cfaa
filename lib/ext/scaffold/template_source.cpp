#include "ext/scaffold/template_source.hpp"

#include <sys/stat.h>

#include <nlohmann/json.hpp>

#include "ext/util/embedded.hpp"
#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"

// Generated from templates/ (templates/CMakeLists.txt, cmake/embed.cmake).
EXT_EMBEDDED_FILES(ext::scaffold::detail)

namespace ext::scaffold {

namespace {

constexpr const char* k_meta = "template.json";

struct Meta {
  std::string language;
  std::string kind;
  std::string sdk;
  std::string description;
  std::vector<std::pair<std::string, std::string>> includes;  // from, to
};

Result<Meta> parse_meta(const std::string& id, const std::string& text) {
  auto j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object())
    return fail(Errc::parse, "template " + id + ": template.json is not a JSON object");
  Meta m;
  // A member that is not a string reads as absent (json::value would throw).
  auto str = [&](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  m.language = str("language");
  m.description = str("description");
  m.kind = str("kind");
  m.sdk = str("sdk");
  if (!m.kind.empty() && m.kind != "http" && m.kind != "network")
    return fail(Errc::parse, "template " + id + ": template.json \"kind\" must be http or network");
  if (j.contains("include")) {
    if (!j["include"].is_array())
      return fail(Errc::parse, "template " + id + ": template.json \"include\" must be a list");
    for (const auto& inc : j["include"]) {
      if (!inc.is_object() || !inc.contains("from") || !inc["from"].is_string())
        return fail(Errc::parse,
                    "template " + id + ": each include needs {\"from\": ..., \"to\": ...}");
      m.includes.emplace_back(inc["from"].get<std::string>(), inc.value("to", ""));
    }
  }
  return m;
}

// "cpp/http-filter/template.json" -> "cpp/http-filter" when the path is <lang>/<name>/meta.
std::optional<std::string> template_id_of_meta(const std::string& path) {
  auto parts = util::split(path, '/');
  if (parts.size() != 3 || parts[2] != k_meta) return std::nullopt;
  if (parts[0].empty() || parts[1].empty() || parts[0][0] == '_' || parts[1][0] == '_')
    return std::nullopt;
  return parts[0] + "/" + parts[1];
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

}  // namespace

std::vector<TemplateInfo> TemplateSource::list() const {
  std::vector<TemplateInfo> out;
  for (const auto& [path, entry] : tree()) {
    auto id = template_id_of_meta(path);
    if (!id) continue;
    TemplateInfo info;
    info.id = *id;
    auto slash = id->find('/');
    info.name = id->substr(slash + 1);
    auto meta = parse_meta(*id, entry.data);
    info.language = meta && !meta->language.empty() ? meta->language : id->substr(0, slash);
    if (meta) {
      info.description = meta->description;
      info.kind = meta->kind;
      info.sdk = meta->sdk;
    }
    out.push_back(std::move(info));
  }
  return out;  // the map is sorted, so ids are too
}

Result<TemplateInfo> TemplateSource::find(std::string_view name, std::string_view language) const {
  auto all = list();
  std::vector<TemplateInfo> matches;
  for (const auto& t : all) {
    if (t.id == name && (language.empty() || t.language == language)) return t;
    if (t.name == name && (language.empty() || t.language == language)) matches.push_back(t);
  }
  if (matches.size() == 1) return matches.front();
  std::vector<std::string> ids;
  for (const auto& t : all)
    if (language.empty() || t.language == language) ids.push_back(t.id);
  if (matches.size() > 1) {
    std::vector<std::string> m;
    for (const auto& t : matches) m.push_back(t.id);
    return fail(Errc::invalid_argument,
                "template \"" + std::string(name) + "\" is ambiguous: " + util::join(m, ", "),
                "name it fully, or add --language");
  }
  std::string what = "unknown template \"" + std::string(name) + "\"";
  if (!language.empty()) what += " for language " + std::string(language);
  return fail(Errc::not_found, what,
              ids.empty() ? "list them with `ext init --list-templates`"
                          : "available: " + util::join(ids, ", "));
}

Result<std::vector<TemplateFile>> TemplateSource::files(const std::string& id) const {
  const auto& t = tree();
  auto meta_it = t.find(id + "/" + k_meta);
  if (meta_it == t.end()) return fail(Errc::not_found, "unknown template \"" + id + "\"");
  auto meta = parse_meta(id, meta_it->second.data);
  if (!meta) return fail(meta.error());

  std::map<std::string, TemplateFile> out;  // by destination path; the template's own win
  for (const auto& [from, to] : meta->includes) {
    std::string prefix = from;
    if (!prefix.empty() && prefix.back() != '/') prefix += '/';
    bool any = false;
    for (const auto& [path, entry] : t) {
      if (!starts_with(path, prefix)) continue;
      any = true;
      std::string rel = path.substr(prefix.size());
      std::string dest = to.empty() ? rel : (to.back() == '/' ? to : to + "/") + rel;
      out[dest] = TemplateFile{dest, entry.data, entry.executable};
    }
    if (!any)
      return fail(Errc::not_found,
                  "template " + id + ": include \"" + from + "\" matches no template file");
  }
  std::string prefix = id + "/";
  for (const auto& [path, entry] : t) {
    if (!starts_with(path, prefix)) continue;
    std::string rel = path.substr(prefix.size());
    if (rel == k_meta) continue;
    out[rel] = TemplateFile{rel, entry.data, entry.executable};
  }
  std::vector<TemplateFile> files;
  for (auto& [_, f] : out) files.push_back(std::move(f));
  return files;
}

EmbeddedTemplates::EmbeddedTemplates() {
  for (const auto& f : detail::embedded_files()) {
    Entry e;
    e.data = f.text();
    // Scripts in templates are marked by their shebang (the build keeps no file modes).
    e.executable = e.data.rfind("#!", 0) == 0;
    m_tree.emplace(f.path, std::move(e));
  }
}

DirectoryTemplates::DirectoryTemplates(std::filesystem::path root) : m_root(std::move(root)) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (!fs::is_directory(m_root, ec))
    throw Error(Errc::not_found, "templates folder " + m_root.string() + " does not exist",
                "EXT_TEMPLATES_DIR must name a folder laid out like templates/ in the sources");
  for (auto it = fs::recursive_directory_iterator(m_root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    auto rel = fs::relative(it->path(), m_root, ec).generic_string();
    if (rel == "CMakeLists.txt" || rel == "embed.cmake") continue;
    Entry e;
    e.data = util::read_file(it->path(), 16u << 20);
    struct stat st {};
    e.executable = ::stat(it->path().c_str(), &st) == 0 && (st.st_mode & S_IXUSR);
    m_tree.emplace(rel, std::move(e));
  }
  if (ec)
    throw Error(Errc::io, "reading templates folder " + m_root.string() + ": " + ec.message());
}

std::unique_ptr<TemplateSource> default_template_source(const std::string& templates_dir) {
  if (!templates_dir.empty()) return std::make_unique<DirectoryTemplates>(templates_dir);
  return std::make_unique<EmbeddedTemplates>();
}

std::string render(std::string_view text, const std::map<std::string, std::string>& vars) {
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  while (pos < text.size()) {
    auto open = text.find("{{", pos);
    if (open == std::string_view::npos) break;
    auto close = text.find("}}", open + 2);
    if (close == std::string_view::npos) break;
    std::string key(util::trim(text.substr(open + 2, close - open - 2)));
    auto it = vars.find(key);
    if (it == vars.end()) {  // not ours ("{{" in code): keep one brace, look again after it
      out.append(text.substr(pos, open + 1 - pos));
      pos = open + 1;
      continue;
    }
    out.append(text.substr(pos, open - pos));
    out += it->second;
    pos = close + 2;
  }
  out.append(text.substr(pos));
  return out;
}

}  // namespace ext::scaffold
