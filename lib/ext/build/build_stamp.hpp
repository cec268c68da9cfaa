// ext::build — BuildStamp: what the last successful build ran and read, so an unchanged
// project rebuilds as a no-op. A unit (one object file, or the link) is fresh when its key (a
// hash of its command line and the toolchain identity) is the same and every input file has the
// same size and mtime — or, for the project's own files (relative paths), when the mtime moved,
// the same content (FNV-1a 64; this detects change, it is not a security boundary). Toolchain
// files (absolute paths) are judged by size and mtime only. Kept as JSON in the build folder.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace ext::build {

uint64_t fnv1a64(std::string_view data, uint64_t seed = 14695981039346656037ull);
std::string hash_hex(std::string_view data);  // 16 hex digits of fnv1a64

class BuildStamp {
 public:
  // Missing or unreadable file: an empty stamp (everything rebuilds).
  static BuildStamp load(const std::filesystem::path& file);
  void save(const std::filesystem::path& file) const;

  // Input paths are relative to `base` (the project folder) or absolute.
  bool fresh(const std::string& unit, const std::string& key,
             const std::filesystem::path& base) const;
  void record(const std::string& unit, const std::string& key,
              const std::vector<std::string>& inputs, const std::filesystem::path& base);
  void forget(const std::string& unit) { m_units.erase(unit); }
  std::vector<std::string> inputs(const std::string& unit) const;

 private:
  struct FileState {
    uint64_t size = 0;
    int64_t mtime = 0;
    uint64_t hash = 0;
  };
  struct Unit {
    std::string key;
    std::map<std::string, FileState> inputs;
  };
  std::map<std::string, Unit> m_units;
};

// Reads a make-style dependency file (clang -MD): the prerequisites of its first rule.
std::vector<std::string> parse_depfile(std::string_view text);

}  // namespace ext::build
