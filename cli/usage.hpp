// cli/ — command-line mistakes said plainly: the word that is wrong, and the nearest right one
// ("ext biuld" -> did you mean build?; "ext build --tagg" -> did you mean --tag?).
#pragma once

#include <CLI/CLI.hpp>
#include <optional>
#include <string>
#include <vector>

namespace ext::cli {

// The candidate nearest to `word` when it is near enough to be a likely typo (distance at most
// 2, and less than half the word: util::edit_distance), else "".
std::string nearest(const std::string& word, const std::vector<std::string>& candidates);

struct UsageProblem {
  std::string message;     // `unknown flag "--tagg" for ext build`
  std::string hint;        // "did you mean --tag? ..."
  std::string argument;    // the word that is wrong
  std::string suggestion;  // the nearest right word, or ""
};

// Walks argv against the command tree before CLI11 parses it: an unknown verb, subcommand or
// flag is reported by name (CLI11 would report it later, or take the next word for a positional
// and fail on that word's check instead). nullopt when every word is known.
std::optional<UsageProblem> check_command_line(CLI::App& app, int argc, char** argv);

}  // namespace ext::cli
