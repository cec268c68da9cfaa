// ext login REGISTRY [-u USER] [-p PASS | --password-stdin] [registry flags]
#include <unistd.h>
#include <iostream>
#include <iterator>

#include "commands.hpp"
#include "ext/core/error.hpp"
#include "ext/ops/login.hpp"
#include "ext/util/strings.hpp"
#include "prompt.hpp"
#include "registry_flags.hpp"

namespace ext::cli {
namespace {

struct LoginFlags {
  ops::LoginOptions o;
  bool password_stdin = false;
};

std::string read_stdin_password() {
  std::string all((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  // docker strips the trailing newline(s) only.
  while (!all.empty() && (all.back() == '\n' || all.back() == '\r')) all.pop_back();
  return all;
}

void setup_login(CLI::App& app, Context& ctx) {
  auto f = std::make_shared<LoginFlags>();
  auto* cmd = app.add_subcommand("login", "Check credentials for a registry and store them");
  examples(cmd, {"ext login ghcr.io -u me                    # asks for the password",
                 "echo \"$TOKEN\" | ext login ghcr.io -u me --password-stdin",
                 "ext login localhost:5000 --registry-config ./auth.json -u u -p p"});
  cmd->add_option("registry", f->o.registry, "Registry host[:port] (docker.io for Docker Hub)")
      ->required();
  cmd->add_option("-u,--username", f->o.username, "User name");
  auto* p = cmd->add_option("-p,--password", f->o.password,
                            "Password (visible to other users; prefer --password-stdin)");
  auto* ps = cmd->add_flag("--password-stdin", f->password_stdin, "Read the password from stdin");
  p->excludes(ps);
  add_registry_flags(cmd, f->o.flags);
  cmd->callback([f, &ctx] {
    auto env = ctx.env();
    if (f->password_stdin) {
      f->o.password = read_stdin_password();
    } else if (!f->o.password.empty()) {
      env.reporter.get().warn(
          "a password on the command line can be seen by other users; use "
          "--password-stdin");
    } else if (isatty(0)) {
      // As docker login: the username asked when not given, the password never echoed.
      if (f->o.username.empty())
        f->o.username = std::string(util::trim(read_terminal_line("Username: ")));
      f->o.password = read_terminal_line("Password: ", false);
    }
    auto r = ops::login(f->o, env);
    ctx.emit("login", {{"registry", r.registry}, {"stored_in", r.stored_in}, {"scheme", r.scheme}},
             "Login succeeded: " + r.registry + " (credentials stored in " + r.stored_in + ")\n");
  });
}

}  // namespace
EXT_COMMAND(login, 44, setup_login)
}  // namespace ext::cli
