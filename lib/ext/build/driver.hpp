// ext::build — compiling a filter project to a WebAssembly module with the native toolchain the
// project names: CppDriver (clang for wasm32-wasi + a WASI sysroot with libc++), RustDriver
// (cargo with a wasm32-wasip1/wasm32-wasi target), CustomDriver (any command, e.g. TinyGo,
// AssemblyScript, Zig). Validation and packaging are not done here (ops::build_project).
// Owns: toolchain discovery, command lines, incremental state. Must not use: the store,
// artifact, registry; it never prints (commands go to the Reporter at debug level 1).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ext/core/reporter.hpp"
#include "ext/project/project_file.hpp"
#include "ext/util/process.hpp"

namespace ext::build {

struct BuildRequest {
  std::filesystem::path project_dir;  // absolute
  project::ProjectFile project;
  bool release = true;
  bool dry_run = false;                 // compute and report the commands, run nothing
  std::vector<std::string> extra_args;  // appended to the compiler / cargo command
  Reporter* reporter = nullptr;
  util::ProcessRunner* runner = nullptr;
};

struct BuildOutput {
  std::filesystem::path module;       // the .wasm written (absolute)
  std::vector<std::string> commands;  // every toolchain command, shell-quoted, in order
  bool up_to_date = false;            // nothing had to run
  std::string toolchain;              // "clang 14 (Debian wasi-libc) ..." for reports
};

class Driver {
 public:
  virtual ~Driver() = default;
  // Throws Error(toolchain) when the toolchain is missing (the message says what to install)
  // or a command fails (its output included); Error(not_found) for a missing source.
  virtual BuildOutput build(const BuildRequest& request) = 0;
};

std::unique_ptr<Driver> make_driver(project::Language language);

// "release" | "debug"
inline const char* profile_name(bool release) {
  return release ? "release" : "debug";
}

}  // namespace ext::build
