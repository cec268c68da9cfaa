// ext::build — compiling a filter project to a WebAssembly module with the native toolchain the
// project names. One Driver per language (docs/languages.md is the contract): CppDriver (clang
// for wasm32-wasi + a WASI sysroot with libc++), RustDriver (cargo with a wasm32 target),
// AssemblyScriptDriver (npm ci + the project's own asc), CustomDriver (any command, e.g. TinyGo
// or Zig). Validation and packaging are not done here (ops::build_project).
// Owns: toolchain discovery, command lines, incremental state. Must not use: the store,
// artifact, registry; it never prints (commands go to the Reporter at debug level 1).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ext/core/reporter.hpp"
#include "ext/project/project_file.hpp"
#include "ext/util/environment.hpp"
#include "ext/util/process.hpp"

namespace ext::build {

struct BuildRequest {
  std::filesystem::path project_dir;  // absolute
  project::ProjectFile project;
  bool release = true;
  bool dry_run = false;                 // compute and report the commands, run nothing
  std::vector<std::string> extra_args;  // appended to the compiler / cargo command
  bool offline = false;                 // `ext build --offline`: no downloads (cargo --offline)
  Reporter* reporter = nullptr;
  util::ProcessRunner* runner = nullptr;
};

struct BuildOutput {
  std::filesystem::path module;       // the .wasm written (absolute)
  std::vector<std::string> commands;  // every toolchain command, shell-quoted, in order
  bool up_to_date = false;            // nothing had to run
  std::string toolchain;              // "clang 14 (Debian wasi-libc) ..." for reports
};

// What a driver needs, in words (for `ext init --list-templates` and error messages).
struct DriverInfo {
  project::Language language = project::Language::custom;
  std::string toolchain;  // "clang++ for wasm32-wasi with a WASI sysroot (wasi-sdk or Debian)"
  std::string install;    // how to get it: "apt-get install ..." (the hint when it is missing)
};

// The result of looking for the toolchain on this machine.
struct ToolchainStatus {
  bool found = false;
  std::string description;  // found: what was found ("node v20.1.0, npm 9.2.0 (/usr/bin)");
                            // missing: what is missing ("no node on PATH")
  std::string hint;         // missing: how to install it
};

class Driver {
 public:
  virtual ~Driver() = default;

  // Static facts: the language and the toolchain it needs.
  virtual DriverInfo info() const = 0;

  // Detect: is the toolchain on this machine? Runs at most version probes through `runner`;
  // never throws.
  virtual ToolchainStatus detect(util::ProcessRunner& runner) const = 0;

  // Output path: where build() writes the module for this request (absolute): build.output
  // when ext.yaml sets it, else the driver's default. May probe the toolchain (Rust's target
  // directory names the target); runs no build.
  virtual std::filesystem::path output_path(const BuildRequest& request) const = 0;

  // Build: run the toolchain (or only report its commands when dry_run). Incremental: when
  // nothing changed since the last successful build, runs nothing and sets up_to_date (its
  // state lives in stamp_path(), or in the toolchain's own cache when it has one, like cargo).
  // Throws Error(toolchain) when the toolchain is missing (message: what is missing; hint: the
  // install line) or a command fails (its output included; hint: what to do next);
  // Error(not_found) for a missing source or manifest.
  virtual BuildOutput build(const BuildRequest& request) = 0;
};

// The driver for a language (never null); its toolchain search reads `environment` (PATH,
// WASI_SDK_PATH, CARGO_NET_OFFLINE, CARGO_TARGET_DIR).
std::unique_ptr<Driver> make_driver(project::Language language,
                                    const util::Environment& environment);
// Every language that has a driver, in the order `ext init` shows them.
std::vector<project::Language> driver_languages();

// "release" | "debug"
inline const char* profile_name(bool release) {
  return release ? "release" : "debug";
}

// DIR/build/<profile>: where drivers put what they make (objects, the module by default).
std::filesystem::path build_dir(const BuildRequest& request);
// DIR/build/<profile>/ext-build.json: the driver's incremental stamp (a BuildStamp).
std::filesystem::path stamp_path(const BuildRequest& request);
// build.output resolved against the project, or `fallback` when ext.yaml sets none.
std::filesystem::path output_or(const BuildRequest& request, const std::filesystem::path& fallback);

// A toolchain's output as an error message or note shows it: trailing blank lines and spaces
// trimmed, at most the last 64 KiB (after "[...]\n").
std::string shown_text(std::string text);
// A command's stdout then stderr, shown_text'ed.
std::string shown_output(const util::ProcessResult& result);

}  // namespace ext::build
