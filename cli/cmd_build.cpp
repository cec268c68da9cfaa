// ext build [DIR] [-t REF]... [--release|--debug] [--format oci|compat|cncf] [--dry-run]
// ext build --wasm FILE.wasm -t REF [--root-id ID] [--annotation K=V]... [--format ...]
#include <sstream>

#include "commands.hpp"
#include "ext/core/error.hpp"
#include "ext/ops/build_project.hpp"
#include "ext/ops/package.hpp"
#include "ext/util/strings.hpp"
#include "json_vocab.hpp"

namespace ext::cli {
namespace {

// The image stored (docs/json.md "build").
nlohmann::json package_json(const ops::PackageResult& p) {
  return {{"digest", p.manifest_digest},
          {"format", p.format},
          {"refs", p.refs},
          {"warnings", p.warnings}};
}

// The module facts every build document starts with.
nlohmann::json module_json(const std::string& file, uint64_t size, const std::string& sha256,
                           const std::string& abi, const std::string& filter_type) {
  return {{"module_file", file},
          {"module_size", size},
          {"module_digest", vocab::module_digest(sha256)},
          {"abi", vocab::abi(abi)},
          {"filter_type", filter_type}};
}

std::string package_text(const ops::PackageResult& p) {
  std::ostringstream o;
  o << "module:   " << p.module.string() << " (" << util::human_size(p.size) << ")\n"
    << "sha256:   " << p.module_sha256 << "\n"
    << "abi:      " << (p.abi_version.empty() ? "unknown" : "v" + p.abi_version) << "\n"
    << "manifest: " << p.manifest_digest << " (" << p.format << ")\n";
  for (const auto& r : p.refs) o << "tagged:   " << r << "\n";
  return o.str();
}

struct BuildFlags {
  std::string dir = ".";
  std::string wasm;
  std::vector<std::string> tags;
  bool release = false;
  bool debug = false;
  std::string format;
  bool dry_run = false;
  std::vector<std::string> root_ids;
  std::string filter_type;
  std::vector<std::string> annotations;
  bool strict = false;
  bool offline = false;
  std::vector<std::string> extra;
};

void setup_build(CLI::App& app, Context& ctx) {
  auto flags = std::make_shared<BuildFlags>();
  auto* cmd = app.add_subcommand(
      "build", "Compile a filter project (or package a prebuilt module with --wasm)");
  examples(cmd, {"ext build                                  # the project in .: compile, validate",
                 "ext build -t acme/filter:v1                # ... and store it as an image",
                 "ext build --dry-run                        # the toolchain commands only",
                 "ext build --wasm filter.wasm -t acme/filter:v1 --root-id my_root",
                 "ext build -t localhost:5000/acme/f:v1 --format compat && ext push "
                 "localhost:5000/acme/f:v1"});
  cmd->add_option("dir", flags->dir, "Project directory")->check(CLI::ExistingDirectory);
  cmd->add_option("--wasm", flags->wasm, "Package this prebuilt module instead of compiling")
      ->check(CLI::ExistingFile);
  cmd->add_option("-t,--tag", flags->tags, "Name the image in the local store (repeatable)");
  auto* rel = cmd->add_flag("--release", flags->release, "Optimized, stripped build (default)");
  auto* dbg = cmd->add_flag("--debug", flags->debug, "Debug build");
  rel->excludes(dbg);
  cmd->add_option(
         "--format", flags->format,
         "Artifact format: oci, compat, cncf (default: config.yaml default_format, else oci)")
      ->check(CLI::IsMember({"oci", "compat", "cncf"}));
  cmd->add_flag("--dry-run", flags->dry_run, "Print the toolchain commands without running them");
  cmd->add_option("--root-id", flags->root_ids, "Root id(s) for the runtime config");
  cmd->add_option("--filter-type", flags->filter_type,
                  "With --wasm: http or network (needed when the module exports both sets of "
                  "callbacks, as SDK builds do)")
      ->check(CLI::IsMember({"http", "network"}));
  cmd->add_option("--annotation", flags->annotations, "Manifest annotation K=V (repeatable)");
  cmd->add_flag("--strict", flags->strict, "Validation warnings fail the build");
  cmd->add_flag("--offline", flags->offline,
                "Download nothing: cargo --offline (also CARGO_NET_OFFLINE=true, ext.yaml "
                "build.offline)");
  cmd->add_option("--cargo-arg,--compiler-arg", flags->extra,
                  "Extra argument passed to cargo or the compiler");
  cmd->callback([flags, &ctx] {
    auto env = ctx.env();
    std::map<std::string, std::string> annotations;
    for (const auto& a : flags->annotations) {
      auto eq = a.find('=');
      if (eq == std::string::npos || eq == 0)
        throw Error(Errc::usage, "--annotation needs KEY=VALUE, got \"" + a + "\"");
      annotations[a.substr(0, eq)] = a.substr(eq + 1);
    }
    if (!flags->wasm.empty()) {
      if (flags->tags.empty())
        throw Error(Errc::usage, "ext build --wasm needs -t REF",
                    "name the image: ext build --wasm filter.wasm -t acme/filter:v1");
      ops::PackageOptions o;
      o.module = flags->wasm;
      o.refs = flags->tags;
      o.format = flags->format;  // empty: config.yaml default_format, else oci
      o.root_ids = flags->root_ids;
      o.filter_type = flags->filter_type;
      o.annotations = annotations;
      o.strict = flags->strict;
      auto r = ops::package_module(o, env);
      auto j =
          module_json(r.module.string(), r.size, r.module_sha256, r.abi_version, r.filter_type);
      j["dry_run"] = false;
      j["package"] = package_json(r);
      ctx.emit("build", j, package_text(r));
      return;
    }
    if (!flags->filter_type.empty())
      throw Error(Errc::usage, "--filter-type goes with --wasm",
                  "a project declares its type in ext.yaml: filter_type: " + flags->filter_type);
    ops::BuildOptions o;
    o.dir = flags->dir;
    o.refs = flags->tags;
    o.release = !flags->debug;
    o.format = flags->format;
    o.dry_run = flags->dry_run;
    o.extra_args = flags->extra;
    o.offline = flags->offline;
    auto r = ops::build_project(o, env);
    nlohmann::json j = {
        {"commands", r.commands}, {"up_to_date", r.up_to_date}, {"dry_run", flags->dry_run}};
    std::ostringstream human;
    if (flags->dry_run) {
      for (const auto& c : r.commands) human << c << "\n";
    } else {
      j.update(
          module_json(r.module.string(), r.size, r.module_sha256, r.abi_version, r.filter_type));
      if (r.package) {
        j["package"] = package_json(*r.package);
        human << package_text(*r.package);
      } else {
        human << "module:   " << r.module.string() << " (" << util::human_size(r.size) << ")\n"
              << "sha256:   " << r.module_sha256 << "\n"
              << "abi:      " << (r.abi_version.empty() ? "unknown" : "v" + r.abi_version) << "\n";
      }
      if (r.up_to_date) env.reporter.get().info("up to date: nothing to compile");
    }
    ctx.emit("build", j, human.str());
  });
}

}  // namespace
EXT_COMMAND(build, 10, setup_build)
}  // namespace ext::cli
