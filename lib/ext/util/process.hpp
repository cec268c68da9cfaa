// ext::util — running other programs (compilers, cargo, kubectl, envoy, credential helpers)
// behind the ProcessRunner interface, so tests can check argv and stdin with a fake.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

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

class SubprocessRunner final : public ProcessRunner {
 public:
  ProcessResult run(const ProcessSpec& spec) override;
};

// PATH lookup: the full path of an executable, or nullopt.
std::optional<std::filesystem::path> find_program(const std::string& name);
// The same lookup over a PATH-style list given by the caller (e.g. a toolchain's own PATH).
std::optional<std::filesystem::path> find_program(const std::string& name,
                                                  const std::string& path_list);

// Quotes argv for display ("-v prints every toolchain command").
std::string shell_quote(const std::vector<std::string>& argv);

}  // namespace ext::util
