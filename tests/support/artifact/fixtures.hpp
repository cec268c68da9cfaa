// Test support for the artifact module, `ext build --wasm` and `ext inspect`: modules assembled
// from tests/data/artifact/*.wat, hostile archives crafted by craft_archive.py, and directory
// snapshots for "the store is untouched" checks.
#pragma once

#include <filesystem>
#include <map>
#include <optional>
#include <string>

namespace ext::test::artifact {

// tests/data/artifact/<name>.wat assembled with wat2wasm (cached per process). With debug_names
// the module carries a `name` section and validates without warnings.
const std::string& module_bytes(const std::string& name, bool debug_names = true);
// The same written to dir/<name>.wasm; returns the path.
std::filesystem::path write_module(const std::filesystem::path& dir, const std::string& name,
                                   bool debug_names = true);

// tests/support/artifact/craft_archive.py KIND OUT [--gzip]; stdin feeds "docker".
std::filesystem::path craft_archive(const std::filesystem::path& dir, const std::string& kind,
                                    bool gzip,
                                    std::optional<std::string> stdin_data = std::nullopt);

// Every file under dir (relative path -> size:sha256), empty when dir does not exist.
std::map<std::string, std::string> snapshot(const std::filesystem::path& dir);

}  // namespace ext::test::artifact
