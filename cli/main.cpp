// ext — the command-line front end. The single catch: exit 0 ok, 1 failure, 2 usage,
// 130 interrupted. Errors print as "ext: error: <message>" and "hint: <what to do>".
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <map>
#include <new>
#include <optional>

#include "commands.hpp"
#include "ext/core/cancel.hpp"
#include "ext/core/error.hpp"
#include "ext/core/version.hpp"
#include "ext/util/strings.hpp"
#include "usage.hpp"

namespace ext::cli {

namespace {
std::vector<CommandInfo>& registry() {
  static std::vector<CommandInfo> commands;
  return commands;
}
}  // namespace

bool register_command(CommandInfo info) {
  registry().push_back(info);
  return true;
}

std::vector<CommandInfo> registered_commands() {
  auto out = registry();
  std::sort(out.begin(), out.end(), [](const CommandInfo& a, const CommandInfo& b) {
    return a.order != b.order ? a.order < b.order : std::string(a.name) < b.name;
  });
  return out;
}

namespace {

void on_sigint(int) {
  static std::atomic<int> count{0};
  ext::request_interrupt();
  // A second Ctrl-C ends at once.
  if (count.fetch_add(1) >= 1) {
    ::signal(SIGINT, SIG_DFL);
    ::raise(SIGINT);
  }
}

int exit_code_for(Errc code) {
  switch (code) {
    case Errc::usage:
      return 2;
    case Errc::interrupted:
      return 130;
    default:
      return 1;
  }
}

// The error document (docs/json.md "Errors"), on stdout with --json.
void print_error_json(nlohmann::json error) {
  nlohmann::json j = {{"schema", schema_id("error")}, {"error", std::move(error)}};
  // Messages may quote bytes that are not UTF-8 (a registry's reply, a file name).
  std::cout << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << std::endl;
}

void print_error(const Context& ctx, const Error& e) {
  std::string msg = util::redact(e.message());
  std::cerr << "ext: error: " << msg << "\n";
  if (!e.hint().empty()) std::cerr << "hint: " << util::redact(e.hint()) << "\n";
  if (ctx.globals.json) {
    nlohmann::json j = {{"code", to_string(e.code())}, {"message", msg}};
    if (!e.hint().empty()) j["hint"] = util::redact(e.hint());
    if (e.http_status()) j["http_status"] = e.http_status();
    if (!e.registry_code().empty()) j["registry_code"] = e.registry_code();
    print_error_json(std::move(j));
  }
}

// --json among the words before the verb's own "--": the parser may have failed before it set
// Globals::json.
bool json_requested(int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") break;
    if (a == "--json") return true;
  }
  return false;
}

// A command-line error (exit 2): stderr always, the error document on stdout with --json.
int usage_error(int argc, char** argv, const UsageProblem& p) {
  std::cerr << "ext: error: " << util::redact(p.message) << "\n";
  if (!p.hint.empty()) std::cerr << "hint: " << util::redact(p.hint) << "\n";
  if (json_requested(argc, argv)) {
    nlohmann::json j = {{"code", "usage"}, {"message", util::redact(p.message)}};
    if (!p.hint.empty()) j["hint"] = util::redact(p.hint);
    if (!p.argument.empty()) j["argument"] = util::redact(p.argument);
    if (!p.suggestion.empty()) j["suggestion"] = p.suggestion;
    print_error_json(std::move(j));
  }
  return 2;
}

// Written without allocating: the heap may still be exhausted.
void print_out_of_memory() noexcept {
  static const char msg[] =
      "ext: error: out of memory\nhint: the input may be too large or expand too much (a YAML "
      "alias bomb, a huge blob); check it, or raise the memory limit\n";
  (void)!::write(2, msg, sizeof msg - 1);
}

// The verb's primary name (aliases resolved), for the default --json schema.
std::string verb_of(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--store" || a == "--config" || a == "--data-dir") {
      ++i;
      continue;
    }
    if (a.empty() || a[0] == '-') continue;
    for (CLI::App* s : app.get_subcommands([](CLI::App*) { return true; }))
      if (s->check_name(a)) return s->get_name();
    return {};
  }
  return {};
}

}  // namespace

int run(int argc, char** argv) {
  Context ctx;
  CLI::App app{"ext: build, test, share and deploy Envoy proxy-wasm extensions", "ext"};
  app.require_subcommand(1);
  app.fallthrough();
  app.set_version_flag("--version", "ext " + std::string(ext::version()));
  auto& g = ctx.globals;
  app.add_flag("-v,--verbose", g.verbose, "More detail; -vv logs HTTP requests and commands");
  app.add_flag("-q,--quiet", g.quiet, "Errors only");
  app.add_flag("--json", g.json, "Machine-readable result on stdout");
  app.add_option("--store", g.store, "Local store (env EXT_STORE)");
  app.add_option("--config", g.config, "Settings file (env EXT_CONFIG)");
  app.add_option(
      "--data-dir", g.data_dir,
      "Where deploy keeps modules and run files, and search its cache (env EXT_DATA_DIR; default "
      "$XDG_DATA_HOME/ext)");
  app.add_flag("--no-color", g.no_color, "No colour (also NO_COLOR, non-TTY)");

  for (const auto& c : registered_commands()) c.setup(app, ctx);

  if (argc <= 1) {
    std::cout << app.help();
    return 0;
  }
  if (auto problem = check_command_line(app, argc, argv)) return usage_error(argc, argv, *problem);
  ctx.verb = verb_of(app, argc, argv);

  ::signal(SIGINT, on_sigint);
  ::signal(SIGTERM, on_sigint);  // same path: stop at the next step, remove temp files, exit 130
  ::signal(SIGPIPE, SIG_IGN);
  try {
    try {
      app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      if (e.get_exit_code() == 0) return app.exit(e);
      std::string where = ctx.verb.empty() ? "ext" : "ext " + ctx.verb;
      return usage_error(argc, argv,
                         {e.what(), "`" + where + " --help` lists the arguments", "", ""});
    }
  } catch (const Error& e) {
    print_error(ctx, e);
    return exit_code_for(e.code());
  } catch (const std::bad_alloc&) {
    print_out_of_memory();
    return 1;
  } catch (const std::exception& e) {
    print_error(ctx, Error(Errc::internal, e.what()));
    return 1;
  } catch (...) {
    print_error(ctx, Error(Errc::internal, "unknown exception"));
    return 1;
  }
  return ext::interrupted() ? 130 : ctx.exit_code;
}

}  // namespace ext::cli

// Every exception becomes an error message and exit 1, whatever part of run() throws it (also
// while reporting another error): none reaches std::terminate (exit 134).
int main(int argc, char** argv) {
  try {
    return ext::cli::run(argc, argv);
  } catch (const std::bad_alloc&) {
    ext::cli::print_out_of_memory();
  } catch (...) {
    static const char msg[] = "ext: error: internal error while reporting an error\n";
    (void)!::write(2, msg, sizeof msg - 1);
  }
  return 1;
}
