// ext::core — Reporter: where the library sends progress, warnings and detail. The library never
// prints; cli/ draws what arrives here (bars on a TTY, plain lines otherwise, JSON with --json).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <vector>

namespace ext {

class Reporter {
 public:
  virtual ~Reporter() = default;

  virtual void warn(const std::string& message) = 0;
  // Normal progress text ("pushed sha256:ab12… (3 KiB)"); suppressed by -q.
  virtual void info(const std::string& message) = 0;
  // Detail for -v (level 1) and -vv (level 2: HTTP requests, toolchain commands).
  // Callers redact secrets before calling.
  virtual void debug(int level, const std::string& message) = 0;
  virtual int verbosity() const { return 0; }

  // Transfer progress. `id` is chosen by the caller and unique while the task is open;
  // total 0 = unknown.
  virtual void progress_start(const std::string& id, const std::string& label, uint64_t total) {
    (void)id, (void)label, (void)total;
  }
  virtual void progress_update(const std::string& id, uint64_t done) { (void)id, (void)done; }
  virtual void progress_finish(const std::string& id) { (void)id; }
};

class NullReporter final : public Reporter {
 public:
  void warn(const std::string&) override {}
  void info(const std::string&) override {}
  void debug(int, const std::string&) override {}
};

// The process's one NullReporter: what a default ops::Env reports to.
inline Reporter& null_reporter() {
  static NullReporter reporter;
  return reporter;
}

// Keeps everything it is told, for tests and for --json output that lists warnings.
class CollectingReporter final : public Reporter {
 public:
  struct Entry {
    std::string kind;  // "warn", "info", "debug", "progress"
    std::string message;
  };
  explicit CollectingReporter(int verbosity = 2) : m_verbosity(verbosity) {}
  void warn(const std::string& m) override { add("warn", m); }
  void info(const std::string& m) override { add("info", m); }
  void debug(int level, const std::string& m) override {
    if (level <= m_verbosity) add("debug", m);
  }
  int verbosity() const override { return m_verbosity; }
  void progress_start(const std::string& id, const std::string& label, uint64_t total) override {
    add("progress", id + " start " + label + " " + std::to_string(total));
  }
  void progress_finish(const std::string& id) override { add("progress", id + " finish"); }

  std::vector<Entry> entries() const {
    std::lock_guard lock(m_mutex);
    return m_entries;
  }
  std::vector<std::string> of(const std::string& kind) const {
    std::lock_guard lock(m_mutex);
    std::vector<std::string> out;
    for (const auto& e : m_entries)
      if (e.kind == kind) out.push_back(e.message);
    return out;
  }
  // Everything as one string, for "no secret anywhere" assertions.
  std::string all_text() const {
    std::lock_guard lock(m_mutex);
    std::string out;
    for (const auto& e : m_entries) out += e.kind + ": " + e.message + "\n";
    return out;
  }

 private:
  void add(const char* kind, const std::string& m) {
    std::lock_guard lock(m_mutex);
    m_entries.push_back({kind, m});
  }
  int m_verbosity;
  mutable std::mutex m_mutex;
  std::vector<Entry> m_entries;
};

}  // namespace ext
