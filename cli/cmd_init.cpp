// ext init [DIR] [--language cpp|rust|assemblyscript] [--template NAME] [--name NAME] [--root-id
// ID]
//          [--platform envoy|istio|gloo] [--platform-version V] [--no-prompt] [--force]
// ext init --list-templates
// On a terminal, choices the flags leave open are asked (numbered menus); with --no-prompt or
// without a terminal the defaults apply. The work is ops::init.
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <sstream>

#include "commands.hpp"
#include "ext/core/error.hpp"
#include "ext/ops/init.hpp"
#include "ext/project/project_file.hpp"
#include "ext/util/strings.hpp"
#include "prompt.hpp"

namespace ext::cli {
namespace {

struct InitFlags {
  std::string dir;
  std::string language;
  std::string template_name;
  std::string name;
  std::string root_id;
  std::string platform;
  std::string platform_version;
  bool no_prompt = false;
  bool force = false;
  bool list = false;
};

// Reads one line from stdin; Error(interrupted) at end of input and on the first Ctrl-C.
std::string read_line() {
  return std::string(util::trim(read_terminal_line()));
}

// A numbered menu on stderr; Enter picks the default.
std::string choose(const std::string& question, const std::vector<std::string>& options,
                   const std::vector<std::string>& labels, size_t default_index) {
  for (;;) {
    std::cerr << question << "\n";
    for (size_t i = 0; i < options.size(); ++i)
      std::cerr << "  " << (i + 1) << ") " << labels[i] << (i == default_index ? "  [default]" : "")
                << "\n";
    std::cerr << "choice [" << (default_index + 1) << "]: " << std::flush;
    auto answer = read_line();
    if (answer.empty()) return options[default_index];
    for (size_t i = 0; i < options.size(); ++i)
      if (answer == options[i]) return options[i];
    char* end = nullptr;
    long n = std::strtol(answer.c_str(), &end, 10);
    if (end && *end == '\0' && n >= 1 && static_cast<size_t>(n) <= options.size())
      return options[static_cast<size_t>(n - 1)];
    std::cerr << "please answer 1-" << options.size() << "\n";
  }
}

std::string ask(const std::string& question, const std::string& fallback,
                bool (*valid)(std::string_view), const std::string& rule) {
  for (;;) {
    std::cerr << question << " [" << fallback << "]: " << std::flush;
    auto answer = read_line();
    if (answer.empty()) answer = fallback;
    if (valid(answer)) return answer;
    std::cerr << "\"" << answer << "\" is not valid: " << rule << "\n";
  }
}

void prompt_missing(InitFlags& f, ops::Env& env) {
  auto templates = ops::list_templates(env);
  if (f.language.empty() && f.template_name.find('/') == std::string::npos) {
    std::vector<std::string> langs;
    for (const auto& t : templates)
      if (std::find(langs.begin(), langs.end(), t.language) == langs.end())
        langs.push_back(t.language);
    if (langs.size() > 1) {
      auto def = std::find(langs.begin(), langs.end(), ops::k_default_language) - langs.begin();
      f.language = choose("Language?", langs, langs,
                          static_cast<size_t>(def) < langs.size() ? static_cast<size_t>(def) : 0);
    } else if (!langs.empty()) {
      f.language = langs.front();
    }
  }
  if (f.template_name.empty()) {
    std::vector<std::string> ids, labels;
    size_t def = 0;
    for (const auto& t : templates) {
      if (!f.language.empty() && t.language != f.language) continue;
      if (t.name == ops::k_default_template) def = ids.size();
      ids.push_back(t.id);
      labels.push_back(t.id + (t.description.empty() ? "" : " — " + t.description));
    }
    if (ids.size() > 1)
      f.template_name = choose("Template?", ids, labels, def);
    else if (!ids.empty())
      f.template_name = ids.front();
  }
  if (f.name.empty()) {
    std::string fallback = "my-filter";
    if (!f.dir.empty()) {
      auto base = std::filesystem::absolute(f.dir).lexically_normal().filename().string();
      if (base.empty())
        base = std::filesystem::absolute(f.dir).lexically_normal().parent_path().filename();
      if (project::is_valid_name(base)) fallback = base;
    }
    f.name = ask("Filter name (image name)?", fallback, &project::is_valid_name,
                 "lowercase letters and digits, separated by '.', '_' or '-'");
  }
}

void setup_init(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<InitFlags>();
  auto* cmd = app.add_subcommand("init", "Create a filter project from a template");
  examples(cmd,
           {"ext init my-filter                          # C++ HTTP filter in ./my-filter",
            "ext init my-filter -l rust --no-prompt",
            "ext init --template network-filter --platform istio", "ext init --list-templates"});
  cmd->add_option("dir", flags->dir, "Project folder (created; default: ./NAME, or . )");
  cmd->add_option("-l,--language", flags->language, "cpp, rust or assemblyscript");
  cmd->add_option("--template", flags->template_name,
                  "Template: http-filter, network-filter, or LANG/NAME (see --list-templates)");
  cmd->add_option("--name", flags->name, "Filter name (image name; default: the folder name)");
  cmd->add_option("--root-id", flags->root_id, "Root id (default: the name with '_' for '-')");
  cmd->add_option("--platform", flags->platform, "envoy (default), istio or gloo")
      ->check(CLI::IsMember({"envoy", "istio", "gloo"}));
  cmd->add_option("--platform-version", flags->platform_version, "Platform version");
  cmd->add_flag("--no-prompt", flags->no_prompt, "Never ask; use defaults for what is missing");
  cmd->add_flag("--force", flags->force, "Write into a folder that is not empty");
  cmd->add_flag("--list-templates", flags->list,
                "List the templates (language, kind, SDK, toolchain and whether it is installed)");
  cmd->callback([flags, &ctx] {
    auto env = ctx.env();
    if (flags->list) {
      auto list = ops::list_templates(env, /*detect=*/true);
      nlohmann::json j = nlohmann::json::array();
      std::ostringstream human;
      for (const auto& t : list) {
        nlohmann::json toolchain = {
            {"needs", t.toolchain}, {"found", t.toolchain_found}, {"status", t.toolchain_status}};
        if (!t.toolchain_hint.empty()) toolchain["hint"] = t.toolchain_hint;
        j.push_back({{"id", t.id},
                     {"language", t.language},
                     {"name", t.name},
                     {"kind", t.kind},
                     {"sdk", t.sdk},
                     {"description", t.description},
                     {"toolchain", toolchain}});
        human << t.id << "  (" << t.language << ", " << (t.kind.empty() ? "?" : t.kind) << ")";
        if (!t.description.empty()) human << "  " << t.description;
        human << "\n";
        if (!t.sdk.empty()) human << "    sdk:        " << t.sdk << "\n";
        if (!t.toolchain.empty()) human << "    toolchain:  " << t.toolchain << "\n";
        human << "    found:      " << (t.toolchain_found ? "yes, " : "NO, ") << t.toolchain_status
              << "\n";
        if (!t.toolchain_found && !t.toolchain_hint.empty())
          human << "    install:    " << t.toolchain_hint << "\n";
      }
      ctx.emit("templates", {{"templates", j}}, human.str());
      return;
    }
    bool interactive = !flags->no_prompt && !ctx.globals.json && ::isatty(0) && ::isatty(2);
    if (interactive) prompt_missing(*flags, env);

    ops::InitOptions o;
    o.dir = flags->dir;
    if (o.dir.empty()) o.dir = flags->name.empty() ? "." : flags->name;
    o.language = flags->language;
    o.template_name = flags->template_name;
    o.name = flags->name;
    o.root_id = flags->root_id;
    o.platform = flags->platform;
    o.platform_version = flags->platform_version;
    o.force = flags->force;
    auto r = ops::init(o, env);

    nlohmann::json j = {{"dir", r.dir.string()},
                        {"template", r.template_id},
                        {"language", r.language},
                        {"name", r.name},
                        {"root_id", r.root_id},
                        {"platform", r.platform},
                        {"platform_version", r.platform_version},
                        {"files", r.files},
                        {"templates", r.templates_origin}};
    std::ostringstream human;
    human << "Created " << r.name << " (" << r.template_id << ", root id " << r.root_id << ") in "
          << r.dir.string() << "\n";
    for (const auto& f : r.files) human << "  " << f << "\n";
    auto rel = std::filesystem::relative(r.dir).string();
    human << "Next:\n";
    if (!rel.empty() && rel != ".") human << "  cd " << util::shell_quote({rel}) << "\n";
    human << "  ext build -t " << r.name << ":dev   # compile, validate, package\n"
          << "  ext test                      # run tests/*.test.yaml in the built-in host\n";
    ctx.emit("init", j, human.str());
  });
}

}  // namespace
EXT_COMMAND(init, 5, setup_init)
}  // namespace ext::cli
