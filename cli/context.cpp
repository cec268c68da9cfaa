#include "context.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "ext/util/strings.hpp"

extern char** environ;

namespace ext::cli {

struct TerminalReporter::Bar {
  std::string id;
  std::string label;
  uint64_t total = 0;
  uint64_t done = 0;
  std::chrono::steady_clock::time_point started;
  std::chrono::steady_clock::time_point last_draw;
  bool drawn = false;
};

TerminalReporter::TerminalReporter(const Globals& g) : m_g(g), m_tty(::isatty(2) != 0) {}

TerminalReporter::~TerminalReporter() = default;

int TerminalReporter::verbosity() const {
  return m_g.verbose;
}

void TerminalReporter::warn(const std::string& message) {
  m_warnings.push_back(message);
  std::cerr << "warning: " << util::redact(message) << "\n";
}

void TerminalReporter::info(const std::string& message) {
  if (m_g.quiet) return;
  std::cerr << util::redact(message) << "\n";
}

void TerminalReporter::debug(int level, const std::string& message) {
  if (m_g.quiet || level > m_g.verbose) return;
  std::cerr << "debug: " << util::redact(message) << "\n";
}

void TerminalReporter::progress_start(const std::string& id, const std::string& label,
                                      uint64_t total) {
  auto bar = std::make_unique<Bar>();
  bar->id = id;
  bar->label = label;
  bar->total = total;
  bar->started = bar->last_draw = std::chrono::steady_clock::now();
  m_bars.push_back(std::move(bar));
}

void TerminalReporter::progress_update(const std::string& id, uint64_t done) {
  for (auto& b : m_bars) {
    if (b->id != id) continue;
    b->done = done;
    auto now = std::chrono::steady_clock::now();
    if (now - b->last_draw > std::chrono::milliseconds(100)) {
      b->last_draw = now;
      draw(*b, false);
    }
  }
}

void TerminalReporter::progress_finish(const std::string& id) {
  for (auto it = m_bars.begin(); it != m_bars.end(); ++it) {
    if ((*it)->id != id) continue;
    // The final state always (draw() keeps to TTYs and transfers over 1 MiB): a transfer that
    // ended before the first redraw still leaves its line.
    draw(**it, true);
    m_bars.erase(it);
    return;
  }
}

void TerminalReporter::draw(Bar& b, bool final) {
  // Bars only on a TTY, only for transfers over 1 MiB, never with -q or --json.
  if (!m_tty || m_g.quiet || m_g.json || b.total <= (1u << 20)) return;
  b.drawn = true;
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - b.started).count();
  double frac = b.total ? static_cast<double>(b.done) / static_cast<double>(b.total) : 0.0;
  if (frac > 1) frac = 1;
  int width = 30;
  int fill = static_cast<int>(frac * width);
  std::string bar(static_cast<size_t>(fill), '#');
  bar.resize(static_cast<size_t>(width), '.');
  std::string rate = secs > 0 ? util::human_size(static_cast<uint64_t>(b.done / secs)) + "/s" : "";
  std::fprintf(stderr, "\r%-24.24s [%s] %5.1f%% %s / %s %s%s", b.label.c_str(), bar.c_str(),
               frac * 100, util::human_size(b.done).c_str(), util::human_size(b.total).c_str(),
               rate.c_str(), final ? "\n" : "   ");
  std::fflush(stderr);
}

// The environment is read here, once; lib/ext/ gets it through ops::Env (and the runner).
Context::Context()
    : m_reporter(std::make_unique<TerminalReporter>(globals)),
      m_environment(util::Environment::from_envp(environ)),
      m_runner(m_environment) {}

ops::Env Context::env() {
  ops::Env e;
  e.reporter = *m_reporter;
  e.runner = m_runner;
  e.environment = m_environment;
  e.store_root = ops::default_store_root(m_environment, globals.store);
  e.data_root = ops::default_data_root(m_environment, globals.data_dir);
  e.settings_path = ops::default_settings_path(m_environment, globals.config);
  e.verbosity = globals.verbose;
  return e;
}

std::string schema_id(const std::string& name) {
  return "ext.dev/" + name + "/v" + std::to_string(k_json_version);
}

void Context::emit(nlohmann::json result, const std::string& human) {
  emit(verb.empty() ? std::string("ext") : verb, std::move(result), human);
}

void Context::emit(const std::string& schema, nlohmann::json result, const std::string& human) {
  if (globals.json) {
    // Every document is an object naming its schema (docs/json.md "Vocabulary").
    if (!result.is_object()) result = nlohmann::json{{"result", std::move(result)}};
    if (!result.contains("schema")) result["schema"] = schema_id(schema);
    if (!m_reporter->warnings().empty() && !result.contains("warnings"))
      result["warnings"] = m_reporter->warnings();
    std::cout << result.dump(2) << std::endl;
    return;
  }
  if (!human.empty()) {
    std::cout << human;
    if (human.back() != '\n') std::cout << '\n';
    std::cout.flush();
  }
}

bool Context::color_stdout() const {
  return !globals.no_color && !m_environment.get("NO_COLOR") && ::isatty(1);
}
bool Context::color_stderr() const {
  return !globals.no_color && !m_environment.get("NO_COLOR") && ::isatty(2);
}

}  // namespace ext::cli
