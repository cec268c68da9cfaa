#include "support/deps_check.hpp"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "ext/util/files.hpp"
#include "ext/util/strings.hpp"

namespace ext::test {

namespace fs = std::filesystem;

namespace {

struct ModuleRule {
  std::set<std::string> deps;
  std::set<std::string> clibs;
};

// The include forms each C library's headers take.
const std::map<std::string, std::regex>& clib_patterns() {
  static const std::map<std::string, std::regex> p = {
      {"openssl", std::regex(R"(^\s*#\s*include\s*[<"]openssl/)")},
      {"curl", std::regex(R"(^\s*#\s*include\s*[<"]curl/)")},
      {"archive", std::regex(R"(^\s*#\s*include\s*[<"]archive(_entry)?\.h[>"])")},
      {"wabt", std::regex(R"(^\s*#\s*include\s*[<"](wabt/|wasm-rt))")},
      {"yaml-cpp", std::regex(R"(^\s*#\s*include\s*[<"]yaml-cpp/)")},
      {"zlib", std::regex(R"(^\s*#\s*include\s*[<"]zlib\.h[>"])")},
      {"cpp-httplib", std::regex(R"(^\s*#\s*include\s*[<"]httplib\.h[>"])")},
  };
  return p;
}

std::map<std::string, ModuleRule> read_deps(const fs::path& file, std::vector<std::string>& out) {
  std::map<std::string, ModuleRule> rules;
  std::ifstream in(file);
  if (!in) {
    out.push_back("cannot read " + file.string());
    return rules;
  }
  static const std::regex line_re(R"(^\s*[0-9]+\s+([a-z_]+)\s*:([^|]*)\|(.*)$)");
  std::string line;
  while (std::getline(in, line)) {
    auto t = util::trim(line);
    if (t.empty() || t[0] == '#') continue;
    std::smatch m;
    if (!std::regex_match(line, m, line_re)) {
      out.push_back("lib/DEPS: cannot read line: " + line);
      continue;
    }
    ModuleRule r;
    std::istringstream deps(m[2].str()), clibs(m[3].str());
    for (std::string w; deps >> w;) r.deps.insert(w);
    for (std::string w; clibs >> w;) r.clibs.insert(w);
    rules[m[1].str()] = r;
  }
  return rules;
}

}  // namespace

std::vector<std::string> check_deps(const fs::path& root) {
  std::vector<std::string> out;
  auto rules = read_deps(root / "lib" / "DEPS", out);
  static const std::regex ext_include(R"(^\s*#\s*include\s*[<"]ext/([a-z_]+)/)");

  auto scan = [&](const fs::path& file, const std::string& module) {
    bool is_cpp = file.extension() == ".cpp" || file.extension() == ".cc";
    std::ifstream in(file);
    std::string line;
    int n = 0;
    auto rel = fs::relative(file, root).string();
    while (std::getline(in, line)) {
      ++n;
      std::smatch m;
      if (!module.empty() && std::regex_search(line, m, ext_include)) {
        auto target = m[1].str();
        if (target != module && !rules[module].deps.count(target))
          out.push_back(rel + ":" + std::to_string(n) + ": " + module + " may not include " +
                        target + " (lib/DEPS)");
      }
      for (const auto& [lib, re] : clib_patterns()) {
        if (!std::regex_search(line, re)) continue;
        bool owner = !module.empty() && rules[module].clibs.count(lib);
        if (!owner)
          out.push_back(rel + ":" + std::to_string(n) + ": " + lib + " header outside its module");
        else if (!is_cpp)
          out.push_back(rel + ":" + std::to_string(n) + ": " + lib +
                        " header in a public header (only .cpp files may include it)");
      }
    }
  };

  fs::path lib = root / "lib" / "ext";
  if (fs::exists(lib)) {
    for (const auto& dir : fs::directory_iterator(lib)) {
      if (!dir.is_directory()) continue;
      auto module = dir.path().filename().string();
      if (!rules.count(module)) {
        out.push_back("lib/ext/" + module + " is not listed in lib/DEPS");
        continue;
      }
      for (const auto& f : fs::recursive_directory_iterator(dir.path()))
        if (f.is_regular_file()) scan(f.path(), module);
    }
  }
  if (fs::exists(root / "cli"))
    for (const auto& f : fs::recursive_directory_iterator(root / "cli"))
      if (f.is_regular_file()) scan(f.path(), "");
  return out;
}

namespace {

// The text with comments and string/char literals blanked (newlines kept, so lines count).
std::string code_only(const std::string& text) {
  std::string out = text;
  enum { code, line_comment, block_comment, string, character, raw } st = code;
  std::string raw_end;
  for (size_t i = 0; i < out.size(); ++i) {
    char c = out[i];
    char next = i + 1 < out.size() ? out[i + 1] : '\0';
    switch (st) {
      case code:
        if (c == '/' && next == '/') {
          st = line_comment;
        } else if (c == '/' && next == '*') {
          st = block_comment;
          out[i++] = ' ';
        } else if (c == 'R' && next == '"' &&
                   (i == 0 ||
                    !(std::isalnum(static_cast<unsigned char>(out[i - 1])) || out[i - 1] == '_'))) {
          auto paren = out.find('(', i + 2);
          if (paren == std::string::npos) break;
          raw_end = ")" + out.substr(i + 2, paren - i - 2) + "\"";
          st = raw;
          i = paren;
          continue;
        } else if (c == '"') {
          st = string;
          continue;
        } else if (c == '\'' && !(i > 0 && std::isxdigit(static_cast<unsigned char>(out[i - 1])))) {
          st = character;
          continue;
        } else {
          continue;
        }
        break;
      case line_comment:
        if (c == '\n') {
          st = code;
          continue;
        }
        break;
      case block_comment:
        if (c == '*' && next == '/') {
          out[i++] = ' ';
          st = code;
        }
        break;
      case string:
      case character:
        if (c == '\\') {
          out[i++] = ' ';
        } else if (c == (st == string ? '"' : '\'')) {
          st = code;
          continue;
        }
        break;
      case raw:
        if (out.compare(i, raw_end.size(), raw_end) == 0) {
          i += raw_end.size() - 1;
          st = code;
          continue;
        }
        break;
    }
    if (out[i] != '\n') out[i] = ' ';
  }
  return out;
}

bool ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
}

}  // namespace

std::vector<std::string> check_environment_reads(
    const fs::path& root, const std::map<std::string, std::string>& allowed) {
  static const char* const k_names[] = {"getenv", "secure_getenv", "setenv", "unsetenv",
                                        "putenv", "clearenv",      "environ"};
  std::vector<std::string> out;
  fs::path lib = root / "lib" / "ext";
  if (!fs::exists(lib)) return out;
  std::vector<fs::path> files;
  for (const auto& f : fs::recursive_directory_iterator(lib)) {
    auto ext = f.path().extension();
    if (f.is_regular_file() && (ext == ".cpp" || ext == ".hpp" || ext == ".h" || ext == ".cc"))
      files.push_back(f.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& file : files) {
    auto rel = fs::relative(file, root).generic_string();
    if (allowed.count(rel)) continue;
    auto text = code_only(util::read_file(file));
    int line = 1;
    for (size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\n') {
        ++line;
        continue;
      }
      if (i > 0 && ident_char(text[i - 1])) continue;
      for (const char* name : k_names) {
        size_t n = std::strlen(name);
        if (text.compare(i, n, name) != 0) continue;
        if (i + n < text.size() && ident_char(text[i + n])) continue;
        out.push_back(rel + ":" + std::to_string(line) + ": reads the environment (" + name +
                      "); take it from ops::Env's environment (cli/ reads it once)");
      }
    }
  }
  return out;
}

}  // namespace ext::test
