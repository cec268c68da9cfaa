#include "ext/build/rust_driver.hpp"

#include <unistd.h>

#include <cstdlib>
#include <sstream>

#include "ext/core/error.hpp"
#include "ext/util/files.hpp"
#include "ext/util/process.hpp"
#include "ext/util/strings.hpp"

namespace ext::build {

namespace fs = std::filesystem;

namespace {

bool is_executable(const fs::path& p) {
  return ::access(p.c_str(), X_OK) == 0;
}

// (major, minor) of "1.63.0"
std::pair<int, int> version_pair(const std::string& v) {
  auto parts = util::split(v, '.');
  int major = parts.size() > 0 ? std::atoi(parts[0].c_str()) : 0;
  int minor = parts.size() > 1 ? std::atoi(parts[1].c_str()) : 0;
  return {major, minor};
}

struct Probe {
  std::string version;
  fs::path sysroot;
};

std::optional<Probe> probe_rustc(const fs::path& rustc, util::ProcessRunner& runner) {
  util::ProcessSpec spec;
  spec.argv = {rustc.string(), "--version"};
  util::ProcessResult v;
  try {
    v = runner.run(spec);
  } catch (const Error&) {
    return std::nullopt;
  }
  if (v.exit_code != 0) return std::nullopt;
  // "rustc 1.63.0" or "rustc 1.95.0 (59807616e 2026-04-14)"
  auto words = util::split(std::string(util::trim(v.out)), ' ');
  if (words.size() < 2) return std::nullopt;
  Probe p;
  p.version = words[1];
  auto dash = p.version.find('-');
  if (dash != std::string::npos) p.version.resize(dash);
  spec.argv = {rustc.string(), "--print", "sysroot"};
  auto s = runner.run(spec);
  if (s.exit_code != 0) return std::nullopt;
  p.sysroot = std::string(util::trim(s.out));
  return p;
}

std::string toml_unquote(std::string_view v) {
  v = util::trim(v);
  auto hash = v.find(" #");
  if (hash != std::string_view::npos) v = util::trim(v.substr(0, hash));
  if (v.size() >= 2 && (v.front() == '"' || v.front() == '\'') && v.back() == v.front())
    v = v.substr(1, v.size() - 2);
  return std::string(v);
}

}  // namespace

bool cargo_offline(const BuildRequest& req, const RustToolchainSearch& search) {
  if (req.offline || req.project.build.offline) return true;
  // cargo's own setting (net.offline as an environment variable): "true" turns it on.
  const std::string& v = search.cargo_net_offline;
  return !v.empty() && v != "false" && v != "0";
}

bool is_fetch_failure(const std::string& cargo_output) {
  for (const char* needle :
       {"no matching package", "failed to get `", "failed to download", "failed to load source",
        "Unable to update registry", "failed to fetch", "offline", "Couldn't resolve host",
        "failed to query replaced source"})
    if (cargo_output.find(needle) != std::string::npos) return true;
  return false;
}

RustToolchainSearch RustToolchainSearch::from_environment(const util::Environment& environment) {
  RustToolchainSearch s;
  s.path_env = environment.path();
  s.cargo_net_offline = environment.value("CARGO_NET_OFFLINE");
  s.cargo_target_dir = environment.value("CARGO_TARGET_DIR");
  return s;
}

std::string wasi_target_for(const std::string& rustc_version) {
  auto [major, minor] = version_pair(rustc_version);
  return (major > 1 || (major == 1 && minor >= 78)) ? "wasm32-wasip1" : "wasm32-wasi";
}

Result<RustToolchain> find_rust_toolchain(const RustToolchainSearch& search,
                                          util::ProcessRunner& runner) {
  std::vector<std::pair<fs::path, fs::path>> candidates;
  auto rustc = util::find_program("rustc", search.path_env);
  auto cargo = util::find_program("cargo", search.path_env);
  if (rustc && cargo) candidates.emplace_back(*rustc, *cargo);
  for (const auto& c : search.fallbacks)
    if (is_executable(c.first) && is_executable(c.second)) candidates.push_back(c);

  std::vector<std::string> seen;
  bool rustup = false;
  for (const auto& [rc, cg] : candidates) {
    auto probe = probe_rustc(rc, runner);
    if (!probe) continue;
    if (rc.string().find(".cargo") != std::string::npos ||
        rc.string().find("rustup") != std::string::npos)
      rustup = true;
    std::vector<std::string> targets;
    if (!search.target_override.empty()) {
      targets = {search.target_override};
    } else {
      auto preferred = wasi_target_for(probe->version);
      targets = {preferred, preferred == "wasm32-wasip1" ? "wasm32-wasi" : "wasm32-wasip1"};
    }
    for (const auto& t : targets) {
      std::error_code ec;
      if (!fs::is_directory(probe->sysroot / "lib" / "rustlib" / t, ec)) continue;
      RustToolchain tc;
      tc.cargo = cg;
      tc.rustc = rc;
      tc.version = probe->version;
      tc.target = t;
      tc.description = "rustc " + probe->version + " (" + rc.string() + ") for " + t;
      return tc;
    }
    seen.push_back("rustc " + probe->version + " at " + rc.string() + " has no " +
                   util::join(targets, "/") + " standard library");
  }
  std::string message = seen.empty()
                            ? "no Rust toolchain (rustc and cargo) found"
                            : "no Rust toolchain with a wasm target: " + util::join(seen, "; ");
  std::string hint = rustup || seen.empty()
                         ? "rustup target add wasm32-wasip1   (or, with Debian's toolchain: "
                           "apt-get install rustc cargo libstd-rust-dev-wasm32)"
                         : "apt-get install rustc cargo libstd-rust-dev-wasm32   (or with "
                           "rustup: rustup target add wasm32-wasip1)";
  return fail(Errc::toolchain, message, hint);
}

Result<std::string> cargo_artifact_name(const std::string& cargo_toml) {
  std::istringstream in(cargo_toml);
  std::string line, section, package_name, lib_name;
  while (std::getline(in, line)) {
    auto t = util::trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (t[0] == '[') {
      section = std::string(t);
      continue;
    }
    auto eq = t.find('=');
    if (eq == std::string_view::npos) continue;
    auto key = util::trim(t.substr(0, eq));
    if (key != "name") continue;
    if (section == "[package]") package_name = toml_unquote(t.substr(eq + 1));
    if (section == "[lib]") lib_name = toml_unquote(t.substr(eq + 1));
  }
  std::string name = lib_name.empty() ? package_name : lib_name;
  if (name.empty())
    return fail(Errc::parse, "Cargo.toml has no [package] name",
                "a filter crate needs [package] name = \"...\" and crate-type = [\"cdylib\"]");
  for (char& c : name)
    if (c == '-') c = '_';
  return name;
}

RustDriver::RustDriver(RustToolchainSearch search) : m_search(std::move(search)) {}

DriverInfo RustDriver::info() const {
  return {project::Language::rust,
          "rustc + cargo with the wasm32-wasip1 (or wasm32-wasi) standard library; crates "
          "from crates.io (or offline: cargo fetch first)",
          "apt-get install rustc cargo libstd-rust-dev-wasm32   (or with rustup: rustup target "
          "add wasm32-wasip1)"};
}

ToolchainStatus RustDriver::detect(util::ProcessRunner& runner) const {
  auto tc = find_rust_toolchain(m_search, runner);
  if (!tc) return {false, tc.error().message(), tc.error().hint()};
  return {true, tc->description, ""};
}

RustToolchainSearch RustDriver::search_for(const BuildRequest& req) const {
  auto search = m_search;
  if (!req.project.build.target.empty()) search.target_override = req.project.build.target;
  return search;
}

fs::path RustDriver::cargo_output(const BuildRequest& req, const RustToolchain& tc) const {
  auto manifest = req.project_dir / "Cargo.toml";
  std::error_code ec;
  if (!fs::is_regular_file(manifest, ec))
    throw Error(Errc::not_found, "no Cargo.toml in " + req.project_dir.string(),
                "a Rust filter is a cdylib crate: see `ext init --language rust`");
  auto artifact = cargo_artifact_name(util::read_file(manifest, 1 << 20)).value();
  fs::path target_dir = req.project_dir / "target";
  if (!m_search.cargo_target_dir.empty()) {
    target_dir = m_search.cargo_target_dir;
    if (target_dir.is_relative()) target_dir = req.project_dir / target_dir;
  }
  return target_dir / tc.target / profile_name(req.release) / (artifact + ".wasm");
}

fs::path RustDriver::output_path(const BuildRequest& req) const {
  if (!req.project.build.output.empty()) return output_or(req, {});
  auto tc = find_rust_toolchain(search_for(req), *req.runner).value();
  return cargo_output(req, tc);
}

BuildOutput RustDriver::build(const BuildRequest& req) {
  std::error_code ec;
  if (!fs::is_regular_file(req.project_dir / "Cargo.toml", ec))
    throw Error(Errc::not_found, "no Cargo.toml in " + req.project_dir.string(),
                "a Rust filter is a cdylib crate: see `ext init --language rust`");
  auto tc = find_rust_toolchain(search_for(req), *req.runner).value();
  fs::path built = cargo_output(req, tc);
  fs::path module = output_or(req, built);

  // Online unless the user says offline (cargo fetches missing crates, as `cargo build` does).
  const bool offline = cargo_offline(req, m_search);
  std::vector<std::string> argv = {tc.cargo.string(), "build", "--target", tc.target};
  if (offline) argv.push_back("--offline");
  if (req.release) argv.push_back("--release");
  argv.insert(argv.end(), req.project.build.flags.begin(), req.project.build.flags.end());
  argv.insert(argv.end(), req.extra_args.begin(), req.extra_args.end());

  BuildOutput out;
  out.module = module;
  out.toolchain = tc.description;
  // cargo picks its rustc from RUSTC, so Debian's cargo does not run rustup's rustc.
  std::string shown = "RUSTC=" + tc.rustc.string() + " " + util::shell_quote(argv);
  out.commands.push_back(shown);
  if (req.reporter) req.reporter->debug(1, "$ " + shown);
  if (req.dry_run) return out;

  auto before = fs::last_write_time(built, ec);
  bool existed = !ec;
  util::ProcessSpec spec;
  spec.argv = argv;
  spec.cwd = req.project_dir;
  spec.env["RUSTC"] = tc.rustc.string();
  auto r = req.runner->run(spec);
  if (r.exit_code != 0) {
    std::string output = shown_text(r.err.empty() ? r.out : r.err);
    std::string hint = "fix the error above and run `ext build` again";
    if (is_fetch_failure(output))
      hint = offline ? "cargo ran offline and a crate is not on this machine: run `cargo fetch` "
                       "in " +
                           req.project_dir.string() +
                           " once while online (or vendor the crates: cargo vendor), or build "
                           "online (no --offline, build.offline or CARGO_NET_OFFLINE)"
                     : "cargo could not download a crate: run `cargo fetch` in " +
                           req.project_dir.string() +
                           " where crates.io is reachable, then `ext build --offline` (or "
                           "vendor the crates: cargo vendor)";
    // getrandom (pulled in by hashbrown/ahash, which proxy-wasm uses) needs the `wasi` crate
    // on wasm32-wasi*; Debian 12 packages getrandom without it. On wasm32-unknown-unknown
    // ahash falls back to compile-time keys and needs no `wasi`; Envoy loads either target.
    if (output.find("getrandom") != std::string::npos &&
        output.find("`wasi`") != std::string::npos && tc.target != "wasm32-unknown-unknown")
      hint = "getrandom needs the `wasi` crate on " + tc.target +
             ", which cargo cannot resolve here (Debian's crates lack it): vendor `wasi` "
             "(cargo vendor), or build for the target that does not need it: add "
             "`target: wasm32-unknown-unknown` under `build:` in ext.yaml";
    throw Error(Errc::toolchain,
                "cargo build failed (exit " + std::to_string(r.exit_code) + "):\n" + output, hint);
  }
  if (!fs::exists(built, ec))
    throw Error(Errc::toolchain, "cargo finished but " + built.string() + " is missing",
                "set crate-type = [\"cdylib\"] under [lib] in Cargo.toml");
  auto after = fs::last_write_time(built, ec);
  out.up_to_date = existed && after == before;
  if (module != built) {
    fs::create_directories(module.parent_path(), ec);
    fs::copy_file(built, module, fs::copy_options::overwrite_existing);
  }
  return out;
}

}  // namespace ext::build
