#include "usage.hpp"

#include <algorithm>

#include "ext/util/strings.hpp"

namespace ext::cli {

std::string nearest(const std::string& word, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_d = 3;
  // Compare without the dashes: "--tagg" vs "--tag" is one edit, "-t" vs "--t" none.
  auto bare = [](const std::string& s) {
    return s.substr(std::min(s.find_first_not_of('-'), s.size()));
  };
  auto w = bare(word);
  for (const auto& c : candidates) {
    auto d = util::edit_distance(w, bare(c));
    // A prefix of a long flag ("--tag" for "--tag-file") counts as near too.
    if (d < best_d && d * 2 < std::max<size_t>(w.size(), 2)) {
      best = c;
      best_d = d;
    }
  }
  return best;
}

namespace {

std::vector<std::string> flag_names(const CLI::App* app) {
  std::vector<std::string> out;
  for (const CLI::Option* o : app->get_options()) {
    for (const auto& l : o->get_lnames()) out.push_back("--" + l);
    for (const auto& s : o->get_snames()) out.push_back("-" + s);
  }
  return out;
}

std::vector<std::string> subcommand_names(CLI::App* app, bool with_aliases) {
  std::vector<std::string> out;
  for (const CLI::App* s : app->get_subcommands([](CLI::App*) { return true; })) {
    out.push_back(s->get_name());
    if (with_aliases)
      for (const auto& a : s->get_aliases()) out.push_back(a);
  }
  return out;
}

CLI::App* find_subcommand(CLI::App* app, const std::string& word) {
  for (CLI::App* s : app->get_subcommands([](CLI::App*) { return true; }))
    if (s->check_name(word)) return s;
  return nullptr;
}

// The option `name` ("--tag", "-t") of `app` or, as CLI11 falls through, of its parents.
const CLI::Option* find_flag(CLI::App* app, const std::string& name) {
  for (CLI::App* a = app; a != nullptr; a = a->get_parent())
    if (const CLI::Option* o = a->get_option_no_throw(name)) return o;
  return nullptr;
}

std::string path_of(CLI::App* app) {
  std::string p;
  for (CLI::App* a = app; a != nullptr; a = a->get_parent())
    p = a->get_name() + (p.empty() ? "" : " " + p);
  return p;
}

bool is_negative_number(const std::string& w) {
  return w.size() > 1 && w[0] == '-' && (std::isdigit(static_cast<unsigned char>(w[1])) != 0);
}

}  // namespace

std::optional<UsageProblem> check_command_line(CLI::App& root, int argc, char** argv) {
  CLI::App* at = &root;
  bool needs_subcommand = true;  // the root takes a verb; deploy and undeploy a platform
  for (int i = 1; i < argc; ++i) {
    std::string w = argv[i];
    if (w == "--") break;
    if (w.size() > 1 && w[0] == '-' && !is_negative_number(w)) {
      std::string name = w;
      bool inline_value = false;
      if (w.rfind("--", 0) == 0) {
        auto eq = w.find('=');
        if (eq != std::string::npos) {
          name = w.substr(0, eq);
          inline_value = true;
        }
      } else {
        name = w.substr(0, 2);  // -t, -vv, -tVALUE
        inline_value = w.size() > 2;
      }
      const CLI::Option* o = find_flag(at, name);
      if (o == nullptr) {
        std::vector<std::string> known;
        for (CLI::App* a = at; a != nullptr; a = a->get_parent()) {
          auto f = flag_names(a);
          known.insert(known.end(), f.begin(), f.end());
        }
        UsageProblem p;
        p.argument = name;
        p.suggestion = nearest(name, known);
        p.message = "unknown flag \"" + name + "\" for " + path_of(at);
        p.hint = (p.suggestion.empty() ? "" : "did you mean " + p.suggestion + "? ") + "`" +
                 path_of(at) + " --help` lists the flags";
        return p;
      }
      // A flag that takes a value: the next word is that value, whatever it looks like.
      if (!inline_value && o->get_items_expected_min() > 0 && o->get_type_size() != 0) ++i;
      continue;
    }
    if (!needs_subcommand) continue;  // a positional argument
    CLI::App* sub = find_subcommand(at, w);
    if (sub == nullptr) {
      if (at != &root && at->get_require_subcommand_min() == 0) continue;
      UsageProblem p;
      p.argument = w;
      p.suggestion = nearest(w, subcommand_names(at, true));
      if (at == &root) {
        p.message = "unknown command \"" + w + "\"";
        p.hint = (p.suggestion.empty() ? "" : "did you mean " + p.suggestion + "? ") +
                 "`ext --help` lists the commands";
      } else {
        auto names = subcommand_names(at, false);
        std::string list;
        for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
        p.message = "unknown subcommand \"" + w + "\" for " + path_of(at) + " (" + list + ")";
        p.hint = (p.suggestion.empty() ? "" : "did you mean " + p.suggestion + "? ") + "`" +
                 path_of(at) + " --help` explains them";
      }
      return p;
    }
    at = sub;
    needs_subcommand = !sub->get_subcommands([](CLI::App*) { return true; }).empty();
  }
  return std::nullopt;
}

}  // namespace ext::cli
