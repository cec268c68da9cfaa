// ext::archive — deterministic tar (+gzip) writing and safe extraction, over libarchive.
// Deterministic: entries in the order given, mtime 0, uid/gid 0, no user/group names, the
// given mode, pax-restricted tar (plain ustar headers unless a path needs more); gzip carries
// no name and no time (libarchive's gzip filter with "!timestamp"; its header has no FNAME
// flag) and fixed compression, so the same input gives the same bytes for one zlib version.
// Safe extraction refuses "..", absolute paths, symlinks, hard links, devices, FIFOs, sockets
// and oversized entries. Everything streams: memory stays bounded whatever the archive size.
// Owns: tar and gzip. Must not use: digest, oci or store (callers hash what they need).
// libarchive headers appear only in this module's .cpp files.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
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

// A sink for archive bytes (may throw; the error reaches the caller of TarWriter).
using WriteFn = std::function<void(const void* data, size_t n)>;
// A source of archive bytes: up to n bytes into buf, 0 at the end (may throw).
using ReadFn = std::function<size_t(void* buf, size_t n)>;

// Streams a deterministic tar (or tar.gz) to a sink, one entry at a time.
class TarWriter {
 public:
  TarWriter(WriteFn sink, bool gzip);
  ~TarWriter();
  TarWriter(const TarWriter&) = delete;
  TarWriter& operator=(const TarWriter&) = delete;

  // Throws Error(invalid_argument) for an unsafe path (absolute, "..", empty), Error(io) when a
  // source file cannot be read or changes size while it is read.
  void add(const TarEntry& entry);
  // Writes the end-of-archive blocks and flushes gzip. Call once; not calling it leaves the
  // output truncated.
  void finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> m_impl;
};

// Writes entries to `out` (atomically: temp + rename), streaming file sources.
void write_tar(const std::filesystem::path& out, const std::vector<TarEntry>& entries, bool gzip);
// The same, for small archives held in memory.
std::string tar_bytes(const std::vector<TarEntry>& entries, bool gzip);

struct Limits {
  uint64_t max_entry_size = 1ull << 30;  // 1 GiB
  uint64_t max_total_size = 4ull << 30;  // 4 GiB
  uint64_t max_entries = 100000;
};

// Extracts a tar or tar.gz (detected) into `dest` (created). Throws Error(validation) naming
// the entry for "..", absolute paths, symlinks, hard links, devices, FIFOs, and entries over the
// limits, Error(parse) for a damaged archive; nothing outside `dest` is touched, and what was
// extracted before the error is removed again.
void extract(const std::filesystem::path& archive_path, const std::filesystem::path& dest,
             const Limits& limits = {});
void extract(const ReadFn& source, const std::filesystem::path& dest, const Limits& limits = {});

// Extracts only the entries `select` accepts, by normalized path ("./a/b" is "a/b"): it returns
// the most bytes the entry may hold, or nullopt to skip the entry (its data is skipped, never
// written: a small archive that expands to gigabytes of other content costs no disk). A selected
// entry must be a regular file (Error(validation) otherwise, or when over its bound). Stops
// between entries on an interrupt (Error(interrupted)). Returns the paths extracted; on error
// what was extracted is removed again.
using Selector = std::function<std::optional<uint64_t>(const std::string& path)>;
std::vector<std::string> extract_selected(const std::filesystem::path& archive_path,
                                          const std::filesystem::path& dest, const Selector& select,
                                          const Limits& limits = {});

// Streams one regular-file member of a tar or tar.gz to `out` (atomically); false when absent.
// A member matches an entry whose normalized path ("./a/b" is "a/b") equals `member`, or, when
// `member` has no '/', whose base name equals it ("plugin.wasm" matches "x/plugin.wasm"; the
// first match wins, as Istio's image fetcher does). A match that is not a regular file (a link,
// a device) or that exceeds limits.max_entry_size is Error(validation).
bool extract_member(const std::filesystem::path& archive_path, const std::string& member,
                    const std::filesystem::path& out, const Limits& limits = {});
bool extract_member(const ReadFn& source, const std::string& member,
                    const std::filesystem::path& out, const Limits& limits = {});

// A small member read into memory (same matching rules); nullopt when absent, Error(validation)
// when larger than max_bytes.
std::optional<std::string> read_member(const ReadFn& source, const std::string& member,
                                       uint64_t max_bytes = 1u << 20);

struct EntryInfo {
  std::string path;  // as stored
  std::string type;  // "file", "directory", "symlink", "hardlink", "device", "fifo", "socket"
  uint64_t size = 0;
  unsigned mode = 0;
};
// The entries of a tar or tar.gz, reading headers only (data is skipped, not held).
std::vector<EntryInfo> list(const ReadFn& source, const Limits& limits = {});

// A ReadFn over a file (the file stays open while the function lives).
ReadFn file_reader(const std::filesystem::path& path);

// "libarchive 3.6.2 zlib/1.2.13 ...", for `ext version`.
std::string library_version();

}  // namespace ext::archive
