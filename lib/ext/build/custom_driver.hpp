// ext::build — CustomDriver: `language: custom` runs build.command with `sh -c` in the project
// folder (TinyGo, AssemblyScript, Zig, a Makefile...) and takes build.output as the module.
// The command sees EXT_PROFILE (release|debug), EXT_OUTPUT (absolute output path) and
// EXT_PROJECT_NAME; extra arguments are appended to the command, shell-quoted.
#pragma once

#include "ext/build/driver.hpp"

namespace ext::build {

class CustomDriver final : public Driver {
 public:
  DriverInfo info() const override;
  ToolchainStatus detect(util::ProcessRunner& runner) const override;
  std::filesystem::path output_path(const BuildRequest& request) const override;
  BuildOutput build(const BuildRequest& request) override;
};

}  // namespace ext::build
