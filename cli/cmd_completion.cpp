// ext completion bash|zsh|fish: a completion script generated from the command tree, so it
// always matches the verbs, subcommands, flags and enumerated values this binary has. Local
// references come from the hidden verb `ext __refs` (one stored name a line) when the script
// runs; files come from the shell.
//
// What completes where (tests/e2e/completion_test.cpp types these into real shells):
//   ext <TAB>                      verbs                 ext deploy <TAB>     envoy istio gloo
//   ext build --format <TAB>       oci compat cncf       ext init --language  the languages
//   ext init --template <TAB>      the template ids      ext push <TAB>       stored references
//   ext build -<TAB>               that verb's flags     ext validate <TAB>   references, files
#include <set>
#include <sstream>

#include "commands.hpp"
#include "ext/core/error.hpp"
#include "ext/ops/init.hpp"
#include "ext/ops/list.hpp"

namespace ext::cli {
namespace {

struct OptionInfo {
  std::vector<std::string> names;   // "--tag", "-t"
  bool takes_value = false;         // an option (not a flag)
  std::vector<std::string> values;  // enumerated values, when there are
};

struct CommandNode {
  std::string path;  // "" (ext), "build", "deploy envoy"
  std::string description;
  std::vector<std::string> children;         // subcommand names
  std::vector<OptionInfo> options;           // flags and options
  std::vector<std::string> positional_enum;  // values of an enumerated positional
  bool refs = false;                         // positionals take local references
  bool files = true;                         // positionals take files
};

// CLI11 writes an IsMember check into the type name as "TEXT:{a,b,c}".
std::vector<std::string> enum_values(const CLI::Option& opt) {
  std::vector<std::string> out;
  auto type = opt.get_type_name();
  auto open = type.find(":{");
  auto close = type.find('}', open == std::string::npos ? 0 : open);
  if (open == std::string::npos || close == std::string::npos) return out;
  std::string item;
  for (char c : type.substr(open + 2, close - open - 2)) {
    if (c == ',') {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (c != ' ') {
      item += c;
    }
  }
  if (!item.empty()) out.push_back(item);
  return out;
}

// Values that no IsMember check lists: the languages and templates `ext init` offers (the
// embedded templates), and the deploy targets' enumerations that are checked later.
std::vector<std::string> extra_values(const std::string& path, const std::string& flag,
                                      const std::vector<ops::TemplateEntry>& templates) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  auto add = [&](const std::string& v) {
    if (seen.insert(v).second) out.push_back(v);
  };
  if (path == "init" && flag == "--language")
    for (const auto& t : templates) add(t.language);
  if (path == "init" && flag == "--template") {
    for (const auto& t : templates) add(t.name);
    for (const auto& t : templates) add(t.id);
  }
  if (path == "deploy envoy" && flag == "--runtime")
    for (const char* v : {"v8", "wamr", "wasmtime"}) add(v);
  if (path == "deploy istio" && flag == "--phase")
    for (const char* v : {"AUTHN", "AUTHZ", "STATS"}) add(v);
  if (path == "deploy istio" && flag == "--pull-policy")
    for (const char* v : {"IfNotPresent", "Always"}) add(v);
  if (path == "deploy gloo" && flag == "--predicate")
    for (const char* v : {"before", "during", "after"}) add(v);
  return out;
}

// Verbs whose positionals name images in the local store; of those, the ones that take only
// references (no files).
const std::set<std::string> k_ref_verbs = {"push",   "tag",          "rm",          "inspect",
                                           "export", "validate",     "test",        "deploy envoy",
                                           "pull",   "deploy istio", "deploy gloo", "discover"};
const std::set<std::string> k_refs_only = {"push", "tag", "rm", "export", "discover"};

bool visible(const CLI::App* app) {
  return !app->get_group().empty();
}

void collect(CLI::App& app, const std::string& path,
             const std::vector<ops::TemplateEntry>& templates, std::vector<CommandNode>& out) {
  CommandNode node;
  node.path = path;
  node.description = app.get_description();
  for (const auto* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    if (opt->get_lnames().empty() && opt->get_snames().empty()) {
      if (opt->get_positional()) {
        auto v = enum_values(*opt);
        node.positional_enum.insert(node.positional_enum.end(), v.begin(), v.end());
      }
      continue;
    }
    OptionInfo o;
    for (const auto& l : opt->get_lnames()) o.names.push_back("--" + l);
    for (const auto& s : opt->get_snames()) o.names.push_back("-" + s);
    o.takes_value = opt->get_expected_max() != 0;  // a flag expects no value
    if (o.takes_value) {
      o.values = enum_values(*opt);
      for (const auto& n : o.names)
        for (const auto& v : extra_values(path, n, templates)) o.values.push_back(v);
    }
    node.options.push_back(std::move(o));
  }
  node.refs = k_ref_verbs.count(path) > 0;
  node.files = k_refs_only.count(path) == 0 && node.positional_enum.empty();
  std::vector<CLI::App*> subs = app.get_subcommands([](CLI::App*) { return true; });
  for (auto* sub : subs)
    if (visible(sub)) node.children.push_back(sub->get_name());
  if (!node.children.empty()) node.files = false;
  out.push_back(node);
  for (auto* sub : subs)
    if (visible(sub))
      collect(*sub, path.empty() ? sub->get_name() : path + " " + sub->get_name(), templates, out);
}

std::vector<CommandNode> command_tree(CLI::App& root, Context& ctx) {
  std::vector<ops::TemplateEntry> templates;
  try {
    auto env = ctx.env();
    templates = ops::list_templates(env, /*detect=*/false);
  } catch (const Error&) {
    // No templates (a broken EXT_TEMPLATES_DIR): --template completes files.
  }
  std::vector<CommandNode> out;
  collect(root, "", templates, out);
  return out;
}

std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : " ") + x;
  return s;
}

// Single quotes for sh/bash/zsh/fish: ' becomes '\'' (fish: \').
std::string sq(const std::string& s, bool fish = false) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'')
      out += fish ? "\\'" : "'\\''";
    else if (fish && c == '\\')
      out += "\\\\";
    else
      out += c;
  }
  return out + "'";
}

// POSIX functions bash and zsh share: the command tree as case statements.
std::string tree_functions(const std::vector<CommandNode>& tree) {
  std::ostringstream o;
  o << "__ext_sub() {\n  case \"$1\" in\n";
  for (const auto& n : tree)
    if (!n.children.empty())
      o << "    " << sq(n.path) << ") echo " << sq(join(n.children)) << " ;;\n";
  o << "  esac\n}\n";
  o << "__ext_flags() {\n  case \"$1\" in\n";
  for (const auto& n : tree) {
    std::vector<std::string> names;
    for (const auto& opt : n.options) names.insert(names.end(), opt.names.begin(), opt.names.end());
    if (!names.empty()) o << "    " << sq(n.path) << ") echo " << sq(join(names)) << " ;;\n";
  }
  o << "  esac\n}\n";
  o << "__ext_valued() {\n  case \"$1|$2\" in\n";
  std::vector<std::string> valued;
  for (const auto& n : tree)
    for (const auto& opt : n.options)
      if (opt.takes_value)
        for (const auto& name : opt.names) valued.push_back(sq(n.path + "|" + name));
  if (!valued.empty()) {
    o << "    ";
    for (size_t i = 0; i < valued.size(); ++i) o << (i ? "|" : "") << valued[i];
    o << ") return 0 ;;\n";
  }
  o << "  esac\n  return 1\n}\n";
  o << "__ext_enum() {\n  case \"$1|$2\" in\n";
  for (const auto& n : tree) {
    for (const auto& opt : n.options)
      if (!opt.values.empty())
        for (const auto& name : opt.names)
          o << "    " << sq(n.path + "|" + name) << ") echo " << sq(join(opt.values)) << " ;;\n";
    if (!n.positional_enum.empty())
      o << "    " << sq(n.path + "|") << ") echo " << sq(join(n.positional_enum)) << " ;;\n";
  }
  o << "  esac\n}\n";
  // 0: references, 1: references and files, 2: files, 3: nothing
  o << "__ext_args() {\n  case \"$1\" in\n";
  for (const auto& n : tree) {
    int kind = n.refs ? (n.files ? 1 : 0) : (n.files ? 2 : 3);
    o << "    " << sq(n.path) << ") return " << kind << " ;;\n";
  }
  o << "  esac\n  return 2\n}\n";
  return o.str();
}

// The word loop both shells run: walks the words before the cursor, descending into
// subcommands and skipping each option's value; sets __ext_path, __ext_expect (the option whose
// value is being typed) and __ext_store (--store DIR, for the references).
const char* k_walk = R"SH(__ext_walk() {
  __ext_path="" __ext_expect="" __ext_store=""
  local w s found
  for w in "$@"; do
    if [ -n "$__ext_expect" ]; then
      if [ "$__ext_expect" = "--store" ]; then __ext_store="$w"; fi
      __ext_expect=""
      continue
    fi
    case "$w" in
      --*=*) ;;
      -*) if __ext_valued "$__ext_path" "$w" || __ext_valued "" "$w"; then __ext_expect="$w"; fi ;;
      *)
        found=""
        for s in $(__ext_sub "$__ext_path"); do
          if [ "$w" = "$s" ]; then found=1; fi
        done
        if [ -n "$found" ]; then __ext_path="${__ext_path:+$__ext_path }$w"; fi
        ;;
    esac
  done
}
__ext_refs() {
  if [ -n "$__ext_store" ]; then
    command "$1" --store "$__ext_store" __refs 2>/dev/null
  else
    command "$1" __refs 2>/dev/null
  fi
}
)SH";

std::string bash_script(const std::vector<CommandNode>& tree) {
  std::ostringstream o;
  o << "# bash completion for ext (generated by `ext completion bash`)\n"
    << tree_functions(tree) << k_walk << R"SH(_ext() {
  local line="${COMP_LINE:0:COMP_POINT}" cur="" vals kind
  local -a ws cands=()
  read -r -a ws <<< "$line"
  if [[ -n "$line" && "${line: -1}" != [[:space:]] ]]; then
    cur="${ws[${#ws[@]}-1]}"
    unset 'ws[${#ws[@]}-1]'
  fi
  __ext_walk "${ws[@]:1}"
  if [[ -n "$__ext_expect" ]]; then
    vals=$(__ext_enum "$__ext_path" "$__ext_expect"; __ext_enum "" "$__ext_expect")
    if [[ -n "$vals" ]]; then
      mapfile -t cands < <(compgen -W "$vals" -- "$cur")
    else
      compopt -o filenames 2>/dev/null
      mapfile -t cands < <(compgen -f -- "$cur")
    fi
  elif [[ "$cur" == -* ]]; then
    mapfile -t cands < <(compgen -W "$(__ext_flags "$__ext_path") $(__ext_flags "")" -- "$cur")
  else
    vals="$(__ext_sub "$__ext_path") $(__ext_enum "$__ext_path" "")"
    if [[ -n "${vals// /}" ]]; then
      mapfile -t cands < <(compgen -W "$vals" -- "$cur")
    else
      __ext_args "$__ext_path"
      kind=$?
      if ((kind <= 1)); then
        mapfile -t cands < <(compgen -W "$(__ext_refs "${ws[0]}")" -- "$cur")
      fi
      if ((kind == 1 || kind == 2)); then
        compopt -o filenames 2>/dev/null
        mapfile -t -O "${#cands[@]}" cands < <(compgen -f -- "$cur")
      fi
    fi
  fi
  # bash splits words at ':' (COMP_WORDBREAKS): replace only what follows the last one.
  if [[ "$cur" == *:* && "$COMP_WORDBREAKS" == *:* ]]; then
    local pre="${cur%"${cur##*:}"}"
    cands=("${cands[@]#"$pre"}")
  fi
  COMPREPLY=("${cands[@]}")
}
complete -F _ext ext
)SH";
  return o.str();
}

std::string zsh_script(const std::vector<CommandNode>& tree) {
  std::ostringstream o;
  // Native zsh (compinit): `path` is zsh's PATH array, hence __ext_path.
  o << "#compdef ext\n# zsh completion for ext (generated by `ext completion zsh`)\n"
    << tree_functions(tree) << k_walk << R"SH(_ext() {
  local cur="${words[CURRENT]}" vals kind
  __ext_walk "${(@)words[2,CURRENT-1]}"
  if [[ -n "$__ext_expect" ]]; then
    vals=$(__ext_enum "$__ext_path" "$__ext_expect"; __ext_enum "" "$__ext_expect")
    if [[ -n "$vals" ]]; then compadd -- ${=vals}; else _files; fi
  elif [[ "$cur" == -* ]]; then
    compadd -- ${=$(__ext_flags "$__ext_path")} ${=$(__ext_flags "")}
  else
    vals="$(__ext_sub "$__ext_path") $(__ext_enum "$__ext_path" "")"
    if [[ -n "${vals// /}" ]]; then
      compadd -- ${=vals}
    else
      __ext_args "$__ext_path"
      kind=$?
      if ((kind <= 1)); then compadd -- ${(f)"$(__ext_refs "${words[1]}")"}; fi
      if ((kind == 1 || kind == 2)); then _files; fi
    fi
  fi
}
if [ "$funcstack[1]" = "_ext" ]; then _ext "$@"; else compdef _ext ext; fi
)SH";
  return o.str();
}

std::string fish_script(const std::vector<CommandNode>& tree) {
  std::ostringstream o;
  o << "# fish completion for ext (generated by `ext completion fish`)\n";
  // The command path the words before the cursor name ("", "build", "deploy envoy").
  o << "function __ext_valued\n    switch \"$argv[1]|$argv[2]\"\n";
  for (const auto& n : tree)
    for (const auto& opt : n.options)
      if (opt.takes_value)
        for (const auto& name : opt.names)
          o << "        case " << sq(n.path + "|" + name, true) << "\n            return 0\n";
  o << "    end\n    return 1\nend\n";
  o << "function __ext_sub\n    switch \"$argv[1]\"\n";
  for (const auto& n : tree)
    if (!n.children.empty())
      o << "        case " << sq(n.path, true) << "\n            echo "
        << sq(join(n.children), true) << "\n";
  o << "    end\nend\n";
  o << R"SH(function __ext_path
    set -l path ''
    set -l expect ''
    set -g __ext_store ''
    set -l words (commandline -opc)
    set -e words[1]
    for w in $words
        if test -n "$expect"
            test "$expect" = --store; and set -g __ext_store $w
            set expect ''
            continue
        end
        switch $w
            case '--*=*'
            case '-*'
                if __ext_valued "$path" $w; or __ext_valued '' $w
                    set expect $w
                end
            case '*'
                if contains -- $w (string split ' ' -- (__ext_sub "$path"))
                    set path (string trim -- "$path $w")
                end
        end
    end
    echo $path
end
function __ext_is
    test (__ext_path) = "$argv[1]"
end
function __ext_refs
    __ext_path >/dev/null
    set -l ext (commandline -opc)[1]
    if test -n "$__ext_store"
        command $ext --store $__ext_store __refs 2>/dev/null
    else
        command $ext __refs 2>/dev/null
    end
end
)SH";
  for (const auto& n : tree) {
    std::string cond = sq("__ext_is " + sq(n.path), true);
    for (const auto& c : n.children) {
      std::string desc;
      for (const auto& t : tree)
        if (t.path == (n.path.empty() ? c : n.path + " " + c)) desc = t.description;
      o << "complete -c ext -f -n " << cond << " -a " << sq(c, true) << " -d " << sq(desc, true)
        << "\n";
    }
    for (const auto& opt : n.options) {
      o << "complete -c ext -n " << cond;
      for (const auto& name : opt.names)
        o << (name.rfind("--", 0) == 0 ? " -l " + name.substr(2) : " -s " + name.substr(1));
      if (opt.takes_value && !opt.values.empty())
        o << " -x -a " << sq(join(opt.values), true);
      else if (opt.takes_value)
        o << " -r -F";
      o << "\n";
    }
    if (!n.positional_enum.empty())
      o << "complete -c ext -f -n " << cond << " -a " << sq(join(n.positional_enum), true) << "\n";
    if (n.refs) o << "complete -c ext -n " << cond << " -a '(__ext_refs)'\n";
    if (!n.files) o << "complete -c ext -f -n " << cond << "\n";
  }
  return o.str();
}

void setup_completion(CLI::App& app, Context& ctx) {
  auto shell = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("completion", "Print a shell completion script");
  examples(cmd, {"ext completion bash > ~/.local/share/bash-completion/completions/ext",
                 "ext completion fish > ~/.config/fish/completions/ext.fish"});
  cmd->add_option("shell", *shell, "bash, zsh or fish")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh", "fish"}));
  CLI::App* root = &app;
  cmd->callback([shell, root, &ctx] {
    auto tree = command_tree(*root, ctx);
    std::string script = *shell == "bash"  ? bash_script(tree)
                         : *shell == "zsh" ? zsh_script(tree)
                                           : fish_script(tree);
    ctx.emit({{"shell", *shell}, {"script", script}}, script);
  });
}

// Hidden verb `ext __refs`: the local store's references, one a line, for the scripts above.
void setup_refs(CLI::App& app, Context& ctx) {
  auto* refs = app.add_subcommand("__refs", "List the stored references (for completion)");
  refs->group("");
  refs->callback([&ctx] {
    auto env = ctx.env();
    auto r = ops::list_images({}, env);
    std::string out;
    nlohmann::json names = nlohmann::json::array();
    for (const auto& img : r.images) {
      out += img.reference + "\n";
      names.push_back(img.reference);
    }
    ctx.emit(names, out);
  });
}

const bool refs_registered = register_command({"__refs", 96, setup_refs});

}  // namespace
EXT_COMMAND(completion, 95, setup_completion)
}  // namespace ext::cli
