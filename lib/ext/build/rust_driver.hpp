// ext::build — RustDriver: `cargo build --target wasm32-wasip1|wasm32-wasi [--offline]` for a
// cdylib crate. cargo downloads missing crates unless the user says offline (`ext build
// --offline`, ext.yaml `build.offline: true`, or CARGO_NET_OFFLINE=true). Picks a toolchain that
// has a wasm target: the rustc on PATH (rustup's) when its sysroot has lib/rustlib/wasm32-wasip1 or
// wasm32-wasi, else Debian's /usr/bin/rustc with libstd-rust-dev-wasm32. The target name follows
// the rustc version (wasm32-wasip1 from 1.78, wasm32-wasi before). When no toolchain fits, the
// error names the fix.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "ext/build/driver.hpp"
#include "ext/core/result.hpp"
#include "ext/util/environment.hpp"

namespace ext::build {

struct RustToolchain {
  std::filesystem::path cargo;
  std::filesystem::path rustc;
  std::string version;  // "1.63.0"
  std::string target;   // "wasm32-wasi" | "wasm32-wasip1"
  std::string description;
};

struct RustToolchainSearch {
  std::string path_env;  // $PATH
  // Candidates tried after PATH's rustc/cargo (Debian's).
  std::vector<std::pair<std::filesystem::path, std::filesystem::path>> fallbacks = {
      {"/usr/bin/rustc", "/usr/bin/cargo"}};
  std::string target_override;  // ext.yaml build.target
  // cargo's own variables, which decide --offline and where the module lands.
  std::string cargo_net_offline;  // $CARGO_NET_OFFLINE
  std::string cargo_target_dir;   // $CARGO_TARGET_DIR
  static RustToolchainSearch from_environment(const util::Environment& environment);
};

// Whether cargo runs with --offline for this request (the flag, ext.yaml, CARGO_NET_OFFLINE).
bool cargo_offline(const BuildRequest& request, const RustToolchainSearch& search);
// Whether cargo's output says a crate could not be fetched or resolved (the hint names
// `cargo fetch` then).
bool is_fetch_failure(const std::string& cargo_output);

// The wasm target a rustc of `version` calls WASI preview 1 ("1.63.0" -> "wasm32-wasi").
std::string wasi_target_for(const std::string& rustc_version);

Result<RustToolchain> find_rust_toolchain(const RustToolchainSearch& search,
                                          util::ProcessRunner& runner);

// The cdylib's file name from Cargo.toml: [lib] name, else [package] name, '-' -> '_'.
Result<std::string> cargo_artifact_name(const std::string& cargo_toml);

class RustDriver final : public Driver {
 public:
  explicit RustDriver(RustToolchainSearch search);
  DriverInfo info() const override;
  ToolchainStatus detect(util::ProcessRunner& runner) const override;
  std::filesystem::path output_path(const BuildRequest& request) const override;
  BuildOutput build(const BuildRequest& request) override;

 private:
  RustToolchainSearch search_for(const BuildRequest& request) const;
  // TARGET_DIR/<target>/<profile>/<artifact>.wasm: where cargo writes the module.
  std::filesystem::path cargo_output(const BuildRequest& request, const RustToolchain& tc) const;
  RustToolchainSearch m_search;
};

}  // namespace ext::build
