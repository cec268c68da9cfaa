#include "support/deps_check.hpp"

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

}  // namespace ext::test
