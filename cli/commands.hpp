// cli/ — self-registering commands. Each cmd_<verb>.cpp declares its flags and callback in a
// setup function and registers it:   EXT_COMMAND(push, 40, setup_push);
// `order` sorts verbs in help: 10 project, 20 local store, 40 registry, 60 deploy, 90 misc.
#pragma once

#include <CLI/CLI.hpp>
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
std::vector<CommandInfo> registered_commands();  // sorted by order, then name

}  // namespace ext::cli

#define EXT_COMMAND(name, order, fn)                    \
  namespace {                                           \
  const bool ext_command_registered_##name =            \
      ::ext::cli::register_command({#name, order, fn}); \
  }
