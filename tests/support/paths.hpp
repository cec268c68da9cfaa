// Test support: where things are (source tree, test data, the built ext binary), temp dirs,
// and running the ext binary for end-to-end tests.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ext/util/files.hpp"
#include "ext/util/process.hpp"

namespace ext::test {

// The test process's own environment (read once), for tests that run real programs: a
// SubprocessRunner over it behaves like the one cli/ makes.
const util::Environment& host_environment();

std::filesystem::path source_dir();
std::filesystem::path data_dir();
std::filesystem::path ext_binary();

struct ExtRun {
  int exit_code;
  std::string out;
  std::string err;
};

// Runs the built `ext` with args; the store is `store` when non-empty (--store), and HOME,
// DOCKER_CONFIG, XDG_* point into a private folder so no user setting leaks in.
ExtRun run_ext(const std::vector<std::string>& args, const std::filesystem::path& store = {},
               std::optional<std::string> stdin_data = std::nullopt,
               const std::map<std::string, std::string>& env = {});

// Runs the built `ext` with args on a pseudo-terminal (tests/support/cli/pty_session.py), in
// `cwd`, with the same private HOME as run_ext. For each {text, line} of `dialog`: wait until
// the text has been printed (after the previous one), then type the line and Enter. `out` is
// the whole terminal transcript (stdout and stderr together, "\r" removed); exit code 124 when
// a prompt or the end did not come within 60 s.
ExtRun run_ext_on_tty(const std::vector<std::string>& args, const std::filesystem::path& cwd,
                      const std::vector<std::pair<std::string, std::string>>& dialog = {});

// Compiles WebAssembly text to a binary module with WABT's wat2wasm; throws on failure.
std::string wat_to_wasm(const std::string& wat, const std::vector<std::string>& flags = {});
// flatc (Debian's flatbuffers-compiler): the binary schema of `fbs` and the buffer of `json`.
std::pair<std::string, std::string> flatc_build(const std::string& fbs, const std::string& json);

// A program on PATH, or nullopt (for tests that need skopeo, clang, cargo ...).
bool have_program(const std::string& name);
// A free loopback TCP port (bind 127.0.0.1:0, read it, close): the one way tests pick a port.
int free_port();
// The Python every test helper runs with: Debian's /usr/bin/python3, the interpreter
// scripts/setup installs the helpers' modules for (PyJWT, PyYAML, websocket ...), rather than
// whatever `python3` is first on PATH (a pyenv shim costs ~40 processes a start).
std::string python();
// The one way a test needs a tool: scripts/setup installs every tool the suite uses, so a
// missing one fails the test (an Error naming the tool and the fix), never skips it.
void require_tool(const std::string& name);

}  // namespace ext::test
