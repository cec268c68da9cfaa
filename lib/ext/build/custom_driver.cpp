#include "ext/build/custom_driver.hpp"

#include "ext/core/error.hpp"
#include "ext/util/strings.hpp"

namespace ext::build {

namespace fs = std::filesystem;

DriverInfo CustomDriver::info() const {
  return {project::Language::custom, "whatever build.command in ext.yaml runs",
          "install the tools your build.command uses"};
}

ToolchainStatus CustomDriver::detect(util::ProcessRunner&) const {
  return {true, "build.command from ext.yaml (not checked before it runs)", ""};
}

fs::path CustomDriver::output_path(const BuildRequest& req) const {
  const auto& b = req.project.build;
  if (b.command.empty() || b.output.empty())
    throw Error(Errc::invalid_argument, "language: custom needs build.command and build.output",
                "e.g. build: {command: \"tinygo build -o filter.wasm -target=wasi .\", "
                "output: filter.wasm}");
  return output_or(req, {});
}

BuildOutput CustomDriver::build(const BuildRequest& req) {
  const auto& b = req.project.build;
  fs::path module = output_path(req);

  std::string command = b.command;
  if (!req.extra_args.empty()) command += " " + util::shell_quote(req.extra_args);

  BuildOutput out;
  out.module = module;
  out.toolchain = "custom command";
  out.commands.push_back(command);
  if (req.reporter) req.reporter->debug(1, "$ " + command);
  if (req.dry_run) return out;

  std::error_code ec;
  auto before = fs::last_write_time(module, ec);
  bool existed = !ec;
  util::ProcessSpec spec;
  spec.argv = {"/bin/sh", "-c", command};
  spec.cwd = req.project_dir;
  spec.env["EXT_PROFILE"] = profile_name(req.release);
  spec.env["EXT_OUTPUT"] = module.string();
  spec.env["EXT_PROJECT_NAME"] = req.project.name;
  auto r = req.runner->run(spec);
  std::string output = shown_output(r);
  if (r.exit_code != 0)
    throw Error(Errc::toolchain,
                "build command failed (exit " + std::to_string(r.exit_code) + "): " + command +
                    (output.empty() ? "" : "\n" + output),
                "fix build.command in ext.yaml, or run it by hand to see what it needs");
  if (!output.empty() && req.reporter) req.reporter->info(output);
  if (!fs::is_regular_file(module, ec))
    throw Error(Errc::toolchain, "the build command finished but did not write " + module.string(),
                "build.output must name the module the command writes");
  auto after = fs::last_write_time(module, ec);
  out.up_to_date = existed && after == before;
  return out;
}

}  // namespace ext::build
