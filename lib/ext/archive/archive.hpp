// ext::archive — deterministic tar (+gzip) writing and safe extraction, over libarchive.
// Deterministic: entries in the order given, mtime 0, uid/gid 0, no user/group names, the
// given mode; gzip carries no name or time. Same input, same bytes.
// Safe extraction refuses "..", absolute paths, links, devices and oversized entries.
// libarchive headers appear only in this module's .cpp files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ext::archive {

struct TarEntry {
  std::string path;                    // relative, '/'-separated
  std::filesystem::path source;        // a file streamed from disk, or
  std::optional<std::string> content;  // bytes held in memory
  unsigned mode = 0644;
  bool directory = false;
};

// Writes entries to `out` (atomically: temp + rename), streaming file sources.
void write_tar(const std::filesystem::path& out, const std::vector<TarEntry>& entries,
               bool gzip);
// The same, for small archives held in memory.
std::string tar_bytes(const std::vector<TarEntry>& entries, bool gzip);

struct Limits {
  uint64_t max_entry_size = 1ull << 30;   // 1 GiB
  uint64_t max_total_size = 4ull << 30;   // 4 GiB
  uint64_t max_entries = 100000;
};

// Extracts a tar or tar.gz (detected) into `dest` (created). Throws Error(validation) naming
// the entry for "..", absolute paths, symlinks, hard links, devices, FIFOs, and entries over the
// limits; on error nothing outside `dest` is touched.
void extract(const std::filesystem::path& archive_path, const std::filesystem::path& dest,
             const Limits& limits = {});

// Streams one regular-file member of a tar or tar.gz to `out` (atomically); false when absent.
bool extract_member(const std::filesystem::path& archive_path, const std::string& member,
                    const std::filesystem::path& out, const Limits& limits = {});

// "libarchive 3.6.2 zlib/1.2.13 ...", for `ext version`.
std::string library_version();

}  // namespace ext::archive
