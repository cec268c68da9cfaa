#include "ext/hub/browser.hpp"

#include "ext/core/error.hpp"

namespace ext::hub {

std::vector<std::string> opener_argv(std::string_view browser_env, const std::string& url) {
  std::string_view first = browser_env.substr(0, browser_env.find(':'));
  std::vector<std::string> argv;
  bool substituted = false;
  size_t i = 0;
  while (i < first.size()) {
    while (i < first.size() && (first[i] == ' ' || first[i] == '\t')) ++i;
    size_t j = i;
    while (j < first.size() && first[j] != ' ' && first[j] != '\t') ++j;
    if (j > i) {
      std::string word(first.substr(i, j - i));
      for (size_t at = word.find("%s"); at != std::string::npos; at = word.find("%s", at)) {
        word.replace(at, 2, url);
        at += url.size();
        substituted = true;
      }
      argv.push_back(std::move(word));
    }
    i = j;
  }
  if (argv.empty()) return {"xdg-open", url};
  if (!substituted) argv.push_back(url);
  return argv;
}

std::optional<std::string> open_page(const std::string& url, util::ProcessRunner& runner,
                                     std::string_view browser_env) {
  util::ProcessSpec spec;
  spec.argv = opener_argv(browser_env, url);
  // Not captured: a browser that xdg-open starts inherits the opener's stdout and stderr, and
  // capturing them would wait for that browser to exit (and hold Ctrl-C of the hub back until
  // then). Its messages go to the user's terminal instead.
  spec.capture = false;
  try {
    auto r = runner.run(spec);
    if (r.exit_code != 0)
      return spec.argv[0] + " exited with " + std::to_string(r.exit_code) + ": open " + url +
             " yourself";
  } catch (const Error& e) {
    return e.message() + ": open " + url + " yourself";
  }
  return std::nullopt;
}

}  // namespace ext::hub
