// cli/ — self-registering commands. Each cmd_<verb>.cpp declares its flags and callback in a
// setup function and registers it:   EXT_COMMAND(push, 40, setup_push);
// `order` sorts verbs in help: 10 project, 20 local store, 40 registry, 60 deploy, 90 misc.
#pragma once

#include <CLI/CLI.hpp>
#include <initializer_list>
#include <string>
#include <vector>

#include "context.hpp"

namespace ext::cli {

using SetupFn = void (*)(CLI::App& app, Context& ctx);

struct CommandInfo {
  const char* name;
  int order;
  SetupFn setup;
};

bool register_command(CommandInfo info);

// The "Examples:" section at the end of a verb's --help (a CLI11 footer): one command a line,
// a comment after "#" when it needs one.
inline void examples(CLI::App* cmd, std::initializer_list<const char*> lines,
                     const std::string& before = {}) {
  std::string text = before.empty() ? std::string() : before + "\n\n";
  text += "Examples:";
  for (const char* l : lines) text += std::string("\n  ") + l;
  cmd->footer(text + "\n");
}
std::vector<CommandInfo> registered_commands();  // sorted by order, then name

}  // namespace ext::cli

#define EXT_COMMAND(name, order, fn)                                                           \
  namespace {                                                                                  \
  const bool ext_command_registered_##name = ::ext::cli::register_command({#name, order, fn}); \
  }
