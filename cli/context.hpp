// cli/ — what every command shares: global flags, the terminal reporter, result output.
// CLI11 lives only in cli/. Commands register themselves with EXT_COMMAND (see commands.hpp).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "ext/core/reporter.hpp"
#include "ext/ops/env.hpp"
#include "ext/util/environment.hpp"
#include "ext/util/process.hpp"

namespace ext::cli {

struct Globals {
  int verbose = 0;
  bool quiet = false;
  bool json = false;
  bool no_color = false;
  std::string store;
  std::string data_dir;
  std::string config;
};

// Draws Reporter events on stderr: "warning: ..." lines, info unless -q, debug for -v/-vv,
// progress bars on a TTY for transfers over 1 MiB (plain and silent otherwise).
class TerminalReporter final : public Reporter {
 public:
  explicit TerminalReporter(const Globals& g);
  ~TerminalReporter() override;
  void warn(const std::string& message) override;
  void info(const std::string& message) override;
  void debug(int level, const std::string& message) override;
  int verbosity() const override;
  void progress_start(const std::string& id, const std::string& label, uint64_t total) override;
  void progress_update(const std::string& id, uint64_t done) override;
  void progress_finish(const std::string& id) override;
  const std::vector<std::string>& warnings() const { return m_warnings; }

 private:
  const Globals& m_g;
  bool m_tty;
  std::vector<std::string> m_warnings;
  struct Bar;
  std::vector<std::unique_ptr<Bar>> m_bars;
  void draw(Bar& bar, bool final);
};

// The version of the --json vocabulary (docs/json.md): "schema": "ext.dev/<name>/v1".
inline constexpr int k_json_version = 1;
std::string schema_id(const std::string& name);

class Context {
 public:
  Context();
  Globals globals;
  // A command that printed its result but failed (validation errors, failed test cases) sets
  // this instead of throwing; main returns it.
  int exit_code = 0;

  Reporter& reporter() { return *m_reporter; }
  // The process environment, read once when the Context is made (the only place ext reads it).
  const util::Environment& environment() const { return m_environment; }
  util::ProcessRunner& runner() { return m_runner; }
  // Builds the Env for ops from the global flags (call inside a command callback).
  ops::Env env();

  // The verb being run (its primary name, set by main before parsing): names the default
  // schema of its --json document.
  std::string verb;

  // Prints a command's result: JSON on stdout with --json (warnings included, and
  // "schema": "ext.dev/<schema>/v1", docs/json.md), else `human` on stdout (nothing when
  // empty). Without `schema` the verb's name is used.
  void emit(const std::string& schema, nlohmann::json result, const std::string& human);
  void emit(nlohmann::json result, const std::string& human);
  bool color_stdout() const;
  bool color_stderr() const;

 private:
  std::unique_ptr<TerminalReporter> m_reporter;
  util::Environment m_environment;
  util::SubprocessRunner m_runner;
};

}  // namespace ext::cli
