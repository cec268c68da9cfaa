// ext::hub — `ext hub --open` (docs/hub.md): opens the hub's page in the user's browser through a
// ProcessRunner (tests give a fake one, or a fake $BROWSER). The program is the first command of
// $BROWSER when it is set (the convention xdg-open and Python's webbrowser follow: a
// ':'-separated list of commands, "%s" standing for the URL), else xdg-open.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ext/util/process.hpp"

namespace ext::hub {

// The command that opens `url`: $BROWSER's first command split on blanks (no shell), with "%s"
// replaced by the URL or the URL appended; {"xdg-open", url} when `browser_env` is empty.
std::vector<std::string> opener_argv(std::string_view browser_env, const std::string& url);

// Runs the opener to its exit (xdg-open returns once the browser is asked), its output not
// captured (a browser it starts may keep it open). A warning to print when it cannot be run or
// fails, else nullopt.
std::optional<std::string> open_page(const std::string& url, util::ProcessRunner& runner,
                                     std::string_view browser_env);

}  // namespace ext::hub
