// ext::util — running other programs (compilers, cargo, kubectl, envoy, credential helpers)
// behind the ProcessRunner interface, so tests can check argv and stdin with a fake.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "ext/util/environment.hpp"

namespace ext::util {

struct ProcessSpec {
  std::vector<std::string> argv;           // argv[0] is looked up on PATH when it has no '/'
  std::optional<std::string> stdin_data;   // nullopt: stdin is /dev/null
  std::map<std::string, std::string> env;  // added to (or replacing in) the current environment
  std::vector<std::string> unset_env;      // removed from the environment
  std::filesystem::path cwd;               // empty: current directory
  bool capture = true;                     // false: stdout/stderr go to ours (interactive tools)
  size_t max_output = 16u << 20;           // bound on captured stdout and stderr each
};

struct ProcessResult {
  int exit_code = -1;  // 128+N when killed by signal N
  std::string out;
  std::string err;
};

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Runs to completion; may be called from several threads at once. Throws Error(not_found)
  // when argv[0] cannot be found,
  // Error(io) when it cannot be started. A non-zero exit is not an exception.
  virtual ProcessResult run(const ProcessSpec& spec) = 0;
};

// The process's one runner that runs nothing: run() throws Error(internal). What a default
// ops::Env holds, so the library never meets a null runner nor starts a program with an
// environment nobody gave it (cli/ gives a SubprocessRunner; tests a FakeRunner).
ProcessRunner& no_process_runner();

// Runs real processes. The child's environment is `environment` (the one cli/ read at start)
// with the spec's changes; argv[0] is looked up on that environment's PATH.
class SubprocessRunner final : public ProcessRunner {
 public:
  explicit SubprocessRunner(Environment environment) : m_env(std::move(environment)) {}
  ProcessResult run(const ProcessSpec& spec) override;
  const Environment& environment() const { return m_env; }

 private:
  Environment m_env;
};

// PATH lookup over a PATH-style list (Environment::path(), or a toolchain's own PATH): the
// full path of an executable, or nullopt. A name with a '/' is checked as it is.
std::optional<std::filesystem::path> find_program(const std::string& name,
                                                  const std::string& path_list);

// Quotes argv for display ("-v prints every toolchain command").
std::string shell_quote(const std::vector<std::string>& argv);

}  // namespace ext::util
